"""Reservations (item allocations): units of an item held at a location."""

from django.db import models
from django.db.models import Q

from config.ids import id_field
from inventory.models import InventoryItem, StockLocation


class ReservationItem(models.Model):
    id = id_field("resitem")
    inventory_item = models.ForeignKey(
        InventoryItem, on_delete=models.PROTECT, related_name="reservations", db_index=False
    )
    location = models.ForeignKey(
        StockLocation, on_delete=models.PROTECT, related_name="reservations", db_index=False
    )
    quantity = models.IntegerField()
    line_item = models.ForeignKey(
        "orders.LineItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reservations",
        db_index=False,
    )
    description = models.TextField(null=True, blank=True)
    created_by = models.CharField(max_length=64, null=True, blank=True)
    external_id = models.CharField(max_length=255, null=True, blank=True)
    metadata = models.JSONField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    """When the hold lapses (None: never); an expired reservation holds nothing."""
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "id"]
        # Declared here, not as db_index: PostgreSQL then builds no second `varchar_pattern_ops`
        # index per column (ids are never matched with LIKE). Every reservation written
        # updates each index, so there are only those the filters and joins use.
        indexes = [
            models.Index(fields=["inventory_item", "location"]),  # also serves inventory_item
            models.Index(fields=["location"]),
            models.Index(fields=["line_item"]),
            models.Index(fields=["created_by"]),
            models.Index(
                fields=["expires_at"],
                name="reservation_expiry",
                condition=Q(expires_at__isnull=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="reservation_quantity_positive"
            )
        ]

    def __str__(self):
        return f"{self.quantity} × {self.inventory_item} @ {self.location}"
