"""The inventory services' rules, without HTTP; the invariant holds after each."""

import pytest
from django.db import IntegrityError

from config.errors import Conflict, Duplicate, InvalidData, NotAllowed, NotFound
from inventory import selectors, services
from inventory.models import (
    InventoryItem,
    InventoryLevel,
    ProductVariant,
    SalesChannel,
    SalesChannelLocation,
    StockLocation,
    StockLocationAddress,
    VariantInventoryItem,
)
from orders.allocation import reservation_delete
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

CUSTOMS = {
    "hs_code": "hs001",
    "origin_country": "UK",
    "mid_code": "mids",
    "material": "wool",
    "weight": 300,
    "length": 100,
    "height": 200,
    "width": 150,
}


# Stock locations --------------------------------------------------------------------------


def test_location_update_merges_address_and_metadata(consistent):
    location = services.stock_location_create(
        name="Main",
        address={"address_1": "A 1", "country_code": "DK", "city": "Aarhus"},
        metadata={"a": 1},
    )

    services.stock_location_update(
        location_id=location.pk,
        address={"address_1": "B 2", "country_code": "SE"},
        metadata={"b": 2},
    )

    location = StockLocation.objects.select_related("address").get(pk=location.pk)
    assert (location.address.address_1, location.address.country_code) == ("B 2", "SE")
    assert location.address.city == "Aarhus"
    assert location.metadata == {"a": 1, "b": 2}
    assert StockLocationAddress.objects.count() == 1
    consistent()


def test_location_first_address_needs_address_1_and_country_code(consistent):
    location = StockLocationFactory()

    with pytest.raises(InvalidData) as error:
        services.stock_location_update(location_id=location.pk, address={"city": "Oslo"})

    assert error.value.message == "address.address_1 is required, address.country_code is required"
    assert not StockLocationAddress.objects.exists()
    consistent()


def test_location_delete_takes_its_levels_links_and_address(default_channel, consistent):
    location = services.stock_location_create(
        name="Gone", address={"address_1": "A", "country_code": "DK"}
    )
    LevelFactory(location=location)
    services.sales_channel_location_add(
        sales_channel_id=default_channel.pk, location_id=location.pk
    )

    services.stock_location_delete(location_id=location.pk)

    assert not StockLocation.objects.exists()
    assert not InventoryLevel.objects.exists()
    assert not SalesChannelLocation.objects.exists()
    assert not StockLocationAddress.objects.exists()
    consistent()


def test_location_delete_is_refused_while_it_holds_reservations(consistent):
    level = LevelFactory(stocked_quantity=5)
    ReservationFactory(level=level, quantity=5)

    with pytest.raises(Conflict):
        services.stock_location_delete(location_id=level.location_id)

    assert InventoryLevel.objects.get(pk=level.pk).reserved_quantity == 5
    consistent()


def test_location_delete_unknown_is_not_found():
    with pytest.raises(NotFound, match="StockLocation with id sloc_nope was not found"):
        services.stock_location_delete(location_id="sloc_nope")


# Sales channels ---------------------------------------------------------------------------


def test_channel_links_are_idempotent_and_ordered():
    channel = SalesChannelFactory()
    a, b, c = StockLocationFactory(), StockLocationFactory(), StockLocationFactory()

    for location in (c, a, c, b):
        services.sales_channel_location_add(sales_channel_id=channel.pk, location_id=location.pk)

    assert selectors.channel_location_ids(sales_channel_id=channel.pk) == [c.pk, a.pk, b.pk]
    services.sales_channel_location_remove(sales_channel_id=channel.pk, location_id=a.pk)
    assert selectors.channel_location_ids(sales_channel_id=channel.pk) == [c.pk, b.pk]


def test_channel_link_needs_known_channel_and_location():
    channel = SalesChannelFactory()
    with pytest.raises(NotFound):
        services.sales_channel_location_add(sales_channel_id="sc_nope", location_id="sloc_x")
    with pytest.raises(NotFound):
        services.sales_channel_location_add(sales_channel_id=channel.pk, location_id="sloc_x")
    assert not SalesChannelLocation.objects.exists()


def test_default_channel_cannot_be_deleted(default_channel):
    with pytest.raises(NotAllowed):
        services.sales_channel_delete(sales_channel_id=default_channel.pk)
    assert SalesChannel.objects.filter(pk=default_channel.pk).exists()


# Variants and their items -----------------------------------------------------------------


def test_managed_variant_gets_its_own_item_with_sku_and_customs(consistent):
    variant = services.variant_create(
        product_id=ProductFactory().pk, title="S", sku="SHIRT-S", **CUSTOMS
    )

    link = VariantInventoryItem.objects.get(variant=variant)
    assert link.required_quantity == 1
    assert link.inventory_item.sku == "SHIRT-S"
    assert {k: getattr(link.inventory_item, k) for k in CUSTOMS} == CUSTOMS
    consistent()


def test_unmanaged_variant_gets_no_item():
    services.variant_create(product_id=ProductFactory().pk, title="S", manage_inventory=False)
    assert not InventoryItem.objects.exists()


def test_variant_as_a_kit_of_existing_items():
    leg, top = InventoryItemFactory(), InventoryItemFactory()

    variant = services.variant_create(
        product_id=ProductFactory().pk, title="Table", kit=[(leg.pk, 4), (top.pk, 1)]
    )

    assert list(variant.inventory_links.values_list("inventory_item_id", "required_quantity")) == [
        (leg.pk, 4),
        (top.pk, 1),
    ]
    assert InventoryItem.objects.count() == 2


def test_variant_with_a_taken_sku_creates_nothing():
    InventoryItemFactory(sku="TAKEN")
    product = ProductFactory()

    with pytest.raises(Duplicate, match="Inventory item with sku TAKEN already exists."):
        services.variant_create(product_id=product.pk, title="S", sku="TAKEN")

    assert not ProductVariant.objects.exists()


def test_attach_item_rules():
    variant = VariantFactory(manage_inventory=False)
    item = InventoryItemFactory()

    services.variant_item_attach(variant_id=variant.pk, inventory_item_id=item.pk)

    with pytest.raises(Duplicate):
        services.variant_item_attach(variant_id=variant.pk, inventory_item_id=item.pk)
    with pytest.raises(InvalidData, match="required_quantity must be a positive integer"):
        services.variant_item_attach(
            variant_id=variant.pk, inventory_item_id=InventoryItemFactory().pk, required_quantity=0
        )
    with pytest.raises(NotFound, match="Variant with id variant_nope"):
        services.variant_item_attach(variant_id="variant_nope", inventory_item_id=item.pk)
    with pytest.raises(NotFound, match="InventoryItem with id iitem_nope"):
        services.variant_item_attach(variant_id=variant.pk, inventory_item_id="iitem_nope")
    assert VariantInventoryItem.objects.count() == 1


def test_kit_availability_per_channel(default_channel, consistent):
    # given: a kit of A ×1 and B ×2 sold from one location
    a, b = InventoryItemFactory(), InventoryItemFactory()
    variant = services.variant_create(
        product_id=ProductFactory().pk, title="Kit", kit=[(a.pk, 1), (b.pk, 2)]
    )
    location = StockLocationFactory()
    services.sales_channel_location_add(
        sales_channel_id=default_channel.pk, location_id=location.pk
    )
    level_a = LevelFactory(inventory_item=a, location=location, stocked_quantity=6)
    LevelFactory(inventory_item=b, location=location, stocked_quantity=7)
    ReservationFactory(level=level_a, quantity=3)

    # when
    data = selectors.variant_inventory(variant_id=variant.pk)

    # then: min(6 - 3, 7 // 2)
    assert data.sales_channel_availability == [
        {
            "channel_name": default_channel.name,
            "channel_id": default_channel.pk,
            "available_quantity": 3,
        }
    ]
    consistent()


# Inventory items --------------------------------------------------------------------------


def test_item_create_with_unknown_variant_creates_nothing():
    with pytest.raises(NotFound):
        services.inventory_item_create(sku="X", variant_id="variant_nope")
    assert not InventoryItem.objects.exists()


def test_item_update_merges_metadata_and_keeps_sku_unique():
    InventoryItemFactory(sku="TAKEN")
    item = InventoryItemFactory(metadata={"a": 1})

    services.inventory_item_update(item_id=item.pk, metadata={"b": 2}, title="New")
    with pytest.raises(Duplicate):
        services.inventory_item_update(item_id=item.pk, sku="TAKEN")

    item.refresh_from_db()
    assert (item.metadata, item.title) == ({"a": 1, "b": 2}, "New")
    assert item.sku != "TAKEN"


def test_item_delete_refused_with_reservations_then_allowed(consistent):
    level = LevelFactory(stocked_quantity=5)
    reservation = ReservationFactory(level=level, quantity=2)
    item_id = level.inventory_item_id

    with pytest.raises(Conflict):
        services.inventory_item_delete(item_id=item_id)
    consistent()

    reservation_delete(reservation_id=reservation.pk)
    services.inventory_item_delete(item_id=item_id)

    assert not InventoryItem.objects.filter(pk=item_id).exists()
    assert not InventoryLevel.objects.exists()
    consistent()


def test_item_delete_unknown_is_not_found():
    with pytest.raises(NotFound, match="InventoryItem with id iitem_nope was not found"):
        services.inventory_item_delete(item_id="iitem_nope")


# Levels -----------------------------------------------------------------------------------


def test_level_create_rules(consistent):
    level = LevelFactory(stocked_quantity=5)

    with pytest.raises(Duplicate):
        services.inventory_level_create(
            item_id=level.inventory_item_id, location_id=level.location_id, stocked_quantity=1
        )
    with pytest.raises(NotFound):
        services.inventory_level_create(
            item_id=level.inventory_item_id, location_id="sloc_nope", stocked_quantity=1
        )
    with pytest.raises(NotFound):
        services.inventory_level_create(
            item_id="iitem_nope", location_id=level.location_id, stocked_quantity=1
        )
    assert InventoryLevel.objects.count() == 1
    consistent()


def test_negative_stock_is_refused_by_the_database(consistent):
    item, location = InventoryItemFactory(), StockLocationFactory()

    with pytest.raises(IntegrityError):
        services.inventory_level_create(
            item_id=item.pk, location_id=location.pk, stocked_quantity=-1
        )

    assert not InventoryLevel.objects.exists()
    consistent()


def test_level_update_sets_quantities(consistent):
    level = LevelFactory(stocked_quantity=17, incoming_quantity=2)

    services.inventory_level_update(
        item_id=level.inventory_item_id,
        location_id=level.location_id,
        stocked_quantity=21,
        incoming_quantity=0,
    )

    level.refresh_from_db()
    assert (level.stocked_quantity, level.incoming_quantity) == (21, 0)
    consistent()


def test_level_update_below_reserved_is_not_allowed(consistent):
    level = LevelFactory(stocked_quantity=10)
    ReservationFactory(level=level, quantity=6)

    with pytest.raises(NotAllowed):
        services.inventory_level_update(
            item_id=level.inventory_item_id, location_id=level.location_id, stocked_quantity=5
        )

    level.refresh_from_db()
    assert level.stocked_quantity == 10
    consistent()


def test_level_update_below_reserved_is_allowed_for_backorderable_items(consistent):
    variant = VariantFactory(allow_backorder=True)
    level = LevelFactory(inventory_item=variant.inventory_items.get(), stocked_quantity=10)
    ReservationFactory(level=level, quantity=6)

    services.inventory_level_update(
        item_id=level.inventory_item_id, location_id=level.location_id, stocked_quantity=0
    )

    level.refresh_from_db()
    assert (level.stocked_quantity, level.reserved_quantity) == (0, 6)
    consistent()


def test_level_update_or_delete_of_a_missing_level_is_not_found():
    item, location = InventoryItemFactory(), StockLocationFactory()
    message = f"Item {item.pk} is not stocked at location {location.pk}"

    with pytest.raises(NotFound, match=message):
        services.inventory_level_update(
            item_id=item.pk, location_id=location.pk, stocked_quantity=1
        )
    with pytest.raises(NotFound, match=message):
        services.inventory_level_delete(item_id=item.pk, location_id=location.pk)


def test_level_delete_refused_with_reservations(consistent):
    level = LevelFactory(stocked_quantity=3)
    ReservationFactory(level=level, quantity=1)

    with pytest.raises(Conflict):
        services.inventory_level_delete(
            item_id=level.inventory_item_id, location_id=level.location_id
        )

    assert InventoryLevel.objects.filter(pk=level.pk).exists()
    consistent()


def test_level_delete(consistent):
    level = LevelFactory(stocked_quantity=3)

    services.inventory_level_delete(item_id=level.inventory_item_id, location_id=level.location_id)

    assert not InventoryLevel.objects.exists()
    consistent()
