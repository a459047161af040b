"""Query filters of `GET /admin/draft-orders`."""

import django_filters

from config.api.filters import FilterSet, InFilter, column_range, comparisons, parse_integer
from draft_orders.models import DraftOrder


class DraftOrderFilter(FilterSet):
    q = django_filters.CharFilter(method="search", label="Email contains, or display id")
    status = InFilter()

    class Meta:
        model = DraftOrder
        fields = comparisons("created_at", "updated_at")

    def search(self, queryset, name, value):
        by_email = queryset.filter(email__icontains=value)
        display_id = parse_integer(value, *column_range(DraftOrder._meta.get_field("display_id")))
        if display_id is None:
            return by_email
        return by_email | queryset.filter(display_id=display_id)
