"""Orders, regions and shipping options through the admin: orders are read-only pages whose
actions call `orders.services`; a line's reservations are edited through the reservation
admin, which applies the line rules."""

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote

from config.admin import admin_link
from inventory.models import InventoryLevel
from inventory.services import inventory_level_update
from orders import services
from orders.allocation import LINE_LIMIT, reservation_delete
from orders.models import Order, Region, ShippingOption
from reservations.models import ReservationItem
from tests.admin.utils import admin_url, form_errors, messages_of, no_inline_rows
from tests.factories.inventory import LevelFactory, StockLocationFactory
from tests.factories.orders import channel_with_locations, line_of, place_order, stocked_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def location(default_channel):
    """A warehouse linked to the default channel (where orders are placed)."""
    location = StockLocationFactory(name="Main")
    channel_with_locations(location)
    return location


def level_of(variant, location) -> InventoryLevel:
    return InventoryLevel.objects.get(
        inventory_item__variant_links__variant=variant, location=location
    )


def run_action(dashboard, action: str, *orders):
    return dashboard.post(
        admin_url(Order, "changelist"),
        {"action": action, "_selected_action": [order.pk for order in orders]},
    )


def release(order) -> None:
    """Delete the order's reservations through the reservation service."""
    for reservation in ReservationItem.objects.filter(line_item__order=order):
        reservation_delete(reservation_id=reservation.pk)


# Allocate ---------------------------------------------------------------------------------


def test_admin_allocate_action_reserves_a_line_that_lost_its_reservation(
    dashboard, location, consistent
):
    # given
    variant = stocked_variant((location, 10))
    order = place_order({variant: 2})
    release(order)
    assert level_of(variant, location).reserved_quantity == 0
    # when
    response = run_action(dashboard, "allocate_stock", order)
    # then
    assert response.status_code == 302
    assert messages_of(response) == [("success", "Reserved 2 units for 1 line.")]
    reservation = ReservationItem.objects.get()
    assert (reservation.line_item_id, reservation.location_id, reservation.quantity) == (
        line_of(order, variant).pk,
        location.pk,
        2,
    )
    assert level_of(variant, location).reserved_quantity == 2
    consistent()


def test_admin_allocate_action_reports_short_lines_as_a_warning(dashboard, location, consistent):
    # given: two orders lost their reservations, then one item's stock dropped to 1
    plenty = stocked_variant((location, 10))
    scarce = stocked_variant((location, 5))
    first, second = place_order({plenty: 2}), place_order({scarce: 3})
    release(first)
    release(second)
    inventory_level_update(
        item_id=scarce.inventory_items.get().pk, location_id=location.pk, stocked_quantity=1
    )
    short = line_of(second, scarce)
    # when
    response = run_action(dashboard, "allocate_stock", first, second)
    # then
    assert messages_of(response) == [
        ("success", "Reserved 2 units for 1 line."),
        (
            "warning",
            f"Nothing reserved for 1 short line: {short.title} (line {short.pk}, "
            f"{scarce.inventory_items.get().sku}): missing 2 of 3 (available 1)",
        ),
    ]
    assert list(ReservationItem.objects.values_list("line_item_id", "quantity")) == [
        (line_of(first, plenty).pk, 2)
    ]
    assert level_of(scarce, location).reserved_quantity == 0
    consistent()


def test_admin_allocate_action_on_fully_reserved_orders_reserves_nothing(
    dashboard, location, consistent
):
    variant = stocked_variant((location, 10))
    order = place_order({variant: 2})

    response = run_action(dashboard, "allocate_stock", order)

    assert messages_of(response) == [
        ("info", "Nothing to reserve: the open lines of these orders are fully reserved.")
    ]
    assert ReservationItem.objects.get().quantity == 2
    consistent()


# Cancel, complete, archive ----------------------------------------------------------------


def test_admin_cancel_action_releases_the_orders_reservations(dashboard, location, consistent):
    # given
    variant = stocked_variant((location, 10))
    order = place_order({variant: 4})
    assert level_of(variant, location).reserved_quantity == 4
    # when
    response = run_action(dashboard, "cancel_orders", order)
    # then
    assert messages_of(response) == [("success", "Canceled 1 order.")]
    order.refresh_from_db()
    assert (order.status, order.fulfillment_status, order.payment_status) == ("canceled",) * 3
    assert not ReservationItem.objects.exists()
    assert level_of(variant, location).reserved_quantity == 0
    consistent()


def test_admin_cancel_action_reports_a_refusal_and_still_cancels_the_others(
    dashboard, location, consistent
):
    # given: the first order has a live fulfillment
    variant = stocked_variant((location, 10))
    fulfilled, plain = place_order({variant: 1}), place_order({variant: 2})
    services.fulfillment_create(
        order_id=fulfilled.pk,
        items=[{"item_id": line_of(fulfilled, variant).pk, "quantity": 1}],
        location_id=location.pk,
    )
    # when
    response = run_action(dashboard, "cancel_orders", fulfilled, plain)
    # then
    assert messages_of(response) == [
        (
            "error",
            f"Order #{fulfilled.display_id}: All fulfillments must be canceled before "
            "canceling an order",
        ),
        ("success", "Canceled 1 order."),
    ]
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses == {fulfilled.pk: "pending", plain.pk: "canceled"}
    assert not ReservationItem.objects.exists()
    level = level_of(variant, location)
    assert (level.stocked_quantity, level.reserved_quantity) == (9, 0)
    consistent()


def test_admin_archive_action_refuses_a_pending_order_and_archives_a_completed_one(
    dashboard, location
):
    variant = stocked_variant((location, 10))
    pending, done = place_order({variant: 1}), place_order({variant: 1})

    completed = run_action(dashboard, "complete_orders", done)
    assert messages_of(completed) == [("success", "Completed 1 order.")]
    dashboard.get(admin_url(Order, "changelist"))  # shows (and so clears) that message
    archived = run_action(dashboard, "archive_orders", pending, done)

    assert messages_of(archived) == [
        (
            "error",
            f"Order #{pending.display_id}: Only completed or canceled orders can be archived",
        ),
        ("success", "Archived 1 order."),
    ]
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses == {pending.pk: "pending", done.pk: "archived"}


# Read-only pages --------------------------------------------------------------------------


def test_admin_orders_are_not_added_or_deleted_by_hand_and_change_through_the_service(
    dashboard, location
):
    order = place_order({stocked_variant((location, 10)): 1})

    add = dashboard.get(admin_url(Order, "add"))
    delete = dashboard.post(admin_url(Order, "delete", order.pk), {"post": "yes"})
    change = dashboard.post(
        admin_url(Order, "change", order.pk),
        {
            "email": "x@example.com",
            "shipping_address_first_name": "Ada",
            "shipping_address_city": "Berlin",
            "metadata": "gift = true",
            "status": "canceled",  # not a field: ignored
        },
    )
    changelist = dashboard.get(admin_url(Order, "changelist"))

    assert (add.status_code, delete.status_code, change.status_code) == (403, 403, 302)
    assert [name for name, _ in changelist.context["action_form"].fields["action"].choices] == [
        "",
        "allocate_stock",
        "cancel_orders",
        "complete_orders",
        "archive_orders",
    ]
    order.refresh_from_db()
    assert (order.email, order.status) == ("x@example.com", "pending")
    assert order.shipping_address == {"first_name": "Ada", "city": "Berlin"}
    assert order.metadata == {"gift": True}


def test_admin_order_metadata_is_saved_as_the_form_shows_it_so_a_removed_line_is_gone(
    dashboard, location
):
    # given an order with two metadata keys
    order = place_order({stocked_variant((location, 10)): 1})
    Order.objects.filter(pk=order.pk).update(metadata={"gift": True, "note": "ring twice"})
    page = dashboard.get(admin_url(Order, "change", order.pk))
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in ("email", "metadata")}
    assert data["metadata"] == "gift = true\nnote = ring twice"
    # when staff delete the note's line and save
    saved = dashboard.post(
        admin_url(Order, "change", order.pk), {**data, "metadata": "gift = true"}
    )
    # then the order keeps only what the form showed (the API's update still merges keys)
    assert saved.status_code == 302
    order.refresh_from_db()
    assert order.metadata == {"gift": True}


def test_admin_order_page_shows_lines_reservations_fulfillments_and_returns(dashboard, location):
    # given: a line fulfilled, shipped and partly returned, another reserved
    shipped, reserved = stocked_variant((location, 10)), stocked_variant((location, 10))
    order = place_order({shipped: 2, reserved: 3})
    fulfillment = services.fulfillment_create(
        order_id=order.pk,
        items=[{"item_id": line_of(order, shipped).pk, "quantity": 2}],
        location_id=location.pk,
    )
    services.fulfillment_ship(order_id=order.pk, fulfillment_id=fulfillment.pk)
    services.return_request(
        order_id=order.pk,
        items=[{"item_id": line_of(order, shipped).pk, "quantity": 1}],
        location_id=location.pk,
        receive_now=True,
    )
    reservation = ReservationItem.objects.get()
    # when
    response = dashboard.get(admin_url(Order, "change", order.pk))
    # then
    assert response.status_code == 200
    work = response.context["work"]
    rows = [
        (
            row.label,
            row.line.fulfilled_quantity,
            row.line.shipped_quantity,
            row.line.returned_quantity,
            row.held,
        )
        for row in work["rows"]
    ]
    assert rows == [(str(shipped), 2, 2, 1, 0), (str(reserved), 0, 0, 0, 3)]
    assert [f.pk for f, _ in work["fulfillments"]] == [fulfillment.pk]
    assert [r.status for r, _ in work["returns"]] == ["received"]
    content = response.content.decode()
    assert admin_url(ReservationItem, "change", quote(reservation.pk)) in content
    assert f"2 × {shipped}" in content  # the fulfillment's items


def test_admin_order_list_searches_and_filters(dashboard, location):
    variant = stocked_variant((location, 10))
    first = place_order({variant: 1}, email="first@example.com")
    second = place_order({variant: 1}, email="second@example.com")
    services.order_cancel(order_id=second.pk)
    url = admin_url(Order, "changelist")

    by_email = dashboard.get(url, {"q": "first@"})
    by_display_id = dashboard.get(url, {"q": str(second.display_id)})
    by_id = dashboard.get(url, {"q": first.pk})
    canceled = dashboard.get(url, {"status__exact": "canceled"})
    by_channel = dashboard.get(url, {"sales_channel__id__exact": first.sales_channel_id})
    nonsense = dashboard.get(url, {"q": "no such thing"})

    def found(response):
        return [order.pk for order in response.context["cl"].result_list]

    assert found(by_email) == [first.pk]
    assert found(by_display_id) == [second.pk]
    assert found(by_id) == [first.pk]
    assert found(canceled) == [second.pk]
    assert sorted(found(by_channel)) == sorted([first.pk, second.pk])
    assert found(nonsense) == []


def test_admin_order_list_shows_totals_without_a_query_per_order(
    dashboard, location, django_assert_max_num_queries
):
    variant = stocked_variant((location, 100))
    for _ in range(8):
        place_order({variant: 2}, custom=[("Gift wrap", 1)])

    with django_assert_max_num_queries(10):
        response = dashboard.get(admin_url(Order, "changelist"))

    assert response.context["cl"].result_count == 8
    assert response.content.decode().count("25.00\xa0USD") == 8  # on one line


# The reservation admin on order lines -----------------------------------------------------


def reservation_data(level, quantity, line_item_id) -> dict:
    return {
        "inventory_item": level.inventory_item_id,
        "location": level.location_id,
        "quantity": quantity,
        "line_item_id": line_item_id,
        "description": "",
        "external_id": "",
        "metadata": "",
    }


def test_admin_reservation_for_an_order_line_applies_the_line_rules(
    dashboard, location, consistent
):
    # given: a line of 3 units whose reservation was released
    variant = stocked_variant((location, 10))
    order = place_order({variant: 3})
    release(order)
    line = line_of(order, variant)
    level = level_of(variant, location)
    other_item = LevelFactory(location=location, stocked_quantity=10)
    url = admin_url(ReservationItem, "add")
    # when
    too_many = dashboard.post(url, reservation_data(level, 4, line.pk))
    wrong_item = dashboard.post(url, reservation_data(other_item, 1, line.pk))
    ok = dashboard.post(url, reservation_data(level, 3, line.pk))
    # then
    assert form_errors(too_many) == [LINE_LIMIT]
    assert form_errors(wrong_item) == [
        f"Inventory item {other_item.inventory_item} is not part of the variant of line "
        f"item {variant} of {order}"
    ]
    assert ok.status_code == 302
    reservation = ReservationItem.objects.get()
    assert (reservation.line_item_id, reservation.quantity) == (line.pk, 3)
    assert level_of(variant, location).reserved_quantity == 3
    consistent()


def test_admin_reservation_for_an_unknown_line_is_a_form_error(dashboard, location, consistent):
    level = LevelFactory(location=location, stocked_quantity=10)

    response = dashboard.post(
        admin_url(ReservationItem, "add"), reservation_data(level, 1, "item_missing")
    )

    assert response.status_code == 200
    assert form_errors(response) == ["Line item with item_missing was not found"]
    assert not ReservationItem.objects.exists()
    consistent()


def test_admin_reservation_list_finds_an_orders_reservations_by_its_id(dashboard, location):
    variant = stocked_variant((location, 10))
    order = place_order({variant: 1})
    place_order({variant: 1})

    response = dashboard.get(admin_url(ReservationItem, "changelist"), {"q": order.pk})

    assert [r.line_item_id for r in response.context["cl"].result_list] == [
        line_of(order, variant).pk
    ]


# Regions and shipping options -------------------------------------------------------------


def region_data(**fields) -> dict:
    return {
        "name": "Europe",
        "currency_code": "eur",
        "tax_rate": "25",
        "countries": '["dk", "de"]',
        "payment_providers": "",
        "fulfillment_providers": "",
        "metadata": "",
        **fields,
    }


def test_admin_add_and_change_region_through_the_services(dashboard):
    added = dashboard.post(admin_url(Region, "add"), region_data())
    region = Region.objects.get()
    changed = dashboard.post(
        admin_url(Region, "change", region.pk),
        region_data(name="EU", tax_rate="20") | no_inline_rows("shipping_options"),
    )

    assert (added.status_code, changed.status_code) == (302, 302)
    region.refresh_from_db()
    assert (region.name, region.currency_code, str(region.tax_rate)) == ("EU", "eur", "20.00")
    assert (region.countries, region.payment_providers) == (["dk", "de"], [])


def test_admin_delete_region_in_use_is_refused(dashboard, location):
    # given: one region with a shipping option, another used by an order
    region = services.region_create(name="Europe", currency_code="eur")
    option = services.shipping_option_create(region_id=region.pk, name="Post", amount=500)
    ordered = services.region_create(name="Nordics", currency_code="dkk")
    place_order({stocked_variant((location, 10)): 1}, region_id=ordered.pk)
    # when
    protected = dashboard.post(admin_url(Region, "delete", region.pk), {"post": "yes"})
    bulk = dashboard.post(
        admin_url(Region, "changelist"),
        {"action": "delete_selected", "_selected_action": [ordered.pk], "post": "yes"},
    )
    option_deleted = dashboard.post(admin_url(ShippingOption, "delete", option.pk), {"post": "yes"})
    region_deleted = dashboard.post(admin_url(Region, "delete", region.pk), {"post": "yes"})
    # then
    assert (protected.status_code, bulk.status_code) == (200, 200)
    assert protected.context["protected"] == [f"Shipping option: {admin_link(option)}"]
    assert bulk.context["protected"] == [f"Order: {admin_link(Order.objects.get())}"]
    assert (option_deleted.status_code, region_deleted.status_code) == (302, 302)
    assert list(Region.objects.values_list("pk", flat=True)) == [ordered.pk]


def test_admin_add_and_change_shipping_option_through_the_services(dashboard):
    region = services.region_create(name="Europe", currency_code="eur")
    data = {
        "region": region.pk,
        "name": "Post",
        "provider_id": "manual",
        "price_type": "flat_rate",
        "amount": 500,
        "data": "",
        "metadata": "",
    }

    added = dashboard.post(admin_url(ShippingOption, "add"), data)
    option = ShippingOption.objects.get()
    changed = dashboard.post(
        admin_url(ShippingOption, "change", option.pk), {**data, "amount": 650, "region": ""}
    )

    assert (added.status_code, changed.status_code) == (302, 302)
    option.refresh_from_db()
    assert (option.region_id, option.name, option.amount, option.data) == (
        region.pk,
        "Post",
        650,
        {},
    )


def test_admin_shipping_option_with_a_negative_amount_is_a_field_error(dashboard):
    region = services.region_create(name="Europe", currency_code="eur")

    response = dashboard.post(
        admin_url(ShippingOption, "add"),
        {"region": region.pk, "name": "Post", "provider_id": "manual", "price_type": "flat_rate"}
        | {"amount": -1, "data": "", "metadata": ""},
    )

    assert form_errors(response) == ["amount: Ensure this value is greater than or equal to 0."]
    assert not ShippingOption.objects.exists()


# Every page renders -----------------------------------------------------------------------

MODELS = [Region, ShippingOption, Order]


@pytest.fixture
def orders(location):
    region = services.region_create(name="Europe", currency_code="eur", countries=["dk"])
    services.shipping_option_create(region_id=region.pk, name="Post", amount=500)
    variant = stocked_variant((location, 10))
    for n in range(2):
        place_order({variant: n + 1}, custom=[("Gift wrap", 1)], region_id=region.pk)


def test_order_side_models_are_registered():
    assert all(admin.site.is_registered(model) for model in MODELS)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_changelist_and_change_page_render(dashboard, orders, model):
    obj = model.objects.first()

    changelist = dashboard.get(admin_url(model, "changelist"))
    search = dashboard.get(admin_url(model, "changelist"), {"q": "1"})
    change = dashboard.get(admin_url(model, "change", obj.pk))

    assert (changelist.status_code, search.status_code, change.status_code) == (200, 200, 200)
    assert changelist.context["cl"].result_count == model.objects.count() > 0


@pytest.mark.parametrize("model", [Region, ShippingOption], ids=lambda m: m.__name__)
def test_admin_add_page_renders(dashboard, model):
    assert dashboard.get(admin_url(model, "add")).status_code == 200
