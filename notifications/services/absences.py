"""Absence notices: one email per student per day to each guardian who wants them
(docs/design/notifications.md, "Absences").

The first period marked A or UL on a day creates the day's notice for each guardian,
to be sent at the school's `absence_notice_time` (school-local; at least
`ABSENCE_GRACE` after the mark, so a slip can still be corrected). Later absences that
day join it: the text is composed when it is sent, from the day's records then. A
notice cancelled because the absences were corrected is queued again by a new absence
the same day; one already sent is not repeated.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from academics.models import School
from attendance.models import AttendanceRecord

from ..models import Kind, Notification, NotificationStatus
from ..selectors import absence_recipients
from .compose import ABSENT_STATUSES
from .queue import schedule

# Time left after a mark before its notice goes out, when the notice time has passed.
ABSENCE_GRACE = datetime.timedelta(minutes=10)
# Absences on days older than this (school-local) are not notified: a correction of last
# month's register is no news to a parent.
ABSENCE_MAX_AGE = datetime.timedelta(days=1)


def absence_key(student_id: int, day: datetime.date) -> str:
    return f"absence:{student_id}:{day.isoformat()}"


def notice_time(school: School, day: datetime.date, *, now: datetime.datetime) -> datetime.datetime:
    """When the notice of absences on `day` is sent: the school's `absence_notice_time`
    that day in its time zone, or `ABSENCE_GRACE` from `now` if that is later."""
    planned = datetime.datetime.combine(
        day, school.absence_notice_time, tzinfo=zoneinfo.ZoneInfo(school.timezone)
    )
    return max(planned, now + ABSENCE_GRACE)


def note_absences(*, records: Sequence[AttendanceRecord]) -> list[Notification]:
    """Create (or revive) the day's absence notice for each guardian of each student left A
    or UL by `records` (saved AttendanceRecords, any status), and schedule it. Students
    and days already noticed are left as they are; records of days older than
    `ABSENCE_MAX_AGE` or orphaned are ignored. Returns the notices created or revived.

    Called after the records' transaction committed (`attendance.signals.records_saved`).
    """
    absent = {
        (record.school_id, record.student_id, record.date)
        for record in records
        if record.status in ABSENT_STATUSES and not record.is_orphaned
    }
    if not absent:
        return []
    schools = School.objects.in_bulk({school_id for school_id, _, _ in absent})
    recipients = absence_recipients(student_ids={student_id for _, student_id, _ in absent})
    now = timezone.now()
    wanted: dict[tuple[int, str], Notification] = {}
    for school_id, student_id, day in sorted(absent):
        school = schools[school_id]
        if day < school.today() - ABSENCE_MAX_AGE:
            continue
        for user in recipients.get(student_id, []):
            key = absence_key(student_id, day)
            wanted[(user.pk, key)] = Notification(
                school=school,
                recipient=user,
                student_id=student_id,
                kind=Kind.ABSENCE,
                day=day,
                key=key,
                send_after=notice_time(school, day, now=now),
            )
    if not wanted:
        return []
    try:
        return _notice_all(wanted)
    except IntegrityError:
        # Another save of the same students created some of these notices at the same
        # moment: take them one by one, each in its own savepoint.
        return [n for n in (_notice(new) for new in wanted.values()) if n is not None]


def _notice_all(wanted: dict[tuple[int, str], Notification]) -> list[Notification]:
    """Create or revive every notice of `wanted` in a few queries, whatever the number of
    students and guardians. Raises IntegrityError (nothing written) on a concurrent insert."""
    with transaction.atomic():
        existing = {
            (n.recipient_id, n.key): n
            for n in Notification.objects.select_for_update().filter(
                recipient_id__in={user_id for user_id, _ in wanted},
                key__in={key for _, key in wanted},
            )
        }
        revived = []
        for pair, notification in existing.items():
            if pair in wanted and notification.status == NotificationStatus.CANCELLED:
                notification.status = NotificationStatus.QUEUED
                notification.send_after = wanted[pair].send_after
                revived.append(notification)
        if revived:
            Notification.objects.bulk_update(revived, ["status", "send_after"])
        created = Notification.objects.bulk_create(
            [new for pair, new in wanted.items() if pair not in existing]
        )
        for notification in [*created, *revived]:
            schedule(notification)
    return [*created, *revived]


def _notice(new: Notification) -> Notification | None:
    """`_notice_all` for one notice, safe against a concurrent insert of the same one."""
    with transaction.atomic():
        existing = (
            Notification.objects.select_for_update()
            .filter(recipient=new.recipient, key=new.key)
            .first()
        )
        if existing is None:
            try:
                with transaction.atomic():
                    new.save()
            except IntegrityError:
                return None  # created at the same moment by another save
            notification = new
        elif existing.status == NotificationStatus.CANCELLED:
            notification = existing
            notification.status = NotificationStatus.QUEUED
            notification.send_after = new.send_after
            notification.save(update_fields=["status", "send_after"])
        else:
            return None  # queued (this absence joins it), sent, or failed: once a day
        schedule(notification)
    return notification
