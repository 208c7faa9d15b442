"""Reads for the staff-absent (SA) lifecycle (docs/design/attendance.md, "SA (Staff Absent) Status
Lifecycle").

An hod marks a teacher absent for a date (a `StaffAbsence`); that teacher's periods that
day get SA for every student on the roster; the class advisor or the absence's substitute
resolves them on the marking screen; whatever is still SA when the school's resolution
window closes is turned into NM by `expire_staff_absent`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from academics.models import Role, School, StudentProfile, TimetableSlot, User

from ..access import SUBSTITUTE_ROLES, can_see_all_periods_to_resolve, can_substitute
from ..models import AttendanceRecord, StaffAbsence, Status, StudentLeave


def covers_period(absence: StaffAbsence, period_number: int) -> bool:
    """True if `absence` covers `period_number`: its periods list, or every period when
    the list is empty (a whole-day absence)."""
    return not absence.periods or period_number in absence.periods


def absence_covering(*, slot: TimetableSlot, day: datetime.date) -> StaffAbsence | None:
    """The StaffAbsence of `slot`'s teacher on `day` (school-local) if it covers the slot's
    period, else None. One query (none for a slot without a teacher)."""
    if slot.teacher_id is None:
        return None
    absence = StaffAbsence.objects.filter(
        school_id=slot.school_id, teacher_id=slot.teacher_id, date=day
    ).first()
    if absence is None or not covers_period(absence, slot.period_number):
        return None
    return absence


def may_resolve_staff_absence(*, user: User, slot: TimetableSlot, day: datetime.date) -> bool:
    """True if `user` may resolve the SA records of `slot` on `day`: the class's advisor or
    the substitute an hod assigned to the absent teacher that day (docs/design/attendance.md).

    Only while a StaffAbsence of the slot's teacher on `day` covers the slot's period
    (`periods` empty = the whole day); without one the advisor has no say over another
    teacher's period. One query (plus the slot's class when not loaded).

    The resolution window is not checked here: once it closes the records are NM, and
    changing NM is a correction needing a reason.
    """
    if user.school_id is None or user.school_id != slot.school_id:
        return False
    if not can_substitute(user):
        return False
    absence = absence_covering(slot=slot, day=day)
    if absence is None:
        return False
    return user.pk in (slot.school_class.advisor_id, absence.substitute_id)


def approved_leave_student_ids(*, school_id: int, day: datetime.date) -> set[int]:
    """StudentProfile ids with approved leave covering `day` (school-local): their SA
    periods may be resolved to IL (docs/design/attendance.md, "SA → A (or IL/UL based on leave
    status)"). One query."""
    return set(
        StudentLeave.objects.filter(
            school_id=school_id,
            status=StudentLeave.Status.APPROVED,
            start_date__lte=day,
            end_date__gte=day,
        ).values_list("student_id", flat=True)
    )


def absent_teacher_choices(*, school: School) -> QuerySet[User]:
    """The people an hod may mark absent: users of `school` who teach a timetable slot."""
    teaching = TimetableSlot.objects.filter(school=school, teacher=OuterRef("pk"))
    return (
        User.objects.filter(school=school, is_active=True)
        .filter(Exists(teaching))
        .order_by("last_name", "first_name", "username")
    )


def is_school_user(*, school: School, user_id: int) -> bool:
    """True if user `user_id` belongs to `school` (another school's user is then a 404
    like every other school's row). One query."""
    return User.objects.filter(pk=user_id, school=school).exists()


def substitute_choices(*, school: School) -> QuerySet[User]:
    """Staff of `school` who may stand in for an absent teacher (SUBSTITUTE_ROLES)."""
    return User.objects.filter(school=school, is_active=True, role__in=SUBSTITUTE_ROLES).order_by(
        "last_name", "first_name", "username"
    )


# --- the hod's list of absences --------------------------------------------------------


@dataclass(frozen=True)
class AbsenceProgress:
    """A StaffAbsence with how far its SA records have been resolved.

    `total` counts the (non-orphaned) records of the absent teacher's covered periods that
    day; `unresolved` those still SA, `expired` those turned into NM by expiry; the rest
    are `resolved` (including any marked before the absence was recorded).
    """

    absence: StaffAbsence
    total: int
    unresolved: int
    expired: int
    deadline: datetime.date
    today: datetime.date

    @property
    def resolved(self) -> int:
        return self.total - self.unresolved - self.expired

    @property
    def is_overdue(self) -> bool:
        """Still SA after the deadline: the next `expire_staff_absent` run makes it NM."""
        return self.unresolved > 0 and self.today > self.deadline


def resolution_deadline(*, school: School, day: datetime.date) -> datetime.date:
    """The last school-local date on which SA records of `day` may still be resolved:
    `day` + School.staff_absent_resolution_days (after it, expiry turns them into NM)."""
    return day + datetime.timedelta(days=school.staff_absent_resolution_days)


def with_resolution_progress(
    *, school: School, absences: list[StaffAbsence], today: datetime.date | None = None
) -> list[AbsenceProgress]:
    """`absences` (of `school`) with their resolution progress, in the same order: one
    query for all of them (records counted per teacher, date, period and status)."""
    today = today or school.today()
    counts: dict[tuple[int, datetime.date], list[tuple[int, str, int]]] = defaultdict(list)
    if absences:
        wanted = reduce(or_, (Q(slot__teacher_id=a.teacher_id, date=a.date) for a in absences))
        rows = (
            AttendanceRecord.objects.filter(school=school, is_orphaned=False)
            .filter(wanted)
            .values_list("slot__teacher_id", "date", "period_number", "status")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for teacher_id, day, period_number, status, n in rows:
            counts[(teacher_id, day)].append((period_number, status, n))

    progress = []
    for absence in absences:
        total = unresolved = expired = 0
        for period_number, status, n in counts[(absence.teacher_id, absence.date)]:
            if not covers_period(absence, period_number):
                continue
            total += n
            if status == Status.STAFF_ABSENT:
                unresolved += n
            elif status == Status.NOT_MARKED:
                expired += n
        progress.append(
            AbsenceProgress(
                absence=absence,
                total=total,
                unresolved=unresolved,
                expired=expired,
                deadline=resolution_deadline(school=school, day=absence.date),
                today=today,
            )
        )
    return progress


def school_absences(*, school: School) -> QuerySet[StaffAbsence]:
    """The StaffAbsences of `school` (another school's are then a 404), newest first."""
    return (
        StaffAbsence.objects.filter(school=school)
        .select_related("teacher", "substitute")
        .order_by("-date", "-created_at", "-pk")
    )


def recent_absences(
    *, school: School, limit: int = 30, today: datetime.date | None = None
) -> list[AbsenceProgress]:
    """The `limit` latest StaffAbsences of `school` with their progress: two queries."""
    return with_resolution_progress(
        school=school, absences=list(school_absences(school=school)[:limit]), today=today
    )


# --- periods to resolve ---------------------------------------------------------------


@dataclass(frozen=True)
class PeriodToResolve:
    """One slot on one date with SA records still open."""

    slot: TimetableSlot
    day: datetime.date
    unresolved: int
    absence: StaffAbsence | None
    deadline: datetime.date
    today: datetime.date
    can_open: bool  # the user may resolve it on the marking screen

    @property
    def is_overdue(self) -> bool:
        return self.today > self.deadline

    @property
    def days_left(self) -> int:
        return (self.deadline - self.today).days


def periods_to_resolve(*, user: User, today: datetime.date | None = None) -> list[PeriodToResolve]:
    """Every slot + date with SA records that `user` may resolve, oldest first.

    - a teacher (or anyone): the periods of classes they advise and the periods of the
      absence they are the substitute of, only where a StaffAbsence covers the period
      (the same rule as `may_resolve_staff_absence`);
    - admin, hod, principal: every period of the school with SA records; `can_open` says
      whether the user may resolve it themselves (admin always; others as above).

    Args:
        today: school-local date for the deadline and "overdue"; the school's today
            when omitted.

    Returns:
        PeriodToResolve rows, by date then period then class. Three queries: the SA
        counts per slot and date, their slots, their absences (and an hod's own staff
        profile). Orphaned records and records without a slot are left out: they are
        frozen (docs/design/attendance.md, EC-ATT-02).
    """
    school = user.school
    today = today or school.today()
    school_wide = can_see_all_periods_to_resolve(user)
    open_sa = AttendanceRecord.objects.filter(
        school_id=user.school_id,
        status=Status.STAFF_ABSENT,
        is_orphaned=False,
        slot__isnull=False,
    )
    if not school_wide:
        substituting = StaffAbsence.objects.filter(
            school_id=user.school_id,
            teacher_id=OuterRef("slot__teacher_id"),
            date=OuterRef("date"),
            substitute=user,
        )
        open_sa = open_sa.filter(Q(slot__school_class__advisor=user) | Exists(substituting))
    groups = list(
        open_sa.values_list("slot_id", "date")
        .annotate(n=Count("pk"))
        .order_by("date", "slot__period_number", "slot__school_class__name", "slot_id")
    )
    if not groups:
        return []

    slots = TimetableSlot.objects.select_related(
        "school_class", "subject", "teacher__staff_profile", "school_class__advisor"
    ).in_bulk({slot_id for slot_id, _, _ in groups})
    own_department = _department_of(user) if user.has_role(Role.HOD) else ""
    pairs = {(slots[slot_id].teacher_id, day) for slot_id, day, _ in groups}
    wanted = [Q(teacher_id=teacher_id, date=day) for teacher_id, day in pairs if teacher_id]
    absences = {}
    if wanted:
        absences = {
            (absence.teacher_id, absence.date): absence
            for absence in StaffAbsence.objects.filter(school_id=user.school_id)
            .filter(reduce(or_, wanted))
            .select_related("substitute")
        }

    rows = []
    for slot_id, day, unresolved in groups:
        slot = slots[slot_id]
        absence = absences.get((slot.teacher_id, day))
        if absence is not None and not covers_period(absence, slot.period_number):
            absence = None
        resolver = absence is not None and user.pk in (
            slot.school_class.advisor_id,
            absence.substitute_id,
        )
        if not school_wide and not resolver:
            continue
        # Mirrors can_mark_slot without a query per row: an admin marks any period, a
        # teacher their own, an hod their department's (is_department_head_for).
        can_open = (
            user.is_school_admin
            or (can_substitute(user) and slot.teacher_id == user.pk)
            or (resolver and can_substitute(user))
            or (bool(own_department) and _department_of(slot.teacher) == own_department)
        )
        rows.append(
            PeriodToResolve(
                slot=slot,
                day=day,
                unresolved=unresolved,
                absence=absence,
                deadline=resolution_deadline(school=school, day=day),
                today=today,
                can_open=can_open,
            )
        )
    return rows


def _department_of(user: User | None) -> str:
    profile = getattr(user, "staff_profile", None) if user is not None else None
    return profile.department if profile is not None else ""


# --- student leave ----------------------------------------------------------------------


def school_leaves(*, school: School) -> QuerySet[StudentLeave]:
    """StudentLeaves of `school`: pending ones (waiting for a decision) first, then by
    latest start."""
    pending_first = Case(
        When(status=StudentLeave.Status.PENDING, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        StudentLeave.objects.filter(school=school)
        .select_related("student__user", "decided_by")
        .order_by(pending_first, "-start_date", "-pk")
    )


def leave_student_choices(*, school: School) -> QuerySet[StudentProfile]:
    """Active students of `school`, by name, for the leave form."""
    return (
        StudentProfile.objects.filter(school=school, is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )
