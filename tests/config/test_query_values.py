"""Query values: a value a filter cannot take (not an integer its column holds, not a
boolean, none of a column's choices) is a 400; an empty `limit` or `offset` is the default."""

import pytest
from django.db import models
from django_filters.utils import get_model_field

from config.api.filters import BoolFilter, InFilter, column_choices, column_range
from config.api.query import display_key
from config.urls import router
from draft_orders.services import draft_order_create
from tests.config.test_bad_input import assert_error
from tests.factories.inventory import SalesChannelFactory
from tests.factories.orders import place_order

pytestmark = pytest.mark.django_db


def list_filters():
    """(list path, query key, model, filter) of every filter of every list route."""
    for prefix, viewset, _ in router.registry:
        filterset = getattr(viewset, "filterset", None)
        for name, filter_ in (filterset.base_filters if filterset else {}).items():
            yield f"/admin/{prefix}", display_key(name), filterset._meta.model, filter_


def _id(path: str, key: str) -> str:
    return f"{path.removeprefix('/admin/')}-{key}"


NUMBER_FILTERS = [
    pytest.param(path, key, column, id=_id(path, key))
    for path, key, model, filter_ in list_filters()
    if isinstance(
        column := get_model_field(model, filter_.field_name),
        (models.IntegerField, models.FloatField, models.DecimalField),
    )
]
BOOLEAN_FILTERS = [
    pytest.param(path, key, id=_id(path, key))
    for path, key, _, filter_ in list_filters()
    if isinstance(filter_, BoolFilter)
]
CHOICE_FILTERS = [
    pytest.param(path, key, choices, id=_id(path, key))
    for path, key, model, filter_ in list_filters()
    if isinstance(filter_, InFilter) and (choices := column_choices(model, filter_.field_name))
]
NOT_INTEGERS = ["abc", "1.5", "1e3", "0x10", "1_000", "²", "٣", "NaN", "-Infinity", "1,x", "🙂"]


def test_the_number_filters_are_found():
    found = {(path, key) for path, key, _ in (p.values for p in NUMBER_FILTERS)}
    assert {
        ("/admin/orders", "display_id"),
        ("/admin/reservations", "quantity[gt]"),
        ("/admin/inventory-items", "weight[lte]"),
    } <= found


def bad_values(column) -> list[str]:
    if not isinstance(column, models.IntegerField):  # none yet: say what a bad value is first
        raise NotImplementedError(f"no bad values for {type(column).__name__} filters")
    lowest, highest = column_range(column)
    return [*NOT_INTEGERS, "9" * 30, str(highest + 1), str(lowest - 1)]


@pytest.mark.parametrize(("path", "key", "column"), NUMBER_FILTERS)
def test_a_number_filter_refuses_what_is_not_an_integer_of_its_column(api, path, key, column):
    lowest, highest = column_range(column)
    for value in bad_values(column):
        response = api.get(path, {key: value})
        message = f"{key} must be an integer from {lowest} to {highest}"
        assert_error(response, 400, "invalid_data", message)


@pytest.mark.parametrize(("path", "key", "column"), NUMBER_FILTERS)
def test_a_number_filter_takes_the_integers_of_its_column(api, path, key, column):
    for value in (*column_range(column), " 7 ", "+7", "-0"):
        response = api.get(path, {key: value})
        assert response.status_code == 200, (value, response.content)


@pytest.mark.parametrize(
    "query",
    ["display_id[]=abc", "display_id[0]=1&display_id[1]=1.5", "display_id=1,x"],
)
def test_the_array_form_of_a_number_filter_refuses_a_bad_member(api, query):
    response = api.get(f"/admin/orders?{query}")
    assert_error(
        response, 400, "invalid_data", "display_id must be an integer from 0 to 2147483647"
    )


def test_orders_filter_by_display_id_in_every_form(api, default_channel):
    # given
    first, second, _ = (place_order({}, custom=[("Mug", 1)]) for _ in range(3))
    wanted = {first.pk, second.pk}
    # when
    queries = [
        f"display_id={first.display_id},{second.display_id}",
        f"display_id[]={first.display_id}&display_id[]={second.display_id}",
        f"display_id[0]={first.display_id}&display_id[1]={second.display_id}",
    ]
    # then
    for query in queries:
        body = api.get(f"/admin/orders?{query}").json()
        assert {order["id"] for order in body["orders"]} == wanted, query


@pytest.mark.parametrize("text", ["²", "٣", "9" * 30, "1.5", "-1"])
def test_draft_search_takes_text_that_only_looks_like_a_number(api, default_channel, text):
    # given
    draft_order_create(email=f"{text}@example.com")
    draft_order_create(email="other@example.com")
    # when
    response = api.get("/admin/draft-orders", {"q": text})
    # then
    assert response.status_code == 200, response.content
    assert [d["cart"]["email"] for d in response.json()["draft_orders"]] == [f"{text}@example.com"]


def test_draft_search_finds_a_display_id(api, default_channel):
    drafts = [draft_order_create(email=f"{name}@example.com") for name in ("ann", "bob", "cy")]
    response = api.get("/admin/draft-orders", {"q": f" {drafts[1].display_id} "})
    assert [d["id"] for d in response.json()["draft_orders"]] == [drafts[1].pk]


def test_the_boolean_and_choice_filters_are_found():
    booleans = {(path, key) for path, key in (p.values for p in BOOLEAN_FILTERS)}
    assert {
        ("/admin/sales-channels", "is_disabled"),
        ("/admin/variants", "allow_backorder"),
        ("/admin/shipping-options", "is_return"),
    } <= booleans
    choices = {(path, key) for path, key, _ in (p.values for p in CHOICE_FILTERS)}
    assert {
        ("/admin/orders", "status"),
        ("/admin/orders", "payment_status"),
        ("/admin/stock-movements", "reason"),
        ("/admin/stock-transfers", "status"),
        ("/admin/users", "role"),
    } <= choices


@pytest.mark.parametrize(("path", "key"), BOOLEAN_FILTERS)
def test_a_boolean_filter_refuses_what_is_not_a_boolean(api, path, key):
    for value in ("yes", "1", "0", "tru", "null", "true,false"):
        response = api.get(path, {key: value})
        assert_error(response, 400, "invalid_data", f"{key} must be a boolean")


@pytest.mark.parametrize(("path", "key"), BOOLEAN_FILTERS)
def test_a_boolean_filter_takes_true_and_false_in_any_case(api, path, key):
    for value in ("true", "false", "TRUE", " False ", ""):
        response = api.get(path, {key: value})
        assert response.status_code == 200, (value, response.content)


def test_a_boolean_filter_filters_both_ways(api, default_channel):
    # given
    SalesChannelFactory(name="Off", is_disabled=True)
    # when
    disabled = api.get("/admin/sales-channels", {"is_disabled": "true"}).json()
    enabled = api.get("/admin/sales-channels", {"is_disabled": "False"}).json()
    # then
    assert [c["name"] for c in disabled["sales_channels"]] == ["Off"]
    assert "Off" not in [c["name"] for c in enabled["sales_channels"]]
    assert enabled["count"] >= 1


@pytest.mark.parametrize(("path", "key", "choices"), CHOICE_FILTERS)
def test_a_choice_filter_refuses_a_value_that_is_none_of_its_choices(api, path, key, choices):
    for query in ({key: "bogus"}, {key: f"{choices[0]},bogus"}, {f"{key}[]": [choices[0], "x"]}):
        response = api.get(path, query)
        assert_error(response, 400, "invalid_data", f"{key} must be one of {', '.join(choices)}")


@pytest.mark.parametrize(("path", "key", "choices"), CHOICE_FILTERS)
def test_a_choice_filter_takes_its_choices(api, path, key, choices):
    response = api.get(path, {key: ",".join(choices)})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("query", ["limit=", "offset=", "limit=&offset=", "limit=%20"])
def test_an_empty_limit_or_offset_means_the_default(api, default_channel, query):
    body = api.get(f"/admin/draft-orders?{query}").json()
    assert (body["limit"], body["offset"]) == (50, 0)


def test_the_largest_offset_is_taken_and_one_more_is_refused(api, default_channel):
    assert api.get("/admin/regions", {"offset": "1000000000"}).json()["offset"] == 10**9
    response = api.get("/admin/regions", {"offset": "1000000001"})
    assert_error(response, 400, "invalid_data", "offset must not be greater than 1000000000")


@pytest.mark.parametrize("value", ["٣", "1.0", "-1", "1e3", "x"])
def test_limit_and_offset_take_only_ascii_digits(api, default_channel, value):
    for name in ("limit", "offset"):
        response = api.get("/admin/regions", {name: value})
        assert_error(response, 400, "invalid_data", f"{name} must be a non-negative integer")
