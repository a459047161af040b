"""Money totals, in the currency's smallest unit, and the amounts a client can hold."""

from decimal import ROUND_HALF_UP, Decimal

from config.errors import InvalidData

ZERO_DECIMALS = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
THREE_DECIMALS = "BHD IQD JOD KWD LYD OMR TND"
DECIMALS = {**dict.fromkeys(ZERO_DECIMALS.split(), 0), **dict.fromkeys(THREE_DECIMALS.split(), 3)}
"""ISO 4217 currencies whose minor unit is not a hundredth (the others have two decimals)."""

MAX_AMOUNT = 2**53 - 1
"""The largest integer JavaScript clients (`Number`) hold exactly; JSON writers stop at 2**64."""


def money_text(amount: int, currency_code: str) -> str:
    """An amount in the currency's smallest unit, as people read it: 47494 EUR -> "474.94 EUR"."""
    code = currency_code.upper()
    digits = DECIMALS.get(code, 2)
    return f"{Decimal(amount).scaleb(-digits):.{digits}f} {code}"


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
