"""The one place that takes row locks.

Every writer of stock or reservations locks the levels it touches here, in one query, in
primary-key order, so two transactions never wait on each other in a cycle. Rows that rank
before levels in the global lock order (orders, line items, drafts) are locked with
`lock_rows`, also in primary-key order.
"""

from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Q, QuerySet

from config.errors import NotFound
from inventory.models import InventoryLevel

LevelKey = tuple[str, str]  # (inventory_item_id, location_id)


def _require_transaction(name: str) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError(f"{name} must run inside transaction.atomic()")


def not_stocked(item_id: str, location_id: str) -> NotFound:
    return NotFound(f"Item {item_id} is not stocked at location {location_id}")


def lock_rows(queryset: QuerySet) -> list:
    """Lock the queryset's rows (not joined ones) in primary-key order."""
    _require_transaction("lock_rows")
    return list(queryset.order_by("pk").select_for_update(of=("self",)))


def _levels_matching(keys: list[LevelKey]) -> QuerySet:
    items = sorted({item for item, _ in keys})
    locations = sorted({location for _, location in keys})
    if len(items) * len(locations) == len(keys):  # every pair: a plain IN × IN
        return InventoryLevel.objects.filter(inventory_item_id__in=items, location_id__in=locations)
    return InventoryLevel.objects.filter(
        reduce(or_, (Q(inventory_item_id=i, location_id=loc) for i, loc in keys))
    )


def lock_levels(
    keys: list[LevelKey], *, missing_ok: bool = False
) -> dict[LevelKey, InventoryLevel]:
    """Lock the levels of these (item, location) pairs, in one query.

    A missing pair is a NotFound naming it, unless `missing_ok` (then it is left out)."""
    _require_transaction("lock_levels")
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    rows = lock_rows(_levels_matching(wanted))
    levels = {(row.inventory_item_id, row.location_id): row for row in rows}
    if not missing_ok:
        for key in wanted:
            if key not in levels:
                raise not_stocked(*key)
    return levels


def lock_item_levels(item_ids: list[str] = (), location_ids: list[str] = ()) -> list:
    """Lock every level of these items or at these locations (before deleting them)."""
    condition = Q(inventory_item_id__in=list(item_ids)) | Q(location_id__in=list(location_ids))
    return lock_rows(InventoryLevel.objects.filter(condition))
