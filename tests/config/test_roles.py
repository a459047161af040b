"""Roles: only admins manage users, roles and other users' API tokens; anyone edits their own
name and metadata; only admins see other users' tokens; every role works with stock."""

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from tests.factories.inventory import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
NOT_ADMIN = ["member", "developer"]


def client_of(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_MEDUSA_ACCESS_TOKEN=user.api_token)
    return client


def forbidden(action):
    return {"type": "forbidden", "message": f"Only admins may {action}"}


@pytest.fixture(params=NOT_ADMIN)
def someone(request, db):
    """A signed-in user who is not an admin."""
    return UserFactory(role=request.param, api_token=f"{request.param}-token")


@pytest.fixture
def admin_user(db):
    return UserFactory(role="admin", api_token="admin-token")


# Managing users -----------------------------------------------------------------------------


def test_only_admins_create_users(someone):
    response = client_of(someone).post(
        "/admin/users", {"email": "new@example.com", "password": "x"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == forbidden("create users")
    assert not User.objects.filter(email="new@example.com").exists()


def test_only_admins_delete_users(someone, admin_user):
    response = client_of(someone).delete(f"/admin/users/{admin_user.pk}")

    assert response.status_code == 403
    assert response.json() == forbidden("delete users")
    assert User.objects.filter(pk=admin_user.pk).exists()


def test_a_user_cannot_promote_itself_to_admin(someone):
    response = client_of(someone).post(
        f"/admin/users/{someone.pk}", {"role": "admin"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == forbidden("change a role")
    someone.refresh_from_db()
    assert someone.role != "admin"


def test_only_admins_change_another_users_role(someone):
    other = UserFactory(role="member")

    response = client_of(someone).post(
        f"/admin/users/{other.pk}", {"role": "developer"}, format="json"
    )

    assert response.status_code == 403
    assert response.json() == forbidden("edit other users")
    other.refresh_from_db()
    assert other.role == "member"


def test_a_user_cannot_set_the_admins_api_token_then_act_as_the_admin(someone, admin_user):
    client = client_of(someone)

    response = client.post(f"/admin/users/{admin_user.pk}", {"api_token": "stolen"}, format="json")

    assert response.status_code == 403
    assert response.json() == forbidden("edit other users")
    admin_user.refresh_from_db()
    assert admin_user.api_token == "admin-token"
    thief = APIClient()
    thief.credentials(HTTP_X_MEDUSA_ACCESS_TOKEN="stolen")
    assert thief.get("/admin/auth").status_code == 401


@pytest.mark.parametrize(
    "changes", [{"first_name": "X"}, {"metadata": {"a": 1}}], ids=["name", "metadata"]
)
def test_only_admins_edit_another_users_name_or_metadata(someone, changes):
    other = UserFactory(role="member")

    response = client_of(someone).post(f"/admin/users/{other.pk}", changes, format="json")

    assert response.status_code == 403
    assert response.json() == forbidden("edit other users")
    other.refresh_from_db()
    assert (other.first_name, other.metadata) == ("Sam", None)


def test_anyone_edits_their_own_name_and_metadata(someone):
    response = client_of(someone).post(
        f"/admin/users/{someone.pk}",
        {"first_name": "Ada", "last_name": "L", "metadata": {"desk": 4}},
        format="json",
    )

    assert response.status_code == 200
    user = response.json()["user"]
    assert (user["first_name"], user["last_name"], user["metadata"]) == ("Ada", "L", {"desk": 4})
    assert user["api_token"] == someone.api_token


def test_anyone_sets_their_own_api_token(someone):
    response = client_of(someone).post(
        f"/admin/users/{someone.pk}", {"api_token": "my-new-token"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["user"]["api_token"] == "my-new-token"
    fresh = APIClient()
    fresh.credentials(HTTP_X_MEDUSA_ACCESS_TOKEN="my-new-token")
    assert fresh.get("/admin/auth").json()["user"]["id"] == someone.pk


def test_sending_ones_own_role_unchanged_is_no_change(someone):
    response = client_of(someone).post(
        f"/admin/users/{someone.pk}", {"role": someone.role, "first_name": "Ada"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["user"]["first_name"] == "Ada"


def test_admins_manage_every_user(admin_user):
    client = client_of(admin_user)
    created = client.post(
        "/admin/users",
        {"email": "n@example.com", "password": "x", "role": "member", "api_token": "n-token"},
        format="json",
    ).json()["user"]

    updated = client.post(
        f"/admin/users/{created['id']}",
        {"role": "developer", "api_token": "n-token-2", "first_name": "N"},
        format="json",
    )
    deleted = client.delete(f"/admin/users/{created['id']}")

    assert created["api_token"] == "n-token"
    assert updated.status_code == 200
    assert (updated.json()["user"]["role"], updated.json()["user"]["api_token"]) == (
        "developer",
        "n-token-2",
    )
    assert deleted.status_code == 200


def test_an_admin_cannot_act_through_a_demoted_admins_token(admin_user):
    other_admin = UserFactory(role="admin", api_token="other-admin-token")
    client_of(admin_user).post(f"/admin/users/{other_admin.pk}", {"role": "member"}, "json")

    response = client_of(other_admin).post(
        "/admin/users", {"email": "n@example.com", "password": "x"}, format="json"
    )

    assert response.status_code == 403


# Seeing API tokens --------------------------------------------------------------------------


def test_only_admins_see_other_users_api_tokens_in_the_list(someone, admin_user):
    as_someone = client_of(someone).get("/admin/users").json()["users"]
    as_admin = client_of(admin_user).get("/admin/users").json()["users"]

    assert {u["id"]: u["api_token"] for u in as_someone} == {
        someone.pk: someone.api_token,
        admin_user.pk: None,
    }
    assert {u["id"]: u["api_token"] for u in as_admin} == {
        someone.pk: someone.api_token,
        admin_user.pk: "admin-token",
    }


def test_only_admins_see_another_users_api_token(someone, admin_user):
    client = client_of(someone)

    other = client.get(f"/admin/users/{admin_user.pk}").json()["user"]
    own = client.get(f"/admin/users/{someone.pk}").json()["user"]
    me = client.get("/admin/auth").json()["user"]
    seen_by_admin = client_of(admin_user).get(f"/admin/users/{someone.pk}").json()["user"]

    assert (other["email"], other["api_token"]) == (admin_user.email, None)
    assert own["api_token"] == me["api_token"] == seen_by_admin["api_token"] == someone.api_token


def test_asking_only_for_api_tokens_reveals_no_other_users_token(someone, admin_user):
    response = client_of(someone).get("/admin/users", {"fields": "api_token", "order": "email"})

    assert response.status_code == 200
    assert [u["api_token"] for u in response.json()["users"] if u["id"] == admin_user.pk] == [None]


# Stock: every role --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "member", "developer"])
def test_every_role_works_with_inventory_reservations_and_orders(role):
    client = client_of(UserFactory(role=role))

    location = client.post("/admin/stock-locations", {"name": "Main"}, format="json")
    item = client.post("/admin/inventory-items", {"sku": "SKU-1"}, format="json")
    location_id = location.json()["stock_location"]["id"]
    item_id = item.json()["inventory_item"]["id"]
    level = client.post(
        f"/admin/inventory-items/{item_id}/location-levels",
        {"location_id": location_id, "stocked_quantity": 5},
        format="json",
    )
    reservation = client.post(
        "/admin/reservations",
        {"inventory_item_id": item_id, "location_id": location_id, "quantity": 2},
        format="json",
    )

    assert [r.status_code for r in (location, item, level, reservation)] == [200] * 4
    assert client.get("/admin/orders").status_code == 200
    assert client.get("/admin/draft-orders").status_code == 200
