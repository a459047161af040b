"""The dashboard's home page (the admin index): what staff look at first. Each location's
stock, the levels at or below a threshold, the orders short of stock and the latest stock
movements, each linking to where staff act on them; Django's list of models follows."""

from django.contrib import admin
from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce

from inventory.admin import level_item, with_item_names
from inventory.ledger_admin import history
from inventory.models import InventoryLevel, StockLocation
from orders.models import Order
from orders.selectors import short_of_stock, with_stock_cover

LOW_STOCK = 5
"""The default threshold: levels with this many units available or fewer are listed."""
ROWS = 10
MOVEMENT_COLUMNS = ("when", "item", "location_link", "reason", "change", "actor")


def _threshold(request) -> int:
    try:
        return max(int(request.GET.get("threshold", LOW_STOCK)), 0)
    except ValueError:
        return LOW_STOCK


def home(request) -> dict:
    """The context the index template shows (a few queries, none per row)."""
    threshold = _threshold(request)

    def total(counter):
        return Coalesce(Sum(f"levels__{counter}"), 0)

    locations = (
        StockLocation.objects.annotate(
            item_count=Count("levels"),
            stocked=total("stocked_quantity"),
            reserved=total("reserved_quantity"),
            incoming=total("incoming_quantity"),
        )
        .annotate(available=F("stocked") - F("reserved"))
        .order_by("name")
    )
    low = (
        with_item_names(InventoryLevel.objects.select_related("inventory_item", "location"))
        .alias(available=InventoryLevel.AVAILABLE)
        .filter(available__lte=threshold)
        .order_by("available", "inventory_item__sku", "location__name")
    )
    short = short_of_stock(with_stock_cover(Order.objects.all())).order_by("created_at")
    return {
        "locations": locations,
        "threshold": threshold,
        "low_levels": [(level, level_item(level)) for level in low[:ROWS]],
        "low_count": low.count(),
        "short_orders": list(short[:ROWS]),
        "short_count": short.count(),
        "movements": history(MOVEMENT_COLUMNS, length=ROWS),
    }


def index(request):
    """The admin index with the home's figures above the list of models."""
    return admin.site.index(request, extra_context=home(request))
