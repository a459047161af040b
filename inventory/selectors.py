"""Reads of locations, channels, the catalog and inventory, with the joins responses need."""

from collections import defaultdict
from types import SimpleNamespace

from django.db.models import CharField, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Concat

from config.api.query import apply_filterset
from config.errors import NotFound
from inventory import filters
from inventory.models import (
    InventoryItem,
    InventoryLevel,
    Product,
    ProductVariant,
    SalesChannel,
    StockLocation,
    StockMovement,
    VariantInventoryItem,
)


def variant_name(item_ref: str = "pk") -> Subquery:
    """SQL for "Product / Variant" of the first variant made of the item at `item_ref`."""
    return Subquery(
        VariantInventoryItem.objects.filter(inventory_item=OuterRef(item_ref))
        .order_by("created_at", "id")
        .annotate(
            name=Concat(
                "variant__product__title",
                Value(" / "),
                "variant__title",
                output_field=CharField(),
            )
        )
        .values("name")[:1]
    )


def item_names(items: QuerySet) -> QuerySet:
    """Inventory items that print as "Product / Variant (SKU)" (see `item_label`)."""
    return items.annotate(variant_name=variant_name())


def item_labels(item_ids) -> dict[str, str]:
    """ "Product / Variant (SKU)" of each of these items, in one query."""
    return {
        item.pk: str(item) for item in item_names(InventoryItem.objects.filter(pk__in=item_ids))
    }


PRODUCT_EXTRAS = ("options", "images", "tags", "type", "sales_channels", "categories")


def _get(queryset: QuerySet, pk: str, label: str):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"{label} with id {pk} was not found")
    return obj


def _stock_locations(expand=()) -> QuerySet:
    queryset = StockLocation.objects.select_related("address")
    if "sales_channels" in expand:
        queryset = queryset.prefetch_related("sales_channels")
    return queryset


def stock_location_list(*, filters_data: dict, expand=()) -> QuerySet:
    return apply_filterset(filters.StockLocationFilter, filters_data, _stock_locations(expand))


def stock_location_get(*, location_id: str, expand=()) -> StockLocation:
    return _get(_stock_locations(expand), location_id, "StockLocation")


def _sales_channels(expand=()) -> QuerySet:
    queryset = SalesChannel.objects.all()
    if "locations" in expand:
        queryset = queryset.prefetch_related("location_links")
    return queryset


def sales_channel_list(*, filters_data: dict, expand=()) -> QuerySet:
    return apply_filterset(filters.SalesChannelFilter, filters_data, _sales_channels(expand))


def sales_channel_get(*, sales_channel_id: str, expand=()) -> SalesChannel:
    channel = _sales_channels(expand).filter(pk=sales_channel_id).first()
    if channel is None:  # Medusa's wording
        raise NotFound(f"Sales channel with id: {sales_channel_id} was not found")
    return channel


def default_sales_channel() -> SalesChannel:
    return SalesChannel.objects.get(is_default=True)


def channel_location_ids(*, sales_channel_id: str) -> list[str]:
    """The channel's locations in allocation order."""
    return list(
        SalesChannel.objects.get(pk=sales_channel_id)
        .location_links.order_by("rank", "created_at")
        .values_list("location_id", flat=True)
    )


def _variants_with_items() -> QuerySet:
    return ProductVariant.objects.prefetch_related(
        Prefetch("inventory_links", VariantInventoryItem.objects.order_by("created_at", "id"))
    )


def product_list(*, filters_data: dict) -> QuerySet:
    queryset = Product.objects.prefetch_related(
        Prefetch("variants", _variants_with_items().order_by("variant_rank", "created_at"))
    )
    return apply_filterset(filters.ProductFilter, filters_data, queryset)


def product_get(*, product_id: str) -> Product:
    return _get(product_list(filters_data={}), product_id, "Product")


def variant_list(*, filters_data: dict) -> QuerySet:
    queryset = _variants_with_items().select_related("product")
    return apply_filterset(filters.VariantFilter, filters_data, queryset)


def variant_get(*, variant_id: str) -> ProductVariant:
    return _get(variant_list(filters_data={}), variant_id, "Variant")


def _levels(location_ids: list[str] | None) -> Prefetch:
    levels = InventoryLevel.objects.order_by("created_at", "id")
    if location_ids is not None:
        levels = levels.filter(location_id__in=location_ids)
    return Prefetch("location_levels", levels)


def inventory_item_list(*, filters_data: dict) -> QuerySet:
    """Items with their levels (only those at `location_id` when given) and variants."""
    location_ids = filters_data.get("location_id")
    queryset = InventoryItem.objects.prefetch_related(
        _levels(location_ids.split(",") if location_ids else None),
        Prefetch(
            "variants",
            ProductVariant.objects.select_related("product")
            .defer(*(f"product__{name}" for name in PRODUCT_EXTRAS))
            .order_by("id"),
        ),
    )
    return apply_filterset(filters.InventoryItemFilter, filters_data, queryset)


def inventory_item_get(*, item_id: str) -> InventoryItem:
    return _get(InventoryItem.objects.prefetch_related(_levels(None)), item_id, "InventoryItem")


def inventory_level_list(*, item_id: str, filters_data: dict) -> QuerySet:
    queryset = InventoryLevel.objects.filter(inventory_item_id=item_id)
    return apply_filterset(filters.LevelFilter, filters_data, queryset)


def inventory_level_get(*, item_id: str, location_id: str) -> InventoryLevel:
    level = InventoryLevel.objects.filter(
        inventory_item_id=item_id, location_id=location_id
    ).first()
    if level is None:
        raise NotFound(f"Item {item_id} is not stocked at location {location_id}")
    return level


def inventory_levels_by_id(level_ids: list[str]) -> dict[str, InventoryLevel]:
    return InventoryLevel.objects.in_bulk(list(level_ids))


def variant_kits(variant_ids) -> dict[str, list[tuple[str, int]]]:
    """Per variant that manages inventory: its (inventory_item_id, required_quantity) pairs."""
    kits = defaultdict(list)
    links = VariantInventoryItem.objects.filter(
        variant_id__in=[v for v in set(variant_ids) if v], variant__manage_inventory=True
    ).order_by("created_at", "id")
    for variant_id, item_id, required in links.values_list(
        "variant_id", "inventory_item_id", "required_quantity"
    ):
        kits[variant_id].append((item_id, required))
    return kits


def backorderable_item_ids(item_ids: list[str]) -> set[str]:
    """Items that back at least one variant allowing backorders."""
    return set(
        VariantInventoryItem.objects.filter(
            inventory_item_id__in=list(item_ids), variant__allow_backorder=True
        ).values_list("inventory_item_id", flat=True)
    )


def variant_inventory(*, variant_id: str) -> SimpleNamespace:
    """`GET /admin/variants/{id}/inventory`: items with levels and per-channel availability."""
    variant = _get(ProductVariant.objects.all(), variant_id, "Variant")
    links = list(
        VariantInventoryItem.objects.filter(variant=variant)
        .select_related("inventory_item")
        .prefetch_related(
            Prefetch(
                "inventory_item__location_levels",
                InventoryLevel.objects.order_by("created_at", "id"),
            )
        )
    )
    items = [link.inventory_item for link in links]
    availability = []
    if links:
        channels = SalesChannel.objects.prefetch_related("location_links").order_by(
            "created_at", "id"
        )
        for channel in channels:
            location_ids = {link.location_id for link in channel.location_links.all()}
            per_item = [
                sum(
                    level.available_quantity
                    for level in link.inventory_item.location_levels.all()
                    if level.location_id in location_ids
                )
                // link.required_quantity
                for link in links
            ]
            availability.append(
                {
                    "channel_name": channel.name,
                    "channel_id": channel.id,
                    "available_quantity": max(min(per_item), 0) if location_ids else 0,
                }
            )
    return SimpleNamespace(id=variant.id, inventory=items, sales_channel_availability=availability)


def stock_movement_list(*, filters_data: dict, expand=()) -> QuerySet:
    queryset = StockMovement.objects.select_related(*expand) if expand else StockMovement.objects
    return apply_filterset(filters.StockMovementFilter, filters_data, queryset.all())


def stock_movement_get(*, movement_id: str, expand=()) -> StockMovement:
    movement = StockMovement.objects.select_related(*expand).filter(pk=movement_id).first()
    if movement is None:
        raise NotFound(f"Stock movement with id {movement_id} was not found")
    return movement
