"""Reserve, move and release units: every change locks its levels and keeps the counters exact.

`InventoryLevel.reserved_quantity` always equals the sum of the level's reservations,
and no level is reserved past its stock unless the item backs a backorderable variant.
"""

from django.db import transaction

from config.errors import Conflict, InsufficientInventory, NotFound
from inventory.locks import LevelKey, lock_levels
from inventory.models import InventoryLevel
from inventory.selectors import backorderable_item_ids
from inventory.services import touch
from reservations.models import ReservationItem

UNSET = object()


def check_availability(levels: dict[LevelKey, InventoryLevel], additions: dict[LevelKey, int]):
    """Raise one InsufficientInventory listing every level that cannot take its addition."""
    over = {
        key: qty
        for key, qty in additions.items()
        if qty > 0 and qty > levels[key].available_quantity
    }
    exempt = backorderable_item_ids([item for item, _ in over]) if over else set()
    short = []
    for (item_id, location_id), qty in over.items():
        level = levels[(item_id, location_id)]
        if item_id not in exempt:
            short.append(
                {
                    "inventory_item_id": item_id,
                    "location_id": location_id,
                    "label": f"item {level.inventory_item.sku or item_id}",
                    "requested": qty,
                    "available": max(level.available_quantity, 0),
                }
            )
    if short:
        raise InsufficientInventory(short)


def apply_reserved(levels: dict[LevelKey, InventoryLevel], deltas: dict[LevelKey, int]) -> None:
    """Add `deltas` to the locked levels' reserved counters and save them."""
    changed = []
    for key, delta in deltas.items():
        if delta:
            levels[key].reserved_quantity += delta
            changed.append(levels[key])
    if changed:
        touch(changed)


def _reservation_not_found(reservation_id: str) -> NotFound:
    return NotFound(f"Reservation with id {reservation_id} was not found")


def _lock_reservation(reservation_id: str, move_to: str | None = None):
    """Lock the reservation's level (and the level it moves to), then the reservation."""
    seen = (
        ReservationItem.objects.filter(pk=reservation_id)
        .values_list("inventory_item_id", "location_id")
        .first()
    )
    if seen is None:
        raise _reservation_not_found(reservation_id)
    levels = lock_levels([seen] + ([(seen[0], move_to)] if move_to else []))
    reservation = ReservationItem.objects.select_for_update().filter(pk=reservation_id).first()
    if reservation is None:
        raise _reservation_not_found(reservation_id)
    if (reservation.inventory_item_id, reservation.location_id) != seen:
        raise Conflict("The reservation was moved by another request; retry")
    return reservation, levels


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
    levels = lock_levels([key])
    check_availability(levels, {key: quantity})
    reservation = ReservationItem.objects.create(
        inventory_item_id=inventory_item_id,
        location_id=location_id,
        quantity=quantity,
        line_item_id=line_item_id,
        description=description,
        metadata=metadata,
        created_by=created_by,
        external_id=external_id,
    )
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
    reservation, levels = _lock_reservation(reservation_id, location_id)
    old_key = (reservation.inventory_item_id, reservation.location_id)
    new_key = (reservation.inventory_item_id, location_id or reservation.location_id)
    new_quantity = reservation.quantity if quantity is None else quantity
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
    reservation, levels = _lock_reservation(reservation_id)
    key = (reservation.inventory_item_id, reservation.location_id)
    reservation.delete()
    apply_reserved(levels, {key: -reservation.quantity})
