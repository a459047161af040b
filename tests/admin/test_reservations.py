"""Reservations through the admin: every write goes through the reservation services."""

import pytest
from django.contrib.admin.models import LogEntry

from inventory.models import InventoryLevel
from reservations.models import ReservationItem
from tests.admin.utils import admin_url, form_errors, messages_of
from tests.factories.inventory import LevelFactory
from tests.factories.reservations import ReservationFactory

pytestmark = pytest.mark.django_db


def add_data(level, quantity, **extra) -> dict:
    return {
        "inventory_item": level.inventory_item_id,
        "location": level.location_id,
        "quantity": quantity,
        "line_item_id": "",
        "description": "",
        "external_id": "",
        "metadata": "",
        **extra,
    }


def change_data(reservation, **changes) -> dict:
    return {
        "location": reservation.location_id,
        "quantity": reservation.quantity,
        "description": reservation.description or "",
        "metadata": "",
        **changes,
    }


def reserved(level) -> int:
    return InventoryLevel.objects.get(pk=level.pk).reserved_quantity


def test_admin_add_reservation_reserves_units_on_the_level(dashboard, superuser, consistent):
    # given
    level = LevelFactory(stocked_quantity=10)
    # when
    response = dashboard.post(
        admin_url(ReservationItem, "add"),
        add_data(level, 3, description="Held for a VIP"),
    )
    # then
    assert response.status_code == 302
    reservation = ReservationItem.objects.get()
    assert response["Location"] == admin_url(ReservationItem, "changelist")
    assert (reservation.quantity, reservation.description) == (3, "Held for a VIP")
    assert (reservation.line_item_id, reservation.created_by) == (None, superuser.pk)
    assert reserved(level) == 3
    consistent()


def test_admin_add_reservation_above_available_is_a_form_error_and_writes_nothing(
    dashboard, consistent
):
    # given
    level = LevelFactory(stocked_quantity=5)
    ReservationFactory(level=level, quantity=3)
    # when
    response = dashboard.post(admin_url(ReservationItem, "add"), add_data(level, 4))
    # then
    assert response.status_code == 200
    assert form_errors(response) == [
        f"Insufficient inventory for item {level.inventory_item.sku} at location "
        f"{level.location}: requested 4, available 2"
    ]
    assert ReservationItem.objects.count() == 1
    assert not LogEntry.objects.exists()
    assert reserved(level) == 3
    consistent()


def test_admin_add_reservation_where_the_item_is_not_stocked_is_a_form_error(dashboard, consistent):
    level = LevelFactory(stocked_quantity=5)
    elsewhere = LevelFactory(stocked_quantity=5)

    response = dashboard.post(
        admin_url(ReservationItem, "add"), add_data(level, 1, location=elsewhere.location_id)
    )

    assert response.status_code == 200
    assert form_errors(response) == [
        f"Item {level.inventory_item} is not stocked at location {elsewhere.location}"
    ]
    assert not ReservationItem.objects.exists()
    consistent()


def test_admin_add_reservation_of_zero_units_is_a_field_error(dashboard, consistent):
    level = LevelFactory(stocked_quantity=5)

    response = dashboard.post(admin_url(ReservationItem, "add"), add_data(level, 0))

    assert response.status_code == 200
    assert form_errors(response) == ["quantity: Ensure this value is greater than or equal to 1."]
    assert not ReservationItem.objects.exists()
    consistent()


def test_admin_change_reservation_quantity_updates_the_level(dashboard, consistent):
    # given
    level = LevelFactory(stocked_quantity=10)
    reservation = ReservationFactory(level=level, quantity=3)
    # when
    response = dashboard.post(
        admin_url(ReservationItem, "change", reservation.pk),
        change_data(reservation, quantity=7, description="more"),
    )
    # then
    assert response.status_code == 302
    reservation.refresh_from_db()
    assert (reservation.quantity, reservation.description) == (7, "more")
    assert reserved(level) == 7
    consistent()


def test_admin_change_reservation_location_moves_its_units(dashboard, consistent):
    # given
    level = LevelFactory(stocked_quantity=4)
    other = LevelFactory(inventory_item=level.inventory_item, stocked_quantity=10)
    reservation = ReservationFactory(level=level, quantity=4)
    # when
    response = dashboard.post(
        admin_url(ReservationItem, "change", reservation.pk),
        change_data(reservation, location=other.location_id, quantity=6),
    )
    # then
    assert response.status_code == 302
    reservation.refresh_from_db()
    assert (reservation.location_id, reservation.quantity) == (other.location_id, 6)
    assert (reserved(level), reserved(other)) == (0, 6)
    consistent()


def test_admin_change_reservation_above_available_is_a_form_error_and_changes_nothing(
    dashboard, consistent
):
    level = LevelFactory(stocked_quantity=4)
    other = LevelFactory(inventory_item=level.inventory_item, stocked_quantity=2)
    reservation = ReservationFactory(level=level, quantity=3)

    response = dashboard.post(
        admin_url(ReservationItem, "change", reservation.pk),
        change_data(reservation, location=other.location_id),
    )

    assert response.status_code == 200
    assert form_errors(response) == [
        f"Insufficient inventory for item {level.inventory_item.sku} at location "
        f"{other.location}: requested 3, available 2"
    ]
    reservation.refresh_from_db()
    assert (reservation.location_id, reservation.quantity) == (level.location_id, 3)
    assert (reserved(level), reserved(other)) == (3, 0)
    consistent()


def test_admin_change_form_does_not_offer_the_item_or_the_line(dashboard):
    reservation = ReservationFactory(quantity=1)

    response = dashboard.get(admin_url(ReservationItem, "change", reservation.pk))

    assert response.status_code == 200
    fields = set(response.context["adminform"].form.fields)
    assert fields == {"location", "quantity", "description", "metadata", "expires_at"}


def test_admin_delete_reservation_releases_its_units(dashboard, consistent):
    # given
    level = LevelFactory(stocked_quantity=10)
    reservation = ReservationFactory(level=level, quantity=4)
    # when
    response = dashboard.post(admin_url(ReservationItem, "delete", reservation.pk), {"post": "yes"})
    # then
    assert response.status_code == 302
    assert not ReservationItem.objects.exists()
    assert reserved(level) == 0
    consistent()


def test_admin_bulk_delete_reservations_releases_their_units(dashboard, consistent):
    level = LevelFactory(stocked_quantity=10)
    first = ReservationFactory(level=level, quantity=2)
    second = ReservationFactory(level=level, quantity=3)
    kept = ReservationFactory(level=level, quantity=1)

    response = dashboard.post(
        admin_url(ReservationItem, "changelist"),
        {"action": "delete_selected", "_selected_action": [first.pk, second.pk], "post": "yes"},
    )

    assert response.status_code == 302
    assert messages_of(response) == [("success", "Successfully deleted 2 reservation items.")]
    assert list(ReservationItem.objects.values_list("pk", flat=True)) == [kept.pk]
    assert reserved(level) == 1
    consistent()
