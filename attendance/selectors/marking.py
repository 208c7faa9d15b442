"""Reads for marking: slots, rosters and the records of one period."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from academics.models import (
    Holiday,
    Membership,
    Role,
    SchoolClass,
    StaffProfile,
    TimetableSlot,
    User,
)

from ..access import can_mark
from ..models import AttendanceRecord
from .percentages import with_attendance_totals
from .periods import own_department
from .staff_absence import may_resolve_staff_absence


def is_department_head_for(*, user: User, slot: TimetableSlot) -> bool:
    """True if `user` is an hod whose department is the slot teacher's: both staff profiles
    carry the same non-empty `department` (DOMAIN.md, roles: "correct attendance in their
    department"). At most one query, and none for any other role."""
    if not user.has_role(Role.HOD) or slot.teacher_id is None:
        return False
    return StaffProfile.objects.filter(
        school_id=slot.school_id,
        user_id=slot.teacher_id,
        department__in=own_department(user),
    ).exists()


def can_mark_slot(*, user: User, slot: TimetableSlot, day: datetime.date) -> bool:
    """May `user` open the marking screen of `slot` on `day` (school-local)?

    The slot's teacher or an admin of its school marks it; an hod of the teacher's
    department may open and correct it at any time (DOMAIN.md, roles); on a day the teacher
    was marked absent, the class advisor or substitute resolves it (docs/design/attendance.md, SA
    lifecycle). Whether the records may still be changed is `can_change_records`.
    """
    if user.school_id != slot.school_id:
        return False
    if user.is_school_admin or (
        can_mark(user) and slot.teacher_id is not None and slot.teacher_id == user.pk
    ):
        return True
    if is_department_head_for(user=user, slot=slot):
        return True
    return may_resolve_staff_absence(user=user, slot=slot, day=day)


def is_past_edit_window(*, edit_window_days: int, day: datetime.date, today: datetime.date) -> bool:
    """True once `today - day > edit_window_days` (both school-local dates): from then on
    only an hod of the department or an admin may change that day's records
    (docs/design/attendance.md). The boundary day itself, `today - edit_window_days`, is still
    open."""
    return (today - day).days > edit_window_days


def can_change_records(
    *, user: User, slot: TimetableSlot, day: datetime.date, today: datetime.date
) -> bool:
    """May `user` write records of `slot` on `day` (school-local; `today` is the school's)?

    Everyone `can_mark_slot` lets in may, inside the school's `edit_window_days`; after it
    only an admin or an hod of the slot teacher's department (`is_department_head_for`)
    may (docs/design/attendance.md, "edit window"). Whether the day can be marked at all (a
    holiday, the future) is `services.marking.check_day_open`'s question.
    """
    if not can_mark_slot(user=user, slot=slot, day=day):
        return False
    if user.is_school_admin:
        return True
    # user.school is slot.school here (checked above) and usually already loaded.
    if not is_past_edit_window(edit_window_days=user.school.edit_window_days, day=day, today=today):
        return True
    return is_department_head_for(user=user, slot=slot)


def locked_message(*, edit_window_days: int) -> str:
    """What a teacher reads on a period past the edit window."""
    return (
        f"Locked: records older than {edit_window_days} day{'s' if edit_window_days != 1 else ''}"
        " can be changed by a head of department or an admin."
    )


def closure_on(*, school_id: int, day: datetime.date) -> Holiday | None:
    """The school's holiday or closure covering `day` (school-local), if any: no marking
    then (docs/design/attendance.md). One query."""
    return (
        Holiday.objects.filter(school_id=school_id, start_date__lte=day, end_date__gte=day)
        .order_by("start_date", "pk")
        .first()
    )


def active_memberships_on(*, school_class: SchoolClass, day: datetime.date) -> QuerySet[Membership]:
    """Memberships of `school_class` active on `day` (school-local): joined on or before
    it and not left before it."""
    return Membership.objects.active_on(day).filter(
        school_id=school_class.school_id, school_class=school_class
    )


def roster(*, slot: TimetableSlot, day: datetime.date) -> QuerySet[Membership]:
    """The students to mark for `slot` on `day`, by last name, each with their attendance
    totals in the slot's class (`with_attendance_totals`) — one query."""
    memberships = active_memberships_on(school_class=slot.school_class, day=day).select_related(
        "student__user"
    )
    return with_attendance_totals(memberships).order_by(
        "student__user__last_name", "student__user__first_name", "pk"
    )


def records_for_period(
    *, slot: TimetableSlot, day: datetime.date, student_ids
) -> QuerySet[AttendanceRecord]:
    """Existing records under the key the slot writes (student, date, period, subject —
    docs/design/attendance.md, EC-ATT-03), in ANY class, for the given students."""
    return AttendanceRecord.objects.filter(
        school_id=slot.school_id,
        date=day,
        period_number=slot.period_number,
        subject_id=slot.subject_id,
        student_id__in=student_ids,
    )
