"""The invariant every test checks after changing stock or reservations."""

from django.db.models import Sum

from inventory.models import InventoryLevel, VariantInventoryItem
from reservations.models import ReservationItem


def assert_inventory_consistent() -> None:
    """Each level's reserved counter equals the sum of its reservations, never negative, and
    no level is reserved past its stock unless its item backs a backorderable variant."""
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
