"""Writes of draft orders and their lines; paying a draft places its order."""

from django.utils import timezone

from config.changes import save_changes
from config.errors import Conflict, InvalidData, NotAllowed, NotFound
from draft_orders.models import DraftLineItem, DraftOrder, DraftOrderNumber
from inventory.locks import lock_rows, locking
from inventory.models import ProductVariant
from inventory.selectors import default_sales_channel, sales_channel_get
from orders.models import Order
from orders.money import check_amounts
from orders.selectors import region_get, shipping_option_get
from orders.services import order_place


def _lock_open(draft_id: str) -> DraftOrder:
    found = lock_rows(DraftOrder.objects.filter(pk=draft_id))
    if not found:
        raise NotFound(f"Draft order with {draft_id} was not found")
    draft = found[0]
    if draft.status != DraftOrder.Status.OPEN:
        raise NotAllowed("You are only allowed to update open draft orders")
    return draft


def _variant(variant_id: str) -> ProductVariant:
    variant = ProductVariant.objects.select_related("product").filter(pk=variant_id).first()
    if variant is None:
        raise NotFound(f"Variant with id: {variant_id} was not found")
    return variant


def _price(variant: ProductVariant, currency_code: str) -> int:
    for price in variant.prices or []:
        if str(price.get("currency_code", "")).lower() == currency_code.lower():
            return price["amount"]
    raise InvalidData(f'Cannot generate line item for variant "{variant.title}" without a price')


def _line(
    draft: DraftOrder, *, variant_id=None, title=None, unit_price=None, quantity, metadata=None
) -> DraftLineItem:
    """A new line (unsaved): a variant's, priced in the draft's currency, or a custom one."""
    if variant_id is None:
        return DraftLineItem(
            draft_order=draft,
            title=title or "Custom item",
            unit_price=max(unit_price or 0, 0),
            quantity=quantity,
            metadata=metadata,
        )
    variant = _variant(variant_id)
    return DraftLineItem(
        draft_order=draft,
        variant=variant,
        title=title or variant.product.title,
        description=variant.title,
        unit_price=unit_price if unit_price is not None else _price(variant, draft.currency_code),
        quantity=quantity,
        metadata=metadata,
    )


def _add_line(draft: DraftOrder, item: dict) -> DraftLineItem:
    """Add a line; the same variant again adds to that line's quantity."""
    line = _line(draft, **item)
    same = line.variant_id and draft.items.filter(variant_id=line.variant_id).first()
    if same:
        same.quantity += line.quantity
        same.save(update_fields=["quantity", "updated_at"])
        return same
    line.save()
    return line


def _check_amounts(draft: DraftOrder, lines=None) -> None:
    """The draft's lines (default: as stored) and totals stay amounts a client can read."""
    lines = list(draft.items.all()) if lines is None else lines
    check_amounts(lines, draft.shipping_methods, draft.tax_rate)


def _shipping_methods(region_id, methods: list[dict]) -> list[dict]:
    result = []
    for method in methods:
        option = shipping_option_get(option_id=method["option_id"])
        if region_id and option.region_id != region_id:
            raise InvalidData(f"Shipping option {option.pk} is not available in the draft's region")
        price = method.get("price", option.amount)
        result.append(
            {
                "shipping_option_id": option.pk,
                "name": option.name,
                "price": price or 0,
                "data": method.get("data") or {},
            }
        )
    return result


@locking
def draft_order_create(
    *,
    email: str,
    region_id: str | None = None,
    sales_channel_id: str | None = None,
    items: list[dict] = (),
    shipping_methods: list[dict] = (),
    **fields,
) -> DraftOrder:
    region = region_get(region_id=region_id) if region_id is not None else None
    channel = (
        sales_channel_get(sales_channel_id=sales_channel_id)
        if sales_channel_id
        else default_sales_channel()
    )
    draft = DraftOrder.objects.create(
        display_id=DraftOrderNumber.next(),
        email=email,
        region=region,
        sales_channel=channel,
        shipping_methods=_shipping_methods(region_id, shipping_methods),
        **fields,
    )
    lines = {}  # by id: a variant's second line merges into its first
    for item in items:
        line = _add_line(draft, item)
        lines[line.pk] = line
    _check_amounts(draft, list(lines.values()))
    return draft


@locking
def draft_order_update(*, draft_id: str, **changes) -> DraftOrder:
    draft = _lock_open(draft_id)
    if "region_id" in changes:
        region_get(region_id=changes["region_id"])
    if "sales_channel_id" in changes:
        sales_channel_get(sales_channel_id=changes["sales_channel_id"])
    if "shipping_methods" in changes:
        region = changes.get("region_id", draft.region_id)
        changes["shipping_methods"] = _shipping_methods(region, changes["shipping_methods"])
    save_changes(draft, changes)
    if "region_id" in changes or "shipping_methods" in changes:  # the tax rate or shipping
        _check_amounts(draft)
    return draft


@locking
def draft_order_delete(*, draft_id: str) -> None:
    found = lock_rows(DraftOrder.objects.filter(pk=draft_id))
    if not found:
        raise NotFound(f"Draft order with {draft_id} was not found")
    if found[0].status == DraftOrder.Status.COMPLETED:
        raise Conflict(f"Draft order {draft_id} has been paid; its order depends on it")
    found[0].delete()


@locking
def draft_line_add(*, draft_id: str, **item) -> DraftLineItem:
    draft = _lock_open(draft_id)
    line = _add_line(draft, item)
    _check_amounts(draft)
    return line


def _draft_line(draft: DraftOrder, line_id: str) -> DraftLineItem:
    line = draft.items.filter(pk=line_id).first()
    if line is None:
        raise InvalidData("Could not find the line item")
    return line


@locking
def draft_line_update(*, draft_id: str, line_id: str, **changes) -> None:
    """Change a line; `quantity: 0` removes it."""
    draft = _lock_open(draft_id)
    line = _draft_line(draft, line_id)
    if changes.get("quantity") == 0:
        line.delete()
    else:
        save_changes(line, changes)
    _check_amounts(draft)  # a line with a negative price may hold the total down


@locking
def draft_line_delete(*, draft_id: str, line_id: str) -> None:
    draft = _lock_open(draft_id)
    _draft_line(draft, line_id).delete()
    _check_amounts(draft)


@locking
def draft_order_pay(*, draft_id: str) -> Order:
    """Mark the draft paid: place its order (which reserves its stock) and complete it."""
    found = lock_rows(DraftOrder.objects.select_related("region").filter(pk=draft_id))
    if not found:
        raise NotFound(f"Draft order with {draft_id} was not found")
    draft = found[0]
    if draft.status != DraftOrder.Status.OPEN:
        raise NotAllowed(f"Draft order {draft_id} is already completed")
    lines = list(draft.items.all())
    if not lines:
        raise InvalidData("A draft order needs at least one line item to be paid")
    order = order_place(
        email=draft.email,
        sales_channel_id=draft.sales_channel_id,
        currency_code=draft.currency_code,
        region_id=draft.region_id,
        tax_rate=draft.tax_rate,
        shipping_methods=draft.shipping_methods,
        items=[
            {
                "variant_id": line.variant_id,
                "title": line.title,
                "description": line.description,
                "unit_price": line.unit_price,
                "quantity": line.quantity,
                "metadata": line.metadata,
            }
            for line in lines
        ],
        draft_order_id=draft.pk,
        customer_id=draft.customer_id,
        shipping_address=draft.shipping_address,
        billing_address=draft.billing_address,
        no_notification=draft.no_notification_order,
    )
    draft.status, draft.order, draft.completed_at = (
        DraftOrder.Status.COMPLETED,
        order,
        timezone.now(),
    )
    draft.save(update_fields=["status", "order", "completed_at", "updated_at"])
    return order
