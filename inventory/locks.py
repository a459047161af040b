"""The one place that takes row locks on inventory levels.

Every writer of stock or reservations locks the levels it touches here, in one query,
in primary-key order, so two transactions never wait on each other in a cycle.
"""

from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Q

from config.errors import NotFound
from inventory.models import InventoryLevel

LevelKey = tuple[str, str]  # (inventory_item_id, location_id)


def not_stocked(item_id: str, location_id: str) -> NotFound:
    return NotFound(f"Item {item_id} is not stocked at location {location_id}")


def lock_levels(keys: list[LevelKey]) -> dict[LevelKey, InventoryLevel]:
    """Lock the levels of these (item, location) pairs; NotFound names the first missing one."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_levels must run inside transaction.atomic()")
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    condition = reduce(or_, (Q(inventory_item_id=i, location_id=loc) for i, loc in wanted))
    rows = list(
        InventoryLevel.objects.filter(condition)
        .select_related("inventory_item")
        .order_by("pk")
        .select_for_update(of=("self",))
    )
    levels = {(row.inventory_item_id, row.location_id): row for row in rows}
    for key in wanted:
        if key not in levels:
            raise not_stocked(*key)
    return levels


def lock_item_levels(
    item_ids: list[str] = (), location_ids: list[str] = ()
) -> list[InventoryLevel]:
    """Lock every level of these items or at these locations (before deleting them)."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_item_levels must run inside transaction.atomic()")
    condition = Q(inventory_item_id__in=list(item_ids)) | Q(location_id__in=list(location_ids))
    return list(
        InventoryLevel.objects.filter(condition).order_by("pk").select_for_update(of=("self",))
    )
