"""Reads of regions, shipping options, orders and returns."""

from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from config.api.query import apply_filterset
from config.errors import NotFound
from inventory.models import StockLocation
from orders import filters
from orders.models import Fulfillment, LineItem, Order, Region, Return, ShippingOption
from reservations.models import ReservationItem

OPEN = (Order.Status.PENDING, Order.Status.REQUIRES_ACTION)


def _get(queryset: QuerySet, pk: str, label: str):
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"{label} with id {pk} was not found")
    return obj


def _per_order(queryset: QuerySet, amount) -> Coalesce:
    """SQL for the sum of `amount` over `queryset`'s rows of each order (`order` field)."""
    totals = queryset.filter(order=OuterRef("pk")).values("order").annotate(total=Sum(amount))
    return Coalesce(Subquery(totals.values("total")[:1]), 0)


def with_stock_cover(orders: QuerySet) -> QuerySet:
    """Orders with `needed_units` (inventory units their lines' unfulfilled quantities take,
    kits counted per item) and `reserved_units` (held for their lines)."""
    lines = LineItem.objects.filter(variant__manage_inventory=True)
    units = (F("quantity") - F("fulfilled_quantity")) * F(
        "variant__inventory_links__required_quantity"
    )
    held = ReservationItem.objects.annotate(order=F("line_item__order"))
    return orders.annotate(
        needed_units=_per_order(lines, units), reserved_units=_per_order(held, "quantity")
    )


def short_of_stock(orders: QuerySet) -> QuerySet:
    """Of orders `with_stock_cover`, the open ones whose lines lack reservations."""
    return orders.filter(status__in=OPEN, reserved_units__lt=F("needed_units"))


def region_list(*, filters_data: dict) -> QuerySet:
    return apply_filterset(filters.RegionFilter, filters_data, Region.objects.all())


def region_get(*, region_id: str) -> Region:
    return _get(Region.objects.all(), region_id, "Region")


def shipping_option_list(*, filters_data: dict) -> QuerySet:
    queryset = ShippingOption.objects.select_related("region")
    return apply_filterset(filters.ShippingOptionFilter, filters_data, queryset)


def shipping_option_get(*, option_id: str) -> ShippingOption:
    return _get(ShippingOption.objects.all(), option_id, "Shipping option")


def _orders(expand=()) -> QuerySet:
    items = LineItem.objects.order_by("created_at", "id")
    if "items.variant" in expand:
        items = items.select_related("variant__product").prefetch_related(
            "variant__inventory_links"
        )
    return Order.objects.prefetch_related(
        Prefetch("items", items),
        Prefetch("fulfillments", Fulfillment.objects.prefetch_related("items")),
        Prefetch("returns", Return.objects.prefetch_related("items")),
    )


def order_list(*, filters_data: dict, expand=()) -> QuerySet:
    return apply_filterset(filters.OrderFilter, filters_data, _orders(expand))


def order_get(*, order_id: str, expand=()) -> Order:
    return _get(_orders(expand), order_id, "Order")


def return_list(*, filters_data: dict) -> QuerySet:
    queryset = Return.objects.prefetch_related("items")
    return apply_filterset(filters.ReturnFilter, filters_data, queryset)


def return_get(*, return_id: str) -> Return:
    return _get(Return.objects.prefetch_related("items"), return_id, "Return")


def units_pending_return(*, line_ids: list[str]) -> dict[str, int]:
    """Units of these lines in returns requested but not yet received."""
    rows = (
        Return.objects.filter(status=Return.Status.REQUESTED, items__item_id__in=line_ids)
        .values("items__item_id")
        .annotate(total=Sum("items__quantity"))
    )
    return {row["items__item_id"]: row["total"] for row in rows}


def location_exists(*, location_id: str) -> None:
    if not StockLocation.objects.filter(pk=location_id).exists():
        raise NotFound(f"StockLocation with id {location_id} was not found")
