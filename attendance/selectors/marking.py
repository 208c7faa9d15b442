"""Reads for marking: slots, rosters and the records of one period."""

from __future__ import annotations

import datetime

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from academics.models import (
    Holiday,
    Membership,
    Role,
    SchoolClass,
    StaffProfile,
    TimetableSlot,
    User,
)

from ..models import AttendanceRecord
from .percentages import with_attendance_totals
from .staff_absence import may_resolve_staff_absence

# Roles that may open the marking screen at all; whether they may mark a given slot is
# `can_mark_slot`.
MARKING_ROLES = (Role.ADMIN, Role.HOD, Role.TEACHER)


def school_slots(*, user: User) -> QuerySet[TimetableSlot]:
    """Every timetable slot of the user's school (another school's slot is then a 404)."""
    return TimetableSlot.objects.filter(school_id=user.school_id).select_related(
        "school_class", "subject", "teacher"
    )


def is_department_head_for(*, user: User, slot: TimetableSlot) -> bool:
    """True if `user` is an hod whose department is the slot teacher's: both staff profiles
    carry the same non-empty `department` (DOMAIN.md, roles: "correct attendance in their
    department"). At most one query, and none for any other role."""
    if not user.has_role(Role.HOD) or slot.teacher_id is None:
        return False
    return StaffProfile.objects.filter(
        school_id=slot.school_id,
        user_id=slot.teacher_id,
        department__in=_own_department(user),
    ).exists()


def can_mark_slot(*, user: User, slot: TimetableSlot, day: datetime.date) -> bool:
    """May `user` open the marking screen of `slot` on `day` (school-local)?

    The slot's teacher or an admin of its school marks it; an hod of the teacher's
    department may open and correct it at any time (DOMAIN.md, roles); on a day the teacher
    was marked absent, the class advisor or substitute resolves it (seed 001, SA lifecycle).
    Whether the records may still be changed is `can_change_records`.
    """
    if user.school_id != slot.school_id:
        return False
    if user.is_school_admin or (
        user.has_role(*MARKING_ROLES) and slot.teacher_id is not None and slot.teacher_id == user.pk
    ):
        return True
    if is_department_head_for(user=user, slot=slot):
        return True
    return may_resolve_staff_absence(user=user, slot=slot, day=day)


def is_past_edit_window(*, edit_window_days: int, day: datetime.date, today: datetime.date) -> bool:
    """True once `today - day > edit_window_days` (both school-local dates): from then on
    only an hod of the department or an admin may change that day's records (issue 3).
    The boundary day itself, `today - edit_window_days`, is still open."""
    return (today - day).days > edit_window_days


def can_change_records(
    *, user: User, slot: TimetableSlot, day: datetime.date, today: datetime.date
) -> bool:
    """May `user` write records of `slot` on `day` (school-local; `today` is the school's)?

    Everyone `can_mark_slot` lets in may, inside the school's `edit_window_days`; after it
    only an admin or an hod of the slot teacher's department (`is_department_head_for`)
    may (issue 3, "edit window"). Whether the day can be marked at all (a holiday, the
    future) is `services.marking.check_day_open`'s question.
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
    then (issue 3). One query."""
    return (
        Holiday.objects.filter(school_id=school_id, start_date__lte=day, end_date__gte=day)
        .order_by("start_date", "pk")
        .first()
    )


def _own_department(user: User) -> QuerySet[StaffProfile]:
    """The user's non-empty department, as a subquery (an empty department matches nobody)."""
    return (
        StaffProfile.objects.filter(user_id=user.pk, school_id=user.school_id)
        .exclude(department="")
        .values("department")
    )


def _slots_marked_by(*, user: User, slots: QuerySet[TimetableSlot]) -> QuerySet[TimetableSlot]:
    """Narrow `slots` to those `user` marks: all for an admin, their own for a teacher,
    their own and their department's for an hod."""
    if user.is_school_admin:
        return slots
    if user.has_role(Role.HOD):
        return slots.filter(
            Q(teacher=user) | Q(teacher__staff_profile__department__in=_own_department(user))
        )
    return slots.filter(teacher=user)


def active_memberships_on(*, school_class: SchoolClass, day: datetime.date) -> QuerySet[Membership]:
    """Memberships of `school_class` active on `day` (school-local): joined on or before
    it and not left before it."""
    return Membership.objects.filter(
        school_id=school_class.school_id,
        school_class=school_class,
        joined_on__lte=day,
    ).filter(Q(left_on__isnull=True) | Q(left_on__gte=day))


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
    seed 001, EC-ATT-03), in ANY class, for the given students."""
    return AttendanceRecord.objects.filter(
        school_id=slot.school_id,
        date=day,
        period_number=slot.period_number,
        subject_id=slot.subject_id,
        student_id__in=student_ids,
    )


def latest_teaching_day_before(
    *, user: User, day: datetime.date, within_days: int = 14
) -> datetime.date | None:
    """The latest date before `day` (school-local) on which a slot `user` marks meets.

    Offered on a day with no periods (a weekend, a holiday) so the teacher is one click
    from the day they most likely want. Looks back at most `within_days` days; one query.
    """
    slots = _slots_marked_by(user=user, slots=school_slots(user=user).filter(valid_from__lt=day))
    spans = list(slots.values_list("weekday", "valid_from", "valid_to").distinct())
    for back in range(1, within_days + 1):
        candidate = day - datetime.timedelta(days=back)
        if any(
            weekday == candidate.weekday()
            and valid_from <= candidate
            and (valid_to is None or candidate <= valid_to)
            for weekday, valid_from, valid_to in spans
        ):
            return candidate
    return None


def periods_for_day(*, user: User, day: datetime.date) -> QuerySet[TimetableSlot]:
    """The slots `user` marks that meet on `day`: their own, their department's too for an
    hod, or every slot of the school for an admin. Each carries `roster_size` and
    `marked_count` (records already saved for it), all in one query."""
    slots = (
        school_slots(user=user)
        .filter(weekday=day.weekday(), valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    )
    slots = _slots_marked_by(user=user, slots=slots)
    roster_size = (
        Membership.objects.filter(school_class=OuterRef("school_class"), joined_on__lte=day)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .order_by()
        .values("school_class")
        .annotate(n=Count("pk"))
        .values("n")
    )
    marked = (
        AttendanceRecord.objects.filter(
            school_class=OuterRef("school_class"),
            subject=OuterRef("subject"),
            period_number=OuterRef("period_number"),
            date=day,
        )
        .order_by()
        .values("school_class")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return slots.annotate(
        roster_size=Coalesce(Subquery(roster_size, output_field=IntegerField()), 0),
        marked_count=Coalesce(Subquery(marked, output_field=IntegerField()), 0),
    ).order_by("period_number", "school_class__name")
