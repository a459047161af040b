import pytest

from config.errors import InsufficientInventory, NotFound
from reservations import services
from tests.factories.inventory import LevelFactory
from tests.factories.reservations import ReservationFactory


@pytest.mark.django_db
def test_reservation_create_holds_units_at_the_level(consistent):
    # given
    level = LevelFactory(stocked_quantity=10)
    # when
    services.reservation_create(
        inventory_item_id=level.inventory_item_id, location_id=level.location_id, quantity=4
    )
    # then
    level.refresh_from_db()
    assert (level.reserved_quantity, level.available_quantity) == (4, 6)
    consistent()


@pytest.mark.django_db
def test_reservation_create_rejects_quantity_above_available(consistent):
    level = LevelFactory(stocked_quantity=3)
    ReservationFactory(level=level, quantity=2)
    with pytest.raises(InsufficientInventory) as error:
        services.reservation_create(
            inventory_item_id=level.inventory_item_id, location_id=level.location_id, quantity=2
        )
    assert "available 1" in error.value.message
    consistent()


@pytest.mark.django_db
def test_reservation_move_carries_units_to_the_new_level(consistent):
    level = LevelFactory(stocked_quantity=5)
    other = LevelFactory(inventory_item=level.inventory_item, stocked_quantity=20)
    reservation = ReservationFactory(level=level, quantity=5)
    services.reservation_update(
        reservation_id=reservation.pk, location_id=other.location_id, quantity=12
    )
    level.refresh_from_db()
    other.refresh_from_db()
    assert (level.reserved_quantity, other.reserved_quantity) == (0, 12)
    consistent()


@pytest.mark.django_db
def test_reservation_move_to_unstocked_location_is_not_found(consistent):
    reservation = ReservationFactory(quantity=1)
    with pytest.raises(NotFound):
        services.reservation_update(reservation_id=reservation.pk, location_id="sloc_nope")
    consistent()
