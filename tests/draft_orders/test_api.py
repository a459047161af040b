"""`/admin/draft-orders`: the draft shape, pricing, lines, updates, deletes and payment."""

import json
import re

import pytest

from draft_orders.models import DraftLineItem, DraftOrder
from draft_orders.services import draft_order_create, draft_order_pay
from inventory.models import InventoryLevel
from orders.models import LineItem, Order
from orders.services import region_create, shipping_option_create
from reservations.models import ReservationItem
from tests.factories.inventory import SalesChannelFactory, StockLocationFactory, VariantFactory
from tests.factories.orders import channel_with_locations, level_of, stocked_variant
from tests.invariants import assert_inventory_consistent

pytestmark = pytest.mark.django_db

DRAFT_FIELDS = {
    "id",
    "status",
    "display_id",
    "order_id",
    "cart_id",
    "canceled_at",
    "completed_at",
    "no_notification_order",
    "metadata",
    "created_at",
    "updated_at",
    "cart",
}
CART_FIELDS = {
    "id",
    "email",
    "region_id",
    "sales_channel_id",
    "items",
    "shipping_methods",
    "subtotal",
    "shipping_total",
    "tax_total",
    "total",
    # Medusa's cart carries these too
    "customer_id",
    "currency_code",
    "shipping_address",
    "billing_address",
}
LINE_FIELDS = {
    "id",
    "cart_id",
    "variant_id",
    "title",
    "description",
    "unit_price",
    "quantity",
    "subtotal",
    "metadata",
    "created_at",
    "updated_at",
}
ORDER_FIELDS = {
    "id",
    "display_id",
    "status",
    "fulfillment_status",
    "payment_status",
    "email",
    "currency_code",
    "region_id",
    "sales_channel_id",
    "draft_order_id",
    "customer_id",
    "no_notification",
    "items",
    "fulfillments",
    "returns",
    "shipping_methods",
    "shipping_address",
    "billing_address",
    "subtotal",
    "shipping_total",
    "tax_total",
    "total",
    "metadata",
    "created_at",
    "updated_at",
    "canceled_at",
}
ULID = r"[0-9A-Z]{26}"
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
NOT_OPEN = {"type": "not_allowed", "message": "You are only allowed to update open draft orders"}
NO_LINE = {"type": "invalid_data", "message": "Could not find the line item"}


def post(api, path: str, body=None):
    return api.post(path, body if body is not None else {}, format="json")


def answer(response) -> tuple[int, dict]:
    return response.status_code, response.json()


def create(api, **body) -> dict:
    response = post(api, "/admin/draft-orders", {"email": "buyer@example.com", **body})
    assert response.status_code == 200, response.json()
    return response.json()["draft_order"]


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
    """A stock location of the store's default channel."""
    location = StockLocationFactory()
    channel_with_locations(location, channel=default_channel)
    return location


@pytest.fixture
def region():
    return region_create(name="EU", currency_code="eur", tax_rate=10)


# Create -----------------------------------------------------------------------------------


def test_create_answers_the_draft_with_its_cart(api, default_channel, region):
    # given
    variant = VariantFactory(
        title="Large",
        product__title="Shirt",
        prices=[{"currency_code": "usd", "amount": 900}, {"currency_code": "eur", "amount": 700}],
    )
    option = shipping_option_create(region_id=region.pk, name="Standard", amount=500)
    # when
    response = post(
        api,
        "/admin/draft-orders",
        {
            "email": "buyer@example.com",
            "region_id": region.pk,
            "items": [
                {"variant_id": variant.pk, "quantity": 2, "metadata": {"gift": True}},
                {"title": "Engraving", "unit_price": 300, "quantity": 1},
            ],
            "shipping_methods": [{"option_id": option.pk}],
            "no_notification_order": True,
            "metadata": {"source": "phone"},
        },
    )
    # then
    assert response.status_code == 200, response.json()
    assert set(response.json()) == {"draft_order"}
    draft = response.json()["draft_order"]
    assert set(draft) == DRAFT_FIELDS
    assert re.fullmatch(f"dorder_{ULID}", draft["id"])
    assert draft["cart_id"] == "cart_" + draft["id"].removeprefix("dorder_")
    assert re.fullmatch(STAMP, draft["created_at"])
    assert {k: draft[k] for k in DRAFT_FIELDS - {"id", "cart_id", "created_at", "updated_at"}} == {
        "status": "open",
        "display_id": DraftOrder.objects.get().display_id,
        "order_id": None,
        "canceled_at": None,
        "completed_at": None,
        "no_notification_order": True,
        "metadata": {"source": "phone"},
        "cart": draft["cart"],
    }
    cart = draft["cart"]
    assert set(cart) == CART_FIELDS
    assert {k: cart[k] for k in CART_FIELDS - {"items", "shipping_methods"}} == {
        "id": draft["cart_id"],
        "email": "buyer@example.com",
        "region_id": region.pk,
        "sales_channel_id": default_channel.pk,
        "customer_id": None,
        "currency_code": "eur",
        "shipping_address": None,
        "billing_address": None,
        "subtotal": 1700,
        "shipping_total": 500,
        "tax_total": 220,
        "total": 2420,
    }
    assert cart["shipping_methods"] == [
        {"shipping_option_id": option.pk, "name": "Standard", "price": 500, "data": {}}
    ]
    shirt, engraving = cart["items"]
    assert set(shirt) == set(engraving) == LINE_FIELDS
    assert re.fullmatch(f"item_{ULID}", shirt["id"])
    assert {k: shirt[k] for k in LINE_FIELDS - {"id", "created_at", "updated_at"}} == {
        "cart_id": draft["cart_id"],
        "variant_id": variant.pk,
        "title": "Shirt",
        "description": "Large",
        "unit_price": 700,
        "quantity": 2,
        "subtotal": 1400,
        "metadata": {"gift": True},
    }
    assert (engraving["variant_id"], engraving["title"], engraving["unit_price"]) == (
        None,
        "Engraving",
        300,
    )


def test_create_needs_only_an_email(api, default_channel):
    draft = create(api)

    assert draft["cart"]["items"] == draft["cart"]["shipping_methods"] == []
    assert (draft["cart"]["region_id"], draft["cart"]["currency_code"]) == (None, "usd")
    assert draft["cart"]["sales_channel_id"] == default_channel.pk
    assert draft["cart"]["total"] == 0


def test_create_in_a_given_sales_channel(api, default_channel):
    channel = SalesChannelFactory()

    draft = create(api, sales_channel_id=channel.pk)

    assert draft["cart"]["sales_channel_id"] == channel.pk


def test_display_ids_count_up(api, default_channel):
    first, second = create(api), create(api)

    assert second["display_id"] == first["display_id"] + 1


def test_a_variant_line_is_priced_in_the_store_currency_without_a_region(api, default_channel):
    variant = VariantFactory(
        prices=[{"currency_code": "eur", "amount": 700}, {"currency_code": "USD", "amount": 900}]
    )

    draft = create(api, items=[{"variant_id": variant.pk, "quantity": 1}])

    assert draft["cart"]["items"][0]["unit_price"] == 900


def test_a_given_unit_price_overrides_the_variant_price(api, default_channel, region):
    variant = VariantFactory(prices=[{"currency_code": "eur", "amount": 700}])

    draft = create(
        api,
        region_id=region.pk,
        items=[{"variant_id": variant.pk, "quantity": 1, "unit_price": 10_000_000}],
    )

    assert draft["cart"]["items"][0]["unit_price"] == 10_000_000


def test_a_custom_line_defaults_its_title_and_never_costs_less_than_nothing(api, default_channel):
    draft = create(api, items=[{"quantity": 2, "unit_price": -1000}, {"quantity": 1}])

    assert [(i["title"], i["unit_price"], i["variant_id"]) for i in draft["cart"]["items"]] == [
        ("Custom item", 0, None),
        ("Custom item", 0, None),
    ]


def test_the_same_variant_twice_makes_one_line(api, default_channel):
    variant = VariantFactory()

    draft = create(
        api,
        items=[
            {"variant_id": variant.pk, "quantity": 2},
            {"variant_id": variant.pk, "quantity": 3},
        ],
    )

    assert [(i["variant_id"], i["quantity"]) for i in draft["cart"]["items"]] == [(variant.pk, 5)]


def test_a_custom_shipping_price_replaces_the_options(api, default_channel, region):
    option = shipping_option_create(region_id=region.pk, name="Standard", amount=500)

    draft = create(
        api, region_id=region.pk, shipping_methods=[{"option_id": option.pk, "price": 150}]
    )

    assert draft["cart"]["shipping_total"] == 150
    assert draft["cart"]["shipping_methods"][0]["price"] == 150


@pytest.mark.parametrize(
    "prices",
    [[], [{"currency_code": "usd", "amount": 900}]],
    ids=["no-prices", "no-price-in-the-region-currency"],
)
def test_a_variant_without_a_price_is_400_and_nothing_is_created(
    api, default_channel, region, prices
):
    variant = VariantFactory(title="test variant without prices", prices=prices)

    response = post(
        api,
        "/admin/draft-orders",
        {
            "email": "buyer@example.com",
            "region_id": region.pk,
            "items": [{"quantity": 1}, {"variant_id": variant.pk, "quantity": 1}],
        },
    )

    assert answer(response) == (
        400,
        {
            "type": "invalid_data",
            "message": 'Cannot generate line item for variant "test variant without prices"'
            " without a price",
        },
    )
    assert not DraftOrder.objects.exists()
    assert not DraftLineItem.objects.exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "email is required"),
        ({"email": "not-an-email"}, "email must be an email"),
        ({"email": "a@example.com", "items": [{}]}, "items.0.quantity is required"),
        (
            {"email": "a@example.com", "items": [{"quantity": 0}]},
            "items.0.quantity must be a positive integer",
        ),
        (
            {"email": "a@example.com", "items": [{"quantity": 1, "unit_price": "5"}]},
            "items.0.unit_price must be an integer",
        ),
        (
            {"email": "a@example.com", "shipping_methods": [{}]},
            "shipping_methods.0.option_id is required",
        ),
        ({"email": "a@example.com", "status": "completed"}, "property status should not exist"),
        ({"email": "a@example.com", "items": {}}, "items must be an array"),
    ],
)
def test_create_with_a_bad_body_is_400(api, default_channel, body, message):
    response = post(api, "/admin/draft-orders", body)

    assert answer(response) == (400, {"type": "invalid_data", "message": message})
    assert not DraftOrder.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("region_id", "reg_nope", "Region with id reg_nope was not found"),
        ("sales_channel_id", "sc_nope", "Sales channel with id: sc_nope was not found"),
        (
            "items",
            [{"variant_id": "variant_nope", "quantity": 1}],
            "Variant with id: variant_nope was not found",
        ),
        (
            "shipping_methods",
            [{"option_id": "so_nope"}],
            "Shipping option with id so_nope was not found",
        ),
    ],
)
def test_create_naming_an_unknown_id_is_404(api, default_channel, field, value, message):
    response = post(api, "/admin/draft-orders", {"email": "a@example.com", field: value})

    assert answer(response) == (404, {"type": "not_found", "message": message})
    assert not DraftOrder.objects.exists()


def test_a_shipping_option_of_another_region_is_400(api, default_channel, region):
    option = shipping_option_create(
        region_id=region_create(name="US", currency_code="usd").pk, name="Ground"
    )

    response = post(
        api,
        "/admin/draft-orders",
        {
            "email": "a@example.com",
            "region_id": region.pk,
            "shipping_methods": [{"option_id": option.pk}],
        },
    )

    assert answer(response) == (
        400,
        {
            "type": "invalid_data",
            "message": f"Shipping option {option.pk} is not available in the draft's region",
        },
    )
    assert not DraftOrder.objects.exists()


def test_an_open_draft_reserves_nothing(api, location, consistent):
    # given
    variant = stocked_variant((location, 5))
    before = counters()
    # when
    draft = create(api, items=[{"variant_id": variant.pk, "quantity": 5}])
    post(
        api,
        f"/admin/draft-orders/{draft['id']}/line-items",
        {"variant_id": variant.pk, "quantity": 9},
    )
    # then: drafts do not check or hold stock; only paying does
    assert not ReservationItem.objects.exists()
    assert counters() == before
    consistent()


# List and get -----------------------------------------------------------------------------


def test_list_answers_the_envelope_with_a_default_limit_of_50(api, default_channel):
    older, newer = create(api), create(api)

    response = api.get("/admin/draft-orders")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"draft_orders", "count", "offset", "limit"}
    assert (body["count"], body["offset"], body["limit"]) == (2, 0, 50)
    assert [row["id"] for row in body["draft_orders"]] == [newer["id"], older["id"]]
    assert all(set(row) == DRAFT_FIELDS for row in body["draft_orders"])
    assert body["draft_orders"][0] == newer


def test_list_searches_email_and_display_id(api, default_channel):
    # given
    oli = create(api, email="oli@test.dk")
    create(api, email="someone@example.com")
    # when
    by_email = api.get("/admin/draft-orders", {"q": "oli@test"}).json()
    by_display_id = api.get("/admin/draft-orders", {"q": str(oli["display_id"])}).json()
    nobody = api.get("/admin/draft-orders", {"q": "heyo@heyo.dk"}).json()
    # then
    assert [row["cart"]["email"] for row in by_email["draft_orders"]] == ["oli@test.dk"]
    assert [row["id"] for row in by_display_id["draft_orders"]] == [oli["id"]]
    assert (nobody["draft_orders"], nobody["count"]) == ([], 0)


def test_list_filters_by_status(api, location):
    # given
    variant = stocked_variant((location, 5))
    paid = create(api, items=[{"variant_id": variant.pk, "quantity": 1}])
    assert post(api, f"/admin/draft-orders/{paid['id']}/pay").status_code == 200
    still_open = create(api)
    # when
    completed = api.get("/admin/draft-orders", {"status": "completed"}).json()
    opened = api.get("/admin/draft-orders?status[]=open").json()
    both = api.get("/admin/draft-orders?status[0]=open&status[1]=completed").json()
    # then
    assert [row["id"] for row in completed["draft_orders"]] == [paid["id"]]
    assert [row["id"] for row in opened["draft_orders"]] == [still_open["id"]]
    assert both["count"] == 2


def test_get_answers_the_draft(api, default_channel):
    draft = create(api, items=[{"title": "Gift wrap", "quantity": 1, "unit_price": 100}])

    response = api.get(f"/admin/draft-orders/{draft['id']}")

    assert answer(response) == (200, {"draft_order": draft})


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "", None),
        ("POST", "", {"email": "a@example.com"}),
        ("DELETE", "", None),
        ("POST", "/line-items", {"quantity": 1}),
        ("POST", "/line-items/item_nope", {"quantity": 1}),
        ("DELETE", "/line-items/item_nope", None),
        ("POST", "/pay", {}),
    ],
)
def test_an_unknown_draft_is_404(api, method, path, body):
    response = api.generic(
        method,
        f"/admin/draft-orders/dorder_nope{path}",
        "" if body is None else json.dumps(body),
        content_type="application/json",
    )

    assert answer(response) == (
        404,
        {"type": "not_found", "message": "Draft order with dorder_nope was not found"},
    )


# Update and delete --------------------------------------------------------------------------


def test_update_changes_the_given_fields(api, default_channel, region):
    # given
    draft = create(api, metadata={"a": 1})
    option = shipping_option_create(region_id=region.pk, name="Standard", amount=400)
    # when
    response = post(
        api,
        f"/admin/draft-orders/{draft['id']}",
        {
            "email": "new@example.com",
            "region_id": region.pk,
            "shipping_methods": [{"option_id": option.pk}],
            "shipping_address": {"address_1": "Main St 1", "country_code": "dk"},
            "no_notification_order": False,
            "metadata": {"b": 2},
        },
    )
    # then
    assert response.status_code == 200, response.json()
    updated = response.json()["draft_order"]
    assert set(updated) == DRAFT_FIELDS
    assert (updated["id"], updated["status"], updated["no_notification_order"]) == (
        draft["id"],
        "open",
        False,
    )
    assert updated["metadata"] == {"b": 2}
    cart = updated["cart"]
    assert (cart["email"], cart["region_id"], cart["currency_code"]) == (
        "new@example.com",
        region.pk,
        "eur",
    )
    assert cart["shipping_address"] == {"address_1": "Main St 1", "country_code": "dk"}
    assert (cart["shipping_total"], cart["tax_total"], cart["total"]) == (400, 40, 440)
    assert api.get(f"/admin/draft-orders/{draft['id']}").json()["draft_order"] == updated


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"email": "x"}, 400, {"type": "invalid_data", "message": "email must be an email"}),
        (
            {"items": []},
            400,
            {"type": "invalid_data", "message": "property items should not exist"},
        ),
        (
            {"region_id": "reg_nope"},
            404,
            {"type": "not_found", "message": "Region with id reg_nope was not found"},
        ),
    ],
)
def test_update_with_a_bad_body_changes_nothing(api, default_channel, body, status, error):
    draft = create(api)

    response = post(api, f"/admin/draft-orders/{draft['id']}", body)

    assert answer(response) == (status, error)
    assert api.get(f"/admin/draft-orders/{draft['id']}").json()["draft_order"] == draft


def test_delete_removes_an_open_draft_and_its_lines(api, default_channel):
    draft = create(api, items=[{"quantity": 1}])

    response = api.delete(f"/admin/draft-orders/{draft['id']}")

    assert answer(response) == (200, {"id": draft["id"], "object": "draft-order", "deleted": True})
    assert not DraftOrder.objects.exists()
    assert not DraftLineItem.objects.exists()
    assert api.get(f"/admin/draft-orders/{draft['id']}").status_code == 404


# Line items ---------------------------------------------------------------------------------


def test_add_a_variant_line(api, default_channel):
    # given
    draft = create(api)
    variant = VariantFactory(product__title="Mug", prices=[{"currency_code": "usd", "amount": 450}])
    # when
    response = post(
        api,
        f"/admin/draft-orders/{draft['id']}/line-items",
        {"variant_id": variant.pk, "quantity": 2, "metadata": {"color": "red"}},
    )
    # then
    assert response.status_code == 200, response.json()
    assert set(response.json()) == {"draft_order"}
    [line] = response.json()["draft_order"]["cart"]["items"]
    assert (line["variant_id"], line["title"], line["unit_price"], line["quantity"]) == (
        variant.pk,
        "Mug",
        450,
        2,
    )
    assert line["metadata"] == {"color": "red"}
    assert response.json()["draft_order"]["cart"]["subtotal"] == 900


def test_add_a_custom_line(api, default_channel):
    draft = create(api)

    response = post(
        api, f"/admin/draft-orders/{draft['id']}/line-items", {"quantity": 1, "unit_price": 250}
    )

    assert response.status_code == 200, response.json()
    [line] = response.json()["draft_order"]["cart"]["items"]
    assert (line["variant_id"], line["title"], line["unit_price"]) == (None, "Custom item", 250)


def test_adding_the_same_variant_again_merges_quantities(api, default_channel):
    # given
    variant = VariantFactory()
    draft = create(api, items=[{"variant_id": variant.pk, "quantity": 2}])
    # when
    response = post(
        api,
        f"/admin/draft-orders/{draft['id']}/line-items",
        {"variant_id": variant.pk, "quantity": 3},
    )
    # then
    [line] = response.json()["draft_order"]["cart"]["items"]
    assert (line["id"], line["quantity"]) == (draft["cart"]["items"][0]["id"], 5)
    assert DraftLineItem.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({}, 400, {"type": "invalid_data", "message": "quantity is required"}),
        (
            {"quantity": 0},
            400,
            {"type": "invalid_data", "message": "quantity must be a positive integer"},
        ),
        (
            {"quantity": 1.5},
            400,
            {"type": "invalid_data", "message": "quantity must be a positive integer"},
        ),
        (
            {"variant_id": "variant_nope", "quantity": 1},
            404,
            {"type": "not_found", "message": "Variant with id: variant_nope was not found"},
        ),
    ],
)
def test_add_a_line_with_a_bad_body_adds_nothing(api, default_channel, body, status, error):
    draft = create(api)

    response = post(api, f"/admin/draft-orders/{draft['id']}/line-items", body)

    assert answer(response) == (status, error)
    assert not DraftLineItem.objects.exists()


def test_add_a_line_of_a_variant_without_a_price_is_400(api, default_channel):
    draft = create(api)
    variant = VariantFactory(title="Unpriced", prices=[])

    response = post(
        api,
        f"/admin/draft-orders/{draft['id']}/line-items",
        {"variant_id": variant.pk, "quantity": 1},
    )

    assert answer(response) == (
        400,
        {
            "type": "invalid_data",
            "message": 'Cannot generate line item for variant "Unpriced" without a price',
        },
    )
    assert not DraftLineItem.objects.exists()


def test_update_a_line(api, default_channel):
    # given
    draft = create(api, items=[{"quantity": 1, "unit_price": 100}])
    line = draft["cart"]["items"][0]
    # when
    response = post(
        api,
        f"/admin/draft-orders/{draft['id']}/line-items/{line['id']}",
        {"title": "Update title", "unit_price": 1000, "quantity": 2, "metadata": {"x": 1}},
    )
    # then
    assert response.status_code == 200, response.json()
    [updated] = response.json()["draft_order"]["cart"]["items"]
    assert {k: updated[k] for k in ("id", "title", "unit_price", "quantity", "metadata")} == {
        "id": line["id"],
        "title": "Update title",
        "unit_price": 1000,
        "quantity": 2,
        "metadata": {"x": 1},
    }
    assert response.json()["draft_order"]["cart"]["subtotal"] == 2000


def test_updating_a_line_to_quantity_zero_removes_it(api, default_channel):
    draft = create(
        api, items=[{"quantity": 1, "unit_price": 100}, {"title": "Keep", "quantity": 1}]
    )
    gone = draft["cart"]["items"][0]["id"]

    response = post(api, f"/admin/draft-orders/{draft['id']}/line-items/{gone}", {"quantity": 0})

    assert response.status_code == 200, response.json()
    assert [i["title"] for i in response.json()["draft_order"]["cart"]["items"]] == ["Keep"]
    assert not DraftLineItem.objects.filter(pk=gone).exists()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"quantity": -1}, "quantity must not be less than 0"),
        ({"variant_id": "variant_x"}, "property variant_id should not exist"),
        ({"unit_price": True}, "unit_price must be an integer"),
    ],
)
def test_update_a_line_with_a_bad_body_is_400(api, default_channel, body, message):
    draft = create(api, items=[{"quantity": 1}])
    line = draft["cart"]["items"][0]["id"]

    response = post(api, f"/admin/draft-orders/{draft['id']}/line-items/{line}", body)

    assert answer(response) == (400, {"type": "invalid_data", "message": message})
    assert DraftLineItem.objects.get().quantity == 1


def test_delete_a_line(api, default_channel):
    draft = create(api, items=[{"title": "A", "quantity": 1}, {"title": "B", "quantity": 1}])
    line = draft["cart"]["items"][0]["id"]

    response = api.delete(f"/admin/draft-orders/{draft['id']}/line-items/{line}")

    assert response.status_code == 200, response.json()
    assert set(response.json()) == {"draft_order"}
    assert [i["title"] for i in response.json()["draft_order"]["cart"]["items"]] == ["B"]


def test_an_unknown_line_is_400(api, default_channel):
    # Medusa answers 400 (not 404) for a line the draft does not have
    draft = create(api, items=[{"quantity": 1}])
    another = create(api, items=[{"quantity": 1}])
    foreign = another["cart"]["items"][0]["id"]
    base = f"/admin/draft-orders/{draft['id']}/line-items"

    updated = post(api, f"{base}/item_nope", {"quantity": 2})
    of_another = post(api, f"{base}/{foreign}", {"quantity": 2})
    deleted = api.delete(f"{base}/item_nope")

    assert answer(updated) == answer(of_another) == answer(deleted) == (400, NO_LINE)
    assert sorted(DraftLineItem.objects.values_list("quantity", flat=True)) == [1, 1]


# Pay ----------------------------------------------------------------------------------------


def test_pay_places_the_order_and_reserves_its_stock(api, location, region, consistent):
    # given
    variant = stocked_variant((location, 10), prices=[{"currency_code": "eur", "amount": 700}])
    option = shipping_option_create(region_id=region.pk, name="Standard", amount=500)
    draft = create(
        api,
        region_id=region.pk,
        items=[
            {"variant_id": variant.pk, "quantity": 3, "metadata": {"a": 1}},
            {"title": "Engraving", "unit_price": 300, "quantity": 1},
        ],
        shipping_methods=[{"option_id": option.pk}],
        shipping_address={"address_1": "Main St 1"},
    )
    # when
    response = post(api, f"/admin/draft-orders/{draft['id']}/pay")
    # then the order
    assert response.status_code == 200, response.json()
    assert set(response.json()) == {"order"}
    order = response.json()["order"]
    assert set(order) == ORDER_FIELDS
    assert re.fullmatch(f"order_{ULID}", order["id"])
    assert {
        k: order[k]
        for k in (
            "status",
            "payment_status",
            "fulfillment_status",
            "draft_order_id",
            "email",
            "currency_code",
            "region_id",
            "sales_channel_id",
            "shipping_address",
            "fulfillments",
            "returns",
        )
    } == {
        "status": "pending",
        "payment_status": "captured",
        "fulfillment_status": "not_fulfilled",
        "draft_order_id": draft["id"],
        "email": "buyer@example.com",
        "currency_code": "eur",
        "region_id": region.pk,
        "sales_channel_id": draft["cart"]["sales_channel_id"],
        "shipping_address": {"address_1": "Main St 1"},
        "fulfillments": [],
        "returns": [],
    }
    assert (order["subtotal"], order["shipping_total"], order["tax_total"], order["total"]) == (
        2400,
        500,
        290,
        3190,
    )
    assert order["shipping_methods"] == draft["cart"]["shipping_methods"]
    lines = [
        (i["title"], i["variant_id"], i["unit_price"], i["quantity"], i["metadata"])
        for i in order["items"]
    ]
    assert sorted(lines, key=lambda line: line[0]) == [
        ("Engraving", None, 300, 1, None),
        (variant.product.title, variant.pk, 700, 3, {"a": 1}),
    ]
    # and its stock is reserved
    line = LineItem.objects.get(order_id=order["id"], variant=variant)
    assert list(ReservationItem.objects.values_list("line_item_id", "location_id", "quantity")) == [
        (line.pk, location.pk, 3)
    ]
    level = level_of(variant, location)
    assert (level.stocked_quantity, level.reserved_quantity) == (10, 3)
    consistent()
    # and the draft is completed
    paid = api.get(f"/admin/draft-orders/{draft['id']}").json()["draft_order"]
    assert (paid["status"], paid["order_id"]) == ("completed", order["id"])
    assert re.fullmatch(STAMP, paid["completed_at"])


def test_the_paid_order_is_listed_with_its_draft(api, location):
    variant = stocked_variant((location, 2))
    draft = create(api, items=[{"variant_id": variant.pk, "quantity": 2}])
    order = post(api, f"/admin/draft-orders/{draft['id']}/pay").json()["order"]

    response = api.get(f"/admin/orders/{order['id']}")

    assert response.json()["order"]["draft_order_id"] == draft["id"]
    assert api.get("/admin/orders").json()["count"] == 1


def test_pay_reserves_at_the_drafts_sales_channel(api, location, consistent):
    # given a channel of its own, with another location
    elsewhere = StockLocationFactory()
    channel = channel_with_locations(elsewhere, channel=SalesChannelFactory())
    variant = stocked_variant((location, 5), (elsewhere, 5))
    draft = create(
        api, sales_channel_id=channel.pk, items=[{"variant_id": variant.pk, "quantity": 4}]
    )
    # when
    response = post(api, f"/admin/draft-orders/{draft['id']}/pay")
    # then
    assert response.json()["order"]["sales_channel_id"] == channel.pk
    assert list(ReservationItem.objects.values_list("location_id", "quantity")) == [
        (elsewhere.pk, 4)
    ]
    consistent()


def test_pay_takes_no_body_and_refuses_properties(api, location):
    # medusa-js posts `{}` or nothing; a body with properties is a mistake, refused whole
    variant = stocked_variant((location, 5))
    draft = create(api, items=[{"variant_id": variant.pk, "quantity": 1}])
    path = f"/admin/draft-orders/{draft['id']}/pay"

    refused = post(api, path, {"payment": "cash"})
    paid = api.post(path)

    assert answer(refused) == (
        400,
        {"type": "invalid_data", "message": "property payment should not exist"},
    )
    assert paid.status_code == 200, paid.json()
    assert Order.objects.count() == 1


def test_paying_a_completed_draft_is_400_and_places_nothing_more(api, location, consistent):
    # given
    variant = stocked_variant((location, 5))
    draft = create(api, items=[{"variant_id": variant.pk, "quantity": 2}])
    assert post(api, f"/admin/draft-orders/{draft['id']}/pay").status_code == 200
    before = counters()
    # when
    response = post(api, f"/admin/draft-orders/{draft['id']}/pay")
    # then
    assert answer(response) == (
        400,
        {"type": "not_allowed", "message": f"Draft order {draft['id']} is already completed"},
    )
    assert Order.objects.count() == 1
    assert counters() == before
    consistent()


def test_paying_with_insufficient_stock_places_nothing(api, location, consistent):
    # given
    short = stocked_variant((location, 1), sku="SHORT-1", product__title="Lamp")
    fine = stocked_variant((location, 5))
    draft = create(
        api,
        items=[{"variant_id": fine.pk, "quantity": 2}, {"variant_id": short.pk, "quantity": 3}],
    )
    before = counters()
    # when
    response = post(api, f"/admin/draft-orders/{draft['id']}/pay")
    # then
    status, body = answer(response)
    assert status == 400
    assert (body["type"], body["code"]) == ("not_allowed", "insufficient_inventory")
    assert set(body) == {"type", "code", "message"}
    assert body["message"].startswith("Insufficient inventory for Lamp")
    assert "SHORT-1" in body["message"]
    assert "requested 3, available 1" in body["message"]
    # the draft stays open, no order exists, the counters are unchanged
    assert api.get(f"/admin/draft-orders/{draft['id']}").json()["draft_order"] == draft
    assert not Order.objects.exists()
    assert not LineItem.objects.exists()
    assert not ReservationItem.objects.exists()
    assert counters() == before
    consistent()
    # and once stock arrives, it pays
    level = level_of(short, location)
    post(
        api,
        f"/admin/inventory-items/{level.inventory_item_id}/location-levels/{location.pk}",
        {"stocked_quantity": 3},
    )
    assert post(api, f"/admin/draft-orders/{draft['id']}/pay").status_code == 200
    consistent()


def test_paying_when_the_channel_has_no_locations_is_400(api, default_channel, consistent):
    variant = stocked_variant((StockLocationFactory(), 5))
    draft = create(api, items=[{"variant_id": variant.pk, "quantity": 1}])

    response = post(api, f"/admin/draft-orders/{draft['id']}/pay")

    assert answer(response) == (
        400,
        {
            "type": "invalid_data",
            "message": f"Sales channel {default_channel.pk} has no stock locations",
        },
    )
    assert DraftOrder.objects.get().status == "open"
    assert not Order.objects.exists()
    consistent()


def test_paying_an_empty_draft_is_400(api, default_channel):
    draft = create(api)

    response = post(api, f"/admin/draft-orders/{draft['id']}/pay")

    assert answer(response) == (
        400,
        {
            "type": "invalid_data",
            "message": "A draft order needs at least one line item to be paid",
        },
    )
    assert not Order.objects.exists()


def test_a_draft_of_custom_lines_pays_without_reserving(api, default_channel, consistent):
    draft = create(api, items=[{"title": "Service", "unit_price": 5000, "quantity": 1}])

    response = post(api, f"/admin/draft-orders/{draft['id']}/pay")

    assert response.status_code == 200, response.json()
    assert response.json()["order"]["total"] == 5000
    assert not ReservationItem.objects.exists()
    consistent()


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "", {"email": "late@example.com"}),
        ("POST", "/line-items", {"quantity": 1}),
        ("POST", "/line-items/{line}", {"quantity": 5}),
        ("DELETE", "/line-items/{line}", None),
    ],
)
def test_a_completed_draft_cannot_change(api, location, method, path, body, consistent):
    # given
    variant = stocked_variant((location, 5))
    draft = create(api, items=[{"variant_id": variant.pk, "quantity": 1}])
    post(api, f"/admin/draft-orders/{draft['id']}/pay")
    paid = api.get(f"/admin/draft-orders/{draft['id']}").json()["draft_order"]
    line = draft["cart"]["items"][0]["id"]
    # when
    response = api.generic(
        method,
        f"/admin/draft-orders/{draft['id']}{path.format(line=line)}",
        "" if body is None else json.dumps(body),
        content_type="application/json",
    )
    # then
    assert answer(response) == (400, NOT_OPEN)
    assert api.get(f"/admin/draft-orders/{draft['id']}").json()["draft_order"] == paid
    consistent()


def test_deleting_a_completed_draft_is_a_conflict(api, location):
    # given
    variant = stocked_variant((location, 5))
    draft = create(api, items=[{"variant_id": variant.pk, "quantity": 1}])
    post(api, f"/admin/draft-orders/{draft['id']}/pay")
    # when
    response = api.delete(f"/admin/draft-orders/{draft['id']}")
    # then
    assert answer(response) == (
        409,
        {
            "type": "conflict",
            "code": "invalid_state_error",
            "message": f"Draft order {draft['id']} has been paid; its order depends on it",
        },
    )
    assert DraftOrder.objects.filter(pk=draft["id"], status="completed").exists()


def test_a_draft_paid_through_the_service_reads_the_same(api, location):
    # The API and the service share one path: a draft paid either way looks alike.
    variant = stocked_variant((location, 5))
    draft = draft_order_create(
        email="a@example.com", items=[{"variant_id": variant.pk, "quantity": 1}]
    )
    order = draft_order_pay(draft_id=draft.pk)

    body = api.get(f"/admin/draft-orders/{draft.pk}").json()["draft_order"]

    assert (body["status"], body["order_id"]) == ("completed", order.pk)
