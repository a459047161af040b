"""Prove each level against its reservations and its ledger; repair what drifted.

A level is right when its `reserved_quantity` equals the sum of its reservations, each of its
three counters equals the sum of its movements' deltas and what its latest movement left, and
its movements are numbered 1..`version`. A repair (`inventory.counters.reconcile`) takes as
the truth the reservations for `reserved_quantity` (they are what holds the units), and the
counters themselves for `stocked_quantity` and `incoming_quantity` (they are what staff saw
and what was sold against; the ledger records the difference it could not explain).

Levels are read in batches from one consistent snapshot, without locks; a level that looks
wrong is read again under its lock, and only then reported or repaired, so the check is exact
while the API takes traffic.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from inventory import counters
from inventory.ledger import COUNTERS, Ledger, counters_of, ledgers
from inventory.locks import COUNTER_FIELDS, lock_levels, locking
from inventory.models import InventoryLevel
from reservations.models import ReservationItem


@dataclass(frozen=True, slots=True)
class Drift:
    """One counter of a level that disagrees with its reservations or its ledger."""

    level_id: str
    item: str  # the item's SKU, or its id
    location: str  # the location's name
    counter: str  # a quantity field, or "version"
    value: int
    says: str  # what the reservations or the ledger say instead


@dataclass(frozen=True, slots=True)
class Batch:
    last: str | None  # the last level looked at, where the next batch starts
    looked: int
    drifts: list[Drift]


def levels_of(*, item_id: str | None = None, location_id: str | None = None) -> QuerySet:
    """The levels of this item, or at this location (or both; all without either)."""
    levels = InventoryLevel.objects.all()
    if item_id:
        levels = levels.filter(inventory_item_id=item_id)
    if location_id:
        levels = levels.filter(location_id=location_id)
    return levels


def check_batch(
    *,
    after: str = "",
    size: int,
    item_id: str | None = None,
    location_id: str | None = None,
    fix: bool = False,
) -> Batch:
    """Check the next `size` levels (in primary-key order) after `after`; confirm those
    that drifted under their locks and, with `fix`, repair them in that transaction."""
    levels = levels_of(item_id=item_id, location_id=location_id).only(*COUNTER_FIELDS)
    with _snapshot():
        batch = list(levels.filter(pk__gt=after).order_by("pk")[:size])
        suspects = [level for level, _, _, found in _check(batch) if found]
    if not batch:
        return Batch(None, 0, [])
    keys = [(level.inventory_item_id, level.location_id) for level in suspects]
    return Batch(batch[-1].pk, len(batch), confirm(keys, fix=fix) if keys else [])


@locking
def confirm(keys: list, *, fix: bool = False) -> list[Drift]:
    """Lock these levels, check them again and, with `fix`, repair those that drifted."""
    levels = lock_levels(keys, missing_ok=True, counters_only=True)
    drifting = [checked for checked in _check(list(levels.values())) if checked[3]]
    labels = _labels([level.pk for level, *_ in drifting])
    found = []
    for level, ledger, truth, drifts in drifting:
        found += [Drift(level.pk, *labels[level.pk], *drift) for drift in drifts]
        if fix:
            counters.reconcile(level, ledger, truth)
    return found


def _check(levels: list[InventoryLevel]) -> list[tuple]:
    """(level, its ledger, its true counters, its drifts) for each level."""
    reserved = _reservations(levels)
    ledger_of = ledgers([level.pk for level in levels])
    checked = []
    for level in levels:
        ledger = ledger_of.get(level.pk, Ledger())
        truth = (level.stocked_quantity, reserved[level.pk], level.incoming_quantity)
        checked.append((level, ledger, truth, _drifts(level, ledger, reserved[level.pk])))
    return checked


def _reservations(levels: list[InventoryLevel]) -> dict[str, int]:
    """The sum of each level's reservations."""
    total = (
        ReservationItem.objects.filter(
            inventory_item_id=OuterRef("inventory_item_id"), location_id=OuterRef("location_id")
        )
        .order_by()
        .values("inventory_item_id")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return dict(
        InventoryLevel.objects.filter(pk__in=[level.pk for level in levels]).values_list(
            "pk", Coalesce(Subquery(total), 0)
        )
    )


def _labels(level_ids: list[str]) -> dict[str, tuple[str, str]]:
    """Each level's item (its SKU, or its id) and location name."""
    rows = InventoryLevel.objects.filter(pk__in=level_ids).values_list(
        "pk", "inventory_item__sku", "inventory_item_id", "location__name"
    )
    return {pk: (sku or item_id, location) for pk, sku, item_id, location in rows}


def _drifts(level: InventoryLevel, ledger: Ledger, reserved: int) -> list[tuple]:
    """(counter, its value, what the reservations or the ledger say) for each drift."""
    found = []
    if level.reserved_quantity != reserved:
        found.append(
            ("reserved_quantity", level.reserved_quantity, f"its reservations sum to {reserved}")
        )
    for name, value, total, left in zip(
        COUNTERS, counters_of(level), ledger.sums, ledger.latest, strict=True
    ):
        if value != total or value != left:
            says = (
                f"its movements sum to {total} and the latest left {left}"
                if ledger.count
                else "it has no movements"
            )
            found.append((name, value, says))
    if level.version != ledger.top or ledger.gaps:
        missing = ", ".join(
            str(gap.first) if gap.first == gap.last else f"{gap.first}-{gap.last}"
            for gap in ledger.gaps
        )
        found.append(
            (
                "version",
                level.version,
                f"it has {ledger.count} movements, numbered up to {ledger.top}"
                + (f" (missing {missing})" if missing else ""),
            )
        )
    return found


@contextmanager
def _snapshot():
    """Reads that see one moment of the database (on PostgreSQL, a REPEATABLE READ
    transaction), unless they run in a transaction their caller began."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield
