"""Products, variants, their inventory items, and `GET /admin/variants/{id}/inventory`."""

import pytest

from inventory import services
from inventory.models import InventoryItem, Product, ProductVariant, VariantInventoryItem
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
    "material": "cotton",
    "weight": 300,
    "length": 100,
    "height": 200,
    "width": 150,
}
VARIANT_FIELDS = {
    "id",
    "product_id",
    "title",
    "sku",
    "barcode",
    "ean",
    "upc",
    "manage_inventory",
    "allow_backorder",
    "inventory_quantity",
    "variant_rank",
    "prices",
    "options",
    "metadata",
    "inventory_items",
    "created_at",
    "updated_at",
    *CUSTOMS,
}
PRODUCT_FIELDS = {
    "id",
    "title",
    "subtitle",
    "description",
    "handle",
    "status",
    "thumbnail",
    "is_giftcard",
    "discountable",
    "metadata",
    "options",
    "images",
    "tags",
    "type",
    "collection_id",
    "sales_channels",
    "categories",
    "variants",
    "created_at",
    "updated_at",
}
ITEM_FIELDS = {
    "id",
    "sku",
    "title",
    "description",
    "thumbnail",
    "requires_shipping",
    "metadata",
    "created_at",
    "updated_at",
    *CUSTOMS,
}
LEVEL_FIELDS = {
    "id",
    "inventory_item_id",
    "location_id",
    "stocked_quantity",
    "reserved_quantity",
    "incoming_quantity",
    "available_quantity",
    "metadata",
    "created_at",
    "updated_at",
}
EXTRA_DTO = {
    "images": ["https://img.example.com/shirt.png"],
    "tags": [{"value": "summer"}],
    "type": {"value": "shirt"},
    "collection_id": "pcol_01",
    "sales_channels": [{"id": "sc_web"}],
    "categories": [{"id": "pcat_tops"}],
}


def shirt_body(**extra) -> dict:
    return {
        "title": "Shirt",
        "subtitle": "Plain",
        "description": "A shirt",
        "handle": "shirt",
        "status": "published",
        "thumbnail": "https://img.example.com/t.png",
        "is_giftcard": False,
        "discountable": True,
        "metadata": {"season": "summer"},
        "options": [{"title": "Size"}],
        "variants": [
            {
                "title": "S",
                "sku": "SHIRT-S",
                "barcode": "b-1",
                "ean": "e-1",
                "upc": "u-1",
                "prices": [{"currency_code": "usd", "amount": 1000}],
                "options": [{"value": "S"}],
                "metadata": {"fit": "slim"},
                **CUSTOMS,
            },
            {"title": "Gift wrap", "sku": "WRAP", "manage_inventory": False},
        ],
        **extra,
    }


def create_product(api, body) -> dict:
    response = api.post("/admin/products/", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["product"]


# Products ---------------------------------------------------------------------------------


def test_create_product_at_the_trailing_slash_path_answers_200_without_redirect(api):
    response = api.post("/admin/products/", shirt_body(), format="json")

    assert response.status_code == 200
    product = response.json()["product"]
    assert set(product) == PRODUCT_FIELDS
    assert product["id"].startswith("prod_")
    assert {k: product[k] for k in ("title", "subtitle", "handle", "status", "metadata")} == {
        "title": "Shirt",
        "subtitle": "Plain",
        "handle": "shirt",
        "status": "published",
        "metadata": {"season": "summer"},
    }
    assert product["options"] == [{"title": "Size"}]
    assert [v["sku"] for v in product["variants"]] == ["SHIRT-S", "WRAP"]
    assert all(set(v) == VARIANT_FIELDS for v in product["variants"])


def test_create_product_without_trailing_slash_works_too(api):
    response = api.post("/admin/products", {"title": "Mug"}, format="json")

    assert response.status_code == 200
    product = response.json()["product"]
    assert (product["title"], product["variants"], product["status"]) == ("Mug", [], "draft")
    assert (product["is_giftcard"], product["discountable"]) == (False, True)


def test_managed_variant_gets_an_inventory_item_with_its_sku_and_customs_fields(api):
    product = create_product(api, shirt_body())

    managed = product["variants"][0]
    assert (managed["manage_inventory"], managed["allow_backorder"]) == (True, False)
    assert {k: managed[k] for k in CUSTOMS} == CUSTOMS
    assert managed["prices"] == [{"currency_code": "usd", "amount": 1000}]
    assert managed["options"] == [{"value": "S"}]
    [link] = managed["inventory_items"]
    assert set(link) == {"id", "variant_id", "inventory_item_id", "required_quantity"}
    assert link["id"].startswith("pvitem_")
    assert (link["variant_id"], link["required_quantity"]) == (managed["id"], 1)
    item = InventoryItem.objects.get(pk=link["inventory_item_id"])
    assert (item.sku, item.title) == ("SHIRT-S", "S")
    assert {k: getattr(item, k) for k in CUSTOMS} == CUSTOMS


def test_variants_keep_the_ranks_given_else_their_place_in_the_list(api):
    # given
    variants = [
        {"title": "L", "variant_rank": 2},
        {"title": "S"},
        {"title": "M", "variant_rank": 0},
    ]
    # when
    response = api.post("/admin/products", {"title": "Shirt", "variants": variants}, format="json")
    # then
    assert response.status_code == 200, response.content
    ranks = {v["title"]: v["variant_rank"] for v in response.json()["product"]["variants"]}
    assert ranks == {"L": 2, "S": 1, "M": 0}


def test_unmanaged_variant_gets_no_inventory_item(api):
    product = create_product(api, shirt_body())

    unmanaged = product["variants"][1]
    assert (unmanaged["manage_inventory"], unmanaged["inventory_items"]) == (False, [])
    assert InventoryItem.objects.count() == 1
    assert not InventoryItem.objects.filter(sku="WRAP").exists()


def test_extra_product_dto_fields_are_kept_and_returned(api):
    product = create_product(api, shirt_body(**EXTRA_DTO))

    assert {k: product[k] for k in EXTRA_DTO} == EXTRA_DTO
    got = api.get(f"/admin/products/{product['id']}").json()["product"]
    assert {k: got[k] for k in EXTRA_DTO} == EXTRA_DTO


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "title is required"),
        (
            {"title": "X", "status": "live"},
            "status must be one of draft, proposed, published, rejected",
        ),
        ({"title": "X", "variants": [{"sku": "A"}]}, "variants.0.title is required"),
        (
            {"title": "X", "variants": [{"title": "A", "manage_inventory": "yes"}]},
            "variants.0.manage_inventory must be a boolean",
        ),
        ({"title": "X", "colour": "red"}, "property colour should not exist"),
    ],
)
def test_create_product_with_invalid_body_is_400(api, body, message):
    response = api.post("/admin/products/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {"type": "invalid_data", "message": message}
    assert not Product.objects.exists()


def test_create_product_with_a_taken_variant_sku_is_422_and_creates_nothing(api):
    VariantFactory(sku="SHIRT-S")

    response = api.post("/admin/products/", shirt_body(), format="json")

    assert response.status_code == 422
    assert response.json() == {
        "type": "duplicate_error",
        "code": "invalid_request_error",
        "message": "Product variant with sku SHIRT-S already exists.",
    }
    assert not Product.objects.filter(title="Shirt").exists()


def test_create_product_whose_variant_sku_is_a_taken_item_sku_is_422(api):
    InventoryItemFactory(sku="SHIRT-S")

    response = api.post("/admin/products/", shirt_body(), format="json")

    assert response.status_code == 422
    assert response.json() == {
        "type": "duplicate_error",
        "code": "invalid_request_error",
        "message": "Inventory item with sku SHIRT-S already exists.",
    }
    assert not ProductVariant.objects.exists()


def test_list_get_update_and_delete_products(api):
    product = create_product(api, shirt_body())
    item_ids = list(InventoryItem.objects.values_list("pk", flat=True))

    listed = api.get("/admin/products")
    updated = api.post(
        f"/admin/products/{product['id']}",
        {"title": "Tee", "metadata": {"fabric": "linen"}},
        format="json",
    )
    deleted = api.delete(f"/admin/products/{product['id']}")

    assert listed.status_code == 200
    assert ([p["id"] for p in listed.json()["products"]], listed.json()["count"]) == (
        [product["id"]],
        1,
    )
    assert updated.status_code == 200
    assert updated.json()["product"]["title"] == "Tee"
    assert updated.json()["product"]["metadata"] == {"season": "summer", "fabric": "linen"}
    assert deleted.json() == {"id": product["id"], "object": "product", "deleted": True}
    assert not ProductVariant.objects.exists()
    assert list(InventoryItem.objects.values_list("pk", flat=True)) == item_ids


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_unknown_product_is_404(api, method):
    response = getattr(api, method)("/admin/products/prod_nope", {}, format="json")

    assert response.status_code == 404
    assert response.json() == {
        "type": "not_found",
        "message": "Product with id prod_nope was not found",
    }


# Variants ---------------------------------------------------------------------------------


def test_add_variant_to_a_product(api):
    product = create_product(api, {"title": "Mug"})

    response = api.post(
        f"/admin/products/{product['id']}/variants",
        {"title": "Blue", "sku": "MUG-BLUE", "allow_backorder": True, **CUSTOMS},
        format="json",
    )

    assert response.status_code == 200
    [variant] = response.json()["product"]["variants"]
    assert (variant["title"], variant["sku"], variant["allow_backorder"]) == (
        "Blue",
        "MUG-BLUE",
        True,
    )
    [link] = variant["inventory_items"]
    item = InventoryItem.objects.get(pk=link["inventory_item_id"])
    assert (item.sku, link["required_quantity"]) == ("MUG-BLUE", 1)
    assert {k: getattr(item, k) for k in CUSTOMS} == CUSTOMS


def test_add_variant_to_unknown_product_is_404(api):
    response = api.post("/admin/products/prod_nope/variants", {"title": "X"}, format="json")

    assert response.status_code == 404
    assert response.json() == {
        "type": "not_found",
        "message": "Product with id prod_nope was not found",
    }
    assert not InventoryItem.objects.exists()


def test_list_variants_each_with_its_product(api):
    product = create_product(api, shirt_body())

    response = api.get("/admin/variants", {"order": "variant_rank"})

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["offset"], body["limit"]) == (2, 0, 20)
    assert [v["sku"] for v in body["variants"]] == ["SHIRT-S", "WRAP"]
    assert all(set(v) == VARIANT_FIELDS | {"product"} for v in body["variants"])
    assert body["variants"][0]["product"]["id"] == product["id"]
    assert body["variants"][0]["product"]["title"] == "Shirt"


def test_list_variants_filters_by_sku_and_product(api):
    product = create_product(api, shirt_body())
    create_product(api, {"title": "Other", "variants": [{"title": "O", "sku": "OTHER"}]})

    by_sku = api.get("/admin/variants?sku[]=WRAP").json()
    by_product = api.get(f"/admin/variants?product_id[0]={product['id']}&order=sku").json()

    assert [v["sku"] for v in by_sku["variants"]] == ["WRAP"]
    assert [v["sku"] for v in by_product["variants"]] == ["SHIRT-S", "WRAP"]


def test_get_variant(api):
    product = create_product(api, shirt_body())
    variant_id = product["variants"][0]["id"]

    response = api.get(f"/admin/variants/{variant_id}")

    assert response.status_code == 200
    variant = response.json()["variant"]
    assert (variant["id"], variant["product"]["id"]) == (variant_id, product["id"])
    assert set(variant) == VARIANT_FIELDS | {"product"}


@pytest.mark.parametrize("suffix", ["", "/inventory"])
def test_unknown_variant_is_404(api, suffix):
    response = api.get(f"/admin/variants/variant_nope{suffix}")

    assert response.status_code == 404
    assert response.json() == {
        "type": "not_found",
        "message": "Variant with id variant_nope was not found",
    }


# Variant inventory ------------------------------------------------------------------------


def test_variant_inventory_of_an_unmanaged_variant_is_empty(api, default_channel):
    variant = VariantFactory(manage_inventory=False)

    response = api.get(f"/admin/variants/{variant.pk}/inventory")

    assert response.status_code == 200
    assert response.json() == {
        "variant": {"id": variant.pk, "inventory": [], "sales_channel_availability": []}
    }


def test_variant_inventory_lists_items_with_levels_and_totals(api, default_channel):
    variant = VariantFactory(sku="MY_SKU")
    item = variant.inventory_items.get()
    first = LevelFactory(inventory_item=item, stocked_quantity=15, incoming_quantity=5)
    second = LevelFactory(inventory_item=item, stocked_quantity=7)
    ReservationFactory(level=first, quantity=4)

    response = api.get(f"/admin/variants/{variant.pk}/inventory")

    assert response.status_code == 200
    body = response.json()["variant"]
    assert set(body) == {"id", "inventory", "sales_channel_availability"}
    [inventory] = body["inventory"]
    assert set(inventory) == ITEM_FIELDS | {
        "location_levels",
        "stocked_quantity",
        "reserved_quantity",
    }
    assert (inventory["id"], inventory["sku"]) == (item.pk, "MY_SKU")
    assert (inventory["stocked_quantity"], inventory["reserved_quantity"]) == (22, 4)
    assert all(set(level) == LEVEL_FIELDS for level in inventory["location_levels"])
    assert [
        (
            lv["location_id"],
            lv["stocked_quantity"],
            lv["reserved_quantity"],
            lv["available_quantity"],
        )
        for lv in inventory["location_levels"]
    ] == [(first.location_id, 15, 4, 11), (second.location_id, 7, 0, 7)]


def test_channel_availability_is_zero_without_locations_or_levels(api, default_channel):
    variant = VariantFactory()
    unstocked = SalesChannelFactory(name="Unstocked")
    services.sales_channel_location_add(
        sales_channel_id=unstocked.pk, location_id=StockLocationFactory().pk
    )

    response = api.get(f"/admin/variants/{variant.pk}/inventory")

    assert response.json()["variant"]["sales_channel_availability"] == [
        {
            "channel_name": default_channel.name,
            "channel_id": default_channel.pk,
            "available_quantity": 0,
        },
        {"channel_name": "Unstocked", "channel_id": unstocked.pk, "available_quantity": 0},
    ]


@pytest.fixture
def kit(api, default_channel):
    """A variant of item A (×1, auto-created) and item B (×2, attached through the API);
    channel `web` sells from locations L1 and L2, channel `far` from L3 only."""
    variant = VariantFactory(sku="KIT")
    item_a = variant.inventory_items.get()
    response = api.post(
        "/admin/inventory-items",
        {"sku": "KIT-B", "title": "Part B", "variant_id": variant.pk, "required_quantity": 2},
        format="json",
    )
    assert response.status_code == 200, response.json()
    item_b = InventoryItem.objects.get(pk=response.json()["inventory_item"]["id"])
    l1, l2, l3 = StockLocationFactory(), StockLocationFactory(), StockLocationFactory()
    web, far = SalesChannelFactory(name="web"), SalesChannelFactory(name="far")
    for channel, location in ((web, l1), (web, l2), (far, l3)):
        services.sales_channel_location_add(sales_channel_id=channel.pk, location_id=location.pk)
    return {
        "variant": variant,
        "a": item_a,
        "b": item_b,
        "locations": (l1, l2, l3),
        "channels": (default_channel, web, far),
    }


def _availability(api, variant) -> dict[str, int]:
    response = api.get(f"/admin/variants/{variant.pk}/inventory")
    assert response.status_code == 200
    rows = response.json()["variant"]["sales_channel_availability"]
    return {row["channel_name"]: row["available_quantity"] for row in rows}


def test_kit_variant_links_each_item_with_its_required_quantity(api, kit):
    response = api.get(f"/admin/variants/{kit['variant'].pk}")

    links = response.json()["variant"]["inventory_items"]
    assert [(link["inventory_item_id"], link["required_quantity"]) for link in links] == [
        (kit["a"].pk, 1),
        (kit["b"].pk, 2),
    ]
    inventory = api.get(f"/admin/variants/{kit['variant'].pk}/inventory").json()["variant"]
    assert [item["sku"] for item in inventory["inventory"]] == ["KIT", "KIT-B"]


def test_kit_availability_is_the_minimum_over_items_of_floor_available_over_required(
    api, kit, consistent
):
    # given: A has 7 at L1; B has 5 at L1 and 4 at L2 (9 in `web`, so 4 kits), 100 at L3
    l1, l2, l3 = kit["locations"]
    LevelFactory(inventory_item=kit["a"], location=l1, stocked_quantity=7)
    LevelFactory(inventory_item=kit["b"], location=l1, stocked_quantity=5)
    LevelFactory(inventory_item=kit["b"], location=l2, stocked_quantity=4)
    LevelFactory(inventory_item=kit["b"], location=l3, stocked_quantity=100)

    # then: web = min(7 // 1, 9 // 2) = 4; far has no A there; the default channel no locations
    assert _availability(api, kit["variant"]) == {"Default Sales Channel": 0, "web": 4, "far": 0}


def test_kit_availability_counts_reservations(api, kit, consistent):
    l1, l2, _ = kit["locations"]
    level_a = LevelFactory(inventory_item=kit["a"], location=l1, stocked_quantity=7)
    LevelFactory(inventory_item=kit["b"], location=l2, stocked_quantity=9)
    ReservationFactory(level=level_a, quantity=5)

    assert _availability(api, kit["variant"])["web"] == 2  # min(7 - 5, 9 // 2)
    consistent()


def test_kit_attached_through_the_service_counts_the_same(api, default_channel):
    product = ProductFactory()
    variant = VariantFactory(product=product, sku="BOX", manage_inventory=False)
    part = InventoryItemFactory()
    services.variant_item_attach(
        variant_id=variant.pk, inventory_item_id=part.pk, required_quantity=3
    )
    location = StockLocationFactory()
    services.sales_channel_location_add(
        sales_channel_id=default_channel.pk, location_id=location.pk
    )
    LevelFactory(inventory_item=part, location=location, stocked_quantity=10)

    assert _availability(api, variant) == {"Default Sales Channel": 3}
    assert VariantInventoryItem.objects.get(variant=variant).required_quantity == 3
