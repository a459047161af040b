"""Placing an order: `order_placed` and its default receiver reserve every managed line."""

import re

import pytest

from config.errors import InsufficientInventory, InvalidData
from draft_orders.models import DraftOrder
from inventory.models import InventoryLevel
from orders.models import LineItem, Order
from orders.receivers import allocate_placed_order
from orders.signals import order_placed
from reservations.models import ReservationItem
from tests.factories.inventory import (
    InventoryItemFactory,
    LevelFactory,
    SalesChannelFactory,
    StockLocationFactory,
    VariantFactory,
)
from tests.factories.orders import (
    channel_with_locations,
    draft_and_pay,
    level_of,
    line_of,
    place_order,
    stocked_variant,
    without_allocation,
)
from tests.factories.reservations import ReservationFactory

UID = "orders.allocate_placed_order"
LINE_ID = r"item_[0-9A-Z]{26}"


def held(order: Order) -> list[tuple]:
    """(line, item, location, quantity) of the order's reservations, in a stable order."""
    return sorted(
        ReservationItem.objects.filter(line_item__order=order).values_list(
            "line_item_id", "inventory_item_id", "location_id", "quantity"
        )
    )


def counters() -> list[tuple]:
    return sorted(
        InventoryLevel.objects.values_list(
            "inventory_item_id", "location_id", "stocked_quantity", "reserved_quantity"
        )
    )


@pytest.fixture
def locations(default_channel):
    """Three locations linked to the default channel in the order b, a, c (not created order)."""
    a, b, c = StockLocationFactory(), StockLocationFactory(), StockLocationFactory()
    channel_with_locations(b, a, c)
    return a, b, c


# The signal and its receiver --------------------------------------------------------------


@pytest.mark.django_db
def test_the_default_receiver_is_connected_once_under_its_dispatch_uid(locations):
    # given: connecting the same receiver again under its uid is a no-op
    order_placed.connect(allocate_placed_order, dispatch_uid=UID)
    a, b, _ = locations
    variant = stocked_variant((b, 5))
    # when
    order = place_order({variant: 2})
    # then: one reservation, not two
    assert held(order) == [(line_of(order, variant).pk, variant.inventory_items.get().pk, b.pk, 2)]
    assert level_of(variant, b).reserved_quantity == 2


@pytest.mark.django_db
def test_disconnecting_the_default_receiver_places_orders_without_reserving(locations, consistent):
    _, b, _ = locations
    variant = stocked_variant((b, 1))
    assert order_placed.disconnect(dispatch_uid=UID) is True
    try:
        order = place_order({variant: 5})  # more than there is: nobody checks
    finally:
        order_placed.connect(allocate_placed_order, dispatch_uid=UID)
    assert order.items.count() == 1
    assert held(order) == []
    assert level_of(variant, b).reserved_quantity == 0
    consistent()


@pytest.mark.django_db
def test_order_placed_is_sent_inside_the_transaction_with_the_order_and_its_lines(locations):
    # given: a second receiver that sees the order, then fails
    _, b, _ = locations
    variant = stocked_variant((b, 5))
    seen = {}

    def spy(sender, order, **kwargs):
        seen["sender"] = sender
        seen["lines"] = list(order.items.values_list("quantity", flat=True))
        seen["reserved"] = level_of(variant, b).reserved_quantity
        raise RuntimeError("boom")

    order_placed.connect(spy, dispatch_uid="test.spy")
    try:
        with pytest.raises(RuntimeError):
            place_order({variant: 3})
    finally:
        order_placed.disconnect(dispatch_uid="test.spy")
    # then: the receivers ran in order, with the lines, and the failure undid everything
    assert seen == {"sender": Order, "lines": [3], "reserved": 3}
    assert Order.objects.count() == 0
    assert LineItem.objects.count() == 0
    assert ReservationItem.objects.count() == 0
    assert level_of(variant, b).reserved_quantity == 0


@pytest.mark.django_db
def test_without_allocation_helper_restores_the_receiver(locations):
    _, b, _ = locations
    variant = stocked_variant((b, 5))
    with without_allocation():
        assert held(place_order({variant: 1})) == []
    order = place_order({variant: 1})
    assert len(held(order)) == 1


# Allocation ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_line_is_reserved_whole_at_the_first_linked_location_that_covers_it(locations, consistent):
    # given: a (created first, linked second) and c could cover it too; b is linked first
    a, b, c = locations
    variant = stocked_variant((a, 10), (b, 10), (c, 10))
    # when
    order = place_order({variant: 4})
    # then
    item = variant.inventory_items.get().pk
    assert held(order) == [(line_of(order, variant).pk, item, b.pk, 4)]
    assert [level_of(variant, loc).reserved_quantity for loc in (a, b, c)] == [0, 4, 0]
    consistent()


@pytest.mark.django_db
def test_line_skips_locations_that_cannot_cover_it_whole(locations, consistent):
    a, b, c = locations
    variant = stocked_variant((b, 3), (a, 2), (c, 4))
    order = place_order({variant: 4})
    assert held(order) == [(line_of(order, variant).pk, variant.inventory_items.get().pk, c.pk, 4)]
    consistent()


@pytest.mark.django_db
def test_reserved_units_count_against_what_a_location_can_cover(locations, consistent):
    # given: b has 5 but 3 are already held
    a, b, _ = locations
    variant = stocked_variant((b, 5), (a, 5))
    ReservationFactory(level=level_of(variant, b), quantity=3)
    # when
    order = place_order({variant: 4})
    # then
    assert [r[2:] for r in held(order)] == [(a.pk, 4)]
    consistent()


@pytest.mark.django_db
def test_line_no_location_covers_is_split_in_link_order(locations, consistent):
    # given: b 2, a 1, c 5 (link order b, a, c); 6 wanted
    a, b, c = locations
    variant = stocked_variant((a, 1), (b, 2), (c, 5))
    # when
    order = place_order({variant: 6})
    # then: b takes 2, a takes 1, c the remaining 3
    line, item = line_of(order, variant).pk, variant.inventory_items.get().pk
    assert sorted(held(order)) == sorted(
        [(line, item, b.pk, 2), (line, item, a.pk, 1), (line, item, c.pk, 3)]
    )
    assert [level_of(variant, loc).available_quantity for loc in (a, b, c)] == [0, 0, 2]
    consistent()


@pytest.mark.django_db
def test_later_lines_see_what_earlier_lines_of_the_order_took(locations, consistent):
    _, b, c = locations
    variant = stocked_variant((b, 5), (c, 5))
    order = place_order([(variant, 3), (variant, 3)])
    first, second = order.items.order_by("created_at", "id")
    assert sorted(r[0:1] + r[2:] for r in held(order)) == sorted(
        [(first.pk, b.pk, 3), (second.pk, c.pk, 3)]
    )
    consistent()


@pytest.mark.django_db
def test_backorderable_variant_reserves_the_remainder_at_the_first_stocking_location(
    locations, consistent
):
    # given: b (linked first) and c stock it, a does not
    a, b, c = locations
    variant = stocked_variant((c, 2), (b, 1), allow_backorder=True)
    # when
    order = place_order({variant: 10})
    # then: b 1 + c 2 split, the 7 missing at b (the first location stocking it)
    line, item = line_of(order, variant).pk, variant.inventory_items.get().pk
    assert sorted(held(order)) == sorted([(line, item, b.pk, 8), (line, item, c.pk, 2)])
    assert (level_of(variant, b).stocked_quantity, level_of(variant, b).reserved_quantity) == (1, 8)
    consistent()


@pytest.mark.django_db
def test_backorderable_variant_covered_whole_reserves_there(locations, consistent):
    _, b, c = locations
    variant = stocked_variant((b, 1), (c, 10), allow_backorder=True)
    order = place_order({variant: 4})
    assert [r[2:] for r in held(order)] == [(c.pk, 4)]
    consistent()


@pytest.mark.django_db
def test_kit_reserves_each_item_times_its_required_quantity(locations, consistent):
    # given: a kit of 1 × frame + 2 × wheel
    _, b, c = locations
    frame, wheel = InventoryItemFactory(), InventoryItemFactory()
    LevelFactory(inventory_item=frame, location=b, stocked_quantity=3)
    LevelFactory(inventory_item=wheel, location=b, stocked_quantity=5)  # too few for 3 kits
    LevelFactory(inventory_item=frame, location=c, stocked_quantity=3)
    LevelFactory(inventory_item=wheel, location=c, stocked_quantity=6)
    kit = VariantFactory(kit=[(frame.pk, 1), (wheel.pk, 2)])
    # when
    order = place_order({kit: 3})
    # then: b cannot cover the whole kit line, c can
    line = line_of(order, kit).pk
    assert held(order) == sorted([(line, frame.pk, c.pk, 3), (line, wheel.pk, c.pk, 6)])
    consistent()


@pytest.mark.django_db
def test_kit_split_places_each_item_across_locations(locations, consistent):
    _, b, c = locations
    frame, wheel = InventoryItemFactory(), InventoryItemFactory()
    LevelFactory(inventory_item=frame, location=b, stocked_quantity=2)
    LevelFactory(inventory_item=wheel, location=b, stocked_quantity=2)
    LevelFactory(inventory_item=frame, location=c, stocked_quantity=2)
    LevelFactory(inventory_item=wheel, location=c, stocked_quantity=4)
    kit = VariantFactory(kit=[(frame.pk, 1), (wheel.pk, 2)])
    order = place_order({kit: 3})
    line = line_of(order, kit).pk
    assert held(order) == sorted(
        [
            (line, frame.pk, b.pk, 2),
            (line, frame.pk, c.pk, 1),
            (line, wheel.pk, b.pk, 2),
            (line, wheel.pk, c.pk, 4),
        ]
    )
    consistent()


@pytest.mark.django_db
def test_unmanaged_variants_and_custom_lines_reserve_nothing(locations, consistent):
    _, b, _ = locations
    unmanaged = VariantFactory(manage_inventory=False)
    managed = stocked_variant((b, 2))
    order = place_order({unmanaged: 50, managed: 1}, custom=[("Gift wrap", 3)])
    assert order.items.count() == 3
    assert [(r[0], r[3]) for r in held(order)] == [(line_of(order, managed).pk, 1)]
    consistent()


@pytest.mark.django_db
def test_unmanaged_variant_with_an_attached_item_reserves_nothing(locations, consistent):
    # given: an item linked to a variant that does not manage inventory
    _, b, _ = locations
    item = InventoryItemFactory()
    LevelFactory(inventory_item=item, location=b, stocked_quantity=1)
    variant = VariantFactory(manage_inventory=False, kit=[(item.pk, 1)])
    # when
    order = place_order({variant: 5})
    # then
    assert held(order) == []
    consistent()


@pytest.mark.django_db
def test_order_of_only_unmanaged_lines_places_in_a_channel_without_locations(default_channel):
    channel = SalesChannelFactory()
    order = place_order({VariantFactory(manage_inventory=False): 2}, channel, custom=[("Fee", 1)])
    assert order.items.count() == 2


@pytest.mark.django_db
def test_order_reserves_at_its_own_channels_locations(locations, consistent):
    # given: another channel linked to a location the default channel does not have
    own = StockLocationFactory()
    channel = channel_with_locations(own, channel=SalesChannelFactory())
    variant = stocked_variant((locations[1], 10), (own, 10))
    # when
    order = place_order({variant: 2}, channel)
    # then
    assert [r[2:] for r in held(order)] == [(own.pk, 2)]
    consistent()


@pytest.mark.django_db
def test_order_placed_in_a_channel_without_locations_is_invalid(default_channel, consistent):
    channel = SalesChannelFactory()
    variant = stocked_variant((StockLocationFactory(), 10))
    with pytest.raises(InvalidData) as error:
        place_order({variant: 1}, channel)
    assert error.value.message == f"Sales channel {channel.pk} has no stock locations"
    assert Order.objects.count() == 0
    consistent()


# Shortages -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_shortage_rolls_back_everything_and_lists_every_short_line(locations, consistent):
    # given: one line that fits, two that do not (one of them a product never stocked here)
    a, b, c = locations
    fits = stocked_variant((a, 5))
    short = stocked_variant((b, 2), (c, 1), sku="SHORT-1", title="Short")
    elsewhere = stocked_variant((StockLocationFactory(), 9), sku="AWAY-1", title="Away")
    ReservationFactory(level=level_of(short, c), quantity=1)
    before = counters()
    # when
    with pytest.raises(InsufficientInventory) as error:
        place_order([(fits, 5), (short, 3), (elsewhere, 1)])
    # then: nothing at all was written
    assert Order.objects.count() == 0
    assert LineItem.objects.count() == 0
    assert ReservationItem.objects.count() == 1  # the one made above
    assert counters() == before
    assert error.value.code == "insufficient_inventory"
    assert re.fullmatch(
        rf"Insufficient inventory for Short \(line {LINE_ID}, SHORT-1\): requested 3, available 2; "
        rf"Away \(line {LINE_ID}, AWAY-1\): requested 1, available 0",
        error.value.message,
    )
    consistent()


@pytest.mark.django_db
def test_a_kit_shortage_reports_each_short_item(locations, consistent):
    _, b, _ = locations
    frame = InventoryItemFactory(sku="FRAME")
    wheel = InventoryItemFactory(sku="WHEEL")
    LevelFactory(inventory_item=frame, location=b, stocked_quantity=1)
    LevelFactory(inventory_item=wheel, location=b, stocked_quantity=3)
    kit = VariantFactory(title="Bike", kit=[(frame.pk, 1), (wheel.pk, 2)])
    with pytest.raises(InsufficientInventory) as error:
        place_order({kit: 2})
    assert [
        (i["inventory_item_id"], i["requested"], i["available"]) for i in error.value.items
    ] == [
        (frame.pk, 2, 1),
        (wheel.pk, 4, 3),
    ]
    assert Order.objects.count() == 0
    consistent()


@pytest.mark.django_db
def test_backorderable_variant_without_any_level_in_the_channel_is_short(locations, consistent):
    variant = stocked_variant((StockLocationFactory(), 3), allow_backorder=True)
    with pytest.raises(InsufficientInventory):
        place_order({variant: 1})
    assert Order.objects.count() == 0
    consistent()


# Draft orders ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_paying_a_draft_order_reserves_its_lines(locations, consistent):
    # Medusa v1 reserves nothing here (stocked 10, reserved 0 after paying): we do
    _, b, _ = locations
    variant = stocked_variant((b, 10))
    order = draft_and_pay({variant: 2})
    assert order.draft_order_id is not None
    assert [r[2:] for r in held(order)] == [(b.pk, 2)]
    level = level_of(variant, b)
    assert (level.stocked_quantity, level.reserved_quantity) == (10, 2)
    consistent()


@pytest.mark.django_db
def test_pay_route_reserves_and_answers_the_order(api, locations, consistent):
    _, b, _ = locations
    variant = stocked_variant((b, 10))
    draft = api.post(
        "/admin/draft-orders",
        {"email": "d@example.com", "items": [{"variant_id": variant.pk, "quantity": 2}]},
        format="json",
    ).json()["draft_order"]
    response = api.post(f"/admin/draft-orders/{draft['id']}/pay")
    assert response.status_code == 200
    order = response.json()["order"]
    assert (order["draft_order_id"], order["status"], order["payment_status"]) == (
        draft["id"],
        "pending",
        "captured",
    )
    assert level_of(variant, b).reserved_quantity == 2
    reservations = api.get(f"/admin/orders/{order['id']}/reservations").json()["reservations"]
    assert [(r["line_item_id"], r["location_id"], r["quantity"]) for r in reservations] == [
        (order["items"][0]["id"], b.pk, 2)
    ]
    consistent()


@pytest.mark.django_db
def test_pay_route_shortage_is_one_400_and_the_draft_stays_open(api, locations, consistent):
    # given
    a, b, _ = locations
    ok = stocked_variant((a, 1))
    short = stocked_variant((b, 1), sku="LAMP-1")
    short.product.title = "Lamp"
    short.product.save()
    draft = api.post(
        "/admin/draft-orders",
        {
            "email": "d@example.com",
            "items": [
                {"variant_id": ok.pk, "quantity": 1},
                {"variant_id": short.pk, "quantity": 4},
            ],
        },
        format="json",
    ).json()["draft_order"]
    before = counters()
    # when
    response = api.post(f"/admin/draft-orders/{draft['id']}/pay")
    # then
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"type", "message", "code"}
    assert (body["type"], body["code"]) == ("not_allowed", "insufficient_inventory")
    assert re.fullmatch(
        rf"Insufficient inventory for Lamp \(line {LINE_ID}, LAMP-1\): requested 4, available 1",
        body["message"],
    )
    assert DraftOrder.objects.get(pk=draft["id"]).status == "open"
    assert Order.objects.count() == 0
    assert counters() == before
    consistent()


@pytest.mark.django_db
def test_pay_route_in_a_channel_without_locations_is_invalid_data(api, default_channel):
    channel = SalesChannelFactory()
    variant = stocked_variant((StockLocationFactory(), 5))
    draft = api.post(
        "/admin/draft-orders",
        {
            "email": "d@example.com",
            "sales_channel_id": channel.pk,
            "items": [{"variant_id": variant.pk, "quantity": 1}],
        },
        format="json",
    ).json()["draft_order"]
    response = api.post(f"/admin/draft-orders/{draft['id']}/pay")
    assert response.status_code == 400
    assert response.json() == {
        "type": "invalid_data",
        "message": f"Sales channel {channel.pk} has no stock locations",
    }
    assert Order.objects.count() == 0
