"""Query filters of `GET /admin/stock-transfers`."""

import django_filters

from config.api.filters import InFilter, comparisons
from transfers.models import StockTransfer


class StockTransferFilter(django_filters.FilterSet):
    id = InFilter()
    status = InFilter()
    from_location_id = InFilter()
    to_location_id = InFilter()

    class Meta:
        model = StockTransfer
        fields = comparisons("created_at", "updated_at")
