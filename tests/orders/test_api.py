"""`/admin/orders`: list, filters, get, update, totals, the order's reservations, the line-item
reserve route, and the status changes (cancel, complete, archive)."""

import datetime as dt
from decimal import Decimal

import pytest

from inventory.models import InventoryLevel
from orders.allocation import reservation_delete, reservation_update
from orders.models import Order
from reservations.models import ReservationItem
from tests.expected import ms, reservation_json
from tests.factories.inventory import (
    InventoryItemFactory,
    LevelFactory,
    SalesChannelFactory,
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


def line_json(line) -> dict:
    return {
        "id": line.id,
        "order_id": line.order_id,
        "variant_id": line.variant_id,
        "title": line.title,
        "description": line.description,
        "unit_price": line.unit_price,
        "quantity": line.quantity,
        "fulfilled_quantity": line.fulfilled_quantity,
        "returned_quantity": line.returned_quantity,
        "shipped_quantity": line.shipped_quantity,
        "metadata": line.metadata,
        "subtotal": line.unit_price * line.quantity,
        "created_at": ms(line.created_at),
        "updated_at": ms(line.updated_at),
    }


def order_json(order: Order, **totals) -> dict:
    """Every field of an order without fulfillments or returns, from the database."""
    o = Order.objects.get(pk=order.pk)
    return {
        "id": o.id,
        "display_id": o.display_id,
        "status": o.status,
        "fulfillment_status": o.fulfillment_status,
        "payment_status": o.payment_status,
        "email": o.email,
        "currency_code": o.currency_code,
        "region_id": o.region_id,
        "sales_channel_id": o.sales_channel_id,
        "draft_order_id": o.draft_order_id,
        "customer_id": o.customer_id,
        "no_notification": o.no_notification,
        "metadata": o.metadata,
        "shipping_address": o.shipping_address,
        "billing_address": o.billing_address,
        "shipping_methods": o.shipping_methods,
        "items": [line_json(line) for line in o.items.order_by("created_at", "id")],
        "fulfillments": [],
        "returns": [],
        **totals,
        "created_at": ms(o.created_at),
        "updated_at": ms(o.updated_at),
        "canceled_at": ms(o.canceled_at),
    }


def invalid(message: str) -> dict:
    return {"type": "invalid_data", "message": message}


def not_allowed(message: str) -> dict:
    return {"type": "not_allowed", "message": message}


def not_found(message: str) -> dict:
    return {"type": "not_found", "message": message}


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["orders"]]


@pytest.fixture
def stock(default_channel):
    """Two locations linked to the default channel (a first), and a variant stocked 10 at each."""
    a, b = StockLocationFactory(), StockLocationFactory()
    channel_with_locations(a, b)
    variant = stocked_variant((a, 10), (b, 10), title="Mug")
    return a, b, variant


# Reading and updating --------------------------------------------------------------------


@pytest.mark.django_db
def test_get_answers_every_field_with_totals(api, stock):
    # given: 2 × 1000 + 1 × 500, shipping 300, tax 12.5 %
    _, _, variant = stock
    order = place_order(
        {variant: 2},
        custom=[("Gift wrap", 1)],
        tax_rate=Decimal("12.5"),
        shipping_methods=[{"shipping_option_id": "so_x", "name": "Post", "price": 300}],
        shipping_address={"address_1": "1 Main St", "country_code": "dk"},
        metadata={"source": "test"},
    )
    # when
    response = api.get(f"{URL}/{order.pk}")
    # then: tax = round_half_up((2500 + 300) × 12.5 %) = 350
    assert response.status_code == 200
    assert response.json() == {
        "order": order_json(order, subtotal=2500, shipping_total=300, tax_total=350, total=3150)
    }


@pytest.mark.django_db
def test_tax_rounds_half_up(api, stock):
    # (1000 + 0) × 0.05 % = 0.5 → 1
    order = place_order({stock[2]: 1}, tax_rate=Decimal("0.05"))
    body = api.get(f"{URL}/{order.pk}").json()["order"]
    assert (body["subtotal"], body["tax_total"], body["total"]) == (1000, 1, 1001)


@pytest.mark.django_db
def test_get_unknown_order_is_not_found(api):
    response = api.get(f"{URL}/order_nope")
    assert response.status_code == 404
    assert response.json() == not_found("Order with id order_nope was not found")


@pytest.mark.django_db
def test_orders_need_credentials(anon, stock):
    order = place_order({stock[2]: 1})
    for response in (anon.get(URL), anon.get(f"{URL}/{order.pk}"), anon.post(f"{URL}/{order.pk}")):
        assert response.status_code == 401
        assert response.json()["type"] == "unauthorized"


@pytest.mark.django_db
def test_expand_items_variant_adds_each_lines_variant(api, stock):
    # given
    _, _, variant = stock
    order = place_order({variant: 1}, custom=[("Fee", 1)])
    # when
    detail = api.get(f"{URL}/{order.pk}?expand=items.variant")
    listed = api.get(f"{URL}?expand=items.variant")
    # then
    assert detail.status_code == listed.status_code == 200
    for body in (detail.json()["order"], listed.json()["orders"][0]):
        managed, custom = sorted(body["items"], key=lambda line: line["variant_id"] is None)
        assert custom["variant"] is None
        assert managed["variant"]["id"] == variant.pk
        assert managed["variant"]["sku"] == variant.sku
        assert managed["variant"]["product"]["id"] == variant.product_id
        assert managed["variant"]["inventory_items"] == [
            {
                "id": variant.inventory_links.get().pk,
                "variant_id": variant.pk,
                "inventory_item_id": variant.inventory_items.get().pk,
                "required_quantity": 1,
            }
        ]
    # and without it, lines have no `variant`
    assert "variant" not in api.get(f"{URL}/{order.pk}").json()["order"]["items"][0]


@pytest.mark.django_db
def test_fields_and_unknown_expand(api, stock):
    order = place_order({stock[2]: 1})
    response = api.get(f"{URL}/{order.pk}?fields=email,status")
    assert response.json() == {"order": {"id": order.pk, "email": order.email, "status": "pending"}}
    response = api.get(f"{URL}/{order.pk}?expand=customer")
    assert response.status_code == 400
    assert response.json() == invalid(
        "expand has unknown relations customer; allowed: items.variant"
    )


@pytest.mark.django_db
def test_list_answers_the_envelope_newest_first(api, stock):
    first = place_order({stock[2]: 1})
    second = place_order({stock[2]: 1})
    response = api.get(URL)
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["offset"], body["limit"]) == (2, 0, 20)
    assert body["orders"] == [
        order_json(o, subtotal=1000, shipping_total=0, tax_total=0, total=1000)
        for o in (second, first)
    ]


@pytest.mark.django_db
def test_list_paginates(api, stock):
    orders = [place_order({stock[2]: 1}) for _ in range(3)]
    response = api.get(f"{URL}?offset=1&limit=1&order=display_id")
    body = response.json()
    assert ([o["id"] for o in body["orders"]], body["count"], body["offset"], body["limit"]) == (
        [orders[1].pk],
        3,
        1,
        1,
    )


@pytest.fixture
def orders(stock, staff):
    """Four orders with distinct emails, statuses, channels and pinned creation times."""
    _, _, variant = stock
    other_channel = channel_with_locations(stock[0], channel=SalesChannelFactory())
    pending = place_order({variant: 1}, email="alice@shop.test")
    fulfilled = place_order({variant: 1}, email="bob@shop.test")
    fulfilled.fulfillment_status = Order.FulfillmentStatus.FULFILLED
    fulfilled.save()
    canceled = place_order({variant: 1}, email="carol@else.test")
    canceled.status = canceled.fulfillment_status = canceled.payment_status = "canceled"
    canceled.save()
    elsewhere = place_order({variant: 1}, other_channel, email="dave@else.test")
    for order, day in ((pending, 1), (fulfilled, 2), (canceled, 3), (elsewhere, 4)):
        Order.objects.filter(pk=order.pk).update(
            created_at=dt.datetime(2026, 3, day, 12, 0, tzinfo=dt.UTC)
        )
    return pending, fulfilled, canceled, elsewhere, other_channel


FILTERS = [
    ("q=shop.test", ["fulfilled", "pending"]),
    ("q=ALICE", ["pending"]),
    ("q=nobody", []),
    ("status=canceled", ["canceled"]),
    ("status=pending", ["elsewhere", "fulfilled", "pending"]),
    ("status[]=completed&status[]=canceled", ["canceled"]),
    ("status=completed,canceled", ["canceled"]),
    ("fulfillment_status=fulfilled", ["fulfilled"]),
    ("fulfillment_status[0]=fulfilled&fulfillment_status[1]=canceled", ["canceled", "fulfilled"]),
    ("payment_status=captured", ["elsewhere", "fulfilled", "pending"]),
    ("payment_status[]=canceled", ["canceled"]),
    ("sales_channel_id={channel}", ["elsewhere"]),
    ("sales_channel_id[]={channel}", ["elsewhere"]),
    ("created_at[gt]=2026-03-02T12:00:00.000Z", ["elsewhere", "canceled"]),
    ("created_at[gte]=2026-03-02T12:00:00.000Z", ["elsewhere", "canceled", "fulfilled"]),
    ("created_at[lt]=2026-03-02T12:00:00.000Z", ["pending"]),
    ("created_at[lte]=2026-03-02T12:00:00Z&fulfillment_status=fulfilled", ["fulfilled"]),
    ("status=pending&q=else", ["elsewhere"]),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "expected"), FILTERS)
def test_list_filters(api, orders, query, expected):
    pending, fulfilled, canceled, elsewhere, channel = orders
    names = {
        o.pk: n
        for o, n in zip(orders[:4], ["pending", "fulfilled", "canceled", "elsewhere"], strict=True)
    }
    response = api.get(f"{URL}?{query.format(channel=channel.pk)}")
    assert [names[i] for i in ids(response)] == expected


@pytest.mark.django_db
def test_list_q_matches_the_display_id(api, orders):
    pending = orders[0]
    assert pending.pk in ids(api.get(f"{URL}?q={pending.display_id}"))
    assert ids(api.get(f"{URL}?q={pending.pk}")) == [pending.pk]


@pytest.mark.django_db
def test_list_rejects_unknown_filters(api):
    response = api.get(f"{URL}?colour=red")
    assert response.status_code == 400
    assert response.json() == invalid("property colour should not exist")


@pytest.mark.django_db
def test_update_changes_email_addresses_notification_and_merges_metadata(api, stock):
    # given
    order = place_order({stock[2]: 1}, metadata={"a": 1, "b": 2})
    address = {"address_1": "2 High St", "city": "Aarhus", "country_code": "dk"}
    # when
    response = api.post(
        f"{URL}/{order.pk}",
        {
            "email": "new@shop.test",
            "shipping_address": address,
            "billing_address": {**address, "company": "ACME"},
            "metadata": {"b": 3, "c": 4},
            "no_notification": True,
        },
        format="json",
    )
    # then
    assert response.status_code == 200
    body = response.json()["order"]
    assert body == order_json(order, subtotal=1000, shipping_total=0, tax_total=0, total=1000)
    assert (body["email"], body["no_notification"], body["metadata"]) == (
        "new@shop.test",
        True,
        {"a": 1, "b": 3, "c": 4},
    )
    assert body["shipping_address"] == address
    assert body["billing_address"] == {**address, "company": "ACME"}


@pytest.mark.django_db
def test_update_rejects_unknown_and_invalid_fields(api, stock):
    order = place_order({stock[2]: 1})
    response = api.post(f"{URL}/{order.pk}", {"status": "completed"}, format="json")
    assert response.status_code == 400
    assert response.json() == invalid("property status should not exist")
    response = api.post(f"{URL}/{order.pk}", {"email": "not-an-email"}, format="json")
    assert response.status_code == 400
    assert response.json()["type"] == "invalid_data"
    assert Order.objects.get(pk=order.pk).email == "buyer@example.com"


@pytest.mark.django_db
def test_update_unknown_order_is_not_found(api):
    response = api.post(f"{URL}/order_nope", {"email": "x@y.test"}, format="json")
    assert response.status_code == 404
    assert response.json() == not_found("Order with id order_nope was not found")


# GET /admin/orders/{id}/reservations ------------------------------------------------------


@pytest.mark.django_db
def test_order_reservations_lists_only_the_orders_lines_with_every_field(api, stock, staff):
    # given: an order split over a and b, plus a reservation of another order and a free one
    a, b, variant = stock
    order = place_order({variant: 15})
    place_order({variant: 1})
    ReservationFactory(level=level_of(variant, b), quantity=1)
    mine = list(ReservationItem.objects.filter(line_item__order=order))
    assert len(mine) == 2
    ReservationItem.objects.filter(pk=mine[0].pk).update(
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    # when
    response = api.get(f"{URL}/{order.pk}/reservations")
    # then: newest first, all columns
    assert response.status_code == 200
    assert response.json() == {
        "reservations": [reservation_json(mine[1]), reservation_json(mine[0])],
        "count": 2,
        "offset": 0,
        "limit": 20,
    }


@pytest.mark.django_db
def test_order_reservations_paginate(api, stock):
    a, b, variant = stock
    order = place_order({variant: 15})
    response = api.get(f"{URL}/{order.pk}/reservations?offset=1&limit=1&order=quantity")
    body = response.json()
    assert (body["count"], body["offset"], body["limit"]) == (2, 1, 1)
    assert [(r["location_id"], r["quantity"]) for r in body["reservations"]] == [(a.pk, 10)]


@pytest.mark.django_db
def test_order_reservations_of_an_order_without_any_is_empty(api, stock):
    order = place_order({VariantFactory(manage_inventory=False): 1})
    response = api.get(f"{URL}/{order.pk}/reservations")
    assert response.json() == {"reservations": [], "count": 0, "offset": 0, "limit": 20}


@pytest.mark.django_db
def test_order_reservations_of_an_unknown_order_is_not_found(api):
    response = api.get(f"{URL}/order_nope/reservations")
    assert response.status_code == 404
    assert response.json() == not_found("Order with id order_nope was not found")


# POST /admin/orders/{id}/line-items/{line_item_id}/reserve ---------------------------------


def reserve_url(order, line_id) -> str:
    return f"{URL}/{order.pk}/line-items/{line_id}/reserve"


@pytest.mark.django_db
def test_reserve_defaults_to_the_unreserved_unfulfilled_remainder(api, stock, staff, consistent):
    # given: a line of 5, 2 of them still reserved at a after the rest were released
    a, b, variant = stock
    order = place_order({variant: 5})
    line = line_of(order, variant)
    reservation_delete(reservation_id=ReservationItem.objects.get(line_item=line).pk)
    ReservationFactory(level=level_of(variant, a), quantity=2, line_item_id=line.pk)
    # when
    response = api.post(reserve_url(order, line.pk), {"location_id": b.pk}, format="json")
    # then: the 3 still missing, at b, by the acting user
    assert response.status_code == 200
    created = ReservationItem.objects.get(line_item=line, location=b)
    assert response.json() == {"reservation": reservation_json(created)}
    assert (created.quantity, created.created_by) == (3, staff.pk)
    assert level_of(variant, b).reserved_quantity == 3
    consistent()


@pytest.mark.django_db
def test_reserve_takes_a_partial_quantity(api, stock, consistent):
    a, b, variant = stock
    with without_allocation():
        order = place_order({variant: 5})
    line = line_of(order, variant)
    response = api.post(
        reserve_url(order, line.pk), {"location_id": b.pk, "quantity": 2}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["reservation"]["quantity"] == 2
    response = api.post(reserve_url(order, line.pk), {"location_id": a.pk}, format="json")
    assert response.json()["reservation"]["quantity"] == 3
    assert sorted(
        ReservationItem.objects.filter(line_item=line).values_list("location_id", "quantity")
    ) == sorted([(b.pk, 2), (a.pk, 3)])
    consistent()


@pytest.mark.django_db
def test_reserve_a_kit_makes_one_reservation_per_item_and_answers_the_first(api, stock, consistent):
    # given: kit 1 × frame + 3 × bolt, stocked at b only
    a, b, _ = stock
    frame, bolt = InventoryItemFactory(), InventoryItemFactory()
    LevelFactory(inventory_item=frame, location=b, stocked_quantity=10)
    LevelFactory(inventory_item=bolt, location=b, stocked_quantity=10)
    kit = VariantFactory(kit=[(frame.pk, 1), (bolt.pk, 3)])
    with without_allocation():
        order = place_order({kit: 3})
    line = line_of(order, kit)
    # when
    response = api.post(
        reserve_url(order, line.pk), {"location_id": b.pk, "quantity": 2}, format="json"
    )
    # then
    assert response.status_code == 200
    first = ReservationItem.objects.get(line_item=line, inventory_item=frame)
    assert response.json() == {"reservation": reservation_json(first)}
    assert sorted(
        ReservationItem.objects.filter(line_item=line).values_list("inventory_item_id", "quantity")
    ) == sorted([(frame.pk, 2), (bolt.pk, 6)])
    # and the default remainder then is 1 kit: 1 frame, 3 bolts
    response = api.post(reserve_url(order, line.pk), {"location_id": b.pk}, format="json")
    assert response.status_code == 200
    assert sorted(
        ReservationItem.objects.filter(line_item=line).values_list("inventory_item_id", "quantity")
    ) == sorted([(frame.pk, 3), (bolt.pk, 9)])
    consistent()


@pytest.mark.django_db
def test_reserve_after_a_partial_fulfillment_counts_only_unfulfilled_units(api, stock, consistent):
    a, b, variant = stock
    order = place_order({variant: 4})
    line = line_of(order, variant)
    api.post(
        f"{URL}/{order.pk}/fulfillment",
        {"items": [{"item_id": line.pk, "quantity": 3}], "location_id": a.pk},
        format="json",
    )
    reservation_delete(reservation_id=ReservationItem.objects.get(line_item=line).pk)
    response = api.post(reserve_url(order, line.pk), {"location_id": b.pk}, format="json")
    assert response.status_code == 200
    assert response.json()["reservation"]["quantity"] == 1
    consistent()


@pytest.mark.django_db
def test_reserve_a_fully_reserved_line_without_quantity_is_invalid(api, stock, consistent):
    a, b, variant = stock
    order = place_order({variant: 2})
    line = line_of(order, variant)
    response = api.post(reserve_url(order, line.pk), {"location_id": b.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == invalid(f"Line item {line.pk} is already fully reserved")
    consistent()


@pytest.mark.django_db
def test_reserve_more_than_the_unfulfilled_quantity_is_invalid(api, stock, consistent):
    a, b, variant = stock
    order = place_order({variant: 2})
    line = line_of(order, variant)
    response = api.post(
        reserve_url(order, line.pk), {"location_id": b.pk, "quantity": 1}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == invalid(
        "The reservation quantity cannot be greater than the unfulfilled line item quantity"
    )
    assert level_of(variant, b).reserved_quantity == 0
    consistent()


@pytest.mark.django_db
def test_reserve_more_than_available_is_insufficient_inventory(api, stock, consistent):
    a, b, variant = stock
    ReservationFactory(level=level_of(variant, b), quantity=8)
    with without_allocation():
        order = place_order({variant: 3})
    line = line_of(order, variant)
    response = api.post(reserve_url(order, line.pk), {"location_id": b.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "type": "not_allowed",
        "code": "insufficient_inventory",
        "message": f"Insufficient inventory for item {variant.sku} at location {b.pk}: "
        "requested 3, available 2",
    }
    assert not ReservationItem.objects.filter(line_item=line).exists()
    consistent()


@pytest.mark.django_db
def test_reserve_a_backorderable_line_past_stock(api, stock, consistent):
    a, b, _ = stock
    variant = stocked_variant((b, 1), allow_backorder=True)
    with without_allocation():
        order = place_order({variant: 4})
    line = line_of(order, variant)
    response = api.post(reserve_url(order, line.pk), {"location_id": b.pk}, format="json")
    assert response.status_code == 200
    assert level_of(variant, b).reserved_quantity == 4
    consistent()


@pytest.mark.django_db
def test_reserve_where_the_item_is_not_stocked_is_not_found(api, stock, consistent):
    _, _, variant = stock
    nowhere = StockLocationFactory()
    with without_allocation():
        order = place_order({variant: 1})
    line = line_of(order, variant)
    item = variant.inventory_items.get().pk
    for location in (nowhere.pk, "sloc_nope"):
        response = api.post(reserve_url(order, line.pk), {"location_id": location}, format="json")
        assert response.status_code == 404
        assert response.json() == not_found(f"Item {item} is not stocked at location {location}")
    consistent()


@pytest.mark.django_db
def test_reserve_a_line_of_another_order_is_not_found(api, stock, consistent):
    a, _, variant = stock
    order, other = place_order({variant: 1}), place_order({variant: 1})
    line = line_of(other, variant)
    response = api.post(reserve_url(order, line.pk), {"location_id": a.pk}, format="json")
    assert response.status_code == 404
    assert response.json() == not_found(
        f"Line item with id {line.pk} was not found in order {order.pk}"
    )
    response = api.post(reserve_url(order, "item_nope"), {"location_id": a.pk}, format="json")
    assert response.status_code == 404
    response = api.post(
        f"{URL}/order_nope/line-items/{line.pk}/reserve", {"location_id": a.pk}, format="json"
    )
    assert response.status_code == 404
    assert response.json() == not_found("Order with id order_nope was not found")
    consistent()


@pytest.mark.django_db
def test_reserve_a_line_without_a_managed_variant_is_invalid(api, stock, consistent):
    a, _, _ = stock
    unmanaged = VariantFactory(manage_inventory=False)
    order = place_order({unmanaged: 1}, custom=[("Fee", 1)])
    for line in order.items.all():
        response = api.post(reserve_url(order, line.pk), {"location_id": a.pk}, format="json")
        assert response.status_code == 400
        assert response.json() == invalid(
            f"Line item {line.pk} has no variant that manages inventory"
        )
    consistent()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "location_id is required"),
        ({"location_id": "x", "quantity": 0}, "quantity must be a positive integer"),
        ({"location_id": "x", "quantity": -1}, "quantity must be a positive integer"),
        ({"location_id": "x", "quantity": "two"}, "quantity must be a positive integer"),
        ({"location_id": "x", "foo": 1}, "property foo should not exist"),
    ],
)
def test_reserve_validates_its_body(api, stock, body, message):
    order = place_order({stock[2]: 1})
    line = line_of(order, stock[2])
    response = api.post(reserve_url(order, line.pk), body, format="json")
    assert response.status_code == 400
    assert response.json() == invalid(message)


# Cancel, complete, archive ---------------------------------------------------------------


@pytest.mark.django_db
def test_cancel_releases_every_reservation_and_cancels_the_statuses(api, stock, consistent):
    # given: an auto reservation split over a and b plus a manual one made for the line
    a, b, variant = stock
    order = place_order({variant: 12})
    other = place_order({variant: 1})
    line = line_of(order, variant)
    reservation_update(
        reservation_id=ReservationItem.objects.get(line_item=line, location=b).pk, quantity=1
    )
    ReservationFactory(level=level_of(variant, b), quantity=1, line_item_id=line.pk)
    consistent()
    # when
    response = api.post(f"{URL}/{order.pk}/cancel")
    # then
    assert response.status_code == 200
    body = response.json()["order"]
    assert (body["status"], body["fulfillment_status"], body["payment_status"]) == (
        "canceled",
        "canceled",
        "canceled",
    )
    assert body["canceled_at"] is not None
    assert body == order_json(order, subtotal=12000, shipping_total=0, tax_total=0, total=12000)
    assert not ReservationItem.objects.filter(line_item__order=order).exists()
    assert ReservationItem.objects.filter(line_item__order=other).count() == 1
    # (the other order's unit is held at b: the order took all of a)
    assert (level_of(variant, a).reserved_quantity, level_of(variant, b).reserved_quantity) == (
        0,
        1,
    )
    assert (level_of(variant, a).stocked_quantity, level_of(variant, b).stocked_quantity) == (
        10,
        10,
    )
    consistent()


@pytest.mark.django_db
def test_cancel_twice_answers_the_canceled_order(api, stock):
    order = place_order({stock[2]: 1})
    first = api.post(f"{URL}/{order.pk}/cancel").json()["order"]
    response = api.post(f"{URL}/{order.pk}/cancel")
    assert response.status_code == 200
    assert response.json()["order"]["canceled_at"] == first["canceled_at"]


@pytest.mark.django_db
def test_cancel_needs_every_fulfillment_canceled(api, stock, consistent):
    # given
    a, _, variant = stock
    order = place_order({variant: 2})
    line = line_of(order, variant)
    api.post(
        f"{URL}/{order.pk}/fulfillment",
        {"items": [{"item_id": line.pk, "quantity": 1}], "location_id": a.pk},
        format="json",
    )
    # when
    response = api.post(f"{URL}/{order.pk}/cancel")
    # then: refused, nothing released
    assert response.status_code == 400
    assert response.json() == not_allowed(
        "All fulfillments must be canceled before canceling an order"
    )
    assert Order.objects.get(pk=order.pk).status == "pending"
    assert ReservationItem.objects.get(line_item=line).quantity == 1
    # and once the fulfillment is canceled, the order can be
    fulfillment = order.fulfillments.get()
    api.post(f"{URL}/{order.pk}/fulfillments/{fulfillment.pk}/cancel")
    response = api.post(f"{URL}/{order.pk}/cancel")
    assert response.status_code == 200
    assert response.json()["order"]["status"] == "canceled"
    assert not ReservationItem.objects.filter(line_item=line).exists()
    level = level_of(variant, a)
    assert (level.stocked_quantity, level.reserved_quantity) == (10, 0)
    consistent()


@pytest.mark.django_db
def test_complete_then_archive_change_the_status(api, stock):
    order = place_order({stock[2]: 1})
    response = api.post(f"{URL}/{order.pk}/archive")
    assert response.status_code == 400
    assert response.json() == not_allowed("Only completed or canceled orders can be archived")
    response = api.post(f"{URL}/{order.pk}/complete")
    assert response.status_code == 200
    assert response.json()["order"]["status"] == "completed"
    response = api.post(f"{URL}/{order.pk}/archive")
    assert response.status_code == 200
    assert response.json()["order"]["status"] == "archived"
    assert ids(api.get(f"{URL}?status=archived")) == [order.pk]


@pytest.mark.django_db
def test_a_canceled_order_can_be_archived(api, stock):
    order = place_order({stock[2]: 1})
    api.post(f"{URL}/{order.pk}/cancel")
    response = api.post(f"{URL}/{order.pk}/archive")
    assert response.status_code == 200
    assert response.json()["order"]["status"] == "archived"


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["canceled", "archived"])
def test_a_canceled_order_takes_no_stock_and_is_not_completed_even_archived(
    api, stock, consistent, status
):
    # given: canceled (and then archived)
    a, _, variant = stock
    order = place_order({variant: 2})
    line = line_of(order, variant)
    api.post(f"{URL}/{order.pk}/cancel")
    if status == "archived":
        assert api.post(f"{URL}/{order.pk}/archive").json()["order"]["status"] == "archived"
    item = level_of(variant, a).inventory_item_id
    refusals = {
        f"{URL}/{order.pk}/complete": ({}, "A canceled order cannot be completed"),
        f"{URL}/{order.pk}/fulfillment": (
            {"items": [{"item_id": line.pk, "quantity": 1}], "location_id": a.pk},
            "A canceled order cannot be fulfilled",
        ),
        f"{URL}/{order.pk}/return": (
            {"items": [{"item_id": line.pk, "quantity": 1}]},
            "A canceled order cannot have returns",
        ),
        reserve_url(order, line.pk): (
            {"location_id": a.pk},
            f"Line item {line.pk} belongs to a canceled order",
        ),
        "/admin/reservations": (
            {
                "line_item_id": line.pk,
                "inventory_item_id": item,
                "location_id": a.pk,
                "quantity": 1,
            },
            f"Line item {line.pk} belongs to a canceled order",
        ),
    }
    for path, (body, message) in refusals.items():
        # when
        response = api.post(path, body, format="json")
        # then
        assert (response.status_code, response.json()) == (400, not_allowed(message)), path
    # canceling again changes nothing
    response = api.post(f"{URL}/{order.pk}/cancel")
    assert response.status_code == 200
    assert response.json()["order"]["status"] == status
    assert Order.objects.get(pk=order.pk).status == status
    assert not ReservationItem.objects.filter(line_item=line).exists()
    consistent()


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["cancel", "complete", "archive"])
def test_status_changes_of_an_unknown_order_are_not_found(api, action):
    response = api.post(f"{URL}/order_nope/{action}")
    assert response.status_code == 404
    assert response.json() == not_found("Order with id order_nope was not found")


@pytest.mark.django_db
def test_cancel_an_order_of_13_lines_sharing_one_item(api, stock, consistent):
    # Medusa's case: 13 products attached to the same inventory item, stocked 100
    a, b, _ = stock
    item = InventoryItemFactory()
    LevelFactory(inventory_item=item, location=b, stocked_quantity=100)
    variants = [VariantFactory(kit=[(item.pk, 1)]) for _ in range(13)]
    order = place_order([(variant, 1) for variant in variants])
    level = InventoryLevel.objects.get(inventory_item=item, location=b)
    assert (level.reserved_quantity, ReservationItem.objects.count()) == (13, 13)
    # when
    response = api.post(f"{URL}/{order.pk}/cancel")
    # then
    assert response.status_code == 200
    assert len(response.json()["order"]["items"]) == 13
    level.refresh_from_db()
    assert (level.stocked_quantity, level.reserved_quantity) == (100, 0)
    assert not ReservationItem.objects.exists()
    consistent()
