"""Query filters of `GET /admin/draft-orders`."""

import django_filters

from config.api.filters import InFilter, comparisons
from draft_orders.models import DraftOrder


class DraftOrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Email contains, or display id")
    status = InFilter()

    class Meta:
        model = DraftOrder
        fields = comparisons("created_at", "updated_at")

    def search(self, queryset, name, value):
        if value.strip().isdigit():
            return queryset.filter(email__icontains=value) | queryset.filter(display_id=int(value))
        return queryset.filter(email__icontains=value)
