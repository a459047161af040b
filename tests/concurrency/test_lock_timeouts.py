"""A writer that waits too long for a level lock gets a 409 `conflict`, and writes nothing."""

import threading

import pytest
from django.db import OperationalError, connection
from rest_framework.test import APIClient

from config.api.errors import CONFLICT_MESSAGE, as_domain_error
from config.errors import Conflict
from inventory.locks import lock_levels, locking
from reservations.models import ReservationItem
from tests.conftest import postgres_only
from tests.factories.inventory import LevelFactory, UserFactory


def test_sqlite_busy_database_is_a_conflict():
    error = as_domain_error(OperationalError("database is locked"))
    assert isinstance(error, Conflict)
    assert (error.status, error.code, error.message) == (
        409,
        "invalid_state_error",
        CONFLICT_MESSAGE,
    )


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_lock_wait_past_the_timeout_answers_409_and_writes_nothing(consistent):
    # given another transaction holding the level's lock
    level = LevelFactory(stocked_quantity=10)
    staff = UserFactory()
    locked, release = threading.Event(), threading.Event()

    @locking
    def lock_and_wait():
        lock_levels([(level.inventory_item_id, level.location_id)])
        locked.set()
        release.wait(timeout=30)

    def hold():
        try:
            lock_and_wait()
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(timeout=30)
    client = APIClient()
    client.credentials(HTTP_X_MEDUSA_ACCESS_TOKEN=staff.api_token)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '200ms'")
        # when a reservation needs that lock
        response = client.post(
            "/admin/reservations",
            {
                "inventory_item_id": level.inventory_item_id,
                "location_id": level.location_id,
                "quantity": 1,
            },
            format="json",
        )
    finally:
        release.set()
        holder.join(timeout=30)
    # then
    assert response.status_code == 409
    assert response.json() == {
        "type": "conflict",
        "code": "invalid_state_error",
        "message": CONFLICT_MESSAGE,
    }
    assert not ReservationItem.objects.exists()
    consistent()
