"""Counting a report's records: the status summary, the membership window, the weekly
trend (the rules: the package docstring)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from academics.models import Holiday, Membership, SchoolClass, StudentProfile

from ...models import COUNTABLE_STATUSES, PRESENT_STATUSES, AttendanceRecord, Status
from ..percentages import attendance_percentage
from .spans import week_start

# Every status code, in the order of docs/design/attendance.md: each report shows all nine.
STATUS_CODES: tuple[str, ...] = tuple(Status.values)
ORPHANED_LABEL = "Orphaned — Period Removed"
UNRESOLVED_SA_LABEL = "SA (unresolved)"
TREND_WEEKS = 12


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
        """IL: counted, not present, and reported on its own (docs/design/attendance.md)."""
        return self.counts[Status.INFORMED_LEAVE]

    @property
    def unresolved_staff_absent(self) -> int:
        """SA still on a record: excluded like NM until the advisor resolves it
        (docs/design/attendance.md)."""
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


def in_membership_window() -> Exists:
    """True for a record dated inside a membership of its student in its class
    (joined_on ≤ date ≤ left_on, open-ended while left_on is empty) — EC-ATT-01."""
    return Exists(
        Membership.objects.active_on(OuterRef("date")).filter(
            student=OuterRef("student"), school_class=OuterRef("school_class")
        )
    )


def summaries_by_class(records: QuerySet[AttendanceRecord]) -> dict[int, StatusSummary]:
    """SchoolClass pk → StatusSummary of `records` (already filtered by the caller).

    One aggregate query, grouped by class, status, orphaned flag and membership window.
    """
    grouped = (
        records.annotate(in_window=in_membership_window())
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


def total_of(summaries) -> StatusSummary:
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
        (docs/design/attendance.md, EC-ATT-01/02, "Attendance Percentage Calculation"). One query.
    """
    records = AttendanceRecord.objects.filter(
        school_id=student.school_id, student=student, date__gte=start, date__lte=end
    )
    if school_class is not None:
        records = records.filter(school_class=school_class)
    return total_of(summaries_by_class(records).values())


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
        .filter(in_membership_window())
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


def in_any(day: datetime.date, spans) -> bool:
    return any(joined <= day and (left is None or day <= left) for joined, left in spans)


def holiday_dates(*, school_id: int, start: datetime.date, end: datetime.date) -> set:
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


@dataclass
class Overall:
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
    def planned_applies(self) -> bool:
        """An override not below the records is the denominator (docs/design/attendance.md,
        "The percentage"); below them, the records are."""
        return self.override is not None and self.override >= self.countable

    @property
    def denominator(self) -> int:
        return self.override if self.planned_applies else self.countable
