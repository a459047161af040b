"""What the API must answer, computed from the database: shared by the API tests."""

import datetime as dt

from reservations.models import ReservationItem


def ms(value: dt.datetime | None) -> str | None:
    """A timestamp the way the API writes it: UTC, milliseconds, `Z`."""
    if value is None:
        return None
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def reservation_json(reservation: ReservationItem) -> dict:
    """Every field of a reservation as the API must render it (from the database row)."""
    r = ReservationItem.objects.get(pk=reservation.pk)
    return {
        "id": r.id,
        "line_item_id": r.line_item_id,
        "inventory_item_id": r.inventory_item_id,
        "location_id": r.location_id,
        "quantity": r.quantity,
        "description": r.description,
        "created_by": r.created_by,
        "external_id": r.external_id,
        "metadata": r.metadata,
        "expires_at": ms(r.expires_at),
        "created_at": ms(r.created_at),
        "updated_at": ms(r.updated_at),
    }
