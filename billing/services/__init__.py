"""Writes for billing, one module per area; the names are re-exported here."""

from .generation import (
    BillingError,
    ConcurrentGeneration,
    GenerationResult,
    GroupNotPriced,
    SkippedStudent,
    generate_bills,
    recalculate_bill,
)
from .payments import PaymentError, record_payment, refund_overpayment, void_payment

__all__ = [
    "BillingError",
    "ConcurrentGeneration",
    "GenerationResult",
    "GroupNotPriced",
    "PaymentError",
    "SkippedStudent",
    "generate_bills",
    "recalculate_bill",
    "record_payment",
    "refund_overpayment",
    "void_payment",
]
