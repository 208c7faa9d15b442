"""Template helpers for the billing pages (docs/design/billing.md).

Load with ``{% load billing %}``.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()

CENT = Decimal("0.01")


@register.filter
def money(value, currency=""):
    """Show an amount of money with two decimals and thousands separators.

    ``value``: a Decimal (an int, float or numeric string is accepted too);
    ``currency``: the currency code to append (e.g. the bill's ``currency``), optional.
    Returns e.g. ``"1,200.00 EGP"`` for ``Decimal("1200")`` and ``"EGP"``; a negative
    amount keeps its sign (``"-50.00 EGP"``). ``None`` or an empty string gives ``""``;
    a value that is not a number is returned unchanged as text. Rounds half up to cents.
    """
    if value is None or value == "":
        return ""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
        amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if amount == 0:
        amount = abs(amount)  # no "-0.00"
    text = f"{amount:,.2f}"
    currency = str(currency or "").strip()
    return f"{text} {currency}" if currency else text
