"""Query filters of `GET /admin/reservations`."""

from config.api.filters import FilterSet, InFilter, comparisons
from reservations.models import ReservationItem


class ReservationFilter(FilterSet):
    location_id = InFilter()
    inventory_item_id = InFilter()
    line_item_id = InFilter()
    created_by = InFilter()

    class Meta:
        model = ReservationItem
        fields = {
            "description": ["exact", "icontains", "istartswith", "iendswith"],
            **comparisons("quantity", "created_at", "updated_at", "expires_at"),
        }
