"""Two gunicorn servers on one PostgreSQL database, as when one machine is not enough: real
HTTP requests split across both sell the last units exactly once."""

import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from reservations.models import ReservationItem
from tests.conftest import postgres_only
from tests.factories.inventory import LevelFactory, UserFactory
from tests.factories.reservations import ReservationFactory

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """This test's database, reached as the tests reach it (so through the same pooler)."""
    db = connection.settings_dict
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def request(
    port: int, method: str, path: str, body=None, headers=None, timeout: float = 30
) -> tuple[int, bytes]:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = None if body is None else json.dumps(body)
        client.request(method, path, data, {"Content-Type": "application/json", **(headers or {})})
        response = client.getresponse()
        return response.status, response.read()
    finally:
        client.close()


@contextmanager
def gunicorn_servers(count: int, env: dict):
    """`count` gunicorn servers with config/gunicorn.py (2 workers each) on free loopback
    ports, started and stopped together; yields their ports once each answers `/health`."""
    servers = {}  # port -> (process, its log)
    with ExitStack() as stack:
        stack.callback(stop, servers)
        for _ in range(count):
            port, log = free_port(), stack.enter_context(tempfile.TemporaryFile())
            command = [sys.executable, "-m", "gunicorn", "-c", "python:config.gunicorn"]
            command += ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--no-control-socket"]
            command.append("config.wsgi")
            process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stderr=log)
            servers[port] = process, log
        deadline = time.monotonic() + 60  # workers boot slowly on a busy machine
        for port, (process, log) in servers.items():
            while not answers_health(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise AssertionError("gunicorn did not start:\n" + log.read().decode())
                time.sleep(0.1)
        yield list(servers)


def stop(servers: dict) -> None:
    for process, _ in servers.values():
        process.terminate()
    for process, _ in servers.values():
        process.wait(timeout=30)


def answers_health(port: int) -> bool:
    try:
        return request(port, "GET", "/health", timeout=2)[0] == 200
    except OSError:  # not listening yet, or no worker free to answer
        return False


def reserve_at_once(ports: list[int], level, token: str, count: int) -> list[tuple[int, dict]]:
    """`count` clients, spread over the servers, each reserve one unit of `level` at once."""
    barrier = threading.Barrier(count)
    body = {"inventory_item_id": level.inventory_item_id, "location_id": level.location_id}
    results = [None] * count

    def reserve(i):
        barrier.wait(timeout=30)
        status, answer = request(
            ports[i % len(ports)],
            "POST",
            "/admin/reservations",
            {**body, "quantity": 1},
            {"x-medusa-access-token": token},
        )
        results[i] = status, json.loads(answer)

    threads = [threading.Thread(target=reserve, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_app_servers_on_one_database_give_exactly_k_of_n_reservations(consistent):
    # given levels with 3 free units each, and two app servers on their database, warmed up
    # (every worker connected, its statements compiled) so that requests overlap from the start
    levels = [LevelFactory(stocked_quantity=5) for _ in range(3)]
    for level in levels:
        ReservationFactory(level=level, quantity=2)
    staff = UserFactory()
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SECRET_KEY": secrets.token_hex()}
    with gunicorn_servers(2, env) as ports:
        warm_up = reserve_at_once(ports, LevelFactory(stocked_quantity=100), staff.api_token, 12)
        assert [status for status, _ in warm_up] == [200] * 12

        # when 20 clients, half on each server, reserve one unit each of one level at once (a
        # round per level: each is a chance for a race that a missing lock would lose)
        rounds = [reserve_at_once(ports, level, staff.api_token, 20) for level in levels]

    # then each time exactly 3 succeed, the 17 others are told stock is short, and the
    # counter is exact
    for level, results in zip(levels, rounds, strict=True):
        assert sorted(status for status, _ in results) == [200] * 3 + [400] * 17, results
        for status, payload in results:
            if status == 400:
                assert (payload["type"], payload["code"]) == (
                    "not_allowed",
                    "insufficient_inventory",
                )
        level.refresh_from_db()
        assert level.reserved_quantity == 5
        reservations = ReservationItem.objects.filter(
            inventory_item_id=level.inventory_item_id, location_id=level.location_id
        )
        assert sum(reservations.values_list("quantity", flat=True)) == 5
    consistent()
