"""`/admin/stock-locations`: create with address, expand, merge updates, filters, delete."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inventory.models import (
    InventoryLevel,
    SalesChannelLocation,
    StockLocation,
    StockLocationAddress,
)
from inventory.services import sales_channel_location_add
from reservations.models import ReservationItem
from tests.factories.inventory import (
    LevelFactory,
    SalesChannelFactory,
    StockLocationFactory,
)
from tests.factories.reservations import ReservationFactory

pytestmark = pytest.mark.django_db

LOCATION_FIELDS = {"id", "name", "address_id", "metadata", "created_at", "updated_at"}
ADDRESS = {
    "address_1": "Nørrebrogade 1",
    "address_2": "2nd floor",
    "company": "Stockroom ApS",
    "city": "Copenhagen",
    "country_code": "DK",
    "phone": "+45 1234",
    "province": "Capital",
    "postal_code": "2200",
}
ADDRESS_FIELDS = {*ADDRESS, "id", "metadata", "created_at", "updated_at"}


def create(api, **body):
    response = api.post("/admin/stock-locations", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["stock_location"]


def names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["stock_locations"]]


# Create and read --------------------------------------------------------------------------


def test_create_location_with_address_answers_it_without_the_address(api):
    response = api.post(
        "/admin/stock-locations",
        {"name": "Copenhagen", "address": ADDRESS, "metadata": {"zone": "eu"}},
        format="json",
    )

    assert response.status_code == 200
    location = response.json()["stock_location"]
    assert set(location) == LOCATION_FIELDS
    assert location["id"].startswith("sloc_")
    assert location["address_id"].startswith("laddr_")
    assert (location["name"], location["metadata"]) == ("Copenhagen", {"zone": "eu"})
    stored = StockLocation.objects.select_related("address").get(pk=location["id"])
    assert stored.address.pk == location["address_id"]
    assert (stored.address.city, stored.address.country_code) == ("Copenhagen", "DK")


def test_create_location_without_address(api):
    location = create(api, name="Bare")
    assert (location["address_id"], location["metadata"]) == (None, None)


def test_expand_address_returns_all_its_fields(api):
    location = create(api, name="Copenhagen", address=ADDRESS)

    response = api.get(f"/admin/stock-locations/{location['id']}", {"expand": "address"})

    assert response.status_code == 200
    body = response.json()["stock_location"]
    assert set(body) == LOCATION_FIELDS | {"address"}
    assert set(body["address"]) == ADDRESS_FIELDS
    assert {k: body["address"][k] for k in ADDRESS} == ADDRESS
    assert body["address"]["id"] == location["address_id"]


def test_expand_address_in_the_list(api):
    create(api, name="With", address=ADDRESS)
    create(api, name="Without")

    rows = api.get("/admin/stock-locations", {"expand": "address", "order": "name"}).json()

    assert [
        (r["name"], r["address"] and r["address"]["city"]) for r in rows["stock_locations"]
    ] == [
        ("With", "Copenhagen"),
        ("Without", None),
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "name is required"),
        ({"name": "   "}, "name should not be empty"),
        (
            {"name": "X", "address": {}},
            "address.address_1 is required, address.country_code is required",
        ),
        ({"name": "X", "address": {"address_1": "Street 1"}}, "address.country_code is required"),
        (
            {"name": "X", "address": {"address_1": 1, "country_code": "DK"}},
            "address.address_1 must be a string",
        ),
        ({"name": "X", "metadata": [1]}, "metadata must be an object"),
        ({"name": "X", "color": "red"}, "property color should not exist"),
    ],
)
def test_create_location_with_invalid_body_is_400(api, body, message):
    response = api.post("/admin/stock-locations", body, format="json")

    assert response.status_code == 400
    assert response.json() == {"type": "invalid_data", "message": message}
    assert not StockLocation.objects.exists()


def test_get_unknown_location_is_404(api):
    response = api.get("/admin/stock-locations/sloc_nope")

    assert response.status_code == 404
    assert response.json() == {
        "type": "not_found",
        "message": "StockLocation with id sloc_nope was not found",
    }


# Update -----------------------------------------------------------------------------------


def test_update_merges_address_fields_in_place(api):
    location = create(api, name="Copenhagen", address=ADDRESS)

    response = api.post(
        f"/admin/stock-locations/{location['id']}?expand=address",
        {"address": {"address_1": "Vesterbrogade 2", "country_code": "SE"}},
        format="json",
    )

    assert response.status_code == 200
    stored = StockLocation.objects.select_related("address").get(pk=location["id"])
    assert stored.address_id == location["address_id"]
    assert StockLocationAddress.objects.count() == 1
    assert (stored.address.address_1, stored.address.country_code) == ("Vesterbrogade 2", "SE")
    assert (stored.address.city, stored.address.postal_code) == ("Copenhagen", "2200")


def test_update_creates_an_address_when_there_is_none(api):
    location = create(api, name="Bare")

    response = api.post(
        f"/admin/stock-locations/{location['id']}",
        {"address": {"address_1": "Street 1", "country_code": "DE"}},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["stock_location"]["address_id"].startswith("laddr_")


def test_update_adding_a_first_address_requires_address_1_and_country_code(api):
    location = create(api, name="Bare")

    response = api.post(
        f"/admin/stock-locations/{location['id']}", {"address": {"city": "Oslo"}}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "type": "invalid_data",
        "message": "address.address_1 is required, address.country_code is required",
    }
    assert not StockLocationAddress.objects.exists()
    assert StockLocation.objects.get(pk=location["id"]).address_id is None


def test_update_merges_metadata_keys_and_renames(api):
    location = create(api, name="Old", metadata={"a": 1, "b": 1})

    response = api.post(
        f"/admin/stock-locations/{location['id']}",
        {"name": "New", "metadata": {"b": 2, "c": 3}},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()["stock_location"]
    assert (body["name"], body["metadata"]) == ("New", {"a": 1, "b": 2, "c": 3})


def test_update_unknown_location_is_404(api):
    response = api.post("/admin/stock-locations/sloc_nope", {"name": "X"}, format="json")
    assert response.status_code == 404
    assert response.json() == {
        "type": "not_found",
        "message": "StockLocation with id sloc_nope was not found",
    }


# List and filters -------------------------------------------------------------------------


@pytest.fixture
def cities(api):
    """Medusa's list-stock-locations cases: Copenhagen, Berlin, Paris (created in that order);
    Berlin is linked to a channel."""
    copenhagen = create(api, name="Copenhagen", address={"address_1": "A", "country_code": "DK"})
    berlin = create(api, name="Berlin")
    paris = create(api, name="Paris")
    channel = SalesChannelFactory()
    sales_channel_location_add(sales_channel_id=channel.pk, location_id=berlin["id"])
    return {"copenhagen": copenhagen, "berlin": berlin, "paris": paris, "channel": channel}


def test_list_is_newest_first_in_the_list_envelope(api, cities):
    response = api.get("/admin/stock-locations")

    body = response.json()
    assert set(body) == {"stock_locations", "count", "offset", "limit"}
    assert (body["count"], body["offset"], body["limit"]) == (3, 0, 20)
    assert names(response) == ["Paris", "Berlin", "Copenhagen"]
    assert all(set(row) == LOCATION_FIELDS for row in body["stock_locations"])


def test_list_paginates(api, cities):
    response = api.get("/admin/stock-locations", {"limit": 1, "offset": 1})

    assert names(response) == ["Berlin"]
    assert {k: response.json()[k] for k in ("count", "offset", "limit")} == {
        "count": 3,
        "offset": 1,
        "limit": 1,
    }


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("name", ["Berlin", "Copenhagen", "Paris"]),
        ("-name", ["Paris", "Copenhagen", "Berlin"]),
    ],
)
def test_list_orders_by_name(api, cities, order, expected):
    assert names(api.get("/admin/stock-locations", {"order": order})) == expected


def test_list_q_matches_name_case_insensitively(api, cities):
    response = api.get("/admin/stock-locations", {"q": "OPEN"})
    assert names(response) == ["Copenhagen"]
    assert response.json()["count"] == 1


def _query(key: str, form: str, values: list[str]) -> str:
    """Encode `values` as qs does: scalar/CSV, `key[]=`, or `key[0]=`."""
    if form == "scalar":
        return f"{key}={','.join(values)}"
    if form == "brackets":
        return "&".join(f"{key}[]={v}" for v in values)
    return "&".join(f"{key}[{i}]={v}" for i, v in enumerate(values))


FORMS = ["scalar", "brackets", "indexed"]


@pytest.mark.parametrize("form", FORMS)
def test_list_filters_by_id(api, cities, form):
    ids = [cities["paris"]["id"], cities["berlin"]["id"]]
    response = api.get(f"/admin/stock-locations?{_query('id', form, ids)}&order=name")
    assert names(response) == ["Berlin", "Paris"]


@pytest.mark.parametrize("form", FORMS)
def test_list_filters_by_name(api, cities, form):
    response = api.get(f"/admin/stock-locations?{_query('name', form, ['Paris'])}")
    assert names(response) == ["Paris"]


@pytest.mark.parametrize("form", FORMS)
def test_list_filters_by_address_id(api, cities, form):
    query = _query("address_id", form, [cities["copenhagen"]["address_id"]])
    response = api.get(f"/admin/stock-locations?{query}")
    assert names(response) == ["Copenhagen"]
    assert response.json()["count"] == 1


@pytest.mark.parametrize("form", FORMS)
def test_list_filters_by_sales_channel(api, cities, form):
    query = _query("sales_channel_id", form, [cities["channel"].pk])
    response = api.get(f"/admin/stock-locations?{query}")
    assert names(response) == ["Berlin"]
    assert response.json()["count"] == 1


def test_list_by_sales_channel_lists_each_location_once_for_several_channels(api, cities):
    other = SalesChannelFactory()
    for location in ("berlin", "paris"):
        sales_channel_location_add(sales_channel_id=other.pk, location_id=cities[location]["id"])

    query = _query("sales_channel_id", "indexed", [cities["channel"].pk, other.pk])
    response = api.get(f"/admin/stock-locations?{query}&order=name")

    assert names(response) == ["Berlin", "Paris"]
    assert response.json()["count"] == 2


def test_list_by_a_channel_without_locations_is_empty(api, cities):
    response = api.get("/admin/stock-locations", {"sales_channel_id": SalesChannelFactory().pk})
    assert names(response) == []
    assert response.json()["count"] == 0


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("color=red", "property color should not exist"),
        ("limit=-1", "limit must be a non-negative integer"),
        (
            "order=color",
            "order must name one of created_at, id, name, updated_at, optionally with '-'",
        ),
    ],
)
def test_list_with_invalid_query_is_400(api, query, message):
    response = api.get(f"/admin/stock-locations?{query}")

    assert response.status_code == 400
    assert response.json() == {"type": "invalid_data", "message": message}


# Delete -----------------------------------------------------------------------------------


def test_delete_location_removes_it_with_its_levels_links_and_address(api, default_channel):
    location = create(api, name="Gone", address=ADDRESS)
    level = LevelFactory(location=StockLocation.objects.get(pk=location["id"]))
    kept = LevelFactory(inventory_item=level.inventory_item)
    sales_channel_location_add(sales_channel_id=default_channel.pk, location_id=location["id"])

    response = api.delete(f"/admin/stock-locations/{location['id']}")

    assert response.status_code == 200
    assert response.json() == {"id": location["id"], "object": "stock_location", "deleted": True}
    assert not StockLocation.objects.filter(pk=location["id"]).exists()
    assert list(InventoryLevel.objects.all()) == [kept]
    assert not SalesChannelLocation.objects.exists()
    assert not StockLocationAddress.objects.exists()
    assert api.get(f"/admin/stock-locations/{location['id']}").status_code == 404


def test_delete_unknown_location_is_404(api):
    response = api.delete("/admin/stock-locations/sloc_nope")

    assert response.status_code == 404
    assert response.json() == {
        "type": "not_found",
        "message": "StockLocation with id sloc_nope was not found",
    }


def test_delete_location_with_reservations_is_409_and_deletes_nothing(
    api, default_channel, consistent
):
    # given
    location = StockLocationFactory()
    level = LevelFactory(location=location, stocked_quantity=10)
    reservation = ReservationFactory(level=level, quantity=5)
    sales_channel_location_add(sales_channel_id=default_channel.pk, location_id=location.pk)

    # when
    response = api.delete(f"/admin/stock-locations/{location.pk}")

    # then
    assert response.status_code == 409
    assert response.json() == {
        "type": "conflict",
        "code": "invalid_state_error",
        "message": f"Stock location {location.pk} has reservations; "
        "release them before deleting it",
    }
    assert StockLocation.objects.filter(pk=location.pk).exists()
    assert InventoryLevel.objects.get(pk=level.pk).reserved_quantity == 5
    assert ReservationItem.objects.filter(pk=reservation.pk).exists()
    assert SalesChannelLocation.objects.filter(location=location).exists()
    consistent()


def test_delete_location_once_its_reservations_are_released(api, consistent):
    level = LevelFactory(stocked_quantity=10)
    reservation = ReservationFactory(level=level, quantity=5)
    assert api.delete(f"/admin/reservations/{reservation.pk}").status_code == 200

    response = api.delete(f"/admin/stock-locations/{level.location_id}")

    assert response.status_code == 200
    assert not InventoryLevel.objects.exists()
    consistent()


def test_a_locations_channels_come_oldest_first_on_every_page(api):
    # given a location in three channels, made in another order than their creation times
    # say (so the order of the rows on disk is not the answer)
    location, channels = StockLocationFactory(), SalesChannelFactory.create_batch(3)
    now = timezone.now()
    for age, channel in enumerate(channels):
        type(channel).objects.filter(pk=channel.pk).update(created_at=now - timedelta(hours=age))
        sales_channel_location_add(sales_channel_id=channel.pk, location_id=location.pk)

    # when the list and the location itself are read with their channels
    listed = api.get(f"/admin/stock-locations?id={location.pk}&expand=sales_channels").json()
    alone = api.get(f"/admin/stock-locations/{location.pk}?expand=sales_channels").json()

    # then oldest first, on both (rendered by PostgreSQL and by Python alike)
    oldest_first = [channel.pk for channel in reversed(channels)]
    assert [c["id"] for c in listed["stock_locations"][0]["sales_channels"]] == oldest_first
    assert [c["id"] for c in alone["stock_location"]["sales_channels"]] == oldest_first
