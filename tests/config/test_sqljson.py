"""List pages rendered by PostgreSQL say exactly what the Python rendering says."""

import datetime as dt

import pytest
from django.db import connection

from config.api import viewsets
from reservations.models import ReservationItem
from tests.factories.inventory import LevelFactory
from tests.test_query_counts import SCENES, Scene, with_limit

PAGED = [name for name in SCENES if name != "location-levels"]  # that one has no pages
# Totals computed in Python; users: the api_token shown depends on who asks.
PYTHON_RENDERED = {"orders", "orders-expanded", "draft-orders", "users"}

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL renders pages"),
    pytest.mark.django_db,
]


def rows_of(body: dict) -> list:
    return next(value for value in body.values() if isinstance(value, list))


def both_ways(api, monkeypatch, url: str):
    """(the body as the database renders it, as Python renders it, the rows SQL gave)."""
    real, given = viewsets.page_json, []

    def spy(*args):
        given.append(real(*args))
        return given[-1]

    monkeypatch.setattr(viewsets, "page_json", spy)
    by_database = api.get(url)
    monkeypatch.setattr(viewsets, "page_json", lambda *args: None)
    by_python = api.get(url)
    assert by_database.status_code == by_python.status_code == 200, by_database.content
    return by_database.json(), by_python.json(), given[0] and given[0][0]


@pytest.mark.parametrize("name", PAGED)
def test_every_list_renders_the_same_in_sql(api, monkeypatch, name):
    scene = Scene(name)
    scene.add(3)
    by_database, by_python, sql_rows = both_ways(api, monkeypatch, with_limit(scene.url))
    assert len(rows_of(by_python)) >= 3
    assert by_database == by_python
    assert (sql_rows is None) == (name in PYTHON_RENDERED)


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("reservations", "fields=quantity,location_id&order=quantity&offset=1&limit=2"),
        ("reservations-expanded", "order=-quantity&limit=2"),
        ("inventory-items", "fields=sku,location_levels&order=sku"),
        ("inventory-items-at-location", "order=-created_at&offset=1"),
        ("stock-locations-expanded", "fields=name"),
        ("sales-channels-expanded", "offset=2&limit=1"),
        ("stock-movements-expanded", "order=created_at&offset=1&limit=3"),
        ("stock-movements", "fields=reason,stocked_after&order=-reason"),
        ("stock-transfers", "fields=status,items&order=status&offset=1&limit=2"),
    ],
)
def test_fields_order_and_pages_render_the_same(api, monkeypatch, name, query):
    scene = Scene(name)
    scene.add(4)
    url = f"{scene.url}{'&' if '?' in scene.url else '?'}{query}"
    by_database, by_python, sql_rows = both_ways(api, monkeypatch, url)
    assert by_database == by_python
    assert sql_rows is not None
    assert len(sql_rows) == len(rows_of(by_python)) > 0


def test_reservations_with_line_items_and_orders_render_the_same(api, monkeypatch):
    Scene("orders").add(2)
    url = "/admin/reservations?expand=inventory_item,line_item"
    by_database, by_python, _ = both_ways(api, monkeypatch, url)
    assert by_database == by_python
    assert all(row["line_item"]["order"]["id"] for row in by_database["reservations"])


def test_timestamps_are_truncated_to_milliseconds_as_python_does(api, monkeypatch):
    Scene("reservations").add(1)
    moment = dt.datetime(2026, 1, 1, 23, 59, 59, 999_999, tzinfo=dt.UTC)
    ReservationItem.objects.update(created_at=moment)
    by_database, by_python, _ = both_ways(api, monkeypatch, "/admin/reservations")
    assert by_database == by_python
    assert by_database["reservations"][0]["created_at"] == "2026-01-01T23:59:59.999Z"


def test_a_page_past_the_end_still_counts_the_rows(api, monkeypatch):
    Scene("reservations").add(3)
    by_database, by_python, sql_rows = both_ways(api, monkeypatch, "/admin/reservations?offset=10")
    assert by_database == by_python
    assert sql_rows == []
    assert by_database["count"] == 3


def test_a_cached_page_shape_takes_each_requests_own_filter_values(api):
    """The SQL is compiled once per shape; the location filter of the levels is a value."""
    first, second = LevelFactory(stocked_quantity=3), LevelFactory(stocked_quantity=8)
    for level in (first, second, first):
        body = api.get(f"/admin/inventory-items?location_id={level.location_id}").json()
        (row,) = body["inventory_items"]
        assert [lv["location_id"] for lv in row["location_levels"]] == [level.location_id]
        assert row["stocked_quantity"] == level.stocked_quantity
