"""`manage.py bench_attendance`: a small Benchmark School, built once for the module.

Not a timed test: it checks that the builder writes a record for every period of every
member's school days, and — the real value — that for every timed operation the
application and the single SQL statement give the same numbers on data that exercises the
join-date window, orphaned records, closures and overrides.

The school is built for TODAY and the clock is set to it for the whole module: saving a
period checks the edit window against today, so both must agree on any day the suite runs.
"""

import datetime
import io
import re

import pytest
import time_machine
from django.core.management import call_command

from academics.models import Membership, School, TimetableSlot
from attendance.models import AttendanceRecord, Status, TotalSessionsOverride
from devtools.benchmarks import attendance_timings
from devtools.benchmarks.attendance_calendar import benchmark_calendar
from devtools.benchmarks.attendance_plan import BENCHMARK_SCHOOL_NAME, PERIODS_PER_DAY, TRIAL_DAYS
from devtools.benchmarks.attendance_school import build_benchmark_school, delete_benchmark_school
from devtools.benchmarks.attendance_timings import BenchmarkMismatch, run_benchmarks

# Two homerooms of 12: enough places for a late joiner, a mover and a move-and-back.
STUDENTS = 24
TODAY = datetime.date(2026, 11, 21)
# Mid-morning of TODAY (the school's time zone is UTC), standing still.
NOW = datetime.datetime(2026, 11, 21, 10, 0, tzinfo=datetime.UTC)
OPERATIONS = (
    "class attendance list",
    "monthly register grid",
    "school-wide percentages",
    "mark one period",
)


@pytest.fixture(scope="module")
def bench(django_db_setup, django_db_blocker):
    """Built once (committed: ~35,000 records take seconds) and deleted after the module;
    the clock stands at NOW meanwhile (perf_counter, which the timings use, still runs)."""
    with time_machine.travel(NOW, tick=False), django_db_blocker.unblock():
        built = build_benchmark_school(students=STUDENTS, today=TODAY)
        yield built
        delete_benchmark_school(built.school)
        assert not School.objects.filter(name=BENCHMARK_SCHOOL_NAME).exists()


def expected_record_count(bench) -> int:
    """A record per member per timetable period of each school day they were marked on:
    every day of a membership, the trial days before a late join date, the timed class's
    removed period until 1 November, less the one period left unmarked."""
    calendar = benchmark_calendar(TODAY)
    days = calendar.school_days()
    slots = list(TimetableSlot.objects.filter(school=bench.school))
    removed_on = datetime.date(2026, 11, 1)

    def periods(school_class_id: int, day: datetime.date) -> int:
        met = sum(1 for s in slots if s.school_class_id == school_class_id and s.meets_on(day))
        if school_class_id == bench.school_class.pk and day.weekday() == 4 and day < removed_on:
            met += 1  # the removed Friday last period, still marked then
        return met

    expected = 0
    for m in Membership.objects.filter(school=bench.school):
        first = m.joined_on
        if (
            m.joined_on > calendar.first_day
            and m.left_on is None
            and not (
                Membership.objects.filter(student=m.student, joined_on__lt=m.joined_on).exists()
            )
        ):
            first = days[days.index(m.joined_on) - TRIAL_DAYS]
        expected += sum(
            periods(m.school_class_id, d)
            for d in days
            if first <= d and (m.left_on is None or d <= m.left_on)
        )
    unmarked = Membership.objects.filter(
        school_class=bench.school_class, joined_on__lte=bench.marking_day
    ).exclude(left_on__lt=bench.marking_day)
    return expected - unmarked.count()


@pytest.mark.django_db
def test_the_builder_writes_a_year_of_records_for_every_period_of_every_member(bench):
    school = bench.school
    days = benchmark_calendar(TODAY).school_days()

    assert 170 <= len(days) <= 190
    assert bench.counts["students"] == STUDENTS
    assert bench.counts["classes"] == 2
    assert bench.counts["timetable slots"] == 2 * 5 * PERIODS_PER_DAY - 1  # one removed
    # Each student once, the mover twice, the one who moves and comes back three times.
    assert bench.counts["memberships"] == STUDENTS + 1 + 2
    assert (
        bench.counts["attendance records"] == AttendanceRecord.objects.filter(school=school).count()
    )
    assert bench.counts["attendance records"] == expected_record_count(bench)
    closure_days = benchmark_calendar(TODAY).closure_days
    assert (
        set(
            AttendanceRecord.objects.filter(school=school, status=Status.HOLIDAY)
            .values_list("date", flat=True)
            .distinct()
        )
        == closure_days
    )
    assert (
        not AttendanceRecord.objects.filter(school=school, slot=bench.marking_slot)
        .filter(date=bench.marking_day)
        .exists()
    )
    assert bench.marking_day == datetime.date(2026, 11, 20)


@pytest.mark.django_db
def test_the_data_exercises_the_rules_the_checks_compare(bench):
    """Without these the agreement below would prove little."""
    in_month = AttendanceRecord.objects.filter(
        school_class=bench.school_class,
        date__gte=bench.register_month,
        date__lt=datetime.date(2026, 11, 1),
    )
    assert in_month.filter(is_orphaned=True).exists()
    late = Membership.objects.get(
        school_class=bench.school_class,
        joined_on__gt=bench.register_month,
        joined_on__lt=datetime.date(2026, 11, 1),
    )
    assert in_month.filter(student=late.student, date__lt=late.joined_on).exists()
    assert TotalSessionsOverride.objects.filter(
        school_class=bench.school_class, subject__isnull=True
    ).exists()
    assert Membership.objects.filter(
        school_class=bench.school_class, left_on__isnull=False
    ).exists()


@pytest.mark.django_db
def test_the_application_and_the_sql_give_the_same_numbers_for_every_operation(bench):
    timings = run_benchmarks(bench, repeat=1)

    assert [t.operation for t in timings] == list(OPERATIONS)
    assert all(not t.skipped and t.app_ms > 0 and t.sql_ms > 0 for t in timings)
    sizes = {t.operation: t.size for t in timings}
    class_memberships = Membership.objects.filter(school_class=bench.school_class).count()
    assert sizes["class attendance list"] == f"{class_memberships} rows"
    assert sizes["school-wide percentages"] == f"{bench.counts['memberships']} memberships"
    assert sizes["mark one period"] == f"{len(attendance_timings._marking_statuses(bench))} records"
    # Marking was rolled back after each run.
    assert not AttendanceRecord.objects.filter(
        slot=bench.marking_slot, date=bench.marking_day
    ).exists()


@pytest.mark.django_db
def test_sql_that_disagrees_with_the_application_stops_the_benchmark(bench, monkeypatch):
    # Count absences as present on the SQL side only.
    monkeypatch.setattr(attendance_timings, "_PRESENT_PARAMS", [Status.ABSENT])

    with pytest.raises(BenchmarkMismatch, match="class attendance list: .* disagree"):
        run_benchmarks(bench, repeat=1)


@pytest.mark.django_db
def test_the_command_prints_each_operation_with_both_times_and_their_ratio(bench):
    out = io.StringIO()
    call_command("bench_attendance", reuse=True, repeat=1, stdout=out)
    output = out.getvalue()

    assert "both sides gave the same numbers" in output
    for operation in OPERATIONS:
        line = next(line for line in output.splitlines() if line.startswith(operation))
        app_ms, sql_ms, ratio = line.split()[-3:]
        assert float(app_ms) > 0 and float(sql_ms) > 0
        assert re.fullmatch(r"\d+\.\d×", ratio)
    # --reuse keeps the school for the next run.
    assert School.objects.filter(pk=bench.school.pk).exists()
