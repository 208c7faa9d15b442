"""Dates for the demo: school years, the school days before today, the day left unmarked,
and the school year a roster folder starts in (to move its dates to this one)."""

from __future__ import annotations

import csv
import datetime
from pathlib import Path


def school_year_start(day: datetime.date) -> int:
    """The calendar year in which the school year containing `day` began (years start in
    August)."""
    return day.year if day.month >= 8 else day.year - 1


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


def roster_first_school_year(roster: Path) -> int | None:
    """The school year (by starting calendar year) of the earliest term in the roster folder.

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
    return school_year_start(min(dated)) if dated else None


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
    """Years to add to the roster's dates so its first school year is the one of `today`."""
    first = roster_first_school_year(roster)
    return 0 if first is None else school_year_start(today) - first
