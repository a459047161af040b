"""Stock levels through the admin: the level services decide; `reserved_quantity` is
never editable."""

import pytest
from django.contrib.admin.models import LogEntry

from inventory.models import InventoryItem, InventoryLevel, StockLocation
from tests.admin.utils import admin_url, form_errors, messages_of
from tests.factories.inventory import InventoryItemFactory, LevelFactory, StockLocationFactory
from tests.factories.reservations import ReservationFactory

pytestmark = pytest.mark.django_db


def level_data(level, **changes) -> dict:
    """The level's change form as loaded now, with `changes` made."""
    return {
        "stocked_quantity": level.stocked_quantity,
        "incoming_quantity": level.incoming_quantity,
        "metadata": "",
        "reason": "correction",
        "reference": "",
        "note": "",
        "expected_stocked_quantity": level.stocked_quantity,
        **changes,
    }


def test_admin_add_level_stocks_the_item_at_the_location(dashboard, consistent):
    item = InventoryItemFactory()
    location = StockLocationFactory()

    response = dashboard.post(
        admin_url(InventoryLevel, "add"),
        {
            "inventory_item": item.pk,
            "location": location.pk,
            "stocked_quantity": 12,
            "incoming_quantity": 3,
            "metadata": '{"bin": "A1"}',
        },
    )

    assert response.status_code == 302
    level = InventoryLevel.objects.get()
    assert (level.inventory_item_id, level.location_id) == (item.pk, location.pk)
    assert (level.stocked_quantity, level.reserved_quantity, level.incoming_quantity) == (12, 0, 3)
    assert level.metadata == {"bin": "A1"}
    consistent()


def test_admin_add_level_twice_for_the_same_pair_is_a_form_error(dashboard, consistent):
    level = LevelFactory(stocked_quantity=5)

    response = dashboard.post(
        admin_url(InventoryLevel, "add"),
        {
            "inventory_item": level.inventory_item_id,
            "location": level.location_id,
            "stocked_quantity": 1,
            "incoming_quantity": 0,
        },
    )

    assert response.status_code == 200
    assert form_errors(response) == [
        "Inventory level with this Inventory item and Location already exists."
    ]
    assert InventoryLevel.objects.get().stocked_quantity == 5
    consistent()


def test_admin_change_level_sets_its_stock(dashboard, consistent):
    level = LevelFactory(stocked_quantity=5)
    ReservationFactory(level=level, quantity=4)

    response = dashboard.post(
        admin_url(InventoryLevel, "change", level.pk), level_data(level, stocked_quantity=4)
    )

    assert response.status_code == 302
    level.refresh_from_db()
    assert (level.stocked_quantity, level.reserved_quantity) == (4, 4)
    consistent()


def test_admin_change_level_stock_below_reserved_is_refused(dashboard, consistent):
    # given
    level = LevelFactory(stocked_quantity=10)
    ReservationFactory(level=level, quantity=6)
    # when
    response = dashboard.post(
        admin_url(InventoryLevel, "change", level.pk), level_data(level, stocked_quantity=5)
    )
    # then
    assert response.status_code == 200
    assert form_errors(response) == [
        f"Cannot set stocked quantity of item {level.inventory_item} at location "
        f"{level.location} to 5: 6 are reserved there"
    ]
    level.refresh_from_db()
    assert (level.stocked_quantity, level.reserved_quantity) == (10, 6)
    consistent()


def test_admin_change_level_to_negative_stock_is_a_field_error(dashboard, consistent):
    level = LevelFactory(stocked_quantity=3)

    response = dashboard.post(
        admin_url(InventoryLevel, "change", level.pk), level_data(level, stocked_quantity=-1)
    )

    assert response.status_code == 200
    assert form_errors(response) == [
        "stocked_quantity: Ensure this value is greater than or equal to 0."
    ]
    level.refresh_from_db()
    assert level.stocked_quantity == 3
    consistent()


def test_reserved_quantity_is_not_an_editable_field_anywhere(dashboard, consistent):
    # given
    level = LevelFactory(stocked_quantity=10)
    ReservationFactory(level=level, quantity=2)
    pages = [
        admin_url(InventoryLevel, "add"),
        admin_url(InventoryLevel, "change", level.pk),
        admin_url(InventoryItem, "change", level.inventory_item_id),
        admin_url(StockLocation, "change", level.location_id),
    ]
    # when
    responses = [dashboard.get(page) for page in pages]
    # then: the counter is shown, never an input
    for response in responses:
        assert response.status_code == 200
        assert "reserved_quantity" not in response.context["adminform"].form.fields
        assert b'name="reserved_quantity"' not in response.content
        for inline in response.context["inline_admin_formsets"]:
            for form in inline.formset.forms:
                assert not any(name.endswith("reserved_quantity") for name in form.fields)
    # and a forged field is ignored
    response = dashboard.post(
        admin_url(InventoryLevel, "change", level.pk),
        level_data(level, reserved_quantity=99),
    )
    assert response.status_code == 302
    level.refresh_from_db()
    assert level.reserved_quantity == 2
    consistent()


def test_admin_delete_level_with_reservations_is_refused_with_a_message(dashboard, consistent):
    # given
    level = LevelFactory(stocked_quantity=10)
    ReservationFactory(level=level, quantity=1)
    # when
    response = dashboard.post(admin_url(InventoryLevel, "delete", level.pk), {"post": "yes"})
    # then
    assert response.status_code == 302
    assert response["Location"] == admin_url(InventoryLevel, "change", level.pk)
    assert messages_of(response) == [
        (
            "error",
            f"Cannot remove Inventory Level {level.inventory_item} at Location "
            f"{level.location} because there are reserved items.",
        )
    ]
    assert InventoryLevel.objects.filter(pk=level.pk).exists()
    assert not LogEntry.objects.exists()
    consistent()


def test_admin_delete_level_without_reservations_deletes_it(dashboard, consistent):
    level = LevelFactory(stocked_quantity=10)

    response = dashboard.post(admin_url(InventoryLevel, "delete", level.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not InventoryLevel.objects.exists()
    consistent()


def test_admin_bulk_delete_of_levels_is_all_or_nothing(dashboard, consistent):
    # given: one free level, one with a reservation
    free = LevelFactory(stocked_quantity=1)
    held = LevelFactory(stocked_quantity=1)
    ReservationFactory(level=held, quantity=1)
    # when
    response = dashboard.post(
        admin_url(InventoryLevel, "changelist"),
        {"action": "delete_selected", "_selected_action": [free.pk, held.pk], "post": "yes"},
    )
    # then
    assert response.status_code == 302
    assert messages_of(response) == [
        (
            "error",
            f"Nothing was deleted: Cannot remove Inventory Level {held.inventory_item} at "
            f"Location {held.location} because there are reserved items.",
        )
    ]
    assert InventoryLevel.objects.count() == 2
    assert not LogEntry.objects.exists()
    consistent()
