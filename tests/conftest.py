import pytest
from django.db import connection
from rest_framework.test import APIClient

from inventory.models import SalesChannel
from tests.factories.inventory import UserFactory
from tests.invariants import assert_inventory_consistent

postgres_only = pytest.mark.postgres  # `-m postgres` selects these (.ci/run, through PgBouncer)


def pytest_runtest_setup(item):
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def default_channel(db):
    """The store's default channel (made by a migration; transactional tests flush it)."""
    channel = SalesChannel.objects.filter(is_default=True).first()
    if channel is None:
        channel = SalesChannel(name="Default Sales Channel", is_default=True)
        channel.save()
    return channel


@pytest.fixture
def staff(db):
    return UserFactory()


@pytest.fixture
def api(staff):
    """An API client authenticated as an active staff user (`x-medusa-access-token`)."""
    client = APIClient()
    client.credentials(HTTP_X_MEDUSA_ACCESS_TOKEN=staff.api_token)
    return client


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def consistent():
    """Call after a change: the level counters still equal their reservations."""
    return assert_inventory_consistent
