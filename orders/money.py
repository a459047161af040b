"""Money totals, in the currency's smallest unit, and the amounts a client can hold."""

from decimal import ROUND_HALF_UP, Decimal

from config.errors import InvalidData

MAX_AMOUNT = 2**53 - 1
"""The largest integer JavaScript clients (`Number`) hold exactly; JSON writers stop at 2**64."""


def totals(lines, shipping_methods, tax_rate) -> dict[str, int]:
    """Medusa's money totals of lines (`unit_price`, `quantity`) and shipping methods."""
    subtotal = sum(line.unit_price * line.quantity for line in lines)
    shipping = sum(method.get("price") or 0 for method in shipping_methods)
    tax = (Decimal(subtotal + shipping) * Decimal(tax_rate) / 100).quantize(
        Decimal(1), ROUND_HALF_UP
    )
    return {
        "subtotal": subtotal,
        "shipping_total": shipping,
        "tax_total": int(tax),
        "total": subtotal + shipping + int(tax),
    }


def check_amounts(lines, shipping_methods, tax_rate) -> None:
    """Refuse a cart or order whose line subtotals or totals a client could not read back:
    every amount stays within ±MAX_AMOUNT (InvalidData naming each one that does not)."""
    amounts = {
        f"items[{index}].subtotal (unit_price × quantity)": line.unit_price * line.quantity
        for index, line in enumerate(lines)
    }
    amounts.update(totals(lines, shipping_methods, tax_rate))
    problems = [
        f"{name} must not be greater than {MAX_AMOUNT}"
        if amount > 0
        else f"{name} must not be less than {-MAX_AMOUNT}"
        for name, amount in amounts.items()
        if abs(amount) > MAX_AMOUNT
    ]
    if problems:
        raise InvalidData(", ".join(problems))
