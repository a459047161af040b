"""Deleting what orders depend on is refused with 409 and deletes nothing."""

import pytest

from inventory.models import Product, SalesChannel, StockLocation
from tests.factories.inventory import SalesChannelFactory, StockLocationFactory
from tests.factories.orders import channel_with_locations, line_of, place_order, stocked_variant

pytestmark = pytest.mark.django_db


def test_deleting_a_product_whose_variant_was_ordered_is_a_conflict(api, default_channel):
    # given
    location = StockLocationFactory()
    channel_with_locations(location)
    variant = stocked_variant((location, 5))
    place_order([(variant, 1)])
    # when
    response = api.delete(f"/admin/products/{variant.product_id}")
    # then
    assert response.status_code == 409
    assert response.json() == {
        "type": "conflict",
        "code": "invalid_state_error",
        "message": f"Product {variant.product_id} has variants in orders or draft orders",
    }
    assert Product.objects.filter(pk=variant.product_id).exists()


def test_deleting_a_sales_channel_with_orders_is_a_conflict(api, default_channel, consistent):
    # given an order placed in a second channel
    channel = SalesChannelFactory()
    location = StockLocationFactory()
    channel_with_locations(location, channel=channel)
    variant = stocked_variant((location, 5))
    order = place_order([(variant, 2)], channel=channel)
    # when
    response = api.delete(f"/admin/sales-channels/{channel.pk}")
    # then
    assert response.status_code == 409
    assert response.json()["type"] == "conflict"
    assert SalesChannel.objects.filter(pk=channel.pk).exists()
    assert line_of(order, variant).reservations.count() == 1
    consistent()


def test_deleting_a_location_with_a_fulfillment_is_a_conflict(api, default_channel, consistent):
    # given a location an order was fulfilled from (its reservation consumed)
    location = StockLocationFactory()
    channel_with_locations(location)
    variant = stocked_variant((location, 5))
    order = place_order([(variant, 1)])
    line = line_of(order, variant)
    fulfilled = api.post(
        f"/admin/orders/{order.pk}/fulfillment",
        {"items": [{"item_id": line.pk, "quantity": 1}], "location_id": location.pk},
        format="json",
    )
    assert fulfilled.status_code == 200
    # when
    response = api.delete(f"/admin/stock-locations/{location.pk}")
    # then
    assert response.status_code == 409
    assert response.json()["message"] == (
        f"Stock location {location.pk} has fulfillments, returns or stock transfers"
    )
    assert StockLocation.objects.filter(pk=location.pk).exists()
    assert location.levels.count() == 1
    consistent()
