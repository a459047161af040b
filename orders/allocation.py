"""Reserving stock for order lines: allocation (placing an order, `allocate_orders`) and the
rules a line's reservations follow (reserving one line, reservations made for a line).

A line's reservations change only under the line's lock. The strategy that decides where
units go is the pure `orders.planning.plan`; `reservations.services` writes them.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import F, Sum

from config.errors import InsufficientInventory, InvalidData, NotAllowed, NotFound
from inventory.locks import LevelKey, lock_levels, lock_rows, locking
from inventory.models import StockMovement, VariantInventoryItem
from inventory.selectors import channel_location_ids, variant_kits
from orders.models import LineItem, Order
from orders.planning import Demand, Plan, plan
from reservations import services as reservations
from reservations.models import ReservationItem

Status = Order.Status
LINE_LIMIT = "The reservation quantity cannot be greater than the unfulfilled line item quantity"
CHANNEL = {"sales_channel_id": F("order__sales_channel_id")}
"""Allocation reads a line's channel as `line.sales_channel_id`."""
LINE_FIELDS = (
    "pk",
    "order_id",
    "variant_id",
    "title",
    "quantity",
    "fulfilled_quantity",
    "sales_channel_id",
)


# Allocation -----------------------------------------------------------------------------


def open_lines():
    """Lines of open orders that manage stock and still have units to fulfill."""
    return LineItem.objects.filter(
        order__status__in=[Status.PENDING, Status.REQUIRES_ACTION],
        variant__manage_inventory=True,
        quantity__gt=F("fulfilled_quantity"),
    )


def allocate_order(order: Order) -> Plan:
    """Reserve every managed line of a just-placed order, or raise one InsufficientInventory
    (the order's lines were made in this transaction: no one else sees them to lock)."""
    return _allocate(list(order.items.annotate(**CHANNEL)), strict=True)


@locking
def allocate_open_lines(
    *,
    order_ids: list[str] | None = None,
    after: str = "",
    size: int | None = None,
    sales_channel_id: str | None = None,
    location_id: str | None = None,
    dry_run: bool = False,
    planned: dict | None = None,
) -> tuple[list[str], Plan]:
    """Reserve what open orders' lines still need: of `order_ids`, or the next `size` lines
    after `after` (in id order). Returns the ids of the lines looked at (none when there are
    no more) and the plan: what was reserved and which lines are short. One transaction.

    A dry run writes nothing; its batches share `planned` (units planned per level) so that
    each plans with what the earlier ones would have taken, as a real run would."""
    lines = open_lines().filter(pk__gt=after)
    if order_ids is not None:
        lines = lines.filter(order_id__in=list(order_ids))
    if sales_channel_id:
        lines = lines.filter(order__sales_channel_id=sales_channel_id)
    if location_id:  # only lines whose channel stocks from there
        lines = lines.filter(order__sales_channel__location_links__location_id=location_id)
    ids = [pk for (pk,) in lock_rows(lines.values_list("pk"), limit=size)]
    if not ids:
        return [], Plan()
    # Read after the locks are granted (an order canceled meanwhile is left out), by id range
    # (no list of ids to send) and as tuples: a batch may be thousands of lines.
    batch = lines.filter(pk__lte=ids[-1]).annotate(**CHANNEL).order_by("pk")
    locked = set(ids)
    result = _allocate(
        [line for line in batch.values_list(*LINE_FIELDS, named=True) if line.pk in locked],
        strict=False,
        location_ids=[location_id] if location_id else None,
        planned=planned,
        line_range=(ids[0], ids[-1]),
    )
    if dry_run:
        transaction.set_rollback(True)
    return ids, result


def _demands(lines, line_range=None) -> tuple[list[Demand], dict]:
    """What each managed line still needs per inventory item, and each demand's channel."""
    kits = defaultdict(list)  # variant id -> [(item id, required quantity, sku, backorder)]
    for variant_id, *link in VariantInventoryItem.objects.filter(
        variant_id__in=list({line.variant_id for line in lines if line.variant_id}),
        variant__manage_inventory=True,
    ).values_list(
        "variant_id",
        "inventory_item_id",
        "required_quantity",
        "inventory_item__sku",
        "variant__allow_backorder",
    ):
        kits[variant_id].append(link)
    if line_range:  # an index range scan, however many reservations there are
        held_by = {"line_item_id__gte": line_range[0], "line_item_id__lte": line_range[1]}
    else:
        held_by = {"line_item_id__in": [line.pk for line in lines]}
    held = defaultdict(int)
    for line_id, item_id, total in (
        ReservationItem.objects.filter(**held_by)
        .values("line_item_id", "inventory_item_id")
        .annotate(total=Sum("quantity"))
        .values_list("line_item_id", "inventory_item_id", "total")
    ):
        held[(line_id, item_id)] = total
    demands, channels = [], {}
    for line in lines:
        kit = kits.get(line.variant_id)
        if not kit:
            continue
        open_units = line.quantity - line.fulfilled_quantity
        units = {item: open_units * required - held[(line.pk, item)] for item, required, *_ in kit}
        if any(n > 0 for n in units.values()):
            skus = ", ".join(sku or item for item, _, sku, _ in kit)
            label = f"{line.title} (line {line.pk}, {skus})"
            demands.append(Demand(line.pk, label, kit[0][3], units))
            channels[line.pk] = line.sales_channel_id
    return demands, channels


def _allocate(
    lines: list,
    *,
    strict: bool,
    location_ids: list[str] | None = None,
    planned: dict[LevelKey, int] | None = None,
    line_range: tuple[str, str] | None = None,
) -> Plan:
    """Reserve what `lines` still need at their orders' sales-channel locations.

    A line is a LineItem (or a row of its fields) annotated with its order's
    `sales_channel_id`; the caller holds the lines' locks (or made them in this transaction).
    `strict`: any shortage raises one InsufficientInventory and nothing is written; otherwise
    short lines are skipped and reported. `location_ids` narrows the channels' locations.
    `planned`: units per level that earlier batches of a dry run took (added to here).
    `line_range`: (first, last) ids bounding `lines`, to read their reservations by range."""
    demands, channel_of = _demands(lines, line_range)
    result = Plan()
    if not demands:
        return result
    locations = {
        channel: [
            loc
            for loc in channel_location_ids(sales_channel_id=channel)
            if location_ids is None or loc in location_ids
        ]
        for channel in sorted(set(channel_of.values()))
    }
    if strict and not all(locations.values()):
        channel = next(c for c, locs in locations.items() if not locs)
        raise InvalidData(f"Sales channel {channel} has no stock locations")
    keys = [
        (item, loc)
        for demand in demands
        for item in demand.units
        for loc in locations[channel_of[demand.line_item_id]]
    ]
    levels = lock_levels(keys, missing_ok=True, counters_only=True)
    planned = {} if planned is None else planned

    def planning() -> Plan:
        available = {key: lv.available_quantity - planned.get(key, 0) for key, lv in levels.items()}
        result = Plan()
        for channel, channel_locations in locations.items():
            mine = [d for d in demands if channel_of[d.line_item_id] == channel]
            part = plan(mine, channel_locations, available)
            result.placements += part.placements
            result.shortages += part.shortages
        return result

    result = planning()
    if result.shortages and levels and reservations.release_expired(levels, list(levels)):
        result = planning()  # expired holds no longer count
    if strict and result.shortages:
        raise InsufficientInventory(result.shortages)
    for _, item, loc, quantity in result.placements:
        planned[(item, loc)] = planned.get((item, loc), 0) + quantity
    orders = {line.pk: line.order_id for line in lines}
    reservations.reserve_many(levels, result.placements, orders=orders)
    return result


# A line's own reservations ---------------------------------------------------------------


def lock_line(line_item_id: str) -> LineItem:
    found = lock_rows(LineItem.objects.select_related("order").filter(pk=line_item_id))
    if not found:
        raise NotFound(f"Line item with {line_item_id} was not found")
    return found[0]


def _line_room(line) -> dict[str, tuple[int, int]]:
    """Per inventory item of the line's managed variant: (required_quantity, units of it
    that may still be reserved for the line's unfulfilled quantity)."""
    kit = variant_kits([line.variant_id]).get(line.variant_id, [])
    held = dict(
        ReservationItem.objects.filter(line_item_id=line.pk)
        .values("inventory_item_id")
        .annotate(total=Sum("quantity"))
        .values_list("inventory_item_id", "total")
    )
    open_units = line.quantity - line.fulfilled_quantity
    return {item: (required, open_units * required - held.get(item, 0)) for item, required in kit}


def _require_open_order(line) -> None:
    """A canceled order's lines take no reservations: nothing would ever release them."""
    if line.order.is_canceled:
        raise NotAllowed(f"Line item {line.pk} belongs to a canceled order")


def _check_line(line, inventory_item_id: str, added: int) -> None:
    """The item must belong to the line's variant and the line must have room for `added`."""
    if added <= 0:
        return
    _require_open_order(line)
    room = _line_room(line)
    if inventory_item_id not in room:
        raise InvalidData(
            f"Inventory item {inventory_item_id} is not part of the variant of line item {line.pk}"
        )
    if added > room[inventory_item_id][1]:
        raise InvalidData(LINE_LIMIT)


@locking
def reservation_create(*, line_item_id: str | None = None, **fields) -> ReservationItem:
    """A reservation made on its own (`POST /admin/reservations`); one for a line must fit
    the line (its variant's items, its unfulfilled units)."""
    if line_item_id is None:
        return reservations.reservation_create(**fields)
    line = lock_line(line_item_id)
    _check_line(line, fields["inventory_item_id"], fields["quantity"])
    return reservations.reservation_create(line_item_id=line.pk, order_id=line.order_id, **fields)


@locking
def reservation_update(*, reservation_id: str, **changes) -> ReservationItem:
    """Update a reservation; a line's may not grow past what the line still needs."""
    line_item_id = reservations.reservation_line(reservation_id)
    if line_item_id is None:
        return reservations.reservation_update(reservation_id=reservation_id, **changes)
    line = lock_line(line_item_id)
    if changes.get("quantity") is not None:
        current = ReservationItem.objects.filter(pk=reservation_id).first()
        if current is not None:
            _check_line(line, current.inventory_item_id, changes["quantity"] - current.quantity)
    return reservations.reservation_update(
        reservation_id=reservation_id, line_item_id=line.pk, order_id=line.order_id, **changes
    )


@locking
def reservation_delete(*, reservation_id: str) -> None:
    """Release a reservation (under its line's lock, if it is a line's)."""
    line_item_id = reservations.reservation_line(reservation_id)
    if line_item_id is not None:
        lock_line(line_item_id)
    reservations.reservation_delete(reservation_id=reservation_id, line_item_id=line_item_id)


def line_reserve(*, line, location_id: str, quantity: int | None = None, created_by=None):
    """Reserve a line (whose lock the caller holds) at one location, one reservation per
    inventory item: `quantity` line units, or else all that is still unreserved."""
    _require_open_order(line)
    room = _line_room(line)
    if not room:
        raise InvalidData(f"Line item {line.pk} has no variant that manages inventory")
    units = {
        item: quantity * required if quantity else free for item, (required, free) in room.items()
    }
    units = {item: n for item, n in units.items() if n > 0}
    if not units:
        raise InvalidData(f"Line item {line.pk} is already fully reserved")
    if any(n > room[item][1] for item, n in units.items()):
        raise InvalidData(LINE_LIMIT)
    levels = lock_levels([(item, location_id) for item in units])
    reservations.check_availability(levels, {(item, location_id): n for item, n in units.items()})
    made = [
        reservations.reserve(
            levels,
            item_id=item,
            location_id=location_id,
            quantity=n,
            reason=StockMovement.Reason.RESERVED,
            line_item_id=line.pk,
            order_id=line.order_id,
            created_by=created_by,
        )
        for item, n in units.items()
    ]
    return made[0]
