"""Where stock lives: locations, sales channels, the catalog, inventory items and levels."""

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

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
        ordering = ["created_at", "id"]  # a location's or a product's channels, nested in answers
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
        ordering = ["rank", "created_at", "id"]  # a channel's `locations`, nested in answers
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
        name = f"{self.product.title} / {self.title}" if self.product_id else self.title
        return item_label(name, self.sku)


def item_label(name: str | None, sku: str | None, fallback: str | None = None) -> str:
    """How staff read an item or a variant: "Product / Variant (SKU)"; without a variant,
    its own title (or id) and SKU."""
    name = name or fallback or sku or ""
    return f"{name} ({sku})" if sku and name != sku else name


def item_of(row) -> str:
    """The label of `row.inventory_item` (a level's or a reservation's), "Product / Variant
    (SKU)" when the row was annotated with its `item_variant`."""
    item = row.inventory_item
    return item_label(getattr(row, "item_variant", None), item.sku, item.title or item.pk)


class InventoryItem(Timestamped, Customs):
    """`variant_name` ("Product / Variant" of the first variant made of it) is there when
    the queryset was annotated with `inventory.selectors.item_names`."""

    id = id_field("iitem")
    sku = models.CharField(max_length=255, unique=True, null=True, blank=True)
    title = models.CharField(max_length=255, null=True, blank=True)
    description = models.TextField(null=True, blank=True)
    thumbnail = models.TextField(null=True, blank=True)
    requires_shipping = models.BooleanField(default=True)

    def __str__(self):
        return item_label(getattr(self, "variant_name", None), self.sku, self.title or self.id)


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
        return f"{self.variant} needs {self.required_quantity} × {self.inventory_item}"


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
    version = models.PositiveIntegerField(default=0, editable=False)
    """How many movements the level has: its latest movement's `version`."""

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
        return f"{item_of(self)} @ {self.location}"

    AVAILABLE = F("stocked_quantity") - F("reserved_quantity")  # the same, in SQL

    @property
    def available_quantity(self) -> int:
        return self.stocked_quantity - self.reserved_quantity


class StockMovement(models.Model):
    """One change to a level's counters: why, by how much, what it left, what caused it and
    who. Written only by `inventory.counters`, with the counters; never updated or deleted.

    It refers to its level, item and location without a database constraint: the history
    outlives them. `version` numbers a level's movements from 1, in the order they happened.
    """

    class Reason(models.TextChoices):
        LEVEL_CREATED = "level_created"
        RESERVED = "reserved"
        RESERVATION_CHANGED = "reservation_changed"
        RELEASED = "released"
        ALLOCATED = "allocated"
        FULFILLED = "fulfilled"
        FULFILLMENT_CANCELED = "fulfillment_canceled"
        RETURNED = "returned"
        ORDER_CANCELED = "order_canceled"
        EXPIRED = "expired"
        TRANSFER_SHIPPED = "transfer_shipped"
        TRANSFER_RECEIVED = "transfer_received"
        TRANSFER_CANCELED = "transfer_canceled"
        RECONCILED = "reconciled"
        RECEIVED = "received"
        CORRECTION = "correction"
        CYCLE_COUNT = "cycle_count"
        DAMAGED = "damaged"
        SHRINKAGE = "shrinkage"
        RESTOCK = "restock"
        OTHER = "other"

    MANUAL_REASONS = (
        "received",
        "correction",
        "cycle_count",
        "damaged",
        "shrinkage",
        "restock",
        "other",
    )
    """The reasons staff and clients choose for a change they make by hand."""

    id = id_field("smov")
    level = models.ForeignKey(
        InventoryLevel,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="movements",
    )
    inventory_item = models.ForeignKey(
        InventoryItem,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="movements",
    )
    location = models.ForeignKey(
        StockLocation,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="movements",
    )
    version = models.PositiveIntegerField()
    reason = models.CharField(max_length=32, choices=Reason.choices)
    stocked_delta = models.IntegerField(default=0)
    reserved_delta = models.IntegerField(default=0)
    incoming_delta = models.IntegerField(default=0)
    stocked_after = models.IntegerField()
    reserved_after = models.IntegerField()
    incoming_after = models.IntegerField()
    reservation_id = models.CharField(max_length=40, null=True, blank=True)
    line_item_id = models.CharField(max_length=40, null=True, blank=True)
    order_id = models.CharField(max_length=40, null=True, blank=True)
    fulfillment_id = models.CharField(max_length=40, null=True, blank=True)
    return_id = models.CharField(max_length=40, null=True, blank=True)
    transfer_id = models.CharField(max_length=40, null=True, blank=True)
    reference = models.CharField(max_length=255, null=True, blank=True)
    note = models.TextField(null=True, blank=True)
    created_by = models.CharField(max_length=64, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["created_at"]),
            models.Index(fields=["inventory_item", "location"]),
            models.Index(fields=["location"]),
            models.Index(
                fields=["order_id"], name="movement_order", condition=Q(order_id__isnull=False)
            ),
            models.Index(
                fields=["reservation_id"],
                name="movement_reservation",
                condition=Q(reservation_id__isnull=False),
            ),
            models.Index(
                fields=["transfer_id"],
                name="movement_transfer",
                condition=Q(transfer_id__isnull=False),
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["level", "version"], name="one_movement_per_version")
        ]

    def __str__(self):
        return f"{self.reason} {self.inventory_item_id} @ {self.location_id}"
