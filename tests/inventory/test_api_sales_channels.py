"""`/admin/sales-channels` and their ordered stock-location links."""

import pytest

from inventory.models import SalesChannel, SalesChannelLocation, StockLocation
from tests.factories.inventory import SalesChannelFactory, StockLocationFactory

pytestmark = pytest.mark.django_db

CHANNEL_FIELDS = {
    "id",
    "name",
    "description",
    "is_disabled",
    "is_default",
    "metadata",
    "created_at",
    "updated_at",
    "deleted_at",
}
LINK_FIELDS = {"id", "sales_channel_id", "location_id", "rank", "created_at"}


def link(api, channel_id: str, location_id: str):
    return api.post(
        f"/admin/sales-channels/{channel_id}/stock-locations",
        {"location_id": location_id},
        format="json",
    )


def linked_location_ids(api, channel_id: str) -> list[str]:
    response = api.get(f"/admin/sales-channels/{channel_id}", {"expand": "locations"})
    assert response.status_code == 200
    return [row["location_id"] for row in response.json()["sales_channel"]["locations"]]


def test_default_channel_exists_and_is_listed(api, default_channel):
    response = api.get("/admin/sales-channels")

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["offset"], body["limit"]) == (1, 0, 20)
    [channel] = body["sales_channels"]
    assert set(channel) == CHANNEL_FIELDS
    assert (channel["id"], channel["is_default"]) == (default_channel.pk, True)


def test_create_channel(api):
    response = api.post(
        "/admin/sales-channels",
        {"name": "Web", "description": "Online store", "is_disabled": True, "metadata": {"a": 1}},
        format="json",
    )

    assert response.status_code == 200
    channel = response.json()["sales_channel"]
    assert set(channel) == CHANNEL_FIELDS
    assert channel["id"].startswith("sc_")
    assert {k: channel[k] for k in ("name", "description", "is_disabled", "is_default")} == {
        "name": "Web",
        "description": "Online store",
        "is_disabled": True,
        "is_default": False,
    }
    assert (channel["metadata"], channel["deleted_at"]) == ({"a": 1}, None)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "name is required"),
        ({"name": "X", "is_disabled": "yes"}, "is_disabled must be a boolean"),
        ({"name": "X", "is_default": True}, "property is_default should not exist"),
    ],
)
def test_create_channel_with_invalid_body_is_400(api, body, message):
    response = api.post("/admin/sales-channels", body, format="json")

    assert response.status_code == 400
    assert response.json() == {"type": "invalid_data", "message": message}


def test_get_update_and_filter_channels(api):
    channel = SalesChannelFactory(name="Web")
    SalesChannelFactory(name="Shop")

    updated = api.post(
        f"/admin/sales-channels/{channel.pk}",
        {"name": "Webshop", "is_disabled": True},
        format="json",
    )
    got = api.get(f"/admin/sales-channels/{channel.pk}")
    found = api.get("/admin/sales-channels", {"q": "websh"})

    assert updated.status_code == 200
    assert (
        updated.json()["sales_channel"]["name"],
        updated.json()["sales_channel"]["is_disabled"],
    ) == (
        "Webshop",
        True,
    )
    assert got.json()["sales_channel"]["name"] == "Webshop"
    assert [c["id"] for c in found.json()["sales_channels"]] == [channel.pk]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/sales-channels/sc_nope"),
        ("post", "/admin/sales-channels/sc_nope"),
        ("delete", "/admin/sales-channels/sc_nope"),
    ],
)
def test_unknown_channel_is_404(api, method, path):
    response = getattr(api, method)(path, {}, format="json")

    assert response.status_code == 404
    assert response.json() == {
        "type": "not_found",
        "message": "Sales channel with id: sc_nope was not found",
    }


def test_delete_channel_removes_it_and_its_links_but_not_the_locations(api):
    channel = SalesChannelFactory()
    location = StockLocationFactory()
    link(api, channel.pk, location.pk)

    response = api.delete(f"/admin/sales-channels/{channel.pk}")

    assert response.status_code == 200
    assert response.json() == {"id": channel.pk, "object": "sales-channel", "deleted": True}
    assert not SalesChannel.objects.filter(pk=channel.pk).exists()
    assert not SalesChannelLocation.objects.exists()
    assert StockLocation.objects.filter(pk=location.pk).exists()


def test_default_channel_cannot_be_deleted(api, default_channel):
    response = api.delete(f"/admin/sales-channels/{default_channel.pk}")

    assert response.status_code == 400
    assert response.json() == {
        "type": "not_allowed",
        "message": "You cannot delete the default sales channel",
    }
    assert SalesChannel.objects.filter(pk=default_channel.pk).exists()


# Stock-location links ---------------------------------------------------------------------


def test_link_location_answers_the_channel(api):
    channel = SalesChannelFactory()
    location = StockLocationFactory()

    response = link(api, channel.pk, location.pk)

    assert response.status_code == 200
    body = response.json()["sales_channel"]
    assert set(body) == CHANNEL_FIELDS
    assert body["id"] == channel.pk
    assert linked_location_ids(api, channel.pk) == [location.pk]


def test_linking_a_location_twice_is_harmless(api):
    channel = SalesChannelFactory()
    location = StockLocationFactory()

    first = link(api, channel.pk, location.pk)
    second = link(api, channel.pk, location.pk)

    assert (first.status_code, second.status_code) == (200, 200)
    assert SalesChannelLocation.objects.count() == 1
    assert linked_location_ids(api, channel.pk) == [location.pk]


def test_links_keep_the_order_they_were_made_in(api):
    channel = SalesChannelFactory()
    # Names sort differently from link order, ids from creation order.
    second, first, third = StockLocationFactory(), StockLocationFactory(), StockLocationFactory()
    for location in (first, second, third, first):
        assert link(api, channel.pk, location.pk).status_code == 200

    response = api.get(f"/admin/sales-channels/{channel.pk}", {"expand": "locations"})

    locations = response.json()["sales_channel"]["locations"]
    assert all(set(row) == LINK_FIELDS for row in locations)
    assert [(row["location_id"], row["rank"]) for row in locations] == [
        (first.pk, 0),
        (second.pk, 1),
        (third.pk, 2),
    ]
    assert {row["sales_channel_id"] for row in locations} == {channel.pk}


def test_relinking_after_unlinking_goes_last(api):
    channel = SalesChannelFactory()
    a, b = StockLocationFactory(), StockLocationFactory()
    link(api, channel.pk, a.pk)
    link(api, channel.pk, b.pk)
    api.delete(
        f"/admin/sales-channels/{channel.pk}/stock-locations", {"location_id": a.pk}, format="json"
    )

    link(api, channel.pk, a.pk)

    assert linked_location_ids(api, channel.pk) == [b.pk, a.pk]


def test_locations_are_expandable_in_the_list(api, default_channel):
    location = StockLocationFactory()
    link(api, default_channel.pk, location.pk)

    response = api.get("/admin/sales-channels", {"expand": "locations"})

    [channel] = response.json()["sales_channels"]
    assert [row["location_id"] for row in channel["locations"]] == [location.pk]
    assert "locations" not in api.get("/admin/sales-channels").json()["sales_channels"][0]


def test_unlink_location_answers_the_channel_id_as_stock_location_deleted(api):
    channel = SalesChannelFactory()
    kept, removed = StockLocationFactory(), StockLocationFactory()
    link(api, channel.pk, kept.pk)
    link(api, channel.pk, removed.pk)

    response = api.delete(
        f"/admin/sales-channels/{channel.pk}/stock-locations",
        {"location_id": removed.pk},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {"id": channel.pk, "object": "stock-location", "deleted": True}
    assert linked_location_ids(api, channel.pk) == [kept.pk]
    assert StockLocation.objects.filter(pk=removed.pk).exists()


def test_unlink_a_location_that_is_not_linked_succeeds(api):
    channel = SalesChannelFactory()
    location = StockLocationFactory()

    response = api.delete(
        f"/admin/sales-channels/{channel.pk}/stock-locations",
        {"location_id": location.pk},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {"id": channel.pk, "object": "stock-location", "deleted": True}


@pytest.mark.parametrize("method", ["post", "delete"])
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "location_id is required"),
        ({"location_id": 5}, "location_id must be a string"),
        ({"location_id": "sloc_x", "rank": 1}, "property rank should not exist"),
    ],
)
def test_link_or_unlink_with_invalid_body_is_400(api, method, body, message):
    channel = SalesChannelFactory()

    response = getattr(api, method)(
        f"/admin/sales-channels/{channel.pk}/stock-locations", body, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"type": "invalid_data", "message": message}


def test_link_to_unknown_channel_or_location_is_404(api):
    channel = SalesChannelFactory()
    location = StockLocationFactory()

    no_channel = link(api, "sc_nope", location.pk)
    no_location = link(api, channel.pk, "sloc_nope")

    assert no_channel.status_code == 404
    assert no_channel.json() == {
        "type": "not_found",
        "message": "Sales channel with id: sc_nope was not found",
    }
    assert no_location.status_code == 404
    assert no_location.json() == {
        "type": "not_found",
        "message": "StockLocation with id sloc_nope was not found",
    }
    assert not SalesChannelLocation.objects.exists()
