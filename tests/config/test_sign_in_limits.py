"""Failed sign-ins are limited per email (10) and per client address (100) within 15 minutes,
on both API logins and the Django admin's, counted in the database for every process."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from config import signin
from config.models import SignInFailure
from tests.concurrency.test_reservations import run_together
from tests.conftest import postgres_only
from tests.factories.inventory import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
LOGINS = ["/admin/auth", "/admin/auth/token"]


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """The limiter's clock, moved by hand (no sleeping)."""
    clock = Clock()
    monkeypatch.setattr(signin, "now", lambda: clock.now)
    return clock


@pytest.fixture
def user(db):
    return UserFactory(email="sam@example.com")


def sign_in(path, email="sam@example.com", password="wrong", address="10.0.0.1", **extra):
    return APIClient().post(
        path, {"email": email, "password": password}, format="json", REMOTE_ADDR=address, **extra
    )


def fail(times, path="/admin/auth", **kwargs):
    for _ in range(times):
        assert sign_in(path, **kwargs).status_code == 401


def assert_refused(response, seconds):
    assert response.status_code == 429
    assert response["Retry-After"] == str(seconds)
    assert response.json() == {
        "type": "too_many_requests",
        "message": f"Too many failed sign-ins; try again in {seconds} seconds",
    }


@pytest.mark.parametrize("path", LOGINS)
def test_after_10_failures_for_an_email_even_the_right_password_is_429(clock, user, path):
    # given 10 failed sign-ins for one email
    fail(10, path)

    # when the right password comes, 5 minutes later
    clock.advance(minutes=5)
    response = sign_in(path, password="secret")

    # then it is refused until the window passes
    assert_refused(response, 600)
    assert settings.SESSION_COOKIE_NAME not in response.cookies


@pytest.mark.parametrize("path", LOGINS)
def test_the_right_password_works_again_once_the_window_has_passed(clock, user, path):
    fail(10, path)
    clock.advance(minutes=15)

    response = sign_in(path, password="secret")

    assert response.status_code == 200


def test_failures_older_than_15_minutes_no_longer_count(clock, user):
    # given one failure a minute for 10 minutes: the 10th locks the email
    for _ in range(10):
        fail(1)
        clock.advance(minutes=1)
    assert_refused(sign_in("/admin/auth"), 5 * 60)

    # when the first has aged out of the window
    clock.advance(minutes=5)

    # then one more attempt is counted, and the email is locked until the second ages out
    fail(1)
    assert_refused(sign_in("/admin/auth"), 60)


def test_both_api_logins_count_the_same_failures(clock, user):
    fail(5, "/admin/auth")
    fail(5, "/admin/auth/token")

    assert_refused(sign_in("/admin/auth", password="secret"), 900)
    assert_refused(sign_in("/admin/auth/token", password="secret"), 900)


def test_refused_attempts_do_not_prolong_the_lockout(clock, user):
    fail(10)
    for _ in range(10):
        clock.advance(minutes=1)
        assert sign_in("/admin/auth").status_code == 429

    clock.advance(minutes=5)

    assert sign_in("/admin/auth", password="secret").status_code == 200


def test_a_lockout_holds_for_that_email_only(clock, user):
    other = UserFactory(email="other@example.com")
    fail(10)

    response = sign_in("/admin/auth", email=other.email, password="secret")

    assert response.status_code == 200


def test_the_email_is_counted_in_any_letter_case(clock, user):
    fail(5, email="Sam@Example.com")
    fail(5, email="SAM@EXAMPLE.COM")

    assert sign_in("/admin/auth", password="secret").status_code == 429


def test_a_success_clears_the_failures_of_its_email(clock, user):
    # given 9 failures, then a success
    fail(9)
    assert sign_in("/admin/auth", password="secret").status_code == 200

    # then 10 more failures are allowed before the lockout
    fail(10)
    assert_refused(sign_in("/admin/auth", password="secret"), 900)


def test_failures_for_unknown_emails_count_too(clock):
    fail(10, email="nobody@example.com")
    assert sign_in("/admin/auth", email="nobody@example.com").status_code == 429


def test_after_100_failures_from_one_address_every_email_is_refused_from_it(clock, user):
    # given 100 failures from one address, spread over 20 emails (5 each: no email is locked)
    for n in range(20):
        fail(5, email=f"guess{n}@example.com")

    # then even a right password from that address is refused; another address signs in
    assert_refused(sign_in("/admin/auth", password="secret"), 900)
    assert sign_in("/admin/auth", password="secret", address="10.0.0.2").status_code == 200


def test_a_success_clears_nothing_of_its_address_count(clock, user):
    # given 95 failures from one address, then a success from it
    for n in range(19):
        fail(5, email=f"guess{n}@example.com")
    assert sign_in("/admin/auth", password="secret").status_code == 200

    # then the address has 5 failures left before its lockout
    fail(5, email="guess19@example.com")
    assert_refused(sign_in("/admin/auth", password="secret"), 900)


def test_behind_trusted_proxies_the_address_is_the_one_they_saw(clock, user, settings):
    settings.TRUSTED_PROXIES = 1
    for n in range(20):  # one client behind the proxy, which tries to pass as many
        fail(5, email=f"g{n}@example.com", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 203.0.113.5")

    refused = sign_in("/admin/auth", password="secret", HTTP_X_FORWARDED_FOR="203.0.113.5")
    other = sign_in("/admin/auth", password="secret", HTTP_X_FORWARDED_FOR="203.0.113.6")

    assert refused.status_code == 429
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "10.0.0.1"),  # no proxy trusted: the header is the client's word
        (1, "198.51.100.7, 203.0.113.5", "203.0.113.5"),
        (2, "198.51.100.7, 203.0.113.5", "198.51.100.7"),
        (3, "203.0.113.5", "203.0.113.5"),  # fewer hops than proxies: the first one
        (1, "", "10.0.0.1"),
    ],
)
def test_client_address(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    assert signin.client_address(request) == expected


def test_a_refused_sign_in_costs_no_password_hash(
    clock, user, monkeypatch, django_assert_max_num_queries
):
    fail(10)
    hashed = []
    monkeypatch.setattr(User, "check_password", lambda *args: hashed.append(args))
    monkeypatch.setattr(User, "set_password", lambda *args: hashed.append(args))

    with django_assert_max_num_queries(5):  # write down, count, drop, say until when
        assert sign_in("/admin/auth", password="secret").status_code == 429
    assert sign_in("/admin/auth", email="nobody@example.com").status_code == 401

    assert len(hashed) == 1  # the second request only


def test_expired_failures_are_deleted(clock, user):
    fail(3)
    clock.advance(minutes=15)

    fail(1)

    assert SignInFailure.objects.count() == 1


# The Django admin's login ------------------------------------------------------------------


def admin_sign_in(password="wrong", email="sam@example.com"):
    form = {"username": email, "password": password, "next": "/dashboard/"}
    return Client().post("/dashboard/login/", form, REMOTE_ADDR="10.0.0.1")


def test_the_admin_login_is_limited_and_shows_why(clock, user):
    for _ in range(10):
        response = admin_sign_in()
        assert response.status_code == 200
        assert b"Please enter the correct email" in response.content

    response = admin_sign_in(password="secret")

    assert response.status_code == 429
    assert response["Retry-After"] == "900"
    assert b"Too many failed sign-ins; try again in 900 seconds" in response.content
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_the_admin_login_counts_with_the_api_logins(clock, user):
    fail(9)
    assert admin_sign_in().status_code == 200

    assert sign_in("/admin/auth/token", password="secret").status_code == 429


def test_the_admin_login_still_signs_in(clock, user):
    response = admin_sign_in(password="secret", email="SAM@example.com")

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


# Cheap for everyone else -------------------------------------------------------------------


@pytest.mark.parametrize("how", ["api_token", "bearer"])
def test_an_authenticated_get_costs_one_query(user, how, django_assert_num_queries):
    client = APIClient()
    if how == "bearer":
        token = sign_in("/admin/auth/token", password="secret").json()["access_token"]
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    else:
        client.credentials(HTTP_X_MEDUSA_ACCESS_TOKEN=user.api_token)

    with django_assert_num_queries(1):
        assert client.get("/admin/auth").status_code == 200


# Every process counts the same failures ----------------------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_guesses_get_at_most_10_password_checks():
    UserFactory(email="sam@example.com")

    statuses = run_together(16, lambda i: sign_in("/admin/auth").status_code)

    assert set(statuses) <= {401, 429}
    assert 1 <= statuses.count(401) <= 10
    assert SignInFailure.objects.count() == statuses.count(401)
