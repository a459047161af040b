"""Reserve, move and release units: every change locks its levels and keeps the counters exact.

`InventoryLevel.reserved_quantity` always equals the sum of the level's reservations,
and no level is reserved past its stock unless the item backs a backorderable variant.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from config.errors import Conflict, InsufficientInventory, InvalidData, NotAllowed, NotFound
from config.prepared import increment, insert
from inventory.locks import LevelKey, lock_levels, lock_rows
from inventory.models import InventoryItem, InventoryLevel, VariantInventoryItem
from inventory.selectors import backorderable_item_ids, channel_location_ids, variant_kits
from inventory.services import touch
from reservations.allocation import Demand, Plan, allocate
from reservations.models import ReservationItem

UNSET = object()
LINE_LIMIT = "The reservation quantity cannot be greater than the unfulfilled line item quantity"


def check_availability(levels: dict[LevelKey, InventoryLevel], additions: dict[LevelKey, int]):
    """Raise one InsufficientInventory listing every level that cannot take its addition."""
    over = {
        key: qty
        for key, qty in additions.items()
        if qty > 0 and qty > levels[key].available_quantity
    }
    if not over:
        return
    items = [item for item, _ in over]
    exempt = backorderable_item_ids(items)
    skus = dict(InventoryItem.objects.filter(pk__in=items).values_list("pk", "sku"))
    short = []
    for (item_id, location_id), qty in over.items():
        level = levels[(item_id, location_id)]
        if item_id not in exempt:
            short.append(
                {
                    "inventory_item_id": item_id,
                    "location_id": location_id,
                    "label": f"item {skus.get(item_id) or item_id}",
                    "requested": qty,
                    "available": max(level.available_quantity, 0),
                }
            )
    if short:
        raise InsufficientInventory(short)


def apply_reserved(levels: dict[LevelKey, InventoryLevel], deltas: dict[LevelKey, int]) -> None:
    """Add `deltas` to the locked levels' reserved counters and save them: one UPDATE per
    distinct delta (a batch of thousands of levels has few), not a CASE per level."""
    changed = [(levels[key], delta) for key, delta in deltas.items() if delta]
    if len(changed) == 1:  # one level, as most writes: a statement written once
        level, delta = changed[0]
        increment(level, reserved_quantity=delta)
        return
    by_delta, now = defaultdict(list), timezone.now()
    for level, delta in changed:
        level.reserved_quantity += delta
        level.updated_at = now
        by_delta[delta].append(level.pk)
    for delta, pks in by_delta.items():
        InventoryLevel.objects.filter(pk__in=pks).update(
            reserved_quantity=F("reserved_quantity") + delta, updated_at=now
        )


def _reservation_not_found(reservation_id: str) -> NotFound:
    return NotFound(f"Reservation with id {reservation_id} was not found")


def _lock_reservation(reservation_id: str, move_to: str | None = None):
    """Lock the reservation's line (if any), its level (and the level it moves to), then
    the reservation itself; returns (reservation, levels, line or None)."""
    seen = (
        ReservationItem.objects.filter(pk=reservation_id)
        .values_list("inventory_item_id", "location_id", "line_item_id")
        .first()
    )
    if seen is None:
        raise _reservation_not_found(reservation_id)
    item_id, location_id, line_item_id = seen
    line = _lock_line(line_item_id) if line_item_id else None
    levels = lock_levels([(item_id, location_id)] + ([(item_id, move_to)] if move_to else []))
    found = lock_rows(ReservationItem.objects.filter(pk=reservation_id))
    if not found:
        raise _reservation_not_found(reservation_id)
    reservation = found[0]
    if (reservation.inventory_item_id, reservation.location_id, reservation.line_item_id) != seen:
        raise Conflict("The reservation was changed by another request; retry")
    return reservation, levels, line


@transaction.atomic
def reservation_create(
    *,
    inventory_item_id: str,
    location_id: str,
    quantity: int,
    line_item_id: str | None = None,
    description: str | None = None,
    metadata: dict | None = None,
    created_by: str | None = None,
    external_id: str | None = None,
) -> ReservationItem:
    key = (inventory_item_id, location_id)
    if line_item_id is not None:
        _check_line(_lock_line(line_item_id), inventory_item_id, quantity)
    levels = lock_levels([key])
    check_availability(levels, {key: quantity})
    reservation = ReservationItem(
        inventory_item_id=inventory_item_id,
        location_id=location_id,
        quantity=quantity,
        line_item_id=line_item_id,
        description=description,
        metadata=metadata,
        created_by=created_by,
        external_id=external_id,
    )
    insert(reservation)
    apply_reserved(levels, {key: quantity})
    return reservation


@transaction.atomic
def reservation_update(
    *,
    reservation_id: str,
    quantity: int | None = None,
    location_id: str | None = None,
    description=UNSET,
    metadata=UNSET,
) -> ReservationItem:
    """Change quantity, move to another location (units move with it), or edit text."""
    reservation, levels, line = _lock_reservation(reservation_id, location_id)
    old_key = (reservation.inventory_item_id, reservation.location_id)
    new_key = (reservation.inventory_item_id, location_id or reservation.location_id)
    new_quantity = reservation.quantity if quantity is None else quantity
    if line is not None:
        _check_line(line, reservation.inventory_item_id, new_quantity - reservation.quantity)
    deltas = {old_key: -reservation.quantity}
    deltas[new_key] = deltas.get(new_key, 0) + new_quantity
    check_availability(levels, deltas)
    reservation.quantity = new_quantity
    reservation.location_id = new_key[1]
    if description is not UNSET:
        reservation.description = description
    if metadata is not UNSET:
        reservation.metadata = metadata
    reservation.save()
    apply_reserved(levels, deltas)
    return reservation


@transaction.atomic
def reservation_delete(*, reservation_id: str) -> None:
    reservation, levels, _ = _lock_reservation(reservation_id)
    key = (reservation.inventory_item_id, reservation.location_id)
    reservation.delete()
    apply_reserved(levels, {key: -reservation.quantity})


# Line items and orders --------------------------------------------------------------------


def _line_model():
    """`orders.LineItem`, reached through the reservation's reference (no upward import)."""
    return ReservationItem._meta.get_field("line_item").related_model


def _lock_line(line_item_id: str):
    found = lock_rows(_line_model().objects.filter(pk=line_item_id))
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
    check_availability(levels, {(item, location_id): n for item, n in units.items()})
    reservations = [
        reserve_locked(
            levels,
            line_item_id=line.pk,
            item_id=item,
            location_id=location_id,
            quantity=n,
            created_by=created_by,
        )
        for item, n in units.items()
    ]
    touch([levels[(item, location_id)] for item in units])
    return reservations[0]


def reserve_locked(levels, *, line_item_id, item_id, location_id, quantity, **fields):
    """Reserve on a level the caller has locked (and checked); a line's units join its
    reservation of that item at that location, if it has one."""
    reservation = ReservationItem.objects.filter(
        line_item_id=line_item_id, inventory_item_id=item_id, location_id=location_id
    ).first()
    if reservation is None:
        reservation = ReservationItem.objects.create(
            line_item_id=line_item_id,
            inventory_item_id=item_id,
            location_id=location_id,
            quantity=quantity,
            **fields,
        )
    else:
        reservation.quantity += quantity
        reservation.save(update_fields=["quantity", "updated_at"])
    levels[(item_id, location_id)].reserved_quantity += quantity
    return reservation


def reservations_consume(levels, reservations: list, *, units: int, location_id: str) -> None:
    """Use up `units` of these reservations (one line, one item), those at `location_id`
    first, then the newest; their locked levels' counters follow (the caller saves them)."""
    ordered = sorted(reservations, key=lambda r: r.created_at, reverse=True)
    ordered.sort(key=lambda r: r.location_id != location_id)
    for reservation in ordered:
        if units <= 0:
            break
        used = min(reservation.quantity, units)
        units -= used
        levels[(reservation.inventory_item_id, reservation.location_id)].reserved_quantity -= used
        reservation.quantity -= used
        if reservation.quantity:
            reservation.save(update_fields=["quantity", "updated_at"])
        else:
            reservation.delete()


@transaction.atomic
def reservations_release(*, line_item_ids: list[str]) -> int:
    """Delete every reservation of these lines (whose locks the caller holds)."""
    reservations = list(ReservationItem.objects.filter(line_item_id__in=list(line_item_ids)))
    levels = lock_levels([(r.inventory_item_id, r.location_id) for r in reservations])
    deltas = defaultdict(int)
    for reservation in reservations:
        deltas[(reservation.inventory_item_id, reservation.location_id)] -= reservation.quantity
    ReservationItem.objects.filter(pk__in=[r.pk for r in reservations]).delete()
    apply_reserved(levels, deltas)
    return len(reservations)


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


def allocate_lines(
    lines: list,
    *,
    strict: bool,
    location_ids: list[str] | None = None,
    planned: dict[LevelKey, int] | None = None,
    line_range: tuple[str, str] | None = None,
) -> Plan:
    """Reserve what `lines` still need at their orders' sales-channel locations.

    A line is a LineItem (or a row of its fields) annotated with its order's
    `sales_channel_id`. The caller holds the lines' locks (or created them in this
    transaction). Levels are locked here in one query. `strict`: any shortage raises one
    InsufficientInventory and nothing is written; otherwise short lines are skipped and
    reported in the plan. `location_ids` narrows the channels' locations (keeping their
    order). `planned`: units per level that earlier batches of a dry run would have taken;
    they are not available, and this plan's are added. `line_range`: (first, last) ids
    bounding `lines`, to read their reservations by range rather than by a list of ids
    (those of other lines in the range are ignored)."""
    demands, channel_of = _demands(lines, line_range)
    plan = Plan()
    if not demands:
        return plan
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
    available = {key: lv.available_quantity - planned.get(key, 0) for key, lv in levels.items()}
    for channel, channel_locations in locations.items():
        mine = [d for d in demands if channel_of[d.line_item_id] == channel]
        part = allocate(mine, channel_locations, available)
        plan.placements += part.placements
        plan.shortages += part.shortages
    if strict and plan.shortages:
        raise InsufficientInventory(plan.shortages)
    deltas = defaultdict(int)
    for _, item, loc, quantity in plan.placements:
        deltas[(item, loc)] += quantity
        planned[(item, loc)] = planned.get((item, loc), 0) + quantity
    ReservationItem.objects.bulk_create(
        ReservationItem(line_item_id=line, inventory_item_id=item, location_id=loc, quantity=qty)
        for line, item, loc, qty in plan.placements
    )
    apply_reserved(levels, deltas)
    return plan


@transaction.atomic
def order_allocate(*, order) -> Plan:
    """Reserve every managed line of a just-placed order, or raise one InsufficientInventory."""
    lines = list(order.items.annotate(sales_channel_id=F("order__sales_channel_id")))
    return allocate_lines(lines, strict=True)
