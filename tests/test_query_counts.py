"""List routes run the same number of SQL queries for 1 row as for 100 (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from draft_orders.services import draft_order_create
from inventory import services
from orders.services import (
    fulfillment_create,
    region_create,
    return_request,
    shipping_option_create,
)
from tests.factories.inventory import (
    InventoryItemFactory,
    LevelFactory,
    ProductFactory,
    SalesChannelFactory,
    StockLocationFactory,
    UserFactory,
    VariantFactory,
)
from tests.factories.orders import channel_with_locations, place_order, stocked_variant
from tests.factories.reservations import ReservationFactory
from transfers.services import transfer_create, transfer_ship

MAX_QUERIES = 8  # auth, count, page, and a few prefetches
ROWS = 100


class Scene:
    """Rows for one list route: `add(n)` adds n rows (each with every related row the
    response shows); `url` is the request; `key` the envelope's list."""

    def __init__(self, name: str):
        self.name = name
        self.location = StockLocationFactory()
        self.channel = SalesChannelFactory()
        self.item = InventoryItemFactory()

    @property
    def url(self) -> str:
        return {
            "users": "/admin/users",
            "stock-locations": "/admin/stock-locations",
            "stock-locations-expanded": "/admin/stock-locations?expand=address,sales_channels",
            "sales-channels": "/admin/sales-channels",
            "sales-channels-expanded": "/admin/sales-channels?expand=locations",
            "products": "/admin/products",
            "variants": "/admin/variants",
            "inventory-items": "/admin/inventory-items",
            "inventory-items-at-location": (
                f"/admin/inventory-items?location_id={self.location.pk}"
            ),
            "location-levels": f"/admin/inventory-items/{self.item.pk}/location-levels",
            "reservations": "/admin/reservations",
            "reservations-expanded": "/admin/reservations?expand=inventory_item",
            "orders": "/admin/orders",
            "orders-expanded": "/admin/orders?expand=items.variant",
            "returns": "/admin/returns",
            "draft-orders": "/admin/draft-orders",
            "regions": "/admin/regions",
            "shipping-options": "/admin/shipping-options",
            "stock-movements": "/admin/stock-movements",
            "stock-movements-expanded": "/admin/stock-movements?expand=inventory_item,location",
            "stock-transfers": "/admin/stock-transfers",
            "stock-transfers-filtered": (
                f"/admin/stock-transfers?status=shipped&from_location_id={self.location.pk}"
            ),
        }[self.name]

    def add(self, n: int) -> None:
        name = self.name.split("-expanded")[0].split("-filtered")[0]
        for _ in range(n):
            getattr(self, "_add_" + name.replace("-", "_"))()

    def _add_users(self):
        UserFactory()

    def _add_stock_locations(self):
        location = services.stock_location_create(
            name="W", address={"address_1": "1 Main St", "country_code": "us"}
        )
        services.sales_channel_location_add(
            sales_channel_id=self.channel.pk, location_id=location.pk
        )
        services.sales_channel_location_add(
            sales_channel_id=SalesChannelFactory().pk, location_id=location.pk
        )

    def _add_sales_channels(self):
        channel = SalesChannelFactory()
        for location in (self.location, StockLocationFactory()):
            services.sales_channel_location_add(
                sales_channel_id=channel.pk, location_id=location.pk
            )

    def _add_products(self):
        product = ProductFactory()
        VariantFactory(product=product)
        VariantFactory(product=product)

    def _add_variants(self):
        VariantFactory()

    def _add_inventory_items(self):
        item = VariantFactory().inventory_links.get().inventory_item
        LevelFactory(inventory_item=item, location=self.location)
        LevelFactory(inventory_item=item)

    _add_inventory_items_at_location = _add_inventory_items

    def _add_location_levels(self):
        LevelFactory(inventory_item=self.item)

    def _add_reservations(self):
        ReservationFactory(level=LevelFactory(stocked_quantity=5), quantity=2)

    def _sold(self):
        """A variant stocked at a location of the default channel (made on first use)."""
        if not hasattr(self, "sold"):
            channel_with_locations(self.location)
            self.sold = stocked_variant((self.location, 100_000))
            self.region = region_create(name="US", currency_code="usd", tax_rate=10)
        return self.sold

    def _add_orders(self):
        """An order with a variant line and a custom one, a fulfillment and a return."""
        order = place_order({self._sold(): 3}, custom=[("Gift wrap", 1)])
        line = order.items.get(variant=self.sold)
        fulfillment_create(order_id=order.pk, items=[{"item_id": line.pk, "quantity": 2}])
        return_request(
            order_id=order.pk,
            items=[{"item_id": line.pk, "quantity": 1}],
            location_id=self.location.pk,
        )

    _add_returns = _add_orders

    def _add_draft_orders(self):
        sold = self._sold()
        option = shipping_option_create(region_id=self.region.pk, name="Standard", amount=100)
        draft_order_create(
            email="draft@example.com",
            region_id=self.region.pk,
            items=[{"variant_id": sold.pk, "quantity": 2}, {"title": "Wrap", "quantity": 1}],
            shipping_methods=[{"option_id": option.pk}],
        )

    def _add_regions(self):
        region_create(name="EU", currency_code="eur", countries=["dk", "de"])

    def _add_shipping_options(self):
        shipping_option_create(
            region_id=region_create(name="EU", currency_code="eur").pk, name="Standard"
        )

    def _add_stock_movements(self):
        level = LevelFactory(stocked_quantity=5)
        ReservationFactory(level=level, quantity=2)

    def _add_stock_transfers(self):
        """A shipped transfer of two items from the scene's location."""
        items = [LevelFactory(location=self.location).inventory_item for _ in range(2)]
        transfer = transfer_create(
            from_location_id=self.location.pk,
            to_location_id=StockLocationFactory().pk,
            items=[{"inventory_item_id": item.pk, "quantity": 2} for item in items],
        )
        transfer_ship(transfer_id=transfer.pk)


SCENES = [
    "users",
    "stock-locations",
    "stock-locations-expanded",
    "sales-channels",
    "sales-channels-expanded",
    "products",
    "variants",
    "inventory-items",
    "inventory-items-at-location",
    "location-levels",
    "reservations",
    "reservations-expanded",
    "orders",
    "orders-expanded",
    "returns",
    "draft-orders",
    "regions",
    "shipping-options",
    "stock-movements",
    "stock-movements-expanded",
    "stock-transfers",
    "stock-transfers-filtered",
]


def rows_of(response) -> list:
    """The listed rows: the plural list, or the levels of `location-levels`."""
    body = response.json()
    if "inventory_item" in body:
        return body["inventory_item"]["location_levels"]
    return next(value for key, value in body.items() if isinstance(value, list))


def with_limit(url: str) -> str:
    """Ask for every row, so each one renders."""
    return f"{url}{'&' if '?' in url else '?'}limit=1000"


def queries_for(api, url: str) -> tuple[int, int]:
    """(SQL queries, rows) of one GET."""
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(captured), len(rows_of(response))


@pytest.mark.django_db
@pytest.mark.parametrize("name", SCENES)
def test_list_queries_do_not_grow_with_rows(
    api, name, django_assert_num_queries, django_assert_max_num_queries
):
    # given one row
    scene = Scene(name)
    scene.add(1)
    url = scene.url if name == "location-levels" else with_limit(scene.url)  # it has no paging
    few, shown = queries_for(api, url)
    assert shown >= 1
    # when there are a hundred more
    scene.add(ROWS)
    # then the same queries answer them all
    with django_assert_num_queries(few):
        response = api.get(url)
    assert len(rows_of(response)) >= ROWS
    with django_assert_max_num_queries(MAX_QUERIES):
        api.get(url)


# The scenes above must really render the related rows they are meant to load.


@pytest.mark.django_db
def test_expanded_stock_locations_carry_address_and_channels(api):
    scene = Scene("stock-locations-expanded")
    scene.add(2)
    rows = [r for r in rows_of(api.get(scene.url)) if r["id"] != scene.location.pk]
    assert len(rows) == 2
    assert all(row["address"]["address_1"] == "1 Main St" for row in rows)
    assert all(len(row["sales_channels"]) == 2 for row in rows)


@pytest.mark.django_db
def test_expanded_sales_channels_carry_their_locations(api):
    scene = Scene("sales-channels-expanded")
    scene.add(2)
    rows = [r for r in rows_of(api.get(scene.url)) if r["locations"]]
    assert len(rows) == 2
    assert all(len(row["locations"]) == 2 for row in rows)


@pytest.mark.django_db
def test_listed_inventory_items_carry_levels_and_variants(api):
    scene = Scene("inventory-items")
    scene.add(2)
    rows = [r for r in rows_of(api.get(scene.url)) if r["id"] != scene.item.pk]
    assert len(rows) == 2
    assert all(len(row["location_levels"]) == 2 for row in rows)
    assert all("inventory_items" not in row["variants"][0] for row in rows)  # raw columns
    assert all(row["variants"][0]["product"]["id"] for row in rows)


@pytest.mark.django_db
def test_expanded_reservations_carry_their_item(api):
    scene = Scene("reservations-expanded")
    scene.add(2)
    rows = rows_of(api.get(scene.url))
    assert len(rows) == 2
    assert all(row["inventory_item"]["id"] == row["inventory_item_id"] for row in rows)


@pytest.mark.django_db
def test_listed_orders_carry_lines_fulfillments_and_returns(api):
    scene = Scene("orders-expanded")
    scene.add(2)
    rows = rows_of(api.get(scene.url))
    assert len(rows) == 2
    assert all(len(row["items"]) == 2 for row in rows)
    assert all(len(row["fulfillments"][0]["items"]) == 1 for row in rows)
    assert all(len(row["returns"][0]["items"]) == 1 for row in rows)
    variants = [item["variant"] for row in rows for item in row["items"] if item["variant_id"]]
    assert len(variants) == 2
    assert all(variant["product"]["id"] for variant in variants)


@pytest.mark.django_db
def test_listed_draft_orders_carry_their_cart(api):
    scene = Scene("draft-orders")
    scene.add(2)
    rows = rows_of(api.get(scene.url))
    assert len(rows) == 2
    assert all(len(row["cart"]["items"]) == 2 for row in rows)
    assert all(row["cart"]["currency_code"] == "usd" for row in rows)
    assert all(row["cart"]["total"] == (2000 + 0 + 100) * 110 // 100 for row in rows)
