"""The attendance benchmark behind `manage.py bench_attendance` (docs/design/attendance.md).

`build_benchmark_school` creates a "Benchmark School" of its own (no other school's data is
touched): one school year of about 180 school days, ~70 homeroom classes of ~29 students,
eight periods a day, and a record for every student in every period they sat — 2,000
students give about 2.9 million records. Some students join late (and were marked on a
few trial days before their join date, which must not count — docs/design/attendance.md,
EC-ATT-01), move to another class, or move there and back (a second membership of the
same class must not count the first one's records); some have a total-sessions override
(docs/design/total-sessions.md); the timed class had a period removed from its timetable
(orphaned records, EC-ATT-02); two closure days are recorded as H. One period of the timed
class is left unmarked on the latest school day before the build, to time saving it (by
its teacher, or by the school's admin once that day is past the edit window).

`attendance_timings.run_benchmarks` times four things the application does against one
SQL statement that computes the same numbers, and checks that the two agree
(`BenchmarkMismatch` if not):

1. the attendance list of one class (`attendance_list_page`);
2. that class's register for one month (`attendance.selectors.reports.class_register`);
3. the attendance totals of every membership in the school (`with_attendance_totals`);
4. saving one period's roll (`mark_attendance`), rolled back after each run.

The school year built is the one containing the build's today, or the one that has just
ended when today is in the summer gap (`attendance_calendar.benchmark_calendar`).

The SQL is standard (CASE inside COUNT/SUM, integer arithmetic for the rounding, window
functions) so it runs on SQLite and PostgreSQL alike. Records are loaded with COPY on
PostgreSQL and with bulk_create elsewhere.

The building is spread over `attendance_calendar` (the school year), `attendance_roster`
(people, classes, timetable, memberships) and `attendance_records` (the records and
overrides); `attendance_plan` holds what they share.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from academics.models import (
    AcademicYear,
    Enrollment,
    Holiday,
    Membership,
    Role,
    School,
    SchoolClass,
    StudentProfile,
    TimetableSlot,
    User,
)
from attendance.models import (
    AttendanceRecord,
    TotalSessionsOverride,
)
from attendance.selectors.marking import can_change_records

from .attendance_calendar import benchmark_calendar
from .attendance_plan import (
    BENCHMARK_SOURCE_ID,
    DEFAULT_STUDENTS,
    OVERRIDES_TABLE,
    RECORDS_TABLE,
    SEED,
    TIMED_CLASS_CODE,
    BenchmarkSchool,
)
from .attendance_records import (
    analyze,
    bulk_create_records,
    copy_records,
    create_overrides,
    record_groups,
)
from .attendance_roster import create_roster


def find_benchmark_school() -> School | None:
    """The Benchmark School of this database, if one was kept."""
    return School.objects.filter(source_id=BENCHMARK_SOURCE_ID).first()


def build_benchmark_school(
    *,
    students: int = DEFAULT_STUDENTS,
    today: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> BenchmarkSchool:
    """Create the Benchmark School with a full year of attendance, in one transaction.

    Args:
        students: how many (in homerooms of ~29; 2,000 give ~2.9 million records).
        today: school-local date whose school year is built (default: today): the year
            containing it, or the one that has ended when it is in the summer gap
            (`benchmark_calendar`); the period left unmarked is on the latest school day
            before it.
        progress: called with a line of text now and then.

    Returns:
        BenchmarkSchool with `counts` of what was written and `build_seconds`.

    Raises:
        ValueError if `students` is below 2 or a Benchmark School already exists.
    """
    if students < 2:
        raise ValueError("The benchmark needs at least 2 students.")
    if find_benchmark_school() is not None:
        raise ValueError("A Benchmark School already exists in this database.")
    say = progress or (lambda line: None)
    started = time.perf_counter()
    today = today or timezone.localdate()
    calendar = benchmark_calendar(today)
    days = calendar.school_days()
    rng = random.Random(SEED)
    with transaction.atomic():
        school, periods, members, unmarked = create_roster(
            students=students, calendar=calendar, days=days, today=today, rng=rng, say=say
        )
        say(f"Writing the attendance records of {len(days)} school days …")
        groups = record_groups(
            calendar=calendar,
            days=days,
            periods=periods,
            members=members,
            unmarked=unmarked,
            rng=rng,
        )
        if connection.vendor == "postgresql":
            written = copy_records(school=school, groups=groups, say=say)
        else:
            written = bulk_create_records(school=school, groups=groups, say=say)
        create_overrides(school=school, members=members, rng=rng)
    analyze(say)
    bench = load_benchmark_school(school)
    bench.counts["attendance records"] = written
    bench.build_seconds = time.perf_counter() - started
    return bench


def load_benchmark_school(school: School) -> BenchmarkSchool:
    """What the timings need from a built or kept Benchmark School, read back from the
    database: the timed class and its advisor, the period left unmarked, the month shown.

    The period is saved by its teacher when the edit window still lets them (the school's
    today, now), otherwise by the school's admin, who may change records of any day: in a
    winter break or the summer gap the latest school day is older than the window, and a
    kept school ages (docs/design/attendance.md, "edit window").

    Raises ValueError if the timed class has no unmarked period (not built here)."""
    school_class = SchoolClass.objects.select_related("school", "advisor").get(
        school=school, code=TIMED_CLASS_CODE
    )
    slots = list(
        TimetableSlot.objects.filter(school_class=school_class).select_related(
            "school_class", "subject", "teacher"
        )
    )
    holidays = list(Holiday.objects.filter(school=school).values_list("start_date", "end_date"))
    marked = set(
        AttendanceRecord.objects.filter(school_class=school_class, slot__isnull=False)
        .values_list("slot_id", "date")
        .distinct()
    )
    gaps = []
    for slot in slots:
        day = slot.valid_from
        while day <= slot.valid_to:
            if (
                slot.meets_on(day)
                and (slot.pk, day) not in marked
                and not any(start <= day <= end for start, end in holidays)
            ):
                gaps.append((day, slot.period_number, slot))
            day += datetime.timedelta(days=1)
    if not gaps:
        raise ValueError(f"{school} has no unmarked period to time a save with.")
    marking_day, _, marking_slot = min(gaps, key=lambda gap: gap[:2])
    marking_actor = marking_slot.teacher
    if not can_change_records(
        user=marking_actor, slot=marking_slot, day=marking_day, today=school.today()
    ):
        marking_actor = User.objects.filter(school=school, role=Role.ADMIN).earliest("pk")
    year = AcademicYear.objects.get(school=school, is_current=True)
    counts = {
        "students": StudentProfile.objects.filter(school=school).count(),
        "classes": SchoolClass.objects.filter(school=school).count(),
        "timetable slots": TimetableSlot.objects.filter(school=school).count(),
        "memberships": Membership.objects.filter(school=school).count(),
        "total-sessions overrides": TotalSessionsOverride.objects.filter(school=school).count(),
    }
    return BenchmarkSchool(
        school=school,
        school_class=school_class,
        class_teacher=school_class.advisor,
        marking_slot=marking_slot,
        marking_day=marking_day,
        marking_actor=marking_actor,
        # October: the first whole month, with the late joiner's trial days in it.
        register_month=datetime.date(year.start_date.year, 10, 1),
        counts=counts,
    )


def count_records(school: School) -> int:
    """How many attendance records `school` has (for reporting a reused school)."""
    return AttendanceRecord.objects.filter(school=school).count()


def delete_benchmark_school(school: School) -> None:
    """Delete the Benchmark School and everything in it.

    Records, overrides (and any history of them) and slots go first, each in one DELETE by
    school_id: millions of rows through Django's delete collector would take minutes,
    deleting overrides through it would write a history row each, and each slot's delete
    signal would look for records to orphan (there are none left by then). Then what
    PROTECT holds (enrolments hold years and grades, classes grades); the rest cascades
    from the School row."""
    tables = (
        RECORDS_TABLE,
        AttendanceRecord.history.model._meta.db_table,
        OVERRIDES_TABLE,
        TotalSessionsOverride.history.model._meta.db_table,
        TimetableSlot._meta.db_table,
    )
    with transaction.atomic():
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"DELETE FROM {table} WHERE school_id = %s", [school.pk])
        for model in (Enrollment, SchoolClass):
            model.objects.filter(school=school).delete()
        school.delete()
