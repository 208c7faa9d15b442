"""Reads behind the make-up credit reports (docs/design/credits.md, "Reporting" and "Credit
Analytics").

Every figure is aggregated in the database, a fixed number of queries however many
tutors, students or lessons there are (`tutor_report`: four; `students_with_several_tutors`:
one). Periods are school-local dates, both ends included.

Definitions (the school office reads them under the table too):

- credits issued: the increases of manual sets in the period (a set from 1 to 3 issues 2;
  a set down to 0 issues nothing);
- lessons booked / completed / cancelled: make-up lessons booked in the period, and those
  completed or cancelled in it;
- available, booked, used, liability: the balances now, whatever the period; liability is
  what the tutor still owes (available + booked);
- booking rate: lessons booked ÷ credits issued, in the period (above 100 % when credits
  issued earlier were booked in it); usage rate: completed ÷ booked, in the period;
- average days from issue to use: over lessons completed in the period, from when the
  credit they consumed was set to when the lesson was marked completed.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import Coalesce

from academics.models import School, StudentProfile, User

from .access import TUTOR_ROLES
from .models import CreditChange, MakeupCredit, MakeupLesson

ONE_PLACE = Decimal("0.1")
SECONDS_A_DAY = 86400


def period_bounds(
    *, school: School, start: datetime.date, end: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """The aware datetimes [from, until) covering school-local `start`..`end` (both days
    included) in the school's time zone."""
    zone = zoneinfo.ZoneInfo(school.timezone)
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    until = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, zone)
    return since, until


def percent(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` as a percentage to one decimal place; None when `whole` is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(ONE_PLACE, ROUND_HALF_UP)


def days_of(duration: datetime.timedelta | None) -> Decimal | None:
    if duration is None:
        return None
    return (Decimal(duration.total_seconds()) / SECONDS_A_DAY).quantize(ONE_PLACE, ROUND_HALF_UP)


@dataclass
class TutorFigures:
    """One tutor's line of the report (see the module docstring for each figure)."""

    tutor: User
    issued: int = 0
    lessons_booked: int = 0
    lessons_completed: int = 0
    lessons_cancelled: int = 0
    available: int = 0
    booked: int = 0
    used: int = 0
    students_owed: int = 0  # students holding unused (available or booked) credits now
    timed_lessons: int = 0  # completed lessons whose credit's set time is known
    average_to_use: datetime.timedelta | None = None

    @property
    def has_left(self) -> bool:
        """The tutor's account is deactivated (docs/design/credits.md: "a tutor who leaves")."""
        return not self.tutor.is_active

    @property
    def has_figures(self) -> bool:
        """Anything to show: credits issued or lessons in the period, or a balance now."""
        return any(
            (
                self.issued,
                self.lessons_booked,
                self.lessons_completed,
                self.lessons_cancelled,
                self.available,
                self.booked,
                self.used,
            )
        )

    @property
    def liability(self) -> int:
        """Credits still owed: available + booked now."""
        return self.available + self.booked

    @property
    def booking_rate(self) -> Decimal | None:
        return percent(self.lessons_booked, self.issued)

    @property
    def usage_rate(self) -> Decimal | None:
        return percent(self.lessons_completed, self.lessons_booked)

    @property
    def average_days_to_use(self) -> Decimal | None:
        return days_of(self.average_to_use)


@dataclass
class CreditReport:
    """The report of a period: one TutorFigures a tutor, by name, and their totals."""

    start: datetime.date
    end: datetime.date
    tutors: list[TutorFigures]
    totals: TutorFigures = field(init=False)

    def __post_init__(self) -> None:
        totals = TutorFigures(tutor=User(first_name="All", last_name="tutors", is_active=True))
        for names in (
            "issued",
            "lessons_booked",
            "lessons_completed",
            "lessons_cancelled",
            "available",
            "booked",
            "used",
            "students_owed",
            "timed_lessons",
        ):
            setattr(totals, names, sum(getattr(row, names) for row in self.tutors))
        timed = [row for row in self.tutors if row.average_to_use is not None]
        if totals.timed_lessons:
            # Weighted by each tutor's lessons: the average over every lesson.
            weighted = sum(
                (row.average_to_use * row.timed_lessons for row in timed), datetime.timedelta()
            )
            totals.average_to_use = weighted / totals.timed_lessons
        self.totals = totals

    @property
    def departed(self) -> list[TutorFigures]:
        """Tutors who have left and still owe credits (what an admin may clear)."""
        return [row for row in self.tutors if row.has_left and row.liability]

    @property
    def with_figures(self) -> list[TutorFigures]:
        """The tutors with anything to show (a school has many tutors who never gave a
        credit); the totals are the same."""
        return [row for row in self.tutors if row.has_figures]


def report_tutors(*, school: School, tutor_ids: Collection[int] | None = None):
    """The tutors a report lists: the school's active teachers and heads of department,
    and anyone (a tutor who left, a former tutor given another role) who holds or held a
    credit there; only `tutor_ids` when given. By name."""
    tutors = User.objects.filter(school=school).filter(
        Q(role__in=TUTOR_ROLES, is_active=True)
        | Q(pk__in=MakeupCredit.objects.filter(school=school).values("tutor_id"))
    )
    if tutor_ids is not None:
        tutors = tutors.filter(pk__in=list(tutor_ids))
    return tutors.order_by("last_name", "first_name", "username", "pk")


def tutor_report(
    *,
    school: School,
    start: datetime.date,
    end: datetime.date,
    tutor_ids: Collection[int] | None = None,
) -> CreditReport:
    """Make-up credit figures per tutor of `school` for the school-local dates
    `start`..`end` (both included): credits issued, lessons booked / completed /
    cancelled, balances and liability now, booking and usage rates, average days from
    issue to use (module docstring; docs/design/credits.md, "Reporting").

    Args:
        school: the school reported on.
        start, end: school-local dates, `start` <= `end`.
        tutor_ids: only these tutors (a teacher's own figures); None: every tutor.

    Returns a CreditReport (its `totals` sum the listed tutors). Four queries, however
    many tutors: the tutors, the sets, the lessons and the balances, each grouped by tutor.
    """
    since, until = period_bounds(school=school, start=start, end=end)
    rows = {
        tutor.pk: TutorFigures(tutor=tutor)
        for tutor in report_tutors(school=school, tutor_ids=tutor_ids)
    }
    if not rows:
        return CreditReport(start=start, end=end, tutors=[])
    ids = list(rows)

    issued = (
        CreditChange.objects.filter(
            school=school,
            tutor_id__in=ids,
            kind=CreditChange.Kind.SET,
            changed_at__gte=since,
            changed_at__lt=until,
            new_available__gt=F("previous_available"),
        )
        .order_by()
        .values("tutor_id")
        .annotate(issued=Sum(F("new_available") - F("previous_available")))
    )
    for line in issued:
        rows[line["tutor_id"]].issued = line["issued"]

    booked_in = Q(booked_at__gte=since, booked_at__lt=until)
    finished_in = Q(finished_at__gte=since, finished_at__lt=until)
    completed = finished_in & Q(status=MakeupLesson.Status.COMPLETED)
    timed = completed & Q(credit_set_at__isnull=False)
    lessons = (
        MakeupLesson.objects.filter(school=school, tutor_id__in=ids)
        .filter(booked_in | finished_in)
        .order_by()
        .values("tutor_id")
        .annotate(
            booked=Count("pk", filter=booked_in),
            completed=Count("pk", filter=completed),
            cancelled=Count("pk", filter=finished_in & Q(status=MakeupLesson.Status.CANCELLED)),
            timed=Count("pk", filter=timed),
            to_use=Avg(F("finished_at") - F("credit_set_at"), filter=timed),
        )
    )
    for line in lessons:
        row = rows[line["tutor_id"]]
        row.lessons_booked = line["booked"]
        row.lessons_completed = line["completed"]
        row.lessons_cancelled = line["cancelled"]
        row.timed_lessons = line["timed"]
        row.average_to_use = line["to_use"]

    balances = (
        MakeupCredit.objects.filter(school=school, tutor_id__in=ids)
        .order_by()
        .values("tutor_id")
        # Not named like the fields they sum: the filter below must read the fields.
        .annotate(
            sum_available=Coalesce(Sum("available"), 0),
            sum_booked=Coalesce(Sum("booked"), 0),
            sum_used=Coalesce(Sum("used"), 0),
            owed=Count("pk", filter=Q(available__gt=0) | Q(booked__gt=0)),
        )
    )
    for line in balances:
        row = rows[line["tutor_id"]]
        row.available, row.booked = line["sum_available"], line["sum_booked"]
        row.used, row.students_owed = line["sum_used"], line["owed"]

    return CreditReport(start=start, end=end, tutors=list(rows.values()))


@dataclass(frozen=True)
class Holding:
    tutor: User
    available: int
    booked: int

    @property
    def unused(self) -> int:
        return self.available + self.booked


@dataclass
class SeveralTutors:
    """A student holding unused credits with more than one tutor, and with whom."""

    student: StudentProfile
    holdings: list[Holding]

    @property
    def unused(self) -> int:
        return sum(h.unused for h in self.holdings)


def students_with_several_tutors(
    *, school: School, tutor: User | None = None
) -> list[SeveralTutors]:
    """Students of `school` holding unused credits (available or booked) with two or more
    tutors (docs/design/credits.md, "Students with credits across multiple tutors"), each with the
    breakdown by tutor; by student name, then tutor name. With `tutor`, only students who
    hold unused credits with that tutor (a tutor's own view). One query.
    """
    holding = MakeupCredit.objects.filter(school=school).filter(
        Q(available__gt=0) | Q(booked__gt=0)
    )
    several = (
        holding.order_by()
        .values("student_id")
        .annotate(tutors=Count("tutor_id", distinct=True))
        .filter(tutors__gt=1)
        .values("student_id")
    )
    credits = holding.filter(student_id__in=several)
    if tutor is not None:
        credits = credits.filter(
            student_id__in=holding.filter(tutor=tutor).order_by().values("student_id")
        )
    credits = credits.select_related("student__user", "tutor").order_by(
        "student__user__last_name",
        "student__user__first_name",
        "student_id",
        "tutor__last_name",
        "tutor__first_name",
        "tutor_id",
    )
    found: dict[int, SeveralTutors] = {}
    for credit in credits:
        entry = found.setdefault(
            credit.student_id, SeveralTutors(student=credit.student, holdings=[])
        )
        entry.holdings.append(
            Holding(tutor=credit.tutor, available=credit.available, booked=credit.booked)
        )
    return list(found.values())


@dataclass(frozen=True)
class Liability:
    """What a tutor still owes: `available` credits and `booked` lessons, to `students`."""

    available: int
    booked: int
    students: int

    @property
    def total(self) -> int:
        return self.available + self.booked


def tutor_liability(*, tutor: User) -> Liability:
    """A tutor's unused credits now (what `clear_departed_tutor_credits` would clear):
    available and booked credits and the students holding them. One query."""
    figures = MakeupCredit.objects.filter(tutor=tutor).aggregate(
        sum_available=Coalesce(Sum("available"), 0),
        sum_booked=Coalesce(Sum("booked"), 0),
        students=Count("pk", filter=Q(available__gt=0) | Q(booked__gt=0)),
    )
    return Liability(
        available=figures["sum_available"],
        booked=figures["sum_booked"],
        students=figures["students"],
    )


REPORT_HEADERS = (
    "Tutor",
    "Left the school",
    "Credits issued",
    "Lessons booked",
    "Lessons completed",
    "Lessons cancelled",
    "Available now",
    "Booked now",
    "Used now",
    "Liability (available + booked)",
    "Students owed credits",
    "Booking rate %",
    "Usage rate %",
    "Average days from issue to use",
)


def report_rows(rows: list[TutorFigures]) -> list[list]:
    """Per-tutor lines (`CreditReport.tutors` or `.with_figures`) as CSV rows under
    REPORT_HEADERS (numbers stay numbers; a rate with nothing to divide by is empty)."""
    return [
        [
            str(row.tutor),
            row.has_left,
            row.issued,
            row.lessons_booked,
            row.lessons_completed,
            row.lessons_cancelled,
            row.available,
            row.booked,
            row.used,
            row.liability,
            row.students_owed,
            row.booking_rate,
            row.usage_rate,
            row.average_days_to_use,
        ]
        for row in rows
    ]
