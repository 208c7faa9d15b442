"""Bill notices: a new bill, and reminders of overdue ones (docs/design/notifications.md,
"Bills")."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from academics.models import School
from billing.models import Bill, BillStatus
from billing.selectors import with_bill_status

from ..models import Kind, Notification
from ..selectors import bill_recipients
from .queue import schedule


def note_bills(*, bills: Sequence[Bill]) -> list[Notification]:
    """A "bill issued" notice for each new bill in `bills` to each of its recipients
    (`selectors.bill_recipients`), sent at once. A bill already noticed to a recipient
    is not noticed again. Returns the notices created.

    Called after the bills' transaction committed (`billing.signals.bills_generated`)."""
    if not bills:
        return []
    recipients = bill_recipients(student_ids={bill.student_id for bill in bills})
    schools = School.objects.in_bulk({bill.school_id for bill in bills})
    now = timezone.now()
    new = [
        Notification(
            school=schools[bill.school_id],
            recipient=user,
            student_id=bill.student_id,
            bill=bill,
            kind=Kind.BILL_ISSUED,
            day=schools[bill.school_id].today(),
            key=f"bill_issued:{bill.pk}",
            send_after=now,
        )
        for bill in bills
        for user in recipients.get(bill.student_id, [])
    ]
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(new)
            for notification in created:
                schedule(notification)
        return created
    except IntegrityError:
        # Some were noticed already (unique recipient + key): one by one.
        return [n for n in (_save(notification) for notification in new) if n is not None]


@dataclass
class ReminderResult:
    overdue_bills: int = 0
    reminders: int = 0


def remind_overdue(
    *, school: School, today: datetime.date, every_days: int, dry_run: bool = False
) -> ReminderResult:
    """Queue a reminder for each overdue bill of `school` (due before `today`, the school's
    date, and not fully paid) to each of its recipients who has had no reminder of that
    bill in the last `every_days` days (days ≥ 1). A second run on the same day, or any
    run within `every_days` of the last reminder, queues nothing. `dry_run` counts only.
    Raises ValueError if `every_days` < 1."""
    if every_days < 1:
        raise ValueError("every_days must be 1 or more.")
    bills = list(
        with_bill_status(Bill.objects.filter(school=school), today=today)
        .filter(status=BillStatus.OVERDUE)
        .order_by("pk")
    )
    result = ReminderResult(overdue_bills=len(bills))
    if not bills:
        return result
    recipients = bill_recipients(student_ids={bill.student_id for bill in bills})
    last = {
        (row["bill_id"], row["recipient_id"]): row["last"]
        for row in Notification.objects.filter(bill__in=bills, kind=Kind.BILL_OVERDUE)
        .values("bill_id", "recipient_id")
        .annotate(last=Max("day"))
    }
    now = timezone.now()
    for bill in bills:
        for user in recipients.get(bill.student_id, []):
            previous = last.get((bill.pk, user.pk))
            if previous is not None and (today - previous).days < every_days:
                continue
            if dry_run:
                result.reminders += 1
                continue
            notification = _create(
                school=school,
                user=user,
                bill=bill,
                kind=Kind.BILL_OVERDUE,
                key=f"bill_overdue:{bill.pk}:{today.isoformat()}",
                day=today,
                now=now,
            )
            if notification is not None:
                result.reminders += 1
    return result


def _create(*, school, user, bill, kind, key, day, now) -> Notification | None:
    return _save(
        Notification(
            school=school,
            recipient=user,
            student_id=bill.student_id,
            bill=bill,
            kind=kind,
            day=day,
            key=key,
            send_after=now,
        )
    )


def _save(notification: Notification) -> Notification | None:
    """Insert and schedule `notification`; None if its recipient has one with its key."""
    try:
        with transaction.atomic():
            notification.save()
            schedule(notification)
    except IntegrityError:
        return None
    return notification
