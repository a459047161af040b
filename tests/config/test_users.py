"""`/admin/users`: list, get, create, update, delete."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

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


def test_list_users_is_a_paginated_envelope_newest_first(api, staff):
    older = UserFactory()
    newer = UserFactory()

    response = api.get("/admin/users")

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["offset"], body["limit"]) == (3, 0, 20)
    assert [u["id"] for u in body["users"]] == [newer.pk, older.pk, staff.pk]
    assert all(set(u) == USER_FIELDS for u in body["users"])


def test_list_users_filters_by_email_and_paginates(api, staff):
    UserFactory(email="a@example.com")
    wanted = UserFactory(email="b@example.com")

    by_email = api.get("/admin/users", {"email[]": "b@example.com"}).json()
    page = api.get("/admin/users", {"limit": 1, "offset": 1, "order": "email"}).json()

    assert [u["id"] for u in by_email["users"]] == [wanted.pk]
    assert by_email["count"] == 1
    assert ([u["id"] for u in page["users"]], page["count"]) == ([wanted.pk], 3)
    assert (page["offset"], page["limit"]) == (1, 1)


def test_get_user(api, staff):
    response = api.get(f"/admin/users/{staff.pk}")

    assert response.status_code == 200
    assert response.json()["user"]["email"] == staff.email
    assert set(response.json()["user"]) == USER_FIELDS


def test_get_unknown_user_is_404(api):
    response = api.get("/admin/users/usr_nope")

    assert response.status_code == 404
    assert response.json() == {
        "type": "not_found",
        "message": "User with id: usr_nope was not found",
    }


def test_create_user_who_can_then_log_in(api):
    response = api.post(
        "/admin/users",
        {
            "email": "new@example.com",
            "password": "pa55word",
            "first_name": "Nia",
            "last_name": "New",
            "role": "member",
            "metadata": {"team": "ops"},
        },
        format="json",
    )

    assert response.status_code == 200
    user = response.json()["user"]
    assert set(user) == USER_FIELDS
    assert user["id"].startswith("usr_")
    assert (user["email"], user["first_name"], user["last_name"], user["role"]) == (
        "new@example.com",
        "Nia",
        "New",
        "member",
    )
    assert user["metadata"] == {"team": "ops"}
    login = APIClient().post(
        "/admin/auth", {"email": "new@example.com", "password": "pa55word"}, format="json"
    )
    assert login.status_code == 200


def test_create_user_with_duplicate_email_is_422(api, staff):
    response = api.post(
        "/admin/users", {"email": staff.email.upper(), "password": "x"}, format="json"
    )

    assert response.status_code == 422
    assert response.json() == {
        "type": "duplicate_error",
        "code": "invalid_request_error",
        "message": f"A user with email {staff.email.upper()} already exists.",
    }
    assert User.objects.count() == 1


def test_create_user_with_duplicate_api_token_is_422(api, staff):
    response = api.post(
        "/admin/users",
        {"email": "n@example.com", "password": "x", "api_token": staff.api_token},
        format="json",
    )
    assert response.status_code == 422
    assert response.json() == {
        "type": "duplicate_error",
        "code": "invalid_request_error",
        "message": "A user with this api_token already exists.",
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({}, "email is required, password is required"),
        (
            {"email": "x@example.com", "password": "x", "role": "boss"},
            "role must be one of admin, member, developer",
        ),
        (
            {"email": "x@example.com", "password": "x", "is_superuser": True},
            "property is_superuser should not exist",
        ),
    ],
)
def test_create_user_with_invalid_body_is_400(api, body, message):
    response = api.post("/admin/users", body, format="json")

    assert response.status_code == 400
    assert response.json() == {"type": "invalid_data", "message": message}


def test_update_user(api):
    user = UserFactory(role="member")

    response = api.post(
        f"/admin/users/{user.pk}",
        {"first_name": "Ada", "role": "developer", "api_token": "fresh", "metadata": {"a": 1}},
        format="json",
    )

    assert response.status_code == 200
    body = response.json()["user"]
    assert (body["first_name"], body["last_name"], body["role"], body["api_token"]) == (
        "Ada",
        "Staff",
        "developer",
        "fresh",
    )
    assert body["metadata"] == {"a": 1}
    user.refresh_from_db()
    assert (user.first_name, user.role, user.api_token) == ("Ada", "developer", "fresh")


@pytest.mark.parametrize("field", ["email", "password"])
def test_update_user_cannot_change_email_or_password(api, staff, field):
    response = api.post(f"/admin/users/{staff.pk}", {field: "x@example.com"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "type": "invalid_data",
        "message": f"property {field} should not exist",
    }


def test_update_user_to_a_taken_api_token_is_422(api, staff):
    other = UserFactory()

    response = api.post(f"/admin/users/{other.pk}", {"api_token": staff.api_token}, format="json")

    assert response.status_code == 422
    assert response.json()["type"] == "duplicate_error"
    assert response.json()["code"] == "invalid_request_error"


def test_update_unknown_user_is_404(api):
    response = api.post("/admin/users/usr_nope", {"first_name": "X"}, format="json")
    assert response.status_code == 404
    assert response.json() == {
        "type": "not_found",
        "message": "User with id: usr_nope was not found",
    }


def test_delete_user(api):
    user = UserFactory()

    response = api.delete(f"/admin/users/{user.pk}")

    assert response.status_code == 200
    assert response.json() == {"id": user.pk, "object": "user", "deleted": True}
    assert not User.objects.filter(pk=user.pk).exists()
    assert api.get(f"/admin/users/{user.pk}").status_code == 404


def test_delete_unknown_user_is_404(api):
    response = api.delete("/admin/users/usr_nope")
    assert response.status_code == 404
    assert response.json() == {
        "type": "not_found",
        "message": "User with id: usr_nope was not found",
    }


def test_users_cannot_delete_themselves(api, staff):
    response = api.delete(f"/admin/users/{staff.pk}")

    assert response.status_code == 400
    assert response.json() == {"type": "not_allowed", "message": "You cannot delete your own user"}
    assert User.objects.filter(pk=staff.pk).exists()
