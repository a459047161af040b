"""Regions, shipping options, orders with their lines, fulfillments and returns."""

from django.db import models
from django.db.models import Q

from config.ids import id_field
from inventory.models import ProductVariant, SalesChannel, StockLocation


class Region(models.Model):
    id = id_field("reg")
    name = models.CharField(max_length=255)
    currency_code = models.CharField(max_length=3)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    countries = models.JSONField(default=list, blank=True)
    payment_providers = models.JSONField(default=list, blank=True)
    fulfillment_providers = models.JSONField(default=list, blank=True)
    metadata = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.name} ({self.currency_code})"


class ShippingOption(models.Model):
    id = id_field("so")
    name = models.CharField(max_length=255)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="shipping_options")
    provider_id = models.CharField(max_length=64, default="manual")
    price_type = models.CharField(max_length=32, default="flat_rate")
    amount = models.IntegerField(null=True, blank=True)
    is_return = models.BooleanField(default=False)
    admin_only = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.name


class Sequence(models.Model):
    """Numbers handed out one insert at a time: a sequence without a hot counter row."""

    class Meta:
        abstract = True

    def __str__(self):
        return f"#{self.pk}"

    @classmethod
    def next(cls) -> int:
        return cls.objects.create().pk


class OrderNumber(Sequence):
    """The `display_id`s of orders."""


class Order(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        COMPLETED = "completed"
        ARCHIVED = "archived"
        CANCELED = "canceled"
        REQUIRES_ACTION = "requires_action"

    class FulfillmentStatus(models.TextChoices):
        NOT_FULFILLED = "not_fulfilled"
        PARTIALLY_FULFILLED = "partially_fulfilled"
        FULFILLED = "fulfilled"
        PARTIALLY_SHIPPED = "partially_shipped"
        SHIPPED = "shipped"
        PARTIALLY_RETURNED = "partially_returned"
        RETURNED = "returned"
        CANCELED = "canceled"
        REQUIRES_ACTION = "requires_action"

    class PaymentStatus(models.TextChoices):
        NOT_PAID = "not_paid"
        AWAITING = "awaiting"
        CAPTURED = "captured"
        PARTIALLY_REFUNDED = "partially_refunded"
        REFUNDED = "refunded"
        CANCELED = "canceled"
        REQUIRES_ACTION = "requires_action"

    id = id_field("order")
    display_id = models.PositiveIntegerField(unique=True, editable=False)
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.PENDING)
    fulfillment_status = models.CharField(
        max_length=32, choices=FulfillmentStatus.choices, default=FulfillmentStatus.NOT_FULFILLED
    )
    payment_status = models.CharField(
        max_length=32, choices=PaymentStatus.choices, default=PaymentStatus.NOT_PAID
    )
    email = models.EmailField(max_length=255)
    currency_code = models.CharField(max_length=3)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    sales_channel = models.ForeignKey(SalesChannel, on_delete=models.PROTECT, related_name="orders")
    customer_id = models.CharField(max_length=64, null=True, blank=True)
    draft_order_id = models.CharField(max_length=40, null=True, blank=True, editable=False)
    shipping_address = models.JSONField(null=True, blank=True)
    billing_address = models.JSONField(null=True, blank=True)
    shipping_methods = models.JSONField(default=list, blank=True)
    no_notification = models.BooleanField(null=True, blank=True)
    metadata = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    canceled_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Order #{self.display_id}"

    @property
    def is_canceled(self) -> bool:
        """Canceled, and still so once archived (archiving keeps `canceled_at`)."""
        return self.status == self.Status.CANCELED or self.canceled_at is not None


class LineItem(models.Model):
    id = id_field("item")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    variant = models.ForeignKey(
        ProductVariant, null=True, blank=True, on_delete=models.PROTECT, related_name="line_items"
    )
    title = models.CharField(max_length=255)
    description = models.CharField(max_length=255, null=True, blank=True)
    unit_price = models.IntegerField()
    quantity = models.PositiveIntegerField()
    fulfilled_quantity = models.PositiveIntegerField(default=0)
    returned_quantity = models.PositiveIntegerField(default=0)
    shipped_quantity = models.PositiveIntegerField(default=0)
    metadata = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(fulfilled_quantity__lte=models.F("quantity")),
                name="line_fulfilled_within_quantity",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.title}"

    @property
    def unfulfilled_quantity(self) -> int:
        return self.quantity - self.fulfilled_quantity


class Fulfillment(models.Model):
    id = id_field("ful")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="fulfillments")
    location = models.ForeignKey(
        StockLocation, on_delete=models.PROTECT, related_name="fulfillments"
    )
    provider_id = models.CharField(max_length=64, default="manual")
    tracking_numbers = models.JSONField(default=list, blank=True)
    no_notification = models.BooleanField(null=True, blank=True)
    metadata = models.JSONField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.id


class FulfillmentItem(models.Model):
    fulfillment = models.ForeignKey(Fulfillment, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(LineItem, on_delete=models.CASCADE, related_name="fulfillment_items")
    quantity = models.PositiveIntegerField()

    def __str__(self):
        return f"{self.quantity} × {self.item_id}"


class Return(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested"
        RECEIVED = "received"
        REQUIRES_ACTION = "requires_action"
        CANCELED = "canceled"

    id = id_field("ret")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="returns")
    location = models.ForeignKey(
        StockLocation, null=True, blank=True, on_delete=models.PROTECT, related_name="returns"
    )
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.REQUESTED)
    note = models.TextField(null=True, blank=True)
    refund_amount = models.IntegerField(default=0)
    no_notification = models.BooleanField(null=True, blank=True)
    metadata = models.JSONField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.id


class ReturnItem(models.Model):
    return_order = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(LineItem, on_delete=models.CASCADE, related_name="return_items")
    quantity = models.PositiveIntegerField()
    received_quantity = models.PositiveIntegerField(null=True, blank=True)
    note = models.TextField(null=True, blank=True)

    def __str__(self):
        return f"{self.quantity} × {self.item_id}"
