"""A writer that waits too long for a level lock gets a 409 `conflict`, and writes nothing;
every session, also behind a pooler, has the lock timeout."""

import threading

import pytest
from django.db import OperationalError, connection, transaction
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
        # when a reservation needs that lock (its transaction nested in one that waits only
        # 200 ms: SET LOCAL holds behind a pooler too, where a session's SET may not)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
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


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_every_session_has_the_lock_timeout_from_its_role_default():
    # given the migrated database, when 4 connections each hold a transaction at once (so
    # behind a pooler they run on 4 server connections, old or new)
    barrier = threading.Barrier(4)
    timeouts = []

    def show():
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SHOW lock_timeout")
                timeouts.append(cursor.fetchone()[0])
                barrier.wait(timeout=30)
        finally:
            connection.close()

    threads = [threading.Thread(target=show) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # then each has it, and it is the default of this role in this database (not only a
    # connection option, which PgBouncer cannot pass)
    assert timeouts == ["10s"] * 4
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setconfig FROM pg_db_role_setting"
            " JOIN pg_database ON pg_database.oid = setdatabase"
            " JOIN pg_roles ON pg_roles.oid = setrole"
            " WHERE datname = current_database() AND rolname = current_user"
        )
        assert cursor.fetchall() == [(["lock_timeout=10s"],)]
