"""Staff users in the admin: email login, role, api_token, passwords."""

import pytest
from django.test import Client
from django.urls import reverse

from config.models import User
from tests.admin.utils import admin_url, form_errors, messages_of
from tests.factories.inventory import UserFactory

pytestmark = pytest.mark.django_db


def change_data(user, **changes) -> dict:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "role": user.role,
        "api_token": user.api_token or "",
        "metadata": "",
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        **changes,
    }


def test_admin_add_user_by_email_makes_a_staff_member_who_can_log_in(dashboard):
    page = dashboard.get(admin_url(User, "add"))
    assert "username" not in page.context["adminform"].form.fields
    assert page.context["adminform"].form["is_staff"].initial is True

    response = dashboard.post(
        admin_url(User, "add"),
        {
            "email": "New.Member@Example.com",
            "role": "member",
            "is_staff": "on",
            "usable_password": "true",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new.member@example.com")
    assert (user.role, user.is_staff, user.is_active) == ("member", True, True)
    assert Client().login(email="new.member@example.com", password="a-long-pass-phrase")


def test_admin_add_user_with_a_taken_email_is_a_form_error(dashboard, superuser):
    response = dashboard.post(
        admin_url(User, "add"),
        {
            "email": "ROOT@example.com",
            "role": "member",
            "usable_password": "true",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )

    assert response.status_code == 200
    assert form_errors(response) == ["email: User with this Email already exists."]


def test_admin_change_user_sets_role_and_api_token(dashboard):
    user = UserFactory(role="member", api_token=None)

    response = dashboard.post(
        admin_url(User, "change", user.pk),
        change_data(user, role="developer", api_token="tok-123", first_name="Ada"),
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.role, user.api_token, user.first_name) == ("developer", "tok-123", "Ada")


def test_admin_change_user_with_a_taken_api_token_is_a_form_error(dashboard):
    UserFactory(api_token="taken")
    user = UserFactory()

    response = dashboard.post(
        admin_url(User, "change", user.pk), change_data(user, api_token="taken")
    )

    assert response.status_code == 200
    assert form_errors(response) == ["api_token: User with this Api token already exists."]


def test_admin_users_without_api_tokens_do_not_clash(dashboard):
    first, second = UserFactory(api_token=None), UserFactory(api_token="x")

    response = dashboard.post(
        admin_url(User, "change", second.pk), change_data(second, api_token="")
    )

    assert response.status_code == 302
    second.refresh_from_db()
    assert (first.api_token, second.api_token) == (None, None)


def test_admin_change_password_form_sets_the_password(dashboard):
    user = UserFactory()

    response = dashboard.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "another-pass-phrase", "password2": "another-pass-phrase"},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-pass-phrase")


def test_admin_deleting_yourself_is_refused_with_a_message(dashboard, superuser):
    response = dashboard.post(admin_url(User, "delete", superuser.pk), {"post": "yes"})

    assert response.status_code == 302
    assert messages_of(response) == [("error", "You cannot delete your own user")]
    assert User.objects.filter(pk=superuser.pk).exists()


def test_admin_deletes_another_user(dashboard):
    user = UserFactory()

    response = dashboard.post(admin_url(User, "delete", user.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not User.objects.filter(pk=user.pk).exists()
