"""The benchmark school's calendar: a US-style school year with its breaks and closures."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

SCHOOL_WEEKDAYS = range(5)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> datetime.date:
    first = datetime.date(year, month, 1)
    return first + datetime.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> datetime.date:
    day = datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)
    return day - datetime.timedelta(days=(day.weekday() - weekday) % 7)


@dataclass(frozen=True)
class SchoolCalendar:
    """A US-style school year: lessons from the day after Labor Day to the third Friday
    of June, the usual breaks (no records) and two closure days (every record H)."""

    year_start: datetime.date
    year_end: datetime.date
    first_day: datetime.date
    last_day: datetime.date
    breaks: tuple[tuple[str, datetime.date, datetime.date], ...]
    closures: tuple[tuple[str, datetime.date], ...]

    def school_days(self) -> list[datetime.date]:
        """Weekdays from the first to the last day outside the breaks; closure days are
        included (the school meant to open)."""
        days = []
        day = self.first_day
        while day <= self.last_day:
            if day.weekday() in SCHOOL_WEEKDAYS and not any(
                start <= day <= end for _, start, end in self.breaks
            ):
                days.append(day)
            day += datetime.timedelta(days=1)
        return days

    @property
    def closure_days(self) -> set[datetime.date]:
        return {day for _, day in self.closures}


def benchmark_calendar(today: datetime.date) -> SchoolCalendar:
    """The calendar of the latest school year whose first school day is before `today`.

    Args:
        today: a school-local date.

    Returns the calendar of the school year containing `today`, or, in the summer gap (and
    on a year's first day), of the year that has just ended: so it always has a school day
    before `today` to leave unmarked.
    """
    calendar = _calendar(today.year)
    return calendar if calendar.first_day < today else _calendar(today.year - 1)


def _calendar(y: int) -> SchoolCalendar:
    """The calendar of the school year that begins in September of `y`."""
    monday, thursday, friday = 0, 3, 4
    one_day, four_days = datetime.timedelta(days=1), datetime.timedelta(days=4)
    thanksgiving = _nth_weekday(y, 11, thursday, 4)
    mlk_day = _nth_weekday(y + 1, 1, monday, 3)
    presidents_day = _nth_weekday(y + 1, 2, monday, 3)
    spring = _nth_weekday(y + 1, 4, monday, 1)
    memorial_day = _last_weekday(y + 1, 5, monday)
    return SchoolCalendar(
        year_start=datetime.date(y, 9, 1),
        year_end=datetime.date(y + 1, 6, 30),
        first_day=_nth_weekday(y, 9, monday, 1) + one_day,
        last_day=_nth_weekday(y + 1, 6, friday, 3),
        breaks=(
            ("Thanksgiving break", thanksgiving - one_day, thanksgiving + one_day),
            ("Winter break", datetime.date(y, 12, 21), datetime.date(y + 1, 1, 1)),
            ("Martin Luther King Jr. Day", mlk_day, mlk_day),
            ("Mid-winter break", presidents_day, presidents_day + four_days),
            ("Spring break", spring, spring + four_days),
            ("Memorial Day", memorial_day, memorial_day),
        ),
        closures=(
            ("Snow day", mlk_day + datetime.timedelta(days=8)),
            ("Power cut", _nth_weekday(y + 1, 3, thursday, 1)),
        ),
    )
