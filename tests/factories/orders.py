"""Orders made the way the app makes them: through services, so `order_placed` reserves."""

from contextlib import contextmanager
from types import SimpleNamespace

from draft_orders import services as draft_services
from inventory.models import InventoryLevel, ProductVariant, SalesChannel, StockLocation
from inventory.selectors import default_sales_channel
from inventory.services import sales_channel_location_add
from orders.allocation import reservation_delete
from orders.models import LineItem, Order
from orders.receivers import allocate_placed_order
from orders.services import order_place
from orders.signals import order_placed
from reservations.models import ReservationItem
from tests.factories.inventory import (
    LevelFactory,
    ProductFactory,
    StockLocationFactory,
    VariantFactory,
)


def channel_with_locations(*locations: StockLocation, channel: SalesChannel | None = None):
    """Link `locations` to `channel` (default: the store's default), in this order."""
    channel = channel or default_sales_channel()
    for location in locations:
        sales_channel_location_add(sales_channel_id=channel.pk, location_id=location.pk)
    return channel


def stocked_variant(*stock: tuple[StockLocation, int], **fields) -> ProductVariant:
    """A variant (with its own inventory item) stocked `(location, quantity)` pairs."""
    variant = VariantFactory(**fields)
    item = variant.inventory_items.get()
    for location, quantity in stock:
        LevelFactory(inventory_item=item, location=location, stocked_quantity=quantity)
    return variant


def _items(variant_quantities, custom) -> list[dict]:
    pairs = (
        variant_quantities.items() if isinstance(variant_quantities, dict) else variant_quantities
    )
    items = [
        {"variant_id": v.pk, "title": v.title, "unit_price": 1000, "quantity": q} for v, q in pairs
    ]
    return items + [
        {"variant_id": None, "title": title, "unit_price": 500, "quantity": q}
        for title, q in custom
    ]


def place_order(
    variant_quantities,
    channel: SalesChannel | None = None,
    *,
    custom=(),
    email: str = "buyer@example.com",
    **fields,
) -> Order:
    """Place an order through `orders.services.order_place` (its receiver reserves).

    `variant_quantities`: `{variant: quantity}` or `[(variant, quantity)]`, one line each,
    priced 1000; `custom`: `[(title, quantity)]` lines without a variant, priced 500."""
    channel = channel or default_sales_channel()
    return order_place(
        email=email,
        sales_channel_id=channel.pk,
        currency_code="usd",
        items=_items(variant_quantities, custom),
        **fields,
    )


def draft_and_pay(
    variant_quantities,
    channel: SalesChannel | None = None,
    *,
    email: str = "draft@example.com",
    **fields,
) -> Order:
    """Create a draft order with these variant lines and pay it (which places the order)."""
    channel = channel or default_sales_channel()
    draft = draft_services.draft_order_create(
        email=email,
        sales_channel_id=channel.pk,
        items=[
            {"variant_id": item["variant_id"], "quantity": item["quantity"]}
            for item in _items(variant_quantities, ())
        ],
        **fields,
    )
    return draft_services.draft_order_pay(draft_id=draft.pk)


def line_of(order: Order, variant: ProductVariant | None = None) -> LineItem:
    """The order's line of `variant` (None: its first line without a variant)."""
    return order.items.get(variant=variant)


def level_of(variant: ProductVariant, location: StockLocation, item=None) -> InventoryLevel:
    """The fresh level at `location` of the variant's item (or of `item`, for kits)."""
    item = item or variant.inventory_items.get()
    return InventoryLevel.objects.get(inventory_item=item, location=location)


@contextmanager
def without_allocation():
    """Place orders that reserve nothing: the default receiver is disconnected meanwhile."""
    uid = "orders.allocate_placed_order"
    order_placed.disconnect(dispatch_uid=uid)
    try:
        yield
    finally:
        order_placed.connect(allocate_placed_order, dispatch_uid=uid)


def mug_store() -> SimpleNamespace:
    """Berlin and Hamburg, linked to the default channel in that order, and an "Enamel Mug"
    in Black (MUG-BLACK: 10 at Berlin, 4 at Hamburg) and White (MUG-WHITE: 3 at each)."""
    berlin, hamburg = StockLocationFactory(name="Berlin"), StockLocationFactory(name="Hamburg")
    channel_with_locations(berlin, hamburg)
    mug = ProductFactory(title="Enamel Mug")
    black = stocked_variant((berlin, 10), (hamburg, 4), product=mug, title="Black", sku="MUG-BLACK")
    white = stocked_variant((berlin, 3), (hamburg, 3), product=mug, title="White", sku="MUG-WHITE")
    return SimpleNamespace(berlin=berlin, hamburg=hamburg, black=black, white=white)


def release_line(order: Order, variant: ProductVariant) -> None:
    """Release the reservations of the order's line of `variant`, through the service."""
    for reservation in ReservationItem.objects.filter(line_item=line_of(order, variant)):
        reservation_delete(reservation_id=reservation.pk)


def short_order(store: SimpleNamespace) -> Order:
    """Ada's order in the `mug_store`: 2 black mugs (reserved) and 1 white one whose
    reservation was released (so the order is short of it)."""
    order = place_order({store.black: 2, store.white: 1}, email="ada@example.com")
    release_line(order, store.white)
    return order
