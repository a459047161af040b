"""A write and the rendering of its answer are one transaction: nothing fails after the commit."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from config.api.renderers import JSONRenderer
from config.api.viewsets import ResourceViewSet
from config.errors import NotFound
from tests.config.test_bad_input import WRITES, assert_error, route, send, snapshot
from tests.conftest import postgres_only
from tests.factories.inventory import LevelFactory

DELETES = [
    "/admin/reservations/{reservation}",
    "/admin/stock-locations/{spare_location}",
    "/admin/draft-orders/{draft}",
    "/admin/products/{product}",
]
REQUESTS = [("POST", name) for name in WRITES] + [("DELETE", path) for path in DELETES]


@pytest.fixture
def client(staff):
    """A staff client that gets the 500 answer instead of the exception."""
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_X_MEDUSA_ACCESS_TOKEN=staff.api_token)
    return client


@pytest.fixture
def unrenderable(monkeypatch):
    def fail(self, data, accepted_media_type=None, renderer_context=None):
        raise TypeError("Integer exceeds 64-bit range")

    monkeypatch.setattr(JSONRenderer, "render", fail)


def request(method: str, name: str, world) -> tuple[str, str, dict | None]:
    if method == "DELETE":
        return method, name.format_map(world), None
    return method, *route(name, world)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name"), REQUESTS)
def test_an_answer_that_cannot_be_rendered_leaves_no_write_behind(
    client, world, unrenderable, method, name
):
    # given
    method, path, body = request(method, name, world)
    before = snapshot()
    # when
    response = send(client, method, path, body)
    # then
    assert response.status_code == 500
    assert response.json() == {
        "type": "unknown_error",
        "message": "An unknown error occurred.",
        "code": "unknown_error",
    }
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name"), REQUESTS)
def test_an_error_after_the_service_ran_leaves_no_write_behind(
    client, world, monkeypatch, method, name
):
    # given
    def lost(self, *args, **kwargs):
        raise NotFound("gone")

    monkeypatch.setattr(ResourceViewSet, "one", lost)
    monkeypatch.setattr(ResourceViewSet, "deleted", lost)
    method, path, body = request(method, name, world)
    before = snapshot()
    # when
    response = send(client, method, path, body)
    # then
    assert_error(response, 404, "not_found", "gone")
    assert snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "name"), REQUESTS)
def test_a_rendered_write_is_kept(api, world, method, name):
    method, path, body = request(method, name, world)
    before = snapshot()
    response = send(api, method, path, body)
    assert response.status_code == 200, response.content
    assert snapshot() != before


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_write_costs_no_savepoint(api, default_channel):
    # given
    level = LevelFactory(stocked_quantity=10)
    body = {"inventory_item_id": level.inventory_item_id, "location_id": level.location_id}
    # when
    with CaptureQueriesContext(connection) as captured:
        response = send(api, "POST", "/admin/reservations", {**body, "quantity": 1})
    # then
    assert response.status_code == 200
    assert not [q["sql"] for q in captured if "SAVEPOINT" in q["sql"].upper()]
