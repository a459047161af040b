"""`/admin/auth`, `/admin/auth/token`, API tokens, and who may use `/admin` at all."""

import re
import time

import jwt
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from inventory.models import StockLocation
from tests.factories.inventory import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
USER_FIELDS = {
    "id",
    "email",
    "first_name",
    "last_name",
    "role",
    "api_token",
    "created_at",
    "updated_at",
    "deleted_at",
    "metadata",
}
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
UNAUTHORIZED = {"type": "unauthorized", "message": "Unauthorized"}
WRONG_LOGIN = {"type": "unauthorized", "message": "Wrong email or password"}


def logged_in(user, password="secret") -> APIClient:
    """A client holding only the session cookie of `POST /admin/auth` (CSRF checks on)."""
    client = APIClient(enforce_csrf_checks=True)
    response = client.post(
        "/admin/auth", {"email": user.email, "password": password}, format="json"
    )
    assert response.status_code == 200
    return client


def token_for(user, password="secret") -> str:
    response = APIClient().post(
        "/admin/auth/token", {"email": user.email, "password": password}, format="json"
    )
    assert response.status_code == 200
    return response.json()["access_token"]


# Session login ----------------------------------------------------------------------------


def test_login_answers_the_user_and_sets_an_httponly_lax_session_cookie(anon, staff):
    response = anon.post("/admin/auth", {"email": staff.email, "password": "secret"}, "json")

    assert response.status_code == 200
    user = response.json()["user"]
    assert set(user) == USER_FIELDS
    assert user["id"] == staff.pk
    assert user["id"].startswith("usr_")
    assert (user["email"], user["role"], user["api_token"]) == (
        staff.email,
        "admin",
        staff.api_token,
    )
    assert (user["first_name"], user["last_name"]) == ("Sam", "Staff")
    assert (user["deleted_at"], user["metadata"]) == (None, None)
    assert TIMESTAMP.fullmatch(user["created_at"])
    assert TIMESTAMP.fullmatch(user["updated_at"])
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_login_email_is_case_insensitive(anon, staff):
    response = anon.post(
        "/admin/auth", {"email": staff.email.upper(), "password": "secret"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["user"]["id"] == staff.pk


def test_session_cookie_alone_authenticates_json_writes_without_a_csrf_token(staff):
    client = logged_in(staff)

    response = client.post("/admin/stock-locations", {"name": "Main"}, format="json")

    assert response.status_code == 200
    assert response.json()["stock_location"]["name"] == "Main"


def test_session_cookie_alone_authenticates_reads(staff):
    client = logged_in(staff)
    response = client.get("/admin/auth")
    assert response.status_code == 200
    assert response.json()["user"]["id"] == staff.pk


@pytest.mark.parametrize("fmt", ["multipart", None])
def test_session_cookie_alone_refuses_non_json_writes(staff, fmt):
    client = logged_in(staff)

    if fmt:
        response = client.post("/admin/stock-locations", {"name": "Main"}, format=fmt)
    else:
        response = client.generic(
            "POST", "/admin/stock-locations", "name=Main", "application/x-www-form-urlencoded"
        )

    assert response.status_code == 401
    assert response.json() == {
        "type": "unauthorized",
        "message": "Requests authenticated by the session cookie must be sent as application/json",
    }
    assert not StockLocation.objects.exists()


def test_logout_ends_the_session(staff):
    client = logged_in(staff)

    response = client.delete("/admin/auth", content_type="application/json")

    assert response.status_code == 200
    again = client.get("/admin/auth")
    assert again.status_code == 401
    assert again.json() == UNAUTHORIZED


def test_session_of_a_user_deactivated_since_login_no_longer_works(staff):
    client = logged_in(staff)
    staff.is_active = False
    staff.save()

    response = client.get("/admin/stock-locations")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


# Credentials ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/admin/auth", "/admin/auth/token"])
@pytest.mark.parametrize(
    "body",
    [
        {"email": "staff@example.com", "password": "wrong"},
        {"email": "nobody@example.com", "password": "secret"},
    ],
)
def test_wrong_credentials_are_401_json_never_403(anon, path, body):
    UserFactory(email="staff@example.com")

    response = anon.post(path, body, format="json")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json() == WRONG_LOGIN
    assert settings.SESSION_COOKIE_NAME not in response.cookies


@pytest.mark.parametrize("path", ["/admin/auth", "/admin/auth/token"])
@pytest.mark.parametrize(
    "changes", [{"is_active": False}, {"is_staff": False}], ids=["inactive", "not-staff"]
)
def test_inactive_or_non_staff_users_cannot_log_in(anon, path, changes):
    user = UserFactory(email="someone@example.com", **changes)

    response = anon.post(path, {"email": user.email, "password": "secret"}, format="json")

    assert response.status_code == 401
    assert response.json() == WRONG_LOGIN


@pytest.mark.parametrize("path", ["/admin/auth", "/admin/auth/token"])
@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "email is required, password is required"),
        ({"email": "not-an-email", "password": "x"}, "email must be an email"),
        ({"email": "a@example.com", "password": ""}, "password should not be empty"),
        ({"email": 5, "password": 5}, "email must be an email, password must be a string"),
        (
            {"email": "a@example.com", "password": "x", "remember": True},
            "property remember should not exist",
        ),
    ],
)
def test_login_with_a_malformed_body_is_400_naming_the_fields(anon, path, body, message):
    response = anon.post(path, body, format="json")

    assert response.status_code == 400
    assert response.json() == {"type": "invalid_data", "message": message}


def test_login_with_malformed_json_is_400(anon):
    response = anon.generic("POST", "/admin/auth", "{not json", "application/json")
    assert response.status_code == 400
    assert response.json()["type"] == "invalid_data"


# Tokens -----------------------------------------------------------------------------------


def test_token_is_an_hs256_jwt_for_the_admin_domain_valid_24_hours(staff):
    before = int(time.time())

    token = token_for(staff)

    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    payload = jwt.decode(token, settings.JWT_SECRET, algorithms=["HS256"])
    assert set(payload) == {"user_id", "domain", "iat", "exp"}
    assert (payload["user_id"], payload["domain"]) == (staff.pk, "admin")
    assert before <= payload["iat"] <= int(time.time())
    assert payload["exp"] - payload["iat"] == 24 * 3600


def test_token_login_sets_no_session_cookie(anon, staff):
    response = anon.post("/admin/auth/token", {"email": staff.email, "password": "secret"}, "json")
    assert response.status_code == 200
    assert set(response.json()) == {"access_token"}
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_bearer_token_authenticates_reads_and_any_writes(staff):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_for(staff)}")

    me = client.get("/admin/auth")
    created = client.post("/admin/stock-locations", {"name": "Main"}, format="json")

    assert me.status_code == 200
    assert me.json()["user"]["id"] == staff.pk
    assert created.status_code == 200


def _signed(payload, secret=None):
    return jwt.encode(payload, secret or settings.JWT_SECRET, algorithm="HS256")


@pytest.mark.parametrize(
    "make_token",
    [
        lambda user: _signed({"user_id": user.pk, "domain": "store", "exp": time.time() + 60}),
        lambda user: _signed({"domain": "admin", "exp": time.time() + 60}),
        lambda user: _signed({"user_id": user.pk, "domain": "admin", "exp": time.time() - 60}),
        lambda user: _signed({"user_id": user.pk, "domain": "admin"}, secret="x" * 32),
        lambda user: "not-a-jwt",
        lambda user: _signed({"user_id": user.pk, "domain": "admin", "iat": int(time.time())}),
        lambda user: _signed({"user_id": user.pk, "domain": "admin", "exp": time.time() + 60}),
        lambda user: _signed(
            {"user_id": user.pk, "domain": "admin", "iat": time.time(), "exp": time.time() + 60},
            secret="dev-only-insecure-secret-key-change-me",  # the key the source once held
        ),
    ],
    ids=[
        "other-domain",
        "no-user",
        "expired",
        "bad-signature",
        "garbage",
        "no-exp",
        "no-iat",
        "old-default-key",
    ],
)
def test_bad_bearer_tokens_are_401(staff, make_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(staff)}")

    response = client.get("/admin/auth")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_bearer_token_of_a_deactivated_user_is_401(staff):
    token = token_for(staff)
    staff.is_active = False
    staff.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    assert client.get("/admin/auth").status_code == 401


def test_api_token_header_authenticates(anon, staff):
    anon.credentials(HTTP_X_MEDUSA_ACCESS_TOKEN=staff.api_token)
    response = anon.get("/admin/auth")
    assert response.status_code == 200
    assert response.json()["user"]["email"] == staff.email


@pytest.mark.parametrize(
    "changes", [{"is_active": False}, {"is_staff": False}], ids=["inactive", "not-staff"]
)
def test_api_token_of_inactive_or_non_staff_user_is_401(anon, changes):
    user = UserFactory(**changes)
    anon.credentials(HTTP_X_MEDUSA_ACCESS_TOKEN=user.api_token)

    response = anon.get("/admin/stock-locations")

    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


def test_wrong_api_token_is_401(anon, staff):
    anon.credentials(HTTP_X_MEDUSA_ACCESS_TOKEN="wrong")
    response = anon.get("/admin/auth")
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin/auth"),
        ("delete", "/admin/auth"),
        ("get", "/admin/users"),
        ("get", "/admin/stock-locations"),
        ("post", "/admin/stock-locations"),
        ("get", "/admin/inventory-items"),
        ("post", "/admin/products/"),
        ("delete", "/admin/sales-channels/sc_x"),
    ],
)
def test_anonymous_requests_are_401_json(anon, method, path):
    response = getattr(anon, method)(path, {}, format="json")

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json() == UNAUTHORIZED


# createsuperuser --------------------------------------------------------------------------


def test_createsuperuser_noinput_makes_an_admin_who_logs_in_by_email(anon, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Boss@Example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "s3cret-pass")

    call_command("createsuperuser", interactive=False, verbosity=0)

    user = User.objects.get()
    assert (user.email, user.role, user.is_staff, user.is_superuser) == (
        "boss@example.com",
        "admin",
        True,
        True,
    )
    response = anon.post(
        "/admin/auth", {"email": "boss@example.com", "password": "s3cret-pass"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["user"]["role"] == "admin"
