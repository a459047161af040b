"""Request bodies (inputs) and response shapes (outputs) of the inventory routes."""

from django.db.models import Value
from rest_framework import serializers

from config.api import fields as f
from config.api.output import Metadata, Timestamp, Total
from config.api.serializers import Input, Output, TimestampedOutput
from inventory.models import InventoryLevel, Product, StockMovement

# Outputs ----------------------------------------------------------------------------------


class AddressOutput(TimestampedOutput):
    id = serializers.CharField()
    address_1 = serializers.CharField()
    address_2 = serializers.CharField(allow_null=True)
    company = serializers.CharField(allow_null=True)
    city = serializers.CharField(allow_null=True)
    country_code = serializers.CharField()
    phone = serializers.CharField(allow_null=True)
    province = serializers.CharField(allow_null=True)
    postal_code = serializers.CharField(allow_null=True)
    metadata = Metadata()


class SalesChannelLocationOutput(Output):
    id = serializers.CharField()
    sales_channel_id = serializers.CharField()
    location_id = serializers.CharField()
    rank = serializers.IntegerField()
    created_at = Timestamp()


class SalesChannelOutput(TimestampedOutput):
    id = serializers.CharField()
    name = serializers.CharField()
    description = serializers.CharField(allow_null=True)
    is_disabled = serializers.BooleanField()
    is_default = serializers.BooleanField()
    metadata = Metadata()
    deleted_at = serializers.SerializerMethodField()
    locations = SalesChannelLocationOutput(source="location_links", many=True)

    class Meta:
        expandable = ("locations",)
        sql = {"deleted_at": Value(None)}

    def get_deleted_at(self, obj) -> str | None:
        return None


class StockLocationOutput(TimestampedOutput):
    id = serializers.CharField()
    name = serializers.CharField()
    address_id = serializers.CharField(allow_null=True)
    metadata = Metadata()
    address = AddressOutput(allow_null=True)
    sales_channels = SalesChannelOutput(many=True)

    class Meta:
        expandable = ("address", "sales_channels")


class LevelOutput(TimestampedOutput):
    id = serializers.CharField()
    inventory_item_id = serializers.CharField()
    location_id = serializers.CharField()
    stocked_quantity = serializers.IntegerField()
    reserved_quantity = serializers.IntegerField()
    incoming_quantity = serializers.IntegerField()
    available_quantity = serializers.IntegerField()
    metadata = Metadata()

    class Meta:
        sql = {"available_quantity": InventoryLevel.AVAILABLE}


class CustomsOutput(TimestampedOutput):
    hs_code = serializers.CharField(allow_null=True)
    origin_country = serializers.CharField(allow_null=True)
    mid_code = serializers.CharField(allow_null=True)
    material = serializers.CharField(allow_null=True)
    weight = serializers.IntegerField(allow_null=True)
    length = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    width = serializers.IntegerField(allow_null=True)


class InventoryItemOutput(CustomsOutput):
    id = serializers.CharField()
    sku = serializers.CharField(allow_null=True)
    title = serializers.CharField(allow_null=True)
    description = serializers.CharField(allow_null=True)
    thumbnail = serializers.CharField(allow_null=True)
    requires_shipping = serializers.BooleanField()
    metadata = Metadata()


class InventoryItemWithLevelsOutput(InventoryItemOutput):
    location_levels = LevelOutput(many=True)
    stocked_quantity = Total("location_levels", "stocked_quantity")
    reserved_quantity = Total("location_levels", "reserved_quantity")


class ProductBriefOutput(TimestampedOutput):
    id = serializers.CharField()
    title = serializers.CharField()
    subtitle = serializers.CharField(allow_null=True)
    description = serializers.CharField(allow_null=True)
    handle = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    thumbnail = serializers.CharField(allow_null=True)
    is_giftcard = serializers.BooleanField()
    discountable = serializers.BooleanField()
    metadata = Metadata()


class VariantInventoryLinkOutput(Output):
    id = serializers.CharField()
    variant_id = serializers.CharField()
    inventory_item_id = serializers.CharField()
    required_quantity = serializers.IntegerField()


class VariantColumnsOutput(CustomsOutput):
    """A variant's own columns."""

    id = serializers.CharField()
    product_id = serializers.CharField()
    title = serializers.CharField()
    sku = serializers.CharField(allow_null=True)
    barcode = serializers.CharField(allow_null=True)
    ean = serializers.CharField(allow_null=True)
    upc = serializers.CharField(allow_null=True)
    manage_inventory = serializers.BooleanField()
    allow_backorder = serializers.BooleanField()
    inventory_quantity = serializers.SerializerMethodField()
    variant_rank = serializers.IntegerField()
    prices = serializers.JSONField()
    options = serializers.JSONField()
    metadata = Metadata()

    def get_inventory_quantity(self, obj) -> int:
        return 0

    class Meta:
        sql = {"inventory_quantity": Value(0)}


class VariantOutput(VariantColumnsOutput):
    inventory_items = VariantInventoryLinkOutput(source="inventory_links", many=True)


class VariantWithProductOutput(VariantOutput):
    product = ProductBriefOutput()


class ItemVariantOutput(VariantColumnsOutput):
    """A variant as the inventory-items list shows it: its columns and its product's."""

    product = ProductBriefOutput()


class InventoryItemListOutput(InventoryItemWithLevelsOutput):
    variants = ItemVariantOutput(many=True)


class ProductOutput(ProductBriefOutput):
    options = serializers.JSONField()
    images = serializers.JSONField(allow_null=True)
    tags = serializers.JSONField(allow_null=True)
    type = serializers.JSONField(allow_null=True)
    collection_id = serializers.CharField(allow_null=True)
    sales_channels = serializers.JSONField(allow_null=True)
    categories = serializers.JSONField(allow_null=True)
    variants = VariantOutput(many=True)


class ChannelAvailabilityOutput(Output):
    channel_name = serializers.CharField()
    channel_id = serializers.CharField()
    available_quantity = serializers.IntegerField()


class VariantInventoryOutput(Output):
    id = serializers.CharField()
    inventory = InventoryItemWithLevelsOutput(many=True)
    sales_channel_availability = serializers.ListField(child=serializers.DictField())


class LevelsOnlyOutput(Output):
    id = serializers.CharField()
    location_levels = LevelOutput(many=True)


# Inputs -----------------------------------------------------------------------------------


class AddressInput(Input):
    address_1 = f.Str()
    country_code = f.Str(max_length=255)
    address_2 = f.Str(required=False, allow_null=True, allow_blank=True)
    company = f.Str(required=False, allow_null=True, allow_blank=True)
    city = f.Str(required=False, allow_null=True, allow_blank=True)
    phone = f.Str(required=False, allow_null=True, allow_blank=True)
    province = f.Str(required=False, allow_null=True, allow_blank=True)
    postal_code = f.Str(required=False, allow_null=True, allow_blank=True)
    metadata = f.JsonObject(required=False)


class AddressUpdateInput(AddressInput):
    address_1 = f.Str(required=False)
    country_code = f.Str(required=False)


class StockLocationCreateInput(Input):
    name = f.Str()
    address = AddressInput(required=False)
    address_id = f.Id(required=False)
    metadata = f.JsonObject(required=False)


class StockLocationUpdateInput(StockLocationCreateInput):
    name = f.Str(required=False)
    address = AddressUpdateInput(required=False)


class SalesChannelCreateInput(Input):
    name = f.Str()
    description = f.Text(required=False)
    is_disabled = f.Bool(required=False)
    metadata = f.JsonObject(required=False)


class SalesChannelUpdateInput(SalesChannelCreateInput):
    name = f.Str(required=False)


class LocationLinkInput(Input):
    location_id = f.Id()


class CustomsInput(Input):
    hs_code = f.Str(required=False, allow_null=True)
    origin_country = f.Str(required=False, allow_null=True)
    mid_code = f.Str(required=False, allow_null=True)
    material = f.Str(required=False, allow_null=True)
    weight = f.Quantity(required=False, allow_null=True)
    length = f.Quantity(required=False, allow_null=True)
    height = f.Quantity(required=False, allow_null=True)
    width = f.Quantity(required=False, allow_null=True)


class PriceInput(Input):
    id = f.Id(required=False)
    currency_code = f.Str(max_length=3)
    amount = f.Quantity()
    region_id = f.Id(required=False)


class VariantOptionInput(Input):
    option_id = f.Id(required=False)
    value = f.Str()


class VariantCreateInput(CustomsInput):
    title = f.Str()
    sku = f.Str(required=False, allow_null=True)
    barcode = f.Str(required=False, allow_null=True)
    ean = f.Str(required=False, allow_null=True)
    upc = f.Str(required=False, allow_null=True)
    manage_inventory = f.Bool(required=False)
    allow_backorder = f.Bool(required=False)
    inventory_quantity = f.Quantity(required=False)
    variant_rank = f.Quantity(required=False)
    prices = f.List(child=PriceInput(), required=False)
    options = f.List(child=VariantOptionInput(), required=False)
    metadata = f.JsonObject(required=False)

    def validate(self, attrs):
        attrs.pop("inventory_quantity", None)  # Medusa's legacy counter; levels hold stock here
        return attrs


class ProductOptionInput(Input):
    title = f.Str()


class ProductCreateInput(Input):
    title = f.Str()
    subtitle = f.Str(required=False, allow_null=True)
    description = f.Text(required=False)
    handle = f.Str(required=False, allow_null=True)
    status = serializers.ChoiceField(
        choices=Product.Status.choices,
        required=False,
        error_messages={"invalid_choice": "must be one of draft, proposed, published, rejected"},
    )
    thumbnail = f.Text(required=False)
    is_giftcard = f.Bool(required=False)
    discountable = f.Bool(required=False)
    metadata = f.JsonObject(required=False)
    options = f.List(child=ProductOptionInput(), required=False)
    variants = f.List(child=VariantCreateInput(), required=False)
    images = f.JsonValue(required=False)
    tags = f.JsonValue(required=False)
    type = f.JsonValue(required=False)
    collection_id = f.Id(required=False, allow_null=True)
    sales_channels = f.JsonValue(required=False)
    categories = f.JsonValue(required=False)


class ProductUpdateInput(ProductCreateInput):
    title = f.Str(required=False)
    variants = None


class InventoryItemUpdateInput(CustomsInput):
    sku = f.Str(required=False, allow_null=True)
    title = f.Str(required=False, allow_null=True)
    description = f.Text(required=False)
    thumbnail = f.Text(required=False)
    requires_shipping = f.Bool(required=False)
    metadata = f.JsonObject(required=False)


class InventoryItemCreateInput(InventoryItemUpdateInput):
    variant_id = f.Id(required=False)
    required_quantity = f.PositiveInt(required=False)

    def validate(self, attrs):
        if "required_quantity" in attrs and "variant_id" not in attrs:
            raise serializers.ValidationError(
                {"required_quantity": "needs variant_id"}, code="invalid"
            )
        return attrs


class LevelCreateInput(Input):
    location_id = f.Id()
    stocked_quantity = f.Quantity()
    incoming_quantity = f.Quantity(required=False)
    metadata = f.JsonObject(required=False)


class LocationColumns(TimestampedOutput):
    """A stock location's own columns (what `expand=location` shows)."""

    id = serializers.CharField()
    name = serializers.CharField()
    address_id = serializers.CharField(allow_null=True)
    metadata = Metadata()


class StockMovementOutput(Output):
    id = serializers.CharField()
    inventory_item_id = serializers.CharField()
    location_id = serializers.CharField()
    reason = serializers.CharField()
    stocked_delta = serializers.IntegerField()
    reserved_delta = serializers.IntegerField()
    incoming_delta = serializers.IntegerField()
    stocked_after = serializers.IntegerField()
    reserved_after = serializers.IntegerField()
    incoming_after = serializers.IntegerField()
    reservation_id = serializers.CharField(allow_null=True)
    line_item_id = serializers.CharField(allow_null=True)
    order_id = serializers.CharField(allow_null=True)
    fulfillment_id = serializers.CharField(allow_null=True)
    return_id = serializers.CharField(allow_null=True)
    transfer_id = serializers.CharField(allow_null=True)
    reference = serializers.CharField(allow_null=True)
    note = serializers.CharField(allow_null=True)
    created_by = serializers.CharField(allow_null=True)
    created_at = Timestamp()
    inventory_item = InventoryItemOutput(allow_null=True)
    location = LocationColumns(allow_null=True)

    class Meta:
        expandable = ("inventory_item", "location")


def manual_reason(**kwargs):
    reasons = StockMovement.MANUAL_REASONS
    return serializers.ChoiceField(
        choices=reasons,
        error_messages={
            **f.COMMON_MESSAGES,
            "invalid_choice": f"must be one of {', '.join(reasons)}",
        },
        **kwargs,
    )


class StockChangeInput(Input):
    """Why a level's stock changes, and the stock the client expects it to have now."""

    reference = f.Str(required=False, allow_null=True)
    note = f.Text(required=False)
    expected_stocked_quantity = f.Quantity(required=False)


class StockMovementCreateInput(StockChangeInput):
    inventory_item_id = f.Id()
    location_id = f.Id()
    stocked_delta = f.NonZeroInt()
    reason = manual_reason()


class LevelUpdateInput(StockChangeInput):
    stocked_quantity = f.Quantity(required=False)
    incoming_quantity = f.Quantity(required=False)
    metadata = f.JsonObject(required=False)
    reason = manual_reason(required=False)


# The batch route: `inventory.batch.read_body` reads its body row by row (a bad row is an
# error of its own); these describe it in the schema.


class LevelBatchCreateRow(Input):
    inventory_item_id = f.Id(required=False, help_text="the item, or `sku`")
    sku = f.Str(required=False, help_text="the item's SKU, instead of `inventory_item_id`")
    location_id = f.Id()
    stocked_quantity = f.Quantity(required=False)
    incoming_quantity = f.Quantity(required=False)


class LevelBatchUpdateRow(StockChangeInput, LevelBatchCreateRow):
    stocked_delta = f.Int(required=False, help_text="added to the stock, instead of a quantity")
    reason = manual_reason(required=False, help_text="recorded in the ledger; default correction")


class LevelBatchInput(Input):
    create = LevelBatchCreateRow(many=True, required=False)
    update = LevelBatchUpdateRow(many=True, required=False)
    delete = f.List(child=f.Id(), required=False, help_text="inventory level ids")
    atomic = f.Bool(required=False, help_text="true (default): any bad row and nothing is written")


class BatchRowErrorOutput(Output):
    index = serializers.IntegerField(help_text="the row's position in its section")
    section = serializers.ChoiceField(choices=["create", "update", "delete"])
    type = serializers.CharField()
    code = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class LevelBatchOutput(Output):
    created = LevelOutput(many=True)
    updated = LevelOutput(many=True)
    deleted = serializers.ListField(child=serializers.CharField())
    errors = BatchRowErrorOutput(many=True)
