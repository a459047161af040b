"""Real threads against PostgreSQL: a transfer takes its units under the same level locks
as reservations (never overselling), and transfers lock both ends in the one key order
(never deadlocking, whichever way they go)."""

import pytest

from config.errors import InsufficientInventory
from inventory.models import InventoryLevel
from reservations import services as reservations
from tests.concurrency.test_reservations import run_together
from tests.conftest import postgres_only
from tests.factories.inventory import InventoryItemFactory, LevelFactory, StockLocationFactory
from transfers import services
from transfers.models import StockTransfer

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def test_a_transfer_shipping_while_reservations_race_never_oversells(consistent):
    # given 10 units, a transfer of 6 of them and 9 buyers of one unit each
    level = LevelFactory(stocked_quantity=10)
    key = {"inventory_item_id": level.inventory_item_id, "location_id": level.location_id}
    transfer = services.transfer_create(
        from_location_id=level.location_id,
        to_location_id=StockLocationFactory().pk,
        items=[{"inventory_item_id": level.inventory_item_id, "quantity": 6}],
    )

    # when they all go at once
    def work(i):
        if i == 0:
            return services.transfer_ship(transfer_id=transfer.pk)
        return reservations.reservation_create(quantity=1, **key)

    results = run_together(10, work)

    # then every refusal is a shortage, and what left plus what is held fits in the stock
    failures = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(r, InsufficientInventory) for r in failures), failures
    shipped = not isinstance(results[0], Exception)
    reserved = sum(not isinstance(r, Exception) for r in results[1:])
    assert reserved + 6 * shipped <= 10
    assert reserved + 6 * shipped >= 9  # nobody was refused while enough units remained
    level = InventoryLevel.objects.get(pk=level.pk)
    assert level.stocked_quantity == 10 - 6 * shipped
    assert level.reserved_quantity == reserved <= level.stocked_quantity
    assert StockTransfer.objects.get(pk=transfer.pk).status == ("shipped" if shipped else "draft")
    consistent()


def test_transfers_in_opposite_directions_at_once_never_deadlock(consistent):
    # given two locations stocking two items, and transfers both ways of both items
    here, there = StockLocationFactory(), StockLocationFactory()
    items = [InventoryItemFactory(), InventoryItemFactory()]
    for item in items:
        for location in (here, there):
            LevelFactory(inventory_item=item, location=location, stocked_quantity=100)
    transfers = [
        services.transfer_create(
            from_location_id=(here, there)[i % 2].pk,
            to_location_id=(there, here)[i % 2].pk,
            items=[
                {"inventory_item_id": item.pk, "quantity": 1} for item in items[:: 1 - 2 * (i % 2)]
            ],
        )
        for i in range(12)
    ]

    # when all ship at once, then are received and canceled at once
    shipped = run_together(12, lambda i: services.transfer_ship(transfer_id=transfers[i].pk))
    assert not [r for r in shipped if isinstance(r, Exception)]
    finished = run_together(
        12,
        lambda i: (services.transfer_receive, services.transfer_cancel)[i % 3 == 0](
            transfer_id=transfers[i].pk
        ),
    )

    # then none waited on another in a cycle, and the stock adds up
    assert not [r for r in finished if isinstance(r, Exception)]
    stock = {
        (lv.inventory_item_id, lv.location_id): (lv.stocked_quantity, lv.incoming_quantity)
        for lv in InventoryLevel.objects.all()
    }
    assert sum(stocked for stocked, _ in stock.values()) == 400
    assert all(incoming == 0 for _, incoming in stock.values())
    consistent()
