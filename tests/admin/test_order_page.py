"""The work on an order's admin page (`orders.order_page`): reserve a line at a location,
fulfil from a chosen location, ship or cancel a fulfilment, request and receive a return,
change the order's status; each through the services, refusals as readable messages."""

import pytest
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Permission
from django.urls import reverse

from config.models import User
from orders.models import Fulfillment, Order, Return
from reservations.models import ReservationItem
from tests.admin.test_orders import release
from tests.admin.utils import admin_url, messages_of
from tests.factories.orders import level_of, line_of, mug_store, place_order, release_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(default_channel):
    return mug_store()


@pytest.fixture
def berlin(store):
    return store.berlin


@pytest.fixture
def hamburg(store):
    return store.hamburg


@pytest.fixture
def mugs(store):
    return store.black, store.white


def act(dashboard, order, action: str, data=None):
    """Press a button of the order's page; `.said` holds the messages it showed (the page is
    loaded again, which shows them, as the browser would)."""
    url = reverse("admin:orders_order_act", args=[quote(order.pk), action])
    response = dashboard.post(url, data or {})
    response.said = messages_of(response)
    if response.status_code == 302:
        assert dashboard.get(response.url).status_code == 200
    return response


def page_of(dashboard, order):
    return dashboard.get(admin_url(Order, "change", quote(order.pk)))


def test_order_page_shows_each_line_with_its_stock_per_location(
    dashboard, mugs, django_assert_max_num_queries
):
    black, white = mugs
    order = place_order({black: 2, white: 1})
    release_line(order, white)
    with django_assert_max_num_queries(30):
        response = page_of(dashboard, order)

    work = response.context["work"]
    assert [name for _, name in work["locations"]] == ["Berlin", "Hamburg"]
    rows = {row.label: row for row in work["rows"]}
    assert set(rows) == {"Enamel Mug / Black (MUG-BLACK)", "Enamel Mug / White (MUG-WHITE)"}
    black_row, white_row = (
        rows["Enamel Mug / Black (MUG-BLACK)"],
        rows["Enamel Mug / White (MUG-WHITE)"],
    )
    assert (black_row.held, black_row.needs, black_row.reserved) == (2, 2, {"Berlin": 2})
    assert black_row.available == [8, 4]  # 10 - 2 reserved at Berlin
    assert (white_row.held, white_row.missing, white_row.reservable) == (0, 1, True)
    assert not black_row.reservable
    content = response.content.decode()
    assert content.count('name="line_id"') == 1  # "Reserve" only on the line not fully reserved
    assert "short 1" in content
    assert 'id="act-fulfil"' in content
    assert "total 30.00 USD" in content


def reserve_unreserved_order(dashboard, variant, quantity: int, location):
    """Place an order of `quantity` units, release them, then press its line's "Reserve"."""
    order = place_order({variant: quantity})
    release(order)
    line = line_of(order, variant)
    data = {"line_id": line.pk, f"location_{line.pk}": location.pk}
    return order, act(dashboard, order, "reserve", data)


def test_reserve_a_line_at_the_chosen_location(dashboard, mugs, hamburg, consistent):
    black, _ = mugs

    order, response = reserve_unreserved_order(dashboard, black, 3, hamburg)

    assert response.status_code == 302
    assert response.url == admin_url(Order, "change", quote(order.pk))
    assert response.said == [("success", "Reserved the line at Hamburg.")]
    reservation = ReservationItem.objects.get()
    assert (reservation.location_id, reservation.quantity) == (hamburg.pk, 3)
    assert level_of(black, hamburg).reserved_quantity == 3
    consistent()


def test_reserve_past_the_stock_is_refused_in_names_not_ids(dashboard, mugs, hamburg, consistent):
    black, _ = mugs

    _, response = reserve_unreserved_order(dashboard, black, 5, hamburg)

    [(level, message)] = response.said
    assert level == "error"
    assert message == (
        "Insufficient inventory for item MUG-BLACK at location Hamburg: requested 5, available 4"
    )
    assert "iitem_" not in message
    assert "sloc_" not in message
    assert not ReservationItem.objects.exists()
    consistent()


def test_fulfil_from_the_chosen_location_takes_its_stock(dashboard, mugs, hamburg, consistent):
    black, white = mugs
    order = place_order({black: 2, white: 1})  # reserved at Berlin

    response = act(
        dashboard,
        order,
        "fulfil",
        {
            "location_id": hamburg.pk,
            f"fulfil_{line_of(order, black).pk}": "2",
            f"fulfil_{line_of(order, white).pk}": "0",
        },
    )

    assert response.said == [("success", "Fulfilled 2 units from Hamburg.")]
    fulfillment = Fulfillment.objects.get()
    assert fulfillment.location_id == hamburg.pk
    assert level_of(black, hamburg).stocked_quantity == 2
    line = line_of(order, black)
    assert line.fulfilled_quantity == 2
    assert not ReservationItem.objects.filter(line_item=line).exists()
    consistent()


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({}, "Choose the location to fulfil from"),
        ({"quantity": "two"}, "Quantity 'two' is not a whole number"),
        ({"quantity": "0"}, "Enter a quantity for at least one line"),
        ({"quantity": "9"}, "Insufficient stock for item"),
    ],
)
def test_fulfil_refusals_are_messages_and_write_nothing(
    dashboard, mugs, hamburg, consistent, data, said
):
    black, _ = mugs
    order = place_order({black: 9})
    fields = {f"fulfil_{line_of(order, black).pk}": data.get("quantity", "1")}
    if data:
        fields["location_id"] = hamburg.pk

    response = act(dashboard, order, "fulfil", fields)

    [(level, message)] = response.said
    assert level == "error"
    assert said in message
    assert not Fulfillment.objects.exists()
    consistent()


def test_ship_then_cancel_is_refused_and_cancel_before_shipping_puts_stock_back(
    dashboard, mugs, berlin, consistent
):
    black, _ = mugs
    order = place_order({black: 2})
    line = line_of(order, black)
    fulfil = {"location_id": berlin.pk, f"fulfil_{line.pk}": "2"}
    act(dashboard, order, "fulfil", fulfil)
    first = Fulfillment.objects.get()

    canceled = act(dashboard, order, "cancel-fulfillment", {"fulfillment_id": first.pk})

    assert canceled.said == [
        (
            "success",
            "Canceled the fulfilment: its units are back in stock at Berlin and reserved again.",
        )
    ]
    assert (
        level_of(black, berlin).stocked_quantity,
        level_of(black, berlin).reserved_quantity,
    ) == (
        10,
        2,
    )
    act(dashboard, order, "fulfil", fulfil)
    second = Fulfillment.objects.exclude(pk=first.pk).get()
    shipped = act(
        dashboard,
        order,
        "ship",
        {"fulfillment_id": second.pk, f"tracking_{second.pk}": "TRK-1 TRK-2"},
    )
    refused = act(dashboard, order, "cancel-fulfillment", {"fulfillment_id": second.pk})

    assert shipped.said == [("success", "Marked the fulfilment shipped.")]
    second.refresh_from_db()
    assert second.tracking_numbers == ["TRK-1", "TRK-2"]
    assert refused.said[0][0] == "error"
    assert "already been shipped" in refused.said[0][1]
    consistent()


def test_return_requested_then_received_at_a_location(dashboard, mugs, berlin, hamburg, consistent):
    black, _ = mugs
    order = place_order({black: 2})
    line = line_of(order, black)
    act(dashboard, order, "fulfil", {"location_id": berlin.pk, f"fulfil_{line.pk}": "2"})

    requested = act(dashboard, order, "request-return", {f"return_{line.pk}": "1"})
    ret = Return.objects.get()
    received = act(
        dashboard, order, "receive-return", {"return_id": ret.pk, f"location_{ret.pk}": hamburg.pk}
    )

    assert requested.said == [("success", "Requested a return of 1 unit.")]
    assert received.said == [("success", "Received the return at Hamburg: its units are in stock.")]
    ret.refresh_from_db()
    assert (ret.status, ret.location_id) == ("received", hamburg.pk)
    assert level_of(black, hamburg).stocked_quantity == 5
    assert line_of(order, black).returned_quantity == 1
    again = act(dashboard, order, "cancel-return", {"return_id": ret.pk})
    assert again.said == [("error", "A received return cannot be canceled")]
    consistent()


def test_return_received_at_once_and_a_return_of_another_order_is_refused(
    dashboard, mugs, berlin, consistent
):
    black, _ = mugs
    order, other = place_order({black: 1}), place_order({black: 1})
    line = line_of(order, black)
    act(dashboard, order, "fulfil", {"location_id": berlin.pk, f"fulfil_{line.pk}": "1"})

    response = act(
        dashboard,
        order,
        "request-return",
        {f"return_{line.pk}": "1", "location_id": berlin.pk, "receive_now": "on"},
    )
    ret = Return.objects.get()
    foreign = act(dashboard, other, "cancel-return", {"return_id": ret.pk})

    assert response.said == [("success", "Received a return of 1 unit at Berlin.")]
    assert level_of(black, berlin).stocked_quantity == 10
    assert foreign.said[0][0] == "error"
    consistent()


def test_status_buttons_cancel_complete_and_archive(dashboard, mugs, berlin, consistent):
    black, _ = mugs
    canceled, completed = place_order({black: 2}), place_order({black: 1})

    cancel = act(dashboard, canceled, "cancel")
    complete = act(dashboard, completed, "complete")
    archive = act(dashboard, completed, "archive")
    refused = act(dashboard, canceled, "complete")

    assert cancel.said == [("success", "Canceled the order: its reservations are released.")]
    assert complete.said == [("success", "Completed the order.")]
    assert archive.said == [("success", "Archived the order.")]
    assert refused.said == [("error", "A canceled order cannot be completed")]
    assert Order.objects.get(pk=completed.pk).status == "archived"
    assert level_of(black, berlin).reserved_quantity == 1  # the archived order's, kept
    consistent()


def test_allocate_button_reserves_what_the_lines_lack(dashboard, mugs, berlin, consistent):
    black, _ = mugs
    order = place_order({black: 2})
    release(order)

    response = act(dashboard, order, "allocate")

    assert response.said == [("success", "Reserved 2 units.")]
    assert level_of(black, berlin).reserved_quantity == 2
    consistent()


def test_actions_need_a_post_and_the_right_to_change_orders(client, dashboard, mugs, consistent):
    black, _ = mugs
    order = place_order({black: 1})
    viewer = User.objects.create_user(email="viewer@example.com", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(viewer)
    url = reverse("admin:orders_order_act", args=[quote(order.pk), "cancel"])

    assert dashboard.get(url).status_code == 405
    response = act(client, order, "cancel")

    assert response.said == [("error", "You may not change orders.")]
    assert Order.objects.get(pk=order.pk).status == "pending"
    assert "act-cancel" not in page_of(client, order).content.decode()
    consistent()
