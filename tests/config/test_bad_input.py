"""Bad input never answers 500: it gets the JSON error body, and nothing is written."""

import json

import pytest
from django.apps import apps

from draft_orders.services import draft_order_create
from orders.services import (
    fulfillment_create,
    region_create,
    return_request,
    shipping_option_create,
)
from tests.factories.inventory import (
    LevelFactory,
    ProductFactory,
    SalesChannelFactory,
    StockLocationFactory,
    UserFactory,
    VariantFactory,
)
from tests.factories.orders import (
    channel_with_locations,
    place_order,
    stocked_variant,
    without_allocation,
)
from tests.factories.reservations import ReservationFactory

NUMBER_RANGE = "metadata must contain numbers from -9223372036854775807 to 9223372036854775807"
PROJECT_APPS = ("config", "inventory", "reservations", "orders", "draft_orders")


def snapshot() -> dict:
    """Every row of the project's tables, to prove a refused request wrote nothing."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for label in PROJECT_APPS
        if apps.is_installed(label)
        for model in apps.get_app_config(label).get_models()
    }


def assert_error(response, status: int, type_: str, message=None, prefix=None) -> dict:
    """The response is JSON, exactly `{type, message}`, with this status (and message)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"type", "message"}, body
    assert body["type"] == type_
    assert isinstance(body["message"], str)
    assert body["message"]
    if message is not None:
        assert body["message"] == message
    if prefix is not None:
        assert body["message"].startswith(prefix), body["message"]
    return body


def send(client, method: str, path: str, raw=None, content_type="application/json"):
    """Send `raw` as is (bytes or str), or a Python value as ASCII-escaped JSON."""
    if raw is not None and not isinstance(raw, (bytes, str)):
        raw = json.dumps(raw)
    return client.generic(method, path, raw or "", content_type=content_type)


def nested(depth: int) -> dict:
    value: dict = {"leaf": 1}
    for _ in range(depth):
        value = {"a": value}
    return value


class World(dict):
    """Ids to fill into paths and bodies; the order side is only built when a test uses it."""

    def __init__(self, channel, ids: dict):
        super().__init__(ids)
        self.channel = channel

    def __missing__(self, key):
        if self.channel is None:
            raise KeyError(key)
        channel, self.channel = self.channel, None
        self.update(order_world(channel))
        return self[key]


@pytest.fixture
def world(staff, default_channel):
    level = LevelFactory(stocked_quantity=10)
    variant = VariantFactory()
    ids = {
        "reservation": ReservationFactory(level=level, quantity=1).pk,
        "item": level.inventory_item_id,
        "location": level.location_id,
        "spare_location": StockLocationFactory().pk,
        "channel": SalesChannelFactory().pk,
        "product": ProductFactory().pk,
        "variant": variant.pk,
        "user": UserFactory().pk,
    }
    return World(default_channel, ids)


def order_world(channel) -> dict:
    """Ids of the order side: a region, an option, an open draft, a placed order with
    2 of its 3 units fulfilled and 1 of those being returned, and an order reserving nothing."""
    stock = StockLocationFactory()
    channel_with_locations(stock, channel=channel)
    sold = stocked_variant((stock, 20))
    region = region_create(name="EU", currency_code="usd")
    draft = draft_order_create(
        email="draft@example.com", items=[{"variant_id": sold.pk, "quantity": 1}]
    )
    order = place_order({sold: 3})
    line = order.items.get()
    fulfillment = fulfillment_create(order_id=order.pk, items=[{"item_id": line.pk, "quantity": 2}])
    returned = return_request(
        order_id=order.pk, items=[{"item_id": line.pk, "quantity": 1}], location_id=stock.pk
    )
    with without_allocation():
        open_order = place_order({sold: 2})
    return {
        "stock": stock.pk,
        "region": region.pk,
        "shipping_option": shipping_option_create(region_id=region.pk, name="S").pk,
        "draft": draft.pk,
        "draft_line": draft.items.get().pk,
        "order": order.pk,
        "order_line": line.pk,
        "fulfillment": fulfillment.pk,
        "return": returned.pk,
        "open_order": open_order.pk,
        "open_line": open_order.items.get().pk,
    }


# name: (path, a body the route accepts, a text property, an integer property, takes metadata)
WRITES = {
    "reservation-create": (
        "/admin/reservations",
        {"inventory_item_id": "{item}", "location_id": "{location}", "quantity": 1},
        "description",
        "quantity",
        True,
    ),
    "reservation-update": (
        "/admin/reservations/{reservation}",
        {"quantity": 2},
        "description",
        "quantity",
        True,
    ),
    "item-create": ("/admin/inventory-items", {"sku": "NEW-SKU"}, "title", "weight", True),
    "item-update": ("/admin/inventory-items/{item}", {"title": "T"}, "title", "weight", True),
    "level-create": (
        "/admin/inventory-items/{item}/location-levels",
        {"location_id": "{spare_location}", "stocked_quantity": 1},
        "location_id",
        "stocked_quantity",
        True,
    ),
    "level-update": (
        "/admin/inventory-items/{item}/location-levels/{location}",
        {"stocked_quantity": 12},
        None,
        "incoming_quantity",
        True,
    ),
    "location-create": ("/admin/stock-locations", {"name": "W"}, "name", None, True),
    "location-update": ("/admin/stock-locations/{location}", {"name": "W2"}, "name", None, True),
    "channel-create": ("/admin/sales-channels", {"name": "C"}, "description", None, True),
    "channel-update": ("/admin/sales-channels/{channel}", {"name": "C2"}, "name", None, True),
    "channel-link": (
        "/admin/sales-channels/{channel}/stock-locations",
        {"location_id": "{location}"},
        "location_id",
        None,
        False,
    ),
    "product-create": ("/admin/products", {"title": "P"}, "subtitle", None, True),
    "product-update": ("/admin/products/{product}", {"title": "P2"}, "handle", None, True),
    "variant-create": (
        "/admin/products/{product}/variants",
        {"title": "V"},
        "sku",
        "weight",
        True,
    ),
    "user-create": (
        "/admin/users",
        {"email": "new@example.com", "password": "pw"},
        "first_name",
        None,
        True,
    ),
    "user-update": ("/admin/users/{user}", {"last_name": "L"}, "last_name", None, True),
    "region-create": (
        "/admin/regions",
        {"name": "EU", "currency_code": "eur"},
        "name",
        None,
        True,
    ),
    "region-update": ("/admin/regions/{region}", {"name": "EU2"}, "name", None, True),
    "shipping-option-create": (
        "/admin/shipping-options",
        {"name": "S", "region_id": "{region}"},
        "name",
        "amount",
        True,
    ),
    "shipping-option-update": (
        "/admin/shipping-options/{shipping_option}",
        {"name": "S2"},
        "name",
        "amount",
        True,
    ),
    "draft-create": (
        "/admin/draft-orders",
        {"email": "new@example.com"},
        "customer_id",
        None,
        True,
    ),
    "draft-update": (
        "/admin/draft-orders/{draft}",
        {"email": "new@example.com"},
        "customer_id",
        None,
        True,
    ),
    "draft-line-add": (
        "/admin/draft-orders/{draft}/line-items",
        {"variant_id": "{variant}", "quantity": 1},
        "title",
        "quantity",
        True,
    ),
    "draft-line-update": (
        "/admin/draft-orders/{draft}/line-items/{draft_line}",
        {"quantity": 2},
        "title",
        "quantity",
        True,
    ),
    "draft-pay": ("/admin/draft-orders/{draft}/pay", {}, None, None, False),
    "order-update": ("/admin/orders/{order}", {"email": "new@example.com"}, None, None, True),
    "order-fulfillment": (
        "/admin/orders/{order}/fulfillment",
        {"items": [{"item_id": "{order_line}", "quantity": 1}], "location_id": "{stock}"},
        "location_id",
        None,
        True,
    ),
    "order-return": (
        "/admin/orders/{order}/return",
        {"items": [{"item_id": "{order_line}", "quantity": 1}]},
        "note",
        None,
        False,
    ),
    "order-cancel": ("/admin/orders/{open_order}/cancel", {}, None, None, False),
    "return-receive": (
        "/admin/returns/{return}/receive",
        {"location_id": "{stock}"},
        "location_id",
        None,
        False,
    ),
    "line-reserve": (
        "/admin/orders/{open_order}/line-items/{open_line}/reserve",
        {"location_id": "{stock}", "quantity": 1},
        "location_id",
        "quantity",
        False,
    ),
}
TEXT_ROUTES = [name for name, spec in WRITES.items() if spec[2]]
NUMBER_ROUTES = [name for name, spec in WRITES.items() if spec[3]]
METADATA_ROUTES = [name for name, spec in WRITES.items() if spec[4]]


def fill(value, ids: dict):
    """Put the world's ids into template strings, also inside lists and objects."""
    if isinstance(value, str):
        return value.format_map(ids)
    if isinstance(value, list):
        return [fill(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    return value


def route(name: str, ids: dict) -> tuple[str, dict]:
    path, body, *_ = WRITES[name]
    return path.format_map(ids), {k: fill(v, ids) for k, v in body.items()}


def refused(api, method: str, path: str, raw=None, **kwargs):
    """Send a request that must be refused, and check that it wrote nothing."""
    before = snapshot()
    response = send(api, method, path, raw, **kwargs)
    assert snapshot() == before
    return response


# Bodies ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(WRITES))
def test_write_route_accepts_its_base_body(api, world, name):
    # The refusals below change one thing in this body, so it must be valid.
    path, body = route(name, world)
    response = send(api, "POST", path, body)
    assert response.status_code == 200, response.content


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(WRITES))
@pytest.mark.parametrize(
    "raw",
    [
        b"{bad",
        b'{"a": 1,}',
        b"{'a': 1}",
        b'{"a": NaN}',
        b'{"a": -Infinity}',
        b"\xff\xfe{}",
        b'{"name": "\xff\xfe"}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"a": ' + b"9" * 5000 + b"}",
    ],
    ids=["garbage", "trailing-comma", "single-quotes", "nan", "infinity", "bom-bytes",
         "non-utf8-string", "deep-arrays", "huge-int-literal"],
)  # fmt: skip
def test_malformed_json_is_invalid_data(api, world, name, raw):
    path, _ = route(name, world)
    response = refused(api, "POST", path, raw)
    assert_error(response, 400, "invalid_data", prefix="The request body is not valid JSON")


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(WRITES))
@pytest.mark.parametrize("raw", ["[1]", "[]", '"x"', "5", "null", "true", '[{"name": "x"}]'])
def test_a_body_that_is_not_an_object_is_invalid_data(api, world, name, raw):
    path, _ = route(name, world)
    response = refused(api, "POST", path, raw)
    assert_error(response, 400, "invalid_data", "The request body must be a JSON object")


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(WRITES))
def test_an_unknown_property_is_refused_by_name(api, world, name):
    path, body = route(name, world)
    response = refused(api, "POST", path, {**body, "foo": 1, "b\u00e4r": None})
    message = "property foo should not exist, property b\u00e4r should not exist"
    assert_error(response, 400, "invalid_data", message)


MULTIPART = '--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--'


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(WRITES))
@pytest.mark.parametrize(
    ("content_type", "raw"),
    [
        ("application/x-www-form-urlencoded", "name=x&quantity=1"),
        ("multipart/form-data; boundary=b", MULTIPART),
        ("text/plain", '{"name": "x"}'),
        ("application/xml", "<name>x</name>"),
    ],
)  # fmt: skip
def test_a_body_that_is_not_json_is_refused(api, world, name, content_type, raw):
    path, _ = route(name, world)
    response = refused(api, "POST", path, raw, content_type=content_type)
    assert_error(response, 400, "invalid_data", prefix="Unsupported media type")


@pytest.mark.django_db
@pytest.mark.parametrize("name", TEXT_ROUTES)
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (5, "must be a string"),
        (1.5, "must be a string"),
        (True, "must be a string"),
        (["a"], "must be a string"),
        ({"a": "b"}, "must be a string"),
        ("a\x00b", "must not contain null characters"),
        ("a\ud800b", "must not contain surrogate characters"),
    ],
)
def test_a_bad_text_property_is_refused_by_name(api, world, name, value, message):
    path, body = route(name, world)
    text = WRITES[name][2]
    response = refused(api, "POST", path, {**body, text: value})
    assert_error(response, 400, "invalid_data", f"{text} {message}")


@pytest.mark.django_db
@pytest.mark.parametrize("name", TEXT_ROUTES)
def test_an_over_long_text_property_is_refused(api, world, name):
    path, body = route(name, world)
    text = WRITES[name][2]
    response = refused(api, "POST", path, {**body, text: "x" * 100_001})
    assert_error(response, 400, "invalid_data", prefix=f"{text} must be shorter than or equal to ")


@pytest.mark.django_db
@pytest.mark.parametrize("name", NUMBER_ROUTES)
@pytest.mark.parametrize(
    ("value", "messages"),
    [
        (2**31, {"must not be greater than 2147483647"}),
        (10**30, {"must not be greater than 2147483647"}),
        (-1, {"must not be less than 0", "must be a positive integer"}),
        (-(10**30), {"must not be less than 0", "must be a positive integer"}),
        (1.5, {"must be an integer", "must be a positive integer"}),
        ("1", {"must be an integer", "must be a positive integer"}),
        (True, {"must be an integer", "must be a positive integer"}),
        ([1], {"must be an integer", "must be a positive integer"}),
    ],
)
def test_a_bad_integer_property_is_refused_by_name(api, world, name, value, messages):
    path, body = route(name, world)
    number = WRITES[name][3]
    response = refused(api, "POST", path, {**body, number: value})
    body = assert_error(response, 400, "invalid_data")
    assert body["message"] in {f"{number} {m}" for m in messages}


@pytest.mark.django_db
@pytest.mark.parametrize("name", METADATA_ROUTES)
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("x", "metadata must be an object"),
        ([1], "metadata must be an object"),
        (5, "metadata must be an object"),
        ({"a": "\x00"}, "metadata must not contain null characters"),
        ({"\x00": 1}, "metadata must not contain null characters"),
        ({"a": ["ok", {"b": "x\x00"}]}, "metadata must not contain null characters"),
        ({"a": "\udc00"}, "metadata must not contain surrogate characters"),
        (nested(25), "metadata is nested too deeply"),
        ({"a": 10**30}, NUMBER_RANGE),
        ({"a": -(2**63) - 1}, NUMBER_RANGE),
        ({"a": 2**63}, NUMBER_RANGE),
        ({"a": [1e300]}, NUMBER_RANGE),
        ({"a": 1e308}, NUMBER_RANGE),
        ({"a": -9.3e18}, NUMBER_RANGE),
    ],
)
def test_bad_metadata_is_refused(api, world, name, value, message):
    path, body = route(name, world)
    response = refused(api, "POST", path, {**body, "metadata": value})
    assert_error(response, 400, "invalid_data", message)


@pytest.mark.django_db
@pytest.mark.parametrize("number", [b"1e400", b"-1e400", b"1" + b"0" * 400])
def test_a_metadata_number_past_any_range_is_refused(api, world, number):
    path, body = route("reservation-create", world)
    raw = json.dumps({**body, "metadata": {"a": "N"}}).replace('"N"', number.decode())
    response = refused(api, "POST", path, raw)
    assert_error(response, 400, "invalid_data", NUMBER_RANGE)


@pytest.mark.django_db
def test_metadata_within_the_limits_is_kept_as_given(api, world):
    # given
    metadata = {
        "big": 2**63 - 1,
        "small": -(2**62),
        "f": 1.5,
        "large": 1e18,
        "tiny": 1e-300,
        "deep": nested(10),
        "text": "żółw 🐢",
    }
    path, body = route("reservation-create", world)
    # when
    response = send(api, "POST", path, {**body, "metadata": metadata})
    # then
    assert response.status_code == 200
    assert response.json()["reservation"]["metadata"] == metadata


# Ids ------------------------------------------------------------------------------------


UNKNOWN_IDS = [
    ("GET", "/admin/reservations/resitem_nope", None),
    ("POST", "/admin/reservations/resitem_nope", {"quantity": 1}),
    ("DELETE", "/admin/reservations/resitem_nope", None),
    (
        "POST",
        "/admin/reservations",
        {"inventory_item_id": "iitem_nope", "location_id": "{location}", "quantity": 1},
    ),
    (
        "POST",
        "/admin/reservations",
        {"inventory_item_id": "{item}", "location_id": "sloc_nope", "quantity": 1},
    ),
    ("GET", "/admin/inventory-items/iitem_nope", None),
    ("POST", "/admin/inventory-items/iitem_nope", {"title": "T"}),
    ("DELETE", "/admin/inventory-items/iitem_nope", None),
    ("POST", "/admin/inventory-items", {"sku": "S", "variant_id": "variant_nope"}),
    ("GET", "/admin/inventory-items/iitem_nope/location-levels", None),
    (
        "POST",
        "/admin/inventory-items/iitem_nope/location-levels",
        {"location_id": "{spare_location}", "stocked_quantity": 1},
    ),
    (
        "POST",
        "/admin/inventory-items/{item}/location-levels",
        {"location_id": "sloc_nope", "stocked_quantity": 1},
    ),
    ("POST", "/admin/inventory-items/{item}/location-levels/sloc_nope", {"stocked_quantity": 1}),
    ("DELETE", "/admin/inventory-items/{item}/location-levels/sloc_nope", None),
    ("DELETE", "/admin/inventory-items/{item}/location-levels/{spare_location}", None),
    ("GET", "/admin/stock-locations/sloc_nope", None),
    ("POST", "/admin/stock-locations/sloc_nope", {"name": "W"}),
    ("DELETE", "/admin/stock-locations/sloc_nope", None),
    ("GET", "/admin/sales-channels/sc_nope", None),
    ("POST", "/admin/sales-channels/sc_nope", {"name": "C"}),
    ("DELETE", "/admin/sales-channels/sc_nope", None),
    ("POST", "/admin/sales-channels/sc_nope/stock-locations", {"location_id": "{location}"}),
    ("POST", "/admin/sales-channels/{channel}/stock-locations", {"location_id": "sloc_nope"}),
    ("DELETE", "/admin/sales-channels/sc_nope/stock-locations", {"location_id": "{location}"}),
    ("GET", "/admin/products/prod_nope", None),
    ("POST", "/admin/products/prod_nope", {"title": "P"}),
    ("DELETE", "/admin/products/prod_nope", None),
    ("POST", "/admin/products/prod_nope/variants", {"title": "V"}),
    ("GET", "/admin/variants/variant_nope", None),
    ("GET", "/admin/variants/variant_nope/inventory", None),
    ("GET", "/admin/users/usr_nope", None),
    ("POST", "/admin/users/usr_nope", {"first_name": "F"}),
    ("DELETE", "/admin/users/usr_nope", None),
    ("GET", "/admin/regions/reg_nope", None),
    ("POST", "/admin/regions/reg_nope", {"name": "R"}),
    ("DELETE", "/admin/regions/reg_nope", None),
    ("POST", "/admin/shipping-options", {"name": "S", "region_id": "reg_nope"}),
    ("GET", "/admin/shipping-options/so_nope", None),
    ("POST", "/admin/shipping-options/so_nope", {"name": "S"}),
    ("DELETE", "/admin/shipping-options/so_nope", None),
    ("POST", "/admin/draft-orders", {"email": "a@example.com", "region_id": "reg_nope"}),
    ("POST", "/admin/draft-orders", {"email": "a@example.com", "sales_channel_id": "sc_nope"}),
    (
        "POST",
        "/admin/draft-orders",
        {"email": "a@example.com", "items": [{"variant_id": "variant_nope", "quantity": 1}]},
    ),
    (
        "POST",
        "/admin/draft-orders",
        {"email": "a@example.com", "shipping_methods": [{"option_id": "so_nope"}]},
    ),
    ("GET", "/admin/draft-orders/dorder_nope", None),
    ("POST", "/admin/draft-orders/dorder_nope", {"email": "a@example.com"}),
    ("DELETE", "/admin/draft-orders/dorder_nope", None),
    ("POST", "/admin/draft-orders/dorder_nope/line-items", {"quantity": 1}),
    (
        "POST",
        "/admin/draft-orders/{draft}/line-items",
        {"variant_id": "variant_nope", "quantity": 1},
    ),
    ("POST", "/admin/draft-orders/dorder_nope/line-items/{draft_line}", {"quantity": 1}),
    ("DELETE", "/admin/draft-orders/dorder_nope/line-items/{draft_line}", None),
    ("POST", "/admin/draft-orders/dorder_nope/pay", {}),
    ("GET", "/admin/orders/order_nope", None),
    ("POST", "/admin/orders/order_nope", {"email": "a@example.com"}),
    ("GET", "/admin/orders/order_nope/reservations", None),
    (
        "POST",
        "/admin/orders/order_nope/fulfillment",
        {"items": [{"item_id": "{order_line}", "quantity": 1}]},
    ),
    (
        "POST",
        "/admin/orders/{order}/fulfillment",
        {"items": [{"item_id": "item_nope", "quantity": 1}]},
    ),
    (
        "POST",
        "/admin/orders/{order}/fulfillment",
        {"items": [{"item_id": "{open_line}", "quantity": 1}]},
    ),
    (
        "POST",
        "/admin/orders/{order}/fulfillment",
        {"items": [{"item_id": "{order_line}", "quantity": 1}], "location_id": "sloc_nope"},
    ),
    ("POST", "/admin/orders/order_nope/fulfillments/{fulfillment}/cancel", {}),
    ("POST", "/admin/orders/{order}/fulfillments/ful_nope/cancel", {}),
    ("POST", "/admin/orders/{open_order}/fulfillments/{fulfillment}/cancel", {}),
    ("POST", "/admin/orders/{order}/shipment", {"fulfillment_id": "ful_nope"}),
    (
        "POST",
        "/admin/orders/order_nope/return",
        {"items": [{"item_id": "{order_line}", "quantity": 1}]},
    ),
    (
        "POST",
        "/admin/orders/{order}/return",
        {"items": [{"item_id": "{order_line}", "quantity": 1}], "location_id": "sloc_nope"},
    ),
    ("POST", "/admin/orders/order_nope/cancel", {}),
    ("POST", "/admin/orders/order_nope/complete", {}),
    ("POST", "/admin/orders/order_nope/archive", {}),
    ("POST", "/admin/orders/order_nope/line-items/{open_line}/reserve", {"location_id": "{stock}"}),
    ("POST", "/admin/orders/{open_order}/line-items/item_nope/reserve", {"location_id": "{stock}"}),
    (
        "POST",
        "/admin/orders/{open_order}/line-items/{order_line}/reserve",
        {"location_id": "{stock}"},
    ),
    (
        "POST",
        "/admin/orders/{open_order}/line-items/{open_line}/reserve",
        {"location_id": "sloc_nope"},
    ),
    ("GET", "/admin/returns/ret_nope", None),
    ("POST", "/admin/returns/ret_nope/receive", {"location_id": "{stock}"}),
    ("POST", "/admin/returns/{return}/receive", {"location_id": "sloc_nope"}),
    ("POST", "/admin/returns/ret_nope/cancel", {}),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "body"), UNKNOWN_IDS)
def test_an_unknown_id_is_not_found(api, world, method, path, body):
    raw = None if body is None else fill(body, world)
    response = refused(api, method, path.format_map(world), raw)
    assert_error(response, 404, "not_found")


# Query strings and paths ----------------------------------------------------------------


LIST_ROUTES = [
    "/admin/users",
    "/admin/stock-locations",
    "/admin/sales-channels",
    "/admin/products",
    "/admin/variants",
    "/admin/inventory-items",
    "/admin/reservations",
    "/admin/regions",
    "/admin/shipping-options",
    "/admin/draft-orders",
    "/admin/orders",
    "/admin/returns",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", LIST_ROUTES)
@pytest.mark.parametrize(
    ("query", "message", "prefix"),
    [
        ("limit=1001", "limit must not be greater than 1000", None),
        ("limit=-1", "limit must be a non-negative integer", None),
        ("limit=abc", "limit must be a non-negative integer", None),
        ("limit=1.5", "limit must be a non-negative integer", None),
        ("limit=99999999999999999999", "limit must be a non-negative integer", None),
        ("limit=%ff", "limit must be a non-negative integer", None),
        ("offset=-5", "offset must be a non-negative integer", None),
        ("offset=x", "offset must be a non-negative integer", None),
        ("expand=nope", None, "expand has unknown relations nope"),
        ("fields=nope", None, "fields has unknown fields nope"),
        ("order=nope", None, "order must name one of "),
        ("order=-", None, "order must name one of "),
        ("order=--created_at", None, "order must name one of "),
        ("foo=1", "property foo should not exist", None),
        ("foo[gt]=1", "property foo[gt] should not exist", None),
        ("foo[bar]=1", "foo[bar] uses an unknown operator bar", None),
        ("%ff=1", "property \ufffd should not exist", None),
        ("x=%00", "x must not contain null characters", None),
        ("a[b][c]=1", "property a[b][c] should not exist", None),
    ],
)
def test_a_bad_list_query_is_invalid_data(api, world, path, query, message, prefix):
    response = api.get(f"{path}?{query}")
    assert_error(response, 400, "invalid_data", message, prefix)


@pytest.mark.django_db
@pytest.mark.parametrize("path", LIST_ROUTES)
def test_the_largest_limit_and_a_far_offset_are_fine(api, world, path):
    response = api.get(f"{path}?limit=1000&offset=999999999")
    assert response.status_code == 200
    body = response.json()
    assert (body["offset"], body["limit"], len(body) - 3) == (999999999, 1000, 1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/reservations/{reservation}",
        "/admin/stock-locations/{location}",
        "/admin/sales-channels/{channel}",
        "/admin/inventory-items/{item}",
        "/admin/users/{user}",
        "/admin/regions/{region}",
        "/admin/shipping-options/{shipping_option}",
        "/admin/draft-orders/{draft}",
        "/admin/orders/{order}",
        "/admin/returns/{return}",
    ],
)
@pytest.mark.parametrize(
    ("query", "prefix"),
    [
        ("expand=nope", "expand has unknown relations nope"),
        ("fields=nope", "fields has unknown fields nope"),
        ("foo=1", "property foo should not exist"),
    ],
)
def test_a_bad_detail_query_is_invalid_data(api, world, path, query, prefix):
    response = api.get(f"{path.format_map(world)}?{query}")
    assert_error(response, 400, "invalid_data", prefix=prefix)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("description=%ff%fe", 200),
        ("description[contains]=%c3%28", 200),
        ("description=" + "x" * 8000, 200),
        ("location_id=" + ",".join(["sloc_x"] * 1000), 200),
        ("description=" + "x" * 100_000, 414),
        ("location_id=" + ",".join(["sloc_x"] * 2000), 414),
        ("quantity[gt]=99999999999999999999999", 400),
        ("quantity[gt]=1e400", 400),
        ("quantity[gt]=NaN", 400),
        ("quantity[lt]=-Infinity", 400),
        ("created_at[gte]=0001-01-01T00:00:00%2B14:00", 400),
        ("created_at[lte]=9999-12-31T23:59:59-14:00", 400),
        ("created_at[lte]=2026-02-30T00:00:00Z", 400),
        ("description=%00", 400),
    ],
)
def test_odd_filter_values_never_fail(api, world, query, status):
    response = api.get(f"/admin/reservations?{query}")
    if status == 200:
        assert response.status_code == 200, response.content
        assert set(response.json()) == {"reservations", "count", "offset", "limit"}
    else:
        assert_error(response, status, "invalid_data")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/stock-locations?q=%ff%fe",
        "/admin/inventory-items?q=%ed%a0%80",
        "/admin/products?q=%c3",
        "/admin/sales-channels?name=%ff",
        "/admin/users?q=%fe",
        "/admin/regions?q=%ff",
        "/admin/draft-orders?q=%ff%fe",
        "/admin/orders?q=%c3%28",
    ],
)
def test_non_utf8_query_values_are_just_text(api, world, path):
    response = api.get(path)
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/reservations/%ff",
        "/admin/reservations/%00",
        "/admin/reservations/a%00b",
        "/admin/stock-locations/%ff%fe/",
        "/admin/inventory-items/%c3%28/location-levels",
        "/admin/%ff",
        "/admin/reservations/" + "a" * 5000,
        "/admin/draft-orders/%ff/line-items",
        "/admin/orders/%00/reservations",
    ],
)
def test_odd_paths_are_not_found(api, world, path):
    response = api.get(path)
    assert_error(response, 404, "not_found")


# Methods and unknown paths --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/admin/reservations"),
        ("PATCH", "/admin/reservations/{reservation}"),
        ("PUT", "/admin/reservations/{reservation}"),
        ("DELETE", "/admin/reservations"),
        ("PUT", "/admin/stock-locations/{location}"),
        ("DELETE", "/admin/products"),
        ("PATCH", "/admin/inventory-items/{item}"),
        ("PUT", "/admin/inventory-items/{item}/location-levels"),
        ("GET", "/admin/inventory-items/{item}/location-levels/{location}"),
        ("GET", "/admin/sales-channels/{channel}/stock-locations"),
        ("POST", "/admin/variants"),
        ("DELETE", "/admin/variants/{variant}"),
        ("DELETE", "/admin/users"),
        ("TRACE", "/admin/reservations"),
        ("PUT", "/admin/regions/{region}"),
        ("PATCH", "/admin/shipping-options/{shipping_option}"),
        ("POST", "/admin/orders"),
        ("DELETE", "/admin/orders/{order}"),
        ("GET", "/admin/orders/{order}/fulfillment"),
        ("GET", "/admin/draft-orders/{draft}/pay"),
        ("PUT", "/admin/draft-orders/{draft}/line-items/{draft_line}"),
        ("POST", "/admin/returns"),
        ("DELETE", "/admin/returns/{return}"),
    ],
)
def test_a_wrong_method_is_405_json(api, world, method, path):
    response = refused(api, method, path.format_map(world), {})
    assert_error(response, 405, "not_allowed", f'Method "{method}" not allowed.')
    assert method not in response["Allow"]


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
@pytest.mark.parametrize(
    "path",
    [
        "/admin/nope",
        "/admin",
        "/admin/reservations/a/b",
        "/admin/inventory-items/x/location-levels/y/z",
        "/admin/stock-locations//",
        "/nope",
    ],
)
def test_an_unknown_path_is_404_json(api, method, path):
    response = refused(api, method, path, {})
    if path == "/admin":  # the API's prefix itself also says where the dashboard is
        body = assert_error(response, 404, "not_found", prefix=f"Cannot {method} {path}: ")
        assert "/dashboard/" in body["message"]
    else:
        assert_error(response, 404, "not_found", f"Cannot {method} {path}")


# Trailing slashes -----------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", LIST_ROUTES)
def test_a_list_path_with_a_trailing_slash_answers_directly(api, world, path):
    plain, slashed = api.get(path), api.get(f"{path}/")
    assert slashed.status_code == 200
    assert slashed.json() == plain.json()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/admin/reservations/{reservation}/",
        "/admin/stock-locations/{location}/",
        "/admin/inventory-items/{item}/location-levels/",
        "/admin/variants/{variant}/inventory/",
        "/admin/draft-orders/{draft}/",
        "/admin/orders/{order}/reservations/",
    ],
)
def test_a_detail_path_with_a_trailing_slash_answers_directly(api, world, path):
    assert api.get(path.format_map(world)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name",
    [
        "reservation-create",
        "product-create",
        "location-create",
        "reservation-update",
        "draft-pay",
        "order-fulfillment",
        "line-reserve",
    ],
)
def test_a_write_with_a_trailing_slash_answers_directly(api, world, name, consistent):
    path, body = route(name, world)
    response = send(api, "POST", f"{path}/", body)
    assert response.status_code == 200, response.content
    consistent()
