"""Real threads against PostgreSQL: placing, fulfilling and allocating orders never oversell
and never deadlock."""

import threading
import time

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from config.errors import InsufficientInventory, NotAllowed
from draft_orders import services as draft_services
from draft_orders.models import DraftOrder
from orders import services
from orders.allocation import allocate_open_lines, reservation_create
from orders.models import LineItem, Order
from reservations.models import ReservationItem
from tests.concurrency.test_reservations import run_together
from tests.conftest import postgres_only
from tests.factories.inventory import StockLocationFactory, UserFactory
from tests.factories.orders import (
    channel_with_locations,
    level_of,
    line_of,
    place_order,
    stocked_variant,
    without_allocation,
)
from tests.factories.reservations import ReservationFactory

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def _errors(results) -> list[Exception]:
    return [r for r in results if isinstance(r, Exception)]


def _draft(channel, variant_quantities) -> DraftOrder:
    """An open draft with `[(variant, quantity)]` lines in the channel."""
    return draft_services.draft_order_create(
        email="draft@example.com",
        sales_channel_id=channel.pk,
        items=[{"variant_id": v.pk, "quantity": q} for v, q in variant_quantities],
    )


def test_orders_for_the_last_units_of_a_level_succeed_exactly_as_stock_allows(
    default_channel, consistent
):
    # given 10 units of which a custom reservation holds 6, and 16 buyers of one unit each:
    # half pay a draft, half place an order directly
    location = StockLocationFactory()
    channel_with_locations(location, channel=default_channel)
    variant = stocked_variant((location, 10))
    ReservationFactory(level=level_of(variant, location), quantity=6)
    drafts = [_draft(default_channel, [(variant, 1)]) for _ in range(8)]

    def buy(i):
        if i % 2:
            return draft_services.draft_order_pay(draft_id=drafts[i // 2].pk)
        return place_order({variant: 1}, default_channel)

    # when they all buy at once
    results = run_together(16, buy)

    # then exactly the 4 free units are sold and the others are told stock is short
    placed = [r for r in results if isinstance(r, Order)]
    assert len(placed) == 4, results
    assert len(_errors(results)) == 12
    assert all(isinstance(e, InsufficientInventory) for e in _errors(results)), results
    # and the failed ones left no order, line or reservation behind
    assert sorted(Order.objects.values_list("pk", flat=True)) == sorted(o.pk for o in placed)
    assert LineItem.objects.count() == 4
    line_reservations = ReservationItem.objects.filter(line_item__isnull=False)
    assert sorted(line_reservations.values_list("line_item__order_id", "quantity")) == sorted(
        (o.pk, 1) for o in placed
    )
    paid = {o.draft_order_id for o in placed if o.draft_order_id}
    for draft in DraftOrder.objects.all():
        expected = DraftOrder.Status.COMPLETED if draft.pk in paid else DraftOrder.Status.OPEN
        assert draft.status == expected
        assert (draft.order_id is not None) == (draft.pk in paid)
    level = level_of(variant, location)
    assert (level.stocked_quantity, level.reserved_quantity) == (10, 10)
    consistent()


def test_orders_with_the_same_two_items_in_opposite_line_order_all_succeed(
    default_channel, consistent
):
    # given two variants stocked at two locations of the channel
    first, second = StockLocationFactory(), StockLocationFactory()
    channel_with_locations(first, second, channel=default_channel)
    mug = stocked_variant((first, 50), (second, 50))
    cup = stocked_variant((first, 50), (second, 50))

    # when 20 orders of both, half listing them mug-first and half cup-first, are placed at once
    def buy(i):
        lines = [(mug, 2), (cup, 3)] if i % 2 else [(cup, 3), (mug, 2)]
        if i % 4 < 2:
            return place_order(lines, default_channel)
        return draft_services.draft_order_pay(draft_id=_draft(default_channel, lines).pk)

    results = run_together(20, buy)

    # then none deadlocked or failed, and every order reserved both lines in full
    assert not _errors(results), results
    assert Order.objects.count() == 20
    for order in Order.objects.all():
        assert sorted(order.items.values_list("quantity", flat=True)) == [2, 3]
        for line in order.items.all():
            assert sum(r.quantity for r in line.reservations.all()) == line.quantity
    reserved = {
        (name, location.name): level_of(variant, location).reserved_quantity
        for name, variant in [("mug", mug), ("cup", cup)]
        for location in (first, second)
    }
    # each line goes whole to the first location that can still cover it: all 40 mugs fit
    # at `first`; 16 lines of 3 cups fill it to 48, the other 4 lines go to `second`
    assert reserved == {
        ("mug", first.name): 40,
        ("mug", second.name): 0,
        ("cup", first.name): 48,
        ("cup", second.name): 12,
    }
    consistent()


def test_fulfillments_racing_custom_reservations_never_oversell(default_channel, consistent):
    # given 20 units: 4 orders of 2 reserved there (8 held), 2 orders of 2 placed without
    # reservations, so 12 units are free for the unreserved fulfillments and custom holds
    location = StockLocationFactory()
    channel_with_locations(location, channel=default_channel)
    variant = stocked_variant((location, 20))
    reserved_orders = [place_order({variant: 2}, default_channel) for _ in range(4)]
    with without_allocation():
        bare_orders = [place_order({variant: 2}, default_channel) for _ in range(2)]
    level = level_of(variant, location)
    assert (level.stocked_quantity, level.reserved_quantity) == (20, 8)
    orders = reserved_orders + bare_orders

    def act(i):
        if i < len(orders):
            order = orders[i]
            return services.fulfillment_create(
                order_id=order.pk,
                items=[{"item_id": line_of(order, variant).pk, "quantity": 2}],
                location_id=location.pk,
            )
        return reservation_create(
            inventory_item_id=level.inventory_item_id, location_id=location.pk, quantity=1
        )

    # when the 6 fulfillments and 12 custom reservations of one unit run at once
    results = run_together(18, act)

    # then the fulfillments of reserved orders all succeed (they use their own units)
    assert not _errors(results[:4]), results
    fulfilled_bare = [r for r in results[4:6] if not isinstance(r, Exception)]
    custom = [r for r in results[6:] if not isinstance(r, Exception)]
    # and every other request either got free units or was refused for lack of them
    for error in _errors(results[4:6]):
        assert type(error) is NotAllowed
        assert error.message == f"Insufficient stock for item: {variant.title}"
    assert all(isinstance(e, InsufficientInventory) for e in _errors(results[6:])), results
    # and the 12 free units were all taken, never more
    assert len(custom) + 2 * len(fulfilled_bare) == 12
    level.refresh_from_db()
    assert level.stocked_quantity == 20 - 8 - 2 * len(fulfilled_bare)
    assert level.reserved_quantity == len(custom)
    assert level.reserved_quantity == level.stocked_quantity
    assert not ReservationItem.objects.filter(line_item__isnull=False).exists()
    for order in reserved_orders:
        assert line_of(order, variant).fulfilled_quantity == 2
    consistent()


def test_allocate_orders_batches_racing_api_order_placement_never_oversell(
    default_channel, consistent
):
    # given a backlog of 16 unreserved orders of one mug and one cup, and 12 API clients
    # about to pay drafts of the same (in either line order); only 12 mugs exist
    first, second = StockLocationFactory(), StockLocationFactory()
    channel_with_locations(first, second, channel=default_channel)
    mug = stocked_variant((first, 5), (second, 7))
    cup = stocked_variant((first, 30), (second, 30))
    with without_allocation():
        backlog = [place_order([(mug, 1), (cup, 1)], default_channel) for _ in range(16)]
    drafts = [
        _draft(default_channel, [(mug, 1), (cup, 1)] if i % 2 else [(cup, 1), (mug, 1)])
        for i in range(12)
    ]
    staff = UserFactory()

    def allocate_all(i):
        """What `manage.py allocate_orders --batch-size 3` does: batches until none are left."""
        after, allocated = "", 0
        while True:
            ids, plan = allocate_open_lines(after=after, size=3)
            if not ids:
                return allocated
            after = ids[-1]
            allocated += sum(quantity for *_, quantity in plan.placements)

    def pay(i):
        client = APIClient()
        client.credentials(HTTP_X_MEDUSA_ACCESS_TOKEN=staff.api_token)
        response = client.post(f"/admin/draft-orders/{drafts[i].pk}/pay", format="json")
        return response.status_code, response.json()

    # when 4 allocation runs and the 12 payments go at once
    results = run_together(16, lambda i: allocate_all(i) if i < 4 else pay(i - 4))

    # then nothing failed except payments refused for lack of mugs
    assert not _errors(results), results
    payments = results[4:]
    assert {status for status, _ in payments} <= {200, 400}, payments
    for status, payload in payments:
        if status == 400:
            assert payload["type"] == "not_allowed"
            assert payload["code"] == "insufficient_inventory"
    paid = [payload["order"]["id"] for status, payload in payments if status == 200]
    assert Order.objects.count() == 16 + len(paid)
    # and every mug is reserved exactly once: by a paid order or a backlog line
    mug_lines = ReservationItem.objects.filter(inventory_item__variants=mug)
    assert mug_lines.count() == 12
    assert sum(level_of(mug, loc).reserved_quantity for loc in (first, second)) == 12
    backlog_mugs = mug_lines.filter(line_item__order__in=backlog).count()
    assert backlog_mugs + len(paid) == 12
    assert sum(results[:4]) == backlog_mugs + 16  # each backlog cup and mug line once
    # and paid orders hold both their lines, while every backlog cup line got its cup
    for order_id in paid:
        assert ReservationItem.objects.filter(line_item__order_id=order_id).count() == 2
    cups = sum(level_of(cup, loc).reserved_quantity for loc in (first, second))
    assert cups == 16 + len(paid)
    consistent()


def _wait_until_someone_waits_for_a_row_lock(timeout: float = 10) -> None:
    """Block until a backend of this database is waiting for a lock (pg_stat_activity)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("nobody waited for the lock")


def test_an_order_canceled_while_allocate_orders_waits_for_its_lines_is_not_reserved(
    default_channel, consistent
):
    # given an unreserved order, and a cancel of it holding its locks, not yet committed
    location = StockLocationFactory()
    channel_with_locations(location, channel=default_channel)
    variant = stocked_variant((location, 10))
    with without_allocation():
        order = place_order({variant: 2}, default_channel)
    canceled, commit = threading.Event(), threading.Event()
    outcome = {}

    def cancel():
        try:
            with transaction.atomic():
                services.order_cancel(order_id=order.pk)
                canceled.set()
                commit.wait(20)
        finally:
            connection.close()

    def allocate():
        try:
            canceled.wait(20)
            outcome["allocate"] = allocate_open_lines(size=10)
        except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
            outcome["allocate"] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=cancel), threading.Thread(target=allocate)]
    for thread in threads:
        thread.start()

    # when an allocation batch picks the line (the order still looks open) and waits for its
    # lock, and then the cancel commits
    assert canceled.wait(20)
    _wait_until_someone_waits_for_a_row_lock()
    commit.set()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"

    # then the batch looked at the line but reserved nothing for the canceled order
    ids, plan = outcome["allocate"]
    assert ids == [line_of(order, variant).pk]
    assert (plan.placements, plan.shortages) == ([], [])
    assert Order.objects.get(pk=order.pk).status == Order.Status.CANCELED
    assert not ReservationItem.objects.exists()
    assert level_of(variant, location).reserved_quantity == 0
    consistent()
