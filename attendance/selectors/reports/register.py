"""A class's period-by-date register for one month."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from academics.models import Membership, SchoolClass, StudentProfile, Subject, TimetableSlot

from ...models import COUNTABLE_STATUSES, PRESENT_STATUSES, AttendanceRecord, Status
from ..percentages import attendance_percentage, with_attendance_totals
from .counting import (
    ORPHANED_LABEL,
    UNRESOLVED_SA_LABEL,
    Overall,
    TrendWeek,
    holiday_dates,
    in_any,
    weekly_trend,
)
from .spans import month_bounds


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
    overall_countable: int = 0
    overall_override: int | None = None

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
    """The period-by-date register of one class for one month (docs/design/attendance.md).

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
        Membership.objects.overlapping(start, end)
        .filter(school_id=school_class.school_id, school_class=school_class)
        .select_related("student__user")
    ).order_by("student__user__last_name", "student__user__first_name", "student_id", "joined_on")
    students: dict[int, StudentProfile] = {}
    windows: dict[int, list] = defaultdict(list)
    overall: dict[int, Overall] = defaultdict(Overall)
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
            in_window=in_any(day, windows.get(student_id, ())),
        )

    slots = list(
        TimetableSlot.objects.filter(
            school_id=school_class.school_id, school_class=school_class, valid_from__lte=end
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .values_list("weekday", "period_number", "subject_id", "valid_from", "valid_to")
    )
    closed = holiday_dates(school_id=school_class.school_id, start=start, end=end)
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
            overall_countable=overall[student_id].countable,
            overall_override=overall[student_id].override,
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
