"""Marking a period: the teacher's save of one period's roll.

Refusals (nothing is written): a date the slot does not meet, a school closure (holiday),
a future date, a user who may not mark the slot, a day past the edit window for anyone
but an hod of the department or an admin (docs/design/attendance.md).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format

from academics.models import Holiday, TimetableSlot, User

from ..models import COUNTABLE_STATUSES, MARKABLE_STATUSES, AttendanceRecord, Status
from ..selectors import active_memberships_on, records_for_period
from ..selectors.marking import (
    can_change_records,
    can_mark_slot,
    closure_on,
    is_past_edit_window,
    locked_message,
)
from .records import create_records, update_records

# docs/design/attendance.md, SA lifecycle: the advisor or substitute resolves an SA period to P, A,
# IL or UL. That is the period's first real mark, not a correction, so it needs no reason.
STAFF_ABSENCE_RESOLUTIONS = COUNTABLE_STATUSES


class MarkingError(Exception):
    """A save of a period's attendance was refused; nothing was written."""


class DayNotOpen(MarkingError):
    """The day cannot be marked for this slot at all, whoever asks."""


class SlotDoesNotMeet(DayNotOpen):
    def __init__(self, slot: TimetableSlot, day: datetime.date):
        self.slot = slot
        self.day = day
        super().__init__(
            f"{slot.school_class} has no {slot.subject} in period {slot.period_number} on "
            f"{date_format(day, 'l j F Y')}: it meets on {slot.get_weekday_display()}s"
            f"{_validity(slot)}."
        )


class SchoolClosed(DayNotOpen):
    def __init__(self, holiday: Holiday, day: datetime.date):
        self.holiday = holiday
        self.day = day
        super().__init__(
            f"Closed: {holiday.name}. The school is closed on {date_format(day, 'l j F Y')}, "
            "so no attendance is taken."
        )


class FutureDate(DayNotOpen):
    def __init__(self, day: datetime.date, today: datetime.date):
        self.day = day
        self.today = today
        super().__init__(
            f"{date_format(day, 'l j F Y')} is still to come: attendance can be marked on "
            "the day or after it."
        )


class MarkingNotAllowed(MarkingError):
    def __init__(
        self,
        message: str = "Only this period's teacher, a head of its department or an admin "
        "can mark it.",
    ):
        super().__init__(message)


class RecordsLocked(MarkingNotAllowed):
    """The day is past the school's edit window and the user is not an hod of the
    department or an admin."""

    def __init__(self, edit_window_days: int):
        self.edit_window_days = edit_window_days
        super().__init__(locked_message(edit_window_days=edit_window_days))


class CorrectionNeedsReason(MarkingError):
    def __init__(self, student_ids: list[int]):
        self.student_ids = student_ids
        count = len(student_ids)
        super().__init__(
            f"You changed {count} saved status{'es' if count != 1 else ''}: give a reason for "
            "the correction."
        )


class NotOnRoster(MarkingError):
    def __init__(self, student_ids: list[int]):
        self.student_ids = student_ids
        super().__init__("Some students are not in this class on that day; reload the page.")


class StatusNotMarkable(MarkingError):
    def __init__(self, status: str):
        self.status = status
        super().__init__(f"“{status}” cannot be chosen when marking a period.")


class MarkingConflict(MarkingError):
    """Someone saved the same period (or a student's other section) at the same moment."""

    def __init__(self):
        super().__init__(
            "Someone else saved attendance for these students at the same moment. "
            "Nothing of yours was saved: check the page and save again."
        )


@dataclass(frozen=True)
class SkippedStudent:
    student_id: int
    student_name: str
    reason: str


@dataclass
class MarkingResult:
    """What `mark_attendance` did: counts of students, and whom it left alone and why."""

    created: int = 0
    corrected: int = 0
    resolved: int = 0
    unchanged: int = 0
    skipped: list[SkippedStudent] = field(default_factory=list)

    @property
    def saved(self) -> int:
        """Students whose status for the period is now the one the teacher chose."""
        return self.created + self.corrected + self.resolved + self.unchanged


def is_correction(*, saved: str | None, chosen: str) -> bool:
    """True if choosing `chosen` over the saved status is a correction, which needs a
    reason (docs/design/attendance.md, "Modification Reason: required if corrected"). A first mark
    is not, and neither is resolving a staff-absent (SA) period to P, A, IL or UL (SA lifecycle)."""
    if saved is None or saved == chosen:
        return False
    return not (saved == Status.STAFF_ABSENT and chosen in STAFF_ABSENCE_RESOLUTIONS)


def check_day_open(*, slot: TimetableSlot, day: datetime.date, today: datetime.date) -> None:
    """Raise the DayNotOpen that keeps `day` (school-local) from being marked for `slot`:
    SlotDoesNotMeet (not on the timetable that day), SchoolClosed (a Holiday covers it —
    docs/design/attendance.md), FutureDate (after `today`, the school's today). Returns None when
    it is open. At most one query (the holiday)."""
    if not slot.meets_on(day):
        raise SlotDoesNotMeet(slot, day)
    holiday = closure_on(school_id=slot.school_id, day=day)
    if holiday is not None:
        raise SchoolClosed(holiday, day)
    if day > today:
        raise FutureDate(day, today)


def check_may_change(
    *, user: User, slot: TimetableSlot, day: datetime.date, today: datetime.date
) -> None:
    """Raise MarkingNotAllowed, or RecordsLocked past the edit window, unless
    `can_change_records` lets `user` write the records of `slot` on `day`."""
    if can_change_records(user=user, slot=slot, day=day, today=today):
        return
    if can_mark_slot(user=user, slot=slot, day=day) and is_past_edit_window(
        edit_window_days=user.school.edit_window_days, day=day, today=today
    ):
        raise RecordsLocked(user.school.edit_window_days)
    raise MarkingNotAllowed()


@transaction.atomic
def mark_attendance(
    *,
    slot: TimetableSlot,
    day: datetime.date,
    statuses: Mapping[int, str],
    actor: User,
    reason: str = "",
    today: datetime.date | None = None,
) -> MarkingResult:
    """Save one period's roll for `slot` on `day` in one transaction.

    Args:
        slot: the timetable slot being marked; its class, subject and period are written
            onto every record (key: student, date, period, subject — docs/design/attendance.md,
            EC-ATT-03).
        day: school-local date; the slot must meet on it (`TimetableSlot.meets_on`), no
            Holiday may cover it and it may not be after `today` (`check_day_open`).
        statuses: StudentProfile pk → status code, for students on the slot's roster that
            day. A code must be one of MARKABLE_STATUSES, or the record's saved code left
            as it is (an unresolved SA, say).
        actor: the user saving; becomes `marked_by` of new records and `modified_by` of
            changed ones. Checked again here with `can_change_records` (who may mark the
            slot; the edit window), so no caller can skip it.
        reason: required when any saved status is corrected (docs/design/attendance.md,
            "Modification Reason: required if corrected"); stored on each corrected record,
            and the old value stays in the record's history (EC-ATT-04). Resolving an SA record to
            P/A/IL/UL is not a correction (`is_correction`).
        today: the school's today; defaults to `slot.school.today()`.

    Returns:
        MarkingResult. Students whose record for this key already exists in another class
        (booked into two sections in the same period), or whose record is orphaned and so
        frozen (EC-ATT-02), are skipped and listed, not changed.

    Raises (nothing is written in any of these cases):
        SlotDoesNotMeet, SchoolClosed, FutureDate (all DayNotOpen), MarkingNotAllowed,
        RecordsLocked, NotOnRoster, StatusNotMarkable, CorrectionNeedsReason,
        MarkingConflict (a concurrent save inserted the same key first).
    """
    if today is None:
        today = slot.school.today()
    check_day_open(slot=slot, day=day, today=today)
    check_may_change(user=actor, slot=slot, day=day, today=today)
    # Saves of the same period queue behind each other here, so a double-click or two
    # admins can't both find "no record yet" and insert twice. `fill_holiday` takes the
    # same lock, so a save that slipped in before a closure was entered is corrected to H.
    TimetableSlot.objects.select_for_update().filter(pk=slot.pk).exists()

    on_roster = set(
        active_memberships_on(school_class=slot.school_class, day=day).values_list(
            "student_id", flat=True
        )
    )
    strangers = sorted(set(statuses) - on_roster)
    if strangers:
        raise NotOnRoster(strangers)

    existing = {
        record.student_id: record
        for record in records_for_period(slot=slot, day=day, student_ids=list(statuses))
        .select_related("school_class", "student__user")
        .select_for_update(of=("self",))
    }

    result = MarkingResult()
    to_create: list[AttendanceRecord] = []
    to_correct: list[AttendanceRecord] = []
    to_resolve: list[AttendanceRecord] = []
    for student_id, status in statuses.items():
        record = existing.get(student_id)
        if record is not None and record.school_class_id != slot.school_class_id:
            result.skipped.append(_skip(record, f"already marked in {record.school_class}"))
            continue
        if record is not None and record.is_orphaned:
            result.skipped.append(_skip(record, "the saved record is orphaned and frozen"))
            continue
        if record is not None and record.status == status:
            result.unchanged += 1
            continue
        if status not in MARKABLE_STATUSES:
            raise StatusNotMarkable(status)
        if record is None:
            to_create.append(
                _new_record(slot=slot, day=day, student_id=student_id, status=status, actor=actor)
            )
        elif is_correction(saved=record.status, chosen=status):
            to_correct.append(record)
            record.status = status
        else:
            to_resolve.append(record)
            record.status = status

    if to_correct and not reason.strip():
        raise CorrectionNeedsReason(sorted(r.student_id for r in to_correct))

    now = timezone.now()
    for record in to_correct:
        record.modified_by = actor
        record.modification_reason = reason.strip()
    for record in to_resolve:
        record.modified_by = actor

    try:
        # A savepoint, so a unique-key race surfaces as MarkingConflict rather than a
        # broken transaction; the outer atomic block then rolls everything back.
        with transaction.atomic():
            create_records(to_create, actor=actor, change_reason="Marked", now=now)
            update_records(
                to_correct,
                fields=["status", "modified_by", "modification_reason"],
                actor=actor,
                change_reason=f"Corrected: {reason.strip()}",
                now=now,
            )
            update_records(
                to_resolve,
                fields=["status", "modified_by"],
                actor=actor,
                change_reason="Resolved staff absence",
                now=now,
            )
    except IntegrityError as exc:
        raise MarkingConflict() from exc

    result.created = len(to_create)
    result.corrected = len(to_correct)
    result.resolved = len(to_resolve)
    return result


def _new_record(
    *, slot: TimetableSlot, day: datetime.date, student_id: int, status: str, actor: User
) -> AttendanceRecord:
    return AttendanceRecord(
        school_id=slot.school_id,
        student_id=student_id,
        school_class_id=slot.school_class_id,
        subject_id=slot.subject_id,
        slot=slot,
        date=day,
        period_number=slot.period_number,
        status=status,
        marked_by=actor,
    )


def _skip(record: AttendanceRecord, reason: str) -> SkippedStudent:
    return SkippedStudent(
        student_id=record.student_id, student_name=str(record.student), reason=reason
    )


def _validity(slot: TimetableSlot) -> str:
    start = date_format(slot.valid_from, "j F Y")
    if slot.valid_to is None:
        return f" from {start}"
    return f" from {start} to {date_format(slot.valid_to, 'j F Y')}"
