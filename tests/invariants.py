"""The invariants every test checks after changing stock or reservations."""

from django.db.models import Count, Max, Sum

from inventory.models import InventoryLevel, StockMovement, VariantInventoryItem
from reservations.models import ReservationItem

COUNTERS = ("stocked", "reserved", "incoming")


def assert_inventory_consistent() -> None:
    """Each level's reserved counter equals the sum of its reservations, never negative, and
    no level is reserved past its stock unless its item backs a backorderable variant; each
    level's counters equal the sums of its movements' deltas and its latest movement's
    `*_after`, and its movements are numbered 1..version without a gap."""
    sums = {
        (row["inventory_item_id"], row["location_id"]): row["total"]
        for row in ReservationItem.objects.values("inventory_item_id", "location_id").annotate(
            total=Sum("quantity")
        )
    }
    backorderable = set(
        VariantInventoryItem.objects.filter(variant__allow_backorder=True).values_list(
            "inventory_item_id", flat=True
        )
    )
    levels = {(lv.inventory_item_id, lv.location_id): lv for lv in InventoryLevel.objects.all()}
    orphans = set(sums) - set(levels)
    assert not orphans, f"reservations without a level: {orphans}"
    for key, level in levels.items():
        total = sums.get(key, 0)
        assert level.reserved_quantity == total, (
            f"{key}: reserved {level.reserved_quantity} != {total}"
        )
        assert level.reserved_quantity >= 0
        assert level.stocked_quantity >= 0
        if key[0] not in backorderable:
            assert level.reserved_quantity <= level.stocked_quantity, f"{key} oversold"
    assert_ledger_consistent()


def assert_ledger_consistent() -> None:
    ledger = {
        row["level_id"]: row
        for row in StockMovement.objects.values("level_id").annotate(
            count=Count("id"), last=Max("version"), **{c: Sum(f"{c}_delta") for c in COUNTERS}
        )
    }
    latest = {
        m.level_id: m
        for m in StockMovement.objects.filter(
            level_id__in=list(ledger), version__in={row["last"] for row in ledger.values()}
        )
        if m.version == ledger[m.level_id]["last"]
    }
    for level in InventoryLevel.objects.all():
        row = ledger.get(level.pk, {"count": 0, "last": 0, **dict.fromkeys(COUNTERS, 0)})
        assert row["count"] == row["last"] == level.version, f"{level.pk}: movements numbered"
        for counter in COUNTERS:
            value = getattr(level, f"{counter}_quantity")
            assert row[counter] == value, f"{level.pk}: {counter} {value} != ledger {row[counter]}"
            if level.version:
                after = getattr(latest[level.pk], f"{counter}_after")
                assert after == value, f"{level.pk}: {counter} {value} != latest after {after}"
