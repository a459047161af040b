"""Amounts stay within what a JSON client reads exactly (2**53 - 1): refused at input, so a
stored draft or order always renders, and the lists that show it keep working."""

import pytest
from rest_framework.test import APIClient

from config.errors import InvalidData
from draft_orders.models import DraftLineItem, DraftOrder
from draft_orders.services import draft_line_add, draft_order_create
from orders.models import Order
from orders.money import MAX_AMOUNT
from orders.services import order_place, region_create, region_update, shipping_option_create
from tests.config.test_bad_input import assert_error, snapshot
from tests.factories.inventory import VariantFactory

pytestmark = pytest.mark.django_db

MAX_INT = 2**31 - 1  # the largest unit_price and quantity a field takes
NEAR = 2**22  # MAX_INT × NEAR = 2**53 - 2**22: one line just within the limit
TOO_BIG = f"must not be greater than {MAX_AMOUNT}"


@pytest.fixture
def client(staff):
    """A staff client that gets a 500 answer instead of the exception."""
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_X_MEDUSA_ACCESS_TOKEN=staff.api_token)
    return client


def line(unit_price=MAX_INT, quantity=NEAR) -> dict:
    return {"title": "Bulk", "unit_price": unit_price, "quantity": quantity}


def credit(unit_price=-MAX_INT, quantity=NEAR) -> dict:
    """A line with a negative price (only a variant's line keeps one)."""
    return {"variant_id": VariantFactory().pk, "unit_price": unit_price, "quantity": quantity}


def post(client, path, body):
    return client.post(path, body, format="json")


def refused(client, path, body, message):
    before = snapshot()
    response = post(client, path, body)
    assert_error(response, 400, "invalid_data", message)
    assert snapshot() == before


def test_lines_within_the_field_limits_cannot_make_a_draft_that_breaks_the_lists(
    client, default_channel
):
    # given: five lines of the largest unit_price and quantity (2**62 each; 2**64 together)
    body = {"email": "a@example.com", "items": [line(MAX_INT, MAX_INT)] * 5}
    # when
    response = post(client, "/admin/draft-orders", body)
    # then
    assert response.status_code == 400, response.content
    message = response.json()["message"]
    assert message.startswith(f"items[0].subtotal (unit_price × quantity) {TOO_BIG}, ")
    assert message.endswith(f"total {TOO_BIG}")
    assert not DraftOrder.objects.exists()
    assert client.get("/admin/draft-orders").status_code == 200
    assert client.get("/admin/orders").status_code == 200


def test_a_line_subtotal_past_the_limit_is_refused(client, default_channel):
    body = {"email": "a@example.com", "items": [line(), line(MAX_INT, NEAR + 1)]}
    refused(
        client,
        "/admin/draft-orders",
        body,
        f"items[1].subtotal (unit_price × quantity) {TOO_BIG}, subtotal {TOO_BIG}, total {TOO_BIG}",
    )


def test_a_negative_amount_past_the_limit_is_refused(client, default_channel):
    body = {"email": "a@example.com", "items": [credit(-MAX_INT, MAX_INT)]}
    response = post(client, "/admin/draft-orders", body)
    assert_error(response, 400, "invalid_data", prefix="items[0].subtotal (unit_price × quantity)")
    assert f"must not be less than {-MAX_AMOUNT}" in response.json()["message"]


def test_lines_each_within_the_limit_may_not_pass_it_together(client, default_channel):
    body = {"email": "a@example.com", "items": [line(), line()]}
    refused(client, "/admin/draft-orders", body, f"subtotal {TOO_BIG}, total {TOO_BIG}")


def shipped(shipping: int) -> dict:
    """A draft body: one line just within the limit, shipped at `shipping`."""
    region = region_create(name="US", currency_code="usd")
    option = shipping_option_create(region_id=region.pk, name="Freight", amount=shipping)
    return {
        "email": "a@example.com",
        "region_id": region.pk,
        "items": [line()],
        "shipping_methods": [{"option_id": option.pk}],
    }


def test_shipping_may_not_push_the_total_past_the_limit(client, default_channel):
    refused(client, "/admin/draft-orders", shipped(MAX_INT), f"total {TOO_BIG}")


def test_tax_may_not_push_the_total_past_the_limit(client, default_channel):
    region = region_create(name="Taxed", currency_code="usd", tax_rate=100)
    body = {"email": "a@example.com", "region_id": region.pk, "items": [line(MAX_INT, 3 * 2**20)]}
    refused(client, "/admin/draft-orders", body, f"total {TOO_BIG}")


def test_a_total_of_exactly_the_limit_is_kept_and_read_back_exactly(client, default_channel):
    # when
    created = post(client, "/admin/draft-orders", shipped(MAX_AMOUNT - MAX_INT * NEAR))
    paid = post(client, f"/admin/draft-orders/{created.json()['draft_order']['id']}/pay", {})
    # then
    assert created.status_code == 200, created.content
    assert created.json()["draft_order"]["cart"]["total"] == MAX_AMOUNT
    assert paid.status_code == 200, paid.content
    assert paid.json()["order"]["total"] == MAX_AMOUNT
    assert (
        client.get("/admin/draft-orders").json()["draft_orders"][0]["cart"]["total"] == MAX_AMOUNT
    )
    assert client.get("/admin/orders").json()["orders"][0]["total"] == MAX_AMOUNT


def test_adding_a_line_may_not_push_a_draft_past_the_limit(client, default_channel):
    draft = draft_order_create(email="a@example.com", items=[line()])
    refused(
        client,
        f"/admin/draft-orders/{draft.pk}/line-items",
        line(),
        f"subtotal {TOO_BIG}, total {TOO_BIG}",
    )


def test_changing_a_line_may_not_push_a_draft_past_the_limit(client, default_channel):
    draft = draft_order_create(email="a@example.com", items=[line()])
    path = f"/admin/draft-orders/{draft.pk}/line-items/{draft.items.get().pk}"
    refused(
        client,
        path,
        {"quantity": NEAR + 1},
        f"items[0].subtotal (unit_price × quantity) {TOO_BIG}, subtotal {TOO_BIG}, total {TOO_BIG}",
    )


def test_removing_a_negative_line_may_not_push_a_draft_past_the_limit(client, default_channel):
    # given: a credit line holds the total within the limit
    draft = draft_order_create(email="a@example.com", items=[line(), credit()])
    draft_line_add(draft_id=draft.pk, **line())
    discount = DraftLineItem.objects.get(unit_price__lt=0)
    # when / then
    for method in ("delete", "post"):
        before = snapshot()
        path = f"/admin/draft-orders/{draft.pk}/line-items/{discount.pk}"
        body = {"quantity": 0} if method == "post" else None
        response = getattr(client, method)(path, body, format="json")
        assert_error(response, 400, "invalid_data", f"subtotal {TOO_BIG}, total {TOO_BIG}")
        assert snapshot() == before


def test_a_region_with_more_tax_may_not_push_a_draft_past_the_limit(client, default_channel):
    draft = draft_order_create(email="a@example.com", items=[line(MAX_INT, 3 * 2**20)])
    region = region_create(name="Taxed", currency_code="usd", tax_rate=100)
    refused(client, f"/admin/draft-orders/{draft.pk}", {"region_id": region.pk}, f"total {TOO_BIG}")


def test_paying_is_refused_when_the_regions_tax_grew_past_the_limit(client, default_channel):
    # given
    region = region_create(name="Taxed", currency_code="usd", tax_rate=0)
    draft = draft_order_create(
        email="a@example.com", region_id=region.pk, items=[line(MAX_INT, 3 * 2**20)]
    )
    region_update(region_id=region.pk, tax_rate=100)
    # when
    refused(client, f"/admin/draft-orders/{draft.pk}/pay", {}, f"total {TOO_BIG}")
    # then
    assert DraftOrder.objects.get().status == "open"
    assert not Order.objects.exists()


def test_placing_an_order_refuses_totals_past_the_limit(default_channel):
    # given
    items = [{"variant_id": None, "title": "Bulk", "unit_price": MAX_INT, "quantity": NEAR}] * 2
    before = snapshot()
    # when
    with pytest.raises(InvalidData) as refusal:
        order_place(
            email="a@example.com",
            sales_channel_id=default_channel.pk,
            currency_code="usd",
            items=items,
        )
    # then
    assert refusal.value.message == f"subtotal {TOO_BIG}, total {TOO_BIG}"
    assert snapshot() == before
