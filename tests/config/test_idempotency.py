"""`Idempotency-Key` on every POST and DELETE under /admin: the first request runs, a repeat
gets its answer again and changes nothing."""

import json
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator
from rest_framework.test import APIClient

from config.api.errors import CONFLICT_MESSAGE
from config.errors import Conflict, NotAllowed
from config.models import IdempotencyKey
from orders import allocation
from reservations.models import ReservationItem
from tests.config.test_bad_input import assert_error, snapshot
from tests.config.test_write_transaction import REQUESTS, request
from tests.factories.inventory import LevelFactory, UserFactory

pytestmark = pytest.mark.django_db

# Signing in and out hold no effect worth replaying, and a sign-in's answer is a credential
# that is not kept: the header is ignored there (the client sends one on its login too).
UNKEYED = {("POST", "/admin/auth"), ("DELETE", "/admin/auth"), ("POST", "/admin/auth/token")}


def keyed(client, method: str, path: str, body=None, key="key-1"):
    raw = "" if body is None else json.dumps(body)
    return client.generic(
        method, path, raw, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def assert_replayed(first, repeat) -> None:
    assert first.get("Idempotent-Replayed") is None
    assert repeat["Idempotent-Replayed"] == "true"
    assert (repeat.status_code, repeat.content) == (first.status_code, first.content)
    assert repeat["Content-Type"] == first["Content-Type"]


@pytest.fixture
def level(default_channel):
    return LevelFactory(stocked_quantity=10)


def reserve_body(level, quantity=1) -> dict:
    return {
        "inventory_item_id": level.inventory_item_id,
        "location_id": level.location_id,
        "quantity": quantity,
    }


def client_of(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_MEDUSA_ACCESS_TOKEN=user.api_token)
    return client


def test_a_repeat_answers_the_first_answer_and_reserves_nothing_more(api, level, consistent):
    # given a reservation made with a key
    first = keyed(api, "POST", "/admin/reservations", reserve_body(level))
    assert first.status_code == 200
    after_first = snapshot()
    # when the same request comes again with that key
    repeat = keyed(api, "POST", "/admin/reservations", reserve_body(level))
    # then it answers the same, says so, and nothing changed
    assert_replayed(first, repeat)
    assert snapshot() == after_first
    assert ReservationItem.objects.count() == 1
    consistent()


def test_a_repeat_of_a_success_that_would_now_be_refused_still_replays_it(api, level, consistent):
    # given a key that reserved every unit of the level (a run now would be short)
    first = keyed(api, "POST", "/admin/reservations", reserve_body(level, quantity=10))
    assert first.status_code == 200
    after_first = snapshot()
    # when it comes again
    repeat = keyed(api, "POST", "/admin/reservations", reserve_body(level, quantity=10))
    # then it gets the success it had, not the refusal its own run met
    assert_replayed(first, repeat)
    assert snapshot() == after_first
    consistent()


def test_without_a_key_every_request_runs(api, level, consistent):
    for _ in range(2):
        assert (
            api.post("/admin/reservations", reserve_body(level), format="json").status_code == 200
        )
    assert ReservationItem.objects.count() == 2
    assert not IdempotencyKey.objects.exists()
    consistent()


def test_the_answer_is_stored_with_the_key(api, staff, level):
    # when
    response = keyed(api, "POST", "/admin/reservations", reserve_body(level), key="abc")
    # then
    stored = IdempotencyKey.objects.get()
    assert (stored.user_id, stored.key, stored.status) == (staff.pk, "abc", 200)
    assert stored.body == response.content.decode()
    assert timezone.now() - stored.created_at < timedelta(minutes=1)


@pytest.mark.parametrize(("method", "name"), REQUESTS)
def test_a_repeated_write_is_replayed_without_a_second_effect(api, world, method, name):
    # given a write that succeeded with a key
    method, path, body = request(method, name, world)
    first = keyed(api, method, path, body)
    assert first.status_code == 200, first.content
    after_first = snapshot()
    # when it comes again
    repeat = keyed(api, method, path, body)
    # then
    assert_replayed(first, repeat)
    assert snapshot() == after_first


def write_routes() -> list[tuple[str, str]]:
    """Every POST and DELETE route under /admin in the URL conf, ids as `{name}`."""
    return sorted(
        {
            (method, path)
            for path, _, method, _ in EndpointEnumerator().get_api_endpoints()
            if method in ("POST", "DELETE") and path.startswith("/admin/")
        }
    )


def test_the_routes_that_ignore_keys_exist():
    # (so the list cannot go stale; every other write route is proven below)
    assert set(write_routes()) >= UNKEYED


@pytest.mark.parametrize(("method", "path"), [r for r in write_routes() if r not in UNKEYED])
def test_every_write_route_replays_a_repeat(api, default_channel, method, path):
    # given a request to the route (unknown ids, an empty body: refused, and kept so)
    path = re.sub(r"\{(\w+)\}", r"nope_\1", path)
    first = keyed(api, method, path, {})
    assert first.status_code < 500, first.content
    assert first.status_code != 409, first.content
    before = snapshot()
    # when it comes again with its key
    repeat = keyed(api, method, path, {})
    # then the route answers it from the key
    assert_replayed(first, repeat)
    assert snapshot() == before


@pytest.mark.parametrize(("method", "path"), sorted(UNKEYED))
def test_signing_in_and_out_ignore_the_key(staff, method, path):
    # given a signed-in client (session and token) sending a key, twice
    client = APIClient()
    body = {"email": staff.email, "password": "secret"}
    client.post("/admin/auth", body, format="json")
    client.credentials(HTTP_X_MEDUSA_ACCESS_TOKEN=staff.api_token)
    # when
    answers = [keyed(client, method, path, body, key="login") for _ in range(2)]
    # then both ran
    assert [a.status_code for a in answers] == [200, 200]
    assert not any(a.has_header("Idempotent-Replayed") for a in answers)
    assert not IdempotencyKey.objects.exists()


REUSES = {
    "another-body": lambda level, made: ("POST", "/admin/reservations", reserve_body(level, 2)),
    "another-query": lambda level, made: (
        "POST",
        "/admin/reservations?expand=line_item",
        reserve_body(level),
    ),
    "another-path": lambda level, made: ("POST", "/admin/stock-locations", {"name": "W"}),
    "another-method": lambda level, made: ("DELETE", f"/admin/reservations/{made}", None),
}


@pytest.mark.parametrize("reuse", list(REUSES))
def test_a_key_reused_for_another_request_is_refused(api, level, reuse, consistent):
    # given a key used for one reservation
    first = keyed(api, "POST", "/admin/reservations", reserve_body(level))
    assert first.status_code == 200
    before = snapshot()
    # when it comes with another request
    response = keyed(api, *REUSES[reuse](level, first.json()["reservation"]["id"]))
    # then
    assert response.status_code == 422
    assert response.json() == {
        "type": "duplicate_error",
        "code": "idempotency_key_reused",
        "message": "This Idempotency-Key was already used for another request (method, path "
        "or body): send a new key",
    }
    assert snapshot() == before
    consistent()


def test_keys_are_per_user(api, level, consistent):
    # given another user who happens to pick the same key
    other = client_of(UserFactory())
    mine = keyed(api, "POST", "/admin/reservations", reserve_body(level), key="shared")
    # when
    theirs = keyed(other, "POST", "/admin/reservations", reserve_body(level), key="shared")
    # then each request ran and got its own answer
    assert (mine.status_code, theirs.status_code) == (200, 200)
    assert not theirs.has_header("Idempotent-Replayed")
    assert mine.json()["reservation"]["id"] != theirs.json()["reservation"]["id"]
    assert ReservationItem.objects.count() == 2
    assert IdempotencyKey.objects.count() == 2
    consistent()


def test_a_refusal_is_replayed_even_once_the_request_would_succeed(api, level, consistent):
    # given a reservation refused for want of stock
    body = reserve_body(level, quantity=11)
    first = keyed(api, "POST", "/admin/reservations", body)
    assert first.json()["code"] == "insufficient_inventory"
    # when stock arrives and the request is repeated with its key
    api.post(
        f"/admin/inventory-items/{level.inventory_item_id}/location-levels/{level.location_id}",
        {"stocked_quantity": 20},
        format="json",
    )
    repeat = keyed(api, "POST", "/admin/reservations", body)
    # then the key's answer stands: a new attempt needs a new key
    assert_replayed(first, repeat)
    assert not ReservationItem.objects.exists()
    assert keyed(api, "POST", "/admin/reservations", body, key="key-2").status_code == 200
    consistent()


def test_a_refusal_after_a_write_keeps_its_answer_and_no_effect(
    api, level, monkeypatch, consistent
):
    # given a service that reserves, then refuses
    real = allocation.reservation_create

    def reserves_then_refuses(**kwargs):
        real(**kwargs)
        raise NotAllowed("changed my mind")

    monkeypatch.setattr(allocation, "reservation_create", reserves_then_refuses)
    # when a keyed request meets it, and comes again once the service would succeed
    first = keyed(api, "POST", "/admin/reservations", reserve_body(level))
    monkeypatch.setattr(allocation, "reservation_create", real)
    repeat = keyed(api, "POST", "/admin/reservations", reserve_body(level))
    # then the refusal is the key's answer, and its reservation was rolled back
    assert_error(first, 400, "not_allowed", "changed my mind")
    assert_replayed(first, repeat)
    assert IdempotencyKey.objects.get().status == 400
    assert not ReservationItem.objects.exists()
    consistent()


@pytest.mark.parametrize(
    ("failure", "status"),
    [
        (Conflict(CONFLICT_MESSAGE), 409),  # a lock timeout or deadlock
        (RuntimeError("a bug"), 500),
    ],
)
def test_a_409_or_500_is_not_kept_so_a_retry_runs(
    api, level, monkeypatch, failure, status, consistent
):
    # given a first attempt that fails
    real = allocation.reservation_create
    calls = []

    def fails_once(**kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            raise failure
        return real(**kwargs)

    monkeypatch.setattr(allocation, "reservation_create", fails_once)
    first = keyed(api, "POST", "/admin/reservations", reserve_body(level))
    assert first.status_code == status
    assert not IdempotencyKey.objects.exists()
    # when the client retries with the key
    retry = keyed(api, "POST", "/admin/reservations", reserve_body(level))
    # then the retry ran, and is kept
    assert retry.status_code == 200
    assert not retry.has_header("Idempotent-Replayed")
    assert ReservationItem.objects.count() == 1
    assert_replayed(retry, keyed(api, "POST", "/admin/reservations", reserve_body(level)))
    consistent()


def test_a_key_older_than_24_hours_runs_again(api, level, consistent):
    # given a key whose answer is a day old
    keyed(api, "POST", "/admin/reservations", reserve_body(level))
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))
    # when it comes again
    again = keyed(api, "POST", "/admin/reservations", reserve_body(level))
    # then it runs, and the key holds the new answer for another day
    assert again.status_code == 200
    assert not again.has_header("Idempotent-Replayed")
    assert ReservationItem.objects.count() == 2
    stored = IdempotencyKey.objects.get()
    assert stored.body == again.content.decode()
    assert timezone.now() - stored.created_at < timedelta(minutes=1)
    consistent()


def test_a_key_younger_than_24_hours_still_replays(api, level):
    first = keyed(api, "POST", "/admin/reservations", reserve_body(level))
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=23, minutes=59))
    assert_replayed(first, keyed(api, "POST", "/admin/reservations", reserve_body(level)))


def test_purge_deletes_only_keys_older_than_24_hours(api, level, capsys):
    # given 3 old keys and 1 fresh one
    for n in range(4):
        keyed(api, "POST", "/admin/reservations", reserve_body(level), key=f"k{n}")
    old = timezone.now() - timedelta(hours=25)
    IdempotencyKey.objects.exclude(key="k3").update(created_at=old)
    # when
    call_command("purge_idempotency_keys", "--batch-size", "2")
    # then
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["k3"]
    assert capsys.readouterr().out == "Purged 3 expired idempotency keys in 2 batches.\n"


@pytest.mark.parametrize(
    "key",
    ["", " ", "a b", "k\t", "x" * 256, "caf\u00e9", "\x7f"],
    ids=["empty", "space", "inner-space", "tab", "256-chars", "non-ascii", "del"],
)
def test_a_malformed_key_is_invalid_data(api, level, key):
    before = snapshot()
    response = keyed(api, "POST", "/admin/reservations", reserve_body(level), key=key)
    assert_error(
        response,
        400,
        "invalid_data",
        "Idempotency-Key must be 1 to 255 visible ASCII characters",
    )
    assert snapshot() == before


def test_a_key_of_255_visible_characters_is_taken(api, level):
    key = "".join(chr(c) for c in range(0x21, 0x7F)) * 3  # every visible character
    response = keyed(api, "POST", "/admin/reservations", reserve_body(level), key=key[:255])
    assert response.status_code == 200
    assert IdempotencyKey.objects.get().key == key[:255]


def test_an_anonymous_request_with_a_key_is_401_and_keeps_nothing(anon, level):
    response = keyed(anon, "POST", "/admin/reservations", reserve_body(level))
    assert response.status_code == 401
    assert not IdempotencyKey.objects.exists()


def test_a_keyed_write_costs_one_statement_more_its_last(api, level):
    # given
    path, table = "/admin/reservations", connection.ops.quote_name("config_idempotencykey")
    with CaptureQueriesContext(connection) as plain:
        api.post(path, reserve_body(level), format="json")
    # when
    with CaptureQueriesContext(connection) as with_key:
        keyed(api, "POST", path, reserve_body(level))
    # then: the key and its answer in one insert, after the effect
    assert len(with_key) == len(plain) + 1
    sqls = [q["sql"] for q in with_key if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert [sql for sql in sqls if table in sql] == [sqls[-1]]
    assert sqls[-1].startswith(f"INSERT INTO {table}")


def test_a_retry_of_a_kept_compare_and_set_replays_instead_of_a_stale_409(api, level):
    # given a compare-and-set that was kept (its answer lost on the way)
    path = f"/admin/inventory-items/{level.inventory_item_id}/location-levels/{level.location_id}"
    body = {"stocked_quantity": 12, "expected_stocked_quantity": 10}
    first = keyed(api, "POST", path, body)
    assert first.status_code == 200
    # when the client retries it: run again, it would find the stock changed (by itself)
    repeat = keyed(api, "POST", path, body)
    # then
    assert_replayed(first, repeat)
    level.refresh_from_db()
    assert level.stocked_quantity == 12
    stale = keyed(api, "POST", path, body, key="key-2")
    assert (stale.status_code, stale.json()["code"]) == (409, "stale_quantity")


def test_the_schema_documents_the_header_on_every_keyed_write():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    documented = {
        (method.upper(), re.sub(r"\{\w+\}", "{}", path))
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        for parameter in operation.get("parameters", [])
        if (parameter["name"], parameter["in"]) == ("Idempotency-Key", "header")
    }
    keyed_routes = {(m, re.sub(r"\{\w+\}", "{}", p)) for m, p in write_routes()}
    assert documented == keyed_routes - UNKEYED
