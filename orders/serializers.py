"""Request bodies and response shapes of regions, shipping options, orders and returns."""

from rest_framework import serializers

from config.api import fields as f
from config.api.output import Metadata, Timestamp
from config.api.serializers import Input, Output, TimestampedOutput
from inventory.serializers import VariantWithProductOutput
from orders.money import totals
from reservations.serializers import ReservationOutput as ReservationColumns

# Outputs ----------------------------------------------------------------------------------


class RegionOutput(TimestampedOutput):
    id = serializers.CharField()
    name = serializers.CharField()
    currency_code = serializers.CharField()
    tax_rate = serializers.FloatField()
    countries = serializers.JSONField()
    payment_providers = serializers.JSONField()
    fulfillment_providers = serializers.JSONField()
    metadata = Metadata()


class ShippingOptionOutput(TimestampedOutput):
    id = serializers.CharField()
    name = serializers.CharField()
    region_id = serializers.CharField()
    provider_id = serializers.CharField()
    price_type = serializers.CharField()
    amount = serializers.IntegerField(allow_null=True)
    is_return = serializers.BooleanField()
    admin_only = serializers.BooleanField()
    data = serializers.JSONField()
    metadata = Metadata()


ITEMS_VARIANT = "items.variant"


class OrderColumns(TimestampedOutput):
    """An order's own columns (what `expand=line_item` shows of the line's order)."""

    id = serializers.CharField()
    display_id = serializers.IntegerField()
    status = serializers.CharField()
    fulfillment_status = serializers.CharField()
    payment_status = serializers.CharField()
    email = serializers.CharField()
    currency_code = serializers.CharField()
    region_id = serializers.CharField(allow_null=True)
    sales_channel_id = serializers.CharField()
    draft_order_id = serializers.CharField(allow_null=True)
    customer_id = serializers.CharField(allow_null=True)
    no_notification = serializers.BooleanField(allow_null=True)
    metadata = Metadata()
    canceled_at = Timestamp(allow_null=True)


class LineItemColumns(TimestampedOutput):
    """A line item's own columns."""

    id = serializers.CharField()
    order_id = serializers.CharField()
    variant_id = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    unit_price = serializers.IntegerField()
    quantity = serializers.IntegerField()
    fulfilled_quantity = serializers.IntegerField()
    returned_quantity = serializers.IntegerField()
    shipped_quantity = serializers.IntegerField()
    metadata = Metadata()


class ReservedLineOutput(LineItemColumns):
    order = OrderColumns()


class ReservationOutput(ReservationColumns):
    """A reservation; `expand=line_item` shows its line and the line's order."""

    line_item = ReservedLineOutput(allow_null=True)

    class Meta:
        expandable = ("inventory_item", "line_item")


class LineItemOutput(LineItemColumns):
    subtotal = serializers.SerializerMethodField()
    variant = VariantWithProductOutput(allow_null=True)

    class Meta:
        expandable = ("variant",)

    def get_subtotal(self, obj) -> int:
        return obj.unit_price * obj.quantity


class FulfillmentItemOutput(Output):
    item_id = serializers.CharField()
    fulfillment_id = serializers.CharField()
    quantity = serializers.IntegerField()


class FulfillmentOutput(TimestampedOutput):
    id = serializers.CharField()
    order_id = serializers.CharField()
    location_id = serializers.CharField()
    provider_id = serializers.CharField()
    tracking_numbers = serializers.JSONField()
    items = FulfillmentItemOutput(many=True)
    no_notification = serializers.BooleanField(allow_null=True)
    metadata = Metadata()
    shipped_at = Timestamp(allow_null=True)
    canceled_at = Timestamp(allow_null=True)


class ReturnItemOutput(Output):
    item_id = serializers.CharField()
    return_id = serializers.CharField(source="return_order_id")
    quantity = serializers.IntegerField()
    received_quantity = serializers.IntegerField(allow_null=True)
    note = serializers.CharField(allow_null=True)


class ReturnOutput(TimestampedOutput):
    id = serializers.CharField()
    order_id = serializers.CharField()
    location_id = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    items = ReturnItemOutput(many=True)
    note = serializers.CharField(allow_null=True)
    refund_amount = serializers.IntegerField()
    no_notification = serializers.BooleanField(allow_null=True)
    metadata = Metadata()
    received_at = Timestamp(allow_null=True)


class TotalsMixin(serializers.Serializer):
    subtotal = serializers.SerializerMethodField()
    shipping_total = serializers.SerializerMethodField()
    tax_total = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()

    def _totals(self, obj) -> dict[str, int]:
        """Computed once per rendered object, read by the four fields."""
        if "_totals" not in obj.__dict__:
            obj._totals = totals(obj.items.all(), obj.shipping_methods, obj.tax_rate)
        return obj._totals

    def get_subtotal(self, obj) -> int:
        return self._totals(obj)["subtotal"]

    def get_shipping_total(self, obj) -> int:
        return self._totals(obj)["shipping_total"]

    def get_tax_total(self, obj) -> int:
        return self._totals(obj)["tax_total"]

    def get_total(self, obj) -> int:
        return self._totals(obj)["total"]


class OrderOutput(OrderColumns, TotalsMixin):
    shipping_address = serializers.JSONField(allow_null=True)
    billing_address = serializers.JSONField(allow_null=True)
    shipping_methods = serializers.JSONField()
    items = LineItemOutput(many=True)
    fulfillments = FulfillmentOutput(many=True)
    returns = ReturnOutput(many=True)

    class Meta:
        # Not a field: `expand=items.variant` renders OrderWithVariantsOutput (see the views).
        expandable = (ITEMS_VARIANT,)


class LineItemWithVariantOutput(LineItemOutput):
    class Meta:
        expandable = ()


class OrderWithVariantsOutput(OrderOutput):
    """An order whose lines show their `variant` (`expand=items.variant`)."""

    items = LineItemWithVariantOutput(many=True)


# Inputs -----------------------------------------------------------------------------------


class RegionCreateInput(Input):
    name = f.Str()
    currency_code = f.Str(max_length=3)
    tax_rate = f.Rate(required=False)
    countries = f.List(child=f.Str(max_length=2), required=False)
    payment_providers = f.List(child=f.Id(), required=False)
    fulfillment_providers = f.List(child=f.Id(), required=False)
    metadata = f.JsonObject(required=False)


class RegionUpdateInput(RegionCreateInput):
    name = f.Str(required=False)
    currency_code = f.Str(max_length=3, required=False)


class ShippingOptionCreateInput(Input):
    name = f.Str()
    region_id = f.Id()
    provider_id = f.Id(required=False)
    price_type = serializers.ChoiceField(
        choices=["flat_rate", "calculated"],
        required=False,
        error_messages={"invalid_choice": "must be one of flat_rate, calculated"},
    )
    amount = f.Quantity(required=False, allow_null=True)
    is_return = f.Bool(required=False)
    admin_only = f.Bool(required=False)
    data = f.JsonObject(required=False, allow_null=False)
    metadata = f.JsonObject(required=False)
    requirements = f.JsonValue(required=False)

    def validate(self, attrs):
        attrs.pop("requirements", None)  # accepted for Medusa clients; not modelled
        return attrs


class ShippingOptionUpdateInput(ShippingOptionCreateInput):
    name = f.Str(required=False)
    region_id = None


class OrderUpdateInput(Input):
    email = f.Email(required=False)
    shipping_address = f.JsonObject(required=False)
    billing_address = f.JsonObject(required=False)
    metadata = f.JsonObject(required=False)
    no_notification = f.Bool(required=False)


class ItemQuantityInput(Input):
    item_id = f.Id()
    quantity = f.PositiveInt()


class FulfillmentCreateInput(Input):
    items = f.List(child=ItemQuantityInput(), min_length=1)
    location_id = f.Id(required=False)
    no_notification = f.Bool(required=False)
    metadata = f.JsonObject(required=False)


class ShipmentInput(Input):
    fulfillment_id = f.Id()
    tracking_numbers = f.List(child=f.Str(), required=False)
    no_notification = f.Bool(required=False)


class ReturnItemInput(ItemQuantityInput):
    note = f.Text(required=False)
    reason_id = f.Id(required=False)


class ReturnRequestInput(Input):
    items = f.List(child=ReturnItemInput(), min_length=1)
    location_id = f.Id(required=False)
    receive_now = f.Bool(required=False)
    note = f.Text(required=False)
    no_notification = f.Bool(required=False)
    refund = f.Int(required=False)
    return_shipping = f.JsonObject(required=False)

    def validate(self, attrs):
        attrs.pop("return_shipping", None)  # accepted for Medusa clients; not modelled
        for item in attrs["items"]:
            item.pop("reason_id", None)
        return attrs


class ReturnReceiveInput(Input):
    items = f.List(child=ItemQuantityInput(), required=False)
    location_id = f.Id(required=False)
    refund = f.Int(required=False)

    def validate(self, attrs):
        attrs.pop("refund", None)  # refunds are not modelled
        return attrs


class LineReserveInput(Input):
    location_id = f.Id()
    quantity = f.PositiveInt(required=False)
