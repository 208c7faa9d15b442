"""`load_demo`: the whole demo in one transaction, loaded once."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from academics.models import (
    AcademicYear,
    Holiday,
    Membership,
    Role,
    School,
    Term,
    TimetableSlot,
    User,
)
from academics.services.roster_import import import_roster
from attendance.selectors.periods import teacher_periods_on
from attendance.services.staff_absence import mark_teacher_absent
from notifications.services import muted

from .attendance import AttendanceSummary, generate_attendance
from .billing import add_billing_to_the_demo
from .credits import add_credits_to_the_demo
from .dates import marking_day, roster_first_day, roster_school_ids, shift_years_for
from .logins import (
    CREATED_LOGINS,
    MARKER_USERNAME,
    DemoLogin,
    create_demo_logins,
    demo_logins,
    pick_demo_school,
    pick_demo_teacher,
)
from .school import DEFAULT_SCHOOL_DAYS, generate_demo_school


@dataclass
class DemoResult:
    school: School
    logins: list[DemoLogin]
    already_loaded: bool = False
    loaded: str = ""
    shift_years: int = 0
    attendance: AttendanceSummary | None = None
    notes: list[str] = field(default_factory=list)


def load_demo(
    *,
    roster: Path | None,
    school_days: int = DEFAULT_SCHOOL_DAYS,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Load the demo once; later calls change nothing and return the logins again.

    Args:
        roster: a Clever or OneRoster folder to import (dates moved to the school year begun
            by the marking day, stretched to today in the summer gap: `shift_years_for`,
            `stretch_roster_years`), or None to generate a school (`generate_demo_school`).
        school_days: weekdays before today to mark (`generate_attendance`).
        progress: called with a line of text as the import goes.

    Returns a DemoResult: the demo school, its logins, what was loaded and the attendance
    generated (`already_loaded` True and nothing loaded if the demo was there).
    Raises RosterImportError on a bad roster and ValueError if the school has no timetabled
    teacher with students; everything runs in one transaction, so nothing is written then.
    """
    marker = User.objects.filter(username=MARKER_USERNAME).select_related("school").first()
    if marker is not None and marker.school is not None:
        return DemoResult(
            school=marker.school, logins=demo_logins(school=marker.school), already_loaded=True
        )
    # The demo's marks and bills notify nobody (its commit included).
    with muted(), transaction.atomic():
        if roster is not None:
            result, schools = _load_roster(roster=roster, progress=progress)
        else:
            school = generate_demo_school(today=timezone.localdate())
            result = DemoResult(
                school=school,
                logins=[],
                loaded=(
                    f"Generated {school.name}: {school.students.count()} students in "
                    f"{school.classes.count()} classes, {school.subjects.count()} subjects, "
                    f"{school.timetable_slots.count()} weekly timetable periods."
                ),
            )
            schools = [school]
        result.attendance = generate_attendance(schools=schools, school_days=school_days)
        result.logins = create_demo_logins(school=result.school)
        result.notes += add_demo_calendar(school=result.school)
        # Billing's part, then make-up credits' (which books lessons of priced groups).
        result.notes += add_billing_to_the_demo(school=result.school, logins=result.logins)
        result.notes += add_credits_to_the_demo(school=result.school, logins=result.logins)
    return result


def add_demo_calendar(*, school: School) -> list[str]:
    """Give the demo school something for the calendar and staff-absence screens, through
    their services:
    a two-day closure next week, and a colleague of the demo teacher marked absent on the
    unmarked marking day with the demo teacher as substitute ("Periods to resolve").

    Returns lines saying what was added (none for a part that does not apply).
    """
    notes = []
    today = school.today()
    thursday = today + datetime.timedelta(days=(3 - today.weekday()) % 7 or 7)
    closure = Holiday.objects.create(
        school=school,
        name="Staff development days (demo closure)",
        start_date=thursday,
        end_date=thursday + datetime.timedelta(days=1),
    )
    notes.append(f"Calendar: {closure} — marking is refused on those days.")

    teacher = pick_demo_teacher(school)
    hod = User.objects.filter(username=CREATED_LOGINS[Role.HOD][0], school=school).first()
    day = marking_day(today)
    if teacher is None or hod is None:
        return notes
    # The first colleague teaching that day who has a period the demo teacher is free in:
    # a substitute who teaches their own class in a covered period is refused
    # (docs/design/attendance.md, "Substitutes").
    busy = {slot.period_number for slot in teacher_periods_on(teacher=teacher, day=day)}
    colleagues = (
        User.objects.filter(
            school=school,
            role=Role.TEACHER,
            timetable_slots__weekday=day.weekday(),
            timetable_slots__school_class__memberships__isnull=False,
        )
        .exclude(pk=teacher.pk)
        .distinct()
        .order_by("username")
    )
    absent, free = None, []
    for colleague in colleagues[:50]:
        free = sorted(
            {slot.period_number for slot in teacher_periods_on(teacher=colleague, day=day)} - busy
        )
        if free:
            absent = colleague
            break
    if absent is None:
        return notes
    result = mark_teacher_absent(
        teacher=absent,
        day=day,
        periods=free,
        substitute=teacher,
        reason="Demo: a sick day",
        actor=hod,
    )
    notes.append(
        f"Staff absence: {absent} marked absent on {day:%A %d %b} by {hod} "
        f"({result.created:,} records set to SA, period{'s' if len(free) > 1 else ''} "
        f"{', '.join(str(n) for n in free)}, when {teacher.username} is free); "
        f"{teacher.username} is the substitute, finds them under Periods to resolve and "
        "in My periods."
    )
    return notes


def _load_roster(
    *, roster: Path, progress: Callable[[str], None] | None
) -> tuple[DemoResult, list[School]]:
    today = timezone.localdate()
    shift = shift_years_for(roster, today)
    summary = import_roster(roster, shift_years=shift, progress=progress)
    schools = _roster_schools(roster)
    if not schools:
        raise ValueError(f"The roster at {roster} gave no school with a timetable.")
    result = DemoResult(school=pick_demo_school(schools), logins=[], loaded=summary.render())
    result.shift_years = shift
    if shift:
        first = roster_first_day(roster).year
        result.notes.append(
            f"Dates moved {shift:+d} years: the roster's {first}-{str(first + 1)[-2:]} school "
            f"year is now {first + shift}-{str(first + shift + 1)[-2:]}, the one containing "
            f"today ({today:%d %b %Y})."
        )
    result.notes += stretch_roster_years(schools=schools)
    return result, schools


def stretch_roster_years(*, schools: list[School]) -> list[str]:
    """In the summer gap, stretch each school's year that has ended to the school's today.

    For each school, the academic year begun by the demo's marking day
    (`marking_day(school.today())`, the school-local date) is the demo's year; if it ended
    before today, everything ending on its last day — the year, its terms, the timetable
    slots (`valid_to`) and the memberships (`left_on`) — ends today instead, and the year
    becomes current if no year of the school is. A year still running is left alone.

    Returns a line per stretched year saying so.
    """
    notes = []
    for school in schools:
        today = school.today()
        year = (
            AcademicYear.objects.filter(school=school, start_date__lte=marking_day(today))
            .order_by("-start_date")
            .first()
        )
        if year is None or year.end_date >= today:
            continue
        ended = year.end_date
        Term.objects.filter(academic_year=year, end_date=ended).update(end_date=today)
        TimetableSlot.objects.filter(school=school, valid_to=ended).update(valid_to=today)
        Membership.objects.filter(school=school, left_on=ended).update(left_on=today)
        year.end_date = today
        year.is_current = year.is_current or not (
            AcademicYear.objects.filter(school=school, is_current=True).exists()
        )
        year.save(update_fields=["end_date", "is_current", "updated_at"])
        notes.append(
            f"{school}: the {year} school year ended on {ended:%d %b %Y}; the demo stretched "
            f"it to today ({today:%d %b %Y}) so that its last weeks can be marked."
        )
    return notes


def _roster_schools(roster: Path) -> list[School]:
    ids = roster_school_ids(roster)
    return list(
        School.objects.filter(Q(source_id__in=ids) | Q(code__in=ids))
        .filter(timetable_slots__isnull=False)
        .distinct()
        .order_by("pk")
    )
