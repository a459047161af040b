"""Request bodies and response shapes of `/admin/draft-orders`."""

from rest_framework import serializers

from config.api import fields as f
from config.api.output import Metadata, Timestamp
from config.api.serializers import Input, Output, TimestampedOutput
from orders.serializers import TotalsMixin


class DraftLineOutput(TimestampedOutput):
    id = serializers.CharField()
    cart_id = serializers.CharField(source="draft_order.cart_id")
    variant_id = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    unit_price = serializers.IntegerField()
    quantity = serializers.IntegerField()
    subtotal = serializers.SerializerMethodField()
    metadata = Metadata()

    def get_subtotal(self, obj) -> int:
        return obj.unit_price * obj.quantity


class CartOutput(Output, TotalsMixin):
    id = serializers.CharField(source="cart_id")
    email = serializers.CharField()
    region_id = serializers.CharField(allow_null=True)
    sales_channel_id = serializers.CharField()
    customer_id = serializers.CharField(allow_null=True)
    currency_code = serializers.CharField()
    shipping_address = serializers.JSONField(allow_null=True)
    billing_address = serializers.JSONField(allow_null=True)
    items = DraftLineOutput(many=True)
    shipping_methods = serializers.JSONField()


class DraftOrderOutput(TimestampedOutput):
    id = serializers.CharField()
    status = serializers.CharField()
    display_id = serializers.IntegerField()
    order_id = serializers.CharField(allow_null=True)
    cart_id = serializers.CharField()
    canceled_at = Timestamp(allow_null=True)
    completed_at = Timestamp(allow_null=True)
    no_notification_order = serializers.BooleanField(allow_null=True)
    metadata = Metadata()
    cart = CartOutput(source="*")


class DraftItemInput(Input):
    variant_id = f.Id(required=False)
    title = f.Str(required=False)
    unit_price = f.Int(required=False)
    quantity = f.PositiveInt()
    metadata = f.JsonObject(required=False)


class ShippingMethodInput(Input):
    option_id = f.Id()
    price = f.Quantity(required=False)
    data = f.JsonObject(required=False)


class Address(f.JsonObject):
    """An address object (Medusa also takes an address id, which this service does not keep)."""


class DraftOrderUpdateInput(Input):
    email = f.Email(required=False)
    region_id = f.Id(required=False)
    sales_channel_id = f.Id(required=False)
    customer_id = f.Id(required=False, allow_null=True)
    shipping_address = Address(required=False)
    billing_address = Address(required=False)
    shipping_methods = f.List(child=ShippingMethodInput(), required=False)
    no_notification_order = f.Bool(required=False, allow_null=True)
    metadata = f.JsonObject(required=False)


class DraftOrderCreateInput(DraftOrderUpdateInput):
    email = f.Email()
    items = f.List(child=DraftItemInput(), required=False)
    discounts = f.List(child=f.JsonObject(), required=False, max_length=0)


class DraftLineUpdateInput(Input):
    title = f.Str(required=False)
    unit_price = f.Int(required=False)
    quantity = f.Quantity(required=False)
    metadata = f.JsonObject(required=False)
