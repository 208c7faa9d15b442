"""Which timetable periods a user marks: the slots of their school, of their own (and,
for an hod, their department's), and the periods of one day with how far they are marked.

Both `marking` and `staff_absence` read these; this module imports neither of them.
"""

from __future__ import annotations

import datetime

from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from academics.models import Membership, Role, StaffProfile, TimetableSlot, User

from ..models import AttendanceRecord, StaffAbsence


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


def covered_periods_q(*, user: User, day: datetime.date) -> Q | None:
    """The slots `user` covers on `day` (school-local) as the substitute of an absent
    teacher (docs/design/attendance.md, "Substitutes"): that teacher's slots in the
    absence's periods (all of them for a whole-day absence). None when they cover nobody.
    One query."""
    covered = None
    absences = StaffAbsence.objects.filter(
        school_id=user.school_id, substitute_id=user.pk, date=day
    ).values_list("teacher_id", "periods")
    for teacher_id, periods in absences:
        q = Q(teacher_id=teacher_id)
        if periods:
            q &= Q(period_number__in=periods)
        covered = q if covered is None else covered | q
    return covered


def periods_for_day(*, user: User, day: datetime.date) -> QuerySet[TimetableSlot]:
    """The slots `user` marks that meet on `day` (school-local): their own, their
    department's too for an hod, or every slot of the school for an admin, and the periods
    they cover that day as a substitute (`is_cover` True). Each carries `roster_size`
    (memberships active that day) and `marked_count` (records already saved for it).
    Two queries (the first finds the absences they cover)."""
    slots = (
        school_slots(user=user)
        .filter(weekday=day.weekday(), valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
    )
    covered = covered_periods_q(user=user, day=day)
    own = slots_marked_by(user=user, slots=slots)
    if covered is None:
        slots = own.annotate(is_cover=Value(False, output_field=BooleanField()))
    else:
        slots = slots.filter(Q(pk__in=own.values("pk")) | covered).annotate(
            is_cover=ExpressionWrapper(covered, output_field=BooleanField())
        )
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
    # periods_for_day gives an admin every slot of the school (and anyone the periods they
    # cover); an absent teacher is absent from their own slots only.
    return periods_for_day(user=teacher, day=day).filter(teacher=teacher)
