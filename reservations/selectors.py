"""Reads of reservations."""

from django.db.models import QuerySet

from config.api.query import apply_filterset
from config.errors import NotFound
from reservations.filters import ReservationFilter
from reservations.models import ReservationItem

EXPAND_JOINS = {"inventory_item": "inventory_item", "line_item": "line_item__order"}


def _reservations(expand=()) -> QuerySet:
    joins = [EXPAND_JOINS[name] for name in expand if name in EXPAND_JOINS]
    return (
        ReservationItem.objects.select_related(*joins) if joins else ReservationItem.objects.all()
    )


def reservation_list(*, filters_data: dict, expand=()) -> QuerySet:
    return apply_filterset(ReservationFilter, filters_data, _reservations(expand))


def reservation_get(*, reservation_id: str, expand=()) -> ReservationItem:
    reservation = _reservations(expand).filter(pk=reservation_id).first()
    if reservation is None:
        raise NotFound(f"Reservation with id {reservation_id} not found")
    return reservation
