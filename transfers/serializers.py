"""Request bodies and response shapes of `/admin/stock-transfers`."""

from rest_framework import serializers

from config.api import fields as f
from config.api.output import Metadata, Timestamp
from config.api.serializers import Input, Output, TimestampedOutput


class StockTransferItemOutput(Output):
    inventory_item_id = serializers.CharField()
    quantity = serializers.IntegerField()
    received_quantity = serializers.IntegerField()


class StockTransferOutput(TimestampedOutput):
    id = serializers.CharField()
    status = serializers.CharField()
    from_location_id = serializers.CharField()
    to_location_id = serializers.CharField()
    items = StockTransferItemOutput(many=True)
    reference = serializers.CharField(allow_null=True)
    note = serializers.CharField(allow_null=True)
    metadata = Metadata()
    shipped_at = Timestamp(allow_null=True)
    received_at = Timestamp(allow_null=True)
    canceled_at = Timestamp(allow_null=True)


class TransferItemInput(Input):
    inventory_item_id = f.Id()
    quantity = f.PositiveInt()


class StockTransferUpdateInput(Input):
    from_location_id = f.Id(required=False)
    to_location_id = f.Id(required=False)
    items = f.List(child=TransferItemInput(), min_length=1, required=False)
    reference = f.Str(required=False, allow_null=True)
    note = f.Text(required=False)
    metadata = f.JsonObject(required=False)


class StockTransferCreateInput(StockTransferUpdateInput):
    from_location_id = f.Id()
    to_location_id = f.Id()
    items = f.List(child=TransferItemInput(), min_length=1)


class StockTransferReceiveInput(Input):
    items = f.List(child=TransferItemInput(), min_length=1, required=False)
