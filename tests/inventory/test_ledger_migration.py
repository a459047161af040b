"""Migrating a database whose levels exist before the ledger (`inventory 0003`): each level
gets one opening movement, so the ledger holds from the first day."""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from inventory.models import InventoryLevel, StockMovement
from tests.invariants import assert_inventory_consistent

pytestmark = pytest.mark.django_db(transaction=True)
BEFORE_LEDGER = [("inventory", "0002_default_sales_channel")]


def migrate(targets):
    """Migrate to `targets` (and whatever depends on them); the state reached."""
    executor = MigrationExecutor(connection)
    state = executor.migrate(targets)
    return state.apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_levels_from_before_the_ledger_get_one_opening_movement_each():
    # given: a database before the ledger, with levels, one of them reserved
    old = migrate(BEFORE_LEDGER)
    try:
        item, other = (
            old.get_model("inventory", "InventoryItem").objects.create(sku=sku)
            for sku in ("OLD-1", "OLD-2")
        )
        location = old.get_model("inventory", "StockLocation").objects.create(name="Old")
        Level = old.get_model("inventory", "InventoryLevel")
        counters = {item.pk: (7, 2, 3), other.pk: (0, 0, 0)}
        for item_id, (stocked, reserved, incoming) in counters.items():
            Level.objects.create(
                inventory_item_id=item_id,
                location=location,
                stocked_quantity=stocked,
                reserved_quantity=reserved,
                incoming_quantity=incoming,
            )
        old.get_model("reservations", "ReservationItem").objects.create(
            inventory_item_id=item.pk, location=location, quantity=2
        )
    finally:
        # when
        migrate(latest())
    # then
    for level in InventoryLevel.objects.all():
        opening = StockMovement.objects.get(level_id=level.pk)
        quantities = counters[level.inventory_item_id]
        assert level.version == opening.version == 1
        assert (opening.reason, opening.created_by) == ("level_created", "command:migrate")
        assert (opening.inventory_item_id, opening.location_id) == (
            level.inventory_item_id,
            level.location_id,
        )
        assert (
            opening.stocked_delta,
            opening.reserved_delta,
            opening.incoming_delta,
        ) == quantities
        assert (
            opening.stocked_after,
            opening.reserved_after,
            opening.incoming_after,
        ) == quantities
    assert InventoryLevel.objects.count() == 2
    assert_inventory_consistent()
    out = io.StringIO()
    call_command("reconcile_inventory", stdout=out)
    assert out.getvalue() == "2 levels checked; 0 drifted (0 drifts).\n"
