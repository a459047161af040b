"""Transfers: stock moved from one location to another, shipped and then received."""

from django.db import models
from django.db.models import F, Q

from config.ids import id_field
from inventory.models import InventoryItem, StockLocation


class StockTransfer(models.Model):
    """Units of items moving between two locations: a draft until shipped; once shipped
    they are out of the source's stock and in the destination's `incoming_quantity` until
    received or canceled."""

    class Status(models.TextChoices):
        DRAFT = "draft"
        SHIPPED = "shipped"
        PARTIALLY_RECEIVED = "partially_received"
        RECEIVED = "received"
        CANCELED = "canceled"

    IN_FLIGHT = (Status.SHIPPED, Status.PARTIALLY_RECEIVED)

    id = id_field("stran")
    from_location = models.ForeignKey(
        StockLocation, on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_location = models.ForeignKey(
        StockLocation, on_delete=models.PROTECT, related_name="transfers_in"
    )
    status = models.CharField(max_length=32, choices=Status.choices, default=Status.DRAFT)
    reference = models.CharField(max_length=255, null=True, blank=True)
    note = models.TextField(null=True, blank=True)
    metadata = models.JSONField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    canceled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_location=F("to_location")),
                name="transfer_between_two",
                violation_error_message="The destination must differ from the source",
            )
        ]

    def __str__(self):
        return f"{self.pk} ({self.from_location} → {self.to_location})"


class StockTransferItem(models.Model):
    id = id_field("stitem")
    transfer = models.ForeignKey(StockTransfer, on_delete=models.CASCADE, related_name="items")
    inventory_item = models.ForeignKey(
        InventoryItem, on_delete=models.PROTECT, related_name="transfer_items"
    )
    quantity = models.PositiveIntegerField()
    received_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["inventory_item_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["transfer", "inventory_item"], name="one_row_per_transferred_item"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="transfer_quantity_positive"),
            models.CheckConstraint(
                condition=Q(received_quantity__lte=F("quantity")),
                name="transfer_received_within_quantity",
            ),
        ]

    def __str__(self):
        return f"{self.quantity} × {self.inventory_item}"

    @property
    def outstanding(self) -> int:
        return self.quantity - self.received_quantity
