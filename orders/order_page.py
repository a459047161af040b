"""The work staff do on an order's admin page: fulfil its lines from a location, ship or
cancel a fulfilment, request and receive a return, reserve a line at a location, and
allocate, cancel, complete or archive the order. Each button posts to `act()`, which calls
one service (the API's) and shows its refusal as a message worded for staff.

`panel()` gathers what the page shows: per line its stock at each location the order may
use, its reservations, what may still be fulfilled or returned.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.db import DatabaseError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect

from config.admin import refusal, url_of
from config.errors import DomainError, InvalidData
from inventory.models import InventoryLevel, StockLocation
from inventory.selectors import channel_location_ids, variant_kits
from orders import selectors, services
from orders.allocation import allocate_open_lines
from orders.models import LineItem, Order
from reservations.models import ReservationItem

OPEN = (Order.Status.PENDING, Order.Status.REQUIRES_ACTION)


def line_label(line: LineItem) -> str:
    """ "Product / Variant (SKU)" of the line's variant, else the line's title."""
    variant = line.variant
    if variant is None:
        return line.title
    return str(variant)


def counted(count: int, word: str) -> str:
    """ "1 unit", "2 units"."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def shortages_text(plan) -> str:
    """An allocation plan's short lines, as staff read them."""
    return "; ".join(
        f"{s['label']}: missing {s['missing']} of {s['requested']} (available {s['available']})"
        for s in plan.shortages
    )


@dataclass
class LineRow:
    line: LineItem
    label: str
    kit: list[tuple[str, int]]
    reserved: dict[str, int] = field(default_factory=dict)  # units per location name
    needs: int = 0  # inventory units the open quantity needs
    held: int = 0  # inventory units reserved for it
    available: list = field(default_factory=list)  # line units per panel location, or None
    returnable: int = 0

    @property
    def open_quantity(self) -> int:
        return self.line.unfulfilled_quantity

    @property
    def missing(self) -> int:
        return max(self.needs - self.held, 0)

    @property
    def reservable(self) -> bool:
        return bool(self.kit) and self.held < self.needs

    @property
    def reserved_text(self) -> str:
        return ", ".join(f"{n} at {name}" for name, n in self.reserved.items()) or "none"


def panel(order: Order) -> dict:
    """What the order page shows and lets staff do (a handful of queries)."""
    lines = list(order.items.select_related("variant__product").order_by("created_at", "id"))
    kits = variant_kits(line.variant_id for line in lines)
    rows = [LineRow(line, line_label(line), kits.get(line.variant_id, [])) for line in lines]
    items = {item for row in rows for item, _ in row.kit}
    levels = {
        (lv.inventory_item_id, lv.location_id): lv
        for lv in InventoryLevel.objects.filter(inventory_item_id__in=items)
    }
    order_ids = channel_location_ids(sales_channel_id=order.sales_channel_id)
    names = dict(StockLocation.objects.values_list("pk", "name"))
    others = sorted({loc for _, loc in levels} - set(order_ids), key=lambda pk: names[pk])
    locations = [(pk, names[pk]) for pk in [*order_ids, *others]]
    held = defaultdict(int)
    reservations = ReservationItem.objects.filter(line_item__order=order).values_list(
        "line_item_id", "location_id", "quantity"
    )
    for line_id, location_id, quantity in reservations:
        held[(line_id, location_id)] += quantity
    pending = selectors.units_pending_return(line_ids=[line.pk for line in lines])
    for row in rows:
        line = row.line
        row.needs = sum(line.unfulfilled_quantity * required for _, required in row.kit)
        row.held = sum(n for (line_id, _), n in held.items() if line_id == line.pk)
        row.reserved = {name: held[(line.pk, pk)] for pk, name in locations if held[(line.pk, pk)]}
        row.available = [_line_units(row.kit, levels, pk) for pk, _ in locations]
        row.returnable = line.fulfilled_quantity - line.returned_quantity - pending.get(line.pk, 0)
    fulfillments = list(
        order.fulfillments.select_related("location").prefetch_related("items__item")
    )
    returns = list(order.returns.select_related("location").prefetch_related("items__item"))
    is_open = order.status in OPEN
    return {
        "rows": rows,
        "locations": locations,
        "fulfillments": [(f, _items_text(f.items.all(), rows)) for f in fulfillments],
        "returns": [(r, _items_text(r.items.all(), rows)) for r in returns],
        "is_open": is_open,
        "can_fulfil": is_open and any(row.open_quantity for row in rows),
        "can_return": not order.is_canceled and any(row.returnable > 0 for row in rows),
        "statuses": STATUS_ACTIONS,
    }


def _line_units(kit, levels, location_id) -> int | None:
    """How many units of a line the location could fulfil now (None: it stocks none of it)."""
    found = [(levels.get((item, location_id)), required) for item, required in kit]
    if not kit or all(level is None for level, _ in found):
        return None
    return min(
        max(level.available_quantity, 0) // required if level else 0 for level, required in found
    )


def _items_text(rows, lines: list[LineRow]) -> str:
    labels = {row.line.pk: row.label for row in lines}
    return ", ".join(f"{row.quantity} × {labels.get(row.item_id, row.item.title)}" for row in rows)


# Actions --------------------------------------------------------------------------------


def _quantities(data, prefix: str) -> list[dict]:
    """`{item_id, quantity}` for each `<prefix><line id>` field holding a positive number."""
    items = []
    for name, value in data.items():
        if not name.startswith(prefix) or not value.strip():
            continue
        try:
            quantity = int(value)
        except ValueError:
            raise InvalidData(f"Quantity {value!r} is not a whole number") from None
        if quantity < 0:
            raise InvalidData("Quantities cannot be negative")
        if quantity:
            items.append({"item_id": name.removeprefix(prefix), "quantity": quantity})
    if not items:
        raise InvalidData("Enter a quantity for at least one line")
    return items


def _required(data, name: str, what: str) -> str:
    value = data.get(name)
    if not value:
        raise InvalidData(f"Choose {what}")
    return value


def _location_name(location_id: str) -> str:
    return StockLocation.objects.get(pk=location_id).name


def fulfil(order, data, user) -> str:
    location = _required(data, "location_id", "the location to fulfil from")
    items = _quantities(data, "fulfil_")
    services.fulfillment_create(order_id=order.pk, items=items, location_id=location)
    units = sum(item["quantity"] for item in items)
    return f"Fulfilled {counted(units, 'unit')} from {_location_name(location)}."


def ship(order, data, user) -> str:
    fulfillment_id = _required(data, "fulfillment_id", "a fulfilment")
    tracking = data.get(f"tracking_{fulfillment_id}", "").split()
    services.fulfillment_ship(
        order_id=order.pk, fulfillment_id=fulfillment_id, tracking_numbers=tracking
    )
    return "Marked the fulfilment shipped."


def cancel_fulfillment(order, data, user) -> str:
    fulfillment_id = _required(data, "fulfillment_id", "a fulfilment")
    fulfillment = services.fulfillment_cancel(order_id=order.pk, fulfillment_id=fulfillment_id)
    return (
        f"Canceled the fulfilment: its units are back in stock at {fulfillment.location.name} "
        "and reserved again."
    )


def request_return(order, data, user) -> str:
    location = data.get("location_id") or None
    receive = data.get("receive_now") == "on"
    items = _quantities(data, "return_")
    services.return_request(
        order_id=order.pk, items=items, location_id=location, receive_now=receive
    )
    units = counted(sum(item["quantity"] for item in items), "unit")
    if receive:
        return f"Received a return of {units} at {_location_name(location)}."
    return f"Requested a return of {units}."


def _order_return(order, data) -> str:
    return_id = _required(data, "return_id", "a return")
    if not order.returns.filter(pk=return_id).exists():
        raise InvalidData(f"Return {return_id} is not one of this order's")
    return return_id


def receive_return(order, data, user) -> str:
    return_id = _order_return(order, data)
    location = data.get(f"location_{return_id}") or None
    ret = services.return_receive(return_id=return_id, location_id=location)
    return f"Received the return at {_location_name(ret.location_id)}: its units are in stock."


def cancel_return(order, data, user) -> str:
    services.return_cancel(return_id=_order_return(order, data))
    return "Canceled the return."


def reserve(order, data, user) -> str:
    line_id = _required(data, "line_id", "a line")
    location = _required(data, f"location_{line_id}", "the location to reserve at")
    quantity = data.get(f"quantity_{line_id}", "").strip()
    try:
        quantity = int(quantity) if quantity else None
    except ValueError:
        raise InvalidData(f"Quantity {quantity!r} is not a whole number") from None
    services.order_line_reserve(
        order_id=order.pk,
        line_item_id=line_id,
        location_id=location,
        quantity=quantity,
        created_by=user.pk,
    )
    return f"Reserved the line at {_location_name(location)}."


def allocate(order, data, user) -> str:
    _, plan = allocate_open_lines(order_ids=[order.pk])
    units = sum(quantity for *_, quantity in plan.placements)
    done = f"Reserved {counted(units, 'unit')}." if units else "Nothing was reserved."
    if plan.shortages:
        raise InvalidData(f"{done} Short: {shortages_text(plan)}")
    return done


def _status(service, done: str):
    def act_on(order, data, user) -> str:
        service(order_id=order.pk)
        return done

    return act_on


STATUS_ACTIONS = {
    "allocate": ("Allocate stock", allocate),
    "complete": ("Complete", _status(services.order_complete, "Completed the order.")),
    "cancel": (
        "Cancel order",
        _status(services.order_cancel, "Canceled the order: its reservations are released."),
    ),
    "archive": ("Archive", _status(services.order_archive, "Archived the order.")),
}
ACTIONS = {
    "fulfil": fulfil,
    "ship": ship,
    "cancel-fulfillment": cancel_fulfillment,
    "request-return": request_return,
    "receive-return": receive_return,
    "cancel-return": cancel_return,
    "reserve": reserve,
    **{name: action for name, (_, action) in STATUS_ACTIONS.items()},
}


def act(model_admin, request, object_id: str, action: str):
    """Run one of the order page's actions (POST) and come back to the page."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    order = model_admin.get_object(request, unquote(object_id))
    if order is None or action not in ACTIONS:
        return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)
    back = HttpResponseRedirect(url_of("orders_order_change", quote(order.pk)))
    if not model_admin.has_manage_permission(request):
        messages.error(request, "You may not change orders.")
        return back
    try:
        done = ACTIONS[action](order, request.POST, request.user)
    except (DomainError, DatabaseError) as exc:
        message = refusal(exc)
        if message is None:
            raise
        messages.error(request, message)
        return back
    messages.success(request, done)
    return back
