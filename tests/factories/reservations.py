"""Reservations, made through the service so level counters stay exact."""

import factory

from reservations import services
from reservations.models import ReservationItem
from tests.factories.inventory import LevelFactory


class ReservationFactory(factory.Factory):
    class Meta:
        model = ReservationItem

    level = factory.SubFactory(LevelFactory)
    quantity = 1
    description = None

    @classmethod
    def _create(cls, model_class, level, **kwargs):
        return services.reservation_create(
            inventory_item_id=level.inventory_item_id, location_id=level.location_id, **kwargs
        )
