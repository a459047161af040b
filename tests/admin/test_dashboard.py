"""The dashboard's home and routes, names and numbers as staff read them, searches, and the
stock edits with a reason: through Django's test client."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import quote

from config.admin import readable
from config.admin_fields import MetadataField
from inventory.models import InventoryItem, InventoryLevel, StockMovement
from inventory.services import stock_adjust
from orders.models import Order
from orders.money import money_text
from reservations.models import ReservationItem
from tests.admin.test_levels import level_data
from tests.admin.utils import admin_url, form_errors
from tests.factories.orders import level_of, line_of, mug_store, place_order, short_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(default_channel):
    """The mug store, with an order whose white mug lost its reservation."""
    store = mug_store()
    store.order = short_order(store)
    return store


# Routes ------------------------------------------------------------------------------------


def test_the_root_takes_people_to_the_dashboard(client):
    response = client.get("/")

    assert response.status_code == 302
    assert response.url == "/dashboard/"


@pytest.mark.parametrize(
    ("method", "path"), [("get", "/admin/"), ("get", "/admin"), ("post", "/admin/")]
)
def test_the_api_prefix_itself_says_where_the_dashboard_is(anon, method, path):
    response = getattr(anon, method)(path)

    assert response.status_code == 404
    assert response.json()["type"] == "not_found"
    assert "/dashboard/" in response.json()["message"]


def test_api_routes_still_answer_401_and_404(anon, api):
    assert anon.get("/admin/orders").status_code == 401
    missing = api.get("/admin/no-such-thing")
    assert missing.status_code == 404
    assert missing.json()["type"] == "not_found"


# The home page ----------------------------------------------------------------------------


def test_home_shows_locations_low_stock_short_orders_and_movements(
    dashboard, store, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        response = dashboard.get("/dashboard/")

    assert response.status_code == 200
    locations = {loc.name: loc for loc in response.context["locations"]}
    berlin = locations["Berlin"]
    assert (berlin.item_count, berlin.stocked, berlin.reserved, berlin.available) == (2, 13, 2, 11)
    assert locations["Hamburg"].stocked == 7
    low = [(level.location.name, label) for level, label in response.context["low_levels"]]
    assert low == [
        ("Berlin", "Enamel Mug / White (MUG-WHITE)"),
        ("Hamburg", "Enamel Mug / White (MUG-WHITE)"),
        ("Hamburg", "Enamel Mug / Black (MUG-BLACK)"),
    ]
    assert [order.pk for order in response.context["short_orders"]] == [store.order.pk]
    content = response.content.decode()
    assert admin_url(Order, "change", quote(store.order.pk)) in content
    assert "Enamel Mug / Black (MUG-BLACK)" in content  # a movement's item


def test_home_threshold_is_chosen_by_staff(dashboard, store):
    none = dashboard.get("/dashboard/", {"threshold": "0"})
    more = dashboard.get("/dashboard/", {"threshold": "8"})
    nonsense = dashboard.get("/dashboard/", {"threshold": "lots"})

    assert none.context["low_count"] == 0
    assert more.context["low_count"] == 4  # Berlin's black mugs too: 8 available
    assert nonsense.context["threshold"] == 5


# Names, numbers, searches -----------------------------------------------------------------


def test_refusals_name_items_and_locations_never_ids(store):
    level = level_of(store.black, store.berlin)
    message = (
        f"Cannot set stocked quantity of item {level.inventory_item_id} at location "
        f"{level.location_id} to 1; line {line_of(store.order, store.black).pk}"
    )

    assert readable(message) == (
        "Cannot set stocked quantity of item Enamel Mug / Black (MUG-BLACK) at location Berlin "
        f"to 1; line Enamel Mug / Black (MUG-BLACK) of Order #{store.order.display_id}"
    )


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [(47494, "eur", "474.94 EUR"), (500, "JPY", "500 JPY"), (1234, "kwd", "1.234 KWD")],
)
def test_money_shows_in_the_currency_units(amount, currency, text):
    assert money_text(amount, currency) == text


def test_order_list_shows_reserved_and_short(dashboard, store, django_assert_max_num_queries):
    complete = place_order({store.black: 1})

    with django_assert_max_num_queries(12):
        response = dashboard.get(admin_url(Order, "changelist"))
    short = dashboard.get(admin_url(Order, "changelist"), {"stock": "short"})
    by_sku = dashboard.get(admin_url(Order, "changelist"), {"q": "mug-white"})

    rows = {order.pk: order for order in response.context["cl"].result_list}
    assert (rows[store.order.pk].reserved_units, rows[store.order.pk].needed_units) == (2, 3)
    assert (rows[complete.pk].reserved_units, rows[complete.pk].needed_units) == (1, 1)
    assert "short 1" in response.content.decode()
    assert [order.pk for order in short.context["cl"].result_list] == [store.order.pk]
    assert [order.pk for order in by_sku.context["cl"].result_list] == [store.order.pk]


def test_item_list_finds_items_by_product_and_shows_a_locations_figures(dashboard, store):
    url = admin_url(InventoryItem, "changelist")

    by_product = dashboard.get(url, {"q": "enamel"})
    by_variant = dashboard.get(url, {"q": "white"})
    at_hamburg = dashboard.get(url, {"location": store.hamburg.pk})

    assert sorted(str(item) for item in by_product.context["cl"].result_list) == [
        "Enamel Mug / Black (MUG-BLACK)",
        "Enamel Mug / White (MUG-WHITE)",
    ]
    assert [item.sku for item in by_variant.context["cl"].result_list] == ["MUG-WHITE"]
    figures = {
        item.sku: (item.stocked, item.reserved, item.available)
        for item in at_hamburg.context["cl"].result_list
    }
    assert figures == {"MUG-BLACK": (4, 0, 4), "MUG-WHITE": (3, 0, 3)}
    assert "Inventory items at Hamburg" in at_hamburg.content.decode()


def test_item_autocomplete_offers_product_variant_and_sku(dashboard, store):
    response = dashboard.get(
        "/dashboard/autocomplete/",
        {
            "app_label": "reservations",
            "model_name": "reservationitem",
            "field_name": "inventory_item",
            "term": "white",
        },
    )

    assert [r["text"] for r in response.json()["results"]] == ["Enamel Mug / White (MUG-WHITE)"]


def test_reservation_list_shows_the_order_and_finds_it_by_number_or_email(dashboard, store):
    order = store.order
    url = admin_url(ReservationItem, "changelist")

    listed = dashboard.get(url)
    by_number = dashboard.get(url, {"q": f"#{order.display_id}"})
    by_email = dashboard.get(url, {"q": "ada@"})
    nobody = dashboard.get(url, {"q": "bob@"})

    content = listed.content.decode()
    assert f"Order #{order.display_id}" in content
    assert "ada@example.com" in content
    assert "Enamel Mug / Black (MUG-BLACK)" in content
    assert by_number.context["cl"].result_count == by_email.context["cl"].result_count == 1
    assert nobody.context["cl"].result_count == 0


# Stock edits ------------------------------------------------------------------------------


def test_receive_units_with_a_reason_is_recorded_with_old_and_new_values(
    dashboard, store, superuser, consistent
):
    level = level_of(store.black, store.berlin)

    response = dashboard.post(
        admin_url(InventoryLevel, "change", quote(level.pk)),
        level_data(level, adjust_by="5", reason="received", reference="PO-7"),
    )

    assert response.status_code == 302
    assert level_of(store.black, store.berlin).stocked_quantity == 15
    movement = StockMovement.objects.filter(level_id=level.pk).latest("version")
    assert (movement.reason, movement.stocked_delta, movement.reference) == ("received", 5, "PO-7")
    assert movement.created_by == superuser.pk
    [entry] = LogEntry.objects.all()
    assert entry.get_change_message() == (
        "Changed stocked quantity: 10 → 15 (reason: Received, reference: PO-7)."
    )
    consistent()


def test_setting_and_adjusting_the_stock_at_once_is_a_form_error(dashboard, store, consistent):
    level = level_of(store.black, store.berlin)

    response = dashboard.post(
        admin_url(InventoryLevel, "change", quote(level.pk)),
        level_data(level, stocked_quantity=12, adjust_by="1"),
    )

    assert response.status_code == 200
    assert form_errors(response) == [
        "Either set the stocked quantity or enter units to add or remove, not both."
    ]
    assert level_of(store.black, store.berlin).stocked_quantity == 10
    consistent()


def test_a_refused_edit_shows_the_stock_as_stored_and_names_the_level(dashboard, store, consistent):
    level = level_of(store.black, store.berlin)  # 10 stocked, 2 reserved
    url = admin_url(InventoryLevel, "change", quote(level.pk))
    stock_adjust(
        inventory_item_id=level.inventory_item_id,
        location_id=level.location_id,
        stocked_delta=-3,
        reason="damaged",
    )

    stale = dashboard.post(url, level_data(level, stocked_quantity=1))
    refused = dashboard.post(
        url, level_data(level_of(store.black, store.berlin), stocked_quantity=1)
    )

    assert "changed since you loaded this page: now 7" in form_errors(stale)[0]
    assert stale.context["adminform"].form.instance.available_quantity == 5
    [error] = form_errors(refused)
    assert error == (
        "Cannot set stocked quantity of item Enamel Mug / Black (MUG-BLACK) at location Berlin "
        "to 1: 2 are reserved there"
    )
    assert refused.context["adminform"].form.instance.stocked_quantity == 7
    consistent()


# Forms for JSON -----------------------------------------------------------------------------


def test_metadata_is_edited_as_key_value_lines():
    field = MetadataField(required=False)

    assert field.prepare_value(None) == ""
    assert field.prepare_value({"bin": "A1", "shelf": 3, "code": "12"}) == (
        'bin = A1\nshelf = 3\ncode = "12"'
    )
    assert field.clean('bin = A1\nshelf = 3\ncode = "12"\n') == {
        "bin": "A1",
        "shelf": 3,
        "code": "12",
    }
    assert field.clean('{"a": [1]}') == {"a": [1]}
    assert field.clean("") is None
    with pytest.raises(Exception, match="not `key = value`"):
        field.clean("just words")


def test_level_page_shows_metadata_without_null(dashboard, store):
    level = level_of(store.black, store.berlin)

    response = dashboard.get(admin_url(InventoryLevel, "change", quote(level.pk)))

    assert ">null<" not in response.content.decode()
