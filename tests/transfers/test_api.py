"""Stock transfers through `/admin/stock-transfers`: the lifecycle, with the ledger of both
ends after each step, and every refusal, which leaves nothing half-done."""

import pytest

from inventory.models import InventoryLevel, StockMovement
from tests.factories.inventory import InventoryItemFactory, LevelFactory, StockLocationFactory
from tests.factories.reservations import ReservationFactory
from transfers.models import StockTransfer

pytestmark = pytest.mark.django_db
URL = "/admin/stock-transfers"


def counters(item_id: str, location_id: str) -> tuple[int, int, int] | None:
    """(stocked, reserved, incoming) of a level, or None when there is none."""
    level = InventoryLevel.objects.filter(inventory_item_id=item_id, location_id=location_id)
    row = level.values_list("stocked_quantity", "reserved_quantity", "incoming_quantity")
    return row[0] if row else None


def transfer_movements(transfer_id: str) -> list[tuple]:
    return sorted(
        StockMovement.objects.filter(transfer_id=transfer_id).values_list(
            "reason", "location_id", "stocked_delta", "incoming_delta"
        )
    )


@pytest.fixture
def route(db):
    """Two items stocked at a source; the destination stocks only the first."""
    source, destination = StockLocationFactory(), StockLocationFactory()
    first = LevelFactory(location=source, stocked_quantity=10).inventory_item
    second = LevelFactory(location=source, stocked_quantity=4).inventory_item
    LevelFactory(inventory_item=first, location=destination, stocked_quantity=1)
    return source.pk, destination.pk, first.pk, second.pk


def draft(api, route, first_qty=6, second_qty=3, **extra) -> dict:
    source, destination, first, second = route
    body = {
        "from_location_id": source,
        "to_location_id": destination,
        "items": [
            {"inventory_item_id": first, "quantity": first_qty},
            {"inventory_item_id": second, "quantity": second_qty},
        ],
        **extra,
    }
    response = api.post(URL, body, format="json")
    assert response.status_code == 200, response.content
    return response.json()["stock_transfer"]


def received(transfer: dict) -> dict[str, int]:
    return {row["inventory_item_id"]: row["received_quantity"] for row in transfer["items"]}


def post(api, transfer_id: str, step: str = "", body=None):
    return api.post(f"{URL}/{transfer_id}{step}", body or {}, format="json")


def test_the_whole_lifecycle_moves_stock_through_incoming_with_the_ledger(api, route, consistent):
    source, destination, first, second = route
    # a draft changes no stock
    transfer = draft(api, route, reference="ERP-7", metadata={"truck": 1})
    assert transfer["id"].startswith("stran_")
    assert transfer["status"] == "draft"
    assert transfer["items"] == sorted(
        [
            {"inventory_item_id": first, "quantity": 6, "received_quantity": 0},
            {"inventory_item_id": second, "quantity": 3, "received_quantity": 0},
        ],
        key=lambda row: row["inventory_item_id"],
    )
    assert counters(first, source) == (10, 0, 0)
    assert counters(second, destination) is None
    consistent()

    # shipping takes the units out of the source and makes them incoming at the destination,
    # creating the missing destination level
    shipped = post(api, transfer["id"], "/ship").json()["stock_transfer"]
    assert shipped["status"] == "shipped"
    assert shipped["shipped_at"] is not None
    assert counters(first, source) == (4, 0, 0)
    assert counters(second, source) == (1, 0, 0)
    assert counters(first, destination) == (1, 0, 6)
    assert counters(second, destination) == (0, 0, 3)
    opened = StockMovement.objects.get(location_id=destination, inventory_item_id=second, version=1)
    assert opened.reason == "level_created"
    consistent()

    # a partial receipt moves those units from incoming to stocked
    partial = post(
        api, transfer["id"], "/receive", {"items": [{"inventory_item_id": first, "quantity": 2}]}
    ).json()["stock_transfer"]
    assert partial["status"] == "partially_received"
    assert received(partial) == {first: 2, second: 0}
    assert partial["received_at"] is None
    assert counters(first, destination) == (3, 0, 4)
    consistent()

    # receiving without items takes everything outstanding
    done = post(api, transfer["id"], "/receive").json()["stock_transfer"]
    assert done["status"] == "received"
    assert received(done) == {first: 6, second: 3}
    assert done["received_at"] is not None
    assert counters(first, destination) == (7, 0, 0)
    assert counters(second, destination) == (3, 0, 0)
    consistent()

    assert transfer_movements(transfer["id"]) == sorted(
        [
            ("transfer_shipped", source, -6, 0),
            ("transfer_shipped", source, -3, 0),
            ("transfer_shipped", destination, 0, 6),
            ("transfer_shipped", destination, 0, 3),
            ("transfer_received", destination, 2, -2),
            ("transfer_received", destination, 4, -4),
            ("transfer_received", destination, 3, -3),
        ]
    )
    assert set(
        StockMovement.objects.filter(transfer_id=transfer["id"]).values_list("reference", flat=True)
    ) == {"ERP-7"}
    listed = api.get(f"/admin/stock-movements?transfer_id={transfer['id']}").json()
    assert listed["count"] == 7


def test_canceling_a_shipped_transfer_returns_what_was_not_received(api, route, consistent):
    source, destination, first, second = route
    transfer = draft(api, route)
    post(api, transfer["id"], "/ship")
    post(api, transfer["id"], "/receive", {"items": [{"inventory_item_id": first, "quantity": 5}]})

    canceled = post(api, transfer["id"], "/cancel").json()["stock_transfer"]

    assert canceled["status"] == "canceled"
    assert canceled["canceled_at"] is not None
    assert counters(first, source) == (5, 0, 0)  # 1 of 6 was still on its way
    assert counters(second, source) == (4, 0, 0)
    assert counters(first, destination) == (6, 0, 0)
    assert counters(second, destination) == (0, 0, 0)
    canceled_moves = [m for m in transfer_movements(transfer["id"]) if m[0] == "transfer_canceled"]
    assert canceled_moves == sorted(
        [
            ("transfer_canceled", source, 1, 0),
            ("transfer_canceled", source, 3, 0),
            ("transfer_canceled", destination, 0, -1),
            ("transfer_canceled", destination, 0, -3),
        ]
    )
    consistent()


def test_canceling_a_draft_changes_no_stock(api, route, consistent):
    transfer = draft(api, route)
    response = post(api, transfer["id"], "/cancel")
    assert response.json()["stock_transfer"]["status"] == "canceled"
    assert not StockMovement.objects.filter(transfer_id=transfer["id"]).exists()
    assert counters(route[2], route[0]) == (10, 0, 0)
    consistent()


def test_a_draft_is_edited_and_listed_with_filters(api, route, consistent):
    source, destination, first, second = route
    transfer = draft(api, route, metadata={"a": 1})
    back = {
        "from_location_id": destination,
        "to_location_id": source,
        "items": [{"inventory_item_id": first, "quantity": 1}],
    }
    other = api.post(URL, back, format="json").json()["stock_transfer"]

    edited = post(
        api,
        transfer["id"],
        body={
            "items": [{"inventory_item_id": second, "quantity": 2}],
            "note": "by van",
            "metadata": {"b": 2},
        },
    ).json()["stock_transfer"]
    assert edited["items"] == [{"inventory_item_id": second, "quantity": 2, "received_quantity": 0}]
    assert edited["note"] == "by van"
    assert edited["metadata"] == {"a": 1, "b": 2}

    post(api, other["id"], "/ship")
    assert api.get(f"{URL}/{transfer['id']}").json()["stock_transfer"]["id"] == transfer["id"]
    by_status = api.get(f"{URL}?status=shipped").json()
    assert [t["id"] for t in by_status["stock_transfers"]] == [other["id"]]
    by_source = api.get(f"{URL}?from_location_id[]={source}").json()
    assert [t["id"] for t in by_source["stock_transfers"]] == [transfer["id"]]
    by_destination = api.get(f"{URL}?to_location_id={source},{destination}").json()
    assert by_destination["count"] == 2
    consistent()


# Refusals: a clear 4xx each, and nothing half-done ------------------------------------------


def assert_refused(response, status: int, type_: str, *words: str) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["type"] == type_
    for word in words:
        assert word in body["message"]


@pytest.mark.parametrize(
    ("change", "status", "type_", "words"),
    [
        ({"to_location_id": "SOURCE"}, 400, "invalid_data", ["to_location_id must differ"]),
        ({"from_location_id": "sloc_missing"}, 404, "not_found", ["sloc_missing"]),
        ({"to_location_id": "sloc_missing"}, 404, "not_found", ["sloc_missing"]),
        (
            {"items": [{"inventory_item_id": "iitem_missing", "quantity": 1}]},
            404,
            "not_found",
            ["iitem_missing"],
        ),
        (
            {"items": [{"inventory_item_id": "FIRST", "quantity": 0}]},
            400,
            "invalid_data",
            ["quantity must be a positive integer"],
        ),
        (
            {"items": [{"inventory_item_id": "FIRST", "quantity": -2}]},
            400,
            "invalid_data",
            ["quantity must be a positive integer"],
        ),
        (
            {
                "items": [
                    {"inventory_item_id": "FIRST", "quantity": 1},
                    {"inventory_item_id": "FIRST", "quantity": 2},
                ]
            },
            400,
            "invalid_data",
            ["listed twice"],
        ),
        ({"items": []}, 400, "invalid_data", ["items"]),
        ({"status": "received"}, 400, "invalid_data", ["property status should not exist"]),
    ],
)
def test_a_bad_draft_is_refused(api, route, change, status, type_, words):
    source, destination, first, _ = route
    body = {
        "from_location_id": source,
        "to_location_id": destination,
        "items": [{"inventory_item_id": first, "quantity": 1}],
    }
    for key, value in change.items():
        if value == "SOURCE":
            value = source
        if isinstance(value, list):
            value = [
                {**row, "inventory_item_id": first}
                if row.get("inventory_item_id") == "FIRST"
                else row
                for row in value
            ]
        body[key] = value

    assert_refused(api.post(URL, body, format="json"), status, type_, *words)
    assert not StockTransfer.objects.exists()


def test_shipping_more_than_is_available_lists_every_short_item(api, route, consistent):
    source, _, first, second = route
    level = InventoryLevel.objects.get(inventory_item_id=first, location_id=source)
    ReservationFactory(level=level, quantity=5)  # 10 stocked, 5 reserved: 5 available
    transfer = draft(api, route, first_qty=6, second_qty=5)

    response = post(api, transfer["id"], "/ship")

    assert_refused(
        response, 400, "not_allowed", "requested 6, available 5", "requested 5, available 4"
    )
    assert response.json()["code"] == "insufficient_inventory"
    assert StockTransfer.objects.get(pk=transfer["id"]).status == "draft"
    assert not StockMovement.objects.filter(transfer_id=transfer["id"]).exists()
    assert counters(second, route[1]) is None  # no destination level was left behind
    consistent()


def test_shipping_an_item_not_stocked_at_the_source_is_refused(api, route, consistent):
    source, destination, first, _ = route
    elsewhere = InventoryItemFactory()
    body = {
        "from_location_id": source,
        "to_location_id": destination,
        "items": [{"inventory_item_id": elsewhere.pk, "quantity": 1}],
    }
    transfer = api.post(URL, body, format="json").json()["stock_transfer"]
    assert_refused(post(api, transfer["id"], "/ship"), 400, "not_allowed", "available 0")
    assert counters(elsewhere.pk, source) is None
    consistent()


def test_receiving_more_than_is_outstanding_is_refused(api, route, consistent):
    _, destination, first, second = route
    transfer = draft(api, route)
    post(api, transfer["id"], "/ship")
    stranger = InventoryItemFactory().pk

    for items, words in [
        ([{"inventory_item_id": first, "quantity": 7}], ["7 received but 6 outstanding"]),
        ([{"inventory_item_id": stranger, "quantity": 1}], ["not part of transfer"]),
        (
            [
                {"inventory_item_id": first, "quantity": 1},
                {"inventory_item_id": first, "quantity": 1},
            ],
            ["listed twice"],
        ),
        ([{"inventory_item_id": first, "quantity": 0}], ["quantity must be a positive integer"]),
    ]:
        response = post(api, transfer["id"], "/receive", {"items": items})
        assert_refused(response, 400, "invalid_data", *words)
    post(api, transfer["id"], "/receive", {"items": [{"inventory_item_id": first, "quantity": 6}]})
    response = post(
        api, transfer["id"], "/receive", {"items": [{"inventory_item_id": first, "quantity": 1}]}
    )
    assert_refused(response, 400, "invalid_data", "1 received but 0 outstanding")
    assert counters(first, destination) == (7, 0, 0)
    consistent()


def test_steps_out_of_order_are_refused(api, route, consistent):
    transfer = draft(api, route)
    assert_refused(post(api, transfer["id"], "/receive"), 400, "not_allowed", "it is draft")
    post(api, transfer["id"], "/ship")
    edit = post(api, transfer["id"], body={"note": "late"})
    assert_refused(edit, 400, "not_allowed", "Cannot edit", "it is shipped")
    assert_refused(post(api, transfer["id"], "/ship"), 400, "not_allowed", "Cannot ship")
    post(api, transfer["id"], "/receive")
    assert_refused(post(api, transfer["id"], "/cancel"), 400, "not_allowed", "it is received")

    canceled = draft(api, route)
    post(api, canceled["id"], "/cancel")
    for step in ("/ship", "/receive", "/cancel", ""):
        response = post(api, canceled["id"], step, {} if step else {"note": "x"})
        assert_refused(response, 400, "not_allowed", "it is canceled")
    assert StockTransfer.objects.get(pk=transfer["id"]).note is None
    consistent()


def test_unknown_transfers_are_404(api):
    for step in ("", "/ship", "/receive", "/cancel"):
        assert_refused(post(api, "stran_missing", step), 404, "not_found", "stran_missing")
    assert_refused(api.get(f"{URL}/stran_missing"), 404, "not_found", "stran_missing")


def test_a_transfer_is_never_deleted(api, route):
    transfer = draft(api, route)
    assert api.delete(f"{URL}/{transfer['id']}").status_code == 405


def test_a_location_with_a_transfer_in_flight_is_not_deleted(api, route, consistent):
    source, destination, *_ = route
    transfer = draft(api, route)
    post(api, transfer["id"], "/ship")
    for location in (source, destination):
        response = api.delete(f"/admin/stock-locations/{location}")
        assert_refused(response, 409, "conflict", "stock transfers")
    assert InventoryLevel.objects.filter(location_id=destination).count() == 2
    consistent()


def test_an_item_in_a_transfer_is_not_deleted(api, route):
    transfer = draft(api, route)
    response = api.delete(f"/admin/inventory-items/{transfer['items'][0]['inventory_item_id']}")
    assert_refused(response, 409, "conflict", "stock transfers")


def test_a_deleted_level_reopens_when_a_shipped_transfer_is_canceled(api, route, consistent):
    source, _, _, second = route
    transfer = draft(api, route, second_qty=4)  # every unit of the second item leaves
    post(api, transfer["id"], "/ship")
    assert (
        api.delete(f"/admin/inventory-items/{second}/location-levels/{source}").status_code == 200
    )

    post(api, transfer["id"], "/cancel")

    assert counters(second, source) == (4, 0, 0)
    consistent()
