"""The text of a notification, composed when it is sent from the data as it is then
(docs/design/notifications.md, "Absences": a correction before the notice time drops
the period, or the whole notice)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from attendance.models import AttendanceRecord, Status
from billing.models import Bill

from ..models import Kind, Notification

# The statuses an absence notice lists (docs/design/notifications.md).
ABSENT_STATUSES = (Status.ABSENT, Status.UNINFORMED_LEAVE)


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str


def money(amount: Decimal, currency: str) -> str:
    """`700.00 EGP`: two decimals and the ISO code, as on the bills."""
    return f"{amount.quantize(Decimal('0.01'))} {currency}"


def compose(notification: Notification) -> Composed | None:
    """The message for `notification` now, or None when there is nothing left to say (the
    absences were corrected, the overdue bill was paid, the bill is gone)."""
    if notification.kind == Kind.ABSENCE:
        return _absence(notification)
    if notification.kind in (Kind.BILL_ISSUED, Kind.BILL_OVERDUE):
        return _bill(notification)
    raise ValueError(f"Unknown notification kind {notification.kind!r}")


def _render(name: str, context: dict) -> tuple[str, str]:
    text = render_to_string(f"notifications/{name}.txt", context)
    html = render_to_string(f"notifications/{name}.html", context)
    return text, html


def _absence(notification: Notification) -> Composed | None:
    records = list(
        AttendanceRecord.objects.filter(
            student_id=notification.student_id,
            date=notification.day,
            status__in=ABSENT_STATUSES,
            is_orphaned=False,
        )
        .select_related("subject", "school_class")
        .order_by("period_number")
    )
    if not records:
        return None
    student = notification.student
    periods = [
        {
            "period": record.period_number,
            "subject": record.subject.name if record.subject_id else "",
            "group": str(record.school_class),
            "status": Status(record.status).label,
        }
        for record in records
    ]
    day = date_format(notification.day, "l j F Y")
    context = {
        "recipient": notification.recipient,
        "student": student.name,
        "school": notification.school.name,
        "day": day,
        "periods": periods,
    }
    subject = _("%(student)s was absent on %(day)s") % {"student": student.name, "day": day}
    return Composed(subject, *_render("absence", context))


def _bill(notification: Notification) -> Composed | None:
    bill = (
        Bill.objects.select_related("student__user", "school_class", "school")
        .filter(pk=notification.bill_id)
        .first()
    )
    if bill is None:
        return None
    overdue = notification.kind == Kind.BILL_OVERDUE
    if overdue and bill.remaining <= 0:
        return None
    context = {
        "recipient": notification.recipient,
        "student": bill.student.name,
        "school": bill.school.name,
        "number": bill.number,
        "group": bill.school_class.name,
        "period_start": date_format(bill.period_start, "j F Y"),
        "period_end": date_format(bill.period_end, "j F Y"),
        "sessions": bill.sessions_attended,
        "price": money(bill.price_per_session, bill.currency),
        "amount": money(bill.amount, bill.currency),
        "paid": money(bill.paid_amount, bill.currency),
        "remaining": money(bill.remaining, bill.currency),
        "due_date": date_format(bill.due_date, "j F Y"),
    }
    if overdue:
        subject = _("Reminder: %(number)s for %(student)s is overdue (%(remaining)s)") % context
        return Composed(subject, *_render("bill_overdue", context))
    subject = _("New bill %(number)s for %(student)s: %(amount)s, due %(due_date)s") % context
    return Composed(subject, *_render("bill_issued", context))
