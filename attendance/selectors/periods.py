"""Which timetable periods a user marks: the slots of their school, of their own (and,
for an hod, their department's), and the periods of one day with how far they are marked.

Both `marking` and `staff_absence` read these; this module imports neither of them.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from academics.models import Membership, Role, StaffProfile, TimetableSlot, User

from ..models import AttendanceRecord


def school_slots(*, user: User) -> QuerySet[TimetableSlot]:
    """Every timetable slot of the user's school (another school's slot is then a 404)."""
    return TimetableSlot.objects.filter(school_id=user.school_id).select_related(
        "school_class", "subject", "teacher"
    )


def own_department(user: User) -> QuerySet[StaffProfile]:
    """The user's non-empty department, as a subquery (an empty department matches nobody)."""
    return (
        StaffProfile.objects.filter(user_id=user.pk, school_id=user.school_id)
        .exclude(department="")
        .values("department")
    )


def slots_marked_by(*, user: User, slots: QuerySet[TimetableSlot]) -> QuerySet[TimetableSlot]:
    """Narrow `slots` to those `user` marks: all for an admin, their own for a teacher,
    their own and their department's for an hod."""
    if user.is_school_admin:
        return slots
    if user.has_role(Role.HOD):
        return slots.filter(
            Q(teacher=user) | Q(teacher__staff_profile__department__in=own_department(user))
        )
    return slots.filter(teacher=user)


def latest_teaching_day_before(
    *, user: User, day: datetime.date, within_days: int = 14
) -> datetime.date | None:
    """The latest date before `day` (school-local) on which a slot `user` marks meets.

    Offered on a day with no periods (a weekend, a holiday) so the teacher is one click
    from the day they most likely want. Looks back at most `within_days` days; one query.
    """
    slots = slots_marked_by(user=user, slots=school_slots(user=user).filter(valid_from__lt=day))
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
    """The slots `user` marks that meet on `day` (school-local): their own, their
    department's too for an hod, or every slot of the school for an admin. Each carries
    `roster_size` (memberships active that day) and `marked_count` (records already saved
    for it), all in one query."""
    slots = (
        school_slots(user=user)
        .filter(weekday=day.weekday(), valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    )
    slots = slots_marked_by(user=user, slots=slots)
    roster_size = (
        Membership.objects.active_on(day)
        .filter(school_class=OuterRef("school_class"))
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


def teacher_periods_on(*, teacher: User, day: datetime.date) -> QuerySet[TimetableSlot]:
    """`teacher`'s own slots meeting on `day` (school-local), by period, each with
    `roster_size` and `marked_count` (records already saved) — one query."""
    # periods_for_day gives an admin every slot of the school; an absent admin who
    # teaches is absent from their own slots only.
    return periods_for_day(user=teacher, day=day).filter(teacher=teacher)
