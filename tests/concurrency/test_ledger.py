"""Real threads against PostgreSQL: compare-and-set lets exactly one of two clients who saw
the same stock change it, and concurrent writers keep the ledger numbered without a gap."""

import pytest
from rest_framework.test import APIClient

from inventory.models import InventoryLevel, StockMovement
from tests.concurrency.test_reservations import run_together
from tests.conftest import postgres_only
from tests.factories.inventory import LevelFactory, UserFactory

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def test_two_clients_setting_stock_from_the_same_count_one_wins(consistent):
    # given: two clients both read 10 units
    level = LevelFactory(stocked_quantity=10)
    user = UserFactory()
    url = f"/admin/inventory-items/{level.inventory_item_id}/location-levels/{level.location_id}"

    def count(i):
        client = APIClient()
        client.credentials(HTTP_X_MEDUSA_ACCESS_TOKEN=user.api_token)
        body = {"stocked_quantity": 20 + i, "expected_stocked_quantity": 10}
        return client.post(url, body, format="json")

    # when: both set it at once
    responses = run_together(2, count)
    # then: exactly one wins, the other is told the stock changed
    assert sorted(r.status_code for r in responses) == [200, 409]
    loser = next(r for r in responses if r.status_code == 409).json()
    assert loser["code"] == "stale_quantity"
    level.refresh_from_db()
    assert level.stocked_quantity in (20, 21)
    assert StockMovement.objects.filter(level_id=level.pk, reason="correction").count() == 1
    consistent()


def test_concurrent_manual_changes_all_land_in_order(consistent):
    level = LevelFactory(stocked_quantity=100)
    user = UserFactory()

    def receive(i):
        client = APIClient()
        client.credentials(HTTP_X_MEDUSA_ACCESS_TOKEN=user.api_token)
        body = {
            "inventory_item_id": level.inventory_item_id,
            "location_id": level.location_id,
            "stocked_delta": 1,
            "reason": "received",
        }
        return client.post("/admin/stock-movements", body, format="json").status_code

    assert run_together(12, receive) == [200] * 12
    level = InventoryLevel.objects.get(pk=level.pk)
    assert (level.stocked_quantity, level.version) == (112, 13)
    afters = list(
        StockMovement.objects.filter(level_id=level.pk)
        .order_by("version")
        .values_list("stocked_after", flat=True)
    )
    assert afters == list(range(100, 113))
    consistent()
