"""Reserve, move, consume and release units on locked levels.

`InventoryLevel.reserved_quantity` always equals the sum of the level's reservations, and no
level is reserved past its stock unless the item backs a backorderable variant. Each function
here changes reservations and, through `inventory.counters.record`, the counters and ledger of
their levels, in the caller's transaction. What a reservation is for (an order line, a quote)
is its caller's business: a caller that names a line holds that line's lock and has checked it.
"""

from collections import defaultdict
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from config.errors import Conflict, InsufficientInventory, InvalidData, NotFound
from config.ids import PrefixedId
from config.prepared import insert, insert_rows, pipelined
from inventory.counters import Change, record
from inventory.locks import LevelKey, lock_levels, lock_rows, locking
from inventory.models import InventoryItem, InventoryLevel
from inventory.models import StockMovement as Movement
from inventory.selectors import backorderable_item_ids
from reservations.models import ReservationItem

UNSET = object()
Reason = Movement.Reason
RESERVATION_COLUMNS = (
    "id",
    "line_item_id",
    "inventory_item_id",
    "location_id",
    "quantity",
    "created_at",
    "updated_at",
)
new_reservation_id = PrefixedId("resitem")


def _over(levels, additions: dict[LevelKey, int]) -> dict[LevelKey, int]:
    return {
        key: qty
        for key, qty in additions.items()
        if qty > 0 and qty > levels[key].available_quantity
    }


def check_availability(
    levels: dict[LevelKey, InventoryLevel], additions: dict[LevelKey, int], *, keep=()
):
    """Raise one InsufficientInventory listing every level that cannot take its addition,
    once the short levels' expired reservations (but those in `keep`) are released."""
    over = _over(levels, additions)
    if over and release_expired(levels, list(over), keep=keep):
        over = _over(levels, additions)
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


def _at(keys: list[LevelKey]) -> Q:
    """Rows at these (item, location) pairs: one IN per location."""
    by_location = defaultdict(list)
    for item, location in keys:
        by_location[location].append(item)
    return reduce(
        or_, (Q(location_id=loc, inventory_item_id__in=i) for loc, i in sorted(by_location.items()))
    )


def release_expired(levels: dict[LevelKey, InventoryLevel], keys: list[LevelKey], *, keep=()):
    """Release the expired reservations at these locked levels (but those in `keep`), each
    with an `expired` movement; how many there were."""
    expired = lock_rows(
        ReservationItem.objects.filter(_at(keys), expires_at__lte=timezone.now()).exclude(
            pk__in=list(keep)
        )
    )
    if expired:
        ReservationItem.objects.filter(pk__in=[r.pk for r in expired]).delete()
        record(levels, [_change(r, Reason.EXPIRED, -r.quantity) for r in expired])
    return len(expired)


@locking
def release_expired_batch(*, size: int) -> int | None:
    """Release the expired reservations at the levels of the first `size` of them (a sweep's
    batch, one transaction): how many were released, or None when none are left."""
    keys = set(
        ReservationItem.objects.filter(expires_at__lte=timezone.now())
        .order_by("expires_at", "pk")
        .values_list("inventory_item_id", "location_id")[:size]
    )
    if not keys:
        return None
    levels = lock_levels(sorted(keys))
    return release_expired(levels, list(levels))


def _future(expires_at):
    if expires_at is not None and expires_at <= timezone.now():
        raise InvalidData("expires_at must be in the future")
    return expires_at


def _change(reservation: ReservationItem, reason: str, delta: int, location_id=None, **refs):
    return Change(
        (reservation.inventory_item_id, location_id or reservation.location_id),
        reason,
        reserved=delta,
        reservation_id=reservation.pk,
        line_item_id=reservation.line_item_id,
        **refs,
    )


# Reservations made on their own (`/admin/reservations`) ----------------------------------


def _reservation_not_found(reservation_id: str) -> NotFound:
    return NotFound(f"Reservation with id {reservation_id} was not found")


def reservation_line(reservation_id: str) -> str | None:
    """The line a reservation is for (read without a lock: its callers lock that line, then
    `reservation_update` checks that it has not changed)."""
    found = ReservationItem.objects.filter(pk=reservation_id).values_list("line_item_id")
    if not found:
        raise _reservation_not_found(reservation_id)
    return found[0][0]


def _lock_reservation(reservation_id: str, line_item_id: str | None, move_to: str | None):
    """Lock the reservation's level (and the level it moves to), then the reservation."""
    seen = (
        ReservationItem.objects.filter(pk=reservation_id)
        .values_list("inventory_item_id", "location_id", "line_item_id")
        .first()
    )
    if seen is None:
        raise _reservation_not_found(reservation_id)
    item_id, location_id, _ = seen
    levels = lock_levels([(item_id, location_id)] + ([(item_id, move_to)] if move_to else []))
    found = lock_rows(ReservationItem.objects.filter(pk=reservation_id))
    if not found:
        raise _reservation_not_found(reservation_id)
    reservation = found[0]
    now = (reservation.inventory_item_id, reservation.location_id, reservation.line_item_id)
    if now != seen or reservation.line_item_id != line_item_id:
        raise Conflict("The reservation was changed by another request; retry")
    return reservation, levels


@locking
def reservation_create(
    *,
    inventory_item_id: str,
    location_id: str,
    quantity: int,
    line_item_id: str | None = None,
    order_id: str | None = None,
    description: str | None = None,
    metadata: dict | None = None,
    created_by: str | None = None,
    external_id: str | None = None,
    expires_at=None,
) -> ReservationItem:
    """Reserve units of an item at a location, if they are available there (until
    `expires_at`, a future time, if given)."""
    _future(expires_at)
    key = (inventory_item_id, location_id)
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
        expires_at=expires_at,
    )
    with pipelined():
        insert(reservation)
        record(levels, [_change(reservation, Reason.RESERVED, quantity, order_id=order_id)])
    return reservation


@locking
def reservation_update(
    *,
    reservation_id: str,
    quantity: int | None = None,
    location_id: str | None = None,
    description=UNSET,
    metadata=UNSET,
    line_item_id: str | None = None,
    order_id: str | None = None,
    expires_at=UNSET,
) -> ReservationItem:
    """Change quantity, move to another location (units move with it), edit text, or set
    when it expires (a future time, or None: never).
    A reservation for a line is updated by a caller holding that line's lock, who names it."""
    if expires_at is not UNSET:
        _future(expires_at)
    reservation, levels = _lock_reservation(reservation_id, line_item_id, location_id)
    old_location = reservation.location_id
    new_location = location_id or old_location
    new_quantity = reservation.quantity if quantity is None else quantity
    changes = [
        _change(reservation, Reason.RESERVATION_CHANGED, delta, location, order_id=order_id)
        for location, delta in _moves(
            old_location, reservation.quantity, new_location, new_quantity
        )
    ]
    additions = defaultdict(int)
    for change in changes:
        additions[change.key] += change.reserved
    check_availability(levels, additions, keep=[reservation.pk])
    reservation.quantity, reservation.location_id = new_quantity, new_location
    if expires_at is not UNSET:
        reservation.expires_at = expires_at
    if description is not UNSET:
        reservation.description = description
    if metadata is not UNSET:
        reservation.metadata = metadata
    reservation.save()
    record(levels, changes)
    return reservation


def _moves(old_location: str, old: int, new_location: str, new: int) -> list[tuple[str, int]]:
    """The (location, reserved delta) pairs of a change from `old` units at `old_location`."""
    if old_location == new_location:
        return [(old_location, new - old)] if new != old else []
    return [(old_location, -old), (new_location, new)]


@locking
def reservation_delete(*, reservation_id: str, line_item_id: str | None = None) -> None:
    """Release a reservation; one for a line is released by a caller holding that line's
    lock, who names it."""
    reservation, levels = _lock_reservation(reservation_id, line_item_id, None)
    change = _change(reservation, Reason.RELEASED, -reservation.quantity)
    reservation.delete()
    record(levels, [change])


# Reservations of order lines, on levels the caller has locked ------------------------------


def reserve(
    levels, *, item_id, location_id, quantity, reason, line_item_id, created_by=None, **refs
):
    """Reserve `quantity` for a line on a locked (and checked) level: the units join the
    line's reservation of that item there, if it has one."""
    reservation = ReservationItem.objects.filter(
        line_item_id=line_item_id, inventory_item_id=item_id, location_id=location_id
    ).first()
    if reservation is None:
        reservation = ReservationItem.objects.create(
            line_item_id=line_item_id,
            inventory_item_id=item_id,
            location_id=location_id,
            quantity=quantity,
            created_by=created_by,
        )
    else:
        reservation.quantity += quantity
        reservation.save(update_fields=["quantity", "updated_at"])
    record(levels, [_change(reservation, reason, quantity, **refs)])
    return reservation


def reserve_many(levels, placements, *, orders: dict[str, str]) -> None:
    """Reserve `placements` of allocation, (line id, item id, location id, units) each, on
    locked levels: one new reservation each, written as rows (a batch may have thousands).
    `orders` maps each line to its order."""
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    rows = [
        (new_reservation_id(), line, item, loc, qty, stamp, stamp)
        for line, item, loc, qty in placements
    ]
    insert_rows(ReservationItem, RESERVATION_COLUMNS, rows)
    record(
        levels,
        (
            Change(
                (item, loc),
                Reason.ALLOCATED,
                reserved=qty,
                reservation_id=pk,
                line_item_id=line,
                order_id=orders[line],
            )
            for pk, line, item, loc, qty, _, _ in rows
        ),
    )


def consume(levels, reservations: list, *, units: int, location_id: str, **refs) -> None:
    """Use up `units` of these reservations (one line, one item), those at `location_id`
    first, then the newest, as a fulfillment does (reason `fulfilled`)."""
    ordered = sorted(reservations, key=lambda r: r.created_at, reverse=True)
    ordered.sort(key=lambda r: r.location_id != location_id)
    changes = []
    for reservation in ordered:
        if units <= 0:
            break
        used = min(reservation.quantity, units)
        units -= used
        changes.append(_change(reservation, Reason.FULFILLED, -used, **refs))
        reservation.quantity -= used
        if reservation.quantity:
            reservation.save(update_fields=["quantity", "updated_at"])
        else:
            reservation.delete()
    record(levels, changes)


@locking
def release_lines(*, line_item_ids: list[str], reason: str, **refs) -> int:
    """Delete every reservation of these lines (whose locks the caller holds)."""
    reservations = list(ReservationItem.objects.filter(line_item_id__in=list(line_item_ids)))
    levels = lock_levels([(r.inventory_item_id, r.location_id) for r in reservations])
    ReservationItem.objects.filter(pk__in=[r.pk for r in reservations]).delete()
    record(levels, [_change(r, reason, -r.quantity, **refs) for r in reservations])
    return len(reservations)
