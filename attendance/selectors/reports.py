"""Reads for the attendance reports (issue 3): a student's report by day, week, month or
term, a class's monthly register, the registers nobody took, and weekly trends.

Seed 001: "Reports can aggregate to daily, weekly, monthly, or semester views". The rule
is the one in `percentages.py` (present ÷ countable × 100, `attendance_percentage`'s
rounding), applied to the records of a date range:

- counted: status in COUNTABLE_STATUSES (P, A, IL, UL); present: PRESENT_STATUSES (P);
- IL is counted and not present, and reported in its own column ("tracked separately");
- an SA still on a record is unresolved: excluded like NM, shown as "SA (unresolved)";
- orphaned records ("Orphaned — Period Removed", EC-ATT-02) are shown and never counted;
- a record dated outside the student's membership of its class (before `joined_on` or
  after `left_on`, EC-ATT-01) is never counted.

A date-bounded figure's denominator is its countable records: a TotalSessionsOverride is
the total of the whole course (seed 000), so dividing one week's present count by it would
be meaningless. Whole-course figures ("overall") come from `with_attendance_totals`, which
does apply the override.

Every function here runs a fixed number of queries whatever the number of students or
records (the docstrings list them).
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from academics.models import (
    AcademicYear,
    Holiday,
    Membership,
    Role,
    School,
    SchoolClass,
    StudentProfile,
    Subject,
    Term,
    TimetableSlot,
    User,
)

from ..models import COUNTABLE_STATUSES, PRESENT_STATUSES, AttendanceRecord, Status
from .marking import school_slots
from .percentages import (
    SCHOOL_WIDE_READERS,
    attendance_percentage,
    visible_memberships,
    with_attendance_totals,
)

# Every status code, in seed 001's order: each report shows all nine.
STATUS_CODES: tuple[str, ...] = tuple(Status.values)
ORPHANED_LABEL = "Orphaned — Period Removed"
UNRESOLVED_SA_LABEL = "SA (unresolved)"
TREND_WEEKS = 12
# Roles that see every teacher's missing registers; a teacher sees only their own.
NOT_TAKEN_SCHOOL_WIDE = (Role.ADMIN, Role.PRINCIPAL, Role.HOD)
NOT_TAKEN_ROLES = (*NOT_TAKEN_SCHOOL_WIDE, Role.TEACHER)
MAX_NOT_TAKEN_DAYS = 366


# --- who may be reported on --------------------------------------------------------------


def visible_students(*, user: User) -> QuerySet[StudentProfile]:
    """The students whose report `user` may open, in the user's school.

    admin, principal, hod, accountant: every student of the school; teacher: members of the
    classes they teach or advise (`visible_memberships`); student: only themselves.
    Anyone else is a 404 through this queryset.
    """
    students = StudentProfile.objects.filter(school_id=user.school_id)
    if user.has_role(*SCHOOL_WIDE_READERS):
        return students
    if user.role == Role.STUDENT:
        return students.filter(user=user)
    return students.filter(pk__in=visible_memberships(user=user).values("student_id"))


# --- report periods ----------------------------------------------------------------------


class PeriodKind(models.TextChoices):
    DAY = "day", "Day"
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    TERM = "term", "Term"


@dataclass(frozen=True)
class ReportPeriod:
    """A date range a report covers (school-local dates, both ends included)."""

    kind: str
    start: datetime.date
    end: datetime.date
    label: str
    previous_anchor: datetime.date
    next_anchor: datetime.date
    note: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of `day`'s week."""
    return day - datetime.timedelta(days=day.weekday())


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """First and last date of `day`'s month."""
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def _named_span(kind: str, span: Term | AcademicYear, note: str = "") -> ReportPeriod:
    """A report period covering a term or an academic year, stepping to its neighbours."""
    one_day = datetime.timedelta(days=1)
    return ReportPeriod(
        kind=kind,
        start=span.start_date,
        end=span.end_date,
        label=f"{span.name} ({_span(span.start_date, span.end_date)})",
        previous_anchor=span.start_date - one_day,
        next_anchor=span.end_date + one_day,
        note=note,
    )


def report_period(*, school: School, kind: str, anchor: datetime.date) -> ReportPeriod:
    """The day, week (Monday–Sunday), month or term containing `anchor`.

    Args:
        school: whose terms to use for a term view.
        kind: a `PeriodKind` value.
        anchor: any school-local date inside the wanted period.

    Returns:
        The range with a label and the anchors of the previous and next period of the same
        kind. A term is the school's Term containing `anchor`; where none does, the academic
        year containing it; where neither does, the month (with a `note` saying so). Zero
        queries for day/week/month, one or two for a term.
    """
    one_day = datetime.timedelta(days=1)
    if kind == PeriodKind.DAY:
        return ReportPeriod(
            kind=kind,
            start=anchor,
            end=anchor,
            label=f"{anchor:%A} {anchor.day} {anchor:%B %Y}",
            previous_anchor=anchor - one_day,
            next_anchor=anchor + one_day,
        )
    if kind == PeriodKind.WEEK:
        start = week_start(anchor)
        end = start + datetime.timedelta(days=6)
        return ReportPeriod(
            kind=kind,
            start=start,
            end=end,
            label=f"Week of {start.day} {start:%B %Y}",
            previous_anchor=start - datetime.timedelta(days=7),
            next_anchor=start + datetime.timedelta(days=7),
        )
    if kind == PeriodKind.TERM:
        term = (
            Term.objects.filter(school=school, start_date__lte=anchor, end_date__gte=anchor)
            .order_by("start_date", "pk")
            .first()
        )
        if term is not None:
            return _named_span(kind, term)
        year = (
            AcademicYear.objects.filter(school=school, start_date__lte=anchor, end_date__gte=anchor)
            .order_by("start_date", "pk")
            .first()
        )
        if year is not None:
            return _named_span(
                kind, year, note="No term covers this date: showing the academic year."
            )
        month = report_period(school=school, kind=PeriodKind.MONTH, anchor=anchor)
        return ReportPeriod(
            kind=kind,
            start=month.start,
            end=month.end,
            label=month.label,
            previous_anchor=month.previous_anchor,
            next_anchor=month.next_anchor,
            note="No term or academic year covers this date: showing the month.",
        )
    start, end = month_bounds(anchor)
    return ReportPeriod(
        kind=PeriodKind.MONTH,
        start=start,
        end=end,
        label=f"{start:%B %Y}",
        previous_anchor=month_bounds(start - one_day)[0],
        next_anchor=end + one_day,
    )


def _span(start: datetime.date, end: datetime.date) -> str:
    return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"


# --- counting ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusSummary:
    """Counts of a set of records by status, and the percentage they give.

    counts: every status code (all nine) → number of counted-in-window records with it;
        orphaned records and records outside the student's membership are NOT in it.
    orphaned: records flagged "Orphaned — Period Removed" (shown, never counted).
    outside_membership: records dated before the join date or after leaving (EC-ATT-01).
    """

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUS_CODES, 0))
    orphaned: int = 0
    outside_membership: int = 0

    @property
    def present(self) -> int:
        return sum(self.counts[code] for code in PRESENT_STATUSES)

    @property
    def countable(self) -> int:
        return sum(self.counts[code] for code in COUNTABLE_STATUSES)

    @property
    def denominator(self) -> int:
        """A date-bounded figure is measured against its countable records (module doc)."""
        return self.countable

    @property
    def percentage(self) -> Decimal | None:
        return attendance_percentage(self.present, self.denominator)

    @property
    def informed_leave(self) -> int:
        """IL: counted, not present, and reported on its own (seed 001)."""
        return self.counts[Status.INFORMED_LEAVE]

    @property
    def unresolved_staff_absent(self) -> int:
        """SA still on a record: excluded like NM until the advisor resolves it (seed 001)."""
        return self.counts[Status.STAFF_ABSENT]

    @property
    def excluded(self) -> int:
        """OD, SA (unresolved), SU, NM and H records: shown, not counted."""
        return sum(n for code, n in self.counts.items() if code not in COUNTABLE_STATUSES)

    @property
    def total_records(self) -> int:
        return sum(self.counts.values()) + self.orphaned + self.outside_membership

    def code_counts(self) -> list[tuple[str, int]]:
        """(code, count) for all nine codes in seed order, for templates."""
        return [(code, self.counts[code]) for code in STATUS_CODES]

    def __add__(self, other: StatusSummary) -> StatusSummary:
        return StatusSummary(
            counts={code: self.counts[code] + other.counts[code] for code in STATUS_CODES},
            orphaned=self.orphaned + other.orphaned,
            outside_membership=self.outside_membership + other.outside_membership,
        )


def _in_membership_window() -> Exists:
    """True for a record dated inside a membership of its student in its class
    (joined_on ≤ date ≤ left_on, open-ended while left_on is empty) — EC-ATT-01."""
    return Exists(
        Membership.objects.filter(
            student=OuterRef("student"),
            school_class=OuterRef("school_class"),
            joined_on__lte=OuterRef("date"),
        ).filter(Q(left_on__isnull=True) | Q(left_on__gte=OuterRef("date")))
    )


def summaries_by_class(records: QuerySet[AttendanceRecord]) -> dict[int, StatusSummary]:
    """SchoolClass pk → StatusSummary of `records` (already filtered by the caller).

    One aggregate query, grouped by class, status, orphaned flag and membership window.
    """
    grouped = (
        records.annotate(in_window=_in_membership_window())
        .values("school_class_id", "status", "is_orphaned", "in_window")
        .annotate(n=Count("pk"))
        .order_by()
    )
    parts: dict[int, dict] = defaultdict(
        lambda: {"counts": dict.fromkeys(STATUS_CODES, 0), "orphaned": 0, "outside": 0}
    )
    for row in grouped:
        part = parts[row["school_class_id"]]
        if row["is_orphaned"]:
            part["orphaned"] += row["n"]
        elif not row["in_window"]:
            part["outside"] += row["n"]
        else:
            part["counts"][row["status"]] += row["n"]
    return {
        class_id: StatusSummary(
            counts=part["counts"], orphaned=part["orphaned"], outside_membership=part["outside"]
        )
        for class_id, part in parts.items()
    }


def _total(summaries) -> StatusSummary:
    total = StatusSummary()
    for summary in summaries:
        total = total + summary
    return total


def student_summary(
    *,
    student: StudentProfile,
    start: datetime.date,
    end: datetime.date,
    school_class: SchoolClass | None = None,
) -> StatusSummary:
    """A student's attendance from `start` to `end` (school-local, both included).

    Args:
        student: whose records.
        start, end: the date range.
        school_class: only this class's records when given; every class otherwise.

    Returns:
        A StatusSummary: counts of all nine codes (`.counts`), `.present`, `.countable`,
        `.percentage` (Decimal to 1 place, None with nothing countable), IL on its own
        (`.informed_leave`), unresolved SA (`.unresolved_staff_absent`, excluded like NM),
        `.orphaned` (excluded). Records outside the membership window are not counted
        (seed 001, EC-ATT-01/02, "Attendance Percentage Calculation"). One query.
    """
    records = AttendanceRecord.objects.filter(
        school_id=student.school_id, student=student, date__gte=start, date__lte=end
    )
    if school_class is not None:
        records = records.filter(school_class=school_class)
    return _total(summaries_by_class(records).values())


# --- weekly trend ------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendWeek:
    """One week (Monday–Sunday) of a trend: counted records only."""

    start: datetime.date
    present: int
    countable: int

    @property
    def end(self) -> datetime.date:
        return self.start + datetime.timedelta(days=6)

    @property
    def percentage(self) -> Decimal | None:
        return attendance_percentage(self.present, self.countable)


def weekly_trend(
    *, records: QuerySet[AttendanceRecord], last_day: datetime.date, weeks: int = TREND_WEEKS
) -> list[TrendWeek]:
    """Percentage by week for the `weeks` weeks ending with `last_day`'s week.

    Args:
        records: the records to chart (a class's, or a student's), not yet date-filtered.
        last_day: school-local; records after it are left out.
        weeks: how many Monday–Sunday weeks, oldest first.

    Returns:
        One TrendWeek per week, empty weeks included (percentage None). Counted records
        only: countable, not orphaned, inside the membership window. One query.
    """
    first = week_start(last_day) - datetime.timedelta(weeks=weeks - 1)
    per_day = (
        records.filter(
            date__gte=first,
            date__lte=last_day,
            is_orphaned=False,
            status__in=COUNTABLE_STATUSES,
        )
        .filter(_in_membership_window())
        .values("date")
        .annotate(
            present=Count("pk", filter=Q(status__in=PRESENT_STATUSES)),
            countable=Count("pk"),
        )
        .order_by()
    )
    present: dict[datetime.date, int] = defaultdict(int)
    countable: dict[datetime.date, int] = defaultdict(int)
    for row in per_day:
        monday = week_start(row["date"])
        present[monday] += row["present"]
        countable[monday] += row["countable"]
    mondays = [first + datetime.timedelta(weeks=n) for n in range(weeks)]
    return [TrendWeek(monday, present[monday], countable[monday]) for monday in mondays]


# --- a student's report -------------------------------------------------------------------


@dataclass(frozen=True)
class StudentClassRow:
    """One class in a student's report: the period's figures and the whole course's."""

    school_class: SchoolClass
    summary: StatusSummary
    overall_present: int
    overall_denominator: int
    overall_override: int | None

    @property
    def overall_percentage(self) -> Decimal | None:
        return attendance_percentage(self.overall_present, self.overall_denominator)


@dataclass(frozen=True)
class DayLine:
    """One period of a day in the daily view: a record, or a timetable period nobody
    marked (status None)."""

    period_number: int
    school_class: SchoolClass
    subject: Subject
    status: str | None
    is_orphaned: bool = False
    in_window: bool = True

    @property
    def is_counted(self) -> bool:
        return self.status in COUNTABLE_STATUSES and not self.is_orphaned and self.in_window

    @property
    def label(self) -> str:
        if self.status is None:
            return "Not marked"
        if self.status == Status.STAFF_ABSENT:
            return UNRESOLVED_SA_LABEL
        return Status(self.status).label


@dataclass(frozen=True)
class StudentReport:
    student: StudentProfile
    period: ReportPeriod
    rows: list[StudentClassRow]
    total: StatusSummary
    day_lines: list[DayLine]
    trend: list[TrendWeek]


@dataclass
class _Overall:
    """Whole-course totals of one student in one class, summed over their memberships of
    it (left and re-joined); the override is per student and class, the same on each."""

    present: int = 0
    countable: int = 0
    override: int | None = None

    def add(self, membership: Membership) -> None:
        self.present += membership.present_count
        self.countable += membership.countable_count
        if membership.override_total is not None:
            self.override = membership.override_total

    @property
    def denominator(self) -> int:
        return self.override if self.override is not None else self.countable


def student_attendance_report(
    *,
    student: StudentProfile,
    period: ReportPeriod,
    classes: QuerySet[SchoolClass],
    today: datetime.date,
) -> StudentReport:
    """Everything on a student's report for one period.

    Args:
        student: whose report.
        period: the range (`report_period`).
        classes: the classes the reader may see (`visible_classes`); others are left out.
        today: school-local; the trend runs to the earlier of it and the period's end.

    Returns:
        A StudentReport: a row per class the student was a member of during the period
        (that period's counts, and the whole course's percentage with the override as
        denominator via `with_attendance_totals`), the total, the day's periods (day view
        only: records and unmarked timetable periods) and the weekly trend.

    Queries: memberships with whole-course totals · the period's counts by class and status ·
    the trend's counts by date · (day view) the day's records · (day view) the day's slots.
    """
    memberships = with_attendance_totals(
        Membership.objects.filter(
            school_id=student.school_id,
            student=student,
            school_class__in=classes,
            joined_on__lte=period.end,
        )
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=period.start))
        .select_related("school_class")
    ).order_by("school_class__name", "joined_on", "pk")
    school_classes: dict[int, SchoolClass] = {}
    windows: dict[int, list[tuple[datetime.date, datetime.date | None]]] = defaultdict(list)
    overall: dict[int, _Overall] = defaultdict(_Overall)
    for m in memberships:
        school_classes.setdefault(m.school_class_id, m.school_class)
        windows[m.school_class_id].append((m.joined_on, m.left_on))
        overall[m.school_class_id].add(m)

    student_records = AttendanceRecord.objects.filter(
        school_id=student.school_id, student=student, school_class__in=classes
    )
    by_class = summaries_by_class(
        student_records.filter(date__gte=period.start, date__lte=period.end)
    )
    rows = [
        StudentClassRow(
            school_class=school_class,
            summary=by_class.get(class_id, StatusSummary()),
            overall_present=overall[class_id].present,
            overall_denominator=overall[class_id].denominator,
            overall_override=overall[class_id].override,
        )
        for class_id, school_class in school_classes.items()
    ]
    day_lines = []
    if period.kind == PeriodKind.DAY:
        day_lines = _day_lines(
            records=student_records.filter(date=period.start), day=period.start, windows=windows
        )
    return StudentReport(
        student=student,
        period=period,
        rows=rows,
        total=_total(by_class.values()),
        day_lines=day_lines,
        trend=weekly_trend(records=student_records, last_day=min(period.end, today)),
    )


def _in_any(day: datetime.date, spans) -> bool:
    return any(joined <= day and (left is None or day <= left) for joined, left in spans)


def _day_lines(*, records, day: datetime.date, windows) -> list[DayLine]:
    """The day's records, and the timetable periods of the student's classes that day that
    have none (two queries)."""
    lines = [
        DayLine(
            period_number=r.period_number,
            school_class=r.school_class,
            subject=r.subject,
            status=r.status,
            is_orphaned=r.is_orphaned,
            in_window=_in_any(day, windows.get(r.school_class_id, ())),
        )
        for r in records.select_related("school_class", "subject")
    ]
    marked = {(line.school_class.pk, line.subject.pk, line.period_number) for line in lines}
    member_of = [class_id for class_id, spans in windows.items() if _in_any(day, spans)]
    slots = (
        TimetableSlot.objects.filter(
            school_class_id__in=member_of, weekday=day.weekday(), valid_from__lte=day
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("school_class", "subject")
    )
    for slot in slots:
        if (slot.school_class_id, slot.subject_id, slot.period_number) not in marked:
            lines.append(
                DayLine(
                    period_number=slot.period_number,
                    school_class=slot.school_class,
                    subject=slot.subject,
                    status=None,
                )
            )
    return sorted(lines, key=lambda line: (line.period_number, line.school_class.name))


# --- a class's monthly register -------------------------------------------------------------


@dataclass(frozen=True)
class Session:
    """A column of the register: one period of one subject on one date."""

    date: datetime.date
    period_number: int
    subject_id: int


@dataclass(frozen=True)
class RegisterMark:
    """What a register cell shows: the status, and whether it is counted."""

    status: str
    is_orphaned: bool
    in_window: bool

    @property
    def is_counted(self) -> bool:
        return self.status in COUNTABLE_STATUSES and not self.is_orphaned and self.in_window

    @property
    def label(self) -> str:
        if self.is_orphaned:
            return f"{Status(self.status).label} — {ORPHANED_LABEL}"
        if self.status == Status.STAFF_ABSENT:
            return f"{UNRESOLVED_SA_LABEL} — not counted"
        if not self.in_window:
            return f"{Status(self.status).label} — outside membership, not counted"
        return Status(self.status).label


@dataclass
class RegisterRow:
    """One student's line of the register: a mark (or None) per session, and the month's
    figures (countable records of the month are the denominator — module doc)."""

    student: StudentProfile
    marks: list[RegisterMark | None]
    threshold: Decimal
    overall_present: int = 0
    overall_denominator: int = 0

    @property
    def cells(self) -> list[str | None]:
        """The status code of each session, None where unmarked (aligned with sessions)."""
        return [mark.status if mark else None for mark in self.marks]

    @property
    def present(self) -> int:
        return sum(1 for m in self.marks if m and m.is_counted and m.status in PRESENT_STATUSES)

    @property
    def countable(self) -> int:
        return sum(1 for m in self.marks if m and m.is_counted)

    @property
    def denominator(self) -> int:
        return self.countable

    @property
    def percentage(self) -> Decimal | None:
        return attendance_percentage(self.present, self.denominator)

    @property
    def below_threshold(self) -> bool:
        return self.percentage is not None and self.percentage < self.threshold

    @property
    def overall_percentage(self) -> Decimal | None:
        return attendance_percentage(self.overall_present, self.overall_denominator)


@dataclass
class ClassRegister:
    school_class: SchoolClass
    start: datetime.date
    end: datetime.date
    sessions: list[Session]
    rows: list[RegisterRow]
    subjects: dict[int, Subject]
    threshold: Decimal
    trend: list[TrendWeek]

    @property
    def present(self) -> int:
        return sum(row.present for row in self.rows)

    @property
    def countable(self) -> int:
        return sum(row.countable for row in self.rows)

    @property
    def percentage(self) -> Decimal | None:
        return attendance_percentage(self.present, self.countable)

    @property
    def several_subjects(self) -> bool:
        return len({s.subject_id for s in self.sessions}) > 1

    @property
    def columns(self) -> list[tuple[Session, Subject | None, bool]]:
        """(session, its subject, whether it is the first column of its date) per column."""
        return [
            (
                session,
                self.subjects.get(session.subject_id),
                index == 0 or self.sessions[index - 1].date != session.date,
            )
            for index, session in enumerate(self.sessions)
        ]

    def session_label(self, session: Session) -> str:
        subject = self.subjects.get(session.subject_id)
        label = f"{session.date:%Y-%m-%d} P{session.period_number}"
        return f"{label} {subject}" if self.several_subjects and subject else label


def class_register(
    *, school_class: SchoolClass, month: datetime.date, today: datetime.date | None = None
) -> ClassRegister:
    """The period-by-date register of one class for one month (seed 001).

    Args:
        school_class: the class (the caller checked the reader may see it).
        month: any date in the month.
        today: school-local; timetable periods after it are not columns yet. Defaults
            to `school_class.school.today()`.

    Returns:
        A ClassRegister: `.sessions` — every (date, period, subject) of the month that has
        a record in this class or a timetable slot meeting (holidays and days after today
        left out unless they have records), by date and period; `.rows` — one RegisterRow
        per student who was a member during the month, by last name, with `.cells` aligned
        to the sessions, the month's present/countable/percentage and `.below_threshold`
        (below `school.low_attendance_threshold`), plus the whole-course percentage
        (`with_attendance_totals`, override as denominator); `.trend` — weekly percentage
        of the class for the 12 weeks to the month's end (or today).

    Queries: memberships with totals · the month's records · the class's slots · holidays
    in the month · the subjects named by the columns · the trend.
    """
    school = school_class.school
    today = today or school.today()
    start, end = month_bounds(month)
    threshold = school.low_attendance_threshold

    memberships = with_attendance_totals(
        Membership.objects.filter(
            school_id=school_class.school_id, school_class=school_class, joined_on__lte=end
        )
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
        .select_related("student__user")
    ).order_by("student__user__last_name", "student__user__first_name", "student_id", "joined_on")
    students: dict[int, StudentProfile] = {}
    windows: dict[int, list] = defaultdict(list)
    overall: dict[int, _Overall] = defaultdict(_Overall)
    for m in memberships:
        students.setdefault(m.student_id, m.student)
        windows[m.student_id].append((m.joined_on, m.left_on))
        overall[m.student_id].add(m)

    records = AttendanceRecord.objects.filter(
        school_id=school_class.school_id,
        school_class=school_class,
        date__gte=start,
        date__lte=end,
    ).values_list("student_id", "date", "period_number", "subject_id", "status", "is_orphaned")
    marks: dict[tuple[int, Session], RegisterMark] = {}
    sessions: set[Session] = set()
    for student_id, day, period_number, subject_id, status, is_orphaned in records:
        session = Session(day, period_number, subject_id)
        sessions.add(session)
        marks[student_id, session] = RegisterMark(
            status=status,
            is_orphaned=is_orphaned,
            in_window=_in_any(day, windows.get(student_id, ())),
        )

    slots = list(
        TimetableSlot.objects.filter(
            school_id=school_class.school_id, school_class=school_class, valid_from__lte=end
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .values_list("weekday", "period_number", "subject_id", "valid_from", "valid_to")
    )
    closed = _holiday_dates(school_id=school_class.school_id, start=start, end=end)
    day = start
    while day <= min(end, today):
        if day not in closed:
            for weekday, period_number, subject_id, valid_from, valid_to in slots:
                if (
                    weekday == day.weekday()
                    and valid_from <= day
                    and (valid_to is None or day <= valid_to)
                ):
                    sessions.add(Session(day, period_number, subject_id))
        day += datetime.timedelta(days=1)

    subjects = Subject.objects.in_bulk({s.subject_id for s in sessions})
    ordered = sorted(
        sessions,
        key=lambda s: (s.date, s.period_number, str(subjects.get(s.subject_id, "")), s.subject_id),
    )
    rows = [
        RegisterRow(
            student=student,
            marks=[marks.get((student_id, session)) for session in ordered],
            threshold=threshold,
            overall_present=overall[student_id].present,
            overall_denominator=overall[student_id].denominator,
        )
        for student_id, student in students.items()
    ]
    trend = weekly_trend(
        records=AttendanceRecord.objects.filter(
            school_id=school_class.school_id, school_class=school_class
        ),
        last_day=min(end, today) if start <= today else end,
    )
    return ClassRegister(
        school_class=school_class,
        start=start,
        end=end,
        sessions=ordered,
        rows=rows,
        subjects=subjects,
        threshold=threshold,
        trend=trend,
    )


def _holiday_dates(*, school_id: int, start: datetime.date, end: datetime.date) -> set:
    """Every date from `start` to `end` inside one of the school's holidays (one query)."""
    closed = set()
    spans = Holiday.objects.filter(
        school_id=school_id, start_date__lte=end, end_date__gte=start
    ).values_list("start_date", "end_date")
    for first, last in spans:
        day = max(first, start)
        while day <= min(last, end):
            closed.add(day)
            day += datetime.timedelta(days=1)
    return closed


# --- registers not taken ----------------------------------------------------------------------


@dataclass(frozen=True)
class MissingRegister:
    """A timetable period that met on `date` and has no record at all."""

    slot: TimetableSlot
    date: datetime.date

    @property
    def teacher(self) -> User | None:
        return self.slot.teacher


@dataclass
class TeacherDay:
    """The registers one teacher did not take on one date."""

    teacher: User | None
    date: datetime.date
    registers: list[MissingRegister]


def registers_not_taken(
    *,
    user: User,
    start: datetime.date,
    end: datetime.date,
    today: datetime.date,
    teacher: User | None = None,
) -> list[MissingRegister]:
    """Timetable periods from `start` to `end` that nobody marked (issue 3).

    Args:
        user: admin, principal or hod see the whole school; anyone else only the slots
            they teach.
        start, end: school-local range; days from `today` on are left out (a register of
            today may still be taken).
        today: the school's today.
        teacher: only this teacher's slots (for a school-wide reader's filter).

    Returns:
        One MissingRegister per slot-day: the slot met that day (weekday and validity), the
        day is no holiday, the class had a member that day, and no record exists for the
        slot's class + subject + period + date. Ordered by teacher name, date, period.

    Queries (slot-days are enumerated in Python): slots with class, subject, teacher ·
    holidays · the marked (class, subject, period, date) keys · the classes' membership
    spans.
    """
    last = min(end, today - datetime.timedelta(days=1))
    if start > last:
        return []
    slots = (
        school_slots(user=user)
        .filter(school_class__is_active=True, valid_from__lte=last)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
    )
    if not user.has_role(*NOT_TAKEN_SCHOOL_WIDE):
        slots = slots.filter(teacher=user)
    elif teacher is not None:
        slots = slots.filter(teacher=teacher)
    slots = list(slots)
    if not slots:
        return []
    class_ids = {slot.school_class_id for slot in slots}
    closed = _holiday_dates(school_id=user.school_id, start=start, end=last)
    marked = set(
        AttendanceRecord.objects.filter(
            school_id=user.school_id,
            school_class_id__in=class_ids,
            date__gte=start,
            date__lte=last,
        )
        .values_list("school_class_id", "subject_id", "period_number", "date")
        .distinct()
    )
    spans: dict[int, list] = defaultdict(list)
    for class_id, joined, left in (
        Membership.objects.filter(school_class_id__in=class_ids, joined_on__lte=last)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=start))
        .values_list("school_class_id", "joined_on", "left_on")
    ):
        spans[class_id].append((joined, left))

    by_weekday: dict[int, list[TimetableSlot]] = defaultdict(list)
    for slot in slots:
        by_weekday[slot.weekday].append(slot)
    missing = []
    day = start
    while day <= last:
        if day not in closed:
            for slot in by_weekday.get(day.weekday(), ()):
                if (
                    slot.meets_on(day)
                    and _in_any(day, spans.get(slot.school_class_id, ()))
                    and (slot.school_class_id, slot.subject_id, slot.period_number, day)
                    not in marked
                ):
                    missing.append(MissingRegister(slot=slot, date=day))
        day += datetime.timedelta(days=1)
    missing.sort(
        key=lambda m: (
            m.slot.teacher is None,
            (m.slot.teacher.last_name, m.slot.teacher.first_name, m.slot.teacher_id)
            if m.slot.teacher
            else ("", "", 0),
            m.date,
            m.slot.period_number,
            m.slot.school_class.name,
        )
    )
    return missing


def group_by_teacher_and_date(missing: list[MissingRegister]) -> list[TeacherDay]:
    """Consecutive MissingRegisters (as `registers_not_taken` orders them) grouped per
    teacher and date."""
    groups: list[TeacherDay] = []
    for item in missing:
        if groups and groups[-1].teacher == item.teacher and groups[-1].date == item.date:
            groups[-1].registers.append(item)
        else:
            groups.append(TeacherDay(teacher=item.teacher, date=item.date, registers=[item]))
    return groups


def not_taken_teachers(*, user: User) -> QuerySet[User]:
    """The school's users who have a timetable slot (the not-taken report's filter)."""
    return User.objects.filter(
        school_id=user.school_id,
        pk__in=TimetableSlot.objects.filter(school_id=user.school_id).values("teacher_id"),
    ).order_by("last_name", "first_name", "pk")
