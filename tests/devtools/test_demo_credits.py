"""Make-up credits' part of `manage.py load_demo` (devtools.demo.credits): credits set
through the service, lessons booked, completed and cancelled, the automatic credit flow
for the demo student, a departed tutor; idempotent.

The clock is set (`clock`, Wednesday 18 November 2026 at noon UTC), so the demo does not
depend on when the tests run."""

import datetime
import io

import pytest
from django.core.management import call_command

from academics.models import Role, User
from credits.models import CreditChange, MakeupCredit, MakeupLesson
from credits.reports import students_with_several_tutors, tutor_report
from devtools.demo import DemoLogin, generate_demo_school, pick_demo_student, pick_demo_teacher
from devtools.demo.credits import (
    DEPARTED_USERNAME,
    STUDENTS_PER_TUTOR,
    add_credits_to_the_demo,
    load_credits_demo,
)
from tests.academics.factories import UserFactory
from tests.devtools.conftest import DEMO_NOW, DEMO_TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

TODAY = DEMO_TODAY
NOW = DEMO_NOW


@pytest.fixture
def demo(db):
    """The generated demo school with its admin, teacher and student logins."""
    school = generate_demo_school(today=TODAY)
    admin = UserFactory(school=school, role=Role.ADMIN, username="demo.admin")
    teacher = pick_demo_teacher(school)
    return school, admin, teacher, pick_demo_student(teacher).student_profile


def load(demo, **kwargs) -> list[str]:
    school, admin, teacher, student = demo
    arguments = {
        "school": school,
        "admin_username": admin.username,
        "teacher_username": teacher.username,
        "student_username": student.user.username,
        "now": NOW,
    }
    return load_credits_demo(**(arguments | kwargs))


def balance(student, tutor) -> tuple[int, int, int]:
    credit = MakeupCredit.objects.get(student=student, tutor=tutor)
    return credit.available, credit.booked, credit.used


def snapshot() -> tuple:
    return (
        tuple(MakeupCredit.objects.order_by("pk").values_list("available", "booked", "used")),
        MakeupLesson.objects.count(),
        CreditChange.objects.count(),
        User.objects.count(),
    )


def test_the_demo_gives_credits_books_lessons_and_reads_like_the_seed(
    demo, django_assert_max_num_queries
):
    school, admin, teacher, student = demo

    with django_assert_max_num_queries(800):  # a few seconds at most, whatever the machine
        lines = load(demo)

    assert lines[0].startswith("Make-up credits:")
    credits = MakeupCredit.objects.filter(school=school)
    assert credits.count() > 20
    assert credits.filter(tutor=teacher).count() <= STUDENTS_PER_TUTOR
    # The "Automatic Credit Flow" (docs/design/credits.md): 3 → book → attend → book.
    assert balance(student, teacher) == (1, 1, 1)
    assert f"  {student} has the seed's 1 available, 1 booked, 1 used with {teacher}." in lines
    # The demo teacher set their own; the admin the others'.
    sets = CreditChange.objects.filter(kind=CreditChange.Kind.SET)
    assert set(sets.filter(tutor=teacher).values_list("changed_by", flat=True)) == {teacher.pk}
    assert set(sets.exclude(tutor=teacher).values_list("changed_by", flat=True)) == {admin.pk}
    statuses = set(MakeupLesson.objects.values_list("status", flat=True))
    assert statuses == {"booked", "completed", "cancelled"}
    assert students_with_several_tutors(school=school)


def test_the_history_is_dated_over_the_last_weeks_and_reads_in_order(demo):
    load(demo)

    for lesson in MakeupLesson.objects.all():
        assert lesson.credit_set_at < lesson.booked_at <= NOW
        if lesson.finished_at is not None:
            assert lesson.booked_at < lesson.finished_at <= NOW
    for credit in MakeupCredit.objects.all():
        changes = list(credit.changes.order_by("changed_at", "pk"))
        assert changes[0].kind == CreditChange.Kind.SET
        assert changes[0].changed_at == credit.available_since
        for before, after in zip(changes, changes[1:], strict=False):
            assert after.previous_available == before.new_available
        last = changes[-1]
        assert (last.new_available, last.booked_after, last.used_after) == (
            credit.available,
            credit.booked,
            credit.used,
        )
    oldest = CreditChange.objects.order_by("changed_at").first().changed_at
    assert NOW - datetime.timedelta(days=81) < oldest < NOW - datetime.timedelta(days=30)


def test_the_reports_have_something_to_show(demo):
    school = demo[0]
    load(demo)

    report = tutor_report(school=school, start=TODAY - datetime.timedelta(days=89), end=TODAY)

    totals = report.totals
    assert totals.issued > 0 and totals.lessons_completed > 0 and totals.liability > 0
    assert totals.average_days_to_use is not None and totals.average_days_to_use > 1
    departed = [row for row in report.tutors if row.has_left]
    assert [row.tutor.username for row in departed] == [DEPARTED_USERNAME]
    assert departed[0].liability == 6  # 2 credits each for 3 students, one booked
    assert departed[0].booked == 1


def test_running_the_demo_again_adds_nothing(demo):
    load(demo)
    before = snapshot()

    lines = load(demo)

    assert snapshot() == before
    assert lines == ["Make-up credits: already in the demo, nothing added."]


def test_without_an_admin_tutors_set_their_own_and_nobody_leaves(demo):
    school = demo[0]
    User.objects.filter(role=Role.ADMIN).delete()

    load(demo, admin_username=None)

    sets = CreditChange.objects.filter(kind=CreditChange.Kind.SET)
    assert sets.exists()
    assert all(change.changed_by_id == change.tutor_id for change in sets)
    assert not User.objects.filter(username=DEPARTED_USERNAME).exists()
    assert MakeupCredit.objects.filter(school=school, tutor__is_active=False).count() == 0


def test_the_demo_adds_credits_for_its_logins_and_returns_lines_to_print(demo):
    school, admin, teacher, student = demo
    logins = [
        DemoLogin(role=Role.ADMIN, username=admin.username, name=str(admin)),
        DemoLogin(role=Role.TEACHER, username=teacher.username, name=str(teacher)),
        DemoLogin(role=Role.STUDENT, username=student.user.username, name=str(student)),
    ]

    lines = add_credits_to_the_demo(school=school, logins=logins)

    assert any(line.startswith("Make-up credits:") for line in lines)
    assert balance(student, teacher) == (1, 1, 1)


def test_load_demo_prints_the_credits_part(settings, tmp_path):
    settings.ROLLBOOK_DEMO_ROSTER = tmp_path / "no-roster-here"
    out = io.StringIO()

    call_command("load_demo", stdout=out)

    assert "Make-up credits:" in out.getvalue()
    assert MakeupCredit.objects.exists()
    assert User.objects.get(username=DEPARTED_USERNAME).is_active is False
