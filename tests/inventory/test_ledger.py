"""The stock ledger: every change to a level's counters writes one movement, with its
reason, deltas, the counters it left and what caused it; `/admin/stock-movements` reads
them and records manual changes, with compare-and-set."""

import pytest
from django.db import IntegrityError, transaction

from inventory.models import InventoryLevel, StockMovement
from orders import services as orders
from orders.allocation import reservation_create, reservation_delete, reservation_update
from tests.expected import ms
from tests.factories.inventory import InventoryItemFactory, LevelFactory, StockLocationFactory
from tests.factories.orders import channel_with_locations, line_of, place_order, stocked_variant

pytestmark = pytest.mark.django_db
URL = "/admin/stock-movements"


def movements(level: InventoryLevel) -> list[tuple]:
    """(reason, stocked, reserved, incoming deltas) of a level's movements, oldest first."""
    return list(
        StockMovement.objects.filter(level_id=level.pk)
        .order_by("version")
        .values_list("reason", "stocked_delta", "reserved_delta", "incoming_delta")
    )


def latest(level: InventoryLevel) -> StockMovement:
    return StockMovement.objects.filter(level_id=level.pk).order_by("-version").first()


# Every service that changes a level writes the right movement --------------------------


def test_a_new_level_opens_its_ledger_with_its_quantities(consistent):
    level = LevelFactory(stocked_quantity=7, incoming_quantity=2)
    assert movements(level) == [("level_created", 7, 0, 2)]
    opening = latest(level)
    assert (opening.stocked_after, opening.reserved_after, opening.incoming_after) == (7, 0, 2)
    assert opening.version == 1
    consistent()


def test_custom_reservations_are_reserved_changed_and_released(staff, consistent):
    level = LevelFactory(stocked_quantity=10)
    other = LevelFactory(inventory_item=level.inventory_item, stocked_quantity=5)
    reservation = reservation_create(
        inventory_item_id=level.inventory_item_id, location_id=level.location_id, quantity=3
    )
    reservation_update(reservation_id=reservation.pk, quantity=4)
    reservation_update(reservation_id=reservation.pk, location_id=other.location_id)
    reservation_delete(reservation_id=reservation.pk)
    assert movements(level) == [
        ("level_created", 10, 0, 0),
        ("reserved", 0, 3, 0),
        ("reservation_changed", 0, 1, 0),
        ("reservation_changed", 0, -4, 0),
    ]
    assert movements(other) == [
        ("level_created", 5, 0, 0),
        ("reservation_changed", 0, 4, 0),
        ("released", 0, -4, 0),
    ]
    assert set(
        StockMovement.objects.exclude(reason="level_created").values_list(
            "reservation_id", flat=True
        )
    ) == {reservation.pk}
    consistent()


def test_placing_fulfilling_canceling_and_returning_an_order(consistent):
    here = StockLocationFactory()
    channel_with_locations(here)
    variant = stocked_variant((here, 10))
    order = place_order({variant: 3})
    line = line_of(order, variant)
    level = InventoryLevel.objects.get(location=here)
    ful = orders.fulfillment_create(order_id=order.pk, items=[{"item_id": line.pk, "quantity": 2}])
    orders.fulfillment_cancel(order_id=order.pk, fulfillment_id=ful.pk)
    ful = orders.fulfillment_create(order_id=order.pk, items=[{"item_id": line.pk, "quantity": 3}])
    ret = orders.return_request(
        order_id=order.pk, items=[{"item_id": line.pk, "quantity": 1}], location_id=here.pk
    )
    orders.return_receive(return_id=ret.pk)
    assert movements(level) == [
        ("level_created", 10, 0, 0),
        ("allocated", 0, 3, 0),
        ("fulfilled", 0, -2, 0),
        ("fulfilled", -2, 0, 0),
        ("fulfillment_canceled", 2, 0, 0),
        ("fulfillment_canceled", 0, 2, 0),
        ("fulfilled", 0, -3, 0),
        ("fulfilled", -3, 0, 0),
        ("returned", 1, 0, 0),
    ]
    rows = StockMovement.objects.filter(level_id=level.pk).exclude(reason="level_created")
    assert set(rows.values_list("order_id", "line_item_id")) == {(order.pk, line.pk)}
    assert set(rows.filter(reason="returned").values_list("return_id", flat=True)) == {ret.pk}
    assert rows.filter(reason="fulfilled", fulfillment_id=ful.pk).count() == 2
    consistent()


def test_canceling_an_order_releases_its_reservations_as_order_canceled(consistent):
    here = StockLocationFactory()
    channel_with_locations(here)
    variant = stocked_variant((here, 10))
    order = place_order({variant: 4})
    orders.order_cancel(order_id=order.pk)
    level = InventoryLevel.objects.get(location=here)
    assert movements(level)[-1] == ("order_canceled", 0, -4, 0)
    assert latest(level).order_id == order.pk
    consistent()


# The API -------------------------------------------------------------------------------


def test_a_level_update_records_a_correction_with_the_acting_user(api, staff, consistent):
    level = LevelFactory(stocked_quantity=10)
    url = f"/admin/inventory-items/{level.inventory_item_id}/location-levels/{level.location_id}"
    response = api.post(url, {"stocked_quantity": 12, "incoming_quantity": 3}, format="json")
    assert response.status_code == 200, response.json()
    movement = latest(level)
    assert (movement.reason, movement.stocked_delta, movement.incoming_delta) == (
        "correction",
        2,
        3,
    )
    assert movement.created_by == staff.pk
    response = api.post(
        url,
        {"stocked_quantity": 20, "reason": "received", "reference": "PO-1", "note": "pallet"},
        format="json",
    )
    assert response.status_code == 200
    movement = latest(level)
    assert (movement.reason, movement.reference, movement.note) == ("received", "PO-1", "pallet")
    consistent()


def test_create_a_manual_movement_and_read_it_back(api, staff, consistent):
    level = LevelFactory(stocked_quantity=10)
    body = {
        "inventory_item_id": level.inventory_item_id,
        "location_id": level.location_id,
        "stocked_delta": -3,
        "reason": "damaged",
        "reference": "RMA-7",
        "note": "forklift",
    }
    response = api.post(URL, body, format="json")
    assert response.status_code == 200, response.json()
    created = response.json()["stock_movement"]
    row = StockMovement.objects.get(pk=created["id"])
    assert created == {
        "id": row.id,
        "inventory_item_id": level.inventory_item_id,
        "location_id": level.location_id,
        "reason": "damaged",
        "stocked_delta": -3,
        "reserved_delta": 0,
        "incoming_delta": 0,
        "stocked_after": 7,
        "reserved_after": 0,
        "incoming_after": 0,
        "reservation_id": None,
        "line_item_id": None,
        "order_id": None,
        "fulfillment_id": None,
        "return_id": None,
        "transfer_id": None,
        "reference": "RMA-7",
        "note": "forklift",
        "created_by": staff.pk,
        "created_at": ms(row.created_at),
    }
    assert row.id.startswith("smov_")
    level.refresh_from_db()
    assert level.stocked_quantity == 7
    got = api.get(f"{URL}/{row.id}?expand=inventory_item,location").json()["stock_movement"]
    assert got["inventory_item"]["id"] == level.inventory_item_id
    assert got["location"]["id"] == level.location_id
    consistent()


def test_list_filters_and_orders_movements(api):
    level = LevelFactory(stocked_quantity=10)
    other = LevelFactory(stocked_quantity=1)
    reservation = reservation_create(
        inventory_item_id=level.inventory_item_id, location_id=level.location_id, quantity=2
    )
    body = api.get(URL).json()
    assert body["count"] == 3
    assert [m["reason"] for m in body["stock_movements"]][0] == "reserved"  # newest first
    by_item = api.get(URL, {"inventory_item_id": level.inventory_item_id}).json()
    assert [m["reason"] for m in by_item["stock_movements"]] == ["reserved", "level_created"]
    both = api.get(
        f"{URL}?location_id[]={level.location_id}&location_id[]={other.location_id}"
        "&reason=level_created"
    ).json()
    assert both["count"] == 2
    assert api.get(URL, {"reservation_id": reservation.pk}).json()["count"] == 1
    assert api.get(URL, {"created_at[gt]": "2999-01-01T00:00:00Z"}).json()["count"] == 0
    assert api.get(URL, {"order": "created_at", "limit": 1}).json()["stock_movements"][0][
        "reason"
    ] == ("level_created")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"stocked_delta": 0}, "stocked_delta must not be zero"),
        ({"stocked_delta": "1"}, "stocked_delta must be an integer"),
        ({"reason": "reserved"}, "reason must be one of received, correction, cycle_count"),
        ({"reason": None}, "reason must not be null"),
        ({"reference": "x" * 256}, "reference must be shorter than or equal to 255"),
        ({"expected_stocked_quantity": -1}, "expected_stocked_quantity must not be less than 0"),
        ({"level": 1}, "property level should not exist"),
    ],
)
def test_bad_manual_movements_are_refused_and_change_nothing(api, change, message, consistent):
    level = LevelFactory(stocked_quantity=10)
    body = {
        "inventory_item_id": level.inventory_item_id,
        "location_id": level.location_id,
        "stocked_delta": 1,
        "reason": "received",
        **change,
    }
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["type"] == "invalid_data"
    assert message in response.json()["message"]
    assert StockMovement.objects.count() == 1
    consistent()


def test_a_manual_movement_on_an_unstocked_item_is_a_404(api):
    item, location = InventoryItemFactory(), StockLocationFactory()
    body = {
        "inventory_item_id": item.pk,
        "location_id": location.pk,
        "stocked_delta": 1,
        "reason": "received",
    }
    response = api.post(URL, body, format="json")
    assert response.status_code == 404
    assert response.json() == {
        "type": "not_found",
        "message": f"Item {item.pk} is not stocked at location {location.pk}",
    }
    assert api.get(f"{URL}/smov_missing").status_code == 404


def test_stock_may_not_fall_below_what_is_reserved(api, consistent):
    level = LevelFactory(stocked_quantity=10)
    reservation_create(
        inventory_item_id=level.inventory_item_id, location_id=level.location_id, quantity=8
    )
    body = {
        "inventory_item_id": level.inventory_item_id,
        "location_id": level.location_id,
        "stocked_delta": -3,
        "reason": "shrinkage",
    }
    response = api.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["type"] == "not_allowed"
    level.refresh_from_db()
    assert (level.stocked_quantity, level.version) == (10, 2)
    consistent()


# Compare-and-set -------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["movement", "level"])
def test_a_stale_expected_quantity_is_a_409_and_changes_nothing(api, route, consistent):
    level = LevelFactory(stocked_quantity=10)
    if route == "movement":
        url, body = (
            URL,
            {
                "inventory_item_id": level.inventory_item_id,
                "location_id": level.location_id,
                "stocked_delta": 5,
                "reason": "cycle_count",
            },
        )
    else:
        url = (
            f"/admin/inventory-items/{level.inventory_item_id}/location-levels/{level.location_id}"
        )
        body = {"stocked_quantity": 15}
    stale = api.post(url, {**body, "expected_stocked_quantity": 9}, format="json")
    assert stale.status_code == 409
    assert stale.json() == {
        "type": "conflict",
        "code": "stale_quantity",
        "message": f"Stocked quantity of item {level.inventory_item_id} at location "
        f"{level.location_id} is 10, not 9: it changed since you read it",
    }
    level.refresh_from_db()
    assert (level.stocked_quantity, level.version) == (10, 1)
    fresh = api.post(url, {**body, "expected_stocked_quantity": 10}, format="json")
    assert fresh.status_code == 200
    level.refresh_from_db()
    assert level.stocked_quantity == 15
    consistent()


# Immutability ----------------------------------------------------------------------------


def test_movements_cannot_be_changed_or_deleted_through_the_api(api):
    level = LevelFactory()
    movement = latest(level)
    assert api.post(f"{URL}/{movement.pk}", {"note": "x"}, format="json").status_code == 405
    assert api.delete(f"{URL}/{movement.pk}").status_code == 405
    assert StockMovement.objects.get(pk=movement.pk).note is None


def test_movements_outlive_their_level(api, consistent):
    level = LevelFactory(stocked_quantity=0)
    url = f"/admin/inventory-items/{level.inventory_item_id}/location-levels/{level.location_id}"
    assert api.delete(url).status_code == 200
    assert StockMovement.objects.filter(level_id=level.pk).count() == 1
    assert api.get(URL, {"inventory_item_id": level.inventory_item_id}).json()["count"] == 1
    consistent()


def test_one_movement_per_level_version_is_enforced_by_the_database():
    level = LevelFactory()
    duplicate = latest(level)
    duplicate.pk = None
    duplicate.id = "smov_duplicate"
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save(force_insert=True)
