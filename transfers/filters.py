"""Query filters of `GET /admin/stock-transfers`."""

from config.api.filters import FilterSet, InFilter, comparisons
from transfers.models import StockTransfer


class StockTransferFilter(FilterSet):
    id = InFilter()
    status = InFilter()
    from_location_id = InFilter()
    to_location_id = InFilter()

    class Meta:
        model = StockTransfer
        fields = comparisons("created_at", "updated_at")
