"""Real threads against PostgreSQL: a batch locks all its levels at once, in the order every
writer locks, so it never deadlocks with single-level writers and no update is lost."""

import pytest

from inventory.batch import LevelRow, levels_batch
from inventory.models import InventoryLevel
from inventory.services import stock_adjust
from reservations.services import reservation_create
from tests.concurrency.test_reservations import run_together
from tests.conftest import postgres_only
from tests.factories.inventory import InventoryItemFactory, LevelFactory, StockLocationFactory

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]

LEVELS = 30
BATCHES = 4
WRITERS = 4


def test_batches_and_single_level_writers_in_opposite_order_never_deadlock_or_lose_updates(
    consistent,
):
    # given 30 levels of 100 at two locations
    here, there = StockLocationFactory(), StockLocationFactory()
    levels = [
        LevelFactory(
            inventory_item=InventoryItemFactory(),
            location=(here, there)[n % 2],
            stocked_quantity=100,
        )
        for n in range(LEVELS)
    ]
    keys = [
        {"inventory_item_id": lv.inventory_item_id, "location_id": lv.location_id} for lv in levels
    ]

    # when batches adding 1 to every level (rows in opposite orders) run at once with writers
    # adding 1 and reserving 1 at each level, one level at a time, from the last level back
    def work(i):
        if i < BATCHES:
            rows = [
                LevelRow(n, stocked_delta=1, reason="received", **key) for n, key in enumerate(keys)
            ]
            return levels_batch(update=rows[:: 1 if i % 2 else -1], atomic=True)
        for key in reversed(keys):
            stock_adjust(stocked_delta=1, reason="restock", **key)
            reservation_create(quantity=1, **key)
        return None

    results = run_together(BATCHES + WRITERS, work)

    # then every one went through, and every level got every unit
    assert not [r for r in results if isinstance(r, Exception)], results
    assert all(r.written and not r.errors for r in results[:BATCHES])
    assert {(lv.stocked_quantity, lv.reserved_quantity) for lv in InventoryLevel.objects.all()} == {
        (100 + BATCHES + WRITERS, WRITERS)
    }
    consistent()


def test_batches_creating_the_same_levels_in_opposite_order_wait_in_turn(consistent):
    # given 20 items not stocked anywhere yet
    location = StockLocationFactory()
    items = InventoryItemFactory.create_batch(20)

    # when 6 batches create their levels at once, half of them listing the rows backwards
    def work(i):
        rows = [
            LevelRow(n, inventory_item_id=item.pk, location_id=location.pk, stocked_quantity=i)
            for n, item in enumerate(items)
        ]
        return levels_batch(create=rows[:: 1 if i % 2 else -1])

    results = run_together(6, work)

    # then one creates them all and the others find them taken, each row refused as a
    # duplicate (whether they looked before it committed or after; never a deadlock)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.written for r in results) == 1, results
    for refused in (r for r in results if not r.written):
        assert sorted((e["index"], e["type"]) for e in refused.errors) == [
            (n, "duplicate_error") for n in range(20)
        ]
    assert InventoryLevel.objects.count() == 20
    consistent()


def test_imports_opening_the_same_new_levels_at_once_each_apply_their_rows(consistent):
    # given 20 items not stocked anywhere yet, and 4 imports (update rows that open a missing
    # level, as `import_levels` sends) each receiving 1 of every item there
    location = StockLocationFactory()
    items = InventoryItemFactory.create_batch(20)

    def work(i):
        rows = [
            LevelRow(n, inventory_item_id=item.pk, location_id=location.pk, stocked_delta=1)
            for n, item in enumerate(items)
        ]
        return levels_batch(update=rows[:: 1 if i % 2 else -1], create_missing=True)

    # when they run at once
    results = run_together(4, work)

    # then each one's rows were applied: the levels one of them opened, the others updated
    assert not [r for r in results if isinstance(r, Exception)], results
    assert all(r.written and not r.errors for r in results)
    assert sorted(len(r.created) for r in results) == [0, 0, 0, 20]
    assert set(InventoryLevel.objects.values_list("stocked_quantity", flat=True)) == {4}
    consistent()
