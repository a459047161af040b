"""The one place that takes row locks.

Every writer of stock or reservations locks the levels it touches here, in one query, in
primary-key order, so two transactions never wait on each other in a cycle. Rows that rank
before levels in the global lock order (orders, line items, drafts) are locked with
`lock_rows`, also in primary-key order.
"""

from collections import defaultdict
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import Q, QuerySet

from config.errors import NotFound
from config.prepared import Prepared
from inventory.models import InventoryLevel

LevelKey = tuple[str, str]  # (inventory_item_id, location_id)
COUNTER_FIELDS = ("inventory_item_id", "location_id", "stocked_quantity", "reserved_quantity")


def _require_transaction(name: str) -> None:
    if not connection.in_atomic_block:
        raise RuntimeError(f"{name} must run inside transaction.atomic()")


def not_stocked(item_id: str, location_id: str) -> NotFound:
    return NotFound(f"Item {item_id} is not stocked at location {location_id}")


def lock_rows(queryset: QuerySet, *, limit: int | None = None) -> list:
    """Lock the queryset's rows (not joined ones) in primary-key order; the first `limit`."""
    _require_transaction("lock_rows")
    return list(queryset.order_by("pk").select_for_update(of=("self",))[:limit])


def _levels_matching(keys: list[LevelKey]) -> QuerySet:
    """The levels of these pairs: one IN per location (few), even for thousands of pairs."""
    by_location = defaultdict(list)
    for item, location in keys:
        by_location[location].append(item)
    items = sorted({item for item, _ in keys})
    if len(items) * len(by_location) == len(keys):  # every pair: a plain IN × IN
        return InventoryLevel.objects.filter(
            inventory_item_id__in=items, location_id__in=sorted(by_location)
        )
    return InventoryLevel.objects.filter(
        reduce(
            or_,
            (Q(location_id=loc, inventory_item_id__in=i) for loc, i in sorted(by_location.items())),
        )
    )


_lock_one = Prepared(
    lambda item_id, location_id: InventoryLevel.objects.filter(
        inventory_item_id=item_id, location_id=location_id
    ).select_for_update(of=("self",))
)


def lock_levels(
    keys: list[LevelKey], *, missing_ok: bool = False, counters_only: bool = False
) -> dict[LevelKey, InventoryLevel]:
    """Lock the levels of these (item, location) pairs, in one query.

    A missing pair is a NotFound naming it, unless `missing_ok` (then it is left out).
    `counters_only` loads just the keys and counters (for batches of thousands of levels
    whose counters are saved with `update()`, never `save()`)."""
    _require_transaction("lock_levels")
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    if len(wanted) == 1:  # most writes: one statement, compiled once
        rows = _lock_one(*wanted[0])
    else:
        matching = _levels_matching(wanted)
        rows = lock_rows(matching.only(*COUNTER_FIELDS) if counters_only else matching)
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
