"""The demo and the benchmark build around today; on days that break naive date code (a
Saturday, 31 December, 1 August, 29 February, the day after a term ends) what they build
must still agree with what the application checks against the clock: the teacher can mark
the period the demo leaves open, and the benchmark's "mark one period" is inside the edit
window. The domain apps' date-sensitive paths are in tests/test_clock.py.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine

from academics.models import Membership, Role, School, TimetableSlot, User
from attendance.models import Status
from attendance.services.marking import mark_attendance
from devtools.benchmarks.attendance_calendar import benchmark_calendar
from devtools.benchmarks.attendance_school import build_benchmark_school, delete_benchmark_school
from devtools.benchmarks.attendance_timings import run_benchmarks
from devtools.demo import load_demo, marking_day

DAYS = [
    pytest.param(datetime.date(2027, 1, 2), id="a-saturday"),
    pytest.param(datetime.date(2026, 12, 31), id="31-december"),
    pytest.param(datetime.date(2027, 8, 1), id="1-august"),
    pytest.param(datetime.date(2028, 2, 29), id="29-february"),
    pytest.param(datetime.date(2026, 12, 24), id="the-day-after-a-term-ends"),  # Term 1 ends 23 Dec
]


def _ten_am(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(10), datetime.UTC)


@pytest.mark.django_db
@pytest.mark.parametrize("day", DAYS)
def test_the_demo_teacher_can_mark_the_period_the_demo_leaves_open(time_machine, day):
    time_machine.move_to(_ten_am(day), tick=False)
    result = load_demo(roster=None, school_days=5)

    school = School.objects.get(pk=result.school.pk)
    open_day = marking_day(school.today())
    assert open_day <= day and open_day.weekday() < 5
    teacher = User.objects.get(
        username=next(login.username for login in result.logins if login.role == Role.TEACHER)
    )
    slot = next(
        slot
        for slot in TimetableSlot.objects.filter(teacher=teacher).order_by("period_number")
        if slot.meets_on(open_day)
    )
    students = Membership.objects.active_on(open_day).filter(school_class=slot.school_class)
    statuses = {m.student_id: Status.PRESENT for m in students}
    assert statuses

    marked = mark_attendance(slot=slot, day=open_day, statuses=statuses, actor=teacher)

    assert marked.saved == len(statuses)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("day", DAYS)
def test_the_benchmark_builds_and_its_timed_operations_agree(day):
    with time_machine.travel(_ten_am(day), tick=False):
        bench = build_benchmark_school(students=24, today=day)
        try:
            assert bench.marking_day <= day
            timings = run_benchmarks(bench, repeat=1)
        finally:
            delete_benchmark_school(bench.school)
    assert [t.operation for t in timings] == [
        "class attendance list",
        "monthly register grid",
        "school-wide percentages",
        "mark one period",
    ]
    assert not any(t.skipped for t in timings)


@pytest.mark.parametrize(
    ("day", "first_day"),
    [
        (datetime.date(2027, 8, 1), datetime.date(2026, 9, 8)),  # the summer gap: the last year
        (datetime.date(2027, 9, 7), datetime.date(2026, 9, 8)),  # the new year's first day
        (datetime.date(2027, 9, 8), datetime.date(2027, 9, 7)),  # its second day
        (datetime.date(2027, 1, 2), datetime.date(2026, 9, 8)),  # the winter break
    ],
)
def test_the_benchmark_year_has_a_school_day_before_today(day, first_day):
    calendar = benchmark_calendar(day)

    assert calendar.first_day == first_day
    assert any(d < day for d in calendar.school_days())
