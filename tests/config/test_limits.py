"""Long URLs: lists take hundreds of ids; past the bound, a JSON 414 (from Django or gunicorn)."""

import json
import socket
import subprocess
import sys
import time

import pytest
from django.conf import settings

from config.api.limits import MAX_URL_LENGTH
from tests.config.test_bad_input import assert_error
from tests.factories.inventory import InventoryItemFactory

ID = "iitem_01M8MVCQAF5FAH1EGJ414WFHNE"  # as long as a real id


@pytest.mark.django_db
def test_a_list_takes_as_many_ids_as_the_url_bound_holds(api):
    # given: two real items among as many ids as fit, in the client's `id[i]=` form
    items = InventoryItemFactory.create_batch(2)
    ids = [item.pk for item in items] + [ID] * 200
    query = "&".join(f"id%5B{i}%5D={pk}" for i, pk in enumerate(ids))
    while len(f"/admin/inventory-items?{query}") > MAX_URL_LENGTH:
        ids.pop()
        query = "&".join(f"id%5B{i}%5D={pk}" for i, pk in enumerate(ids))
    assert len(ids) > 180
    # when
    response = api.get(f"/admin/inventory-items?{query}")
    # then
    assert response.status_code == 200, response.content
    assert {item["id"] for item in response.json()["inventory_items"]} == {i.pk for i in items}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/admin/inventory-items", "/admin/nope", "/health", "/dashboard/"]
)
def test_a_url_past_the_bound_is_a_json_414(api, path):
    query = "q=" + "x" * (MAX_URL_LENGTH - len(path) - len("?q="))
    assert api.get(f"{path}?{query}").status_code != 414
    response = api.get(f"{path}?{query}x")
    assert_error(response, 414, "invalid_data", prefix=f"The URL is longer than {MAX_URL_LENGTH}")


@pytest.fixture(scope="module")
def gunicorn():
    """gunicorn with config/gunicorn.py on a free loopback port (one worker); its address."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "gunicorn", "-c", "python:config.gunicorn"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", "1", "config.wsgi"]
    server = subprocess.Popen(
        command, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 60
        while b" 200 " not in raw_request(port, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"):
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def raw_request(port: int, data: bytes) -> bytes:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
            client.sendall(data)
            answer = b""
            while chunk := client.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer:
                    head, _, body = answer.partition(b"\r\n\r\n")
                    length = int(
                        dict(line.split(b": ", 1) for line in head.split(b"\r\n")[1:]).get(
                            b"Content-Length", b"-1"
                        )
                    )
                    if len(body) >= length >= 0:
                        return answer
            return answer
    except OSError:
        return b""


def get(port: int, target: str) -> tuple[int, bytes, bytes]:
    line = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    head, _, body = raw_request(port, line.encode()).partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), head, body


def test_gunicorn_passes_a_request_line_of_8190_bytes(gunicorn):
    target = "/health?q=" + "x" * (8190 - len("GET  HTTP/1.1") - len("/health?q="))
    status, _, body = get(gunicorn, target)
    assert (status, body) == (200, b"OK")


def test_gunicorn_answers_a_longer_request_line_with_json(gunicorn):
    status, head, body = get(gunicorn, "/health?q=" + "x" * 8190)
    assert status == 414
    assert b"Content-Type: application/json" in head
    error = json.loads(body)
    assert error["type"] == "invalid_data"
    assert "Request Line is too large" in error["message"]


def test_gunicorn_answers_a_malformed_request_with_json(gunicorn):
    head, _, body = raw_request(gunicorn, b"GET /health HTTP/9\r\n\r\n").partition(b"\r\n\r\n")
    assert head.split(b" ")[1] == b"400"
    assert json.loads(body)["type"] == "invalid_data"
