"""Every admin page renders with a few rows: lists, searches, filters, add and change forms."""

import pytest
from django.contrib import admin

from config.models import User
from inventory import services
from inventory.models import (
    InventoryItem,
    InventoryLevel,
    Product,
    ProductVariant,
    SalesChannel,
    StockLocation,
    StockLocationAddress,
)
from reservations.models import ReservationItem
from tests.admin.utils import admin_url
from tests.factories.inventory import LevelFactory, SalesChannelFactory, VariantFactory
from tests.factories.reservations import ReservationFactory

pytestmark = pytest.mark.django_db

MODELS = [
    User,
    StockLocationAddress,
    StockLocation,
    SalesChannel,
    Product,
    ProductVariant,
    InventoryItem,
    InventoryLevel,
    ReservationItem,
]


@pytest.fixture
def store(superuser, default_channel):
    """A few rows of every model, stock at two locations and reservations on it."""
    rows = []
    for n in range(3):
        variant = VariantFactory()
        location = services.stock_location_create(
            name=f"Depot {n}", address={"address_1": f"Road {n}", "country_code": "dk"}
        )
        item = variant.inventory_items.get()
        level = LevelFactory(inventory_item=item, location=location, stocked_quantity=10)
        channel = SalesChannelFactory()
        services.sales_channel_location_add(sales_channel_id=channel.pk, location_id=location.pk)
        ReservationFactory(level=level, quantity=n + 1, description=f"hold {n}")
        rows.append(level)
    return rows


def test_every_model_is_registered():
    assert all(admin.site.is_registered(model) for model in MODELS)


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_changelist_renders_its_rows(dashboard, store, model):
    response = dashboard.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count() > 0


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_changelist_search_renders(dashboard, store, model):
    response = dashboard.get(admin_url(model, "changelist"), {"q": "1"})

    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_admin_add_and_change_pages_render(dashboard, store, model):
    obj = model.objects.first()

    add = dashboard.get(admin_url(model, "add"))
    change = dashboard.get(admin_url(model, "change", obj.pk))

    assert (add.status_code, change.status_code) == (200, 200)


def test_admin_reservation_list_finds_by_sku_and_filters_by_location(dashboard, store):
    level = store[1]

    by_sku = dashboard.get(
        admin_url(ReservationItem, "changelist"), {"q": level.inventory_item.sku}
    )
    by_location = dashboard.get(
        admin_url(ReservationItem, "changelist"), {"location__id__exact": level.location_id}
    )
    custom = dashboard.get(admin_url(ReservationItem, "changelist"), {"kind": "custom"})

    for response in (by_sku, by_location):
        assert [r.quantity for r in response.context["cl"].result_list] == [2]
    assert custom.context["cl"].result_count == 3


def test_admin_level_list_filters_by_stock_state(dashboard, store):
    unreserved = LevelFactory(stocked_quantity=0)

    reserved = dashboard.get(admin_url(InventoryLevel, "changelist"), {"stock": "reserved"})
    empty = dashboard.get(admin_url(InventoryLevel, "changelist"), {"stock": "unavailable"})

    assert reserved.context["cl"].result_count == 3
    assert [level.pk for level in empty.context["cl"].result_list] == [unreserved.pk]


def test_admin_level_list_queries_do_not_grow_with_rows(
    dashboard, store, django_assert_max_num_queries
):
    for _ in range(10):
        ReservationFactory(quantity=1)

    with django_assert_max_num_queries(12):
        response = dashboard.get(admin_url(InventoryLevel, "changelist"))
    with django_assert_max_num_queries(12):
        dashboard.get(admin_url(ReservationItem, "changelist"))

    assert response.context["cl"].result_count == 13


def test_admin_autocomplete_finds_items_by_sku_for_the_reservation_form(dashboard, store):
    item = store[0].inventory_item

    response = dashboard.get(
        "/dashboard/autocomplete/",
        {
            "app_label": "reservations",
            "model_name": "reservationitem",
            "field_name": "inventory_item",
            "term": item.sku,
        },
    )

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [item.pk]
