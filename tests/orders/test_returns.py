"""Returns: requested to a location (or told one on receipt), received into stock there."""

import pytest

from config.errors import InvalidData
from inventory.models import InventoryLevel
from orders import services
from orders.models import Order, Return
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
)

URL = "/admin/orders"


def return_json(ret: Return) -> dict:
    """Every field of a return as the API must render it, from the database."""
    r = Return.objects.get(pk=ret.pk)
    return {
        "id": r.id,
        "order_id": r.order_id,
        "location_id": r.location_id,
        "status": r.status,
        "items": [
            {
                "item_id": i.item_id,
                "return_id": r.id,
                "quantity": i.quantity,
                "received_quantity": i.received_quantity,
                "note": i.note,
            }
            for i in r.items.order_by("id")
        ],
        "note": r.note,
        "refund_amount": r.refund_amount,
        "no_notification": r.no_notification,
        "metadata": r.metadata,
        "received_at": ms(r.received_at),
        "created_at": ms(r.created_at),
        "updated_at": ms(r.updated_at),
    }


def counts(variant, location, item=None) -> tuple[int, int]:
    level = level_of(variant, location, item)
    return level.stocked_quantity, level.reserved_quantity


def snapshot() -> tuple:
    return (
        sorted(InventoryLevel.objects.values_list("id", "stocked_quantity", "reserved_quantity")),
        sorted(ReservationItem.objects.values_list("id", "quantity")),
        sorted(Return.objects.values_list("id", "status", "location_id")),
    )


def request_return(api, order, items, **body):
    payload = {"items": [{"item_id": line.pk, "quantity": q} for line, q in items], **body}
    return api.post(f"{URL}/{order.pk}/return", payload, format="json")


def receive(api, ret_id, **body):
    return api.post(f"/admin/returns/{ret_id}/receive", body, format="json")


@pytest.fixture
def loc(default_channel):
    location = StockLocationFactory()
    channel_with_locations(location)
    return location


@pytest.fixture
def shop(loc):
    """A mug stocked 100 at loc; an order of 3 mugs (and 1 still open), 3 fulfilled from loc."""
    mug = stocked_variant((loc, 100), title="Mug")
    order = place_order({mug: 4})
    line = line_of(order, mug)
    services.fulfillment_create(
        order_id=order.pk, items=[{"item_id": line.pk, "quantity": 3}], location_id=loc.pk
    )
    assert counts(mug, loc) == (97, 1)
    return mug, order, line


# Requesting and receiving ----------------------------------------------------------------


@pytest.mark.django_db
def test_request_to_a_location_then_receive_raises_stock_there(api, loc, shop, consistent):
    # given
    mug, order, line = shop
    # when: requested
    response = request_return(
        api, order, [(line, 2)], location_id=loc.pk, note="too big", no_notification=True
    )
    # then: nothing moves yet
    assert response.status_code == 200
    ret = order.returns.get()
    assert response.json()["order"]["returns"] == [return_json(ret)]
    assert (ret.status, ret.location_id, ret.note) == ("requested", loc.pk, "too big")
    assert counts(mug, loc) == (97, 1)
    # when: received
    response = receive(api, ret.pk)
    # then: stock back at loc, the open unit still held
    assert response.status_code == 200
    assert response.json() == {"return": return_json(ret)}
    body = response.json()["return"]
    assert (body["status"], body["items"][0]["received_quantity"]) == ("received", 2)
    assert body["received_at"] is not None
    assert counts(mug, loc) == (99, 1)
    order_body = api.get(f"{URL}/{order.pk}").json()["order"]
    assert order_body["items"][0]["returned_quantity"] == 2
    assert order_body["fulfillment_status"] == "partially_returned"
    consistent()


@pytest.mark.django_db
def test_returning_everything_marks_the_order_returned(api, loc, consistent):
    mug = stocked_variant((loc, 5))
    order = place_order({mug: 2})
    line = line_of(order, mug)
    services.fulfillment_create(order_id=order.pk, items=[{"item_id": line.pk, "quantity": 2}])
    response = request_return(api, order, [(line, 2)], location_id=loc.pk, receive_now=True)
    assert response.json()["order"]["fulfillment_status"] == "returned"
    assert counts(mug, loc) == (5, 0)
    consistent()


@pytest.mark.django_db
def test_receive_now_receives_at_once(api, loc, shop, consistent):
    # Medusa's case: fulfil, ship, then return with receive_now to loc: stock back up
    mug, order, line = shop
    fulfillment = order.fulfillments.get()
    api.post(f"{URL}/{order.pk}/shipment", {"fulfillment_id": fulfillment.pk}, format="json")
    response = request_return(api, order, [(line, 1)], location_id=loc.pk, receive_now=True)
    assert response.status_code == 200
    returns = response.json()["order"]["returns"]
    assert [(r["status"], r["location_id"]) for r in returns] == [("received", loc.pk)]
    assert counts(mug, loc) == (98, 1)
    consistent()


@pytest.mark.django_db
def test_receive_now_without_a_location_is_refused_before_anything(api, loc, shop, consistent):
    _, order, line = shop
    before = snapshot()
    response = request_return(api, order, [(line, 1)], receive_now=True)
    assert response.status_code == 400
    assert response.json() == {
        "type": "invalid_data",
        "message": "location_id is required to receive a return",
    }
    assert snapshot() == before
    assert not order.returns.exists()
    consistent()


@pytest.mark.django_db
def test_location_given_on_receive_is_used(api, loc, shop, consistent):
    # given: a return requested without a location
    mug, order, line = shop
    other = StockLocationFactory()
    LevelFactory(inventory_item=mug.inventory_items.get(), location=other, stocked_quantity=0)
    request_return(api, order, [(line, 2)])
    ret = order.returns.get()
    assert ret.location_id is None
    # when
    response = receive(api, ret.pk, location_id=other.pk)
    # then
    assert response.status_code == 200
    assert response.json()["return"]["location_id"] == other.pk
    assert (counts(mug, loc), counts(mug, other)) == ((97, 1), (2, 0))
    consistent()


@pytest.mark.django_db
def test_location_given_on_receive_overrides_the_requested_one(api, loc, shop, consistent):
    mug, order, line = shop
    other = StockLocationFactory()
    LevelFactory(inventory_item=mug.inventory_items.get(), location=other, stocked_quantity=1)
    request_return(api, order, [(line, 1)], location_id=loc.pk)
    response = receive(api, order.returns.get().pk, location_id=other.pk)
    assert response.json()["return"]["location_id"] == other.pk
    assert (counts(mug, loc), counts(mug, other)) == ((97, 1), (2, 0))
    consistent()


@pytest.mark.django_db
def test_a_return_with_no_location_anywhere_is_refused_before_anything(api, loc, shop, consistent):
    # Medusa answers 404 "... location null not found" after creating the return
    _, order, line = shop
    request_return(api, order, [(line, 1)])
    ret = order.returns.get()
    before = snapshot()
    response = receive(api, ret.pk)
    assert response.status_code == 400
    assert response.json() == {
        "type": "invalid_data",
        "message": "location_id is required: the return has no location to receive into",
    }
    assert snapshot() == before
    assert Return.objects.get(pk=ret.pk).status == "requested"
    consistent()


@pytest.mark.django_db
def test_receiving_where_the_item_is_not_stocked_is_not_found(api, loc, shop, consistent):
    mug, order, line = shop
    empty = StockLocationFactory()
    request_return(api, order, [(line, 1)], location_id=empty.pk)
    ret = order.returns.get()
    before = snapshot()
    response = receive(api, ret.pk)
    assert response.status_code == 404
    assert response.json() == {
        "type": "not_found",
        "message": f"Item {mug.inventory_items.get().pk} is not stocked at location {empty.pk}",
    }
    assert snapshot() == before
    consistent()


@pytest.mark.django_db
def test_kit_receipt_raises_each_item_by_its_required_quantity(api, loc, consistent):
    # given: a kit of 1 × K1 and 3 × K2, 2 kits fulfilled
    k1, k2 = InventoryItemFactory(), InventoryItemFactory()
    LevelFactory(inventory_item=k1, location=loc, stocked_quantity=5)
    LevelFactory(inventory_item=k2, location=loc, stocked_quantity=10)
    kit = VariantFactory(kit=[(k1.pk, 1), (k2.pk, 3)])
    order = place_order({kit: 2})
    line = line_of(order, kit)
    services.fulfillment_create(order_id=order.pk, items=[{"item_id": line.pk, "quantity": 2}])
    assert (counts(kit, loc, k1), counts(kit, loc, k2)) == ((3, 0), (4, 0))
    # when
    request_return(api, order, [(line, 2)], location_id=loc.pk, receive_now=True)
    # then
    assert (counts(kit, loc, k1), counts(kit, loc, k2)) == ((5, 0), (10, 0))
    consistent()


@pytest.mark.django_db
def test_receiving_part_of_a_return(api, loc, shop, consistent):
    mug, order, line = shop
    request_return(api, order, [(line, 3)], location_id=loc.pk)
    ret = order.returns.get()
    response = receive(api, ret.pk, items=[{"item_id": line.pk, "quantity": 1}])
    assert response.status_code == 200
    assert response.json()["return"]["items"][0]["received_quantity"] == 1
    assert counts(mug, loc) == (98, 1)
    consistent()


@pytest.mark.django_db
def test_receiving_items_not_in_the_return_is_invalid(api, loc, shop, consistent):
    mug, order, line = shop
    request_return(api, order, [(line, 1)], location_id=loc.pk)
    ret = order.returns.get()
    before = snapshot()
    for item in ({"item_id": line.pk, "quantity": 2}, {"item_id": "item_other", "quantity": 1}):
        response = receive(api, ret.pk, items=[item])
        assert response.status_code == 400
        assert response.json() == {
            "type": "invalid_data",
            "message": f"Line item {item['item_id']} is not part of return {ret.pk} in that number",
        }
    assert snapshot() == before
    consistent()


@pytest.mark.django_db
def test_custom_and_unmanaged_lines_return_without_stock(api, loc, consistent):
    unmanaged = VariantFactory(manage_inventory=False)
    order = place_order({unmanaged: 1}, custom=[("Fee", 1)])
    lines = list(order.items.all())
    services.fulfillment_create(
        order_id=order.pk,
        items=[{"item_id": line.pk, "quantity": 1} for line in lines],
        location_id=loc.pk,
    )
    before = snapshot()[0]
    response = request_return(
        api, order, [(line, 1) for line in lines], location_id=loc.pk, receive_now=True
    )
    assert response.status_code == 200
    assert response.json()["order"]["fulfillment_status"] == "returned"
    assert snapshot()[0] == before
    consistent()


# Refusals --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_receiving_twice_is_refused(api, loc, shop, consistent):
    mug, order, line = shop
    request_return(api, order, [(line, 1)], location_id=loc.pk, receive_now=True)
    ret = order.returns.get()
    response = receive(api, ret.pk)
    assert response.status_code == 400
    assert response.json() == {
        "type": "not_allowed",
        "message": f"Return with id {ret.pk} has already been received",
    }
    assert counts(mug, loc) == (98, 1)
    consistent()


@pytest.mark.django_db
def test_returning_more_than_was_fulfilled_is_refused(api, loc, shop, consistent):
    _, order, line = shop
    message = {
        "type": "not_allowed",
        "message": f"Cannot return more units of {line.title} than were fulfilled",
    }
    response = request_return(api, order, [(line, 4)], location_id=loc.pk)
    assert (response.status_code, response.json()) == (400, message)
    # units of a pending return count too
    assert request_return(api, order, [(line, 2)]).status_code == 200
    response = request_return(api, order, [(line, 2)])
    assert (response.status_code, response.json()) == (400, message)
    assert order.returns.count() == 1
    consistent()


@pytest.mark.django_db
def test_request_to_an_unknown_location_is_not_found(api, loc, shop):
    _, order, line = shop
    response = request_return(api, order, [(line, 1)], location_id="sloc_nope")
    assert response.status_code == 404
    assert response.json() == {
        "type": "not_found",
        "message": "StockLocation with id sloc_nope was not found",
    }
    assert not order.returns.exists()


@pytest.mark.django_db
def test_returns_of_a_canceled_order_are_refused(api, loc):
    mug = stocked_variant((loc, 5))
    order = place_order({mug: 1})
    services.order_cancel(order_id=order.pk)
    response = request_return(api, order, [(line_of(order, mug), 1)], location_id=loc.pk)
    assert response.status_code == 400
    assert response.json() == {
        "type": "not_allowed",
        "message": "A canceled order cannot have returns",
    }


@pytest.mark.django_db
def test_unknown_return_is_not_found(api):
    for response in (
        api.get("/admin/returns/ret_nope"),
        receive(api, "ret_nope"),
        api.post("/admin/returns/ret_nope/cancel"),
    ):
        assert response.status_code == 404
        assert response.json() == {
            "type": "not_found",
            "message": "Return with id ret_nope was not found",
        }


# Canceling, listing, and the order's cancel ----------------------------------------------


@pytest.mark.django_db
def test_cancel_a_return_then_it_cannot_be_received(api, loc, shop, consistent):
    mug, order, line = shop
    request_return(api, order, [(line, 1)], location_id=loc.pk)
    ret = order.returns.get()
    response = api.post(f"/admin/returns/{ret.pk}/cancel")
    assert response.status_code == 200
    assert response.json() == {"return": return_json(ret)}
    assert response.json()["return"]["status"] == "canceled"
    response = receive(api, ret.pk)
    assert response.status_code == 400
    assert response.json() == {"type": "not_allowed", "message": "Cannot receive a canceled return"}
    assert counts(mug, loc) == (97, 1)
    # and its units may be returned again
    assert request_return(api, order, [(line, 3)]).status_code == 200
    consistent()


@pytest.mark.django_db
def test_a_received_return_cannot_be_canceled(api, loc, shop):
    _, order, line = shop
    request_return(api, order, [(line, 1)], location_id=loc.pk, receive_now=True)
    ret = order.returns.get()
    response = api.post(f"/admin/returns/{ret.pk}/cancel")
    assert response.status_code == 400
    assert response.json() == {
        "type": "not_allowed",
        "message": "A received return cannot be canceled",
    }


@pytest.mark.django_db
def test_list_returns_with_filters(api, loc, shop):
    # given: a received return of this order and a requested one of another
    mug, order, line = shop
    request_return(api, order, [(line, 1)], location_id=loc.pk, receive_now=True)
    other = place_order({mug: 1})
    other_line = line_of(other, mug)
    services.fulfillment_create(
        order_id=other.pk, items=[{"item_id": other_line.pk, "quantity": 1}], location_id=loc.pk
    )
    request_return(api, other, [(other_line, 1)])
    received, requested = order.returns.get(), other.returns.get()
    # when / then
    response = api.get("/admin/returns")
    assert response.status_code == 200
    assert response.json() == {
        "returns": [return_json(requested), return_json(received)],
        "count": 2,
        "offset": 0,
        "limit": 20,
    }
    by_order = api.get(f"/admin/returns?order_id={order.pk}").json()["returns"]
    assert [r["id"] for r in by_order] == [received.pk]
    by_status = api.get("/admin/returns?status[]=requested").json()["returns"]
    assert [r["id"] for r in by_status] == [requested.pk]
    assert api.get(f"/admin/returns/{received.pk}").json() == {"return": return_json(received)}


@pytest.mark.django_db
def test_an_order_with_an_open_return_is_canceled_after_the_return(api, loc, consistent):
    # given: 1 of 2 fulfilled and requested back
    mug = stocked_variant((loc, 5))
    order = place_order({mug: 2})
    line = line_of(order, mug)
    fulfillment = services.fulfillment_create(
        order_id=order.pk, items=[{"item_id": line.pk, "quantity": 1}]
    )
    request_return(api, order, [(line, 1)])
    cancel_fulfillment = f"{URL}/{order.pk}/fulfillments/{fulfillment.pk}/cancel"
    # then: neither the order nor its fulfillment can be canceled yet
    response = api.post(f"{URL}/{order.pk}/cancel")
    assert (response.status_code, response.json()["message"]) == (
        400,
        "All fulfillments must be canceled before canceling an order",
    )
    assert api.post(cancel_fulfillment).status_code == 400
    # once the return is canceled, the fulfillment and then the order can be
    services.return_cancel(return_id=order.returns.get().pk)
    assert api.post(cancel_fulfillment).status_code == 200
    assert api.post(f"{URL}/{order.pk}/cancel").status_code == 200
    assert Order.objects.get(pk=order.pk).status == "canceled"
    assert not ReservationItem.objects.filter(line_item=line).exists()
    assert counts(mug, loc) == (5, 0)
    consistent()


@pytest.mark.django_db
def test_service_receive_without_location_raises_before_changing(loc, shop, consistent):
    mug, order, line = shop
    ret = services.return_request(order_id=order.pk, items=[{"item_id": line.pk, "quantity": 1}])
    with pytest.raises(InvalidData):
        services.return_receive(return_id=ret.pk)
    assert Return.objects.get(pk=ret.pk).status == "requested"
    assert counts(mug, loc) == (97, 1)
    consistent()


@pytest.mark.django_db
@pytest.mark.parametrize("received", [True, False])
def test_a_fulfillment_whose_units_are_in_a_return_cannot_be_canceled(
    api, loc, shop, received, consistent
):
    # given: 3 fulfilled and 1 of them returned (received, or still requested)
    mug, order, line = shop
    request_return(api, order, [(line, 1)], location_id=loc.pk, receive_now=received)
    fulfillment = order.fulfillments.get()
    before = snapshot()
    # when: canceling would put the returned unit back on the shelf a second time
    response = api.post(f"{URL}/{order.pk}/fulfillments/{fulfillment.pk}/cancel")
    # then
    assert response.status_code == 400
    assert response.json() == {
        "type": "not_allowed",
        "message": f"Cannot cancel a fulfillment of {line.title}: its units are in a return",
    }
    assert snapshot() == before
    assert counts(mug, loc) == ((98, 1) if received else (97, 1))
    consistent()


@pytest.mark.django_db
def test_a_fulfillment_may_be_canceled_while_other_fulfilled_units_cover_the_return(
    api, loc, shop, consistent
):
    # given: a second fulfillment of the last unit, and 1 unit of the first returned
    mug, order, line = shop
    second = services.fulfillment_create(
        order_id=order.pk, items=[{"item_id": line.pk, "quantity": 1}], location_id=loc.pk
    )
    request_return(api, order, [(line, 1)], location_id=loc.pk, receive_now=True)
    assert counts(mug, loc) == (97, 0)
    # when
    response = api.post(f"{URL}/{order.pk}/fulfillments/{second.pk}/cancel")
    # then: 3 fulfilled − 1 returned are still out; the canceled unit is back and held
    assert response.status_code == 200
    assert counts(mug, loc) == (98, 1)
    consistent()
