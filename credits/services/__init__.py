"""Writes for make-up credits (docs/design/credits.md); every balance change goes through here."""

from .balances import (
    CreditError,
    CreditPermissionError,
    CreditsSet,
    clear_departed_tutor_credits,
    expire_makeup_credits,
    parse_credit_amount,
    set_available_credits,
)
from .lessons import book_makeup_lesson, cancel_makeup_lesson, complete_makeup_lesson

__all__ = [
    "CreditError",
    "CreditPermissionError",
    "CreditsSet",
    "book_makeup_lesson",
    "cancel_makeup_lesson",
    "clear_departed_tutor_credits",
    "complete_makeup_lesson",
    "expire_makeup_credits",
    "parse_credit_amount",
    "set_available_credits",
]
