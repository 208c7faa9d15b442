"""Writes of the staff-absent (SA) lifecycle (docs/design/attendance.md, "SA (Staff Absent) Status
Lifecycle"): marking a teacher absent, changing the substitute, withdrawing an absence, expiring
unresolved SA to NM, and recording students' leave.

Resolving SA records is ordinary marking (`services.marking.mark_attendance`) by the class
advisor or the substitute (`selectors.staff_absence.may_resolve_staff_absence`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import batched

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from academics.models import School, StudentProfile, TimetableSlot, User

from ..access import can_substitute
from ..models import AttendanceRecord, StaffAbsence, Status, StudentLeave
from ..selectors import active_memberships_on, records_for_period
from ..selectors.marking import closure_on
from ..selectors.periods import teacher_periods_on
from ..selectors.staff_absence import covers_period
from .records import create_records, update_records

# How far ahead an absence may be entered (a planned leave, a course); further than this
# is more likely a mistyped year than a plan.
MAX_DAYS_AHEAD = 31
# history_change_reason is a 100-character column.
_CHANGE_REASON_LENGTH = 100


# --- errors: the absence was refused and nothing was written -------------------------------


class StaffAbsenceError(Exception):
    """Marking a teacher absent (or changing the absence) was refused; nothing was written."""


class TeacherOfAnotherSchool(StaffAbsenceError):
    def __init__(self):
        super().__init__("That teacher is not on your school's staff.")


class SubstituteNotAllowed(StaffAbsenceError):
    def __init__(self, message: str):
        super().__init__(message)


class DayOutsideWindow(StaffAbsenceError):
    def __init__(self, day: datetime.date, earliest: datetime.date, latest: datetime.date):
        self.day = day
        super().__init__(
            f"{date_format(day, 'l j F Y')} is outside the dates an absence can be recorded "
            f"for: from {date_format(earliest, 'j F Y')} (the staff-absent resolution window) "
            f"to {date_format(latest, 'j F Y')}."
        )


class SchoolHoliday(StaffAbsenceError):
    def __init__(self, day: datetime.date, holiday):
        self.day = day
        super().__init__(
            f"{date_format(day, 'l j F Y')} is a holiday ({holiday.name}): no periods meet."
        )


class NoPeriodsThatDay(StaffAbsenceError):
    def __init__(self, teacher: User, day: datetime.date):
        super().__init__(f"{teacher} has no periods on {date_format(day, 'l j F Y')}.")


class PeriodsNotTaught(StaffAbsenceError):
    def __init__(self, teacher: User, day: datetime.date, periods: list[int]):
        self.periods = periods
        listed = ", ".join(str(p) for p in periods)
        super().__init__(
            f"{teacher} does not teach period{'s' if len(periods) != 1 else ''} {listed} on "
            f"{date_format(day, 'l j F Y')}."
        )


class AbsenceAlreadyRecorded(StaffAbsenceError):
    def __init__(self, absence: StaffAbsence):
        self.absence = absence
        covered = "the whole day"
        if absence.periods:
            plural = "s" if len(absence.periods) > 1 else ""
            covered = f"period{plural} " + ", ".join(str(p) for p in absence.periods)
        super().__init__(
            f"{absence.teacher} is already marked absent on "
            f"{date_format(absence.date, 'l j F Y')} for {covered}. To change the substitute, "
            "use the list of absences."
        )


class SubstituteClash(StaffAbsenceError):
    """The substitute teaches a class of their own (or covers another absent teacher) in a
    period they would cover; refused unless the hod ticks "Substitute anyway"."""

    def __init__(self, clashes: list[str]):
        self.clashes = clashes
        super().__init__(
            _("%(clashes)s. Choose another substitute, or tick “Substitute anyway”.")
            % {"clashes": "; ".join(clashes)}
        )


class StaffAbsenceConflict(StaffAbsenceError):
    def __init__(self):
        super().__init__(
            "Someone saved attendance or an absence for this teacher at the same moment. "
            "Nothing was saved: check the list and try again."
        )


# --- marking a teacher absent -------------------------------------------------------------


@dataclass(frozen=True)
class LeftAsMarked:
    """A student whose record of a covered period already existed: not set to SA."""

    student_id: int
    student_name: str
    period_number: int
    school_class: str
    status: str  # the saved status's label


@dataclass
class AbsencePlan:
    """What `mark_teacher_absent` would do, worked out without writing anything."""

    teacher: User
    day: datetime.date
    slots: list[TimetableSlot]  # the slots to set to SA (newly covered periods)
    periods: list[int]  # the absence's periods after this change; [] = whole day
    existing: StaffAbsence | None  # the absence being extended, if any
    clashes: list[str] = field(default_factory=list)  # accepted with allow_clash=True


@dataclass
class StaffAbsenceResult:
    """What `mark_teacher_absent` did."""

    absence: StaffAbsence
    extended: bool  # an absence of that teacher and day existed and now covers more
    slots: list[TimetableSlot]
    created: int = 0  # SA records written
    clashes: list[str] = field(default_factory=list)  # accepted with "Substitute anyway"
    left_as_marked: list[LeftAsMarked] = field(default_factory=list)


def plan_teacher_absence(
    *,
    teacher: User,
    day: datetime.date,
    periods: Iterable[int] | None = None,
    substitute: User | None = None,
    actor: User,
    today: datetime.date | None = None,
    allow_clash: bool = False,
) -> AbsencePlan:
    """Check that `teacher` may be marked absent on `day` and work out which slots get SA,
    without writing (the admin's form validates with it). Arguments and errors as
    `mark_teacher_absent`."""
    school = teacher.school
    if teacher.school_id is None or (
        not actor.is_superuser and actor.school_id != teacher.school_id
    ):
        raise TeacherOfAnotherSchool()
    check_substitute(teacher=teacher, substitute=substitute)

    today = today or school.today()
    earliest = today - datetime.timedelta(days=school.staff_absent_resolution_days)
    latest = today + datetime.timedelta(days=MAX_DAYS_AHEAD)
    if not earliest <= day <= latest:
        raise DayOutsideWindow(day, earliest, latest)
    holiday = closure_on(school_id=school.pk, day=day)
    if holiday is not None:
        raise SchoolHoliday(day, holiday)

    teaching = list(teacher_periods_on(teacher=teacher, day=day))
    if not teaching:
        raise NoPeriodsThatDay(teacher, day)
    asked = sorted(set(periods or ()))
    not_taught = [p for p in asked if p not in {slot.period_number for slot in teaching}]
    if not_taught:
        raise PeriodsNotTaught(teacher, day, not_taught)

    existing = StaffAbsence.objects.filter(teacher=teacher, date=day).first()
    wanted = StaffAbsence(periods=asked)
    slots = [slot for slot in teaching if covers_period(wanted, slot.period_number)]
    stored = asked
    if existing is not None:
        # A second absence for the same teacher and day extends the first
        # (docs/design/attendance.md keeps one absence per teacher per day; the model's unique
        # constraint says so too).
        slots = [slot for slot in slots if not covers_period(existing, slot.period_number)]
        if not slots:
            raise AbsenceAlreadyRecorded(existing)
        stored = [] if not existing.periods or not asked else sorted({*existing.periods, *asked})
    clashes: list[str] = []
    if substitute is not None:
        covered = StaffAbsence(periods=stored)
        numbers = {
            slot.period_number for slot in teaching if covers_period(covered, slot.period_number)
        }
        clashes = substitute_clashes(
            substitute=substitute, day=day, period_numbers=numbers, covering_for=teacher
        )
        if clashes and not allow_clash:
            raise SubstituteClash(clashes)
    return AbsencePlan(
        teacher=teacher, day=day, slots=slots, periods=stored, existing=existing, clashes=clashes
    )


def substitute_clashes(
    *,
    substitute: User,
    day: datetime.date,
    period_numbers: Iterable[int],
    covering_for: User,
) -> list[str]:
    """Why `substitute` cannot cover `covering_for`'s `period_numbers` on `day`
    (school-local): each of their own classes meeting in one of those periods, and each
    other absent teacher they already cover then (docs/design/attendance.md, "Substitutes").

    Returns one sentence per clash, e.g. "Chi Chen teaches Maths 9B in period 3 that day",
    in period order; empty when there is none. Two queries, plus one per other absence
    they cover that day.
    """
    numbers = set(period_numbers)
    if not numbers:
        return []
    found: list[tuple[int, str]] = []
    for slot in teacher_periods_on(teacher=substitute, day=day):
        if slot.period_number in numbers:
            found.append(
                (
                    slot.period_number,
                    _("%(teacher)s teaches %(class)s in period %(period)s that day")
                    % {
                        "teacher": substitute,
                        "class": slot.school_class,
                        "period": slot.period_number,
                    },
                )
            )
    others = (
        StaffAbsence.objects.filter(school_id=substitute.school_id, substitute=substitute, date=day)
        .exclude(teacher=covering_for)
        .select_related("teacher")
    )
    for other in others:
        for slot in teacher_periods_on(teacher=other.teacher, day=day):
            if slot.period_number in numbers and covers_period(other, slot.period_number):
                found.append(
                    (
                        slot.period_number,
                        _(
                            "%(teacher)s already covers %(class)s in period %(period)s that "
                            "day for %(absent)s"
                        )
                        % {
                            "teacher": substitute,
                            "class": slot.school_class,
                            "period": slot.period_number,
                            "absent": other.teacher,
                        },
                    )
                )
    return [text for _number, text in sorted(found, key=lambda item: item[0])]


@transaction.atomic
def mark_teacher_absent(
    *,
    teacher: User,
    day: datetime.date,
    periods: Iterable[int] | None = None,
    substitute: User | None = None,
    reason: str = "",
    actor: User,
    allow_clash: bool = False,
) -> StaffAbsenceResult:
    """Mark `teacher` absent on `day`: their slots meeting that day (only `periods`, when
    given) get SA for every student on each slot's roster, in one transaction
    (docs/design/attendance.md, "Subject Staff is marked absent by HOD → all period slots for that
    staff are set to SA").

    Args:
        teacher: a user of the actor's school who teaches on `day`.
        day: school-local date, from `School.staff_absent_resolution_days` ago up to
            MAX_DAYS_AHEAD days ahead (an absence may be entered ahead of time).
        periods: period numbers to cover; None or empty = the whole day.
        substitute: who may resolve the SA periods besides each class's advisor; staff of
            the same school with a marking role, not the teacher.
        reason: free text kept on the absence.
        actor: the hod or admin recording it (the caller checks the role); `marked_by`
            and history user of the SA records.
        allow_clash: the hod ticked "Substitute anyway": a substitute who teaches (or
            already covers) a class in a covered period is accepted, and the absence
            records that (`substitute_clash_accepted`, `updated_by`).

    A second call for the same teacher and day extends the absence: the periods not yet
    covered get SA, and a substitute or reason given replaces the saved one. Records that
    already exist for a covered period (the teacher marked it before falling ill, or the
    student's record is in another class) are left as they are and listed in
    `left_as_marked`.

    Returns:
        StaffAbsenceResult.

    Raises (nothing is written in any of these cases):
        TeacherOfAnotherSchool, SubstituteNotAllowed, DayOutsideWindow, SchoolHoliday,
        NoPeriodsThatDay, PeriodsNotTaught, AbsenceAlreadyRecorded (every asked period
        is covered already), SubstituteClash (the substitute teaches then, without
        allow_clash), StaffAbsenceConflict (a concurrent save of the same rows).
    """
    # Extending an absence is read-then-write: lock it first, so two hods adding periods
    # at once queue instead of one overwriting the other's periods.
    StaffAbsence.objects.select_for_update().filter(teacher=teacher, date=day).exists()
    plan = plan_teacher_absence(
        teacher=teacher,
        day=day,
        periods=periods,
        substitute=substitute,
        actor=actor,
        allow_clash=allow_clash,
    )
    # The same lock `mark_attendance` takes, so a teacher's save of one of these periods
    # and this absence queue behind each other instead of both inserting.
    slot_ids = [slot.pk for slot in plan.slots]
    list(TimetableSlot.objects.select_for_update().filter(pk__in=slot_ids).values_list("pk"))

    now = timezone.now()
    try:
        # A savepoint, so a unique-key race becomes StaffAbsenceConflict; the outer block
        # then rolls everything back.
        with transaction.atomic():
            absence = _save_absence(
                plan=plan, substitute=substitute, reason=reason.strip(), actor=actor
            )
            records, left_as_marked = _staff_absent_records(plan=plan, actor=actor)
            create_records(records, actor=actor, change_reason=f"Staff absent: {teacher}", now=now)
    except IntegrityError as exc:
        raise StaffAbsenceConflict() from exc
    return StaffAbsenceResult(
        absence=absence,
        extended=plan.existing is not None,
        slots=plan.slots,
        created=len(records),
        left_as_marked=left_as_marked,
        clashes=plan.clashes,
    )


def check_substitute(*, teacher: User, substitute: User | None) -> None:
    """Raise SubstituteNotAllowed unless `substitute` (None: no substitute) may stand in
    for `teacher`: staff of the same school with a marking role, not the teacher."""
    if substitute is None:
        return
    if substitute.pk == teacher.pk:
        raise SubstituteNotAllowed("The absent teacher cannot be their own substitute.")
    if substitute.school_id != teacher.school_id:
        raise SubstituteNotAllowed("The substitute is not on this school's staff.")
    if not substitute.is_active or not can_substitute(substitute):
        raise SubstituteNotAllowed(
            f"{substitute} cannot be a substitute: only a teacher, hod or admin marks periods."
        )


def _save_absence(
    *, plan: AbsencePlan, substitute: User | None, reason: str, actor: User
) -> StaffAbsence:
    if plan.existing is None:
        return StaffAbsence.objects.create(
            school_id=plan.teacher.school_id,
            teacher=plan.teacher,
            date=plan.day,
            periods=plan.periods,
            substitute=substitute,
            reason=reason,
            substitute_clash_accepted=bool(plan.clashes),
            created_by=actor,
            updated_by=actor,
        )
    absence = StaffAbsence.objects.select_for_update().get(pk=plan.existing.pk)
    absence.periods = plan.periods
    if substitute is not None:
        absence.substitute = substitute
        absence.substitute_clash_accepted = bool(plan.clashes)
    if reason:
        absence.reason = reason
    absence.updated_by = actor
    absence.save()
    return absence


def _staff_absent_records(
    *, plan: AbsencePlan, actor: User
) -> tuple[list[AttendanceRecord], list[LeftAsMarked]]:
    """SA records for the plan's slots' rosters, and the existing records left alone."""
    records: list[AttendanceRecord] = []
    left_as_marked: list[LeftAsMarked] = []
    # Two of the teacher's slots in the same period and subject (a combined class) share
    # the record key (EC-ATT-03): a student in both gets one record.
    keys: set[tuple[int, int, int]] = set()
    for slot in plan.slots:
        student_ids = set(
            active_memberships_on(school_class=slot.school_class, day=plan.day).values_list(
                "student_id", flat=True
            )
        )
        existing = (
            records_for_period(slot=slot, day=plan.day, student_ids=student_ids)
            .select_related("student__user", "school_class")
            .select_for_update(of=("self",))
        )
        for record in existing:
            keys.add((record.student_id, slot.period_number, slot.subject_id))
            left_as_marked.append(
                LeftAsMarked(
                    student_id=record.student_id,
                    student_name=str(record.student),
                    period_number=record.period_number,
                    school_class=str(record.school_class),
                    status=record.get_status_display(),
                )
            )
        for student_id in sorted(student_ids):
            key = (student_id, slot.period_number, slot.subject_id)
            if key in keys:
                continue
            keys.add(key)
            records.append(
                AttendanceRecord(
                    school_id=slot.school_id,
                    student_id=student_id,
                    school_class_id=slot.school_class_id,
                    subject_id=slot.subject_id,
                    slot=slot,
                    date=plan.day,
                    period_number=slot.period_number,
                    status=Status.STAFF_ABSENT,
                    marked_by=actor,
                )
            )
    return records, left_as_marked


@transaction.atomic
def change_substitute(
    *, absence: StaffAbsence, substitute: User | None, actor: User, allow_clash: bool = False
) -> StaffAbsence:
    """Set (or clear, with None) the substitute of `absence`; the new substitute may then
    resolve the absent teacher's SA periods that day, the old one no longer.

    `allow_clash`: accept a substitute who teaches (or already covers) a class in a covered
    period; the absence records it (`substitute_clash_accepted`, `updated_by`)
    (docs/design/attendance.md, "Substitutes").

    Raises SubstituteNotAllowed (the teacher themselves, another school's user, or a role
    that does not mark periods), SubstituteClash (without allow_clash). Nothing is changed
    then.
    """
    absence = StaffAbsence.objects.select_for_update().select_related("teacher").get(pk=absence.pk)
    check_substitute(teacher=absence.teacher, substitute=substitute)
    clashes: list[str] = []
    if substitute is not None:
        numbers = {
            slot.period_number
            for slot in teacher_periods_on(teacher=absence.teacher, day=absence.date)
            if covers_period(absence, slot.period_number)
        }
        clashes = substitute_clashes(
            substitute=substitute,
            day=absence.date,
            period_numbers=numbers,
            covering_for=absence.teacher,
        )
        if clashes and not allow_clash:
            raise SubstituteClash(clashes)
    absence.substitute = substitute
    absence.substitute_clash_accepted = bool(clashes)
    absence.updated_by = actor
    absence.save(
        update_fields=["substitute", "substitute_clash_accepted", "updated_by", "updated_at"]
    )
    return absence


@transaction.atomic
def withdraw_staff_absence(*, absence: StaffAbsence, actor: User) -> int:
    """Delete `absence` (recorded by mistake) and its records that are still SA, so the
    periods can be marked afresh; records already resolved (or expired) stay.

    Returns the number of SA records deleted (their deletion stays in the history, by
    `actor`).
    """
    absence = StaffAbsence.objects.select_for_update().get(pk=absence.pk)
    open_records = [
        record
        for record in AttendanceRecord.objects.select_for_update(of=("self",)).filter(
            school_id=absence.school_id,
            slot__teacher_id=absence.teacher_id,
            date=absence.date,
            status=Status.STAFF_ABSENT,
            is_orphaned=False,
        )
        if covers_period(absence, record.period_number)
    ]
    for record in open_records:
        # One by one: the history row of each deletion records who withdrew it.
        record._history_user = actor
        record._change_reason = f"Absence of {absence.teacher} on {absence.date} withdrawn"[
            :_CHANGE_REASON_LENGTH
        ]
        record.delete()
    absence.delete()
    return len(open_records)


# --- expiry ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiryResult:
    """What `expire_staff_absent` did (or would do) in one school."""

    school: School
    today: datetime.date
    cutoff: datetime.date  # SA records dated before this became NM
    expired: int


def expire_staff_absent(
    *,
    today: datetime.date | None = None,
    dry_run: bool = False,
    schools: Iterable[School] | None = None,
) -> list[ExpiryResult]:
    """Turn SA records older than each school's resolution window into NM
    (docs/design/attendance.md: "if nobody marks within the window, SA → NM").

    A record of `day` expires when `day < today - School.staff_absent_resolution_days`,
    `today` being the school-local date. Each change is kept in the record's history
    (user "System", reason "Not resolved within N days"); orphaned records stay frozen
    (EC-ATT-02). Safe to repeat: a second run finds nothing.

    Args:
        today: the date to expire against in every school (for tests and catching up);
            each school's own today when omitted.
        dry_run: count only, write nothing.
        schools: only these; every school when omitted.

    Returns:
        One ExpiryResult per school, in name order; each school is its own transaction.
    """
    schools = School.objects.order_by("name", "pk") if schools is None else schools
    return [
        _expire_school(school=school, today=today or school.today(), dry_run=dry_run)
        for school in schools
    ]


_EXPIRY_BATCH = 500


@transaction.atomic
def _expire_school(*, school: School, today: datetime.date, dry_run: bool) -> ExpiryResult:
    days = school.staff_absent_resolution_days
    cutoff = today - datetime.timedelta(days=days)
    stale = AttendanceRecord.objects.filter(
        school=school, status=Status.STAFF_ABSENT, is_orphaned=False, date__lt=cutoff
    )
    if dry_run:
        return ExpiryResult(school=school, today=today, cutoff=cutoff, expired=stale.count())

    reason = f"Not resolved within {days} day{'s' if days != 1 else ''}"
    now = timezone.now()
    expired = 0
    for batch in batched(stale.order_by("pk").values_list("pk", flat=True), _EXPIRY_BATCH):
        # Re-read under lock: a resolver's save that got in first wins, and is not undone.
        records = list(stale.filter(pk__in=batch).select_for_update())
        for record in records:
            record.status = Status.NOT_MARKED
            record.modified_by = None  # "System" (docs/design/attendance.md, Marked By)
            record.modification_reason = reason
        update_records(
            records,
            fields=["status", "modified_by", "modification_reason"],
            actor=None,
            change_reason=reason,
            now=now,
        )
        expired += len(records)
    return ExpiryResult(school=school, today=today, cutoff=cutoff, expired=expired)


# --- student leave ------------------------------------------------------------------------


class LeaveError(Exception):
    """A student's leave was refused; nothing was written."""


class LeaveOverlaps(LeaveError):
    """The leave shares a day with another pending or approved leave of the same student."""

    def __init__(self, other: StudentLeave):
        self.other = other
        if other.start_date == other.end_date:
            dates = _("on %(day)s") % {"day": date_format(other.start_date, "j F Y")}
        else:
            dates = _("from %(start)s to %(end)s") % {
                "start": date_format(other.start_date, "j F Y"),
                "end": date_format(other.end_date, "j F Y"),
            }
        if other.status == StudentLeave.Status.PENDING:
            message = _(
                "Leave for %(student)s %(dates)s is already pending: decide or change that one."
            )
        else:
            message = _(
                "Leave for %(student)s %(dates)s is already approved: change or reject that "
                "one first."
            )
        super().__init__(message % {"student": other.student, "dates": dates})


# The leave that takes part in the overlap rule; rejected leave is as if it were not there.
_ACTIVE_LEAVE = (StudentLeave.Status.PENDING, StudentLeave.Status.APPROVED)


def refuse_overlapping_leave(
    *,
    student_id: int,
    start_date: datetime.date,
    end_date: datetime.date,
    status: str,
    leave_id: int | None = None,
    approving: bool = False,
) -> None:
    """The one rule against overlapping leave (docs/design/attendance.md, "Student leave"):
    a student's pending or approved leave may not share a day with another of their pending
    or approved leaves; approving a pending one is refused only by an approved one (so
    duplicates recorded before the rule can still be sorted out). Rejected leave neither
    blocks nor is blocked. `record_student_leave`, `decide_student_leave` and the Django
    admin's form all call it.

    Locks the student's row first, so two requests for the same student at the same moment
    queue and the second one sees the first: call it inside the transaction that then
    writes the leave (on PostgreSQL the lock needs one).

    Args:
        student_id: the StudentProfile the leave is for.
        start_date, end_date: the leave's first and last day (school-local, inclusive).
        status: the status the leave is to have (a StudentLeave.Status value).
        leave_id: the leave being changed, left out of the comparison; None for a new one.
        approving: the leave is being approved (a decision, not a new request).

    Raises:
        LeaveOverlaps: naming the other leave (the earliest, if several); nothing written.
    """
    _lock_student(student_id)
    if status not in _ACTIVE_LEAVE:
        return
    blocking = (StudentLeave.Status.APPROVED,) if approving else _ACTIVE_LEAVE
    other = (
        StudentLeave.objects.filter(
            student_id=student_id,
            status__in=blocking,
            start_date__lte=end_date,
            end_date__gte=start_date,
        )
        .exclude(pk=leave_id)
        .select_related("student__user")
        .order_by("start_date", "pk")
        .first()
    )
    if other is not None:
        raise LeaveOverlaps(other)


def _lock_student(student_id: int) -> None:
    """Lock the student's row until the transaction ends, so leave writes for the same
    student queue. NO KEY UPDATE: it does not hold up the rows that merely refer to the
    student (records, memberships) in the meantime."""
    StudentProfile.objects.select_for_update(no_key=True).filter(pk=student_id).exists()


@transaction.atomic
def record_student_leave(
    *,
    student: StudentProfile,
    start_date: datetime.date,
    end_date: datetime.date,
    reason: str = "",
    approve: bool = False,
    actor: User,
) -> StudentLeave:
    """Record leave for `student` from `start_date` to `end_date` (school-local, inclusive),
    pending, or approved at once by `actor` when `approve`. Approved leave lets an SA
    period be resolved to IL (docs/design/attendance.md, "Student leave").

    Raises LeaveError (nothing is written): the student is of another school, the leave
    ends before it starts, or (LeaveOverlaps) it shares a day with a pending or approved
    leave of the same student (`refuse_overlapping_leave`).
    """
    if not actor.is_superuser and student.school_id != actor.school_id:
        raise LeaveError("That student is not in your school.")
    if end_date < start_date:
        raise LeaveError("The leave cannot end before it starts.")
    status = StudentLeave.Status.APPROVED if approve else StudentLeave.Status.PENDING
    refuse_overlapping_leave(
        student_id=student.pk, start_date=start_date, end_date=end_date, status=status
    )
    return StudentLeave.objects.create(
        school_id=student.school_id,
        student=student,
        start_date=start_date,
        end_date=end_date,
        reason=reason.strip(),
        status=status,
        decided_by=actor if approve else None,
        created_by=actor,
        updated_by=actor,
    )


@transaction.atomic
def decide_student_leave(*, leave: StudentLeave, approve: bool, actor: User) -> StudentLeave:
    """Approve (or reject) `leave`, recording `actor` as who decided. Deciding again
    changes the decision.

    Raises LeaveOverlaps (nothing is written) when approving a leave that shares a day with
    an approved leave of the same student (docs/design/attendance.md, "Student leave");
    rejecting is never refused.
    """
    _lock_student(leave.student_id)  # the student first, as everywhere leave is written
    leave = StudentLeave.objects.select_for_update().get(pk=leave.pk)
    if approve:
        refuse_overlapping_leave(
            student_id=leave.student_id,
            start_date=leave.start_date,
            end_date=leave.end_date,
            status=StudentLeave.Status.APPROVED,
            leave_id=leave.pk,
            approving=True,
        )
    leave.status = StudentLeave.Status.APPROVED if approve else StudentLeave.Status.REJECTED
    leave.decided_by = actor
    leave.updated_by = actor
    leave.save(update_fields=["status", "decided_by", "updated_by", "updated_at"])
    return leave
