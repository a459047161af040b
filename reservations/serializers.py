"""Request bodies and response shapes of `/admin/reservations`."""

from rest_framework import serializers

from config.api import fields as f
from config.api.output import Metadata, Timestamp
from config.api.serializers import Input, TimestampedOutput
from inventory.serializers import InventoryItemOutput


class ReservationOutput(TimestampedOutput):
    id = serializers.CharField()
    line_item_id = serializers.CharField(allow_null=True)
    inventory_item_id = serializers.CharField()
    location_id = serializers.CharField()
    quantity = serializers.IntegerField()
    description = serializers.CharField(allow_null=True)
    created_by = serializers.CharField(allow_null=True)
    external_id = serializers.CharField(allow_null=True)
    metadata = Metadata()
    expires_at = Timestamp(allow_null=True)
    inventory_item = InventoryItemOutput()

    class Meta:
        expandable = ("inventory_item",)


class ReservationCreateInput(Input):
    location_id = f.Id()
    inventory_item_id = f.Id()
    quantity = f.PositiveInt()
    line_item_id = f.Id(required=False, allow_null=True)
    description = f.Text(required=False)
    metadata = f.JsonObject(required=False)
    expires_at = f.Timestamp(required=False, allow_null=True)


class ReservationUpdateInput(Input):
    quantity = f.PositiveInt(required=False)
    location_id = f.Id(required=False)
    description = f.Text(required=False)
    metadata = f.JsonObject(required=False)
    expires_at = f.Timestamp(required=False, allow_null=True)
