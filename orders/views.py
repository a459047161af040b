"""Routes of regions, shipping options, orders (fulfillments, returns, reservations) and returns."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from config.api.schema import documented, envelope, list_envelope, list_parameters
from config.api.serializers import NoBody
from config.api.viewsets import ResourceViewSet
from orders import filters, selectors, services
from orders import serializers as s
from orders.reservation_views import ReservationViewSet
from reservations.selectors import reservation_list


@documented
class RegionViewSet(ResourceViewSet):
    resource, plural, output = "region", "regions", s.RegionOutput
    filterset = filters.RegionFilter
    create_input, update_input = s.RegionCreateInput, s.RegionUpdateInput
    order_fields = ResourceViewSet.order_fields | {"name"}

    def list_queryset(self, filters, expand):
        return selectors.region_list(filters_data=filters)

    def get_instance(self, pk, expand=()):
        return selectors.region_get(region_id=pk)

    def create(self, request):
        return self.one(services.region_create(**self.validated(self.create_input)))

    def update(self, request, pk):
        data = self.validated(self.update_input)
        return self.one(services.region_update(region_id=pk, **data))

    def destroy(self, request, pk):
        services.region_delete(region_id=pk)
        return self.deleted(pk)


@documented
class ShippingOptionViewSet(ResourceViewSet):
    resource, plural, output = "shipping_option", "shipping_options", s.ShippingOptionOutput
    filterset = filters.ShippingOptionFilter
    create_input, update_input = s.ShippingOptionCreateInput, s.ShippingOptionUpdateInput
    order_fields = ResourceViewSet.order_fields | {"name"}

    def list_queryset(self, filters, expand):
        return selectors.shipping_option_list(filters_data=filters)

    def get_instance(self, pk, expand=()):
        return selectors.shipping_option_get(option_id=pk)

    def create(self, request):
        return self.one(services.shipping_option_create(**self.validated(self.create_input)))

    def update(self, request, pk):
        data = self.validated(self.update_input)
        return self.one(services.shipping_option_update(option_id=pk, **data))

    def destroy(self, request, pk):
        services.shipping_option_delete(option_id=pk)
        return self.deleted(pk, "shipping-option")  # Medusa's name for it


def _order_action(input_class=None):
    return extend_schema(request=input_class, responses=envelope("order", s.OrderOutput))


@documented
class OrderViewSet(ResourceViewSet):
    resource, plural, output = "order", "orders", s.OrderOutput
    filterset = filters.OrderFilter
    update_input = s.OrderUpdateInput
    order_fields = ResourceViewSet.order_fields | {"display_id", "email", "status"}

    def list_queryset(self, filters, expand):
        return selectors.order_list(filters_data=filters, expand=expand)

    def get_instance(self, pk, expand=()):
        return selectors.order_get(order_id=pk, expand=expand)

    def order(self, pk):
        return self.one(self.get_instance(pk))

    @staticmethod
    def _output(expand):
        return s.OrderWithVariantsOutput if s.ITEMS_VARIANT in expand else s.OrderOutput

    def list(self, request):
        params = self.list_params()
        expand, params.expand = params.expand, ()
        queryset = self.list_queryset(params.filters, expand)
        return self.page(queryset, params, output=self._output(expand))

    def retrieve(self, request, pk):
        expand, fields = self.detail_params()
        return self.one(self.get_instance(pk, expand), output=self._output(expand), fields=fields)

    def update(self, request, pk):
        services.order_update(order_id=pk, **self.validated(self.update_input))
        return self.order(pk)

    @extend_schema(
        parameters=list_parameters(
            s.ReservationOutput,
            order_fields=ReservationViewSet.order_fields,
            filterset=ReservationViewSet.filterset,
        ),
        responses=list_envelope("reservations", s.ReservationOutput),
    )
    @action(detail=True, methods=["get"], url_path="reservations")
    def reservations(self, request, pk):
        """List an order's reservations"""
        order = selectors.order_get(order_id=pk)
        params = self.list_params(s.ReservationOutput, ReservationViewSet.order_fields)
        line_ids = [line.pk for line in order.items.all()]
        queryset = reservation_list(filters_data=params.filters, expand=params.expand)
        return self.page(
            queryset.filter(line_item_id__in=line_ids),
            params,
            plural="reservations",
            output=s.ReservationOutput,
        )

    @extend_schema(
        request=s.LineReserveInput, responses=envelope("reservation", s.ReservationOutput)
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"line-items/(?P<line_item_id>[A-Za-z0-9_\-]+)/reserve",
    )
    def reserve(self, request, pk, line_item_id):
        """Reserve an order line at a location"""
        data = self.validated(s.LineReserveInput)
        reservation = services.order_line_reserve(
            order_id=pk, line_item_id=line_item_id, created_by=request.user.pk, **data
        )
        return self.one(reservation, name="reservation", output=s.ReservationOutput)

    @_order_action(s.FulfillmentCreateInput)
    @action(detail=True, methods=["post"], url_path="fulfillment")
    def fulfillment(self, request, pk):
        """Fulfill order lines

        Takes the stock from a location and consumes the lines' reservations."""
        services.fulfillment_create(order_id=pk, **self.validated(s.FulfillmentCreateInput))
        return self.order(pk)

    @_order_action()
    @action(
        detail=True,
        methods=["post"],
        url_path=r"fulfillments/(?P<fulfillment_id>[A-Za-z0-9_\-]+)/cancel",
    )
    def fulfillment_cancel(self, request, pk, fulfillment_id):
        """Cancel a fulfillment

        Puts the stock back and reserves it again."""
        self.validated(NoBody)
        services.fulfillment_cancel(order_id=pk, fulfillment_id=fulfillment_id)
        return self.order(pk)

    @_order_action(s.ShipmentInput)
    @action(detail=True, methods=["post"], url_path="shipment")
    def shipment(self, request, pk):
        """Ship a fulfillment"""
        data = self.validated(s.ShipmentInput)
        data.pop("no_notification", None)
        services.fulfillment_ship(order_id=pk, **data)
        return self.order(pk)

    @_order_action(s.ReturnRequestInput)
    @action(detail=True, methods=["post"], url_path="return")
    def request_return(self, request, pk):
        """Request a return of order lines"""
        services.return_request(order_id=pk, **self.validated(s.ReturnRequestInput))
        return self.order(pk)

    @_order_action()
    @action(detail=True, methods=["post"], url_path="cancel")
    def cancel(self, request, pk):
        """Cancel an order

        Releases its reservations."""
        self.validated(NoBody)
        services.order_cancel(order_id=pk)
        return self.order(pk)

    @_order_action()
    @action(detail=True, methods=["post"], url_path="complete")
    def complete(self, request, pk):
        """Complete an order"""
        self.validated(NoBody)
        services.order_complete(order_id=pk)
        return self.order(pk)

    @_order_action()
    @action(detail=True, methods=["post"], url_path="archive")
    def archive(self, request, pk):
        """Archive an order"""
        self.validated(NoBody)
        services.order_archive(order_id=pk)
        return self.order(pk)


@documented
class ReturnViewSet(ResourceViewSet):
    resource, plural, output = "return", "returns", s.ReturnOutput
    filterset = filters.ReturnFilter
    http_method_names = ["get", "post", "head", "options"]

    def list_queryset(self, filters, expand):
        return selectors.return_list(filters_data=filters)

    def get_instance(self, pk, expand=()):
        return selectors.return_get(return_id=pk)

    @extend_schema(request=s.ReturnReceiveInput, responses=envelope("return", s.ReturnOutput))
    @action(detail=True, methods=["post"], url_path="receive")
    def receive(self, request, pk):
        """Receive a return

        Raises stock at the return's location."""
        services.return_receive(return_id=pk, **self.validated(s.ReturnReceiveInput))
        return self.one(self.get_instance(pk))

    @extend_schema(request=None, responses=envelope("return", s.ReturnOutput))
    @action(detail=True, methods=["post"], url_path="cancel")
    def cancel(self, request, pk):
        """Cancel a return"""
        self.validated(NoBody)
        services.return_cancel(return_id=pk)
        return self.one(self.get_instance(pk))
