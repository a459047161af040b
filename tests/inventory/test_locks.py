"""The lock order lives in code: a service that locks rows out of `LOCK_ORDER` fails at once."""

import pytest

from inventory.locks import LockOrderError, lock_levels, lock_rows, locking
from orders.models import Order
from tests.factories.inventory import LevelFactory, StockLocationFactory
from tests.factories.orders import channel_with_locations, place_order, stocked_variant

pytestmark = pytest.mark.django_db


def test_locking_an_order_after_its_levels_is_refused():
    level = LevelFactory()

    @locking
    def out_of_order():
        lock_levels([(level.inventory_item_id, level.location_id)])
        lock_rows(Order.objects.all())

    with pytest.raises(LockOrderError, match="orders.Order locked after inventory.inventorylevel"):
        out_of_order()


def test_in_order_and_nested_services_continue_the_callers_order(default_channel):
    here = StockLocationFactory()
    channel_with_locations(here)
    variant = stocked_variant((here, 5))
    order = place_order({variant: 1})

    @locking
    def nested():
        lock_levels([(variant.inventory_items.get().pk, "sloc_missing")], missing_ok=True)

    @locking
    def in_order():
        lock_rows(Order.objects.filter(pk=order.pk))
        nested()
        with pytest.raises(LockOrderError):
            lock_rows(Order.objects.filter(pk=order.pk))

    in_order()


def test_rows_are_locked_only_inside_a_locking_service():
    with pytest.raises(RuntimeError, match="only inside a @locking service"):
        lock_rows(Order.objects.all())
