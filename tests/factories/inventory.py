"""Factories for locations, channels, the catalog and inventory; stateful rows use services."""

import factory

from config.models import User
from inventory import services
from inventory.models import (
    InventoryItem,
    InventoryLevel,
    Product,
    ProductVariant,
    SalesChannel,
    StockLocation,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"staff{n}@example.com")
    first_name = "Sam"
    last_name = "Staff"
    is_staff = True
    role = User.Role.ADMIN
    api_token = factory.Sequence(lambda n: f"token-{n}")
    password = factory.PostGenerationMethodCall("set_password", "secret")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StockLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StockLocation

    name = factory.Sequence(lambda n: f"Warehouse {n}")


class SalesChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesChannel

    name = factory.Sequence(lambda n: f"Channel {n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    title = factory.Sequence(lambda n: f"Product {n}")


class VariantFactory(factory.Factory):
    """A variant made through the service: with `manage_inventory` it gets its item."""

    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    title = factory.Sequence(lambda n: f"Variant {n}")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    manage_inventory = True
    allow_backorder = False
    prices = factory.LazyFunction(lambda: [{"currency_code": "usd", "amount": 1000}])

    @classmethod
    def _create(cls, model_class, product, **kwargs):
        return services.variant_create(product_id=product.pk, **kwargs)


class InventoryItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InventoryItem

    sku = factory.Sequence(lambda n: f"ITEM-{n:05d}")
    title = factory.Sequence(lambda n: f"Item {n}")


class LevelFactory(factory.Factory):
    class Meta:
        model = InventoryLevel

    inventory_item = factory.SubFactory(InventoryItemFactory)
    location = factory.SubFactory(StockLocationFactory)
    stocked_quantity = 10
    incoming_quantity = 0

    @classmethod
    def _create(cls, model_class, inventory_item, location, **kwargs):
        return services.inventory_level_create(
            item_id=inventory_item.pk, location_id=location.pk, **kwargs
        )
