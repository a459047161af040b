"""The one place that takes row locks, and the order they are taken in.

A service that locks rows is decorated `@locking`: one transaction, in which rows are locked
only in `LOCK_ORDER` (a model may be locked again, or one ranked after it; never one ranked
before), each batch in primary-key order. Two such transactions therefore never wait on each
other in a cycle. A lock out of order raises `LockOrderError` at once, so the first test that
runs a new service taking locks out of order fails.
"""

from collections import defaultdict
from contextvars import ContextVar
from functools import reduce, wraps
from operator import or_

from django.db import transaction
from django.db.models import Q, QuerySet

from config.errors import NotFound
from config.prepared import Prepared
from inventory.models import InventoryLevel

LevelKey = tuple[str, str]  # (inventory_item_id, location_id)

LOCK_ORDER = (
    "draft_orders.draftorder",
    "orders.return",
    "orders.order",
    "orders.fulfillment",
    "orders.lineitem",
    "inventory.saleschannel",
    "transfers.stocktransfer",
    "inventory.inventorylevel",
    "reservations.reservationitem",
)
"""Models in the order their rows are locked: a return is received before its order is
locked, an order's fulfillment and lines after the order, a transfer before the levels it moves,
levels after every row that decides what to do with them, and a reservation after its levels."""

_RANK = {label: rank for rank, label in enumerate(LOCK_ORDER)}

COUNTER_FIELDS = (
    "inventory_item_id",
    "location_id",
    "stocked_quantity",
    "reserved_quantity",
    "incoming_quantity",
    "version",
)

_rank_held = ContextVar("rank_held", default=None)  # [highest rank locked] inside a service


class LockOrderError(RuntimeError):
    """A service locked a row of a model ranked before one it already holds."""


def locking(service):
    """Run `service` in one transaction that takes row locks in `LOCK_ORDER`; a nested
    locking service continues its caller's order, in its transaction (no savepoint: its
    error fails the whole service)."""

    @wraps(service)
    def run(*args, **kwargs):
        if _rank_held.get() is not None:
            with transaction.atomic(savepoint=False):
                return service(*args, **kwargs)
        token = _rank_held.set([-1])
        try:
            with transaction.atomic():
                return service(*args, **kwargs)
        finally:
            _rank_held.reset(token)

    return run


def _take(model) -> None:
    held = _rank_held.get()
    if held is None:
        raise RuntimeError("row locks are taken only inside a @locking service")
    rank = _RANK[model._meta.label_lower]
    if rank < held[0]:
        raise LockOrderError(
            f"{model._meta.label} locked after {LOCK_ORDER[held[0]]}: see LOCK_ORDER"
        )
    held[0] = rank


def not_stocked(item_id: str, location_id: str) -> NotFound:
    return NotFound(f"Item {item_id} is not stocked at location {location_id}")


def lock_rows(queryset: QuerySet, *, limit: int | None = None) -> list:
    """Lock the queryset's rows (not joined ones) in primary-key order; the first `limit`."""
    _take(queryset.model)
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
    `counters_only` loads just the keys and counters (for batches of thousands of levels,
    whose counters `inventory.counters` writes)."""
    wanted = sorted(set(keys))
    if not wanted:
        return {}
    if len(wanted) == 1:  # most writes: one statement, compiled once
        _take(InventoryLevel)
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
