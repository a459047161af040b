"""Reservations bound to order line items through `/admin/reservations`: the line must exist,
the item must be one of its variant's, and a line never holds more than it still needs."""

import pytest

from inventory.models import InventoryLevel
from orders import services as order_services
from orders.allocation import reservation_delete
from orders.models import Order
from reservations.models import ReservationItem
from tests.expected import ms
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

URL = "/admin/reservations"
LIMIT = {
    "type": "invalid_data",
    "message": "The reservation quantity cannot be greater than the unfulfilled line item quantity",
}


def snapshot() -> tuple:
    return (
        sorted(InventoryLevel.objects.values_list("id", "stocked_quantity", "reserved_quantity")),
        sorted(ReservationItem.objects.values_list("id", "location_id", "quantity")),
    )


def create(api, line, quantity, location, item=None, **extra):
    body = {
        "line_item_id": line if isinstance(line, str) else line.pk,
        "inventory_item_id": item or line.variant.inventory_items.get().pk,
        "location_id": location.pk,
        "quantity": quantity,
        **extra,
    }
    return api.post(URL, body, format="json")


@pytest.fixture
def loc(default_channel):
    location = StockLocationFactory()
    channel_with_locations(location)
    return location


@pytest.fixture
def mug(loc):
    return stocked_variant((loc, 10), title="Mug")


@pytest.fixture
def open_line(mug):
    """A 3-unit line of an order placed without reserving anything."""
    with without_allocation():
        order = place_order({mug: 3})
    return line_of(order, mug)


# Create ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_for_a_line_item(api, loc, mug, open_line, staff, consistent):
    response = create(api, open_line, 2, loc, description="for the order")
    assert response.status_code == 200
    body = response.json()["reservation"]
    reservation = ReservationItem.objects.get(pk=body["id"])
    assert body == {
        "id": reservation.pk,
        "line_item_id": open_line.pk,
        "inventory_item_id": mug.inventory_items.get().pk,
        "location_id": loc.pk,
        "quantity": 2,
        "description": "for the order",
        "created_by": staff.pk,
        "external_id": None,
        "metadata": None,
        "expires_at": None,
        "created_at": ms(reservation.created_at),
        "updated_at": ms(reservation.updated_at),
    }
    assert level_of(mug, loc).reserved_quantity == 2
    consistent()


@pytest.mark.django_db
def test_create_up_to_the_lines_quantity_then_no_more(api, loc, open_line, consistent):
    assert create(api, open_line, 2, loc).status_code == 200
    assert create(api, open_line, 1, loc).status_code == 200
    before = snapshot()
    response = create(api, open_line, 1, loc)
    assert response.status_code == 400
    assert response.json() == LIMIT
    assert snapshot() == before
    consistent()


@pytest.mark.django_db
def test_create_over_the_lines_quantity_at_once_is_refused(api, loc, open_line, consistent):
    response = create(api, open_line, 4, loc)
    assert response.status_code == 400
    assert response.json() == LIMIT
    assert not ReservationItem.objects.exists()
    consistent()


@pytest.mark.django_db
def test_the_orders_own_reservation_counts_against_the_line(api, loc, mug, consistent):
    # given: placing reserved the whole line
    order = place_order({mug: 2})
    line = line_of(order, mug)
    # when
    response = create(api, line, 1, StockLocationFactory())
    # then: the line check comes before the location is even looked at
    assert response.status_code == 400
    assert response.json() == LIMIT
    consistent()


@pytest.mark.django_db
def test_fulfilled_units_no_longer_count(api, loc, mug, consistent):
    # given: 3 units, 2 fulfilled, their reservations used up
    order = place_order({mug: 3})
    line = line_of(order, mug)
    order_services.fulfillment_create(
        order_id=order.pk, items=[{"item_id": line.pk, "quantity": 2}], location_id=loc.pk
    )
    reservation_delete(reservation_id=ReservationItem.objects.get(line_item=line).pk)
    # when / then: one unit is left to reserve
    assert create(api, line, 2, loc).json() == LIMIT
    assert create(api, line, 1, loc).status_code == 200
    consistent()


@pytest.mark.django_db
def test_unknown_line_item_is_not_found(api, loc, mug, consistent):
    response = create(api, "item_nope", 1, loc, item=mug.inventory_items.get().pk)
    assert response.status_code == 404
    assert response.json() == {
        "type": "not_found",
        "message": "Line item with item_nope was not found",
    }
    assert not ReservationItem.objects.exists()
    consistent()


@pytest.mark.django_db
def test_item_must_be_one_of_the_lines_variants(api, loc, open_line, consistent):
    stranger = InventoryItemFactory()
    LevelFactory(inventory_item=stranger, location=loc, stocked_quantity=5)
    response = create(api, open_line, 1, loc, item=stranger.pk)
    assert response.status_code == 400
    assert response.json() == {
        "type": "invalid_data",
        "message": f"Inventory item {stranger.pk} is not part of the variant of line item "
        f"{open_line.pk}",
    }
    assert not ReservationItem.objects.exists()
    consistent()


@pytest.mark.django_db
def test_custom_and_unmanaged_lines_take_no_reservation(api, loc, consistent):
    item = InventoryItemFactory()
    LevelFactory(inventory_item=item, location=loc, stocked_quantity=5)
    unmanaged = VariantFactory(manage_inventory=False, kit=[(item.pk, 1)])
    order = place_order({unmanaged: 1}, custom=[("Fee", 1)])
    for line in order.items.all():
        response = create(api, line, 1, loc, item=item.pk)
        assert response.status_code == 400
        assert response.json() == {
            "type": "invalid_data",
            "message": f"Inventory item {item.pk} is not part of the variant of line item "
            f"{line.pk}",
        }
    assert not ReservationItem.objects.exists()
    consistent()


@pytest.mark.django_db
def test_kit_lines_hold_each_item_up_to_its_required_quantity(api, loc, consistent):
    # given: a 3-kit line of 1 × frame and 2 × wheel
    frame, wheel = InventoryItemFactory(), InventoryItemFactory()
    LevelFactory(inventory_item=frame, location=loc, stocked_quantity=10)
    LevelFactory(inventory_item=wheel, location=loc, stocked_quantity=10)
    kit = VariantFactory(kit=[(frame.pk, 1), (wheel.pk, 2)])
    with without_allocation():
        order = place_order({kit: 3})
    line = line_of(order, kit)
    # when / then
    assert create(api, line, 4, loc, item=frame.pk).json() == LIMIT
    assert create(api, line, 3, loc, item=frame.pk).status_code == 200
    assert create(api, line, 7, loc, item=wheel.pk).json() == LIMIT
    assert create(api, line, 6, loc, item=wheel.pk).status_code == 200
    consistent()


@pytest.mark.django_db
def test_the_limit_comes_before_availability(api, loc, mug, open_line, consistent):
    # a line of 3 at a location with 10: 4 is over the line, not over stock
    assert create(api, open_line, 4, loc).json() == LIMIT
    # 3 at a location stocking 1 is over stock
    scarce = StockLocationFactory()
    LevelFactory(inventory_item=mug.inventory_items.get(), location=scarce, stocked_quantity=1)
    response = create(api, open_line, 3, scarce)
    assert response.status_code == 400
    assert response.json()["code"] == "insufficient_inventory"
    consistent()


# Update ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_update_may_not_raise_a_line_past_its_quantity(api, loc, open_line, consistent):
    # given: 2 + 1 held for a 3-unit line
    first = create(api, open_line, 2, loc).json()["reservation"]
    create(api, open_line, 1, loc)
    before = snapshot()
    # when
    response = api.post(f"{URL}/{first['id']}", {"quantity": 3}, format="json")
    # then
    assert response.status_code == 400
    assert response.json() == LIMIT
    assert snapshot() == before
    # lowering is fine, and then raising back
    response = api.post(f"{URL}/{first['id']}", {"quantity": 1}, format="json")
    assert response.json()["reservation"]["quantity"] == 1
    response = api.post(f"{URL}/{first['id']}", {"quantity": 2}, format="json")
    assert response.json()["reservation"]["quantity"] == 2
    consistent()


@pytest.mark.django_db
def test_update_moving_a_full_line_to_another_location_is_fine(api, loc, mug, consistent):
    order = place_order({mug: 3})
    line = line_of(order, mug)
    other = StockLocationFactory()
    LevelFactory(inventory_item=mug.inventory_items.get(), location=other, stocked_quantity=3)
    reservation = ReservationItem.objects.get(line_item=line)
    response = api.post(f"{URL}/{reservation.pk}", {"location_id": other.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["reservation"]["location_id"] == other.pk
    assert (level_of(mug, loc).reserved_quantity, level_of(mug, other).reserved_quantity) == (0, 3)
    # but not with one more unit
    response = api.post(f"{URL}/{reservation.pk}", {"quantity": 4}, format="json")
    assert response.json() == LIMIT
    consistent()


@pytest.mark.django_db
def test_update_after_a_partial_fulfillment_counts_only_what_is_left(api, loc, mug, consistent):
    # given: 3 units reserved, 1 fulfilled (reservation 3 → 2)
    order = place_order({mug: 3})
    line = line_of(order, mug)
    order_services.fulfillment_create(
        order_id=order.pk, items=[{"item_id": line.pk, "quantity": 1}]
    )
    reservation = ReservationItem.objects.get(line_item=line)
    assert reservation.quantity == 2
    # when / then
    response = api.post(f"{URL}/{reservation.pk}", {"quantity": 3}, format="json")
    assert response.json() == LIMIT
    assert ReservationItem.objects.get(pk=reservation.pk).quantity == 2
    consistent()


# Reading ---------------------------------------------------------------------------------


def line_with_order_json(line) -> dict:
    order = Order.objects.get(pk=line.order_id)
    line.refresh_from_db()
    return {
        "id": line.pk,
        "order_id": order.pk,
        "variant_id": line.variant_id,
        "title": line.title,
        "description": line.description,
        "unit_price": line.unit_price,
        "quantity": line.quantity,
        "fulfilled_quantity": line.fulfilled_quantity,
        "returned_quantity": line.returned_quantity,
        "shipped_quantity": line.shipped_quantity,
        "metadata": line.metadata,
        "created_at": ms(line.created_at),
        "updated_at": ms(line.updated_at),
        "order": {
            "id": order.pk,
            "display_id": order.display_id,
            "status": order.status,
            "fulfillment_status": order.fulfillment_status,
            "payment_status": order.payment_status,
            "email": order.email,
            "currency_code": order.currency_code,
            "region_id": order.region_id,
            "sales_channel_id": order.sales_channel_id,
            "draft_order_id": order.draft_order_id,
            "customer_id": order.customer_id,
            "no_notification": order.no_notification,
            "metadata": order.metadata,
            "created_at": ms(order.created_at),
            "updated_at": ms(order.updated_at),
            "canceled_at": ms(order.canceled_at),
        },
    }


@pytest.mark.django_db
def test_expand_line_item_shows_the_line_with_its_order(api, loc, mug):
    # given: one reservation of an order's line, one free
    order = place_order({mug: 2}, metadata={"channel": "phone"})
    line = line_of(order, mug)
    ours = ReservationItem.objects.get(line_item=line)
    free = api.post(
        URL,
        {"inventory_item_id": mug.inventory_items.get().pk, "location_id": loc.pk, "quantity": 1},
        format="json",
    ).json()["reservation"]
    # when
    detail = api.get(f"{URL}/{ours.pk}?expand=line_item")
    listed = api.get(f"{URL}?expand=line_item&order=created_at")
    # then
    assert detail.status_code == listed.status_code == 200
    assert detail.json()["reservation"]["line_item"] == line_with_order_json(line)
    rows = listed.json()["reservations"]
    assert [(r["id"], r["line_item"]) for r in rows] == [
        (ours.pk, line_with_order_json(line)),
        (free["id"], None),
    ]
    assert "line_item" not in api.get(f"{URL}/{ours.pk}").json()["reservation"]


@pytest.mark.django_db
def test_list_by_line_item(api, loc, mug):
    order = place_order({mug: 2})
    place_order({mug: 1})
    line = line_of(order, mug)
    for query in (f"line_item_id={line.pk}", f"line_item_id[]={line.pk}"):
        body = api.get(f"{URL}?{query}").json()
        assert body["count"] == 1
        assert [r["line_item_id"] for r in body["reservations"]] == [line.pk]


@pytest.mark.django_db
def test_lines_of_a_canceled_order_take_no_reservation(api, loc, mug, consistent):
    # given: a canceled order (its reservations released); canceling again changes nothing,
    # so a reservation made now would never be released
    order = place_order({mug: 2})
    line = line_of(order, mug)
    order_services.order_cancel(order_id=order.pk)
    # when
    created = create(api, line, 1, loc)
    reserved = api.post(
        f"/admin/orders/{order.pk}/line-items/{line.pk}/reserve",
        {"location_id": loc.pk},
        format="json",
    )
    # then
    for response in (created, reserved):
        assert response.status_code == 400
        assert response.json() == {
            "type": "not_allowed",
            "message": f"Line item {line.pk} belongs to a canceled order",
        }
    assert not ReservationItem.objects.exists()
    assert level_of(mug, loc).reserved_quantity == 0
    consistent()
