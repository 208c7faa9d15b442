"""The period a bill covers: calendar months and the optional start and end of a preview
or a generation (docs/design/billing.md)."""

from __future__ import annotations

import calendar
import datetime

from academics.models import SchoolClass
from attendance.models import AttendanceRecord


class BillingPeriodError(ValueError):
    """A billing period that cannot be used (reversed, or empty of days)."""


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    """The first and last day of a calendar month."""
    return datetime.date(year, month, 1), datetime.date(
        year, month, calendar.monthrange(year, month)[1]
    )


def last_ended_month(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The most recent calendar month that has ended by `today` (school-local): the
    month an accountant bills by default."""
    first_of_this_month = today.replace(day=1)
    previous = first_of_this_month - datetime.timedelta(days=1)
    return month_bounds(previous.year, previous.month)


def billing_period(
    *,
    school_class: SchoolClass,
    start: datetime.date | None,
    end: datetime.date | None,
    today: datetime.date,
) -> tuple[datetime.date, datetime.date]:
    """The period a preview or generation covers, from the optional `startDate`/`endDate`.

    Both are optional (docs/design/billing.md). Without a start: the first day of the group's
    term, else of its academic year, else of its first record (else `end`). Without an end:
    `today` (school-local). Raises BillingPeriodError when the start falls after the end.
    """
    if end is None:
        end = today
    if start is None:
        start = _group_start(school_class) or end
        start = min(start, end)
    if start > end:
        raise BillingPeriodError(
            f"The period starts on {start.isoformat()}, after it ends on {end.isoformat()}."
        )
    return start, end


def _group_start(school_class: SchoolClass) -> datetime.date | None:
    if school_class.term_id:
        return school_class.term.start_date
    if school_class.academic_year_id:
        return school_class.academic_year.start_date
    first = (
        AttendanceRecord.objects.filter(school_class=school_class)
        .order_by("date")
        .values_list("date", flat=True)
        .first()
    )
    return first
