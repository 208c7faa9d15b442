"""Recording money received against a bill, voiding a wrong payment and refunding an
overpayment (docs/design/billing.md, "Payments" and "Voids and refunds")."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from academics.models import User

from ..models import Bill, Payment, PaymentKind, PaymentMethod


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


def _money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def _reason(reason: str, *, missing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise PaymentError(missing)
    if len(reason) > 500:
        raise PaymentError(_("Keep the reason to 500 characters."))
    return reason


def _paid_total(bill_id: int) -> Decimal:
    """The sum of the bill's payments not voided (refunds count negative)."""
    return Payment.objects.filter(bill_id=bill_id, voided_at__isnull=True).aggregate(
        total=Coalesce(Sum("amount"), Decimal("0"))
    )["total"]


def void_payment(*, payment: Payment, reason: str, actor: User) -> Payment:
    """Void `payment` (a payment or a refund entered by mistake): it is kept, marked void
    with `actor`, now and `reason`, shown struck through on the bill, and the bill's paid
    amount (hence its status) is recomputed from the payments not voided
    (docs/design/billing.md, "Voids and refunds").

    The bill's row is locked first, as `record_payment` does, so a void and a payment
    recorded at once queue and the paid amount stays the sum of what counts.

    Raises PaymentError (nothing written): no reason, the payment already voided, or voiding
    a payment that a refund was given back from (the bill would have paid out more than
    it received: void the refund first).
    """
    reason = _reason(reason, missing=_("Say why the payment is voided, e.g. “entered twice”."))
    with transaction.atomic():
        bill = Bill.objects.select_for_update().get(pk=payment.bill_id)
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.is_void:
            zone = zoneinfo.ZoneInfo(bill.school.timezone)
            raise PaymentError(
                _("This %(kind)s was already voided on %(when)s by %(who)s.")
                % {
                    "kind": locked.get_kind_display().lower(),
                    "when": date_format(timezone.localtime(locked.voided_at, zone), "j M Y H:i"),
                    "who": locked.voided_by,
                }
            )
        new_total = _paid_total(bill.pk) - locked.amount
        if new_total < 0:
            raise PaymentError(
                _(
                    "%(number)s has refunded money from this payment: void the refund "
                    "first, then the payment."
                )
                % {"number": bill.number}
            )
        locked.voided_at = timezone.now()
        locked.voided_by = actor
        locked.void_reason = reason
        locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
        Bill.objects.filter(pk=bill.pk).update(paid_amount=new_total)
    payment.refresh_from_db()
    return locked


def refund_overpayment(
    *,
    bill: Bill,
    amount: Decimal,
    paid_on: datetime.date,
    method: str,
    reason: str,
    actor: User,
    reference: str = "",
) -> Payment:
    """Record `amount` (Decimal > 0, to the cent, the bill's currency) given back to the
    student on `paid_on` (school-local, not in the future) from what was paid beyond the
    bill's amount: a refund (a movement of −amount) with `reason`; the bill's paid amount
    drops by `amount` (docs/design/billing.md, "Voids and refunds").

    Only up to the bill's credit (paid beyond the amount, after a recalculation lowered
    it). The bill's row is locked as `record_payment` does, so two refunds at once cannot
    together give back more than the credit.

    Raises PaymentError (nothing written): no reason, a bad amount, method or date, or
    more than the credit.
    """
    reason = _reason(reason, missing=_("Say why the money is given back."))
    if method not in PaymentMethod.values:
        raise PaymentError(_("Unknown payment method “%(method)s”.") % {"method": method})
    if amount <= 0:
        raise PaymentError(_("Enter an amount greater than zero."))
    if amount != amount.quantize(Decimal("0.01")):
        raise PaymentError(_("Enter the amount to the cent, e.g. 150.50."))
    today = bill.school.today()
    if paid_on > today:
        raise PaymentError(
            _("The refund date %(date)s is in the future (today is %(today)s).")
            % {"date": paid_on.isoformat(), "today": today.isoformat()}
        )
    with transaction.atomic():
        locked = Bill.objects.select_for_update().get(pk=bill.pk)
        if locked.credit <= 0:
            raise PaymentError(
                _("Nothing was paid beyond %(number)s's amount: there is nothing to refund.")
                % {"number": locked.number}
            )
        if amount > locked.credit:
            raise PaymentError(
                _(
                    "Only %(credit)s was paid beyond %(number)s's amount: a refund gives "
                    "back at most that."
                )
                % {"credit": _money(locked.credit, locked.currency), "number": locked.number}
            )
        refund = Payment.objects.create(
            bill=locked,
            kind=PaymentKind.REFUND,
            amount=-amount,
            paid_on=paid_on,
            method=method,
            reference=reference.strip(),
            note=reason,
            received_by=actor,
        )
        Bill.objects.filter(pk=locked.pk).update(paid_amount=F("paid_amount") - amount)
    bill.refresh_from_db(fields=["paid_amount", "updated_at"])
    return refund
