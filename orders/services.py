"""Writes of regions, shipping options and orders: placing, fulfilling, returning, canceling.

Services that move stock lock rows in `inventory.locks.LOCK_ORDER` (a return, the order,
its fulfillment, its line items, then inventory levels) and change levels only through
`inventory.counters.record` (directly, or through `reservations.services`), which writes the
ledger too. Every writer of a line's reservations holds the line's lock, so a line's
reservations cannot change under a service that locked it.
"""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from config.changes import save_changes
from config.errors import Conflict, InvalidData, NotAllowed, NotFound
from inventory.counters import Change, record
from inventory.locks import lock_levels, lock_rows, locking
from inventory.models import StockMovement
from inventory.selectors import backorderable_item_ids, sales_channel_get, variant_kits
from orders import selectors
from orders.allocation import line_reserve
from orders.models import (
    Fulfillment,
    FulfillmentItem,
    LineItem,
    Order,
    OrderNumber,
    Region,
    Return,
    ReturnItem,
    ShippingOption,
)
from orders.money import check_amounts
from orders.signals import order_placed
from reservations import services as reservations
from reservations.models import ReservationItem

Status, FStatus, PStatus = Order.Status, Order.FulfillmentStatus, Order.PaymentStatus
Reason = StockMovement.Reason


# Regions and shipping options -----------------------------------------------------------


def region_create(**fields) -> Region:
    return Region.objects.create(**fields)


@transaction.atomic
def region_update(*, region_id: str, **changes) -> Region:
    return save_changes(selectors.region_get(region_id=region_id), changes)


@transaction.atomic
def region_delete(*, region_id: str) -> None:
    region = selectors.region_get(region_id=region_id)
    try:
        region.delete()
    except ProtectedError as error:  # orders, draft orders or shipping options use it
        raise Conflict(
            f"Region {region_id} is used by orders, draft orders or shipping options"
        ) from error


def shipping_option_create(*, region_id: str, **fields) -> ShippingOption:
    region = selectors.region_get(region_id=region_id)
    return ShippingOption.objects.create(region=region, **fields)


@transaction.atomic
def shipping_option_update(*, option_id: str, **changes) -> ShippingOption:
    return save_changes(selectors.shipping_option_get(option_id=option_id), changes)


@transaction.atomic
def shipping_option_delete(*, option_id: str) -> None:
    selectors.shipping_option_get(option_id=option_id).delete()


# Placing --------------------------------------------------------------------------------


@locking
def order_place(
    *,
    email: str,
    sales_channel_id: str,
    currency_code: str,
    items: list[dict],
    region_id: str | None = None,
    tax_rate: Decimal = Decimal(0),
    shipping_methods: list[dict] = (),
    **fields,
) -> Order:
    """Create an order and its lines, then send `order_placed` in this same transaction.

    `items` are `{variant_id|None, title, unit_price, quantity, metadata}`. A receiver's
    error (a stock shortage, say) rolls the whole order back.
    """
    lines = [LineItem(**item) for item in items]
    check_amounts(lines, shipping_methods, tax_rate)
    sales_channel_get(sales_channel_id=sales_channel_id)
    order = Order.objects.create(
        display_id=OrderNumber.next(),
        email=email,
        sales_channel_id=sales_channel_id,
        currency_code=currency_code,
        region_id=region_id,
        tax_rate=tax_rate,
        shipping_methods=list(shipping_methods),
        payment_status=PStatus.CAPTURED,
        **fields,
    )
    for line in lines:
        line.order = order
    LineItem.objects.bulk_create(lines)
    order_placed.send(sender=Order, order=order)
    return order


@locking
def order_update(*, order_id: str, merge_metadata: bool = True, **changes) -> Order:
    """Change an order's own fields. `metadata` merges key by key, as the API's update does,
    unless `merge_metadata` is false (the admin's form holds the whole object)."""
    order = _lock_order(order_id)
    return save_changes(order, changes, merge_metadata=merge_metadata)


# Locks and helpers ----------------------------------------------------------------------


def _lock_order(order_id: str) -> Order:
    found = lock_rows(Order.objects.filter(pk=order_id))
    if not found:
        raise NotFound(f"Order with id {order_id} was not found")
    return found[0]


def _lock_lines(order: Order, line_ids) -> dict[str, LineItem]:
    """Lock these lines of the order; a line of another order or none is a 404."""
    lines = {line.pk: line for line in lock_rows(order.items.filter(pk__in=list(line_ids)))}
    for line_id in line_ids:
        if line_id not in lines:
            raise NotFound(f"Line item with id {line_id} was not found in order {order.pk}")
    return lines


def _kits(lines) -> dict[str, list[tuple[str, int]]]:
    """Per line id: (inventory_item_id, required_quantity) of its variant, if it manages stock."""
    kits = variant_kits(line.variant_id for line in lines)
    return {line.pk: kits.get(line.variant_id, []) for line in lines}


def _merge(items: list[dict]) -> dict[str, int]:
    quantities = defaultdict(int)
    for item in items:
        quantities[item["item_id"]] += item["quantity"]
    return dict(quantities)


def _refresh_fulfillment_status(order: Order) -> None:
    lines = list(order.items.all())
    total = sum(line.quantity for line in lines)
    returned = sum(line.returned_quantity for line in lines)
    shipped = sum(line.shipped_quantity for line in lines)
    fulfilled = sum(line.fulfilled_quantity for line in lines)
    if returned:
        status = FStatus.RETURNED if returned >= total else FStatus.PARTIALLY_RETURNED
    elif shipped:
        status = FStatus.SHIPPED if shipped >= total else FStatus.PARTIALLY_SHIPPED
    elif fulfilled:
        status = FStatus.FULFILLED if fulfilled >= total else FStatus.PARTIALLY_FULFILLED
    elif order.fulfillments.filter(canceled_at__isnull=False).exists():
        status = FStatus.CANCELED
    else:
        status = FStatus.NOT_FULFILLED
    order.fulfillment_status = status
    order.save(update_fields=["fulfillment_status", "updated_at"])


def _line_reservations(line_ids) -> list[ReservationItem]:
    return list(ReservationItem.objects.filter(line_item_id__in=list(line_ids)).order_by("pk"))


def _reserved_location(reservations: list[ReservationItem]) -> str:
    locations = {r.location_id for r in reservations}
    if len(locations) != 1:
        where = "several locations" if locations else "no location"
        raise InvalidData(f"location_id is required: the items are reserved at {where}")
    return locations.pop()


@locking
def order_line_reserve(
    *,
    order_id: str,
    line_item_id: str,
    location_id: str,
    quantity: int | None = None,
    created_by: str | None = None,
) -> ReservationItem:
    """Reserve one of the order's lines at a location (default: all it still lacks)."""
    order = selectors.order_get(order_id=order_id)
    line = _lock_lines(order, [line_item_id])[line_item_id]
    return line_reserve(
        line=line, location_id=location_id, quantity=quantity, created_by=created_by
    )


# Fulfillment ------------------------------------------------------------------------------


@locking
def fulfillment_create(
    *,
    order_id: str,
    items: list[dict],
    location_id: str | None = None,
    no_notification: bool | None = None,
    metadata: dict | None = None,
) -> Fulfillment:
    """Fulfill lines from a location: its stock drops and the lines' reservations are
    consumed (those at the location first); stock never drops below what others hold there."""
    order = _lock_order(order_id)
    if order.is_canceled:
        raise NotAllowed("A canceled order cannot be fulfilled")
    quantities = _merge(items)
    lines = _lock_lines(order, quantities)
    for line_id, quantity in quantities.items():
        if quantity > lines[line_id].unfulfilled_quantity:
            raise NotAllowed("Cannot fulfill more items than have been purchased")
    held = _line_reservations(quantities)
    if location_id is None:
        location_id = _reserved_location(held)
    else:
        selectors.location_exists(location_id=location_id)
    kits = _kits(lines.values())
    targets = {(item, location_id): line_id for line_id in quantities for item, _ in kits[line_id]}
    levels = lock_levels(
        list(targets) + [(r.inventory_item_id, r.location_id) for r in held],
        missing_ok=True,
    )
    for key, line_id in targets.items():
        if key not in levels:
            raise NotAllowed(f"Inventory item for {lines[line_id].title} not found at location")
    fulfillment = Fulfillment(
        order=order, location_id=location_id, no_notification=no_notification, metadata=metadata
    )
    refs = {"order_id": order.pk, "fulfillment_id": fulfillment.pk}
    taken, changes = defaultdict(int), []
    for line_id, quantity in quantities.items():
        for item, required in kits[line_id]:
            units = quantity * required
            mine = [r for r in held if r.line_item_id == line_id and r.inventory_item_id == item]
            reservations.consume(levels, mine, units=units, location_id=location_id, **refs)
            taken[(item, location_id)] += units
            changes.append(
                Change(
                    (item, location_id),
                    Reason.FULFILLED,
                    stocked=-units,
                    line_item_id=line_id,
                    **refs,
                )
            )
    exempt = backorderable_item_ids([item for item, _ in targets])
    for (item, loc), line_id in targets.items():
        level, left = levels[(item, loc)], levels[(item, loc)].stocked_quantity - taken[(item, loc)]
        if left < 0 or (left < level.reserved_quantity and item not in exempt):
            raise NotAllowed(f"Insufficient stock for item: {lines[line_id].title}")
    record(levels, changes)
    fulfillment.save()
    FulfillmentItem.objects.bulk_create(
        FulfillmentItem(fulfillment=fulfillment, item_id=line_id, quantity=quantity)
        for line_id, quantity in quantities.items()
    )
    for line_id, quantity in quantities.items():
        lines[line_id].fulfilled_quantity += quantity
    LineItem.objects.bulk_update(list(lines.values()), ["fulfilled_quantity"])
    _refresh_fulfillment_status(order)
    return fulfillment


def _lock_fulfillment(order: Order, fulfillment_id: str) -> Fulfillment:
    found = lock_rows(order.fulfillments.filter(pk=fulfillment_id))
    if not found:
        raise NotFound(
            f"no fulfillment was found with the id: {fulfillment_id} related to order: {order.pk}"
        )
    return found[0]


@locking
def fulfillment_cancel(*, order_id: str, fulfillment_id: str) -> Fulfillment:
    """Put the units back at the fulfillment's location and reserve them there again."""
    order = _lock_order(order_id)
    fulfillment = _lock_fulfillment(order, fulfillment_id)
    if fulfillment.canceled_at:
        raise NotAllowed("The fulfillment is already canceled")
    if fulfillment.shipped_at:
        raise NotAllowed(
            "The fulfillment has already been shipped. Shipped fulfillments cannot be canceled"
        )
    quantities = {fi.item_id: fi.quantity for fi in fulfillment.items.all()}
    lines = _lock_lines(order, quantities)
    pending = selectors.units_pending_return(line_ids=list(quantities))
    for line_id, quantity in quantities.items():
        line = lines[line_id]
        if line.fulfilled_quantity - quantity < line.returned_quantity + pending.get(line_id, 0):
            # those units came back (or will) through a return: putting them back again
            # would count them twice
            raise NotAllowed(
                f"Cannot cancel a fulfillment of {line.title}: its units are in a return"
            )
    kits = _kits(lines.values())
    location = fulfillment.location_id
    levels = lock_levels([(item, location) for line_id in quantities for item, _ in kits[line_id]])
    refs = {"order_id": order.pk, "fulfillment_id": fulfillment.pk}
    for line_id, quantity in quantities.items():
        for item, required in kits[line_id]:
            units = quantity * required
            back = Change(
                (item, location),
                Reason.FULFILLMENT_CANCELED,
                stocked=units,
                line_item_id=line_id,
                **refs,
            )
            record(levels, [back])
            reservations.reserve(
                levels,
                item_id=item,
                location_id=location,
                quantity=units,
                reason=Reason.FULFILLMENT_CANCELED,
                line_item_id=line_id,
                **refs,
            )
        lines[line_id].fulfilled_quantity -= quantity
    LineItem.objects.bulk_update(list(lines.values()), ["fulfilled_quantity"])
    fulfillment.canceled_at = timezone.now()
    fulfillment.save(update_fields=["canceled_at", "updated_at"])
    _refresh_fulfillment_status(order)
    return fulfillment


@locking
def fulfillment_ship(*, order_id: str, fulfillment_id: str, tracking_numbers=()) -> Fulfillment:
    order = _lock_order(order_id)
    fulfillment = _lock_fulfillment(order, fulfillment_id)
    if fulfillment.canceled_at:
        raise NotAllowed("A canceled fulfillment cannot be shipped")
    if fulfillment.shipped_at:
        raise NotAllowed("The fulfillment has already been shipped")
    quantities = {fi.item_id: fi.quantity for fi in fulfillment.items.all()}
    lines = _lock_lines(order, quantities)
    for line_id, quantity in quantities.items():
        lines[line_id].shipped_quantity += quantity
    LineItem.objects.bulk_update(list(lines.values()), ["shipped_quantity"])
    fulfillment.shipped_at = timezone.now()
    fulfillment.tracking_numbers = list(tracking_numbers)
    fulfillment.save(update_fields=["shipped_at", "tracking_numbers", "updated_at"])
    _refresh_fulfillment_status(order)
    return fulfillment


# Returns ----------------------------------------------------------------------------------


@locking
def return_request(
    *,
    order_id: str,
    items: list[dict],
    location_id: str | None = None,
    receive_now: bool = False,
    note: str | None = None,
    no_notification: bool | None = None,
    refund: int | None = None,
) -> Return:
    """Request the return of fulfilled units, optionally to a location and received at once."""
    order = _lock_order(order_id)
    if order.is_canceled:
        raise NotAllowed("A canceled order cannot have returns")
    quantities = _merge(items)
    lines = _lock_lines(order, quantities)
    pending = selectors.units_pending_return(line_ids=list(quantities))
    for line_id, quantity in quantities.items():
        line = lines[line_id]
        if quantity > line.fulfilled_quantity - line.returned_quantity - pending.get(line_id, 0):
            raise NotAllowed(f"Cannot return more units of {line.title} than were fulfilled")
    if receive_now and location_id is None:
        raise InvalidData("location_id is required to receive a return")
    if location_id is not None:
        selectors.location_exists(location_id=location_id)
    ret = Return.objects.create(
        order=order,
        location_id=location_id,
        note=note,
        no_notification=no_notification,
        refund_amount=max(refund or 0, 0),
    )
    notes = {item["item_id"]: item.get("note") for item in items}
    ReturnItem.objects.bulk_create(
        ReturnItem(return_order=ret, item_id=line_id, quantity=quantity, note=notes[line_id])
        for line_id, quantity in quantities.items()
    )
    if receive_now:
        return _receive(ret, order, None, location_id)
    return ret


@locking
def return_receive(
    *, return_id: str, items: list[dict] | None = None, location_id: str | None = None
) -> Return:
    """Receive returned units: stock rises at the return's (or the given) location."""
    found = lock_rows(Return.objects.filter(pk=return_id))
    if not found:
        raise NotFound(f"Return with id {return_id} was not found")
    return _receive(found[0], _lock_order(found[0].order_id), items, location_id)


def _receive(ret: Return, order: Order, items: list[dict] | None, location_id: str | None):
    """Receive a locked return of a locked order."""
    return_id = ret.pk
    if ret.status == Return.Status.RECEIVED:
        raise NotAllowed(f"Return with id {return_id} has already been received")
    if ret.status == Return.Status.CANCELED:
        raise NotAllowed("Cannot receive a canceled return")
    location_id = location_id or ret.location_id
    if location_id is None:
        raise InvalidData("location_id is required: the return has no location to receive into")
    requested = {ri.item_id: ri for ri in ret.items.all()}
    quantities = _merge(items) if items else {k: ri.quantity for k, ri in requested.items()}
    for line_id, quantity in quantities.items():
        if line_id not in requested or quantity > requested[line_id].quantity:
            raise InvalidData(
                f"Line item {line_id} is not part of return {return_id} in that number"
            )
    lines = _lock_lines(order, quantities)
    kits = _kits(lines.values())
    levels = lock_levels(
        [(item, location_id) for line_id in quantities for item, _ in kits[line_id]]
    )
    refs = {"order_id": order.pk, "return_id": ret.pk}
    changes = []
    for line_id, quantity in quantities.items():
        changes += [
            Change(
                (item, location_id),
                Reason.RETURNED,
                stocked=quantity * required,
                line_item_id=line_id,
                **refs,
            )
            for item, required in kits[line_id]
        ]
        lines[line_id].returned_quantity += quantity
        requested[line_id].received_quantity = quantity
    record(levels, changes)
    LineItem.objects.bulk_update(list(lines.values()), ["returned_quantity"])
    ReturnItem.objects.bulk_update(list(requested.values()), ["received_quantity"])
    ret.status, ret.location_id, ret.received_at = (
        Return.Status.RECEIVED,
        location_id,
        timezone.now(),
    )
    ret.save(update_fields=["status", "location_id", "received_at", "updated_at"])
    _refresh_fulfillment_status(order)
    return ret


@locking
def return_cancel(*, return_id: str) -> Return:
    found = lock_rows(Return.objects.filter(pk=return_id))
    if not found:
        raise NotFound(f"Return with id {return_id} was not found")
    ret = found[0]
    if ret.status == Return.Status.RECEIVED:
        raise NotAllowed("A received return cannot be canceled")
    ret.status = Return.Status.CANCELED
    ret.save(update_fields=["status", "updated_at"])
    return ret


# Status changes ---------------------------------------------------------------------------


@locking
def order_cancel(*, order_id: str) -> Order:
    """Cancel an order whose fulfillments are all canceled; its reservations are released."""
    order = _lock_order(order_id)
    if order.is_canceled:
        return order
    if order.fulfillments.filter(canceled_at__isnull=True).exists():
        raise NotAllowed("All fulfillments must be canceled before canceling an order")
    if order.returns.exclude(status=Return.Status.CANCELED).exists():
        raise NotAllowed("All returns must be canceled before canceling an order")
    lines = lock_rows(order.items.all())
    reservations.release_lines(
        line_item_ids=[line.pk for line in lines],
        reason=Reason.ORDER_CANCELED,
        order_id=order.pk,
    )
    order.status = order.fulfillment_status = order.payment_status = Status.CANCELED
    order.canceled_at = timezone.now()
    order.save()
    return order


@locking
def order_complete(*, order_id: str) -> Order:
    order = _lock_order(order_id)
    if order.is_canceled:
        raise NotAllowed("A canceled order cannot be completed")
    order.status = Status.COMPLETED
    order.save(update_fields=["status", "updated_at"])
    return order


@locking
def order_archive(*, order_id: str) -> Order:
    order = _lock_order(order_id)
    if order.status not in (Status.COMPLETED, Status.CANCELED):
        raise NotAllowed("Only completed or canceled orders can be archived")
    order.status = Status.ARCHIVED
    order.save(update_fields=["status", "updated_at"])
    return order
