"""Draft orders: a cart staff build by hand; paying one places a real order."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from config.ids import id_field
from inventory.models import ProductVariant, SalesChannel
from orders.models import Order, Region, Sequence


class DraftOrderNumber(Sequence):
    """The `display_id`s of draft orders."""


class DraftOrder(models.Model):
    class Status(models.TextChoices):
        OPEN = "open"
        COMPLETED = "completed"

    id = id_field("dorder")
    display_id = models.PositiveIntegerField(unique=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    email = models.EmailField(max_length=255)
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.PROTECT, related_name="draft_orders"
    )
    sales_channel = models.ForeignKey(
        SalesChannel, on_delete=models.PROTECT, related_name="draft_orders"
    )
    customer_id = models.CharField(max_length=64, null=True, blank=True)
    shipping_address = models.JSONField(null=True, blank=True)
    billing_address = models.JSONField(null=True, blank=True)
    shipping_methods = models.JSONField(default=list, blank=True)
    no_notification_order = models.BooleanField(null=True, blank=True)
    order = models.OneToOneField(
        Order, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    metadata = models.JSONField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    canceled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Draft order #{self.display_id}"

    @property
    def cart_id(self) -> str:
        return "cart_" + self.id.split("_", 1)[1]

    @property
    def currency_code(self) -> str:
        return self.region.currency_code if self.region_id else settings.STORE_CURRENCY

    @property
    def tax_rate(self):
        return self.region.tax_rate if self.region_id else 0


class DraftLineItem(models.Model):
    id = id_field("item")
    draft_order = models.ForeignKey(DraftOrder, on_delete=models.CASCADE, related_name="items")
    variant = models.ForeignKey(
        ProductVariant, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(max_length=255)
    description = models.CharField(max_length=255, null=True, blank=True)
    unit_price = models.IntegerField()
    quantity = models.PositiveIntegerField()
    metadata = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="draft_line_quantity_positive")
        ]

    def __str__(self):
        return f"{self.quantity} × {self.title}"
