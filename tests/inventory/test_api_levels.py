"""`/admin/inventory-items/{id}/location-levels[/{location_id}]`."""

import pytest

from inventory.models import InventoryLevel
from tests.factories.inventory import (
    InventoryItemFactory,
    LevelFactory,
    StockLocationFactory,
    VariantFactory,
)
from tests.factories.reservations import ReservationFactory

pytestmark = pytest.mark.django_db

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


def levels_url(item_id: str, location_id: str | None = None) -> str:
    url = f"/admin/inventory-items/{item_id}/location-levels"
    return f"{url}/{location_id}" if location_id else url


def quantities(body: dict) -> list[tuple]:
    """(location, stocked, reserved, incoming, available) of each level in an answer."""
    return [
        (
            lv["location_id"],
            lv["stocked_quantity"],
            lv["reserved_quantity"],
            lv["incoming_quantity"],
            lv["available_quantity"],
        )
        for lv in body["location_levels"]
    ]


def not_stocked(item_id: str, location_id: str) -> dict:
    return {
        "type": "not_found",
        "message": f"Item {item_id} is not stocked at location {location_id}",
    }


# List -------------------------------------------------------------------------------------


def test_list_levels_of_an_item(api):
    item = InventoryItemFactory()
    first = LevelFactory(inventory_item=item, stocked_quantity=10, incoming_quantity=1)
    second = LevelFactory(inventory_item=item, stocked_quantity=5)
    LevelFactory()  # another item's

    response = api.get(levels_url(item.pk))

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"inventory_item"}
    assert set(body["inventory_item"]) == {"id", "location_levels"}
    assert body["inventory_item"]["id"] == item.pk
    assert all(set(lv) == LEVEL_FIELDS for lv in body["inventory_item"]["location_levels"])
    assert [lv["id"] for lv in body["inventory_item"]["location_levels"]] == [first.pk, second.pk]
    assert quantities(body["inventory_item"]) == [
        (first.location_id, 10, 0, 1, 10),
        (second.location_id, 5, 0, 0, 5),
    ]


@pytest.mark.parametrize("form", ["location_id={}", "location_id[]={}", "location_id[0]={}"])
def test_list_levels_filtered_by_location(api, form):
    item = InventoryItemFactory()
    LevelFactory(inventory_item=item, stocked_quantity=10)
    wanted = LevelFactory(inventory_item=item, stocked_quantity=5)

    response = api.get(levels_url(item.pk) + "?" + form.format(wanted.location_id))

    assert response.status_code == 200
    assert [lv["id"] for lv in response.json()["inventory_item"]["location_levels"]] == [wanted.pk]


def test_list_levels_of_an_unknown_item_is_404(api):
    response = api.get(levels_url("iitem_nope"))
    assert response.status_code == 404
    assert response.json() == {
        "type": "not_found",
        "message": "InventoryItem with id iitem_nope was not found",
    }


# Create -----------------------------------------------------------------------------------


def test_create_level_answers_the_item_with_its_levels(api, consistent):
    item = InventoryItemFactory()
    location = StockLocationFactory()

    response = api.post(
        levels_url(item.pk),
        {"location_id": location.pk, "stocked_quantity": 17, "incoming_quantity": 2},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()["inventory_item"]
    assert body["id"] == item.pk
    assert quantities(body) == [(location.pk, 17, 0, 2, 17)]
    assert (body["stocked_quantity"], body["reserved_quantity"]) == (17, 0)
    assert body["location_levels"][0]["id"].startswith("ilev_")
    assert set(body["location_levels"][0]) == LEVEL_FIELDS
    consistent()


def test_create_level_defaults_incoming_to_zero(api):
    item = InventoryItemFactory()
    location = StockLocationFactory()

    response = api.post(
        levels_url(item.pk), {"location_id": location.pk, "stocked_quantity": 0}, format="json"
    )

    assert quantities(response.json()["inventory_item"]) == [(location.pk, 0, 0, 0, 0)]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "location_id is required, stocked_quantity is required"),
        (
            {"location_id": "LOC", "stocked_quantity": -3, "incoming_quantity": -1},
            "stocked_quantity must not be less than 0, incoming_quantity must not be less than 0",
        ),
        ({"location_id": "LOC", "stocked_quantity": "5"}, "stocked_quantity must be an integer"),
        ({"location_id": "LOC", "stocked_quantity": 1.5}, "stocked_quantity must be an integer"),
        (
            {"location_id": "LOC", "stocked_quantity": 5, "reserved_quantity": 2},
            "property reserved_quantity should not exist",
        ),
    ],
)
def test_create_level_with_invalid_body_is_400(api, body, message):
    item = InventoryItemFactory()
    location = StockLocationFactory()
    if body.get("location_id") == "LOC":
        body["location_id"] = location.pk

    response = api.post(levels_url(item.pk), body, format="json")

    assert response.status_code == 400
    assert response.json() == {"type": "invalid_data", "message": message}
    assert not InventoryLevel.objects.exists()


def test_create_duplicate_level_is_422(api):
    level = LevelFactory(stocked_quantity=10)

    response = api.post(
        levels_url(level.inventory_item_id),
        {"location_id": level.location_id, "stocked_quantity": 3},
        format="json",
    )

    assert response.status_code == 422
    assert response.json() == {
        "type": "duplicate_error",
        "code": "invalid_request_error",
        "message": f"Inventory level for item {level.inventory_item_id} at location "
        f"{level.location_id} already exists.",
    }
    assert InventoryLevel.objects.get().stocked_quantity == 10


def test_create_level_for_unknown_item_or_location_is_404(api):
    item = InventoryItemFactory()
    location = StockLocationFactory()

    no_item = api.post(
        levels_url("iitem_nope"), {"location_id": location.pk, "stocked_quantity": 1}, format="json"
    )
    no_location = api.post(
        levels_url(item.pk), {"location_id": "sloc_nope", "stocked_quantity": 1}, format="json"
    )

    assert (no_item.status_code, no_location.status_code) == (404, 404)
    assert no_item.json() == {
        "type": "not_found",
        "message": "InventoryItem with id iitem_nope was not found",
    }
    assert no_location.json() == {
        "type": "not_found",
        "message": "StockLocation with id sloc_nope was not found",
    }
    assert not InventoryLevel.objects.exists()


# Update -----------------------------------------------------------------------------------


def test_update_level_answers_the_item_with_its_levels(api, consistent):
    level = LevelFactory(stocked_quantity=17, incoming_quantity=2)
    other = LevelFactory(inventory_item=level.inventory_item, stocked_quantity=1)

    response = api.post(
        levels_url(level.inventory_item_id, level.location_id),
        {"stocked_quantity": 21, "incoming_quantity": 0},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()["inventory_item"]
    assert body["id"] == level.inventory_item_id
    assert quantities(body) == [(level.location_id, 21, 0, 0, 21), (other.location_id, 1, 0, 0, 1)]
    assert body["stocked_quantity"] == 22
    consistent()


def test_update_level_with_negative_numbers_is_400_naming_both(api):
    level = LevelFactory(stocked_quantity=5)

    response = api.post(
        levels_url(level.inventory_item_id, level.location_id),
        {"incoming_quantity": -1, "stocked_quantity": -1},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "type": "invalid_data",
        "message": "stocked_quantity must not be less than 0, "
        "incoming_quantity must not be less than 0",
    }
    level.refresh_from_db()
    assert level.stocked_quantity == 5


def test_reserved_quantity_is_not_writable(api, consistent):
    level = LevelFactory(stocked_quantity=5)

    response = api.post(
        levels_url(level.inventory_item_id, level.location_id),
        {"reserved_quantity": 3},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "type": "invalid_data",
        "message": "property reserved_quantity should not exist",
    }
    level.refresh_from_db()
    assert level.reserved_quantity == 0
    consistent()


def test_stock_may_drop_to_what_is_reserved(api, consistent):
    level = LevelFactory(stocked_quantity=10)
    ReservationFactory(level=level, quantity=4)

    response = api.post(
        levels_url(level.inventory_item_id, level.location_id),
        {"stocked_quantity": 4},
        format="json",
    )

    assert response.status_code == 200
    assert quantities(response.json()["inventory_item"]) == [(level.location_id, 4, 4, 0, 0)]
    consistent()


def test_stock_below_what_is_reserved_is_refused(api, consistent):
    # given
    level = LevelFactory(stocked_quantity=10)
    ReservationFactory(level=level, quantity=4)
    item_id, location_id = level.inventory_item_id, level.location_id

    # when
    response = api.post(levels_url(item_id, location_id), {"stocked_quantity": 3}, format="json")

    # then
    assert response.status_code == 400
    assert response.json() == {
        "type": "not_allowed",
        "message": f"Cannot set stocked quantity of item {item_id} at location {location_id} "
        "to 3: 4 are reserved there",
    }
    level.refresh_from_db()
    assert (level.stocked_quantity, level.reserved_quantity) == (10, 4)
    consistent()


def test_stock_below_reserved_is_allowed_for_a_backorderable_variant(api, consistent):
    variant = VariantFactory(allow_backorder=True)
    level = LevelFactory(inventory_item=variant.inventory_items.get(), stocked_quantity=10)
    ReservationFactory(level=level, quantity=4)

    response = api.post(
        levels_url(level.inventory_item_id, level.location_id),
        {"stocked_quantity": 1},
        format="json",
    )

    assert response.status_code == 200
    assert quantities(response.json()["inventory_item"]) == [(level.location_id, 1, 4, 0, -3)]
    consistent()


def test_incoming_may_change_while_units_are_reserved(api, consistent):
    level = LevelFactory(stocked_quantity=4)
    ReservationFactory(level=level, quantity=4)

    response = api.post(
        levels_url(level.inventory_item_id, level.location_id),
        {"incoming_quantity": 8},
        format="json",
    )

    assert response.status_code == 200
    assert quantities(response.json()["inventory_item"]) == [(level.location_id, 4, 4, 8, 0)]
    consistent()


def test_update_unknown_level_is_404(api):
    item = InventoryItemFactory()
    location = StockLocationFactory()

    response = api.post(levels_url(item.pk, location.pk), {"stocked_quantity": 1}, format="json")

    assert response.status_code == 404
    assert response.json() == not_stocked(item.pk, location.pk)
    assert not InventoryLevel.objects.exists()


# Delete -----------------------------------------------------------------------------------


def test_delete_level_answers_the_item_with_its_remaining_levels(api, consistent):
    level = LevelFactory(stocked_quantity=3)
    kept = LevelFactory(inventory_item=level.inventory_item, stocked_quantity=2)

    response = api.delete(levels_url(level.inventory_item_id, level.location_id))

    assert response.status_code == 200
    body = response.json()["inventory_item"]
    assert body["id"] == level.inventory_item_id
    assert quantities(body) == [(kept.location_id, 2, 0, 0, 2)]
    assert not InventoryLevel.objects.filter(pk=level.pk).exists()
    consistent()


def test_delete_level_with_reservations_is_409(api, consistent):
    level = LevelFactory(stocked_quantity=3)
    ReservationFactory(level=level, quantity=1)
    item_id, location_id = level.inventory_item_id, level.location_id

    response = api.delete(levels_url(item_id, location_id))

    assert response.status_code == 409
    assert response.json() == {
        "type": "conflict",
        "code": "invalid_state_error",
        "message": f"Cannot remove Inventory Level {item_id} at Location {location_id} "
        "because there are reserved items.",
    }
    assert InventoryLevel.objects.filter(pk=level.pk).exists()
    consistent()


def test_delete_unknown_level_is_404(api):
    item = InventoryItemFactory()
    location = StockLocationFactory()

    response = api.delete(levels_url(item.pk, location.pk))

    assert response.status_code == 404
    assert response.json() == not_stocked(item.pk, location.pk)
