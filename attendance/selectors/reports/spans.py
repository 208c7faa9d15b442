"""The date range a report covers: a day, a week, a month or a term."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db import models

from academics.models import AcademicYear, School, Term


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
