"""Fulfillments: stock leaves a location, the lines' reservations are consumed per inventory
item, canceling puts both back, shipping freezes them. Medusa's own cases (reference 9.4)
are adapted where we deliberately differ (contract section 3)."""

import pytest

from config.errors import NotAllowed
from inventory.models import InventoryLevel
from orders import services
from orders.allocation import reservation_create, reservation_delete, reservation_update
from orders.models import Order
from reservations.models import ReservationItem
from tests.factories.inventory import (
    InventoryItemFactory,
    LevelFactory,
    StockLocationFactory,
    VariantFactory,
)
from tests.factories.orders import (
    channel_with_locations,
    level_of,
    line_of,
    place_order,
    stocked_variant,
    without_allocation,
)
from tests.factories.reservations import ReservationFactory

URL = "/admin/orders"


def fulfil(api, order, items, location=None, **extra):
    """POST a fulfillment of `[(line, quantity)]`, from `location` if given."""
    body = {"items": [{"item_id": line.pk, "quantity": q} for line, q in items], **extra}
    if location is not None:
        body["location_id"] = location if isinstance(location, str) else location.pk
    return api.post(f"{URL}/{order.pk}/fulfillment", body, format="json")


def counts(variant, location, item=None) -> tuple[int, int, int]:
    """(stocked, reserved, available) of the variant's (or `item`'s) level at `location`."""
    level = level_of(variant, location, item)
    return level.stocked_quantity, level.reserved_quantity, level.available_quantity


def held(line) -> list[tuple[str, str, int]]:
    return sorted(
        ReservationItem.objects.filter(line_item=line).values_list(
            "inventory_item_id", "location_id", "quantity"
        )
    )


def snapshot(order) -> tuple:
    """Everything a refused fulfillment must leave as it was."""
    return (
        sorted(
            InventoryLevel.objects.values_list(
                "inventory_item_id", "location_id", "stocked_quantity", "reserved_quantity"
            )
        ),
        sorted(ReservationItem.objects.values_list("id", "location_id", "quantity")),
        list(order.items.order_by("id").values_list("fulfilled_quantity", flat=True)),
        order.fulfillments.count(),
        Order.objects.get(pk=order.pk).fulfillment_status,
    )


@pytest.fixture
def loc(default_channel):
    """The default channel's only location at first."""
    location = StockLocationFactory()
    channel_with_locations(location)
    return location


@pytest.fixture
def mug(loc):
    """A variant stocked 100 at `loc` (Medusa's test setup)."""
    return stocked_variant((loc, 100), title="Mug")


# Medusa's cases --------------------------------------------------------------------------


@pytest.mark.django_db
def test_fulfilling_at_a_location_consumes_a_reservation_moved_elsewhere(api, loc, mug, consistent):
    # given: 1 reserved at loc, then moved to a new location stocked 1
    order = place_order({mug: 1})
    line = line_of(order, mug)
    new = StockLocationFactory()
    LevelFactory(inventory_item=mug.inventory_items.get(), location=new, stocked_quantity=1)
    reservation_update(
        reservation_id=ReservationItem.objects.get(line_item=line).pk, location_id=new.pk
    )
    assert (counts(mug, loc), counts(mug, new)) == ((100, 0, 100), (1, 1, 0))
    # when
    response = fulfil(api, order, [(line, 1)], loc)
    # then: stock leaves loc, the reservation at `new` is used up
    assert response.status_code == 200
    body = response.json()["order"]
    assert body["fulfillments"][0]["location_id"] == loc.pk
    assert body["fulfillment_status"] == "fulfilled"
    assert held(line) == []
    assert (counts(mug, loc), counts(mug, new)) == ((99, 0, 99), (1, 0, 1))
    consistent()


@pytest.mark.django_db
def test_fulfil_cancel_and_fulfil_again_keeps_the_rest_reserved(api, loc, mug, consistent):
    # Medusa ends with 0 reservations (98/0/98): canceling there does not re-reserve
    order = place_order({mug: 3})
    line = line_of(order, mug)
    assert counts(mug, loc) == (100, 3, 97)
    # when: fulfil 2
    response = fulfil(api, order, [(line, 2)], loc)
    assert response.json()["order"]["fulfillment_status"] == "partially_fulfilled"
    assert counts(mug, loc) == (98, 1, 97)
    consistent()
    # cancel it: stock back and reserved again
    fulfillment = order.fulfillments.get()
    response = api.post(f"{URL}/{order.pk}/fulfillments/{fulfillment.pk}/cancel")
    assert response.status_code == 200
    assert response.json()["order"]["fulfillment_status"] == "canceled"
    assert counts(mug, loc) == (100, 3, 97)
    assert held(line) == [(mug.inventory_items.get().pk, loc.pk, 3)]
    consistent()
    # fulfil 2 again
    response = fulfil(api, order, [(line, 2)], loc)
    body = response.json()["order"]
    assert body["fulfillment_status"] == "partially_fulfilled"
    assert body["fulfillments"][1]["location_id"] == loc.pk
    assert body["fulfillments"][0]["canceled_at"] is not None
    assert (body["items"][0]["fulfilled_quantity"], body["items"][0]["quantity"]) == (2, 3)
    assert counts(mug, loc) == (98, 1, 97)
    assert held(line) == [(mug.inventory_items.get().pk, loc.pk, 1)]
    consistent()


@pytest.mark.django_db
def test_fulfilling_part_of_a_line_uses_up_its_reservation(api, loc, mug, consistent):
    with without_allocation():
        order = place_order({mug: 2})
    line = line_of(order, mug)
    api.post(
        f"{URL}/{order.pk}/line-items/{line.pk}/reserve",
        {"location_id": loc.pk, "quantity": 1},
        format="json",
    )
    assert counts(mug, loc) == (100, 1, 99)
    response = fulfil(api, order, [(line, 1)], loc)
    assert response.json()["order"]["fulfillment_status"] == "partially_fulfilled"
    assert held(line) == []
    assert counts(mug, loc) == (99, 0, 99)
    consistent()


@pytest.mark.django_db
def test_fulfilling_uses_up_several_reservations_to_zero_stock(api, loc, consistent):
    # given: stocked 2, two reservations of 1 for the line
    variant = stocked_variant((loc, 2))
    with without_allocation():
        order = place_order({variant: 2})
    line = line_of(order, variant)
    item = variant.inventory_items.get()
    for _ in range(2):
        reservation_create(
            inventory_item_id=item.pk, location_id=loc.pk, quantity=1, line_item_id=line.pk
        )
    assert counts(variant, loc) == (2, 2, 0)
    # when
    response = fulfil(api, order, [(line, 2)], loc)
    # then
    assert response.json()["order"]["fulfillment_status"] == "fulfilled"
    assert held(line) == []
    assert counts(variant, loc) == (0, 0, 0)
    consistent()


@pytest.mark.django_db
def test_fulfilling_more_than_reserved_takes_the_rest_from_free_stock(api, loc, consistent):
    variant = stocked_variant((loc, 2))
    with without_allocation():
        order = place_order({variant: 2})
    line = line_of(order, variant)
    reservation_create(
        inventory_item_id=variant.inventory_items.get().pk,
        location_id=loc.pk,
        quantity=1,
        line_item_id=line.pk,
    )
    assert counts(variant, loc) == (2, 1, 1)
    response = fulfil(api, order, [(line, 2)], loc)
    assert response.json()["order"]["fulfillment_status"] == "fulfilled"
    assert held(line) == []
    assert counts(variant, loc) == (0, 0, 0)
    consistent()


@pytest.mark.django_db
def test_reservations_at_the_location_go_first_then_others(api, loc, consistent):
    # given: a 3-unit line reserved 1 at loc and 2 at sl (Medusa's case over-reserves a 2-unit
    # line, which we refuse)
    sl = StockLocationFactory()
    channel_with_locations(sl)
    variant = stocked_variant((loc, 3), (sl, 3))
    with without_allocation():
        order = place_order({variant: 3})
    line = line_of(order, variant)
    item = variant.inventory_items.get().pk
    reservation_create(inventory_item_id=item, location_id=loc.pk, quantity=1, line_item_id=line.pk)
    reservation_create(inventory_item_id=item, location_id=sl.pk, quantity=2, line_item_id=line.pk)
    # when
    response = fulfil(api, order, [(line, 2)], loc)
    # then
    assert response.json()["order"]["fulfillment_status"] == "partially_fulfilled"
    assert held(line) == [(item, sl.pk, 1)]
    assert (counts(variant, loc), counts(variant, sl)) == ((1, 0, 1), (3, 1, 2))
    consistent()


@pytest.mark.django_db
def test_fulfilling_a_line_without_reservations_only_moves_stock(api, loc, mug, consistent):
    with without_allocation():
        order = place_order({mug: 2})
    response = fulfil(api, order, [(line_of(order, mug), 1)], loc)
    assert response.json()["order"]["fulfillment_status"] == "partially_fulfilled"
    assert counts(mug, loc) == (99, 0, 99)
    consistent()


@pytest.mark.django_db
def test_fulfilling_more_than_is_stocked_is_refused_and_changes_nothing(api, loc, consistent):
    # given: loc stocks 1 and the line is reserved at another location
    other = StockLocationFactory()
    channel = channel_with_locations(other)
    variant = stocked_variant((loc, 1), (other, 5))
    with without_allocation():
        order = place_order({variant: 2}, channel)
    line = line_of(order, variant)
    reservation_create(
        inventory_item_id=variant.inventory_items.get().pk,
        location_id=other.pk,
        quantity=2,
        line_item_id=line.pk,
    )
    before = snapshot(order)
    # when
    response = fulfil(api, order, [(line, 2)], loc)
    # then
    assert response.status_code == 400
    assert response.json() == {
        "type": "not_allowed",
        "message": f"Insufficient stock for item: {line.title}",
    }
    assert snapshot(order) == before
    assert counts(variant, loc) == (1, 0, 1)
    consistent()


# Other reservations at the location ------------------------------------------------------


@pytest.mark.django_db
def test_stock_never_drops_below_what_other_reservations_hold(api, loc, consistent):
    # given: loc stocks 3, another order holds 2 there, our line is reserved elsewhere
    other = StockLocationFactory()
    channel_with_locations(other)
    variant = stocked_variant((loc, 3), (other, 5))
    place_order({variant: 2})  # held at loc (linked first)
    order = place_order({variant: 2})  # loc has 1 free: held at other
    line = line_of(order, variant)
    assert held(line) == [(variant.inventory_items.get().pk, other.pk, 2)]
    before = snapshot(order)
    # when: 2 from loc would leave 1 for 2 reserved
    response = fulfil(api, order, [(line, 2)], loc)
    # then
    assert response.status_code == 400
    assert response.json() == {
        "type": "not_allowed",
        "message": f"Insufficient stock for item: {line.title}",
    }
    assert snapshot(order) == before
    # but 1 fits: loc ends stocked 2, reserved 2; our reservation at other shrinks by 1
    response = fulfil(api, order, [(line, 1)], loc)
    assert response.status_code == 200
    assert counts(variant, loc) == (2, 2, 0)
    assert held(line) == [(variant.inventory_items.get().pk, other.pk, 1)]
    consistent()


@pytest.mark.django_db
def test_backorderable_items_may_drop_below_what_others_reserve_but_not_below_zero(
    api, loc, consistent
):
    variant = stocked_variant((loc, 3), allow_backorder=True)
    place_order({variant: 2})
    with without_allocation():
        order = place_order({variant: 4})
    line = line_of(order, variant)
    response = fulfil(api, order, [(line, 2)], loc)
    assert response.status_code == 200
    assert counts(variant, loc) == (1, 2, -1)
    consistent()
    response = fulfil(api, order, [(line, 2)], loc)
    assert response.status_code == 400
    assert response.json() == {
        "type": "not_allowed",
        "message": f"Insufficient stock for item: {line.title}",
    }
    assert counts(variant, loc) == (1, 2, -1)
    consistent()


# Where stock leaves from -----------------------------------------------------------------


@pytest.mark.django_db
def test_fulfilling_where_the_item_has_no_level_is_refused(api, loc, mug, consistent):
    empty = StockLocationFactory()
    order = place_order({mug: 1})
    line = line_of(order, mug)
    before = snapshot(order)
    response = fulfil(api, order, [(line, 1)], empty)
    assert response.status_code == 400
    assert response.json() == {
        "type": "not_allowed",
        "message": f"Inventory item for {line.title} not found at location",
    }
    assert snapshot(order) == before
    consistent()


@pytest.mark.django_db
def test_fulfilling_from_an_unknown_location_is_not_found(api, loc, mug, consistent):
    order = place_order({mug: 1}, custom=[("Fee", 1)])
    before = snapshot(order)
    for line in order.items.all():
        response = fulfil(api, order, [(line, 1)], "sloc_nope")
        assert response.status_code == 404
        assert response.json() == {
            "type": "not_found",
            "message": "StockLocation with id sloc_nope was not found",
        }
    assert snapshot(order) == before
    consistent()


@pytest.mark.django_db
def test_without_location_id_the_reserved_location_is_used(api, loc, consistent):
    # given: the line is held at `second` (loc is empty)
    second = StockLocationFactory()
    channel_with_locations(second)
    variant = stocked_variant((loc, 0), (second, 5))
    order = place_order({variant: 3})
    line = line_of(order, variant)
    # when
    response = fulfil(api, order, [(line, 2)])
    # then
    assert response.status_code == 200
    assert response.json()["order"]["fulfillments"][0]["location_id"] == second.pk
    assert (counts(variant, loc), counts(variant, second)) == ((0, 0, 0), (3, 1, 2))
    consistent()


@pytest.mark.django_db
def test_without_location_id_split_reservations_ask_for_one(api, loc, consistent):
    second = StockLocationFactory()
    channel_with_locations(second)
    variant = stocked_variant((loc, 2), (second, 3))
    order = place_order({variant: 4})  # 2 at loc, 2 at second
    line = line_of(order, variant)
    before = snapshot(order)
    response = fulfil(api, order, [(line, 1)])
    assert response.status_code == 400
    assert response.json() == {
        "type": "invalid_data",
        "message": "location_id is required: the items are reserved at several locations",
    }
    assert snapshot(order) == before
    consistent()


@pytest.mark.django_db
def test_without_location_id_lines_held_at_different_locations_ask_for_one(api, loc, consistent):
    second = StockLocationFactory()
    channel_with_locations(second)
    a = stocked_variant((loc, 5))
    b = stocked_variant((second, 5))
    order = place_order({a: 1, b: 1})
    response = fulfil(api, order, [(line_of(order, a), 1), (line_of(order, b), 1)])
    assert response.status_code == 400
    assert (
        response.json()["message"]
        == "location_id is required: the items are reserved at several locations"
    )
    # each alone is unambiguous
    assert fulfil(api, order, [(line_of(order, a), 1)]).status_code == 200
    assert fulfil(api, order, [(line_of(order, b), 1)]).status_code == 200
    assert Order.objects.get(pk=order.pk).fulfillment_status == "fulfilled"
    consistent()


@pytest.mark.django_db
def test_without_location_id_unreserved_lines_ask_for_one(api, loc, mug, consistent):
    with without_allocation():
        order = place_order({mug: 1}, custom=[("Fee", 1)])
    for line in order.items.all():
        response = fulfil(api, order, [(line, 1)])
        assert response.status_code == 400
        assert response.json() == {
            "type": "invalid_data",
            "message": "location_id is required: the items are reserved at no location",
        }
    consistent()


@pytest.mark.django_db
def test_custom_lines_are_fulfilled_without_touching_stock(api, loc, mug, consistent):
    order = place_order({mug: 1}, custom=[("Fee", 2)])
    fee = line_of(order)
    response = fulfil(api, order, [(fee, 2)], loc)
    assert response.status_code == 200
    body = response.json()["order"]
    assert body["fulfillment_status"] == "partially_fulfilled"
    assert counts(mug, loc) == (100, 1, 99)
    consistent()


# Quantities and statuses -----------------------------------------------------------------


@pytest.mark.django_db
def test_fulfilling_more_than_unfulfilled_is_refused(api, loc, mug, consistent):
    order = place_order({mug: 3})
    line = line_of(order, mug)
    assert fulfil(api, order, [(line, 2)], loc).status_code == 200
    before = snapshot(order)
    for items in ([(line, 2)], [(line, 1), (line, 1)]):
        response = fulfil(api, order, items, loc)
        assert response.status_code == 400
        assert response.json() == {
            "type": "not_allowed",
            "message": "Cannot fulfill more items than have been purchased",
        }
    assert snapshot(order) == before
    consistent()


@pytest.mark.django_db
def test_fulfillment_statuses_follow_every_line(api, loc, mug, consistent):
    # given
    other = stocked_variant((loc, 10))
    order = place_order({mug: 2, other: 1})
    # when / then
    response = fulfil(
        api, order, [(line_of(order, mug), 2)], loc, metadata={"box": 1}, no_notification=True
    )
    assert response.json()["order"]["fulfillment_status"] == "partially_fulfilled"
    response = fulfil(api, order, [(line_of(order, other), 1)], loc)
    body = response.json()["order"]
    assert body["fulfillment_status"] == "fulfilled"
    first = order.fulfillments.order_by("created_at", "id").first()
    assert body["fulfillments"][0] == {
        "id": first.pk,
        "order_id": order.pk,
        "location_id": loc.pk,
        "provider_id": "manual",
        "tracking_numbers": [],
        "items": [{"item_id": line_of(order, mug).pk, "fulfillment_id": first.pk, "quantity": 2}],
        "no_notification": True,
        "metadata": {"box": 1},
        "shipped_at": None,
        "canceled_at": None,
        "created_at": body["fulfillments"][0]["created_at"],
        "updated_at": body["fulfillments"][0]["updated_at"],
    }
    assert {i["id"]: (i["quantity"], i["fulfilled_quantity"]) for i in body["items"]} == {
        line_of(order, mug).pk: (2, 2),
        line_of(order, other).pk: (1, 1),
    }
    consistent()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"items": []}, 400, "items must contain at least 1 elements"),
        ({}, 400, "items is required"),
        (
            {"items": [{"item_id": "{line}", "quantity": 0}]},
            400,
            "items.0.quantity must be a positive integer",
        ),
        (
            {"items": [{"item_id": "item_nope", "quantity": 1}]},
            404,
            "Line item with id item_nope was not found in order {order}",
        ),
        (
            {"items": [{"item_id": "{line}", "quantity": 1}], "colour": "red"},
            400,
            "property colour should not exist",
        ),
    ],
)
def test_fulfillment_body_is_validated(api, loc, mug, body, status, message, consistent):
    order = place_order({mug: 1})
    line = line_of(order, mug)
    for item in body.get("items", []):
        item["item_id"] = item["item_id"].format(line=line.pk)
    body["location_id"] = loc.pk
    response = api.post(f"{URL}/{order.pk}/fulfillment", body, format="json")
    assert response.status_code == status
    assert response.json()["message"] == message.format(order=order.pk)
    assert counts(mug, loc) == (100, 1, 99)
    consistent()


@pytest.mark.django_db
def test_fulfilling_a_line_of_another_order_is_not_found(api, loc, mug, consistent):
    order, other = place_order({mug: 1}), place_order({mug: 1})
    line = line_of(other, mug)
    response = fulfil(api, order, [(line, 1)], loc)
    assert response.status_code == 404
    assert response.json() == {
        "type": "not_found",
        "message": f"Line item with id {line.pk} was not found in order {order.pk}",
    }
    response = fulfil(api, Order(pk="order_nope"), [(line, 1)], loc)
    assert response.status_code == 404
    assert response.json() == {
        "type": "not_found",
        "message": "Order with id order_nope was not found",
    }
    consistent()


# Kits ------------------------------------------------------------------------------------


@pytest.fixture
def kit(loc):
    """A kit of K1 (× 1) and K2 (× 2), stocked 10 and 20 at loc."""
    k1, k2 = InventoryItemFactory(title="K1"), InventoryItemFactory(title="K2")
    LevelFactory(inventory_item=k1, location=loc, stocked_quantity=10)
    LevelFactory(inventory_item=k2, location=loc, stocked_quantity=20)
    return VariantFactory(kit=[(k1.pk, 1), (k2.pk, 2)]), k1, k2


@pytest.mark.django_db
def test_kit_reservations_are_consumed_per_item(api, loc, kit, consistent):
    # Medusa consumes with the first item's ratio: K1 3→1 but K2 6→4 (should be 2)
    variant, k1, k2 = kit
    order = place_order({variant: 3})
    line = line_of(order, variant)
    assert held(line) == sorted([(k1.pk, loc.pk, 3), (k2.pk, loc.pk, 6)])
    # when
    response = fulfil(api, order, [(line, 2)], loc)
    # then
    assert response.status_code == 200
    assert held(line) == sorted([(k1.pk, loc.pk, 1), (k2.pk, loc.pk, 2)])
    assert counts(variant, loc, k1) == (8, 1, 7)
    assert counts(variant, loc, k2) == (16, 2, 14)
    consistent()
    # and canceling restores and re-reserves each item
    fulfillment = order.fulfillments.get()
    api.post(f"{URL}/{order.pk}/fulfillments/{fulfillment.pk}/cancel")
    assert held(line) == sorted([(k1.pk, loc.pk, 3), (k2.pk, loc.pk, 6)])
    assert (counts(variant, loc, k1), counts(variant, loc, k2)) == ((10, 3, 7), (20, 6, 14))
    consistent()


@pytest.mark.django_db
def test_kit_fulfillment_short_on_one_item_is_refused(api, loc, kit, consistent):
    variant, k1, k2 = kit
    with without_allocation():
        order = place_order({variant: 11})
    line = line_of(order, variant)
    before = snapshot(order)
    response = fulfil(api, order, [(line, 11)], loc)
    assert response.status_code == 400
    assert response.json() == {
        "type": "not_allowed",
        "message": f"Insufficient stock for item: {line.title}",
    }
    assert snapshot(order) == before
    consistent()


# Canceling and shipping ------------------------------------------------------------------


@pytest.mark.django_db
def test_canceling_re_reserves_at_the_fulfillments_location(api, loc, mug, consistent):
    # given: the line was held at `far`, fulfilled from loc
    far = StockLocationFactory()
    LevelFactory(inventory_item=mug.inventory_items.get(), location=far, stocked_quantity=5)
    with without_allocation():
        order = place_order({mug: 2})
    line = line_of(order, mug)
    reservation_create(
        inventory_item_id=mug.inventory_items.get().pk,
        location_id=far.pk,
        quantity=2,
        line_item_id=line.pk,
    )
    fulfil(api, order, [(line, 2)], loc)
    assert (counts(mug, loc), counts(mug, far)) == ((98, 0, 98), (5, 0, 5))
    # when
    fulfillment = order.fulfillments.get()
    response = api.post(f"{URL}/{order.pk}/fulfillments/{fulfillment.pk}/cancel")
    # then: units back at loc and held there
    assert response.status_code == 200
    body = response.json()["order"]
    assert body["items"][0]["fulfilled_quantity"] == 0
    assert body["fulfillments"][0]["canceled_at"] is not None
    assert (counts(mug, loc), counts(mug, far)) == ((100, 2, 98), (5, 0, 5))
    assert held(line) == [(mug.inventory_items.get().pk, loc.pk, 2)]
    consistent()


@pytest.mark.django_db
def test_canceling_joins_the_lines_reservation_there(api, loc, mug, consistent):
    order = place_order({mug: 5})
    line = line_of(order, mug)
    fulfil(api, order, [(line, 2)], loc)
    fulfillment = order.fulfillments.get()
    api.post(f"{URL}/{order.pk}/fulfillments/{fulfillment.pk}/cancel")
    assert ReservationItem.objects.filter(line_item=line).count() == 1
    assert held(line) == [(mug.inventory_items.get().pk, loc.pk, 5)]
    consistent()


@pytest.mark.django_db
def test_canceling_twice_or_another_orders_fulfillment_is_refused(api, loc, mug, consistent):
    order, other = place_order({mug: 1}), place_order({mug: 1})
    fulfil(api, order, [(line_of(order, mug), 1)], loc)
    fulfillment = order.fulfillments.get()
    url = f"{URL}/{order.pk}/fulfillments/{fulfillment.pk}/cancel"
    assert api.post(url).status_code == 200
    response = api.post(url)
    assert response.status_code == 400
    assert response.json() == {
        "type": "not_allowed",
        "message": "The fulfillment is already canceled",
    }
    response = api.post(f"{URL}/{other.pk}/fulfillments/{fulfillment.pk}/cancel")
    assert response.status_code == 404
    assert response.json() == {
        "type": "not_found",
        "message": f"no fulfillment was found with the id: {fulfillment.pk} "
        f"related to order: {other.pk}",
    }
    assert counts(mug, loc) == (100, 2, 98)
    consistent()


@pytest.mark.django_db
def test_shipment_marks_shipped_and_a_shipped_fulfillment_cannot_be_canceled(
    api, loc, mug, consistent
):
    # given
    order = place_order({mug: 3})
    line = line_of(order, mug)
    fulfil(api, order, [(line, 2)], loc)
    fulfillment = order.fulfillments.get()
    # when
    response = api.post(
        f"{URL}/{order.pk}/shipment",
        {"fulfillment_id": fulfillment.pk, "tracking_numbers": ["TRACK-1"]},
        format="json",
    )
    # then
    assert response.status_code == 200
    body = response.json()["order"]
    assert body["fulfillment_status"] == "partially_shipped"
    assert body["items"][0]["shipped_quantity"] == 2
    assert body["fulfillments"][0]["shipped_at"] is not None
    assert body["fulfillments"][0]["tracking_numbers"] == ["TRACK-1"]
    before = snapshot(order)
    response = api.post(f"{URL}/{order.pk}/fulfillments/{fulfillment.pk}/cancel")
    assert response.status_code == 400
    assert response.json() == {
        "type": "not_allowed",
        "message": "The fulfillment has already been shipped. "
        "Shipped fulfillments cannot be canceled",
    }
    response = api.post(
        f"{URL}/{order.pk}/shipment", {"fulfillment_id": fulfillment.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "type": "not_allowed",
        "message": "The fulfillment has already been shipped",
    }
    assert snapshot(order) == before
    consistent()


@pytest.mark.django_db
def test_shipping_everything_marks_the_order_shipped(api, loc, mug):
    order = place_order({mug: 1})
    fulfil(api, order, [(line_of(order, mug), 1)], loc)
    fulfillment = order.fulfillments.get()
    response = api.post(
        f"{URL}/{order.pk}/shipment", {"fulfillment_id": fulfillment.pk}, format="json"
    )
    assert response.json()["order"]["fulfillment_status"] == "shipped"


@pytest.mark.django_db
def test_a_canceled_fulfillment_cannot_be_shipped(api, loc, mug):
    order = place_order({mug: 1})
    fulfil(api, order, [(line_of(order, mug), 1)], loc)
    fulfillment = order.fulfillments.get()
    api.post(f"{URL}/{order.pk}/fulfillments/{fulfillment.pk}/cancel")
    response = api.post(
        f"{URL}/{order.pk}/shipment", {"fulfillment_id": fulfillment.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "type": "not_allowed",
        "message": "A canceled fulfillment cannot be shipped",
    }
    response = api.post(f"{URL}/{order.pk}/shipment", {"fulfillment_id": "ful_nope"}, format="json")
    assert response.status_code == 404


# Through the services --------------------------------------------------------------------


@pytest.mark.django_db
def test_service_refusal_leaves_everything_as_it_was(loc, consistent):
    variant = stocked_variant((loc, 2))
    ReservationFactory(level=level_of(variant, loc), quantity=1)
    order = place_order({variant: 1})
    line = line_of(order, variant)
    reservation_delete(reservation_id=ReservationItem.objects.get(line_item=line).pk)
    place_order({variant: 1})
    before = snapshot(order)
    with pytest.raises(NotAllowed):
        services.fulfillment_create(
            order_id=order.pk, items=[{"item_id": line.pk, "quantity": 1}], location_id=loc.pk
        )
    assert snapshot(order) == before
    consistent()


@pytest.mark.django_db
def test_service_fulfil_and_cancel_round_trip(loc, mug, consistent):
    order = place_order({mug: 4})
    line = line_of(order, mug)
    fulfillment = services.fulfillment_create(
        order_id=order.pk, items=[{"item_id": line.pk, "quantity": 4}]
    )
    assert (fulfillment.location_id, counts(mug, loc)) == (loc.pk, (96, 0, 96))
    services.fulfillment_cancel(order_id=order.pk, fulfillment_id=fulfillment.pk)
    assert counts(mug, loc) == (100, 4, 96)
    assert Order.objects.get(pk=order.pk).fulfillment_status == "canceled"
    consistent()
