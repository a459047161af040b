"""Query values on number columns: a value that is not an integer the column holds is a 400."""

import pytest
from django.db import models
from django_filters.utils import get_model_field

from config.api.filters import column_range
from config.api.query import display_key
from config.urls import router
from draft_orders.services import draft_order_create
from tests.config.test_bad_input import assert_error
from tests.factories.orders import place_order

pytestmark = pytest.mark.django_db


def number_filters():
    """(list path, query key, column) of every filter on a number column of every list route."""
    for prefix, viewset, _ in router.registry:
        filterset = getattr(viewset, "filterset", None)
        for name, filter_ in (filterset.base_filters if filterset else {}).items():
            column = get_model_field(filterset._meta.model, filter_.field_name)
            if isinstance(column, (models.IntegerField, models.FloatField, models.DecimalField)):
                yield pytest.param(
                    f"/admin/{prefix}", display_key(name), column, id=f"{prefix}-{name}"
                )


NUMBER_FILTERS = list(number_filters())
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
