"""Writes of locations, channels, the catalog, inventory items and levels.

Each service is one transaction. Those that change levels lock them first through
`inventory.locks` and change their counters only through `inventory.counters.record`,
which writes the ledger; none changes `reserved_quantity` (that belongs to reservations).
"""

from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError, RestrictedError

from config.changes import save_changes
from config.errors import Conflict, Duplicate, InvalidData, NotAllowed, NotFound
from inventory import selectors
from inventory.counters import Change, record
from inventory.locks import LevelKey, lock_item_levels, lock_levels, lock_rows, locking
from inventory.models import (
    InventoryItem,
    InventoryLevel,
    Product,
    ProductVariant,
    SalesChannel,
    SalesChannelLocation,
    StockLocation,
    StockLocationAddress,
    StockMovement,
    VariantInventoryItem,
)

Reason = StockMovement.Reason
KEEP = object()  # a field left as it is

CUSTOMS_FIELDS = (
    "hs_code",
    "origin_country",
    "mid_code",
    "material",
    "weight",
    "length",
    "height",
    "width",
)


REQUIRED_ADDRESS = ("address_1", "country_code")


def delete_unless_used(obj, message: str) -> None:
    """Delete `obj`, or raise Conflict(message) when other rows still refer to it."""
    try:
        with transaction.atomic():
            obj.delete()
    except (IntegrityError, ProtectedError, RestrictedError) as error:
        raise Conflict(message) from error


def _unique(model, field: str, value, *, label: str, exclude_pk=None):
    if value is None:
        return
    queryset = model.objects.filter(**{field: value})
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    if queryset.exists():
        raise Duplicate(f"{label} with {field} {value} already exists.")


# Stock locations ------------------------------------------------------------------------


@transaction.atomic
def stock_location_create(
    *, name: str, address: dict | None = None, address_id: str | None = None, metadata=None
) -> StockLocation:
    location = StockLocation(name=name, metadata=metadata)
    if address is not None:
        location.address = StockLocationAddress.objects.create(**address)
    elif address_id is not None:
        location.address = _address(address_id)
    location.save()
    return location


def _address(address_id: str) -> StockLocationAddress:
    address = StockLocationAddress.objects.filter(pk=address_id).first()
    if address is None:
        raise NotFound(f"Stock location address with id {address_id} was not found")
    return address


@transaction.atomic
def stock_location_update(*, location_id: str, **changes) -> StockLocation:
    location = selectors.stock_location_get(location_id=location_id)
    address = changes.pop("address", None)
    if "address_id" in changes:
        location.address = _address(changes.pop("address_id"))
    if address is not None:
        if location.address is None:
            missing = [f"address.{k} is required" for k in REQUIRED_ADDRESS if not address.get(k)]
            if missing:
                raise InvalidData(", ".join(missing))
            location.address = StockLocationAddress.objects.create(**address)
        else:
            save_changes(location.address, address)
    return save_changes(location, changes, merge_metadata=True)


@locking
def stock_location_delete(*, location_id: str) -> None:
    """Delete a location with its levels and channel links; refused while it holds reservations."""
    location = selectors.stock_location_get(location_id=location_id)
    lock_item_levels(location_ids=[location.pk])
    if location.reservations.exists():
        raise Conflict(
            f"Stock location {location_id} has reservations; release them before deleting it"
        )
    address = location.address
    delete_unless_used(
        location, f"Stock location {location_id} has fulfillments, returns or stock transfers"
    )
    if address is not None:
        address.delete()


# Sales channels -------------------------------------------------------------------------


def sales_channel_create(
    *, name: str, description=None, is_disabled: bool = False, metadata=None
) -> SalesChannel:
    return SalesChannel.objects.create(
        name=name, description=description, is_disabled=is_disabled, metadata=metadata
    )


@transaction.atomic
def sales_channel_update(*, sales_channel_id: str, **changes) -> SalesChannel:
    channel = selectors.sales_channel_get(sales_channel_id=sales_channel_id)
    return save_changes(channel, changes)


@transaction.atomic
def sales_channel_delete(*, sales_channel_id: str) -> None:
    channel = selectors.sales_channel_get(sales_channel_id=sales_channel_id)
    if channel.is_default:
        raise NotAllowed("You cannot delete the default sales channel")
    delete_unless_used(
        channel, f"Sales channel {sales_channel_id} is still in use by orders or draft orders"
    )


@locking
def sales_channel_location_add(*, sales_channel_id: str, location_id: str) -> SalesChannel:
    """Link a location after the channel's others (allocation tries it last); idempotent."""
    lock_rows(SalesChannel.objects.filter(pk=sales_channel_id))  # one link-adder at a time
    channel = selectors.sales_channel_get(sales_channel_id=sales_channel_id)
    selectors.stock_location_get(location_id=location_id)
    links = channel.location_links
    if not links.filter(location_id=location_id).exists():
        last = links.aggregate(last=Max("rank"))["last"]
        links.create(location_id=location_id, rank=0 if last is None else last + 1)
    return channel


@transaction.atomic
def sales_channel_location_remove(*, sales_channel_id: str, location_id: str) -> None:
    selectors.sales_channel_get(sales_channel_id=sales_channel_id)
    SalesChannelLocation.objects.filter(
        sales_channel_id=sales_channel_id, location_id=location_id
    ).delete()


# Products and variants ------------------------------------------------------------------


@transaction.atomic
def product_create(*, title: str, variants: list[dict] = (), **fields) -> Product:
    _unique(Product, "handle", fields.get("handle"), label="Product")
    product = Product.objects.create(title=title, **fields)
    for rank, variant in enumerate(variants):  # in the order given, unless ranked
        variant_create(product_id=product.pk, **{"variant_rank": rank, **variant})
    return product


@transaction.atomic
def product_update(*, product_id: str, **changes) -> Product:
    product = selectors.product_get(product_id=product_id)
    _unique(Product, "handle", changes.get("handle"), label="Product", exclude_pk=product.pk)
    return save_changes(product, changes, merge_metadata=True)


@transaction.atomic
def product_delete(*, product_id: str) -> None:
    """Delete a product and its variants; their inventory items and stock stay."""
    product = selectors.product_get(product_id=product_id)
    delete_unless_used(product, f"Product {product_id} has variants in orders or draft orders")


@transaction.atomic
def variant_create(
    *,
    product_id: str,
    title: str,
    manage_inventory: bool = True,
    kit: list[tuple[str, int]] | None = None,
    **fields,
) -> ProductVariant:
    """Create a variant. One that manages inventory gets its own inventory item, or, as a
    `kit` of `(inventory_item_id, required_quantity)` pairs, is made of existing items."""
    product = selectors.product_get(product_id=product_id)
    _unique(ProductVariant, "sku", fields.get("sku"), label="Product variant")
    if "variant_rank" not in fields:
        fields["variant_rank"] = product.variants.count()
    variant = ProductVariant.objects.create(
        product=product, title=title, manage_inventory=manage_inventory, **fields
    )
    if kit:
        for item_id, required_quantity in kit:
            variant_item_attach(
                variant_id=variant.pk,
                inventory_item_id=item_id,
                required_quantity=required_quantity,
            )
    elif manage_inventory:
        item = inventory_item_create(
            sku=variant.sku,
            title=variant.title,
            **{f: getattr(variant, f) for f in CUSTOMS_FIELDS},
        )
        VariantInventoryItem.objects.create(variant=variant, inventory_item=item)
    return variant


@transaction.atomic
def variant_item_attach(
    *, variant_id: str, inventory_item_id: str, required_quantity: int = 1
) -> VariantInventoryItem:
    """Make `inventory_item` part of the variant (a kit when it has several)."""
    if required_quantity < 1:
        raise InvalidData("required_quantity must be a positive integer")
    variant = selectors.variant_get(variant_id=variant_id)
    item = selectors.inventory_item_get(item_id=inventory_item_id)
    if variant.inventory_links.filter(inventory_item=item).exists():
        raise Duplicate(f"Inventory item {item.pk} is already part of variant {variant.pk}.")
    return VariantInventoryItem.objects.create(
        variant=variant, inventory_item=item, required_quantity=required_quantity
    )


# Inventory items ------------------------------------------------------------------------


@transaction.atomic
def inventory_item_create(
    *, variant_id: str | None = None, required_quantity: int = 1, **fields
) -> InventoryItem:
    _unique(InventoryItem, "sku", fields.get("sku"), label="Inventory item")
    item = InventoryItem.objects.create(**fields)
    if variant_id is not None:
        variant_item_attach(
            variant_id=variant_id, inventory_item_id=item.pk, required_quantity=required_quantity
        )
    return item


@transaction.atomic
def inventory_item_update(*, item_id: str, **changes) -> InventoryItem:
    item = selectors.inventory_item_get(item_id=item_id)
    _unique(InventoryItem, "sku", changes.get("sku"), label="Inventory item", exclude_pk=item.pk)
    return save_changes(item, changes, merge_metadata=True)


@locking
def inventory_item_delete(*, item_id: str) -> None:
    """Delete an item with its levels and variant links; refused while it has reservations."""
    item = selectors.inventory_item_get(item_id=item_id)
    lock_item_levels(item_ids=[item.pk])
    if item.reservations.exists():
        raise Conflict(
            f"Inventory item {item_id} has reservations; release them before deleting it"
        )
    delete_unless_used(item, f"Inventory item {item_id} is part of stock transfers")


# Levels -----------------------------------------------------------------------------------


@locking
def inventory_level_create(
    *,
    item_id: str,
    location_id: str,
    stocked_quantity: int,
    incoming_quantity: int = 0,
    metadata=None,
) -> InventoryLevel:
    """Stock an item at a location; its first movement (`level_created`) records the
    quantities it starts with."""
    item = selectors.inventory_item_get(item_id=item_id)
    location = selectors.stock_location_get(location_id=location_id)
    if InventoryLevel.objects.filter(inventory_item=item, location=location).exists():
        raise Duplicate(
            f"Inventory level for item {item_id} at location {location_id} already exists."
        )
    level = InventoryLevel.objects.create(inventory_item=item, location=location, metadata=metadata)
    key = (item.pk, location.pk)
    opening = Change(
        key, Reason.LEVEL_CREATED, stocked=stocked_quantity, incoming=incoming_quantity
    )
    record({key: level}, [opening])
    return level


class StaleQuantity(Conflict):
    """Compare-and-set refused: the level's stock is `current`, not what the client read."""

    code = "stale_quantity"

    def __init__(self, level: InventoryLevel, expected: int):
        self.current = level.stocked_quantity
        super().__init__(
            f"Stocked quantity of item {level.inventory_item_id} at location "
            f"{level.location_id} is {self.current}, not {expected}: it changed since you read it"
        )


def lock_or_open_levels(keys: list[LevelKey]) -> dict[LevelKey, InventoryLevel]:
    """Lock the levels of these pairs, in a caller's @locking service, creating those that
    are missing (empty, each with its `level_created` movement)."""
    levels = lock_levels(keys, missing_ok=True)
    missing = sorted(set(keys) - set(levels))
    if missing:
        InventoryLevel.objects.bulk_create(
            [InventoryLevel(inventory_item_id=item, location_id=loc) for item, loc in missing],
            ignore_conflicts=True,  # one a concurrent writer created is locked as it is
        )
        opened = lock_levels(missing)
        fresh = [Change(key, Reason.LEVEL_CREATED) for key, lv in opened.items() if not lv.version]
        record(opened, fresh)
        levels |= opened
    return levels


def check_expected(level: InventoryLevel, expected: int | None) -> None:
    """Compare-and-set: refuse when the locked level's stock is not what the client saw."""
    if expected is not None and level.stocked_quantity != expected:
        raise StaleQuantity(level, expected)


def check_stocked(level: InventoryLevel, stocked: int, backorderable: set[str] | None = None):
    """Stock may not drop below zero, nor below what is reserved at the level unless its item
    is in `backorderable` (by default: backs a variant that allows backorders)."""
    where = f"item {level.inventory_item_id} at location {level.location_id}"
    if stocked < 0:
        raise NotAllowed(f"Cannot set stocked quantity of {where} below zero")
    if stocked < level.reserved_quantity:
        if backorderable is None:
            backorderable = selectors.backorderable_item_ids([level.inventory_item_id])
        if level.inventory_item_id not in backorderable:
            raise NotAllowed(
                f"Cannot set stocked quantity of {where} to {stocked}: "
                f"{level.reserved_quantity} are reserved there"
            )


def check_deletable(level: InventoryLevel) -> None:
    if level.reserved_quantity > 0:
        raise Conflict(
            f"Cannot remove Inventory Level {level.inventory_item_id} at Location "
            f"{level.location_id} because there are reserved items."
        )


@locking
def inventory_level_update(
    *,
    item_id: str,
    location_id: str,
    reason: str = Reason.CORRECTION,
    reference: str | None = None,
    note: str | None = None,
    expected_stocked_quantity: int | None = None,
    stocked_quantity: int | None = None,
    incoming_quantity: int | None = None,
    metadata=KEEP,
) -> InventoryLevel:
    """Set stocked/incoming quantities (recorded as `reason`, a correction by default) and
    merge `metadata`; stock may not drop below what is reserved there."""
    key = (item_id, location_id)
    levels = lock_levels([key])
    level = levels[key]
    check_expected(level, expected_stocked_quantity)
    if stocked_quantity is not None:
        check_stocked(level, stocked_quantity)
    change = Change(
        key,
        reason,
        stocked=0 if stocked_quantity is None else stocked_quantity - level.stocked_quantity,
        incoming=0 if incoming_quantity is None else incoming_quantity - level.incoming_quantity,
        reference=reference,
        note=note,
    )
    if change.stocked or change.incoming:
        record(levels, [change])
    if metadata is not KEEP:  # merged into the stored object; null clears it
        level.metadata = None if metadata is None else {**(level.metadata or {}), **metadata}
        level.save(update_fields=["metadata", "updated_at"])
    return level


@locking
def stock_adjust(
    *,
    inventory_item_id: str,
    location_id: str,
    stocked_delta: int,
    reason: str,
    reference: str | None = None,
    note: str | None = None,
    expected_stocked_quantity: int | None = None,
) -> StockMovement:
    """Add `stocked_delta` (non-zero) to a level's stock for a manual reason."""
    if reason not in StockMovement.MANUAL_REASONS:
        raise InvalidData(f"reason must be one of {', '.join(StockMovement.MANUAL_REASONS)}")
    key = (inventory_item_id, location_id)
    levels = lock_levels([key])
    check_expected(levels[key], expected_stocked_quantity)
    check_stocked(levels[key], levels[key].stocked_quantity + stocked_delta)
    change = Change(key, reason, stocked=stocked_delta, reference=reference, note=note)
    record(levels, [change])
    return StockMovement.objects.get(level_id=levels[key].pk, version=levels[key].version)


@locking
def inventory_level_delete(*, item_id: str, location_id: str) -> None:
    """Remove a level without reservations; its movements stay in the ledger."""
    level = lock_levels([(item_id, location_id)])[(item_id, location_id)]
    check_deletable(level)
    level.delete()
