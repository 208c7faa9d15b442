"""Dates for the demo: school years, the school days before today, the day left unmarked,
and how many years to move a roster folder's dates by.

The demo builds the school year that has begun by its marking day (`marking_day`: the
latest weekday up to today). When that day is in the summer gap, before the new year's
first day, it is the year which has ended; the demo then stretches its end to today
(`generate_demo_school`, `loader.stretch_roster_years`), so the days it marks, the day it
leaves open and today are all inside it."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path


def school_year_start(day: datetime.date, *, first_day: tuple[int, int] = (8, 1)) -> int:
    """The calendar year in which the latest school year begun by `day` began.

    Args:
        day: a school-local date.
        first_day: (month, day of the month) on which every school year begins; 1 August
            unless given.

    Returns `day`'s calendar year from that year's first day on, else the year before (so
    a day of the summer gap belongs to the year that has ended).
    """
    return day.year if (day.month, day.day) >= first_day else day.year - 1


def school_days_before(today: datetime.date, count: int) -> list[datetime.date]:
    """The `count` weekdays (Monday–Friday) before `today`, oldest first; today excluded."""
    days: list[datetime.date] = []
    day = today
    while len(days) < count:
        day -= datetime.timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days[::-1]


def marking_day(today: datetime.date) -> datetime.date:
    """The school day the demo leaves unmarked for the teacher: `today` on a weekday,
    otherwise the Friday before (a future day could not be marked)."""
    day = today
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


def _parse_roster_date(text: str) -> datetime.date | None:
    for fmt in ("%Y-%m-%d", "%m/%d/%y", "%m/%d/%Y"):
        try:
            return datetime.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _read_csv(path: Path) -> list[dict[str, str]]:
    # newline="" lets the csv module take the old-Mac CR line endings of the Clever files.
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def roster_first_day(roster: Path) -> datetime.date | None:
    """The first day of the earliest term in the roster folder: the day its first school
    year begins.

    Reads Clever's `sections.csv` (Term_start) or OneRoster's `academicSessions.csv`
    (startDate); None when neither has a date.
    """
    starts: list[datetime.date] = []
    if (roster / "sections.csv").exists():
        starts = [
            _parse_roster_date(r.get("Term_start") or "")
            for r in _read_csv(roster / "sections.csv")
        ]
    elif (roster / "academicSessions.csv").exists():
        starts = [
            _parse_roster_date(r.get("startDate") or "")
            for r in _read_csv(roster / "academicSessions.csv")
        ]
    dated = [d for d in starts if d is not None]
    return min(dated) if dated else None


def roster_school_ids(roster: Path) -> list[str]:
    """The SIS ids of the schools in the roster folder (Clever or OneRoster)."""
    if (roster / "schools.csv").exists():
        return [r["School_id"] for r in _read_csv(roster / "schools.csv") if r.get("School_id")]
    if (roster / "orgs.csv").exists():
        return [
            r["sourcedId"]
            for r in _read_csv(roster / "orgs.csv")
            if r.get("sourcedId") and (r.get("type") or "").strip().lower() == "school"
        ]
    return []


def shift_years_for(roster: Path, today: datetime.date) -> int:
    """Years to add to the roster's dates so that its first school year is the latest one
    begun by the demo's marking day (`marking_day(today)`; `today` is school-local).

    The roster's first day (`roster_first_day`) moves to its last anniversary on or before
    the marking day. Returns 0 for a roster without dates. When the moved year has ended
    before today (the summer gap), `loader.stretch_roster_years` stretches it to today.
    """
    first = roster_first_day(roster)
    if first is None:
        return 0
    return school_year_start(marking_day(today), first_day=(first.month, first.day)) - first.year
