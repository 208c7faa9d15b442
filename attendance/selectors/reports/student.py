"""A student's report for a day, week, month or term."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from academics.models import (
    Membership,
    Role,
    SchoolClass,
    StudentProfile,
    Subject,
    TimetableSlot,
    User,
)
from academics.selectors.guardians import children_of

from ...access import can_read_school_wide
from ...models import COUNTABLE_STATUSES, AttendanceRecord, Status
from ..percentages import attendance_percentage, visible_memberships, with_attendance_totals
from .counting import (
    UNRESOLVED_SA_LABEL,
    Overall,
    StatusSummary,
    TrendWeek,
    in_any,
    summaries_by_class,
    total_of,
    weekly_trend,
)
from .spans import PeriodKind, ReportPeriod


def visible_students(*, user: User) -> QuerySet[StudentProfile]:
    """The students whose report `user` may open, in the user's school.

    admin, principal, hod, accountant: every student of the school; teacher: members of the
    classes they teach or advise (`visible_memberships`); student: only themselves;
    guardian: their children (docs/manual/guardians.md). Anyone else is a 404 through
    this queryset.
    """
    students = StudentProfile.objects.filter(school_id=user.school_id)
    if can_read_school_wide(user):
        return students
    if user.role == Role.STUDENT:
        return students.filter(user=user)
    if user.role == Role.GUARDIAN:
        return children_of(user=user)
    return students.filter(pk__in=visible_memberships(user=user).values("student_id"))


@dataclass(frozen=True)
class StudentClassRow:
    """One class in a student's report: the period's figures and the whole course's."""

    school_class: SchoolClass
    summary: StatusSummary
    overall_present: int
    overall_denominator: int
    overall_override: int | None
    overall_countable: int = 0

    @property
    def overall_percentage(self) -> Decimal | None:
        """The whole-course figure by the rule: planned when an override applies."""
        return attendance_percentage(self.overall_present, self.overall_denominator)

    @property
    def planned_applies(self) -> bool:
        override = self.overall_override
        return override is not None and self.overall_denominator == override

    @property
    def overall_to_date(self) -> Decimal | None:
        """Present ÷ countable records of the whole course, whatever the planned total
        (docs/design/total-sessions.md, "Planned and to-date figures")."""
        return attendance_percentage(self.overall_present, self.overall_countable)


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
        Membership.objects.overlapping(period.start, period.end)
        .filter(school_id=student.school_id, student=student, school_class__in=classes)
        .select_related("school_class")
    ).order_by("school_class__name", "joined_on", "pk")
    school_classes: dict[int, SchoolClass] = {}
    windows: dict[int, list[tuple[datetime.date, datetime.date | None]]] = defaultdict(list)
    overall: dict[int, Overall] = defaultdict(Overall)
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
            overall_countable=overall[class_id].countable,
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
        total=total_of(by_class.values()),
        day_lines=day_lines,
        trend=weekly_trend(records=student_records, last_day=min(period.end, today)),
    )


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
            in_window=in_any(day, windows.get(r.school_class_id, ())),
        )
        for r in records.select_related("school_class", "subject")
    ]
    marked = {(line.school_class.pk, line.subject.pk, line.period_number) for line in lines}
    member_of = [class_id for class_id, spans in windows.items() if in_any(day, spans)]
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


# An absence on a guardian's page: absent, uninformed and informed leave (docs/manual/guardians.md).
ABSENCE_STATUSES = (Status.ABSENT, Status.UNINFORMED_LEAVE, Status.INFORMED_LEAVE)


def recent_student_absences(
    *, student: StudentProfile, classes: QuerySet[SchoolClass], limit: int = 10
) -> list[AttendanceRecord]:
    """The student's latest absence records (A, UL, IL; orphaned ones left out) in
    `classes` (`visible_classes` of the reader), newest first, at most `limit`, with class
    and subject. One query."""
    return list(
        AttendanceRecord.objects.filter(
            school_id=student.school_id,
            student=student,
            school_class__in=classes,
            status__in=ABSENCE_STATUSES,
            is_orphaned=False,
        )
        .select_related("school_class", "subject")
        .order_by("-date", "-period_number")[:limit]
    )


def overall_percentages(
    *, students: QuerySet[StudentProfile], classes: QuerySet[SchoolClass]
) -> dict[int, Decimal | None]:
    """Each student's whole-course percentage over all their classes in `classes`: the
    report's per-class figures (`with_attendance_totals`, the override as denominator)
    summed, present ÷ denominator (`attendance_percentage`); None with nothing to count.

    Returns: student pk → percentage, for every student with a membership. One query,
    whatever the number of students."""
    memberships = with_attendance_totals(
        Membership.objects.filter(student__in=students, school_class__in=classes)
    )
    by_class: dict[tuple[int, int], Overall] = defaultdict(Overall)
    for m in memberships:
        by_class[(m.student_id, m.school_class_id)].add(m)
    totals: dict[int, list[int]] = {}
    for (student_id, _), overall in by_class.items():
        present, denominator = totals.setdefault(student_id, [0, 0])
        totals[student_id] = [present + overall.present, denominator + overall.denominator]
    return {pk: attendance_percentage(p, d) for pk, (p, d) in totals.items()}
