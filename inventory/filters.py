"""Query filters of the inventory routes."""

from config.api.filters import BoolFilter, FilterSet, InFilter, SearchFilter, comparisons
from inventory.models import (
    InventoryItem,
    InventoryLevel,
    Product,
    ProductVariant,
    SalesChannel,
    StockLocation,
    StockMovement,
)


class StockLocationFilter(FilterSet):
    q = SearchFilter("name")
    id = InFilter()
    name = InFilter()
    address_id = InFilter()
    sales_channel_id = InFilter("channel_links__sales_channel_id", distinct=True)

    class Meta:
        model = StockLocation
        fields = comparisons("created_at", "updated_at")


class SalesChannelFilter(FilterSet):
    q = SearchFilter("name", "description")
    id = InFilter()
    name = InFilter()
    is_disabled = BoolFilter()

    class Meta:
        model = SalesChannel
        fields = comparisons("created_at", "updated_at")


class ProductFilter(FilterSet):
    q = SearchFilter("title", "subtitle", "description", "handle", "variants__sku")
    id = InFilter()
    status = InFilter()
    handle = InFilter()
    title = InFilter()
    is_giftcard = BoolFilter()

    class Meta:
        model = Product
        fields = comparisons("created_at", "updated_at")

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).distinct()


class VariantFilter(FilterSet):
    q = SearchFilter("title", "sku", "product__title")
    id = InFilter()
    product_id = InFilter()
    sku = InFilter()
    manage_inventory = BoolFilter()
    allow_backorder = BoolFilter()

    class Meta:
        model = ProductVariant
        fields = comparisons("created_at", "updated_at")


class InventoryItemFilter(FilterSet):
    q = SearchFilter("sku", "title", "description")
    id = InFilter()
    sku = InFilter()
    location_id = InFilter("location_levels__location_id", distinct=True)
    origin_country = InFilter()
    hs_code = InFilter()
    mid_code = InFilter()
    material = InFilter()
    requires_shipping = BoolFilter()

    class Meta:
        model = InventoryItem
        fields = {
            "hs_code": ["icontains", "istartswith", "iendswith"],
            **comparisons("weight", "length", "height", "width", "created_at", "updated_at"),
        }


class LevelFilter(FilterSet):
    location_id = InFilter()

    class Meta:
        model = InventoryLevel
        fields = []


class StockMovementFilter(FilterSet):
    inventory_item_id = InFilter()
    location_id = InFilter()
    reason = InFilter()
    order_id = InFilter()
    reservation_id = InFilter()
    transfer_id = InFilter()
    created_by = InFilter()

    class Meta:
        model = StockMovement
        fields = comparisons("created_at")
