"""Routes of stock locations, sales channels, products, variants and inventory items."""

from types import SimpleNamespace

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from config.api.output import dump, plan_for
from config.api.query import parse_query
from config.api.schema import DELETED, documented, envelope, filter_parameters
from config.api.viewsets import ResourceViewSet
from inventory import batch, filters, selectors, services
from inventory import serializers as s


@documented
class StockLocationViewSet(ResourceViewSet):
    resource, plural, output = "stock_location", "stock_locations", s.StockLocationOutput
    filterset = filters.StockLocationFilter
    create_input, update_input = s.StockLocationCreateInput, s.StockLocationUpdateInput
    order_fields = ResourceViewSet.order_fields | {"name"}

    def list_queryset(self, filters, expand):
        return selectors.stock_location_list(filters_data=filters, expand=expand)

    def get_instance(self, pk, expand=()):
        return selectors.stock_location_get(location_id=pk, expand=expand)

    def create(self, request):
        location = services.stock_location_create(**self.validated(self.create_input))
        return self.one(self.get_instance(location.pk))

    def update(self, request, pk):
        services.stock_location_update(location_id=pk, **self.validated(self.update_input))
        return self.one(self.get_instance(pk))

    def destroy(self, request, pk):
        services.stock_location_delete(location_id=pk)
        return self.deleted(pk)


@documented
class SalesChannelViewSet(ResourceViewSet):
    resource, plural, output = "sales_channel", "sales_channels", s.SalesChannelOutput
    filterset = filters.SalesChannelFilter
    create_input, update_input = s.SalesChannelCreateInput, s.SalesChannelUpdateInput
    order_fields = ResourceViewSet.order_fields | {"name"}

    def list_queryset(self, filters, expand):
        return selectors.sales_channel_list(filters_data=filters, expand=expand)

    def get_instance(self, pk, expand=()):
        return selectors.sales_channel_get(sales_channel_id=pk, expand=expand)

    def create(self, request):
        return self.one(services.sales_channel_create(**self.validated(self.create_input)))

    def update(self, request, pk):
        data = self.validated(self.update_input)
        return self.one(services.sales_channel_update(sales_channel_id=pk, **data))

    def destroy(self, request, pk):
        services.sales_channel_delete(sales_channel_id=pk)
        return self.deleted(pk, "sales-channel")

    @extend_schema(request=s.LocationLinkInput, responses=envelope(resource, output))
    @action(detail=True, methods=["post"], url_path="stock-locations")
    def stock_locations(self, request, pk):
        """Link a stock location to a sales channel

        Linking twice is harmless; the new link comes last in the channel's location order."""
        data = self.validated(s.LocationLinkInput)
        channel = services.sales_channel_location_add(sales_channel_id=pk, **data)
        return self.one(channel)

    @extend_schema(request=s.LocationLinkInput, responses=DELETED)
    @stock_locations.mapping.delete
    def stock_locations_remove(self, request, pk):
        """Unlink a stock location from a sales channel"""
        data = self.validated(s.LocationLinkInput)
        services.sales_channel_location_remove(sales_channel_id=pk, **data)
        return self.deleted(pk, "stock-location")


@documented
class ProductViewSet(ResourceViewSet):
    resource, plural, output = "product", "products", s.ProductOutput
    filterset = filters.ProductFilter
    create_input, update_input = s.ProductCreateInput, s.ProductUpdateInput
    order_fields = ResourceViewSet.order_fields | {"title", "handle", "status"}

    def list_queryset(self, filters, expand):
        return selectors.product_list(filters_data=filters)

    def get_instance(self, pk, expand=()):
        return selectors.product_get(product_id=pk)

    def create(self, request):
        product = services.product_create(**self.validated(self.create_input))
        return self.one(self.get_instance(product.pk))

    def update(self, request, pk):
        services.product_update(product_id=pk, **self.validated(self.update_input))
        return self.one(self.get_instance(pk))

    def destroy(self, request, pk):
        services.product_delete(product_id=pk)
        return self.deleted(pk)

    @extend_schema(request=s.VariantCreateInput, responses=envelope(resource, output))
    @action(detail=True, methods=["post"], url_path="variants")
    def variants(self, request, pk):
        """Add a variant to a product"""
        services.variant_create(product_id=pk, **self.validated(s.VariantCreateInput))
        return self.one(self.get_instance(pk))


@documented
class VariantViewSet(ResourceViewSet):
    resource, plural, output = "variant", "variants", s.VariantWithProductOutput
    filterset = filters.VariantFilter
    order_fields = ResourceViewSet.order_fields | {"title", "sku", "variant_rank"}

    def list_queryset(self, filters, expand):
        return selectors.variant_list(filters_data=filters)

    def get_instance(self, pk, expand=()):
        return selectors.variant_get(variant_id=pk)

    @extend_schema(responses=envelope("variant", s.VariantInventoryOutput))
    @action(detail=True, methods=["get"], url_path="inventory")
    def inventory(self, request, pk):
        """Get a variant's inventory

        Its inventory items with their levels, and what is available in each sales channel."""
        data = selectors.variant_inventory(variant_id=pk)
        return self.one(data, output=s.VariantInventoryOutput)


@documented
class InventoryItemViewSet(ResourceViewSet):
    resource, plural, output = "inventory_item", "inventory_items", s.InventoryItemListOutput
    filterset = filters.InventoryItemFilter
    create_input, update_input = s.InventoryItemCreateInput, s.InventoryItemUpdateInput
    order_fields = ResourceViewSet.order_fields | {"sku", "title"}
    detail_output = s.InventoryItemWithLevelsOutput

    def list_queryset(self, filters, expand):
        return selectors.inventory_item_list(filters_data=filters)

    def get_instance(self, pk, expand=()):
        return selectors.inventory_item_get(item_id=pk)

    def create(self, request):
        item = services.inventory_item_create(**self.validated(self.create_input))
        return self.one(self.get_instance(item.pk), output=self.detail_output)

    def update(self, request, pk):
        services.inventory_item_update(item_id=pk, **self.validated(self.update_input))
        return self.one(self.get_instance(pk), output=self.detail_output)

    def destroy(self, request, pk):
        services.inventory_item_delete(item_id=pk)
        return self.deleted(pk)

    @extend_schema(
        parameters=filter_parameters(filters.LevelFilter),
        responses=envelope(resource, s.LevelsOnlyOutput),
    )
    @action(detail=True, methods=["get"], url_path="location-levels")
    def location_levels(self, request, pk):
        """List an inventory item's levels"""
        selectors.inventory_item_get(item_id=pk)
        levels = selectors.inventory_level_list(
            item_id=pk, filters_data=parse_query(request.query_params)
        )
        body = SimpleNamespace(id=pk, location_levels=levels)
        return self.one(body, output=s.LevelsOnlyOutput)

    @extend_schema(request=s.LevelCreateInput, responses=envelope(resource, detail_output))
    @location_levels.mapping.post
    def location_level_create(self, request, pk):
        """Stock an inventory item at a location"""
        data = self.validated(s.LevelCreateInput)
        services.inventory_level_create(item_id=pk, **data)
        return self.one(self.get_instance(pk), output=self.detail_output)

    @extend_schema(request=s.LevelBatchInput, responses=s.LevelBatchOutput)
    @action(detail=False, methods=["post"], url_path="location-levels/batch")
    def location_levels_batch(self, request):
        """Create, update and delete levels in bulk

        Up to 10,000 rows; items by id or SKU. Atomic (default): any bad row answers 400 with
        every row's error, and nothing is written. With `atomic: false` the good rows are
        applied and the bad ones listed in `errors`."""
        result = batch.levels_batch(**batch.read_body(request.data))
        if not result.written:  # atomic, and some rows are bad
            count = len({(e["section"], e["index"]) for e in result.errors})
            message = f"{count} rows cannot be applied; nothing was written"
            body = {"type": "invalid_data", "message": message, "errors": result.errors}
            return Response(body, status=400)
        found = selectors.inventory_levels_by_id([lv.pk for lv in result.created + result.updated])
        level = plan_for(s.LevelOutput)
        return Response(
            {
                "created": [dump(found[row.pk], level) for row in result.created],
                "updated": [dump(found[row.pk], level) for row in result.updated],
                "deleted": result.deleted,
                "errors": result.errors,
            }
        )

    @extend_schema(request=s.LevelUpdateInput, responses=envelope(resource, detail_output))
    @action(
        detail=True,
        methods=["post"],
        url_path=r"location-levels/(?P<location_id>[A-Za-z0-9_\-]+)",
    )
    def location_level(self, request, pk, location_id):
        """Update an inventory item's level at a location

        Recorded as a `correction` movement unless `reason` is given; with
        `expected_stocked_quantity`, a level whose stock differs is left alone (409)."""
        data = self.validated(s.LevelUpdateInput)
        services.inventory_level_update(item_id=pk, location_id=location_id, **data)
        return self.one(self.get_instance(pk), output=self.detail_output)

    @extend_schema(responses=envelope(resource, detail_output))
    @location_level.mapping.delete
    def location_level_delete(self, request, pk, location_id):
        """Delete an inventory item's level at a location"""
        services.inventory_level_delete(item_id=pk, location_id=location_id)
        return self.one(self.get_instance(pk), output=self.detail_output)


@documented
class StockMovementViewSet(ResourceViewSet):
    """The stock ledger: read every movement; record a manual change of stock."""

    resource, plural, output = "stock_movement", "stock_movements", s.StockMovementOutput
    filterset = filters.StockMovementFilter
    create_input = s.StockMovementCreateInput
    order_fields = frozenset({"id", "created_at", "reason"})

    def list_queryset(self, filters, expand):
        return selectors.stock_movement_list(filters_data=filters, expand=expand)

    def get_instance(self, pk, expand=()):
        return selectors.stock_movement_get(movement_id=pk, expand=expand)

    def create(self, request):
        movement = services.stock_adjust(**self.validated(self.create_input))
        return self.one(movement)
