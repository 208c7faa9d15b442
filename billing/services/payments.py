"""Recording money received against a bill (docs/design/billing.md)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F

from academics.models import User

from ..models import Bill, Payment, PaymentMethod


class PaymentError(Exception):
    """A payment was refused; nothing was written."""


def record_payment(
    *,
    bill: Bill,
    amount: Decimal,
    paid_on: datetime.date,
    method: str,
    received_by: User,
    reference: str = "",
    note: str = "",
) -> Payment:
    """Record `amount` (Decimal, the bill's currency, > 0, at most 2 decimal places)
    received on `paid_on` (school-local, not in the future) against `bill`; partial
    payments are allowed (docs/design/billing.md).

    The bill's row is locked while its paid amount is checked and raised, so two payments
    recorded at once cannot together pay more than is owed. Raises PaymentError when the
    amount is not positive, has fractions of a cent, is more than the bill still owes,
    or the date or method is not acceptable.
    """
    if method not in PaymentMethod.values:
        raise PaymentError(f"Unknown payment method “{method}”.")
    if amount <= 0:
        raise PaymentError("Enter an amount greater than zero.")
    if amount != amount.quantize(Decimal("0.01")):
        raise PaymentError("Enter the amount to the cent, e.g. 150.50.")
    today = bill.school.today()
    if paid_on > today:
        raise PaymentError(
            f"The payment date {paid_on.isoformat()} is in the future (today is "
            f"{today.isoformat()})."
        )
    with transaction.atomic():
        locked = Bill.objects.select_for_update().get(pk=bill.pk)
        if amount > locked.remaining:
            if locked.remaining == 0:
                raise PaymentError(f"{locked.number} is already paid in full.")
            raise PaymentError(
                f"That is more than is owed: {locked.number} has {locked.remaining} "
                f"{locked.currency} left to pay."
            )
        payment = Payment.objects.create(
            bill=locked,
            amount=amount,
            paid_on=paid_on,
            method=method,
            reference=reference.strip(),
            note=note.strip(),
            received_by=received_by,
        )
        Bill.objects.filter(pk=locked.pk).update(paid_amount=F("paid_amount") + amount)
    bill.refresh_from_db(fields=["paid_amount", "updated_at"])
    return payment
