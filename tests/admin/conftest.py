import pytest
from django.test import Client

from config.models import User


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="root@example.com", password="secret")


@pytest.fixture
def dashboard(superuser):
    """A browser session on /dashboard/, logged in as a superuser."""
    client = Client()
    client.force_login(superuser)
    return client
