"""Where stock lives: locations, sales channels, the catalog, inventory items and levels."""

from django.db import models
from django.db.models import F, Q

from config.ids import id_field


class Timestamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    metadata = models.JSONField(null=True, blank=True)

    class Meta:
        abstract = True


class StockLocationAddress(Timestamped):
    id = id_field("laddr")
    address_1 = models.CharField(max_length=255)
    address_2 = models.CharField(max_length=255, null=True, blank=True)
    company = models.CharField(max_length=255, null=True, blank=True)
    city = models.CharField(max_length=255, null=True, blank=True)
    country_code = models.CharField(max_length=255)
    phone = models.CharField(max_length=255, null=True, blank=True)
    province = models.CharField(max_length=255, null=True, blank=True)
    postal_code = models.CharField(max_length=255, null=True, blank=True)

    class Meta:
        verbose_name_plural = "stock location addresses"

    def __str__(self):
        return ", ".join(filter(None, [self.address_1, self.city, self.country_code]))


class StockLocation(Timestamped):
    id = id_field("sloc")
    name = models.CharField(max_length=255, db_index=True)
    address = models.OneToOneField(
        StockLocationAddress, null=True, blank=True, on_delete=models.SET_NULL
    )

    def __str__(self):
        return self.name


class SalesChannel(Timestamped):
    id = id_field("sc")
    name = models.CharField(max_length=255)
    description = models.TextField(null=True, blank=True)
    is_disabled = models.BooleanField(default=False)
    is_default = models.BooleanField(default=False, editable=False)
    locations = models.ManyToManyField(
        StockLocation, through="SalesChannelLocation", related_name="sales_channels"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_channel"
            )
        ]

    def __str__(self):
        return self.name


class SalesChannelLocation(models.Model):
    """A channel's stock location; `rank` is the order allocation tries them in."""

    id = id_field("scloc")
    sales_channel = models.ForeignKey(
        SalesChannel, on_delete=models.CASCADE, related_name="location_links"
    )
    location = models.ForeignKey(
        StockLocation, on_delete=models.CASCADE, related_name="channel_links"
    )
    rank = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rank", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["sales_channel", "location"], name="unique_channel_location"
            )
        ]

    def __str__(self):
        return f"{self.sales_channel} → {self.location} (#{self.rank})"


class Product(Timestamped):
    class Status(models.TextChoices):
        DRAFT = "draft"
        PROPOSED = "proposed"
        PUBLISHED = "published"
        REJECTED = "rejected"

    id = id_field("prod")
    title = models.CharField(max_length=255)
    subtitle = models.CharField(max_length=255, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    handle = models.CharField(max_length=255, unique=True, null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    thumbnail = models.TextField(null=True, blank=True)
    is_giftcard = models.BooleanField(default=False)
    discountable = models.BooleanField(default=True)
    options = models.JSONField(default=list, blank=True)
    # Parts of Medusa's product DTO this service keeps but does not model.
    images = models.JSONField(null=True, blank=True)
    tags = models.JSONField(null=True, blank=True)
    type = models.JSONField(null=True, blank=True)
    collection_id = models.CharField(max_length=255, null=True, blank=True)
    sales_channels = models.JSONField(null=True, blank=True)
    categories = models.JSONField(null=True, blank=True)

    def __str__(self):
        return self.title


class Customs(models.Model):
    """Customs and dimension fields shared by variants and inventory items."""

    hs_code = models.CharField(max_length=255, null=True, blank=True)
    origin_country = models.CharField(max_length=255, null=True, blank=True)
    mid_code = models.CharField(max_length=255, null=True, blank=True)
    material = models.CharField(max_length=255, null=True, blank=True)
    weight = models.IntegerField(null=True, blank=True)
    length = models.IntegerField(null=True, blank=True)
    height = models.IntegerField(null=True, blank=True)
    width = models.IntegerField(null=True, blank=True)

    class Meta:
        abstract = True


class ProductVariant(Timestamped, Customs):
    id = id_field("variant")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    title = models.CharField(max_length=255)
    sku = models.CharField(max_length=255, unique=True, null=True, blank=True)
    barcode = models.CharField(max_length=255, null=True, blank=True)
    ean = models.CharField(max_length=255, null=True, blank=True)
    upc = models.CharField(max_length=255, null=True, blank=True)
    manage_inventory = models.BooleanField(default=True)
    allow_backorder = models.BooleanField(default=False)
    prices = models.JSONField(default=list, blank=True)
    options = models.JSONField(default=list, blank=True)
    variant_rank = models.IntegerField(default=0)
    inventory_items = models.ManyToManyField(
        "InventoryItem", through="VariantInventoryItem", related_name="variants"
    )

    def __str__(self):
        return f"{self.product.title} / {self.title}" if self.product_id else self.title


class InventoryItem(Timestamped, Customs):
    id = id_field("iitem")
    sku = models.CharField(max_length=255, unique=True, null=True, blank=True)
    title = models.CharField(max_length=255, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    thumbnail = models.TextField(null=True, blank=True)
    requires_shipping = models.BooleanField(default=True)

    def __str__(self):
        return self.title or self.sku or self.id


class VariantInventoryItem(models.Model):
    """A variant is made of inventory items; a kit has several, each `required_quantity` times."""

    id = id_field("pvitem")
    variant = models.ForeignKey(
        ProductVariant, on_delete=models.CASCADE, related_name="inventory_links"
    )
    inventory_item = models.ForeignKey(
        InventoryItem, on_delete=models.CASCADE, related_name="variant_links"
    )
    required_quantity = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["variant", "inventory_item"], name="unique_variant_item"
            ),
            models.CheckConstraint(
                condition=Q(required_quantity__gte=1), name="required_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.variant_id} needs {self.required_quantity} × {self.inventory_item_id}"


class InventoryLevel(Timestamped):
    """Stock of one item at one location; `reserved_quantity` sums its reservations."""

    id = id_field("ilev")
    inventory_item = models.ForeignKey(
        InventoryItem, on_delete=models.CASCADE, related_name="location_levels"
    )
    location = models.ForeignKey(StockLocation, on_delete=models.CASCADE, related_name="levels")
    stocked_quantity = models.IntegerField(default=0)
    reserved_quantity = models.IntegerField(default=0, editable=False)
    incoming_quantity = models.IntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inventory_item", "location"], name="unique_item_location"
            ),
            models.CheckConstraint(
                condition=Q(stocked_quantity__gte=0), name="stocked_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(reserved_quantity__gte=0), name="reserved_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(incoming_quantity__gte=0), name="incoming_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.inventory_item} @ {self.location}"

    AVAILABLE = F("stocked_quantity") - F("reserved_quantity")  # the same, in SQL

    @property
    def available_quantity(self) -> int:
        return self.stocked_quantity - self.reserved_quantity
