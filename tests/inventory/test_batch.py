"""`POST /admin/inventory-items/location-levels/batch` and its service, `levels_batch`."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.batch import MAX_ROWS, LevelRow, levels_batch
from inventory.models import InventoryLevel, StockMovement
from tests.factories.inventory import (
    InventoryItemFactory,
    LevelFactory,
    StockLocationFactory,
    VariantFactory,
)
from tests.factories.reservations import ReservationFactory
from tests.inventory.test_api_levels import LEVEL_FIELDS

pytestmark = pytest.mark.django_db

URL = "/admin/inventory-items/location-levels/batch"


def stock() -> dict:
    """(item, location) -> (stocked, reserved, incoming, version) of every level."""
    return {
        (lv.inventory_item_id, lv.location_id): (
            lv.stocked_quantity,
            lv.reserved_quantity,
            lv.incoming_quantity,
            lv.version,
        )
        for lv in InventoryLevel.objects.all()
    }


def error(index, section, type_, message, code=None) -> dict:
    return {"index": index, "section": section, "type": type_, "code": code, "message": message}


# Good batches -----------------------------------------------------------------------------


def test_batch_creates_updates_and_deletes_levels_with_their_movements(api, staff, consistent):
    # given an item stocked at two locations, and another item stocked nowhere
    here, there = StockLocationFactory(), StockLocationFactory()
    kept = LevelFactory(stocked_quantity=10, location=here)
    counted = LevelFactory(stocked_quantity=7, location=there)
    dropped = LevelFactory(stocked_quantity=3, location=here)
    new_item = InventoryItemFactory(sku="NEW-1")

    # when one batch creates two levels (by id and by SKU), updates two and deletes one
    response = api.post(
        URL,
        {
            "create": [
                {"inventory_item_id": new_item.pk, "location_id": here.pk, "stocked_quantity": 5},
                {"sku": "NEW-1", "location_id": there.pk, "incoming_quantity": 4},
            ],
            "update": [
                {
                    "inventory_item_id": kept.inventory_item_id,
                    "location_id": here.pk,
                    "stocked_delta": 6,
                    "reason": "received",
                    "reference": "PO-77",
                },
                {
                    "sku": counted.inventory_item.sku,
                    "location_id": there.pk,
                    "stocked_quantity": 5,
                    "expected_stocked_quantity": 7,
                    "reason": "cycle_count",
                },
            ],
            "delete": [dropped.pk],
        },
        format="json",
    )

    # then every change is made and answered as Medusa v2 does, in our level shape
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) == {"created", "updated", "deleted", "errors"}
    assert body["errors"] == []
    assert body["deleted"] == [dropped.pk]
    assert all(set(level) == LEVEL_FIELDS for level in body["created"] + body["updated"])
    assert [
        (lv["location_id"], lv["stocked_quantity"], lv["incoming_quantity"])
        for lv in body["created"]
    ] == [(here.pk, 5, 0), (there.pk, 0, 4)]
    assert [
        (lv["id"], lv["stocked_quantity"], lv["available_quantity"]) for lv in body["updated"]
    ] == [(kept.pk, 16, 16), (counted.pk, 5, 5)]
    assert not InventoryLevel.objects.filter(pk=dropped.pk).exists()
    movements = {
        (m.level_id, m.version): (m.reason, m.stocked_delta, m.incoming_delta, m.reference)
        for m in StockMovement.objects.filter(created_by=staff.pk)
    }
    created_ids = [lv["id"] for lv in body["created"]]
    assert movements == {
        (created_ids[0], 1): ("level_created", 5, 0, None),
        (created_ids[1], 1): ("level_created", 0, 4, None),
        (kept.pk, 2): ("received", 6, 0, "PO-77"),
        (counted.pk, 2): ("cycle_count", -2, 0, None),
    }
    consistent()


def test_batch_update_to_the_same_stock_records_no_movement(api, consistent):
    # given a level of 4
    level = LevelFactory(stocked_quantity=4)

    # when a batch sets it to 4 again
    response = api.post(
        URL,
        {
            "update": [
                {
                    "inventory_item_id": level.inventory_item_id,
                    "location_id": level.location_id,
                    "stocked_quantity": 4,
                }
            ]
        },
        format="json",
    )

    # then it is listed as updated, and the ledger is left alone
    assert response.status_code == 200
    assert [lv["id"] for lv in response.json()["updated"]] == [level.pk]
    assert StockMovement.objects.filter(level_id=level.pk).count() == 1
    consistent()


def test_batch_lets_a_backorderable_item_fall_below_what_is_reserved(api, consistent):
    # given a backorderable variant's item with 5 stocked and 5 reserved
    variant = VariantFactory(allow_backorder=True)
    item = variant.inventory_items.get()
    level = LevelFactory(inventory_item=item, stocked_quantity=5)
    ReservationFactory(level=level, quantity=5)

    # when a batch takes 3 away
    response = api.post(
        URL,
        {"update": [{"sku": item.sku, "location_id": level.location_id, "stocked_delta": -3}]},
        format="json",
    )

    # then it may: the item is sold past its stock on purpose
    assert response.status_code == 200, response.json()
    assert response.json()["updated"][0]["stocked_quantity"] == 2
    consistent()


# Bad rows ---------------------------------------------------------------------------------


@pytest.fixture
def bad_batch():
    """A batch with one good row and one of every kind of bad row, and what it refuses."""
    here = StockLocationFactory()
    good = LevelFactory(stocked_quantity=10, location=here)
    twice = LevelFactory(stocked_quantity=10, location=here)
    held = LevelFactory(stocked_quantity=10, location=here)
    ReservationFactory(level=held, quantity=6)
    kept = LevelFactory(stocked_quantity=10, location=here)
    ReservationFactory(level=kept, quantity=1)
    moved = LevelFactory(stocked_quantity=10, location=here)
    existing = LevelFactory(stocked_quantity=1, location=here)
    item_of = {lv: lv.inventory_item_id for lv in (good, twice, held, kept, moved, existing)}
    body = {
        "create": [
            {"inventory_item_id": item_of[existing], "location_id": here.pk},  # exists
            {"sku": "NO-SUCH-SKU", "location_id": here.pk, "stocked_quantity": 1},
        ],
        "update": [
            {"inventory_item_id": item_of[good], "location_id": here.pk, "stocked_delta": 5},
            {"inventory_item_id": "iitem_MISSING", "location_id": here.pk, "stocked_delta": 1},
            {"inventory_item_id": item_of[good], "location_id": "sloc_MISSING", "stocked_delta": 1},
            {"inventory_item_id": item_of[twice], "location_id": here.pk, "stocked_delta": 1},
            {"inventory_item_id": item_of[twice], "location_id": here.pk, "stocked_delta": 2},
            {"inventory_item_id": item_of[held], "location_id": here.pk, "stocked_quantity": 5},
            {
                "inventory_item_id": item_of[moved],
                "location_id": here.pk,
                "stocked_quantity": 3,
                "expected_stocked_quantity": 9,
            },
            {
                "inventory_item_id": item_of[moved],
                "location_id": here.pk,
                "stocked_quantity": "ten",
                "reason": "lost",
            },
            {"inventory_item_id": item_of[moved], "location_id": here.pk, "colour": "red"},
        ],
        "delete": [kept.pk, "ilev_MISSING", 7],
    }
    where = f"at location {here.pk}"
    errors = [
        error(
            0,
            "create",
            "duplicate_error",
            f"Inventory level for item {item_of[existing]} {where} already exists.",
            "invalid_request_error",
        ),
        error(1, "create", "not_found", "Inventory item with sku NO-SUCH-SKU was not found"),
        error(1, "update", "not_found", "Inventory item iitem_MISSING was not found"),
        error(2, "update", "not_found", "Stock location sloc_MISSING was not found"),
        error(
            3,
            "update",
            "invalid_data",
            f"update[3], update[4] name the same level (item "
            f"{item_of[twice]} {where}): give each level one row",
        ),
        error(
            4,
            "update",
            "invalid_data",
            f"update[3], update[4] name the same level (item "
            f"{item_of[twice]} {where}): give each level one row",
        ),
        error(
            5,
            "update",
            "not_allowed",
            f"Cannot set stocked quantity of item "
            f"{item_of[held]} {where} to 5: 6 are reserved there",
        ),
        error(
            6,
            "update",
            "conflict",
            f"Stocked quantity of item {item_of[moved]} {where} is "
            "10, not 9: it changed since you read it",
            "stale_quantity",
        ),
        error(
            7,
            "update",
            "invalid_data",
            "stocked_quantity must be an integer, reason must be "
            "one of received, correction, cycle_count, damaged, shrinkage, restock, other",
        ),
        error(
            8,
            "update",
            "invalid_data",
            "property colour should not exist, stocked_quantity, "
            "stocked_delta or incoming_quantity is required",
        ),
        error(
            0,
            "delete",
            "conflict",
            f"Cannot remove Inventory Level {item_of[kept]} at Location {here.pk} "
            "because there are reserved items.",
            "invalid_state_error",
        ),
        error(1, "delete", "not_found", "Inventory level ilev_MISSING was not found"),
        error(2, "delete", "invalid_data", "must be an inventory level id (a string)"),
    ]
    return body, errors, good


def by_row(errors: list[dict]) -> list[dict]:
    return sorted(errors, key=lambda e: (e["section"], e["index"]))


def test_atomic_batch_with_bad_rows_writes_nothing_and_names_every_bad_row(
    api, bad_batch, consistent
):
    # given a batch with a good row and one of every kind of bad row
    body, errors, _ = bad_batch
    before, movements = stock(), StockMovement.objects.count()

    # when it is sent (atomic by default)
    response = api.post(URL, body, format="json")

    # then it is refused as a whole, every bad row listed, and nothing is written
    assert response.status_code == 400
    answer = response.json()
    assert answer["type"] == "invalid_data"
    assert answer["message"] == "13 rows cannot be applied; nothing was written"
    assert by_row(answer["errors"]) == by_row(errors)
    assert stock() == before
    assert StockMovement.objects.count() == movements
    consistent()


def test_a_refused_batch_sent_with_an_idempotency_key_is_replayed(api, bad_batch, consistent):
    body, errors, _ = bad_batch
    before = stock()

    first = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    again = api.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")

    assert first.status_code == again.status_code == 400
    assert by_row(first.json()["errors"]) == by_row(errors)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert stock() == before
    consistent()


def test_non_atomic_batch_applies_the_good_rows_and_reports_the_bad(api, bad_batch, consistent):
    # given the same batch
    body, errors, good = bad_batch
    before = stock()

    # when it is sent with atomic: false
    response = api.post(URL, {**body, "atomic": False}, format="json")

    # then the good row is applied, the bad ones are reported, and nothing else changes
    assert response.status_code == 200
    answer = response.json()
    assert [(lv["id"], lv["stocked_quantity"]) for lv in answer["updated"]] == [(good.pk, 15)]
    assert answer["created"] == answer["deleted"] == []
    assert by_row(answer["errors"]) == by_row(errors)
    key = (good.inventory_item_id, good.location_id)
    after = stock()
    assert after.pop(key) == (15, 0, 0, 2)
    before.pop(key)
    assert after == before
    consistent()


def test_batch_update_of_a_level_that_does_not_exist_is_refused(api, consistent):
    item, location = InventoryItemFactory(), StockLocationFactory()

    response = api.post(
        URL,
        {
            "update": [
                {"inventory_item_id": item.pk, "location_id": location.pk, "stocked_quantity": 3}
            ]
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == [
        error(0, "update", "not_found", f"Item {item.pk} is not stocked at location {location.pk}")
    ]
    assert not InventoryLevel.objects.exists()
    consistent()


def test_batch_of_more_than_the_most_rows_is_refused_and_says_so(api, consistent):
    level = LevelFactory()
    response = api.post(URL, {"delete": [level.pk] * (MAX_ROWS + 1)}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "type": "invalid_data",
        "message": "A batch takes at most 10,000 rows (create, update and delete together); "
        "this one has 10,001. Send it in several batches.",
    }
    assert InventoryLevel.objects.filter(pk=level.pk).exists()
    consistent()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "The request body must be a JSON object"),
        ({"create": {}}, "create must be an array"),
        ({"update": None, "atomic": "yes"}, "update must be an array, atomic must be a boolean"),
        ({"upsert": []}, "property upsert should not exist"),
    ],
)
def test_batch_with_a_malformed_body_is_refused(api, body, message, consistent):
    LevelFactory()
    before = stock()

    response = api.post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json() == {"type": "invalid_data", "message": message}
    assert stock() == before
    consistent()


def test_text_the_database_cannot_store_is_a_bad_row_not_a_500(api, consistent):
    level = LevelFactory()
    row = {"sku": "\ud800", "location_id": level.location_id, "stocked_delta": 1}
    body = json.dumps({"update": [row], "delete": ["ilev_\udfff"]})  # escaped: \\ud800

    response = api.post(URL, body, content_type="application/json")

    assert response.status_code == 400
    assert by_row(response.json()["errors"]) == [
        error(0, "delete", "invalid_data", "must be an inventory level id (a string)"),
        error(0, "update", "invalid_data", "sku must not contain surrogate characters"),
    ]
    consistent()


def test_empty_batch_changes_nothing(api):
    response = api.post(URL, {}, format="json")

    assert response.status_code == 200
    assert response.json() == {"created": [], "updated": [], "deleted": [], "errors": []}


def test_batch_needs_a_signed_in_user(anon):
    assert anon.post(URL, {}, format="json").status_code == 401


# The service ------------------------------------------------------------------------------


def test_dry_run_checks_every_row_and_writes_nothing(consistent):
    # given a level of 10 with 4 reserved
    level = LevelFactory(stocked_quantity=10)
    ReservationFactory(level=level, quantity=4)
    key = {"inventory_item_id": level.inventory_item_id, "location_id": level.location_id}
    before = stock()

    # when a dry run takes it to 5, and to 3 at a location the item is not stocked at
    other = StockLocationFactory()
    result = levels_batch(
        update=[
            LevelRow(0, stocked_quantity=5, **key),
            LevelRow(
                1,
                inventory_item_id=level.inventory_item_id,
                location_id=other.pk,
                stocked_quantity=3,
            ),
        ],
        dry_run=True,
        create_missing=True,
    )

    # then both would apply (the second creating its level), and nothing is written
    assert (len(result.created), len(result.updated), result.errors) == (1, 1, [])
    assert not result.written
    assert stock() == before
    consistent()


def test_create_missing_opens_the_level_then_records_the_change_with_its_reason(consistent):
    item, location = InventoryItemFactory(), StockLocationFactory()

    result = levels_batch(
        update=[
            LevelRow(
                0,
                sku=item.sku,
                location_name=location.name,
                stocked_delta=8,
                reason="received",
                reference="ASN-1",
            )
        ],
        create_missing=True,
    )

    assert result.written
    level = InventoryLevel.objects.get(inventory_item=item, location=location)
    assert [lv.pk for lv in result.created] == [level.pk]
    assert level.stocked_quantity == 8
    assert list(
        StockMovement.objects.filter(level_id=level.pk)
        .order_by("version")
        .values_list("reason", "stocked_delta", "reference")
    ) == [("level_created", 0, None), ("received", 8, "ASN-1")]
    consistent()


def test_a_location_name_several_locations_share_is_refused():
    item = InventoryItemFactory()
    StockLocationFactory(name="Dock"), StockLocationFactory(name="Dock")

    result = levels_batch(
        update=[LevelRow(4, sku=item.sku, location_name="Dock", stocked_quantity=1)],
        create_missing=True,
    )

    assert result.errors == [
        error(4, "update", "invalid_data", "2 stock locations have name Dock: give the id")
    ]
    assert not InventoryLevel.objects.exists()


def rows_for(levels, delta_base: int) -> list[dict]:
    return [
        {
            "inventory_item_id": lv.inventory_item_id,
            "location_id": lv.location_id,
            "stocked_delta": delta_base + n,
        }
        for n, lv in enumerate(levels)
    ]


def test_a_batch_runs_as_many_statements_for_300_rows_as_for_3(api, consistent):
    # given 303 levels at two locations, each to get a different delta, and new levels
    here, there = StockLocationFactory(), StockLocationFactory()
    levels = [LevelFactory(location=(here, there)[n % 2]) for n in range(303)]
    items = InventoryItemFactory.create_batch(303)

    def run(start: int, count: int) -> int:
        chosen = levels[start : start + count]
        body = {
            "update": rows_for(chosen, 1),
            "create": [
                {"inventory_item_id": i.pk, "location_id": here.pk, "stocked_quantity": 2}
                for i in items[start : start + count]
            ],
            "delete": [],
        }
        with CaptureQueriesContext(connection) as queries:
            response = api.post(URL, body, format="json")
        assert response.status_code == 200, response.json()
        return len(queries)

    # when a batch of 3 rows, then one of 300, is sent
    few, many = run(0, 3), run(3, 300)

    # then both run the same statements (no statement per row), and few of them
    assert few == many <= 12
    consistent()
