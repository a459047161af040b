"""Query filters of the order routes."""

from config.api.filters import (
    BoolFilter,
    FilterSet,
    InFilter,
    IntegerInFilter,
    SearchFilter,
    comparisons,
)
from orders.models import Order, Region, Return, ShippingOption


class RegionFilter(FilterSet):
    q = SearchFilter("name")
    id = InFilter()

    class Meta:
        model = Region
        fields = comparisons("created_at", "updated_at")


class ShippingOptionFilter(FilterSet):
    region_id = InFilter()
    is_return = BoolFilter()
    admin_only = BoolFilter()

    class Meta:
        model = ShippingOption
        fields = []


class OrderFilter(FilterSet):
    q = SearchFilter("email", "id", "display_id")
    id = InFilter()
    status = InFilter()
    fulfillment_status = InFilter()
    payment_status = InFilter()
    sales_channel_id = InFilter()
    region_id = InFilter()
    email = InFilter()
    display_id = IntegerInFilter()

    class Meta:
        model = Order
        fields = comparisons("created_at", "updated_at", "canceled_at")


class ReturnFilter(FilterSet):
    id = InFilter()
    order_id = InFilter()
    status = InFilter()

    class Meta:
        model = Return
        fields = comparisons("created_at", "updated_at")
