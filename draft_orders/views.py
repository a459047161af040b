"""`/admin/draft-orders`."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from config.api.schema import documented, envelope
from config.api.serializers import NoBody
from config.api.viewsets import ResourceViewSet
from draft_orders import selectors, services
from draft_orders import serializers as s
from draft_orders.filters import DraftOrderFilter
from orders.selectors import order_get
from orders.serializers import OrderOutput

LINE_PATH = r"line-items/(?P<line_id>[A-Za-z0-9_\-]+)"


@documented
class DraftOrderViewSet(ResourceViewSet):
    resource, plural, output = "draft_order", "draft_orders", s.DraftOrderOutput
    filterset = DraftOrderFilter
    create_input, update_input = s.DraftOrderCreateInput, s.DraftOrderUpdateInput
    default_limit = 50
    order_fields = ResourceViewSet.order_fields | {"display_id", "status"}

    def list_queryset(self, filters, expand):
        return selectors.draft_order_list(filters_data=filters)

    def get_instance(self, pk, expand=()):
        return selectors.draft_order_get(draft_id=pk)

    def draft(self, pk):
        return self.one(self.get_instance(pk))

    def create(self, request):
        data = dict(self.validated(self.create_input))
        data.pop("discounts", None)
        return self.draft(services.draft_order_create(**data).pk)

    def update(self, request, pk):
        services.draft_order_update(draft_id=pk, **self.validated(self.update_input))
        return self.draft(pk)

    def destroy(self, request, pk):
        services.draft_order_delete(draft_id=pk)
        return self.deleted(pk, "draft-order")

    @extend_schema(request=s.DraftItemInput, responses=envelope(resource, output))
    @action(detail=True, methods=["post"], url_path="line-items")
    def line_items(self, request, pk):
        """Add a line to a draft order"""
        services.draft_line_add(draft_id=pk, **self.validated(s.DraftItemInput))
        return self.draft(pk)

    @extend_schema(request=s.DraftLineUpdateInput, responses=envelope(resource, output))
    @action(detail=True, methods=["post"], url_path=LINE_PATH)
    def line_item(self, request, pk, line_id):
        """Update a draft order's line"""
        data = self.validated(s.DraftLineUpdateInput)
        services.draft_line_update(draft_id=pk, line_id=line_id, **data)
        return self.draft(pk)

    @extend_schema(responses=envelope(resource, output))
    @line_item.mapping.delete
    def line_item_delete(self, request, pk, line_id):
        """Delete a draft order's line"""
        services.draft_line_delete(draft_id=pk, line_id=line_id)
        return self.draft(pk)

    @extend_schema(request=None, responses=envelope("order", OrderOutput))
    @action(detail=True, methods=["post"], url_path="pay")
    def pay(self, request, pk):
        """Pay a draft order

        Places its order, which reserves the stock of every line that manages inventory."""
        self.validated(NoBody)
        order = services.draft_order_pay(draft_id=pk)
        return self.one(order_get(order_id=order.pk), name="order", output=OrderOutput)
