"""The school calendar's effect on the roll: filling a closure's periods with H."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from academics.models import Holiday, Membership, TimetableSlot, User

from ..models import AttendanceRecord, Status
from .records import create_records, update_records

# (student, date, period, subject): the key of a record (docs/design/attendance.md, EC-ATT-03).
RecordKey = tuple[int, datetime.date, int, int]


@dataclass
class HolidayFill:
    """What `fill_holiday` did. `periods` counts (slot, date) pairs that met in the
    closure; the other fields count records."""

    periods: int = 0
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    orphaned_left: int = 0

    def __str__(self) -> str:
        return (
            f"{self.periods} period{'s' if self.periods != 1 else ''}: "
            f"{self.created} created, {self.corrected} corrected to H, "
            f"{self.unchanged} already H, {self.orphaned_left} orphaned left alone"
        )


def closure_reason(holiday: Holiday) -> str:
    """The modification reason written on a record corrected to H by `fill_holiday`."""
    return f"Closure: {holiday.name}"


@transaction.atomic
def fill_holiday(*, holiday: Holiday, actor: User | None = None) -> HolidayFill:
    """Give every period of a closure the status H (Holiday), for every student on its
    roster (docs/design/attendance.md; it lists H as excluded from the percentage).

    Args:
        holiday: the closure; every school-local date from its `start_date` to its
            `end_date` (inclusive) is filled.
        actor: who asked (an admin in the Django admin); None for a command run, which the
            records show as "System". Becomes `marked_by` of new records and `modified_by`
            of corrected ones.

    For each timetable slot of the holiday's school meeting on a date of the range
    (`TimetableSlot.meets_on`), each student whose membership of the slot's class is active
    that day gets a record with status H. A record already saved for such a period (any
    non-H status, for a roster student or one who has since left) is corrected to H with
    the reason "Closure: <name>"; its old value stays in its history (EC-ATT-04). Orphaned
    records (EC-ATT-02) are frozen and left alone. Running it again changes nothing.

    Returns:
        HolidayFill with the counts. Everything is written in one transaction, in bulk:
        a fixed number of queries whatever the length of the closure or size of the school.
    """
    school_id = holiday.school_id
    days = [
        holiday.start_date + datetime.timedelta(days=n)
        for n in range((holiday.end_date - holiday.start_date).days + 1)
    ]
    candidate_slots = (
        TimetableSlot.objects.filter(
            school_id=school_id,
            weekday__in={day.weekday() for day in days},
            valid_from__lte=holiday.end_date,
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=holiday.start_date))
        .order_by("pk")
    )
    # The same lock `mark_attendance` takes: a save of one of these periods waits for the
    # fill, and a save committed just before is seen below and corrected.
    slots = list(candidate_slots.select_for_update())
    meetings = [(slot, day) for day in days for slot in slots if slot.meets_on(day)]
    result = HolidayFill(periods=len(meetings))
    if not meetings:
        return result

    memberships_by_class: dict[int, list[Membership]] = {}
    for membership in Membership.objects.overlapping(holiday.start_date, holiday.end_date).filter(
        school_id=school_id, school_class_id__in={slot.school_class_id for slot in slots}
    ):
        memberships_by_class.setdefault(membership.school_class_id, []).append(membership)

    # Every record of a period that met: by the slot's class (whoever it is for) or by the
    # key a roster student's record would have (a record saved in another section).
    period_keys = {
        (slot.school_class_id, slot.subject_id, slot.period_number, day) for slot, day in meetings
    }
    wanted: dict[RecordKey, tuple[TimetableSlot, datetime.date]] = {}
    for slot, day in meetings:
        for membership in memberships_by_class.get(slot.school_class_id, []):
            if membership.joined_on <= day and (
                membership.left_on is None or day <= membership.left_on
            ):
                # Two slots may share a key (a student in two sections of one subject
                # meeting in the same period): one record, from the first slot.
                key = (membership.student_id, day, slot.period_number, slot.subject_id)
                wanted.setdefault(key, (slot, day))

    existing = AttendanceRecord.objects.filter(
        school_id=school_id,
        date__gte=holiday.start_date,
        date__lte=holiday.end_date,
        subject_id__in={slot.subject_id for slot in slots},
    ).select_for_update()
    found: dict[RecordKey, AttendanceRecord] = {}
    to_correct: list[AttendanceRecord] = []
    now = timezone.now()
    reason = closure_reason(holiday)
    for record in existing:
        key = (record.student_id, record.date, record.period_number, record.subject_id)
        period = (record.school_class_id, record.subject_id, record.period_number, record.date)
        if key not in wanted and period not in period_keys:
            continue
        found[key] = record
        if record.is_orphaned:
            result.orphaned_left += 1
        elif record.status == Status.HOLIDAY:
            result.unchanged += 1
        else:
            record.status = Status.HOLIDAY
            record.modified_by = actor
            record.modification_reason = reason
            record.updated_at = now  # bulk_update skips auto_now
            to_correct.append(record)

    to_create = [
        AttendanceRecord(
            school_id=school_id,
            student_id=student_id,
            school_class_id=slot.school_class_id,
            subject_id=slot.subject_id,
            slot=slot,
            date=day,
            period_number=slot.period_number,
            status=Status.HOLIDAY,
            marked_by=actor,
        )
        for (student_id, _, _, _), (slot, day) in wanted.items()
        if (student_id, day, slot.period_number, slot.subject_id) not in found
    ]
    create_records(to_create, actor=actor, change_reason=f"Marked H: {holiday.name}", now=now)
    update_records(
        to_correct,
        fields=["status", "modified_by", "modification_reason"],
        actor=actor,
        change_reason=f"Corrected: {reason}",
        now=now,
    )
    result.created = len(to_create)
    result.corrected = len(to_correct)
    return result
