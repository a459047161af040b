"""A database that cannot be reached answers 503 `unavailable` on every route, never 500;
`/health/ready` says whether the database answers, `/health` only that the process lives."""

import socket

import pytest
from django.db import connections
from django.db.utils import load_backend
from django.test import Client

from config.api.auth import access_token_for
from tests.factories.inventory import UserFactory

pytestmark = pytest.mark.django_db

UNAVAILABLE = {"type": "unavailable", "message": "The database cannot be reached. Retry later."}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free once the socket closes: nothing listens


UNREACHABLE = {
    "postgresql": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "stockroom",
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "OPTIONS": {"connect_timeout": 5},
    },
    "sqlite": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": "/nonexistent/folder/db.sqlite3",
        "OPTIONS": {},
    },
}


@pytest.fixture(params=list(UNREACHABLE))
def unreachable(request, db):
    """For the test, the default connection points at a database that cannot be reached
    (PostgreSQL on a port nothing listens on; an SQLite file in a folder that does not exist)."""
    original = connections["default"]
    settings_dict = {**original.settings_dict, **UNREACHABLE[request.param]}
    if request.param == "postgresql":
        settings_dict["PORT"] = closed_port()
    broken = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")
    connections["default"] = broken
    yield
    connections["default"] = original
    broken.close()


@pytest.fixture
def browser():
    return Client(raise_request_exception=False)


@pytest.fixture
def staff_session(db):
    """A logged-in user's session cookie and JWT, made while the database answered."""
    user = UserFactory()
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client, access_token_for(user), user.api_token


@pytest.mark.parametrize(
    ("method", "path", "credentials"),
    [
        ("get", "/admin/stock-locations", "api_token"),
        ("get", "/admin/inventory-items", "bearer"),
        ("get", "/admin/auth", "session"),
        ("post", "/admin/reservations", "api_token"),
        ("post", "/admin/auth", None),
        ("post", "/admin/auth/token", None),
        ("get", "/dashboard/", "session"),
        ("post", "/dashboard/login/", None),
        ("get", "/health/ready", None),
    ],
)
def test_every_route_answers_503_when_the_database_cannot_be_reached(
    staff_session, unreachable, method, path, credentials
):
    session, jwt, api_token = staff_session
    client = session if credentials == "session" else Client(raise_request_exception=False)
    headers = {
        "api_token": {"HTTP_X_MEDUSA_ACCESS_TOKEN": api_token},
        "bearer": {"HTTP_AUTHORIZATION": f"Bearer {jwt}"},
    }.get(credentials, {})
    kwargs = {"content_type": "application/json"} if path.startswith("/admin") else {}
    name = "email" if kwargs else "username"
    body = {name: "a@example.com", "password": "x"} if method == "post" else None

    response = getattr(client, method)(path, body, **kwargs, **headers)

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json() == UNAVAILABLE


def test_health_answers_200_while_the_process_lives(unreachable, browser):
    response = browser.get("/health")

    assert response.status_code == 200
    assert response.content == b"OK"


def test_ready_answers_200_when_the_database_answers(browser):
    response = browser.get("/health/ready")

    assert response.status_code == 200
    assert response.content == b"OK"
