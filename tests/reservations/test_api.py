"""`/admin/reservations` through the HTTP API: envelopes, filters, rules and error bodies."""

import datetime as dt
from types import SimpleNamespace

import pytest

from inventory.models import InventoryItem, InventoryLevel
from reservations.models import ReservationItem
from tests.expected import ms, reservation_json
from tests.factories.inventory import (
    InventoryItemFactory,
    LevelFactory,
    StockLocationFactory,
    UserFactory,
    VariantFactory,
)
from tests.factories.reservations import ReservationFactory

URL = "/admin/reservations"


def item_json(item: InventoryItem) -> dict:
    i = InventoryItem.objects.get(pk=item.pk)
    return {
        "id": i.id,
        "sku": i.sku,
        "title": i.title,
        "description": i.description,
        "thumbnail": i.thumbnail,
        "hs_code": i.hs_code,
        "origin_country": i.origin_country,
        "mid_code": i.mid_code,
        "material": i.material,
        "weight": i.weight,
        "length": i.length,
        "height": i.height,
        "width": i.width,
        "requires_shipping": i.requires_shipping,
        "metadata": i.metadata,
        "created_at": ms(i.created_at),
        "updated_at": ms(i.updated_at),
    }


def reserved(level: InventoryLevel) -> int:
    return InventoryLevel.objects.get(pk=level.pk).reserved_quantity


def stamp(reservation: ReservationItem, created: str, updated: str | None = None) -> None:
    """Pin a reservation's timestamps (ISO strings) so date filters and order are exact."""
    ReservationItem.objects.filter(pk=reservation.pk).update(
        created_at=dt.datetime.fromisoformat(created),
        updated_at=dt.datetime.fromisoformat(updated or created),
    )


def invalid(message: str) -> dict:
    return {"type": "invalid_data", "message": message}


def not_found(message: str) -> dict:
    return {"type": "not_found", "message": message}


@pytest.fixture
def world(staff):
    """Two locations, two items, three reservations with pinned timestamps.

    first:  item1 @ loc1, 2 units, no description,       by staff, 2026-01-01
    second: item2 @ loc2, 1 unit,  "test description",   by other, 2026-01-02
    third:  item1 @ loc2, 5 units, "Another TEST",       by staff, 2026-01-03
    """
    other = UserFactory()
    loc1, loc2 = StockLocationFactory(), StockLocationFactory()
    item1, item2 = InventoryItemFactory(), InventoryItemFactory()
    levels = SimpleNamespace(
        i1l1=LevelFactory(inventory_item=item1, location=loc1, stocked_quantity=100),
        i2l2=LevelFactory(inventory_item=item2, location=loc2, stocked_quantity=100),
        i1l2=LevelFactory(inventory_item=item1, location=loc2, stocked_quantity=100),
    )
    first = ReservationFactory(level=levels.i1l1, quantity=2, created_by=staff.pk)
    second = ReservationFactory(
        level=levels.i2l2, quantity=1, description="test description", created_by=other.pk
    )
    third = ReservationFactory(
        level=levels.i1l2, quantity=5, description="Another TEST", created_by=staff.pk
    )
    stamp(first, "2026-01-01T10:00:00.100+00:00", "2026-02-03T00:00:00.000+00:00")
    stamp(second, "2026-01-02T10:00:00.250+00:00", "2026-02-02T00:00:00.000+00:00")
    stamp(third, "2026-01-03T10:00:00.999+00:00", "2026-02-01T00:00:00.000+00:00")
    return SimpleNamespace(
        staff=staff,
        other=other,
        loc1=loc1,
        loc2=loc2,
        item1=item1,
        item2=item2,
        levels=levels,
        first=first,
        second=second,
        third=third,
    )


# List -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_answers_every_field_newest_first_in_the_list_envelope(api, world):
    response = api.get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "reservations": [
            reservation_json(world.third),
            reservation_json(world.second),
            reservation_json(world.first),
        ],
        "count": 3,
        "offset": 0,
        "limit": 20,
    }


@pytest.mark.django_db
def test_list_timestamps_are_utc_with_milliseconds(api, world):
    rows = {r["id"]: r for r in api.get(URL).json()["reservations"]}
    assert rows[world.first.pk]["created_at"] == "2026-01-01T10:00:00.100Z"
    assert rows[world.second.pk]["created_at"] == "2026-01-02T10:00:00.250Z"
    assert rows[world.third.pk]["updated_at"] == "2026-02-01T00:00:00.000Z"


FILTER_CASES = [
    # id filters: scalar, `x[]=`, `x[0]=`, comma-separated, percent-encoded brackets
    ("location_id={loc1}", ["first"]),
    ("location_id[]={loc1}", ["first"]),
    ("location_id%5B0%5D={loc1}&location_id%5B1%5D={loc2}", ["third", "second", "first"]),
    ("location_id[0]={loc2}", ["third", "second"]),
    ("location_id={loc1},{loc2}", ["third", "second", "first"]),
    ("location_id[]={loc2}&location_id[]=sloc_unknown", ["third", "second"]),
    ("location_id=sloc_unknown", []),
    ("inventory_item_id={item2}", ["second"]),
    ("inventory_item_id[]={item1}", ["third", "first"]),
    ("inventory_item_id[0]={item2}&inventory_item_id[1]={item1}", ["third", "second", "first"]),
    ("inventory_item_id={item1},{item2}", ["third", "second", "first"]),
    ("created_by={staff}", ["third", "first"]),
    ("created_by[]={other}", ["second"]),
    ("created_by[0]={other}", ["second"]),
    ("created_by={staff},{other}", ["third", "second", "first"]),
    ("line_item_id=item_unknown", []),
    ("line_item_id[]=item_unknown", []),
    # quantity operators
    ("quantity[gt]=1", ["third", "first"]),
    ("quantity%5Bgt%5D=1", ["third", "first"]),
    ("quantity[gte]=2", ["third", "first"]),
    ("quantity[lt]=2", ["second"]),
    ("quantity[lte]=2", ["second", "first"]),
    ("quantity[gt]=1&quantity[lt]=5", ["first"]),
    ("quantity[gt]=5", []),
    # description: exact is case-sensitive, operators are case-insensitive
    ("description=test%20description", ["second"]),
    ("description=Test%20Description", []),
    ("description=description", []),
    ("description[contains]=descri", ["second"]),
    ("description[contains]=DESCRI", ["second"]),
    ("description[contains]=test", ["third", "second"]),
    ("description[starts_with]=test", ["second"]),
    ("description[starts_with]=ANOTHER", ["third"]),
    ("description[starts_with]=description", []),
    ("description[ends_with]=test", ["third"]),
    ("description[ends_with]=Description", ["second"]),
    # timestamps, with milliseconds and `Z`
    ("created_at[gte]=2026-01-02T10:00:00.250Z", ["third", "second"]),
    ("created_at[gt]=2026-01-02T10:00:00.250Z", ["third"]),
    ("created_at[lt]=2026-01-02T10:00:00.250Z", ["first"]),
    ("created_at[lte]=2026-01-02T10:00:00.250Z", ["second", "first"]),
    ("created_at[gt]=2026-01-01T10:00:00.101Z", ["third", "second"]),
    (
        "created_at[gte]=2026-01-01T00:00:00Z&created_at[lt]=2026-01-03T00:00:00Z",
        ["second", "first"],
    ),
    ("updated_at[gt]=2026-02-01T00:00:00.000Z", ["second", "first"]),
    ("updated_at[lte]=2026-02-02T00:00:00.000Z", ["third", "second"]),
    # filters combine with AND
    ("location_id={loc2}&created_by={staff}", ["third"]),
    ("inventory_item_id={item1}&quantity[lt]=3&description[contains]=x", []),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "expected"), FILTER_CASES)
def test_list_filters(api, world, query, expected):
    # given
    ids = {
        "loc1": world.loc1.pk,
        "loc2": world.loc2.pk,
        "item1": world.item1.pk,
        "item2": world.item2.pk,
        "staff": world.staff.pk,
        "other": world.other.pk,
    }
    # when
    response = api.get(f"{URL}?{query.format(**ids)}")
    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["id"] for r in body["reservations"]] == [getattr(world, n).pk for n in expected]
    assert body["count"] == len(expected)


@pytest.mark.django_db
def test_list_expand_inventory_item_adds_the_item(api, world):
    response = api.get(f"{URL}?expand=inventory_item&location_id={world.loc1.pk}")
    assert response.status_code == 200
    assert response.json()["reservations"] == [
        {**reservation_json(world.first), "inventory_item": item_json(world.item1)}
    ]


@pytest.mark.django_db
def test_list_without_expand_has_no_inventory_item(api, world):
    rows = api.get(URL).json()["reservations"]
    assert all("inventory_item" not in row for row in rows)


@pytest.mark.django_db
def test_list_fields_keeps_only_those_columns_and_the_id(api, world):
    response = api.get(f"{URL}?fields=quantity")
    assert response.status_code == 200
    assert response.json()["reservations"] == [
        {"id": world.third.pk, "quantity": 5},
        {"id": world.second.pk, "quantity": 1},
        {"id": world.first.pk, "quantity": 2},
    ]


@pytest.mark.django_db
def test_list_fields_with_expand(api, world):
    response = api.get(
        f"{URL}?fields=quantity,description&expand=inventory_item&inventory_item_id={world.item2.pk}"
    )
    assert response.json()["reservations"] == [
        {
            "id": world.second.pk,
            "quantity": 1,
            "description": "test description",
            "inventory_item": item_json(world.item2),
        }
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("quantity", ["second", "first", "third"]),
        ("-quantity", ["third", "first", "second"]),
        ("created_at", ["first", "second", "third"]),
        ("-created_at", ["third", "second", "first"]),
        ("updated_at", ["third", "second", "first"]),
    ],
)
def test_list_order(api, world, order, expected):
    response = api.get(f"{URL}?order={order}")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["reservations"]] == [
        getattr(world, n).pk for n in expected
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected", "offset", "limit"),
    [
        ("limit=1", ["third"], 0, 1),
        ("offset=1&limit=1", ["second"], 1, 1),
        ("offset=2", ["first"], 2, 20),
        ("offset=3", [], 3, 20),
        ("offset=50&limit=10", [], 50, 10),
        ("limit=0", [], 0, 0),
        ("limit=1000", ["third", "second", "first"], 0, 1000),
    ],
)
def test_list_pagination_counts_every_match(api, world, query, expected, offset, limit):
    response = api.get(f"{URL}?{query}")
    assert response.status_code == 200
    body = response.json()
    assert [r["id"] for r in body["reservations"]] == [getattr(world, n).pk for n in expected]
    assert (body["count"], body["offset"], body["limit"]) == (3, offset, limit)


@pytest.mark.django_db
def test_list_count_is_the_filtered_total_not_the_page(api, world):
    body = api.get(f"{URL}?location_id={world.loc2.pk}&limit=1").json()
    assert ([r["id"] for r in body["reservations"]], body["count"]) == ([world.third.pk], 2)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("foo=1", "property foo should not exist"),
        ("foo[]=1", "property foo should not exist"),
        ("quantity=1", "property quantity should not exist"),
        ("quantity[contains]=1", "property quantity[contains] should not exist"),
        ("created_by[starts_with]=usr", "property created_by[starts_with] should not exist"),
        ("quantity[gt]=abc", "quantity[gt] must be an integer from -2147483648 to 2147483647"),
        ("created_at[gte]=yesterday", "created_at[gte] must be an ISO-8601 date"),
        ("updated_at[lt]=2026-13-45T00:00:00Z", "updated_at[lt] must be an ISO-8601 date"),
        ("quantity[between]=1", "quantity[between] uses an unknown operator between"),
        ("offset=abc", "offset must be a non-negative integer"),
        ("limit=-1", "limit must be a non-negative integer"),
        ("limit=1001", "limit must not be greater than 1000"),
        ("expand=line", "expand has unknown relations line; allowed: inventory_item, line_item"),
    ],
)
def test_list_rejects_bad_query(api, world, query, message):
    response = api.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert response.json() == invalid(message)


@pytest.mark.django_db
def test_list_rejects_unknown_order_and_fields(api, world):
    order = api.get(f"{URL}?order=secret")
    fields = api.get(f"{URL}?fields=quantity,password")
    assert (order.status_code, fields.status_code) == (400, 400)
    assert order.json()["type"] == fields.json()["type"] == "invalid_data"
    assert order.json()["message"].startswith("order must name one of ")
    assert "quantity" in order.json()["message"]
    assert fields.json()["message"].startswith("fields has unknown fields password")


# Retrieve ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_get_answers_the_reservation(api, world):
    response = api.get(f"{URL}/{world.second.pk}")
    assert response.status_code == 200
    assert response.json() == {"reservation": reservation_json(world.second)}


@pytest.mark.django_db
def test_get_expands_the_inventory_item(api, world):
    response = api.get(f"{URL}/{world.first.pk}?expand=inventory_item")
    assert response.json() == {
        "reservation": {**reservation_json(world.first), "inventory_item": item_json(world.item1)}
    }


@pytest.mark.django_db
def test_get_unknown_reservation_is_not_found(api):
    response = api.get(f"{URL}/resitem_nope")
    assert response.status_code == 404
    assert response.json() == not_found("Reservation with id resitem_nope not found")


# Create -----------------------------------------------------------------------------------


@pytest.fixture
def level(db):
    return LevelFactory(stocked_quantity=10)


def create_body(level, **extra) -> dict:
    return {
        "inventory_item_id": level.inventory_item_id,
        "location_id": level.location_id,
        "quantity": 3,
        **extra,
    }


@pytest.mark.django_db
def test_create_answers_the_reservation_made_by_the_acting_user(api, staff, level, consistent):
    # when
    response = api.post(
        URL,
        create_body(level, description="manual hold", metadata={"a": 1, "nested": {"b": [1, 2]}}),
        format="json",
    )
    # then
    assert response.status_code == 200
    reservation = ReservationItem.objects.get()
    assert response.json() == {"reservation": reservation_json(reservation)}
    assert response.json()["reservation"] == {
        "id": reservation.id,
        "created_at": ms(reservation.created_at),
        "updated_at": ms(reservation.updated_at),
        "inventory_item_id": level.inventory_item_id,
        "location_id": level.location_id,
        "quantity": 3,
        "description": "manual hold",
        "created_by": staff.pk,
        "metadata": {"a": 1, "nested": {"b": [1, 2]}},
        "line_item_id": None,
        "external_id": None,
        "expires_at": None,
    }
    assert reservation.id.startswith("resitem_")
    assert reserved(level) == 3
    consistent()


@pytest.mark.django_db
def test_create_with_only_required_fields_leaves_optional_ones_null(api, level, consistent):
    response = api.post(URL, create_body(level), format="json")
    assert response.status_code == 200
    row = response.json()["reservation"]
    assert (row["description"], row["metadata"], row["line_item_id"]) == (None, None, None)
    consistent()


@pytest.mark.django_db
def test_create_with_trailing_slash_works_without_redirect(api, level, consistent):
    response = api.post(f"{URL}/", create_body(level), format="json")
    assert response.status_code == 200
    assert response.json()["reservation"]["quantity"] == 3
    assert reserved(level) == 3
    consistent()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (0, "quantity must be a positive integer"),
        (-1, "quantity must be a positive integer"),
        (1.5, "quantity must be a positive integer"),
        ("1", "quantity must be a positive integer"),
        (True, "quantity must be a positive integer"),
        ([1], "quantity must be a positive integer"),
        (None, "quantity must not be null"),
        (2**31, "quantity must not be greater than 2147483647"),
    ],
)
def test_create_requires_a_positive_integer_quantity(api, level, quantity, message, consistent):
    response = api.post(URL, create_body(level, quantity=quantity), format="json")
    assert response.status_code == 400
    assert response.json() == invalid(message)
    assert not ReservationItem.objects.exists()
    assert reserved(level) == 0
    consistent()


@pytest.mark.django_db
def test_create_names_every_missing_field(api):
    response = api.post(URL, {}, format="json")
    assert response.status_code == 400
    assert response.json() == invalid(
        "location_id is required, inventory_item_id is required, quantity is required"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["foo", "created_by", "external_id", "id"])
def test_create_rejects_unknown_and_read_only_properties(api, level, field):
    response = api.post(URL, create_body(level, **{field: "x"}), format="json")
    assert response.status_code == 400
    assert response.json() == invalid(f"property {field} should not exist")
    assert not ReservationItem.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"metadata": "x"}, "metadata must be an object"),
        ({"metadata": [1]}, "metadata must be an object"),
        ({"description": 5}, "description must be a string"),
        ({"location_id": 5}, "location_id must be a string"),
        ({"inventory_item_id": None}, "inventory_item_id must not be null"),
    ],
)
def test_create_rejects_wrong_types(api, level, extra, message):
    response = api.post(URL, create_body(level, **extra), format="json")
    assert response.status_code == 400
    assert response.json() == invalid(message)
    assert not ReservationItem.objects.exists()


@pytest.mark.django_db
def test_create_at_a_location_where_the_item_is_not_stocked_is_not_found(api, level, consistent):
    # given: the location exists but holds no level of the item
    elsewhere = StockLocationFactory()
    # when
    response = api.post(URL, create_body(level, location_id=elsewhere.pk), format="json")
    # then
    assert response.status_code == 404
    assert response.json() == not_found(
        f"Item {level.inventory_item_id} is not stocked at location {elsewhere.pk}"
    )
    assert not ReservationItem.objects.exists()
    consistent()


@pytest.mark.django_db
@pytest.mark.parametrize("unknown", ["inventory_item_id", "location_id"])
def test_create_with_unknown_item_or_location_is_not_found(api, level, unknown):
    body = create_body(level, **{unknown: "nope_01"})
    response = api.post(URL, body, format="json")
    assert response.status_code == 404
    assert response.json() == not_found(
        f"Item {body['inventory_item_id']} is not stocked at location {body['location_id']}"
    )
    assert not ReservationItem.objects.exists()


@pytest.mark.django_db
def test_create_above_available_is_refused_with_the_available_quantity(api, consistent):
    # given: 3 stocked, 2 already reserved
    level = LevelFactory(stocked_quantity=3)
    ReservationFactory(level=level, quantity=2)
    # when
    response = api.post(URL, create_body(level, quantity=2), format="json")
    # then
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"type", "message", "code"}
    assert (body["type"], body["code"]) == ("not_allowed", "insufficient_inventory")
    assert "available 1" in body["message"]
    assert "requested 2" in body["message"]
    assert level.location_id in body["message"]
    assert ReservationItem.objects.count() == 1
    assert reserved(level) == 2
    consistent()


@pytest.mark.django_db
def test_create_exactly_the_available_quantity_is_allowed(api, consistent):
    level = LevelFactory(stocked_quantity=3)
    ReservationFactory(level=level, quantity=2)
    response = api.post(URL, create_body(level, quantity=1), format="json")
    assert response.status_code == 200
    assert reserved(level) == 3
    consistent()


@pytest.mark.django_db
def test_create_past_stock_is_allowed_when_a_backorderable_variant_backs_the_item(api, consistent):
    # given: the item of a variant that allows backorders, 1 in stock
    variant = VariantFactory(allow_backorder=True)
    item = variant.inventory_links.get().inventory_item
    level = LevelFactory(inventory_item=item, stocked_quantity=1)
    # when
    response = api.post(URL, create_body(level, quantity=5), format="json")
    # then
    assert response.status_code == 200
    assert response.json()["reservation"]["quantity"] == 5
    assert reserved(level) == 5
    consistent()


@pytest.mark.django_db
def test_create_past_stock_is_refused_for_a_variant_without_backorder(api, consistent):
    variant = VariantFactory(allow_backorder=False)
    level = LevelFactory(inventory_item=variant.inventory_links.get().inventory_item)
    response = api.post(URL, create_body(level, quantity=11), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "insufficient_inventory"
    assert "available 10" in response.json()["message"]
    consistent()


# Update -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_update_quantity_answers_the_reservation_and_moves_the_counter(api, level, consistent):
    # given
    reservation = ReservationFactory(level=level, quantity=3)
    # when
    response = api.post(f"{URL}/{reservation.pk}", {"quantity": 7}, format="json")
    # then
    assert response.status_code == 200
    assert response.json() == {"reservation": reservation_json(reservation)}
    assert response.json()["reservation"]["quantity"] == 7
    assert reserved(level) == 7
    consistent()
    # and down again
    response = api.post(f"{URL}/{reservation.pk}", {"quantity": 1}, format="json")
    assert response.json()["reservation"]["quantity"] == 1
    assert reserved(level) == 1
    consistent()


@pytest.mark.django_db
def test_update_may_use_the_units_the_reservation_already_holds(api, consistent):
    # given: 5 stocked, this reservation holds 3, so 2 are free
    level = LevelFactory(stocked_quantity=5)
    reservation = ReservationFactory(level=level, quantity=3)
    # when
    response = api.post(f"{URL}/{reservation.pk}", {"quantity": 5}, format="json")
    # then
    assert response.status_code == 200
    assert reserved(level) == 5
    consistent()


@pytest.mark.django_db
def test_update_description_and_replace_metadata(api, level, consistent):
    reservation = ReservationFactory(level=level, quantity=2, metadata={"a": 1, "b": 2})
    response = api.post(
        f"{URL}/{reservation.pk}",
        {"description": "changed", "metadata": {"c": 3}},
        format="json",
    )
    assert response.status_code == 200
    row = response.json()["reservation"]
    assert (row["description"], row["metadata"], row["quantity"]) == ("changed", {"c": 3}, 2)
    assert ReservationItem.objects.get().metadata == {"c": 3}
    response = api.post(f"{URL}/{reservation.pk}", {"description": None}, format="json")
    assert response.json()["reservation"]["description"] is None
    assert reserved(level) == 2
    consistent()


@pytest.mark.django_db
def test_update_with_empty_body_changes_nothing(api, level, consistent):
    reservation = ReservationFactory(level=level, quantity=2, description="keep")
    response = api.post(f"{URL}/{reservation.pk}", {}, format="json")
    assert response.status_code == 200
    row = response.json()["reservation"]
    assert (row["quantity"], row["description"], row["location_id"]) == (
        2,
        "keep",
        level.location_id,
    )
    assert reserved(level) == 2
    consistent()


@pytest.mark.django_db
@pytest.mark.parametrize("quantity", [None, 4])
def test_update_move_carries_the_units_to_the_new_location(api, level, quantity, consistent):
    # given
    other = LevelFactory(inventory_item=level.inventory_item, stocked_quantity=5)
    reservation = ReservationFactory(level=level, quantity=3)
    body = {"location_id": other.location_id}
    if quantity:
        body["quantity"] = quantity
    # when
    response = api.post(f"{URL}/{reservation.pk}", body, format="json")
    # then
    assert response.status_code == 200
    row = response.json()["reservation"]
    assert (row["location_id"], row["quantity"]) == (other.location_id, quantity or 3)
    assert (reserved(level), reserved(other)) == (0, quantity or 3)
    consistent()


@pytest.mark.django_db
@pytest.mark.parametrize("known_location", [True, False])
def test_update_move_to_a_location_without_the_item_is_not_found(
    api, level, known_location, consistent
):
    reservation = ReservationFactory(level=level, quantity=3)
    target = StockLocationFactory().pk if known_location else "sloc_nope"
    response = api.post(f"{URL}/{reservation.pk}", {"location_id": target}, format="json")
    assert response.status_code == 404
    assert response.json() == not_found(
        f"Item {level.inventory_item_id} is not stocked at location {target}"
    )
    assert ReservationItem.objects.get().location_id == level.location_id
    assert reserved(level) == 3
    consistent()


@pytest.mark.django_db
def test_update_move_beyond_availability_changes_nothing(api, level, consistent):
    # given: the target has 2 free units, the reservation holds 3
    other = LevelFactory(inventory_item=level.inventory_item, stocked_quantity=4)
    ReservationFactory(level=other, quantity=2)
    reservation = ReservationFactory(level=level, quantity=3)
    before = reservation_json(reservation)
    # when
    response = api.post(
        f"{URL}/{reservation.pk}", {"location_id": other.location_id}, format="json"
    )
    # then
    assert response.status_code == 400
    body = response.json()
    assert (body["type"], body["code"]) == ("not_allowed", "insufficient_inventory")
    assert "available 2" in body["message"]
    assert reservation_json(reservation) == before
    assert (reserved(level), reserved(other)) == (3, 2)
    consistent()


@pytest.mark.django_db
def test_update_quantity_beyond_availability_changes_nothing(api, consistent):
    level = LevelFactory(stocked_quantity=5)
    reservation = ReservationFactory(level=level, quantity=3)
    response = api.post(f"{URL}/{reservation.pk}", {"quantity": 6}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "insufficient_inventory"
    assert "available 2" in response.json()["message"]
    assert ReservationItem.objects.get().quantity == 3
    assert reserved(level) == 3
    consistent()


@pytest.mark.django_db
@pytest.mark.parametrize("move", [False, True])
def test_update_quantity_zero_is_refused_even_with_a_move(api, level, move, consistent):
    # Medusa v1 left phantom reserved units for `quantity: 0` with a move.
    other = LevelFactory(inventory_item=level.inventory_item)
    reservation = ReservationFactory(level=level, quantity=3)
    body = {"quantity": 0, **({"location_id": other.location_id} if move else {})}
    response = api.post(f"{URL}/{reservation.pk}", body, format="json")
    assert response.status_code == 400
    assert response.json() == invalid("quantity must be a positive integer")
    assert (reserved(level), reserved(other)) == (3, 0)
    consistent()


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["inventory_item_id", "line_item_id", "created_by", "foo"])
def test_update_rejects_properties_it_does_not_take(api, level, field, consistent):
    reservation = ReservationFactory(level=level, quantity=3)
    response = api.post(f"{URL}/{reservation.pk}", {field: "x", "quantity": 4}, format="json")
    assert response.status_code == 400
    assert response.json() == invalid(f"property {field} should not exist")
    assert reserved(level) == 3
    consistent()


@pytest.mark.django_db
def test_update_unknown_reservation_is_not_found(api):
    response = api.post(f"{URL}/resitem_nope", {"quantity": 1}, format="json")
    assert response.status_code == 404
    assert response.json() == not_found("Reservation with id resitem_nope was not found")


# Delete -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_delete_releases_the_units(api, level, consistent):
    # given
    reservation = ReservationFactory(level=level, quantity=4)
    # when
    response = api.delete(f"{URL}/{reservation.pk}")
    # then
    assert response.status_code == 200
    assert response.json() == {"id": reservation.pk, "object": "reservation", "deleted": True}
    assert not ReservationItem.objects.exists()
    assert reserved(level) == 0
    consistent()
    # and a second delete finds nothing
    again = api.delete(f"{URL}/{reservation.pk}")
    assert again.status_code == 404
    assert api.get(f"{URL}/{reservation.pk}").status_code == 404


@pytest.mark.django_db
def test_delete_unknown_reservation_is_not_found(api):
    # Medusa v1 answered 200 here.
    response = api.delete(f"{URL}/resitem_nope")
    assert response.status_code == 404
    assert response.json() == not_found("Reservation with id resitem_nope was not found")


# Deliberate differences around reservations -------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("what", ["inventory-items", "stock-locations"])
def test_deleting_an_item_or_location_holding_reservations_is_a_conflict(
    api, level, what, consistent
):
    # given
    reservation = ReservationFactory(level=level, quantity=1)
    target = level.inventory_item_id if what == "inventory-items" else level.location_id
    # when
    refused = api.delete(f"/admin/{what}/{target}")
    # then
    assert refused.status_code == 409
    body = refused.json()
    assert set(body) == {"type", "message", "code"}
    assert (body["type"], body["code"]) == ("conflict", "invalid_state_error")
    assert ReservationItem.objects.filter(pk=reservation.pk).exists()
    assert reserved(level) == 1
    consistent()
    # once released, deleting works
    assert api.delete(f"{URL}/{reservation.pk}").status_code == 200
    assert api.delete(f"/admin/{what}/{target}").status_code == 200
    consistent()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", URL), ("post", URL), ("get", f"{URL}/resitem_x"), ("delete", f"{URL}/resitem_x")],
)
def test_reservation_routes_answer_401_json_without_credentials(anon, method, path):
    response = getattr(anon, method)(path)
    assert response.status_code == 401
    assert response.json() == {"type": "unauthorized", "message": "Unauthorized"}
