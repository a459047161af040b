"""Request bodies and response shapes of `/admin/reservations`."""

from rest_framework import serializers

from config.api import fields as f
from config.api.output import Timestamp
from config.api.serializers import Input, TimestampedOutput
from inventory.serializers import InventoryItemOutput


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
    metadata = serializers.JSONField(allow_null=True)
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
    metadata = serializers.JSONField(allow_null=True)


class ReservedLineOutput(LineItemColumns):
    order = OrderColumns()


class ReservationOutput(TimestampedOutput):
    id = serializers.CharField()
    line_item_id = serializers.CharField(allow_null=True)
    inventory_item_id = serializers.CharField()
    location_id = serializers.CharField()
    quantity = serializers.IntegerField()
    description = serializers.CharField(allow_null=True)
    created_by = serializers.CharField(allow_null=True)
    external_id = serializers.CharField(allow_null=True)
    metadata = serializers.JSONField(allow_null=True)
    inventory_item = InventoryItemOutput()
    line_item = ReservedLineOutput(allow_null=True)

    class Meta:
        expandable = ("inventory_item", "line_item")


class ReservationCreateInput(Input):
    location_id = f.Id()
    inventory_item_id = f.Id()
    quantity = f.PositiveInt()
    line_item_id = f.Id(required=False, allow_null=True)
    description = f.Text(required=False)
    metadata = f.JsonObject(required=False)


class ReservationUpdateInput(Input):
    quantity = f.PositiveInt(required=False)
    location_id = f.Id(required=False)
    description = f.Text(required=False)
    metadata = f.JsonObject(required=False)
