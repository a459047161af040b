"""Draft orders through the admin: drafts and their lines are written by
`draft_orders.services`; "Mark paid" places the order (reserving its stock) or shows the
refusal and writes nothing."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote

from draft_orders import services
from draft_orders.models import DraftLineItem, DraftOrder
from inventory.models import InventoryLevel
from orders.models import LineItem, Order
from orders.services import region_create, shipping_option_create
from reservations.models import ReservationItem
from tests.admin.utils import admin_url, form_errors, messages_of, no_inline_rows
from tests.factories.inventory import StockLocationFactory
from tests.factories.orders import channel_with_locations, stocked_variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def location(default_channel):
    """A warehouse linked to the default channel (where drafts are placed)."""
    location = StockLocationFactory(name="Main")
    channel_with_locations(location)
    return location


def draft_of(*variant_quantities, **fields) -> DraftOrder:
    return services.draft_order_create(
        email=fields.pop("email", "draft@example.com"),
        items=[{"variant_id": v.pk, "quantity": q} for v, q in variant_quantities],
        **fields,
    )


def level_of(variant, location) -> InventoryLevel:
    return InventoryLevel.objects.get(
        inventory_item__variant_links__variant=variant, location=location
    )


def pay(dashboard, *drafts):
    return dashboard.post(
        admin_url(DraftOrder, "changelist"),
        {"action": "mark_paid", "_selected_action": [draft.pk for draft in drafts]},
    )


def order_link(order) -> str:
    return f'<a href="{admin_url(Order, "change", quote(order.pk))}">Order #{order.display_id}</a>'


def short_message(draft, variant, requested, available) -> str:
    """The refusal of paying `draft` when `variant`'s line is short (its id is gone)."""
    return (
        rf"Draft order #{draft.display_id}: Insufficient inventory for "
        rf"{re.escape(variant.product.title)} \(line item_\w+, {variant.sku}\): "
        rf"requested {requested}, available {available}"
    )


# Mark paid --------------------------------------------------------------------------------


def test_admin_pay_action_places_the_order_and_reserves_its_stock(dashboard, location, consistent):
    # given
    variant = stocked_variant((location, 10))
    draft = draft_of((variant, 3))
    # when
    response = pay(dashboard, draft)
    # then
    assert response.status_code == 302
    order = Order.objects.get()
    assert messages_of(response) == [
        ("success", f"Draft order #{draft.display_id} paid: placed {order_link(order)}.")
    ]
    draft.refresh_from_db()
    assert (draft.status, draft.order_id) == ("completed", order.pk)
    line = order.items.get()
    assert (line.variant_id, line.quantity, line.unit_price) == (variant.pk, 3, 1000)
    reservation = ReservationItem.objects.get()
    assert (reservation.line_item_id, reservation.location_id, reservation.quantity) == (
        line.pk,
        location.pk,
        3,
    )
    level = level_of(variant, location)
    assert (level.stocked_quantity, level.reserved_quantity) == (10, 3)
    consistent()


def test_admin_pay_action_with_insufficient_stock_shows_the_error_and_writes_nothing(
    dashboard, location, consistent
):
    # given
    variant = stocked_variant((location, 2))
    draft = draft_of((variant, 3))
    # when
    response = pay(dashboard, draft)
    # then
    assert response.status_code == 302
    [(level, message)] = messages_of(response)
    assert level == "error"
    assert re.fullmatch(short_message(draft, variant, 3, 2), message)
    draft.refresh_from_db()
    assert (draft.status, draft.order_id, draft.completed_at) == ("open", None, None)
    assert not Order.objects.exists()
    assert not LineItem.objects.exists()
    assert not ReservationItem.objects.exists()
    assert level_of(variant, location).reserved_quantity == 0
    consistent()


def test_admin_pay_action_places_the_drafts_it_can_and_reports_the_others(
    dashboard, location, consistent
):
    # given: stock for the first draft only
    variant = stocked_variant((location, 4))
    first, second = draft_of((variant, 3)), draft_of((variant, 2))
    # when
    response = pay(dashboard, first, second)
    # then
    order = Order.objects.get()
    [(level, refused), paid] = messages_of(response)
    assert paid == ("success", f"Draft order #{first.display_id} paid: placed {order_link(order)}.")
    assert level == "error"
    assert re.fullmatch(short_message(second, variant, 2, 1), refused)
    statuses = dict(DraftOrder.objects.values_list("pk", "status"))
    assert statuses == {first.pk: "completed", second.pk: "open"}
    assert level_of(variant, location).reserved_quantity == 3
    consistent()


def test_admin_pay_action_refuses_a_paid_draft_and_an_empty_one(dashboard, location, consistent):
    variant = stocked_variant((location, 10))
    paid = draft_of((variant, 1))
    services.draft_order_pay(draft_id=paid.pk)
    empty = draft_of()

    response = pay(dashboard, paid, empty)

    assert messages_of(response) == [
        ("error", f"Draft order #{paid.display_id}: Draft order {paid.pk} is already completed"),
        (
            "error",
            f"Draft order #{empty.display_id}: A draft order needs at least one line item to "
            "be paid",
        ),
    ]
    assert Order.objects.count() == 1
    assert ReservationItem.objects.get().quantity == 1
    consistent()


# Drafts -----------------------------------------------------------------------------------


def draft_data(**fields) -> dict:
    return {
        "email": "new@example.com",
        "sales_channel": "",
        "region": "",
        "customer_id": "",
        "shipping_address": "",
        "billing_address": "",
        "no_notification_order": "unknown",
        "metadata": "",
        **fields,
    }


def test_admin_add_draft_order_creates_it_in_the_default_channel(dashboard, default_channel):
    response = dashboard.post(
        admin_url(DraftOrder, "add"), draft_data(shipping_address_city="Aarhus")
    )

    assert response.status_code == 302
    draft = DraftOrder.objects.get()
    assert (draft.email, draft.status, draft.sales_channel_id) == (
        "new@example.com",
        "open",
        default_channel.pk,
    )
    assert draft.display_id > 0
    assert draft.shipping_address == {"city": "Aarhus"}
    assert (draft.region_id, draft.shipping_methods, draft.metadata) == (None, [], None)


def test_admin_change_draft_order_sets_its_region_and_shipping(dashboard, default_channel):
    # given
    draft = draft_of()
    region = region_create(name="Europe", currency_code="eur")
    option = shipping_option_create(region_id=region.pk, name="Post", amount=500)
    # when
    response = dashboard.post(
        admin_url(DraftOrder, "change", draft.pk),
        draft_data(
            email="changed@example.com",
            sales_channel=draft.sales_channel_id,
            region=region.pk,
            shipping_options=[option.pk],
        )
        | no_inline_rows("items"),
    )
    # then
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.email, draft.region_id) == ("changed@example.com", region.pk)
    assert draft.shipping_methods == [
        {"shipping_option_id": option.pk, "name": "Post", "price": 500, "data": {}}
    ]


def test_admin_change_draft_order_refusals_are_form_errors(dashboard, default_channel):
    # given: a draft in one region, an option of another
    region = region_create(name="Europe", currency_code="eur")
    other = region_create(name="Nordics", currency_code="dkk")
    option = shipping_option_create(region_id=other.pk, name="Post", amount=500)
    draft = services.draft_order_create(email="draft@example.com", region_id=region.pk)
    url = admin_url(DraftOrder, "change", draft.pk)
    base = draft_data(sales_channel=draft.sales_channel_id) | no_inline_rows("items")
    # when
    wrong_option = dashboard.post(url, base | {"region": region.pk, "shipping_options": option.pk})
    no_region = dashboard.post(url, base)
    # then
    assert form_errors(wrong_option) == [
        f"Shipping option {option.pk} is not available in the draft's region"
    ]
    assert form_errors(no_region) == ["region: A draft order's region can be changed, not removed."]
    draft.refresh_from_db()
    assert (draft.email, draft.region_id, draft.shipping_methods) == (
        "draft@example.com",
        region.pk,
        [],
    )


def test_admin_paid_draft_is_read_only_and_cannot_be_deleted(dashboard, location):
    variant = stocked_variant((location, 10))
    draft = draft_of((variant, 1))
    services.draft_order_pay(draft_id=draft.pk)
    open_draft = draft_of((variant, 1))

    page = dashboard.get(admin_url(DraftOrder, "change", draft.pk))
    post = dashboard.post(admin_url(DraftOrder, "change", draft.pk), draft_data())
    delete = dashboard.post(admin_url(DraftOrder, "delete", draft.pk), {"post": "yes"})
    bulk = dashboard.post(
        admin_url(DraftOrder, "changelist"),
        {"action": "delete_selected", "_selected_action": [draft.pk, open_draft.pk], "post": "yes"},
    )

    assert (page.status_code, post.status_code) == (200, 403)
    assert (delete.status_code, bulk.status_code) == (403, 403)
    assert page.context["title"] == "View draft order"
    assert DraftOrder.objects.count() == 2
    assert DraftLineItem.objects.count() == 2


def test_admin_delete_open_draft_deletes_its_lines(dashboard, location):
    draft = draft_of((stocked_variant((location, 10)), 2))

    response = dashboard.post(admin_url(DraftOrder, "delete", draft.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not DraftOrder.objects.exists()
    assert not DraftLineItem.objects.exists()


# Lines ------------------------------------------------------------------------------------


def line_data(draft, variant=None, **fields) -> dict:
    return {
        "draft_order": draft.pk,
        "variant": variant.pk if variant else "",
        "title": "",
        "unit_price": "",
        "quantity": 1,
        "metadata": "",
        **fields,
    }


def test_admin_add_line_prices_the_variant_and_merges_the_same_variant(dashboard, location):
    # given
    variant = stocked_variant((location, 10))
    draft = draft_of()
    url = admin_url(DraftLineItem, "add")
    page = dashboard.get(admin_url(DraftOrder, "change", draft.pk))
    form = dashboard.get(url, {"draft_order": draft.pk}).context["adminform"].form
    # when
    first = dashboard.post(url, line_data(draft, variant, quantity=2))
    again = dashboard.post(url, line_data(draft, variant, quantity=3))
    custom = dashboard.post(url, line_data(draft, title="Gift wrap", unit_price=250))
    # then
    assert f'href="{url}?draft_order={draft.pk}"' in page.content.decode()
    assert form.initial["draft_order"] == draft.pk
    back = admin_url(DraftOrder, "change", draft.pk)
    assert [r["Location"] for r in (first, again, custom)] == [back] * 3
    lines = DraftLineItem.objects.filter(draft_order=draft).order_by("created_at", "id")
    assert [(line.variant_id, line.title, line.unit_price, line.quantity) for line in lines] == [
        (variant.pk, variant.product.title, 1000, 5),
        (None, "Gift wrap", 250, 1),
    ]


def test_admin_change_and_delete_line_through_the_services(dashboard, location):
    draft = draft_of((stocked_variant((location, 10)), 2))
    line = draft.items.get()

    changed = dashboard.post(
        admin_url(DraftLineItem, "change", line.pk),
        {"title": "Renamed", "unit_price": 900, "quantity": 4, "metadata": ""},
    )
    line.refresh_from_db()
    deleted = dashboard.post(admin_url(DraftLineItem, "delete", line.pk), {"post": "yes"})

    assert changed["Location"] == admin_url(DraftOrder, "change", draft.pk)
    assert (line.title, line.unit_price, line.quantity) == ("Renamed", 900, 4)
    assert deleted.status_code == 302
    assert not DraftLineItem.objects.exists()


def test_admin_lines_of_a_paid_draft_cannot_be_added_changed_or_deleted(dashboard, location):
    variant = stocked_variant((location, 10))
    draft = draft_of((variant, 1))
    services.draft_order_pay(draft_id=draft.pk)
    line = draft.items.get()

    added = dashboard.post(admin_url(DraftLineItem, "add"), line_data(draft, variant))
    changed = dashboard.post(
        admin_url(DraftLineItem, "change", line.pk),
        {"title": "x", "unit_price": 1, "quantity": 9, "metadata": ""},
    )
    deleted = dashboard.post(admin_url(DraftLineItem, "delete", line.pk), {"post": "yes"})

    assert form_errors(added) == ["You are only allowed to update open draft orders"]
    assert (changed.status_code, deleted.status_code) == (403, 403)
    assert list(DraftLineItem.objects.values_list("quantity", flat=True)) == [1]


def test_admin_add_line_for_a_variant_without_a_price_in_the_currency_is_a_form_error(
    dashboard, location
):
    variant = stocked_variant((location, 10), prices=[{"currency_code": "eur", "amount": 900}])
    draft = draft_of()

    response = dashboard.post(admin_url(DraftLineItem, "add"), line_data(draft, variant))

    assert form_errors(response) == [
        f'Cannot generate line item for variant "{variant.title}" without a price'
    ]
    assert not DraftLineItem.objects.exists()


# Every page renders -----------------------------------------------------------------------

MODELS = [DraftOrder, DraftLineItem]


@pytest.fixture
def drafts(location):
    region = region_create(name="Europe", currency_code="usd", tax_rate=25)
    option = shipping_option_create(region_id=region.pk, name="Post", amount=500)
    variant = stocked_variant((location, 10))
    paid = draft_of((variant, 1), region_id=region.pk)
    services.draft_order_pay(draft_id=paid.pk)
    draft_of((variant, 2), region_id=region.pk, shipping_methods=[{"option_id": option.pk}])


def test_draft_models_are_registered():
    assert all(admin.site.is_registered(model) for model in MODELS)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_draft_pages_render(dashboard, drafts, model):
    changelist = dashboard.get(admin_url(model, "changelist"))
    search = dashboard.get(admin_url(model, "changelist"), {"q": "1"})
    add = dashboard.get(admin_url(model, "add"))
    changes = [dashboard.get(admin_url(model, "change", obj.pk)) for obj in model.objects.all()]

    assert (changelist.status_code, search.status_code, add.status_code) == (200, 200, 200)
    assert [change.status_code for change in changes] == [200, 200]
    assert changelist.context["cl"].result_count == 2


def test_admin_draft_list_shows_line_counts_and_totals(dashboard, drafts):
    response = dashboard.get(admin_url(DraftOrder, "changelist"), {"status__exact": "open"})

    [draft] = response.context["cl"].result_list
    model_admin = response.context["cl"].model_admin
    # two units at 1000, shipping 500, tax 25 %
    assert (model_admin.line_count(draft), model_admin.total(draft)) == (1, "31.25 USD")


def test_admin_draft_list_queries_do_not_grow_with_rows(
    dashboard, location, django_assert_max_num_queries
):
    variant = stocked_variant((location, 100))
    for _ in range(8):
        draft_of((variant, 1))

    with django_assert_max_num_queries(10):
        response = dashboard.get(admin_url(DraftOrder, "changelist"))

    assert response.context["cl"].result_count == 8
