"""`/admin/stock-transfers`: stock moved between locations."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from config.api.schema import documented, envelope
from config.api.serializers import NoBody
from config.api.viewsets import ResourceViewSet
from transfers import selectors, services
from transfers import serializers as s
from transfers.filters import StockTransferFilter

ONE = envelope("stock_transfer", s.StockTransferOutput)


@documented
class StockTransferViewSet(ResourceViewSet):
    resource, plural, output = "stock_transfer", "stock_transfers", s.StockTransferOutput
    filterset = StockTransferFilter
    create_input, update_input = s.StockTransferCreateInput, s.StockTransferUpdateInput
    order_fields = ResourceViewSet.order_fields | {"status"}
    http_method_names = ["get", "post", "head", "options"]

    def list_queryset(self, filters, expand):
        return selectors.transfer_list(filters_data=filters)

    def get_instance(self, pk, expand=()):
        return selectors.transfer_get(transfer_id=pk)

    def create(self, request):
        transfer = services.transfer_create(**self.validated(self.create_input))
        return self.one(self.get_instance(transfer.pk))

    def update(self, request, pk):
        services.transfer_update(transfer_id=pk, **self.validated(self.update_input))
        return self.one(self.get_instance(pk))

    @extend_schema(request=None, responses=ONE)
    @action(detail=True, methods=["post"], url_path="ship")
    def ship(self, request, pk):
        """Ship a stock transfer

        The units leave the source's stock and raise the destination's incoming quantity."""
        self.validated(NoBody)
        services.transfer_ship(transfer_id=pk)
        return self.one(self.get_instance(pk))

    @extend_schema(request=s.StockTransferReceiveInput, responses=ONE)
    @action(detail=True, methods=["post"], url_path="receive")
    def receive(self, request, pk):
        """Receive a stock transfer

        Everything outstanding, or the given items: the destination's stock rises."""
        services.transfer_receive(transfer_id=pk, **self.validated(s.StockTransferReceiveInput))
        return self.one(self.get_instance(pk))

    @extend_schema(request=None, responses=ONE)
    @action(detail=True, methods=["post"], url_path="cancel")
    def cancel(self, request, pk):
        """Cancel a stock transfer

        A shipped transfer puts what was not received back at the source."""
        self.validated(NoBody)
        services.transfer_cancel(transfer_id=pk)
        return self.one(self.get_instance(pk))
