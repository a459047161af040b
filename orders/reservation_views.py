"""`/admin/reservations`: reservations of items at locations, for order lines or not
(`orders.allocation` applies a line's rules)."""

from config.api.schema import documented
from config.api.viewsets import ResourceViewSet
from orders import allocation as services
from orders.serializers import ReservationOutput
from reservations import selectors
from reservations import serializers as s
from reservations.filters import ReservationFilter


@documented
class ReservationViewSet(ResourceViewSet):
    resource, plural, output = "reservation", "reservations", ReservationOutput
    filterset = ReservationFilter
    create_input, update_input = s.ReservationCreateInput, s.ReservationUpdateInput
    order_fields = ResourceViewSet.order_fields | {"quantity", "location_id", "inventory_item_id"}

    def list_queryset(self, filters, expand):
        return selectors.reservation_list(filters_data=filters, expand=expand)

    def get_instance(self, pk, expand=()):
        return selectors.reservation_get(reservation_id=pk, expand=expand)

    def create(self, request):
        data = self.validated(self.create_input)
        return self.one(services.reservation_create(created_by=request.user.pk, **data))

    def update(self, request, pk):
        data = self.validated(self.update_input)
        return self.one(services.reservation_update(reservation_id=pk, **data))

    def destroy(self, request, pk):
        services.reservation_delete(reservation_id=pk)
        return self.deleted(pk)
