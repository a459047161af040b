"""Draft order services: lines, open-only changes, and paying (which places the order)."""

import threading

import pytest
from django.db import connection

from config.errors import Conflict, InsufficientInventory, InvalidData, NotAllowed, NotFound
from draft_orders import services
from draft_orders.models import DraftLineItem, DraftOrder
from inventory.models import InventoryLevel
from orders.models import LineItem, Order
from orders.services import region_create
from orders.signals import order_placed
from reservations.models import ReservationItem
from tests.conftest import postgres_only
from tests.factories.inventory import StockLocationFactory, VariantFactory
from tests.factories.orders import channel_with_locations, level_of, stocked_variant
from tests.invariants import assert_inventory_consistent


def counters() -> list[tuple]:
    return sorted(
        InventoryLevel.objects.values_list(
            "inventory_item_id", "location_id", "stocked_quantity", "reserved_quantity"
        )
    )


@pytest.fixture(autouse=True)
def _ends_consistent(django_db_setup, django_db_blocker):
    """Every test here also ends with the stock invariant holding."""
    yield
    with django_db_blocker.unblock():
        assert_inventory_consistent()


@pytest.fixture
def location(default_channel):
    location = StockLocationFactory()
    channel_with_locations(location, channel=default_channel)
    return location


def draft_of(*variant_quantities, **fields) -> DraftOrder:
    return services.draft_order_create(
        email="buyer@example.com",
        items=[{"variant_id": v.pk, "quantity": q} for v, q in variant_quantities],
        **fields,
    )


# Create, update, delete -------------------------------------------------------------------


@pytest.mark.django_db
def test_draft_order_create_uses_the_default_channel_and_reserves_nothing(location, consistent):
    # given
    variant = stocked_variant((location, 2))
    before = counters()
    # when: more than is in stock; an open draft neither checks nor holds stock
    draft = draft_of((variant, 5))
    # then
    assert draft.sales_channel.is_default
    assert (draft.status, draft.order_id, draft.completed_at) == ("open", None, None)
    assert list(draft.items.values_list("variant_id", "quantity", "unit_price")) == [
        (variant.pk, 5, 1000)
    ]
    assert not ReservationItem.objects.exists()
    assert counters() == before
    consistent()


@pytest.mark.django_db
def test_draft_order_create_prices_variants_in_the_region_currency(default_channel):
    region = region_create(name="EU", currency_code="eur")
    variant = VariantFactory(
        prices=[{"currency_code": "usd", "amount": 1000}, {"currency_code": "EUR", "amount": 800}]
    )

    draft = draft_of((variant, 1), region_id=region.pk)

    assert draft.items.get().unit_price == 800
    assert draft.currency_code == "eur"


@pytest.mark.django_db
def test_draft_order_create_without_a_price_writes_nothing(default_channel):
    variant = VariantFactory(title="Bare", prices=[])

    with pytest.raises(InvalidData, match='variant "Bare" without a price'):
        services.draft_order_create(
            email="a@example.com",
            items=[{"title": "ok", "quantity": 1}, {"variant_id": variant.pk, "quantity": 1}],
        )

    assert not DraftOrder.objects.exists()
    assert not DraftLineItem.objects.exists()


@pytest.mark.django_db
def test_draft_line_add_merges_the_same_variant_and_keeps_custom_lines_apart(default_channel):
    # given
    variant = VariantFactory()
    draft = draft_of((variant, 1))
    # when
    services.draft_line_add(draft_id=draft.pk, variant_id=variant.pk, quantity=2)
    services.draft_line_add(draft_id=draft.pk, quantity=1)
    services.draft_line_add(draft_id=draft.pk, quantity=1)
    # then
    lines = list(draft.items.values_list("variant_id", "title", "quantity"))
    assert lines == [
        (variant.pk, variant.product.title, 3),
        (None, "Custom item", 1),
        (None, "Custom item", 1),
    ]


@pytest.mark.django_db
def test_draft_line_update_to_zero_deletes_the_line(default_channel):
    draft = services.draft_order_create(email="a@example.com", items=[{"quantity": 2}])
    line = draft.items.get()

    services.draft_line_update(draft_id=draft.pk, line_id=line.pk, quantity=0)

    assert not DraftLineItem.objects.exists()


@pytest.mark.django_db
def test_draft_line_of_another_draft_is_not_found_as_invalid_data(default_channel):
    mine = services.draft_order_create(email="a@example.com", items=[{"quantity": 1}])
    other = services.draft_order_create(email="b@example.com", items=[{"quantity": 1}])

    with pytest.raises(InvalidData, match="Could not find the line item"):
        services.draft_line_delete(draft_id=mine.pk, line_id=other.items.get().pk)

    assert DraftLineItem.objects.count() == 2


@pytest.mark.django_db
def test_draft_order_delete_unknown_is_not_found(db):
    with pytest.raises(NotFound, match="Draft order with dorder_nope was not found"):
        services.draft_order_delete(draft_id="dorder_nope")


# Pay ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_draft_order_pay_places_the_order_and_completes_the_draft(location, consistent):
    # given
    variant = stocked_variant((location, 10))
    draft = services.draft_order_create(
        email="buyer@example.com",
        customer_id="cus_1",
        no_notification_order=True,
        items=[
            {"variant_id": variant.pk, "quantity": 4, "metadata": {"k": "v"}},
            {"title": "Wrap", "unit_price": 50, "quantity": 1},
        ],
    )
    # when
    order = services.draft_order_pay(draft_id=draft.pk)
    # then the order copies the draft
    assert (order.draft_order_id, order.email, order.customer_id, order.no_notification) == (
        draft.pk,
        "buyer@example.com",
        "cus_1",
        True,
    )
    assert (order.status, order.payment_status, order.fulfillment_status) == (
        "pending",
        "captured",
        "not_fulfilled",
    )
    assert (order.sales_channel_id, order.currency_code) == (draft.sales_channel_id, "usd")
    assert sorted(
        order.items.values_list("title", "variant_id", "description", "unit_price", "quantity")
    ) == [
        (variant.product.title, variant.pk, variant.title, 1000, 4),
        ("Wrap", None, None, 50, 1),
    ]
    # and its managed line is reserved
    line = LineItem.objects.get(order=order, variant=variant)
    assert list(ReservationItem.objects.values_list("line_item_id", "quantity")) == [(line.pk, 4)]
    assert level_of(variant, location).reserved_quantity == 4
    consistent()
    # and the draft is completed
    draft.refresh_from_db()
    assert (draft.status, draft.order_id) == ("completed", order.pk)
    assert draft.completed_at is not None


@pytest.mark.django_db
def test_draft_order_pay_sends_order_placed_once_inside_the_transaction(location):
    # given
    variant = stocked_variant((location, 3))
    draft = draft_of((variant, 1))
    seen = []

    def spy(sender, order, **kwargs):
        seen.append((order.pk, order.items.count(), connection.in_atomic_block))

    order_placed.connect(spy, dispatch_uid="test-spy")
    try:
        # when
        order = services.draft_order_pay(draft_id=draft.pk)
    finally:
        order_placed.disconnect(dispatch_uid="test-spy")
    # then
    assert seen == [(order.pk, 1, True)]


@pytest.mark.django_db
def test_draft_order_pay_shortage_lists_every_short_line_and_writes_nothing(location, consistent):
    # given
    lamp = stocked_variant((location, 1), product__title="Lamp")
    desk = stocked_variant((location, 0), product__title="Desk")
    chair = stocked_variant((location, 9), product__title="Chair")
    draft = draft_of((chair, 2), (lamp, 2), (desk, 1))
    before = counters()
    # when
    with pytest.raises(InsufficientInventory) as error:
        services.draft_order_pay(draft_id=draft.pk)
    # then
    assert sorted(item["label"].split(" ")[0] for item in error.value.items) == ["Desk", "Lamp"]
    assert [(i["requested"], i["available"]) for i in error.value.items] in (
        [(2, 1), (1, 0)],
        [(1, 0), (2, 1)],
    )
    draft.refresh_from_db()
    assert (draft.status, draft.order_id, draft.completed_at) == ("open", None, None)
    assert not Order.objects.exists()
    assert not LineItem.objects.exists()
    assert not ReservationItem.objects.exists()
    assert counters() == before
    consistent()


@pytest.mark.django_db
def test_draft_order_pay_backorders_the_remainder_of_a_backorderable_variant(location, consistent):
    variant = stocked_variant((location, 2), allow_backorder=True)
    draft = draft_of((variant, 5))

    services.draft_order_pay(draft_id=draft.pk)

    level = level_of(variant, location)
    assert (level.stocked_quantity, level.reserved_quantity) == (2, 5)
    consistent()


@pytest.mark.django_db
def test_draft_order_pay_a_variant_without_managed_inventory_reserves_nothing(location, consistent):
    variant = VariantFactory(manage_inventory=False)
    draft = draft_of((variant, 3))

    order = services.draft_order_pay(draft_id=draft.pk)

    assert order.items.get().variant_id == variant.pk
    assert not ReservationItem.objects.exists()
    consistent()


@pytest.mark.django_db
def test_a_failing_receiver_leaves_the_draft_open(location, consistent):
    # given
    variant = stocked_variant((location, 3))
    draft = draft_of((variant, 1))

    def explode(sender, order, **kwargs):
        raise RuntimeError("downstream failure")

    order_placed.connect(explode, dispatch_uid="test-explode")
    try:
        # when
        with pytest.raises(RuntimeError):
            services.draft_order_pay(draft_id=draft.pk)
    finally:
        order_placed.disconnect(dispatch_uid="test-explode")
    # then
    draft.refresh_from_db()
    assert draft.status == "open"
    assert not Order.objects.exists()
    assert not ReservationItem.objects.exists()
    consistent()


@pytest.mark.django_db
def test_a_completed_draft_refuses_every_change(location, consistent):
    # given
    variant = stocked_variant((location, 3))
    draft = draft_of((variant, 1))
    line = draft.items.get()
    services.draft_order_pay(draft_id=draft.pk)
    before = counters()
    # when / then
    message = "You are only allowed to update open draft orders"
    with pytest.raises(NotAllowed, match=message):
        services.draft_order_update(draft_id=draft.pk, email="x@example.com")
    with pytest.raises(NotAllowed, match=message):
        services.draft_line_add(draft_id=draft.pk, quantity=1)
    with pytest.raises(NotAllowed, match=message):
        services.draft_line_update(draft_id=draft.pk, line_id=line.pk, quantity=3)
    with pytest.raises(NotAllowed, match=message):
        services.draft_line_delete(draft_id=draft.pk, line_id=line.pk)
    with pytest.raises(NotAllowed, match="already completed"):
        services.draft_order_pay(draft_id=draft.pk)
    with pytest.raises(Conflict, match="has been paid"):
        services.draft_order_delete(draft_id=draft.pk)
    # nothing changed
    assert Order.objects.count() == 1
    assert list(draft.items.values_list("quantity", flat=True)) == [1]
    assert counters() == before
    consistent()


# Concurrency ------------------------------------------------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_paying_one_draft_twice_at_once_places_one_order(default_channel, consistent):
    # given
    location = StockLocationFactory()
    channel_with_locations(location, channel=default_channel)
    variant = stocked_variant((location, 10))
    draft = draft_of((variant, 2))
    barrier = threading.Barrier(2)
    results = [None, None]

    def pay(i):
        try:
            barrier.wait()
            results[i] = services.draft_order_pay(draft_id=draft.pk)
        except Exception as error:  # noqa: BLE001 - the outcome is what the test inspects
            results[i] = error
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=pay, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    # then exactly one pays; the other finds the draft completed
    assert not any(thread.is_alive() for thread in threads)
    orders = [r for r in results if isinstance(r, Order)]
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(orders) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], NotAllowed)
    assert Order.objects.count() == 1
    assert level_of(variant, location).reserved_quantity == 2
    consistent()
