"""`manage.py load_demo`: a school, a working login for every role, a few weeks of roll.

The clock is set (`clock`, a Wednesday in term time): the demo builds around today."""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from academics.models import Holiday, Membership, Role, School, TimetableSlot, User
from attendance.models import AttendanceRecord, StaffAbsence, Status
from attendance.services.staff_absence import substitute_clashes
from devtools.demo import (
    DEMO_PASSWORD,
    ROLE_ORDER,
    generate_attendance,
    generate_demo_school,
    marking_day,
    periods_on,
    school_days_before,
    shift_years_for,
)
from tests.academics.factories import MembershipFactory, TimetableSlotFactory
from tests.devtools.conftest import DEMO_TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

CLEVER = Path(settings.BASE_DIR).parent / "shared" / "data" / "clever-district"
WEDNESDAY = DEMO_TODAY


def signs_in(client, username: str, password: str) -> bool:
    """Whether the sign-in form accepts these credentials (it redirects when it does).
    Through the form, not `client.login`: django-axes's backend needs the request. Signed
    out first: the login page sends a signed-in visitor on, whatever they post."""
    client.logout()
    response = client.post(reverse("login"), {"login": username, "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def load_demo(*args: str) -> str:
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def printed_logins(output: str) -> dict[str, list[str]]:
    """role -> [username, password, name, note] from the table `load_demo` prints."""
    lines = output.splitlines()
    header = next(
        i for i, line in enumerate(lines) if line.split()[:3] == ["role", "username", "password"]
    )
    logins = {}
    for line in lines[header + 1 :]:
        cells = re.split(r"\s{2,}", line.strip())
        if cells[0] not in Role.values:
            break
        logins[cells[0]] = cells[1:]
    return logins


def test_without_the_roster_the_demo_generates_a_school_where_every_role_can_sign_in(
    client, settings, tmp_path
):
    settings.ROLLBOOK_DEMO_ROSTER = tmp_path / "no-roster-here"
    output = load_demo()

    assert "generating a demo school" in output
    logins = printed_logins(output)
    assert list(logins) == list(ROLE_ORDER)
    for role, (username, password, *_) in logins.items():
        user = User.objects.get(username=username)
        assert user.role == role and user.school.name == "Rollbook Demo School"
        assert signs_in(client, username, password), role
        client.logout()
    assert User.objects.get(username=logins[Role.ADMIN][0]).is_staff

    today = School.objects.get(name="Rollbook Demo School").today()
    marked_days = set(
        AttendanceRecord.objects.exclude(status=Status.STAFF_ABSENT).values_list("date", flat=True)
    )
    window = set(school_days_before(marking_day(today), 15))
    assert window <= marked_days
    # billing.demo also marks the last school days of the month it bills, before the window.
    assert all(day in window or day < min(window) for day in marked_days)
    assert marking_day(today) not in marked_days  # left for the teacher to mark
    # ...except the demo's staff absence that day, for the demo teacher to resolve.
    absence = StaffAbsence.objects.get()
    assert absence.date == marking_day(today)
    assert absence.substitute.username == logins[Role.TEACHER][0]
    # ...in periods the demo teacher is free: no clash, none accepted on purpose.
    assert not absence.substitute_clash_accepted
    assert not substitute_clashes(
        substitute=absence.substitute,
        day=absence.date,
        period_numbers=absence.periods,
        covering_for=absence.teacher,
    )
    assert AttendanceRecord.objects.filter(
        date=marking_day(today), status=Status.STAFF_ABSENT
    ).exists()
    assert Holiday.objects.get().start_date > today
    assert AttendanceRecord.objects.filter(status=Status.PRESENT).exists()
    assert AttendanceRecord.objects.exclude(status=Status.PRESENT).exists()
    generated = AttendanceRecord.objects.exclude(status=Status.STAFF_ABSENT).count()
    # The attendance demo's figure, plus what billing's demo marked in the month it bills.
    billing_marked = re.search(r"([\d,]+) attendance records marked in", output)
    extra = int(billing_marked[1].replace(",", "")) if billing_marked else 0
    assert f"{generated - extra:,} records generated" in output
    assert "Periods to resolve" in output and "demo closure" in output


def test_a_second_run_changes_nothing_and_prints_the_same_logins(settings, tmp_path):
    settings.ROLLBOOK_DEMO_ROSTER = tmp_path / "no-roster-here"
    first = load_demo()
    counts = (User.objects.count(), AttendanceRecord.objects.count(), School.objects.count())

    second = load_demo()

    assert "already loaded" in second
    assert (
        User.objects.count(),
        AttendanceRecord.objects.count(),
        School.objects.count(),
    ) == counts
    assert printed_logins(second) == printed_logins(first)


def test_the_demo_teacher_teaches_the_demo_student_and_has_a_full_day(settings, tmp_path):
    settings.ROLLBOOK_DEMO_ROSTER = tmp_path / "no-roster-here"
    logins = printed_logins(load_demo())
    teacher = User.objects.get(username=logins[Role.TEACHER][0])
    student = User.objects.get(username=logins[Role.STUDENT][0])

    assert teacher.role == Role.TEACHER
    school_day = marking_day(teacher.school.today())
    assert periods_on(teacher, school_day) > 0
    taught = TimetableSlot.objects.filter(teacher=teacher).values("school_class")
    assert Membership.objects.filter(student__user=student, school_class__in=taught).exists()
    note = logins[Role.TEACHER][3]
    assert f"has {periods_on(teacher, school_day)} periods" in note and "unmarked" in note


def test_the_generated_school_has_a_clash_free_weekday_timetable():
    school = generate_demo_school(today=WEDNESDAY)

    year = school.academic_years.get(is_current=True)
    assert year.start_date <= WEDNESDAY <= year.end_date
    assert school.students.count() == 30
    assert Membership.objects.filter(school=school).count() == 30
    slots = TimetableSlot.objects.filter(school=school)
    assert {s.weekday for s in slots} == {0, 1, 2, 3, 4}
    teacher_periods = [(s.teacher_id, s.weekday, s.period_number) for s in slots]
    assert len(teacher_periods) == len(set(teacher_periods))  # nobody in two rooms at once


def test_attendance_is_generated_for_members_from_their_join_date_and_never_for_today():
    school = generate_demo_school(today=WEDNESDAY)
    slot = TimetableSlot.objects.filter(school=school, weekday=WEDNESDAY.weekday()).first()
    newcomer = MembershipFactory(school_class=slot.school_class, joined_on=WEDNESDAY)

    friday = WEDNESDAY + datetime.timedelta(days=2)
    summary = generate_attendance(schools=[school], school_days=10, today=friday)

    days = school_days_before(friday, 10)
    assert (summary.first_day, summary.last_day) == (days[0], days[-1])
    assert not AttendanceRecord.objects.filter(date__gte=friday).exists()
    newcomer_days = set(
        AttendanceRecord.objects.filter(student=newcomer.student).values_list("date", flat=True)
    )
    assert newcomer_days == {WEDNESDAY, WEDNESDAY + datetime.timedelta(days=1)}
    assert summary.records == AttendanceRecord.objects.count()


def test_a_student_booked_into_two_classes_in_one_period_is_marked_once():
    school = generate_demo_school(today=WEDNESDAY)
    slot = TimetableSlot.objects.filter(school=school).order_by("pk").first()
    other_class_slot = TimetableSlotFactory(
        school_class__school=school,
        weekday=slot.weekday,
        period_number=slot.period_number,
        valid_from=slot.valid_from,
    )
    student = slot.school_class.memberships.first().student
    MembershipFactory(
        student=student, school_class=other_class_slot.school_class, joined_on=slot.valid_from
    )

    summary = generate_attendance(schools=[school], school_days=5, today=WEDNESDAY)

    assert summary.double_booked_skipped == 1
    day = next(d for d in school_days_before(WEDNESDAY, 5) if d.weekday() == slot.weekday)
    assert (
        AttendanceRecord.objects.filter(
            student=student, date=day, period_number=slot.period_number
        ).count()
        == 1
    )


def test_the_same_seed_gives_the_same_roll():
    school = generate_demo_school(today=WEDNESDAY)

    def roll():
        return list(
            AttendanceRecord.objects.order_by("student", "date", "period_number").values_list(
                "student", "date", "period_number", "status"
            )
        )

    generate_attendance(schools=[school], school_days=3, seed=7, today=WEDNESDAY)
    first = roll()
    AttendanceRecord.objects.all().delete()
    generate_attendance(schools=[school], school_days=3, seed=7, today=WEDNESDAY)
    assert roll() == first


@pytest.mark.parametrize(
    ("today", "shift"),
    [
        (datetime.date(2026, 11, 21), 11),  # autumn: the year that began in August 2026
        (datetime.date(2027, 3, 1), 11),  # spring: still the 2026-27 school year
        (datetime.date(2027, 8, 20), 12),
        # A Sunday: the marking day, Friday 30 July, is in the 2026-27 year (then stretched).
        (datetime.date(2027, 8, 1), 11),
    ],
)
def test_the_clever_dates_move_to_the_school_year_containing_today(today, shift):
    assert CLEVER.is_dir(), f"The shared data is missing: {CLEVER}"
    assert shift_years_for(CLEVER, today) == shift


def test_the_clever_district_demo_gives_a_real_teacher_with_periods_and_their_student(
    client, settings
):
    assert CLEVER.is_dir(), f"The shared data is missing: {CLEVER}"
    settings.ROLLBOOK_DEMO_ROSTER = CLEVER
    output = load_demo("--days", "2")  # two days keep this test quick; the demo marks 15

    assert "Dates moved +" in output
    logins = printed_logins(output)
    assert list(logins) == list(ROLE_ORDER)
    teacher = User.objects.get(username=logins[Role.TEACHER][0])
    assert teacher.school.name == "City High School"
    assert teacher.staff_profile.source_id  # a teacher of the roster, not a made-up one
    today = teacher.school.today()
    school_day = marking_day(today)
    if any(s.meets_on(school_day) for s in TimetableSlot.objects.filter(school=teacher.school)):
        assert periods_on(teacher, school_day) > 0  # (in term time: July has no periods)
    assert f"has {periods_on(teacher, school_day)} periods" in logins[Role.TEACHER][3]
    student = User.objects.get(username=logins[Role.STUDENT][0])
    taught = TimetableSlot.objects.filter(teacher=teacher).values("school_class")
    assert Membership.objects.filter(student__user=student, school_class__in=taught).exists()
    for username, password, *_ in logins.values():
        assert signs_in(client, username, password)
    assert DEMO_PASSWORD in output

    marked_schools = set(AttendanceRecord.objects.values_list("school__name", flat=True))
    assert marked_schools == set(School.objects.values_list("name", flat=True))
    assert not (
        AttendanceRecord.objects.filter(date__gte=marking_day(today))
        .exclude(status=Status.STAFF_ABSENT)
        .exists()
    )
