"""Session billing (docs/design/billing.md): a bill per student, group and period, its lines,
payments.

- A Bill charges a student for the sessions they attended (status P) in one SchoolClass
  ("group") over one period, at the price per session copied from the group when the bill
  was generated. It is the seed's `StudentPayment` with `paymentType: session_based`.
- A BillLine ties the bill to one AttendanceRecord it charges for (the seed's
  `attendanceRecords`). The record is unique across all lines: a session is charged by at
  most one bill, ever, and the database enforces it.
- A Payment is money received against a bill; `Bill.paid_amount` is their sum, kept by
  `billing.services.payments` under a row lock.

Status (pending/partial/paid/overdue) depends on today, so it is not stored: see
`billing.selectors.with_bill_status`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from academics.models import School, SchoolClass, Stamped, StudentProfile
from attendance.models import AttendanceRecord

PAYMENT_TYPE = "session_based"  # the seed's only kind of bill


class BillStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PARTIAL = "partial", "Partially paid"
    PAID = "paid", "Paid"
    OVERDUE = "overdue", "Overdue"


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Cash"
    CARD = "card", "Card"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    CHEQUE = "cheque", "Cheque"
    MOBILE_WALLET = "mobile_wallet", "Mobile wallet"
    OTHER = "other", "Other"


class Bill(Stamped):
    """What one student owes for the sessions attended in one group over one period."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="bills")
    student = models.ForeignKey(StudentProfile, on_delete=models.PROTECT, related_name="bills")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="bills", verbose_name="group"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    price_per_session = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        help_text="Copied from the group when the bill was generated; a later price change "
        "does not rewrite it.",
    )
    sessions_attended = models.PositiveIntegerField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    paid_amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        help_text="The sum of the bill's payments (kept by the payment service).",
    )
    currency = models.CharField(max_length=3, help_text="The school's currency when generated.")
    due_date = models.DateField()
    recalculated_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-period_start", "school_class__name", "student__user__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_class", "period_start", "period_end"],
                name="bill_one_per_student_group_period",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="bill_period_ordered"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="bill_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0), name="bill_paid_amount_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(price_per_session__gte=0), name="bill_price_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["school", "period_start"]),
            models.Index(fields=["school_class", "period_start"]),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.student} {self.school_class}"

    @property
    def number(self) -> str:
        """The invoice number printed on the bill."""
        return f"INV-{self.pk:06d}" if self.pk else "INV-(new)"

    @property
    def remaining(self) -> Decimal:
        """Still to pay; never below zero (see `credit`)."""
        return max(self.amount - self.paid_amount, Decimal("0"))

    @property
    def credit(self) -> Decimal:
        """Paid beyond the amount, after a recalculation lowered it: held for the student."""
        return max(self.paid_amount - self.amount, Decimal("0"))


class BillLine(models.Model):
    """One attended session a bill charges for. A record has at most one line, ever."""

    bill = models.ForeignKey(Bill, on_delete=models.CASCADE, related_name="lines")
    attendance_record = models.OneToOneField(
        AttendanceRecord, on_delete=models.PROTECT, related_name="bill_line"
    )

    class Meta:
        ordering = ["attendance_record__date", "attendance_record__period_number"]

    def __str__(self) -> str:
        return f"{self.bill.number}: {self.attendance_record}"


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", "Payment"
    REFUND = "refund", "Refund"


class Payment(models.Model):
    """Money received against a bill (a payment, amount > 0), or an overpayment given back
    (a refund, amount < 0). Never edited or deleted: a wrong one is voided, with who, when
    and why, and stays in the bill's history (docs/design/billing.md, "Voids and refunds").
    The bill's paid amount is the sum of its payments not voided."""

    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(max_length=10, choices=PaymentKind.choices, default=PaymentKind.PAYMENT)
    amount = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="Received (> 0), or refunded (< 0)."
    )
    paid_on = models.DateField(help_text="School-local date the money was received.")
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    reference = models.CharField(
        max_length=100, blank=True, help_text="Receipt, cheque or transfer number."
    )
    note = models.CharField(max_length=500, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payments_received"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments_voided",
    )
    void_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["paid_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="payment", amount__gt=0) | Q(kind="refund", amount__lt=0),
                name="payment_amount_sign_of_kind",
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True)
                | (Q(voided_by__isnull=False) & ~Q(void_reason="")),
                name="payment_void_has_who_and_why",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} on {self.paid_on} for {self.bill.number}"

    @property
    def is_void(self) -> bool:
        return self.voided_at is not None
