"""Items, locations, channels, products and variants through the admin."""

import pytest
from django.contrib.admin.models import LogEntry

from inventory import services
from inventory.admin import InventoryItemAdmin
from inventory.models import (
    InventoryItem,
    InventoryLevel,
    ProductVariant,
    SalesChannel,
    StockLocation,
    StockLocationAddress,
    VariantInventoryItem,
)
from tests.admin.utils import admin_url, form_errors, messages_of, no_inline_rows
from tests.factories.inventory import (
    InventoryItemFactory,
    LevelFactory,
    ProductFactory,
    SalesChannelFactory,
    StockLocationFactory,
    VariantFactory,
)
from tests.factories.reservations import ReservationFactory

pytestmark = pytest.mark.django_db


def test_admin_delete_item_with_reservations_is_refused_with_a_message(dashboard, consistent):
    # given
    level = LevelFactory(stocked_quantity=5)
    reservation = ReservationFactory(level=level, quantity=2)
    item = level.inventory_item
    # when
    response = dashboard.post(admin_url(InventoryItem, "delete", item.pk), {"post": "yes"})
    # then
    assert response.status_code == 200
    assert response.context["title"] == "Cannot delete inventory item"
    [protected] = response.context["protected"]
    assert protected.startswith("Reservation item: <a href=")
    assert protected.endswith(f">{reservation}</a>")
    assert InventoryItem.objects.filter(pk=item.pk).exists()
    assert InventoryLevel.objects.get(pk=level.pk).reserved_quantity == 2
    consistent()


def test_admin_bulk_delete_items_with_reservations_is_refused(dashboard, consistent):
    free = InventoryItemFactory()
    held = ReservationFactory(quantity=1).inventory_item

    response = dashboard.post(
        admin_url(InventoryItem, "changelist"),
        {"action": "delete_selected", "_selected_action": [free.pk, held.pk], "post": "yes"},
    )

    assert response.status_code == 200
    assert response.context["title"] == "Cannot delete inventory items"
    assert InventoryItem.objects.count() == 2
    consistent()


def test_admin_delete_item_refused_by_its_service_shows_the_refusal(
    dashboard, consistent, monkeypatch
):
    # given: the confirmation page misses the reservation (as when it is made just after)
    level = LevelFactory(stocked_quantity=5)
    ReservationFactory(level=level, quantity=1)
    item = level.inventory_item
    monkeypatch.setattr(
        InventoryItemAdmin, "get_deleted_objects", lambda *args: ([], {}, set(), [])
    )
    # when
    response = dashboard.post(admin_url(InventoryItem, "delete", item.pk), {"post": "yes"})
    # then: the delete service refuses, and the refusal is shown
    assert response.status_code == 302
    assert response["Location"] == admin_url(InventoryItem, "change", item.pk)
    assert messages_of(response) == [
        ("error", f"Inventory item {item} has reservations; release them before deleting it")
    ]
    assert InventoryItem.objects.filter(pk=item.pk).exists()
    assert InventoryLevel.objects.get(pk=level.pk).reserved_quantity == 1
    assert not LogEntry.objects.exists()
    consistent()


def test_admin_delete_item_without_reservations_deletes_it_with_its_levels(dashboard, consistent):
    level = LevelFactory(stocked_quantity=5)

    response = dashboard.post(
        admin_url(InventoryItem, "delete", level.inventory_item_id), {"post": "yes"}
    )

    assert response.status_code == 302
    assert messages_of(response)[0][0] == "success"
    assert not InventoryItem.objects.exists()
    assert not InventoryLevel.objects.exists()
    consistent()


def test_admin_change_item_keeps_its_levels(dashboard, consistent):
    level = LevelFactory(stocked_quantity=5)
    ReservationFactory(level=level, quantity=2)
    item = level.inventory_item

    response = dashboard.post(
        admin_url(InventoryItem, "change", item.pk),
        {
            "sku": item.sku,
            "title": "Renamed",
            "requires_shipping": "on",
            "metadata": "",
            **no_inline_rows("location_levels", "variant_links"),
        },
    )

    assert response.status_code == 302
    item.refresh_from_db()
    level.refresh_from_db()
    assert item.title == "Renamed"
    assert (level.stocked_quantity, level.reserved_quantity) == (5, 2)
    consistent()


def test_admin_item_list_shows_stock_totals_over_locations(dashboard, consistent):
    level = LevelFactory(stocked_quantity=5)
    LevelFactory(inventory_item=level.inventory_item, stocked_quantity=7)
    ReservationFactory(level=level, quantity=3)

    response = dashboard.get(
        admin_url(InventoryItem, "changelist"), {"q": level.inventory_item.sku}
    )

    assert response.status_code == 200
    [item] = response.context["cl"].result_list
    assert (item.stocked, item.reserved, item.available) == (12, 3, 9)


def test_admin_item_list_filters_by_location_and_shows_its_figures(dashboard):
    level = LevelFactory(stocked_quantity=5)
    LevelFactory(inventory_item=level.inventory_item, stocked_quantity=7)
    LevelFactory(stocked_quantity=1)

    response = dashboard.get(
        admin_url(InventoryItem, "changelist"), {"location": level.location_id}
    )

    assert response.status_code == 200
    [item] = response.context["cl"].result_list
    assert (item.pk, item.stocked) == (level.inventory_item_id, 5)


def test_admin_delete_location_with_reservations_is_refused(dashboard, consistent):
    level = LevelFactory(stocked_quantity=5)
    ReservationFactory(level=level, quantity=1)

    response = dashboard.post(
        admin_url(StockLocation, "delete", level.location_id), {"post": "yes"}
    )

    assert response.status_code == 200
    assert response.context["title"] == "Cannot delete stock location"
    assert StockLocation.objects.filter(pk=level.location_id).exists()
    consistent()


def test_admin_delete_location_removes_its_levels_and_address(dashboard, consistent):
    location = services.stock_location_create(
        name="Berlin", address={"address_1": "Main St 1", "country_code": "de"}
    )
    LevelFactory(location=location)

    response = dashboard.post(admin_url(StockLocation, "delete", location.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not StockLocation.objects.exists()
    assert not StockLocationAddress.objects.exists()
    assert not InventoryLevel.objects.exists()
    consistent()


def test_admin_delete_default_channel_is_refused_with_a_message(dashboard, default_channel):
    response = dashboard.post(
        admin_url(SalesChannel, "delete", default_channel.pk), {"post": "yes"}
    )

    assert response.status_code == 302
    assert messages_of(response) == [("error", "You cannot delete the default sales channel")]
    assert SalesChannel.objects.filter(pk=default_channel.pk).exists()


def test_admin_channel_links_its_locations_in_rank_order(dashboard):
    channel = SalesChannelFactory()
    first, second = StockLocationFactory(), StockLocationFactory()

    response = dashboard.post(
        admin_url(SalesChannel, "change", channel.pk),
        {
            "name": channel.name,
            "description": "",
            "metadata": "",
            "location_links-TOTAL_FORMS": 2,
            "location_links-INITIAL_FORMS": 0,
            "location_links-0-location": second.pk,
            "location_links-0-rank": 1,
            "location_links-1-location": first.pk,
            "location_links-1-rank": 0,
        },
    )

    assert response.status_code == 302
    assert list(channel.location_links.values_list("location_id", flat=True)) == [
        first.pk,
        second.pk,
    ]


def test_admin_add_variant_gets_its_own_inventory_item(dashboard):
    product = ProductFactory()

    response = dashboard.post(
        admin_url(ProductVariant, "add"),
        {
            "product": product.pk,
            "title": "Large",
            "sku": "SHIRT-L",
            "manage_inventory": "on",
            "prices": '[{"currency_code": "usd", "amount": 2500}]',
            "options": "",
            "metadata": "",
        },
    )

    assert response.status_code == 302
    variant = ProductVariant.objects.get()
    assert (variant.title, variant.sku, variant.options) == ("Large", "SHIRT-L", [])
    assert variant.prices == [{"currency_code": "usd", "amount": 2500}]
    [link] = variant.inventory_links.select_related("inventory_item")
    assert (link.inventory_item.sku, link.required_quantity) == ("SHIRT-L", 1)


def test_admin_add_variant_with_a_taken_sku_is_a_form_error(dashboard):
    taken = VariantFactory()

    response = dashboard.post(
        admin_url(ProductVariant, "add"),
        {"product": taken.product_id, "title": "Copy", "sku": taken.sku, "manage_inventory": "on"},
    )

    assert response.status_code == 200
    assert form_errors(response) == ["sku: Product variant with this Sku already exists."]
    assert ProductVariant.objects.count() == 1
    assert InventoryItem.objects.count() == 1


def test_admin_variant_becomes_a_kit_with_required_quantities(dashboard):
    variant = VariantFactory()
    own = variant.inventory_links.get()
    part = InventoryItemFactory()

    response = dashboard.post(
        admin_url(ProductVariant, "change", variant.pk),
        {
            "product": variant.product_id,
            "title": variant.title,
            "sku": variant.sku,
            "manage_inventory": "on",
            "prices": "[]",
            "options": "[]",
            "variant_rank": 0,
            "metadata": "",
            "inventory_links-TOTAL_FORMS": 2,
            "inventory_links-INITIAL_FORMS": 1,
            "inventory_links-0-id": own.pk,
            "inventory_links-0-variant": variant.pk,
            "inventory_links-0-inventory_item": own.inventory_item_id,
            "inventory_links-0-required_quantity": 1,
            "inventory_links-1-variant": variant.pk,
            "inventory_links-1-inventory_item": part.pk,
            "inventory_links-1-required_quantity": 3,
        },
    )

    assert response.status_code == 302
    assert sorted(
        VariantInventoryItem.objects.filter(variant=variant).values_list(
            "inventory_item_id", "required_quantity"
        )
    ) == sorted([(own.inventory_item_id, 1), (part.pk, 3)])
