"""Filling a closure's periods with H (docs/design/attendance.md): `fill_holiday`, its
command and the admin action.
"""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from academics.models import Holiday, Role
from attendance.models import AttendanceRecord, Status
from attendance.services import (
    fill_holiday,
)
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory

from .support import (
    MONDAY,
    NEXT_MONDAY,
    statuses_in,
    student_in,
)

pytestmark = pytest.mark.django_db


# --- fill_holiday --------------------------------------------------------------------------


@pytest.fixture
def closure(period):
    """A two-week closure from MONDAY: the Monday slot meets twice in it."""
    slot, *_ = period
    return Holiday.objects.create(
        school=slot.school,
        name="Flooding",
        start_date=MONDAY,
        end_date=MONDAY + datetime.timedelta(days=13),
    )


def test_fill_holiday_gives_every_roster_member_h_in_every_period_of_the_closure(period, closure):
    slot, adams, young = period
    late = student_in(slot.school_class, "Late", joined_on=NEXT_MONDAY)
    TimetableSlotFactory(school_class=slot.school_class, weekday=2)  # Wednesdays: meets too
    not_meeting = TimetableSlotFactory(
        school_class=slot.school_class, weekday=5, valid_from=MONDAY + datetime.timedelta(days=30)
    )
    other_school = TimetableSlotFactory()
    MembershipFactory(school_class=other_school.school_class)

    counts = fill_holiday(holiday=closure)

    everyone = {adams.student_id: Status.HOLIDAY, young.student_id: Status.HOLIDAY}
    assert statuses_in(slot, MONDAY) == everyone  # Late had not joined yet
    assert statuses_in(slot, NEXT_MONDAY) == {**everyone, late.student_id: Status.HOLIDAY}
    # Two Mondays and two Wednesdays: 2 + 3 + 2 + 3 students.
    assert (counts.periods, counts.created, counts.corrected) == (4, 10, 0)
    assert not AttendanceRecord.objects.filter(slot=not_meeting).exists()
    assert not AttendanceRecord.objects.filter(school=other_school.school).exists()
    record = AttendanceRecord.objects.get(student=adams.student, date=MONDAY)
    assert (record.slot, record.subject, record.marked_by) == (slot, slot.subject, None)


def test_fill_holiday_corrects_saved_records_with_the_closure_as_reason(period, closure):
    slot, adams, young = period
    admin = UserFactory(school=slot.school, role=Role.ADMIN)
    # Marked before the closure was entered in the calendar.
    for membership, status in ((adams, Status.PRESENT), (young, Status.ABSENT)):
        AttendanceRecordFactory(
            membership=membership,
            subject=slot.subject,
            period_number=slot.period_number,
            slot=slot,
            date=MONDAY,
            status=status,
            marked_by=slot.teacher,
        )

    counts = fill_holiday(holiday=closure, actor=admin)

    assert (counts.created, counts.corrected) == (2, 2)  # next Monday new; this one fixed
    record = AttendanceRecord.objects.get(student=young.student, date=MONDAY)
    assert (record.status, record.modified_by, record.modification_reason) == (
        Status.HOLIDAY,
        admin,
        "Closure: Flooding",
    )
    assert [h.status for h in record.history.order_by("history_date", "history_id")] == [
        Status.ABSENT,
        Status.HOLIDAY,
    ]
    assert record.marked_by == slot.teacher


def test_fill_holiday_leaves_orphaned_records_alone(period, closure):
    slot, adams, young = period
    frozen = AttendanceRecordFactory(
        membership=adams,
        subject=slot.subject,
        period_number=slot.period_number,
        date=MONDAY,
        status=Status.PRESENT,
        is_orphaned=True,
    )

    counts = fill_holiday(holiday=closure)

    frozen.refresh_from_db()
    assert (frozen.status, frozen.modified_by, frozen.modification_reason) == (
        Status.PRESENT,
        None,
        "",
    )
    assert counts.orphaned_left == 1
    assert statuses_in(slot, MONDAY) == {
        adams.student_id: Status.PRESENT,
        young.student_id: Status.HOLIDAY,
    }


def test_fill_holiday_twice_changes_nothing_the_second_time(period, closure):
    slot, adams, young = period
    first = fill_holiday(holiday=closure)
    history = AttendanceRecord.history.count()

    second = fill_holiday(holiday=closure)

    assert first.created == 4
    assert (second.created, second.corrected, second.unchanged) == (0, 0, 4)
    assert AttendanceRecord.objects.count() == 4
    assert AttendanceRecord.history.count() == history


def test_fill_holiday_takes_the_same_number_of_queries_for_any_size(
    django_assert_num_queries, today
):
    for size in (2, 20):
        school_class = SchoolClassFactory()
        TimetableSlotFactory(school_class=school_class)
        TimetableSlotFactory(school_class=school_class, weekday=1)
        for n in range(size):
            student_in(school_class, f"Student{n}")
        holiday = Holiday.objects.create(
            school=school_class.school,
            name="Week off",
            start_date=MONDAY,
            end_date=MONDAY + datetime.timedelta(days=6),
        )
        # SAVEPOINT · slots FOR UPDATE · memberships · existing records FOR UPDATE ·
        # INSERT records · INSERT history · RELEASE SAVEPOINT
        with django_assert_num_queries(7):
            counts = fill_holiday(holiday=holiday)
        assert counts.created == 2 * size


def test_the_command_fills_the_closure_on_a_date_of_a_school_named_by_code(period, closure, capsys):
    slot, *_ = period
    slot.school.code = "HILL"
    slot.school.save()

    call_command("fill_holiday", "--school", "HILL", "--date", "2026-09-10")
    call_command("fill_holiday", "--school", str(slot.school.pk), "--holiday", str(closure.pk))

    out = capsys.readouterr().out
    assert "Flooding" in out
    assert "2 periods: 4 created, 0 corrected to H" in out
    assert "2 periods: 0 created, 0 corrected to H, 4 already H" in out
    assert AttendanceRecord.objects.filter(status=Status.HOLIDAY).count() == 4


@pytest.mark.parametrize(
    "args",
    [
        ["--school", "NOPE", "--date", "2026-09-07"],
        ["--school", "{school}", "--date", "2026-10-07"],
        ["--school", "{school}", "--holiday", "{other_holiday}"],
    ],
)
def test_the_command_refuses_what_it_cannot_find(period, closure, args):
    slot, *_ = period
    other = Holiday.objects.create(
        school=SchoolFactory(), name="Theirs", start_date=MONDAY, end_date=MONDAY
    )
    values = {"school": slot.school.pk, "other_holiday": other.pk}

    with pytest.raises(CommandError):
        call_command("fill_holiday", *[arg.format(**values) for arg in args])

    assert not AttendanceRecord.objects.exists()


def test_the_admin_action_fills_the_selected_closures(client, period, closure):
    slot, adams, young = period
    admin = UserFactory(school=slot.school, role=Role.ADMIN)
    client.force_login(admin)
    url = reverse("admin:academics_holiday_changelist")

    listing = client.get(url).content.decode()
    response = client.post(url, {"action": "fill_h", "_selected_action": [closure.pk]}, follow=True)

    assert "Fill H for the selected closures" in listing
    assert "2 periods: 4 created" in response.content.decode()
    assert set(AttendanceRecord.objects.values_list("status", "marked_by")) == {
        (Status.HOLIDAY, admin.pk)
    }


def test_a_principal_is_not_offered_the_admin_action(client, period, closure):
    slot, *_ = period
    principal = UserFactory(school=slot.school, role=Role.PRINCIPAL, is_staff=True)
    client.force_login(principal)
    url = reverse("admin:academics_holiday_changelist")

    listing = client.get(url).content.decode()
    client.post(url, {"action": "fill_h", "_selected_action": [closure.pk]})

    assert "Fill H for the selected closures" not in listing
    assert not AttendanceRecord.objects.exists()
