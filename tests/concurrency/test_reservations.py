"""Real threads against PostgreSQL: row locks make the reservation rules exact."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from config.errors import InsufficientInventory
from inventory.locks import lock_levels, locking
from reservations import services
from tests.conftest import postgres_only
from tests.factories.inventory import LevelFactory, StockLocationFactory, UserFactory
from tests.factories.reservations import ReservationFactory

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def run_together(count: int, work) -> list:
    """Run `work(i)` in `count` threads released at once; return what each returned or raised."""
    barrier = threading.Barrier(count)
    results = [None] * count

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def test_concurrent_reservations_for_the_last_units_succeed_exactly_k_times(consistent):
    # given 5 units and 20 buyers of one unit each
    level = LevelFactory(stocked_quantity=5)

    # when they all reserve at once
    results = run_together(
        20,
        lambda i: services.reservation_create(
            inventory_item_id=level.inventory_item_id, location_id=level.location_id, quantity=1
        ),
    )

    # then exactly 5 succeed and the others are told stock is short
    assert sum(not isinstance(r, Exception) for r in results) == 5
    assert all(isinstance(r, InsufficientInventory) for r in results if isinstance(r, Exception))
    level.refresh_from_db()
    assert level.reserved_quantity == 5
    consistent()


def test_concurrent_api_requests_for_the_last_units_give_k_successes_and_clean_400s(consistent):
    # given 3 units and 12 API clients
    level = LevelFactory(stocked_quantity=3)
    staff = UserFactory()
    body = {
        "inventory_item_id": level.inventory_item_id,
        "location_id": level.location_id,
        "quantity": 1,
    }

    def reserve(i):
        client = APIClient()
        client.credentials(HTTP_X_MEDUSA_ACCESS_TOKEN=staff.api_token)
        response = client.post("/admin/reservations", body, format="json")
        return response.status_code, response.json()

    # when
    results = run_together(12, reserve)

    # then
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 3 + [400] * 9
    for status, payload in results:
        if status == 400:
            assert payload["type"] == "not_allowed"
            assert payload["code"] == "insufficient_inventory"
    consistent()


def test_opposite_lock_orders_never_deadlock(consistent):
    # given one item stocked at two locations
    first = LevelFactory(stocked_quantity=100)
    second = LevelFactory(inventory_item=first.inventory_item, stocked_quantity=100)
    keys = [
        (first.inventory_item_id, first.location_id),
        (second.inventory_item_id, second.location_id),
    ]

    @locking
    def lock_in_order(i):
        ordered = keys if i % 2 else list(reversed(keys))
        return sorted(lock_levels(ordered))

    # when many transactions ask for the two levels in opposite orders at once
    results = run_together(16, lock_in_order)

    # then every one of them gets both locks
    assert all(r == sorted(keys) for r in results), results
    consistent()


def test_reservations_moving_in_opposite_directions_at_once_all_succeed(consistent):
    # given reservations at two locations of one item
    first = LevelFactory(stocked_quantity=50)
    other = StockLocationFactory()
    second = LevelFactory(inventory_item=first.inventory_item, location=other, stocked_quantity=50)
    forward = [ReservationFactory(level=first, quantity=2) for _ in range(6)]
    backward = [ReservationFactory(level=second, quantity=3) for _ in range(6)]

    # when half move first → second and half second → first, all at once
    def move(i):
        if i % 2:
            reservation, target = forward[i // 2], second.location_id
        else:
            reservation, target = backward[i // 2], first.location_id
        return services.reservation_update(reservation_id=reservation.pk, location_id=target)

    results = run_together(12, move)

    # then none failed and the units moved exactly
    assert not [r for r in results if isinstance(r, Exception)], results
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.reserved_quantity, second.reserved_quantity) == (18, 12)
    consistent()


def test_updates_and_deletes_of_one_reservation_at_once_keep_the_counter_exact(consistent):
    # given one reservation that many requests change at the same time
    level = LevelFactory(stocked_quantity=100)
    reservation = ReservationFactory(level=level, quantity=10)

    def change(i):
        if i == 7:
            return services.reservation_delete(reservation_id=reservation.pk)
        return services.reservation_update(reservation_id=reservation.pk, quantity=1 + i)

    # when
    run_together(10, change)

    # then whatever order they ran in, the counter equals what remains
    consistent()
