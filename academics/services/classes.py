"""Writes about classes (groups)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from ..models import SchoolClass, User

MAX_PRICE = Decimal("99999999.99")  # SchoolClass.price_per_session: 10 digits, 2 places


class PriceError(ValueError):
    """A price per session was refused; nothing was written."""


def set_price_per_session(
    *, school_class: SchoolClass, price: Decimal | None, actor: User
) -> SchoolClass:
    """Set the price per session a group is billed at (docs/design/billing.md).

    Args:
        school_class: the group; its bills already generated keep the price they were
            issued at.
        price: Decimal in the school's currency, ≥ 0 with at most 2 decimal places; None
            clears it (the group can then not be billed).
        actor: who changed it (kept in `updated_by`).

    Returns the saved group. Raises PriceError for a negative, too large or sub-cent price.
    """
    if price is not None:
        try:
            if price != price.quantize(Decimal("0.01")):
                raise PriceError("Enter the price to the cent, e.g. 100 or 99.50.")
        except InvalidOperation as exc:
            raise PriceError("Enter a price such as 100 or 99.50.") from exc
        if price < 0:
            raise PriceError("A price per session cannot be negative.")
        if price > MAX_PRICE:
            raise PriceError(f"A price per session can be at most {MAX_PRICE:,}.")
    school_class.price_per_session = price
    school_class.updated_by = actor
    school_class.save(update_fields=["price_per_session", "updated_by", "updated_at"])
    return school_class
