"""Create, edit, ship, receive and cancel stock transfers.

A transfer's row is locked before the levels it moves (`inventory.locks.LOCK_ORDER`), and
both ends' levels are locked together in the one key order, so transfers in opposite
directions never wait on each other in a cycle. Every step changes counters only through
`inventory.counters.record`, with the transfer's id on each movement.
"""

from django.db import transaction
from django.utils import timezone

from config.errors import InsufficientInventory, InvalidData, NotAllowed, NotFound
from inventory import selectors as inventory
from inventory.counters import Change, record
from inventory.locks import lock_rows, locking
from inventory.models import InventoryItem, StockMovement
from inventory.services import lock_or_open_levels
from reservations.services import release_expired
from transfers.models import StockTransfer, StockTransferItem

Reason = StockMovement.Reason
Status = StockTransfer.Status
UNSET = object()


def _quantities(items: list[dict], field: str = "items") -> dict[str, int]:
    """`{inventory_item_id: quantity}` of `items`; each item once, each quantity positive."""
    quantities, problems = {}, []
    for index, row in enumerate(items):
        item_id, quantity = row["inventory_item_id"], row["quantity"]
        if item_id in quantities:
            problems.append(f"{field}[{index}].inventory_item_id {item_id} is listed twice")
        if not isinstance(quantity, int) or quantity < 1:
            problems.append(f"{field}[{index}].quantity must be a positive integer")
        quantities[item_id] = quantity
    if problems:
        raise InvalidData(", ".join(problems))
    return quantities


def _check_route(from_location_id: str, to_location_id: str) -> None:
    if from_location_id == to_location_id:
        raise InvalidData("to_location_id must differ from from_location_id")
    for location_id in (from_location_id, to_location_id):
        inventory.stock_location_get(location_id=location_id)


def _check_items(quantities: dict[str, int]) -> None:
    found = set(InventoryItem.objects.filter(pk__in=list(quantities)).values_list("pk", flat=True))
    unknown = [item_id for item_id in quantities if item_id not in found]
    if unknown:
        raise NotFound(f"Inventory item with id {', '.join(unknown)} was not found")


def _set_items(transfer: StockTransfer, quantities: dict[str, int]) -> None:
    transfer.items.all().delete()
    StockTransferItem.objects.bulk_create(
        StockTransferItem(transfer=transfer, inventory_item_id=item_id, quantity=quantity)
        for item_id, quantity in quantities.items()
    )


@transaction.atomic
def transfer_create(
    *,
    from_location_id: str,
    to_location_id: str,
    items: list[dict],
    reference: str | None = None,
    note: str | None = None,
    metadata: dict | None = None,
) -> StockTransfer:
    """A draft transfer of these items' quantities from one location to another."""
    quantities = _quantities(items)
    if not quantities:
        raise InvalidData("items should not be empty")
    _check_route(from_location_id, to_location_id)
    _check_items(quantities)
    transfer = StockTransfer.objects.create(
        from_location_id=from_location_id,
        to_location_id=to_location_id,
        reference=reference,
        note=note,
        metadata=metadata,
    )
    _set_items(transfer, quantities)
    return transfer


def _lock(transfer_id: str) -> StockTransfer:
    found = lock_rows(StockTransfer.objects.filter(pk=transfer_id))
    if not found:
        raise NotFound(f"Stock transfer with id {transfer_id} was not found")
    return found[0]


def _refuse(transfer: StockTransfer, action: str) -> NotAllowed:
    return NotAllowed(f"Cannot {action} stock transfer {transfer.pk}: it is {transfer.status}")


@locking
def transfer_update(
    *,
    transfer_id: str,
    from_location_id: str | None = None,
    to_location_id: str | None = None,
    items: list[dict] | None = None,
    reference=UNSET,
    note=UNSET,
    metadata=UNSET,
) -> StockTransfer:
    """Edit a draft: its locations, its items (replaced as a whole) or its text; `metadata`
    is merged into the stored object (null clears it)."""
    transfer = _lock(transfer_id)
    if transfer.status != Status.DRAFT:
        raise _refuse(transfer, "edit")
    transfer.from_location_id = from_location_id or transfer.from_location_id
    transfer.to_location_id = to_location_id or transfer.to_location_id
    _check_route(transfer.from_location_id, transfer.to_location_id)
    if items is not None:
        quantities = _quantities(items)
        if not quantities:
            raise InvalidData("items should not be empty")
        _check_items(quantities)
        _set_items(transfer, quantities)
    if reference is not UNSET:
        transfer.reference = reference
    if note is not UNSET:
        transfer.note = note
    if metadata is not UNSET:
        transfer.metadata = None if metadata is None else {**(transfer.metadata or {}), **metadata}
    transfer.save()
    return transfer


def _short(levels, transfer: StockTransfer, items: list[StockTransferItem]) -> list[dict]:
    """Every item the source cannot give: stock less what is reserved there."""
    short = []
    for row in items:
        level = levels[(row.inventory_item_id, transfer.from_location_id)]
        if row.quantity > level.available_quantity:
            short.append(
                {
                    "inventory_item_id": row.inventory_item_id,
                    "location_id": transfer.from_location_id,
                    "label": f"item {row.inventory_item.sku or row.inventory_item_id}",
                    "requested": row.quantity,
                    "available": max(level.available_quantity, 0),
                }
            )
    return short


@locking
def transfer_ship(*, transfer_id: str) -> StockTransfer:
    """Ship a draft: its units leave the source's stock (what is available there: stock
    less reservations) and join the destination's incoming quantity."""
    transfer = _lock(transfer_id)
    if transfer.status != Status.DRAFT:
        raise _refuse(transfer, "ship")
    items = list(transfer.items.select_related("inventory_item"))
    source, destination = transfer.from_location_id, transfer.to_location_id
    levels = lock_or_open_levels(
        [(row.inventory_item_id, loc) for row in items for loc in (source, destination)]
    )
    short = _short(levels, transfer, items)
    if short and release_expired(levels, [(s["inventory_item_id"], source) for s in short]):
        short = _short(levels, transfer, items)  # expired holds no longer count
    if short:
        raise InsufficientInventory(short)
    changes = []
    for row in items:
        item = row.inventory_item_id
        changes += [
            Change(
                (item, source), Reason.TRANSFER_SHIPPED, stocked=-row.quantity, **_refs(transfer)
            ),
            Change(
                (item, destination),
                Reason.TRANSFER_SHIPPED,
                incoming=row.quantity,
                **_refs(transfer),
            ),
        ]
    record(levels, changes)
    transfer.status, transfer.shipped_at = Status.SHIPPED, timezone.now()
    transfer.save(update_fields=["status", "shipped_at", "updated_at"])
    return transfer


def _refs(transfer: StockTransfer) -> dict:
    return {"transfer_id": transfer.pk, "reference": transfer.reference}


def _incoming(level, units: int) -> int:
    """The fall of a level's incoming quantity for `units` that stop coming: at most what
    it shows (staff may have lowered it by hand)."""
    return -min(units, level.incoming_quantity)


@locking
def transfer_receive(*, transfer_id: str, items: list[dict] | None = None) -> StockTransfer:
    """Receive shipped units at the destination (by default every outstanding one): its
    stock rises and its incoming quantity falls."""
    transfer = _lock(transfer_id)
    if transfer.status not in StockTransfer.IN_FLIGHT:
        raise _refuse(transfer, "receive")
    rows = {row.inventory_item_id: row for row in transfer.items.all()}
    if items is None:
        quantities = {item: row.outstanding for item, row in rows.items() if row.outstanding}
    else:
        quantities = _quantities(items)
    problems = [
        f"item {item} is not part of transfer {transfer.pk}"
        if item not in rows
        else f"item {item}: {quantity} received but {rows[item].outstanding} outstanding"
        for item, quantity in quantities.items()
        if item not in rows or quantity > rows[item].outstanding
    ]
    if problems or not quantities:
        raise InvalidData(", ".join(problems) or "items should not be empty")
    destination = transfer.to_location_id
    levels = lock_or_open_levels([(item, destination) for item in quantities])
    record(
        levels,
        [
            Change(
                (item, destination),
                Reason.TRANSFER_RECEIVED,
                stocked=quantity,
                incoming=_incoming(levels[(item, destination)], quantity),
                **_refs(transfer),
            )
            for item, quantity in quantities.items()
        ],
    )
    for item, quantity in quantities.items():
        rows[item].received_quantity += quantity
    StockTransferItem.objects.bulk_update(
        [rows[item] for item in quantities], ["received_quantity"]
    )
    done = all(not row.outstanding for row in rows.values())
    transfer.status = Status.RECEIVED if done else Status.PARTIALLY_RECEIVED
    transfer.received_at = timezone.now() if done else None
    transfer.save(update_fields=["status", "received_at", "updated_at"])
    return transfer


@locking
def transfer_cancel(*, transfer_id: str) -> StockTransfer:
    """Cancel a transfer: a draft simply; a shipped one puts what was not received back
    into the source's stock and takes it off the destination's incoming quantity."""
    transfer = _lock(transfer_id)
    if transfer.status not in (Status.DRAFT, *StockTransfer.IN_FLIGHT):
        raise _refuse(transfer, "cancel")
    if transfer.status != Status.DRAFT:
        outstanding = [row for row in transfer.items.all() if row.outstanding]
        source, destination = transfer.from_location_id, transfer.to_location_id
        levels = lock_or_open_levels(
            [(row.inventory_item_id, loc) for row in outstanding for loc in (source, destination)]
        )
        changes = []
        for row in outstanding:
            item, units = row.inventory_item_id, row.outstanding
            changes.append(
                Change((item, source), Reason.TRANSFER_CANCELED, stocked=units, **_refs(transfer))
            )
            if incoming := _incoming(levels[(item, destination)], units):
                changes.append(
                    Change(
                        (item, destination),
                        Reason.TRANSFER_CANCELED,
                        incoming=incoming,
                        **_refs(transfer),
                    )
                )
        record(levels, changes)
    transfer.status, transfer.canceled_at = Status.CANCELED, timezone.now()
    transfer.save(update_fields=["status", "canceled_at", "updated_at"])
    return transfer
