"""`/admin/inventory-items`: create, list with levels/totals/variants, filters, get, update,
delete."""

import pytest

from inventory.models import InventoryItem, InventoryLevel, VariantInventoryItem
from reservations.models import ReservationItem
from tests.factories.inventory import (
    InventoryItemFactory,
    LevelFactory,
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
DETAIL_FIELDS = ITEM_FIELDS | {"location_levels", "stocked_quantity", "reserved_quantity"}
LIST_FIELDS = DETAIL_FIELDS | {"variants"}
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


def not_found(item_id: str) -> dict:
    return {"type": "not_found", "message": f"InventoryItem with id {item_id} was not found"}


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["inventory_items"]]


# Create -----------------------------------------------------------------------------------


def test_create_keeps_every_field_and_needs_no_variant(api):
    body = {
        "sku": "TABLE-LEG",
        "title": "Table leg",
        "description": "Oak leg",
        "thumbnail": "https://img.example.com/leg.png",
        "requires_shipping": False,
        "metadata": {"supplier": "acme"},
        **CUSTOMS,
    }

    response = api.post("/admin/inventory-items", body, format="json")

    assert response.status_code == 200
    item = response.json()["inventory_item"]
    assert set(item) == DETAIL_FIELDS
    assert item["id"].startswith("iitem_")
    assert {k: item[k] for k in body} == body
    assert (item["location_levels"], item["stocked_quantity"], item["reserved_quantity"]) == (
        [],
        0,
        0,
    )
    assert not VariantInventoryItem.objects.exists()


def test_create_defaults(api):
    item = api.post("/admin/inventory-items", {}, format="json").json()["inventory_item"]

    assert (item["sku"], item["title"], item["metadata"], item["requires_shipping"]) == (
        None,
        None,
        None,
        True,
    )


def test_create_with_variant_links_it_once(api):
    variant = VariantFactory(manage_inventory=False)

    response = api.post(
        "/admin/inventory-items", {"sku": "ATTACH", "variant_id": variant.pk}, format="json"
    )

    assert response.status_code == 200
    link = VariantInventoryItem.objects.get()
    assert (link.variant_id, link.inventory_item_id, link.required_quantity) == (
        variant.pk,
        response.json()["inventory_item"]["id"],
        1,
    )
    inventory = api.get(f"/admin/variants/{variant.pk}/inventory").json()["variant"]["inventory"]
    assert [row["sku"] for row in inventory] == ["ATTACH"]


def test_create_with_unknown_variant_is_404_and_creates_nothing(api):
    response = api.post(
        "/admin/inventory-items", {"sku": "X", "variant_id": "variant_nope"}, format="json"
    )

    assert response.status_code == 404
    assert response.json() == {
        "type": "not_found",
        "message": "Variant with id variant_nope was not found",
    }
    assert not InventoryItem.objects.exists()


def test_create_with_duplicate_sku_is_422(api):
    InventoryItemFactory(sku="DUP")

    response = api.post("/admin/inventory-items", {"sku": "DUP"}, format="json")

    assert response.status_code == 422
    assert response.json() == {
        "type": "duplicate_error",
        "code": "invalid_request_error",
        "message": "Inventory item with sku DUP already exists.",
    }
    assert InventoryItem.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"required_quantity": 2}, "required_quantity needs variant_id"),
        (
            {"variant_id": "variant_x", "required_quantity": 0},
            "required_quantity must be a positive integer",
        ),
        ({"weight": -1}, "weight must not be less than 0"),
        ({"weight": "heavy", "sku": 5}, "weight must be an integer, sku must be a string"),
        ({"requires_shipping": "no"}, "requires_shipping must be a boolean"),
        ({"metadata": "x"}, "metadata must be an object"),
        ({"stocked_quantity": 5}, "property stocked_quantity should not exist"),
    ],
)
def test_create_with_invalid_body_is_400(api, body, message):
    response = api.post("/admin/inventory-items", body, format="json")

    assert response.status_code == 400
    assert response.json() == {"type": "invalid_data", "message": message}
    assert not InventoryItem.objects.exists()


# List -------------------------------------------------------------------------------------


def test_list_adds_levels_totals_and_variants_with_their_product(api, consistent):
    variant = VariantFactory(sku="MY_SKU", **CUSTOMS)
    item = variant.inventory_items.get()
    first = LevelFactory(inventory_item=item, stocked_quantity=10, incoming_quantity=2)
    second = LevelFactory(inventory_item=item, stocked_quantity=5)
    ReservationFactory(level=first, quantity=3)

    response = api.get("/admin/inventory-items")

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["offset"], body["limit"]) == (1, 0, 20)
    [row] = body["inventory_items"]
    assert set(row) == LIST_FIELDS
    assert (row["id"], row["sku"], row["requires_shipping"], row["metadata"]) == (
        item.pk,
        "MY_SKU",
        True,
        None,
    )
    assert {k: row[k] for k in CUSTOMS} == CUSTOMS
    assert (row["stocked_quantity"], row["reserved_quantity"]) == (15, 3)
    assert all(set(level) == LEVEL_FIELDS for level in row["location_levels"])
    assert [
        (
            lv["inventory_item_id"],
            lv["location_id"],
            lv["stocked_quantity"],
            lv["reserved_quantity"],
            lv["incoming_quantity"],
            lv["available_quantity"],
        )
        for lv in row["location_levels"]
    ] == [
        (item.pk, first.location_id, 10, 3, 2, 7),
        (item.pk, second.location_id, 5, 0, 0, 5),
    ]
    [listed_variant] = row["variants"]
    assert (listed_variant["id"], listed_variant["sku"], listed_variant["manage_inventory"]) == (
        variant.pk,
        "MY_SKU",
        True,
    )
    assert listed_variant["product"]["id"] == variant.product_id
    consistent()


def test_list_item_without_variants_has_an_empty_variants_list(api):
    InventoryItemFactory()
    [row] = api.get("/admin/inventory-items").json()["inventory_items"]
    assert (row["variants"], row["location_levels"], row["stocked_quantity"]) == ([], [], 0)


def test_list_is_newest_first_and_paginates(api):
    old, mid, new = InventoryItemFactory(), InventoryItemFactory(), InventoryItemFactory()

    assert ids(api.get("/admin/inventory-items")) == [new.pk, mid.pk, old.pk]
    page = api.get("/admin/inventory-items", {"limit": 1, "offset": 1, "order": "created_at"})
    assert ids(page) == [mid.pk]
    assert (page.json()["count"], page.json()["offset"], page.json()["limit"]) == (3, 1, 1)


@pytest.mark.parametrize("form", ["id={a},{b}", "id[]={a}&id[]={b}", "id[0]={a}&id[1]={b}"])
def test_list_filters_by_id(api, form):
    a, b = InventoryItemFactory(), InventoryItemFactory()
    InventoryItemFactory()

    response = api.get(
        "/admin/inventory-items?" + form.format(a=a.pk, b=b.pk) + "&order=created_at"
    )

    assert ids(response) == [a.pk, b.pk]


def test_list_q_searches_sku_title_and_description(api):
    by_sku = InventoryItemFactory(sku="TEST-SKU", title="One")
    by_title = InventoryItemFactory(sku="S2", title="Test Item")
    by_description = InventoryItemFactory(sku="S3", title="Three", description="a test desc")
    InventoryItemFactory(sku="MY_SKU", title="Other")

    response = api.get("/admin/inventory-items", {"q": "tEsT", "order": "created_at"})

    assert ids(response) == [by_sku.pk, by_title.pk, by_description.pk]


@pytest.mark.parametrize("query", ["sku=B", "sku[]=B", "sku[0]=B"])
def test_list_filters_by_sku(api, query):
    InventoryItemFactory(sku="A")
    wanted = InventoryItemFactory(sku="B")
    assert ids(api.get(f"/admin/inventory-items?{query}")) == [wanted.pk]


@pytest.mark.parametrize(
    "field",
    ["origin_country", "hs_code", "material"],
)
def test_list_filters_by_customs_fields(api, field):
    wanted = InventoryItemFactory(**{field: "match"})
    InventoryItemFactory(**{field: "other"})
    InventoryItemFactory()

    assert ids(api.get("/admin/inventory-items", {field: "match"})) == [wanted.pk]
    assert ids(api.get(f"/admin/inventory-items?{field}[]=match")) == [wanted.pk]


@pytest.mark.parametrize(("value", "expected"), [("true", "shipped"), ("false", "digital")])
def test_list_filters_by_requires_shipping(api, value, expected):
    items = {
        "shipped": InventoryItemFactory(requires_shipping=True),
        "digital": InventoryItemFactory(requires_shipping=False),
    }
    assert ids(api.get("/admin/inventory-items", {"requires_shipping": value})) == [
        items[expected].pk
    ]


def test_list_by_location_keeps_only_items_stocked_there_with_levels_and_totals_restricted(
    api, consistent
):
    # given: `both` is stocked at L1 and L2, `elsewhere` only at L2, `unstocked` nowhere
    l1, l2 = StockLocationFactory(), StockLocationFactory()
    both, elsewhere = InventoryItemFactory(), InventoryItemFactory()
    InventoryItemFactory()
    at_l1 = LevelFactory(inventory_item=both, location=l1, stocked_quantity=10)
    LevelFactory(inventory_item=both, location=l2, stocked_quantity=5)
    LevelFactory(inventory_item=elsewhere, location=l2, stocked_quantity=3)
    ReservationFactory(level=at_l1, quantity=4)

    # when
    response = api.get(f"/admin/inventory-items?location_id[]={l1.pk}")

    # then
    [row] = response.json()["inventory_items"]
    assert response.json()["count"] == 1
    assert row["id"] == both.pk
    assert [lv["location_id"] for lv in row["location_levels"]] == [l1.pk]
    assert (row["stocked_quantity"], row["reserved_quantity"]) == (10, 4)
    consistent()


@pytest.mark.parametrize("form", ["location_id={a},{b}", "location_id[0]={a}&location_id[1]={b}"])
def test_list_by_several_locations_lists_each_item_once(api, form):
    l1, l2 = StockLocationFactory(), StockLocationFactory()
    item = InventoryItemFactory()
    LevelFactory(inventory_item=item, location=l1, stocked_quantity=10)
    LevelFactory(inventory_item=item, location=l2, stocked_quantity=5)

    response = api.get("/admin/inventory-items?" + form.format(a=l1.pk, b=l2.pk))

    assert ids(response) == [item.pk]
    assert response.json()["count"] == 1
    assert response.json()["inventory_items"][0]["stocked_quantity"] == 15


def test_list_with_an_unknown_filter_is_400(api):
    response = api.get("/admin/inventory-items", {"colour": "red"})
    assert response.status_code == 400
    assert response.json() == {
        "type": "invalid_data",
        "message": "property colour should not exist",
    }


# Get --------------------------------------------------------------------------------------


def test_get_has_levels_and_totals_but_no_variants(api):
    variant = VariantFactory(sku="MY_SKU")
    item = variant.inventory_items.get()
    LevelFactory(inventory_item=item, stocked_quantity=15, incoming_quantity=5)
    LevelFactory(inventory_item=item, stocked_quantity=7)

    response = api.get(f"/admin/inventory-items/{item.pk}")

    assert response.status_code == 200
    body = response.json()["inventory_item"]
    assert set(body) == DETAIL_FIELDS
    assert "variants" not in body
    assert [
        (lv["stocked_quantity"], lv["incoming_quantity"], lv["available_quantity"])
        for lv in body["location_levels"]
    ] == [
        (15, 5, 15),
        (7, 0, 7),
    ]
    assert (body["stocked_quantity"], body["reserved_quantity"]) == (22, 0)


def test_get_unknown_item_is_404(api):
    response = api.get("/admin/inventory-items/iitem_nope")
    assert response.status_code == 404
    assert response.json() == not_found("iitem_nope")


# Update -----------------------------------------------------------------------------------


def test_update_changes_given_fields_and_merges_metadata(api):
    item = InventoryItemFactory(metadata={"a": 1, "b": 1}, **CUSTOMS)

    response = api.post(
        f"/admin/inventory-items/{item.pk}",
        {
            "mid_code": "updated mid_code",
            "weight": 120,
            "requires_shipping": False,
            "metadata": {"b": 2},
        },
        format="json",
    )

    assert response.status_code == 200
    body = response.json()["inventory_item"]
    assert set(body) == DETAIL_FIELDS
    assert {k: body[k] for k in CUSTOMS} == {
        **CUSTOMS,
        "mid_code": "updated mid_code",
        "weight": 120,
    }
    assert (body["requires_shipping"], body["metadata"]) == (False, {"a": 1, "b": 2})


def test_update_to_a_taken_sku_is_422(api):
    InventoryItemFactory(sku="TAKEN")
    item = InventoryItemFactory(sku="MINE")

    response = api.post(f"/admin/inventory-items/{item.pk}", {"sku": "TAKEN"}, format="json")

    assert response.status_code == 422
    assert response.json() == {
        "type": "duplicate_error",
        "code": "invalid_request_error",
        "message": "Inventory item with sku TAKEN already exists.",
    }
    item.refresh_from_db()
    assert item.sku == "MINE"


def test_update_keeping_its_own_sku_is_fine(api):
    item = InventoryItemFactory(sku="MINE")
    response = api.post(f"/admin/inventory-items/{item.pk}", {"sku": "MINE"}, format="json")
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"variant_id": "variant_x"}, "property variant_id should not exist"),
        ({"height": -5}, "height must not be less than 0"),
    ],
)
def test_update_with_invalid_body_is_400(api, body, message):
    item = InventoryItemFactory()
    response = api.post(f"/admin/inventory-items/{item.pk}", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"type": "invalid_data", "message": message}


def test_update_unknown_item_is_404(api):
    response = api.post("/admin/inventory-items/iitem_nope", {"title": "X"}, format="json")
    assert response.status_code == 404
    assert response.json() == not_found("iitem_nope")


# Delete -----------------------------------------------------------------------------------


def test_delete_item_removes_its_levels_and_variant_links(api, consistent):
    # given: an item in two kits (×2), each kit also made of its own item
    shared = InventoryItemFactory()
    kits = [VariantFactory(), VariantFactory()]
    for variant in kits:
        api.post(
            "/admin/inventory-items",
            {"variant_id": variant.pk, "required_quantity": 2},
            format="json",
        )
        VariantInventoryItem.objects.create(
            variant=variant, inventory_item=shared, required_quantity=2
        )
    LevelFactory(inventory_item=shared)
    assert [v.inventory_links.count() for v in kits] == [3, 3]

    # when
    response = api.delete(f"/admin/inventory-items/{shared.pk}")

    # then
    assert response.status_code == 200
    assert response.json() == {"id": shared.pk, "object": "inventory_item", "deleted": True}
    assert not InventoryItem.objects.filter(pk=shared.pk).exists()
    assert not InventoryLevel.objects.filter(inventory_item_id=shared.pk).exists()
    assert [v.inventory_links.count() for v in kits] == [2, 2]
    assert api.get(f"/admin/inventory-items/{shared.pk}").status_code == 404
    consistent()


def test_delete_item_with_reservations_is_409_until_they_are_released(api, consistent):
    level = LevelFactory(stocked_quantity=10)
    reservation = ReservationFactory(level=level, quantity=2)
    item_id = level.inventory_item_id

    refused = api.delete(f"/admin/inventory-items/{item_id}")

    assert refused.status_code == 409
    assert refused.json() == {
        "type": "conflict",
        "code": "invalid_state_error",
        "message": f"Inventory item {item_id} has reservations; release them before deleting it",
    }
    assert InventoryLevel.objects.get(pk=level.pk).reserved_quantity == 2
    assert ReservationItem.objects.filter(pk=reservation.pk).exists()
    consistent()

    assert api.delete(f"/admin/reservations/{reservation.pk}").status_code == 200
    assert api.delete(f"/admin/inventory-items/{item_id}").status_code == 200
    assert not InventoryLevel.objects.exists()
    consistent()


def test_delete_unknown_item_is_404(api):
    response = api.delete("/admin/inventory-items/iitem_nope")
    assert response.status_code == 404
    assert response.json() == not_found("iitem_nope")
