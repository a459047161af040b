"""Real threads against PostgreSQL: duplicates of a keyed write wait for the first, undo their
own work and replay its answer."""

import json
import threading
import time

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from config.api.errors import CONFLICT_MESSAGE
from config.errors import Conflict
from config.models import IdempotencyKey
from orders import allocation
from reservations.models import ReservationItem
from tests.concurrency.test_reservations import run_together
from tests.conftest import postgres_only
from tests.factories.inventory import LevelFactory, UserFactory

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def level():
    return LevelFactory(stocked_quantity=100)


@pytest.fixture
def post(level):
    """`post()`: one keyed reservation request from a fresh client of one user."""
    staff = UserFactory()
    body = json.dumps(
        {
            "inventory_item_id": level.inventory_item_id,
            "location_id": level.location_id,
            "quantity": 1,
        }
    )

    def send(key="same"):
        client = APIClient()
        client.credentials(HTTP_X_MEDUSA_ACCESS_TOKEN=staff.api_token)
        response = client.generic(
            "POST",
            "/admin/reservations",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=key,
        )
        return response.status_code, response.content, response.has_header("Idempotent-Replayed")

    return send


@pytest.fixture
def slow_service(monkeypatch):
    """The reservation service takes 0.3 s (and fails first, when told to), so duplicates
    arrive while the first still runs."""
    real = allocation.reservation_create
    failures = []

    def slow(**kwargs):
        time.sleep(0.3)
        if failures:
            raise failures.pop()
        return real(**kwargs)

    monkeypatch.setattr(allocation, "reservation_create", slow)
    return failures


def test_eight_concurrent_duplicates_make_one_reservation_and_eight_identical_answers(
    level, post, slow_service, consistent
):
    # when 8 clients send one keyed request at once
    results = run_together(8, lambda i: post())
    # then one ran, the others waited for it and replayed its answer
    assert not [r for r in results if isinstance(r, Exception)], results
    assert {(status, content) for status, content, _ in results} == {results[0][:2]}
    assert results[0][0] == 200
    assert [replayed for _, _, replayed in results].count(False) == 1
    assert ReservationItem.objects.count() == 1
    level.refresh_from_db()
    assert level.reserved_quantity == 1
    assert IdempotencyKey.objects.count() == 1
    consistent()


def test_duplicates_of_a_first_that_fails_with_409_run_once_themselves(
    level, post, slow_service, consistent
):
    # given a first attempt that will fail with a retryable conflict
    slow_service.append(Conflict(CONFLICT_MESSAGE))
    # when 4 duplicates come at once
    results = run_together(4, lambda i: post())
    # then the failure was not kept: the next in line ran, the other two replayed it
    statuses = sorted((status, replayed) for status, _, replayed in results)
    assert statuses == [(200, False), (200, True), (200, True), (409, False)]
    assert len({content for status, content, _ in results if status == 200}) == 1
    assert ReservationItem.objects.count() == 1
    consistent()


def test_a_duplicate_waiting_past_the_lock_timeout_gets_a_409_and_may_retry(
    level, post, monkeypatch, consistent
):
    # given a first request that has reserved, and holds the level, not yet committed
    real, inside, release = allocation.reservation_create, threading.Event(), threading.Event()

    def reserves_then_waits(**kwargs):
        reservation = real(**kwargs)
        inside.set()
        release.wait(timeout=30)
        return reservation

    monkeypatch.setattr(allocation, "reservation_create", reserves_then_waits)
    results = []

    def first():
        try:
            results.append(post())
        finally:
            connection.close()

    holder = threading.Thread(target=first)
    holder.start()
    assert inside.wait(timeout=30)
    try:
        # when a duplicate waits for it longer than its lock timeout (200 ms)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
            status, content, _ = post()
    finally:
        release.set()
        holder.join(timeout=30)
    # then it is told to retry, and its retry replays the first's answer
    assert status == 409
    assert json.loads(content)["message"] == CONFLICT_MESSAGE
    assert results[0][0] == 200
    assert post() == (200, results[0][1], True)
    assert ReservationItem.objects.count() == 1
    consistent()
