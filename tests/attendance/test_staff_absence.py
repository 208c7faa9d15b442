"""The staff-absent (SA) lifecycle (seed 001): an hod marks a teacher absent, the advisor
or substitute resolves the periods, expiry turns what is left into NM."""

import datetime
import re
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from academics.models import Holiday, Role, TimetableSlot
from attendance.models import AttendanceRecord, StaffAbsence, Status, StudentLeave
from attendance.selectors import (
    approved_leave_student_ids,
    may_resolve_staff_absence,
    periods_to_resolve,
)
from attendance.services import (
    StaffAbsenceError,
    expire_staff_absent,
    mark_attendance,
    mark_teacher_absent,
)
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    StaffProfileFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def student_in(school_class, last_name, first_name="Sam", **membership):
    user = UserFactory(
        school=school_class.school, role=Role.STUDENT, last_name=last_name, first_name=first_name
    )
    membership.setdefault("joined_on", datetime.date(2026, 8, 17))
    return MembershipFactory(school_class=school_class, student=user.student_profile, **membership)


class Setting:
    """Hill School yesterday (school-local): Ms Rivera teaches Maths 9A in periods 2 and 4
    and Maths 9B in period 3; Mr Okafor advises 9A, Ms Baker 9B; Mr Chen can substitute."""

    def __init__(self):
        self.school = SchoolFactory(name="Hill School")
        self.today = self.school.today()
        self.day = self.today - DAY
        school = self.school
        self.hod = UserFactory(school=school, role=Role.HOD, first_name="Hana", last_name="Hod")
        self.admin = UserFactory(school=school, role=Role.ADMIN)
        self.teacher = UserFactory(
            school=school, role=Role.TEACHER, first_name="Ana", last_name="Rivera"
        )
        self.advisor = UserFactory(
            school=school, role=Role.TEACHER, first_name="Obi", last_name="Okafor"
        )
        self.other_advisor = UserFactory(
            school=school, role=Role.TEACHER, first_name="Bea", last_name="Baker"
        )
        self.substitute = UserFactory(
            school=school, role=Role.TEACHER, first_name="Chi", last_name="Chen"
        )
        self.maths_a = SchoolClassFactory(school=school, name="Maths 9A", advisor=self.advisor)
        self.maths_b = SchoolClassFactory(
            school=school, name="Maths 9B", advisor=self.other_advisor
        )
        slot = dict(
            teacher=self.teacher, weekday=self.day.weekday(), valid_from=self.day - 60 * DAY
        )
        self.p2 = TimetableSlotFactory(school_class=self.maths_a, period_number=2, **slot)
        self.p3 = TimetableSlotFactory(school_class=self.maths_b, period_number=3, **slot)
        self.p4 = TimetableSlotFactory(
            school_class=self.maths_a, subject=self.p2.subject, period_number=4, **slot
        )
        self.adams = student_in(self.maths_a, "Adams", "Ali")
        self.young = student_in(self.maths_a, "Young", "Yara")
        # Not on the roster that day: left the week before, joins the day after.
        student_in(self.maths_a, "Gone", joined_on=self.day - 30 * DAY, left_on=self.day - 7 * DAY)
        student_in(self.maths_a, "Later", joined_on=self.day + DAY)
        self.baker = student_in(self.maths_b, "Brown", "Ben")

    def absence_form(self, **overrides):
        data = {
            "teacher": self.teacher.pk,
            "date": self.day.isoformat(),
            "periods": [2, 3],
            "substitute": "",
            "reason": "Sick",
        }
        data.update(overrides)
        return data

    def sa_records(self, **filters):
        return AttendanceRecord.objects.filter(status=Status.STAFF_ABSENT, **filters)


@pytest.fixture
def setting():
    return Setting()


def mark_url(slot, day):
    return reverse("attendance:mark", kwargs={"slot_id": slot.pk, "day": day})


def text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def to_resolve_rows(html):
    """(period, class) of each period listed on "Periods to resolve", in order."""
    items = re.findall(r"<li>(.*?)</li>", html.split('class="periods sa-to-resolve"')[1], re.S)
    return [re.match(r".*?Period (\d) · (.+?) ·", text_of(item)).groups() for item in items]


# --- the lifecycle end to end --------------------------------------------------------------


def test_the_staff_absent_lifecycle_from_marking_absent_to_expiry(client, setting):
    s = setting
    client.force_login(s.hod)

    response = client.post(reverse("attendance:staff_absence"), s.absence_form())

    assert response.status_code == 302
    absence = StaffAbsence.objects.get()
    assert (absence.teacher, absence.date, absence.periods) == (s.teacher, s.day, [2, 3])
    assert absence.created_by == s.hod
    # The roster of periods 2 and 3 only: not period 4, not the students who left or
    # joined later.
    sa = s.sa_records(date=s.day)
    assert sorted((r.period_number, r.student.user.last_name) for r in sa) == [
        (2, "Adams"),
        (2, "Young"),
        (3, "Brown"),
    ]
    assert all(r.slot_id in (s.p2.pk, s.p3.pk) and r.marked_by == s.hod for r in sa)
    assert {r.history.get().history_user for r in sa} == {s.hod}
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "3 records set to Staff absent" in messages[0]

    # The hod's list shows the absence with nothing resolved yet.
    page = client.get(reverse("attendance:staff_absence")).content.decode()
    assert "resolved 0 of 3" in page

    # The advisor of 9A sees period 2 (their class) and nothing of 9B.
    client.force_login(s.advisor)
    page = client.get(reverse("attendance:to_resolve")).content.decode()
    assert to_resolve_rows(page) == [("2", "Maths 9A")]
    assert mark_url(s.p2, s.day) in page
    assert "2 to resolve" in page

    # …and resolves it on the marking screen: no reason needed to resolve SA.
    response = client.post(
        mark_url(s.p2, s.day),
        {f"status_{s.adams.student_id}": "P", f"status_{s.young.student_id}": "A"},
    )
    assert response.status_code == 302
    resolved = {r.student_id: r.status for r in AttendanceRecord.objects.filter(slot=s.p2)}
    assert resolved == {s.adams.student_id: Status.PRESENT, s.young.student_id: Status.ABSENT}
    page = client.get(reverse("attendance:to_resolve")).content.decode()
    assert to_resolve_rows(page) == []
    assert "Nothing to resolve" in page

    # The window closes: the day after the deadline, Brown's period 3 becomes NM.
    deadline = s.day + s.school.staff_absent_resolution_days * DAY
    out = StringIO()
    call_command("expire_staff_absent", f"--today={deadline + DAY}", stdout=out)
    assert "Hill School: turned 1 SA record" in out.getvalue()
    expired = AttendanceRecord.objects.get(slot=s.p3)
    assert expired.status == Status.NOT_MARKED
    assert expired.modification_reason == "Not resolved within 3 days"
    latest = expired.history.first()
    assert (latest.status, latest.history_user, latest.history_change_reason) == (
        Status.NOT_MARKED,
        None,
        "Not resolved within 3 days",
    )
    # The resolved records are not touched.
    assert AttendanceRecord.objects.get(slot=s.p2, student=s.adams.student).status == "P"

    again = StringIO()
    call_command("expire_staff_absent", f"--today={deadline + DAY}", stdout=again)
    assert "Hill School: turned 0 SA records" in again.getvalue()

    client.force_login(s.hod)
    page = client.get(reverse("attendance:staff_absence")).content.decode()
    assert "resolved 2 of 3" in page
    assert "1 not resolved in time (NM)" in page


def test_a_failure_while_writing_leaves_nothing_behind(client, setting, monkeypatch):
    from attendance.services import staff_absence as service

    real = service.create_records

    def write_then_fail(*args, **kwargs):
        real(*args, **kwargs)  # the absence and the SA records are in the database now…
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "create_records", write_then_fail)
    client.force_login(setting.hod)

    with pytest.raises(RuntimeError):
        client.post(reverse("attendance:staff_absence"), setting.absence_form())

    # …and the one transaction took them all back.
    assert not StaffAbsence.objects.exists()
    assert not AttendanceRecord.objects.exists()
    assert not AttendanceRecord.history.exists()


def test_the_whole_day_when_no_period_is_ticked(client, setting):
    client.force_login(setting.hod)

    client.post(reverse("attendance:staff_absence"), setting.absence_form(periods=[]))

    assert StaffAbsence.objects.get().periods == []
    assert sorted(setting.sa_records().values_list("period_number", flat=True)) == [2, 2, 3, 4, 4]


def test_records_already_saved_are_left_as_they_are_and_reported(client, setting):
    s = setting
    # Ms Rivera marked period 2 herself before going home ill.
    AttendanceRecordFactory(
        membership=s.adams, slot=s.p2, subject=s.p2.subject, date=s.day, period_number=2
    )
    client.force_login(s.hod)

    response = client.post(reverse("attendance:staff_absence"), s.absence_form(), follow=True)

    assert AttendanceRecord.objects.get(student=s.adams.student, period_number=2).status == "P"
    assert sorted(s.sa_records().values_list("student__user__last_name", flat=True)) == [
        "Brown",
        "Young",
    ]
    page = response.content.decode()
    assert "2 records set to Staff absent" in page
    assert "1 record already saved was left as it was: Ali Adams (P2: Present" in page


def test_a_second_absence_the_same_day_extends_the_first(setting):
    s = setting
    mark_teacher_absent(teacher=s.teacher, day=s.day, periods=[2], actor=s.hod)

    result = mark_teacher_absent(
        teacher=s.teacher, day=s.day, periods=[4], substitute=s.substitute, actor=s.hod
    )

    assert result.extended and result.created == 2
    absence = StaffAbsence.objects.get()
    assert (absence.periods, absence.substitute) == ([2, 4], s.substitute)
    assert sorted(s.sa_records().values_list("period_number", flat=True)) == [2, 2, 4, 4]
    with pytest.raises(StaffAbsenceError, match="already marked absent .* for periods 2, 4"):
        mark_teacher_absent(teacher=s.teacher, day=s.day, periods=[2, 4], actor=s.hod)
    assert s.sa_records().count() == 4


def beyond_a_month_ahead(s, data):
    data.update(date=(s.today + 40 * DAY).isoformat(), periods=[])


def before_the_resolution_window(s, data):
    window = s.school.staff_absent_resolution_days
    data.update(date=(s.today - (window + 1) * DAY).isoformat(), periods=[])


def a_day_without_periods(s, data):
    data.update(date=(s.day + DAY).isoformat(), periods=[])


def a_holiday(s, data):
    Holiday.objects.create(school=s.school, name="Snow day", start_date=s.day, end_date=s.day)


def a_period_not_taught(s, data):
    data.update(periods=[5])


def the_teacher_as_substitute(s, data):
    data.update(substitute=s.teacher.pk)


def a_student_as_substitute(s, data):
    data.update(substitute=s.adams.student.user_id)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (beyond_a_month_ahead, "outside the dates an absence can be recorded"),
        (before_the_resolution_window, "outside the dates an absence can be recorded"),
        (a_day_without_periods, "has no periods on"),
        (a_holiday, "is a holiday (Snow day)"),
        (a_period_not_taught, "Period 5 is not one of this teacher"),
        (the_teacher_as_substitute, "cannot be their own substitute"),
        (a_student_as_substitute, "Select a valid choice"),
    ],
    ids=lambda value: value.__name__ if callable(value) else "",
)
def test_an_absence_that_cannot_be_is_refused_and_nothing_is_written(
    client, setting, change, message
):
    data = setting.absence_form()
    change(setting, data)
    client.force_login(setting.hod)

    response = client.post(reverse("attendance:staff_absence"), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not StaffAbsence.objects.exists()
    assert not AttendanceRecord.objects.exists()


def test_an_absence_may_be_entered_ahead_of_time(setting):
    s = setting
    next_week = s.day + 7 * DAY

    result = mark_teacher_absent(teacher=s.teacher, day=next_week, periods=[3], actor=s.hod)

    assert result.created == 1
    assert s.sa_records(date=next_week).count() == 1


# --- who may do what ---------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT, Role.ACCOUNTANT, Role.PRINCIPAL])
def test_only_an_hod_or_admin_may_mark_a_teacher_absent(client, setting, role):
    client.force_login(UserFactory(school=setting.school, role=role))

    page = client.get(reverse("attendance:staff_absence"))
    post = client.post(reverse("attendance:staff_absence"), setting.absence_form())
    periods = client.get(
        reverse("attendance:staff_absence_periods"),
        {"teacher": setting.teacher.pk, "date": setting.day.isoformat()},
    )

    assert (page.status_code, post.status_code, periods.status_code) == (403, 403, 403)
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize("role", [Role.HOD, Role.ADMIN])
def test_an_hod_or_admin_marks_a_teacher_absent(client, setting, role):
    client.force_login(UserFactory(school=setting.school, role=role))

    response = client.post(reverse("attendance:staff_absence"), setting.absence_form())

    assert response.status_code == 302
    assert setting.sa_records().count() == 3


def test_another_schools_teacher_is_not_found(client, setting):
    elsewhere = TimetableSlotFactory(weekday=setting.day.weekday())
    client.force_login(setting.hod)

    post = client.post(
        reverse("attendance:staff_absence"), setting.absence_form(teacher=elsewhere.teacher_id)
    )
    periods = client.get(
        reverse("attendance:staff_absence_periods"),
        {"teacher": elsewhere.teacher_id, "date": setting.day.isoformat()},
        headers={"HX-Request": "true"},
    )

    assert (post.status_code, periods.status_code) == (404, 404)
    assert not AttendanceRecord.objects.exists()


def test_the_service_refuses_a_teacher_of_another_school(setting):
    elsewhere = TimetableSlotFactory(weekday=setting.day.weekday())

    with pytest.raises(StaffAbsenceError, match="not on your school's staff"):
        mark_teacher_absent(teacher=elsewhere.teacher, day=setting.day, actor=setting.hod)


def test_a_substitute_resolves_only_that_days_periods_of_the_absent_teacher(client, setting):
    s = setting
    mark_teacher_absent(
        teacher=s.teacher, day=s.day, periods=[2, 3], substitute=s.substitute, actor=s.hod
    )
    # The same slot a week earlier (not an absence day), Rivera's period 4 (not covered)
    # and another teacher's period that day.
    AttendanceRecordFactory(
        membership=s.adams, slot=s.p2, subject=s.p2.subject, date=s.day - 7 * DAY,
        period_number=2, status=Status.STAFF_ABSENT,
    )  # fmt: skip
    other = TimetableSlotFactory(
        school_class=s.maths_a, weekday=s.day.weekday(), period_number=6,
        valid_from=s.day - 60 * DAY,
    )  # fmt: skip
    client.force_login(s.substitute)

    rows = to_resolve_rows(client.get(reverse("attendance:to_resolve")).content.decode())

    assert rows == [("2", "Maths 9A"), ("3", "Maths 9B")]
    page = client.get(mark_url(s.p2, s.day))
    assert page.status_code == 200
    assert "← Periods to resolve" in page.content.decode()  # back where they came from
    assert client.get(mark_url(s.p3, s.day)).status_code == 200
    assert client.get(mark_url(s.p2, s.day - 7 * DAY)).status_code == 403
    assert client.get(mark_url(s.p4, s.day)).status_code == 403
    assert client.get(mark_url(other, s.day)).status_code == 403
    response = client.post(mark_url(s.p3, s.day), {f"status_{s.baker.student_id}": "P"})
    assert response.status_code == 302
    assert AttendanceRecord.objects.get(slot=s.p3).status == Status.PRESENT


def test_may_resolve_staff_absence(setting):
    s = setting
    mark_teacher_absent(teacher=s.teacher, day=s.day, periods=[2, 3], actor=s.hod)
    s.p2.refresh_from_db()

    def may(user, slot, day=s.day):
        return may_resolve_staff_absence(user=user, slot=slot, day=day)

    assert may(s.advisor, s.p2)
    assert not may(s.advisor, s.p3)  # 9B is not theirs
    assert may(s.other_advisor, s.p3)
    assert not may(s.advisor, s.p4)  # period 4 is not covered
    assert not may(s.advisor, s.p2, s.day - 7 * DAY)  # no absence that day
    assert not may(s.substitute, s.p2)  # no substitute assigned
    outsider = UserFactory(role=Role.TEACHER)
    s.maths_a.advisor = outsider  # of another school: never
    s.maths_a.save()
    assert not may(outsider, TimetableSlot.objects.get(pk=s.p2.pk))


def test_changing_the_substitute_moves_who_may_resolve(client, setting):
    s = setting
    mark_teacher_absent(teacher=s.teacher, day=s.day, periods=[2], actor=s.hod)
    absence = StaffAbsence.objects.get()
    url = reverse("attendance:staff_absence_substitute", args=[absence.pk])
    client.force_login(s.hod)

    form = client.get(url, headers={"HX-Request": "true"}).content.decode()
    response = client.post(url, {"substitute": s.substitute.pk}, headers={"HX-Request": "true"})

    assert 'name="substitute"' in form
    assert response.status_code == 200
    assert "Chi Chen" in response.content.decode()
    absence.refresh_from_db()
    assert absence.substitute == s.substitute
    assert may_resolve_staff_absence(user=s.substitute, slot=s.p2, day=s.day)

    refused = client.post(url, {"substitute": s.teacher.pk}, headers={"HX-Request": "true"})
    assert "cannot be their own substitute" in refused.content.decode()
    absence.refresh_from_db()
    assert absence.substitute == s.substitute

    client.force_login(s.advisor)
    assert client.post(url, {"substitute": ""}).status_code == 403
    other_school_hod = UserFactory(role=Role.HOD)
    client.force_login(other_school_hod)
    assert client.post(url, {"substitute": ""}).status_code == 404
    absence.refresh_from_db()
    assert absence.substitute == s.substitute


def test_the_period_checkboxes_follow_the_teacher_and_date(client, setting):
    s = setting
    AttendanceRecordFactory(
        membership=s.adams, slot=s.p2, subject=s.p2.subject, date=s.day, period_number=2
    )
    client.force_login(s.hod)
    url = reverse("attendance:staff_absence_periods")

    html = client.get(
        url, {"teacher": s.teacher.pk, "date": s.day.isoformat()}, headers={"HX-Request": "true"}
    ).content.decode()
    empty = client.get(
        url,
        {"teacher": s.teacher.pk, "date": (s.day + DAY).isoformat()},
        headers={"HX-Request": "true"},
    ).content.decode()

    assert html.strip().startswith('<fieldset id="period-choices"')
    assert re.findall(r'value="(\d)"', html) == ["2", "3", "4"]
    assert "Period 2 · Maths 9A" in html and "2 students · 1 already marked" in html
    assert "Ana Rivera has no periods on" in empty


def test_without_javascript_show_periods_reloads_the_form_with_them(client, setting):
    s = setting
    client.force_login(s.hod)
    query = {"teacher": s.teacher.pk, "date": s.day.isoformat()}

    response = client.get(reverse("attendance:staff_absence_periods"), query, follow=True)

    html = response.content.decode()
    assert response.redirect_chain[0][0].startswith(reverse("attendance:staff_absence") + "?")
    assert re.findall(r'name="periods" value="(\d)"', html) == ["2", "3", "4"]
    assert re.search(rf'<option value="{s.teacher.pk}" selected>Ana Rivera</option>', html)


# --- periods to resolve ---------------------------------------------------------------------


def test_periods_to_resolve_oldest_first_with_deadline(client, setting):
    s = setting
    earlier = s.day - 7 * DAY
    # An earlier absence within the window of a bigger school setting.
    s.school.staff_absent_resolution_days = 10
    s.school.save()
    mark_teacher_absent(teacher=s.teacher, day=s.day, periods=[2], actor=s.hod)
    mark_teacher_absent(teacher=s.teacher, day=earlier, periods=[4, 2], actor=s.hod)
    client.force_login(s.advisor)

    page = client.get(reverse("attendance:to_resolve")).content.decode()

    assert to_resolve_rows(page) == [("2", "Maths 9A"), ("4", "Maths 9A"), ("2", "Maths 9A")]
    assert page.index(earlier.strftime("%a %-d %b")) < page.index(s.day.strftime("%a %-d %b"))
    deadline = earlier + 10 * DAY
    assert f"by {deadline.strftime('%a %-d %b')}" in page


def test_admin_and_hod_see_every_period_to_resolve(setting):
    s = setting
    mark_teacher_absent(teacher=s.teacher, day=s.day, actor=s.hod)

    for user in (s.admin, s.hod):
        rows = periods_to_resolve(user=user)
        assert [(r.slot.period_number, r.unresolved) for r in rows] == [(2, 2), (3, 1), (4, 2)]
    assert all(r.can_open for r in periods_to_resolve(user=s.admin))
    # An hod outside Rivera's department oversees but does not resolve.
    assert not any(r.can_open for r in periods_to_resolve(user=s.hod))
    assert periods_to_resolve(user=s.substitute) == []


def test_an_hod_of_the_department_may_open_its_periods_to_resolve(setting):
    s = setting
    StaffProfileFactory(school=s.school, user=s.teacher, department="Maths")
    StaffProfileFactory(school=s.school, user=s.hod, department="Maths")
    mark_teacher_absent(teacher=s.teacher, day=s.day, periods=[2], actor=s.hod)

    (row,) = periods_to_resolve(user=s.hod)

    assert row.can_open


@pytest.mark.parametrize("role", [Role.STUDENT, Role.ACCOUNTANT])
def test_periods_to_resolve_is_for_staff_who_mark(client, setting, role):
    client.force_login(UserFactory(school=setting.school, role=role))

    assert client.get(reverse("attendance:to_resolve")).status_code == 403


def test_periods_to_resolve_page_queries(client, setting, django_assert_num_queries):
    s = setting
    s.school.staff_absent_resolution_days = 20
    s.school.save()
    mark_teacher_absent(teacher=s.teacher, day=s.day, actor=s.hod)
    mark_teacher_absent(teacher=s.teacher, day=s.day - 7 * DAY, actor=s.hod)
    client.force_login(s.admin)

    # session, user, (school for today), SA counts per slot and date, their slots,
    # their absences
    with django_assert_num_queries(6):
        response = client.get(reverse("attendance:to_resolve"))

    assert len(to_resolve_rows(response.content.decode())) == 6


def test_staff_absence_page_queries(client, setting, django_assert_num_queries):
    s = setting
    s.school.staff_absent_resolution_days = 20
    s.school.save()
    for back in (0, 7, 14):
        mark_teacher_absent(teacher=s.teacher, day=s.day - back * DAY, actor=s.admin)
    client.force_login(s.hod)

    # session, user, school (today), teachers for the select, substitutes for the
    # select, absences, their progress
    with django_assert_num_queries(7):
        response = client.get(reverse("attendance:staff_absence"))

    # Mr Gone was still in 9A a week and two weeks ago.
    assert re.findall(r"resolved 0 of \d+", response.content.decode()) == [
        "resolved 0 of 5",
        "resolved 0 of 7",
        "resolved 0 of 7",
    ]


# --- expiry ------------------------------------------------------------------------------


def test_expiry_uses_each_schools_window_and_today(setting):
    s = setting
    mark_teacher_absent(teacher=s.teacher, day=s.day, periods=[3], actor=s.hod)
    strict = SchoolFactory(name="Strict School", staff_absent_resolution_days=1)
    strict_slot = TimetableSlotFactory(
        school_class=SchoolClassFactory(school=strict), weekday=s.day.weekday(),
        valid_from=s.day - 60 * DAY,
    )  # fmt: skip
    student_in(strict_slot.school_class, "Stone")
    mark_teacher_absent(
        teacher=strict_slot.teacher, day=s.day, actor=UserFactory(school=strict, role=Role.HOD)
    )

    # Two days after: Strict School's window (1 day) has closed, Hill School's (3) not.
    results = {r.school.name: r.expired for r in expire_staff_absent(today=s.day + 2 * DAY)}
    assert results == {"Hill School": 0, "Strict School": 1}
    # On the deadline itself Hill School's record still waits; the day after it expires.
    deadline = s.day + 3 * DAY
    assert expire_staff_absent(today=deadline, schools=[s.school])[0].expired == 0
    assert expire_staff_absent(today=deadline + DAY, schools=[s.school])[0].expired == 1


def test_expiry_dry_run_changes_nothing(setting):
    s = setting
    mark_teacher_absent(teacher=s.teacher, day=s.day, periods=[2], actor=s.hod)
    out = StringIO()

    call_command(
        "expire_staff_absent", "--dry-run", f"--today={(s.day + 10 * DAY).isoformat()}", stdout=out
    )

    assert "Hill School: would turn 2 SA records" in out.getvalue()
    assert s.sa_records().count() == 2


def test_expiry_leaves_orphaned_records_frozen(setting):
    s = setting
    AttendanceRecordFactory(
        membership=s.adams, slot=None, date=s.day - 30 * DAY, status=Status.STAFF_ABSENT,
        is_orphaned=True,
    )  # fmt: skip

    assert expire_staff_absent(today=s.today, schools=[s.school])[0].expired == 0
    assert AttendanceRecord.objects.get().status == Status.STAFF_ABSENT


def test_expiry_refuses_a_date_it_cannot_read():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("expire_staff_absent", "--today=21/11/2026")


# --- percentages ---------------------------------------------------------------------------


def test_unresolved_sa_is_not_counted_in_the_attendance_list(client, setting):
    s = setting
    # Present once and absent once in period 2 on earlier days: 50 %.
    for back, status in ((14, Status.PRESENT), (7, Status.ABSENT)):
        AttendanceRecordFactory(
            membership=s.adams, slot=s.p2, subject=s.p2.subject, date=s.day - back * DAY,
            period_number=2, status=status,
        )  # fmt: skip
    mark_teacher_absent(teacher=s.teacher, day=s.day, periods=[2, 4], actor=s.hod)
    client.force_login(s.admin)

    page = client.get(reverse("attendance:list"), {"school_class": s.maths_a.pk})
    row = re.search(r"Ali Adams.*?</tr>", page.content.decode(), re.S).group(0)

    # Two SA periods, and still 1 present of 2 sessions: SA counts as NM (excluded).
    assert re.findall(r'class="num">(?:<a[^>]*>)?(\d+)', row)[:2] == ["1", "2"]
    assert "50.0%" in row


# --- student leave ---------------------------------------------------------------------------


def test_approved_leave_covering_the_day(setting):
    s = setting
    StudentLeave.objects.create(
        school=s.school, student=s.adams.student, start_date=s.day - DAY, end_date=s.day,
        status=StudentLeave.Status.APPROVED,
    )  # fmt: skip
    StudentLeave.objects.create(
        school=s.school, student=s.young.student, start_date=s.day, end_date=s.day,
        status=StudentLeave.Status.PENDING,
    )  # fmt: skip

    assert approved_leave_student_ids(school_id=s.school.pk, day=s.day) == {s.adams.student_id}
    assert approved_leave_student_ids(school_id=s.school.pk, day=s.day + DAY) == set()


def test_an_hod_records_and_approves_leave(client, setting):
    s = setting
    client.force_login(s.hod)

    client.post(
        reverse("attendance:student_leave"),
        {
            "student": s.young.student_id,
            "start_date": s.day.isoformat(),
            "end_date": s.day.isoformat(),
            "reason": "Dentist",
        },
    )
    leave = StudentLeave.objects.get()
    assert (leave.status, leave.decided_by) == (StudentLeave.Status.PENDING, None)
    client.post(reverse("attendance:decide_leave", args=[leave.pk]), {"decision": "approve"})

    leave.refresh_from_db()
    assert (leave.status, leave.decided_by) == (StudentLeave.Status.APPROVED, s.hod)
    assert approved_leave_student_ids(school_id=s.school.pk, day=s.day) == {s.young.student_id}
    client.force_login(s.advisor)
    assert client.get(reverse("attendance:student_leave")).status_code == 403


def test_leave_that_ends_before_it_starts_is_refused(client, setting):
    client.force_login(setting.hod)

    response = client.post(
        reverse("attendance:student_leave"),
        {
            "student": setting.young.student_id,
            "start_date": setting.day.isoformat(),
            "end_date": (setting.day - DAY).isoformat(),
        },
    )

    assert "The leave cannot end before it starts." in response.content.decode()
    assert not StudentLeave.objects.exists()


# --- Django admin ----------------------------------------------------------------------------


def test_adding_an_absence_in_the_django_admin_writes_the_sa_records(client, setting):
    s = setting
    client.force_login(s.admin)

    response = client.post(
        reverse("admin:attendance_staffabsence_add"),
        {
            "teacher": s.teacher.pk,
            "date": s.day.isoformat(),
            "periods": "3",
            "substitute": "",
            "reason": "Course",
        },
    )

    assert response.status_code == 302
    absence = StaffAbsence.objects.get()
    assert (absence.periods, absence.school, absence.created_by) == ([3], s.school, s.admin)
    assert list(s.sa_records().values_list("student_id", flat=True)) == [s.baker.student_id]
    changelist = client.get(reverse("admin:attendance_staffabsence_changelist")).content.decode()
    assert "resolved 0 of 1" in changelist


def test_the_django_admin_refuses_an_absence_the_service_refuses(client, setting):
    client.force_login(setting.admin)

    response = client.post(
        reverse("admin:attendance_staffabsence_add"),
        {"teacher": setting.teacher.pk, "date": (setting.day + DAY).isoformat(), "periods": ""},
    )

    assert response.status_code == 200
    assert "has no periods on" in response.content.decode()
    assert not StaffAbsence.objects.exists()


def test_deleting_an_absence_in_the_admin_withdraws_its_open_records(client, setting):
    s = setting
    mark_teacher_absent(teacher=s.teacher, day=s.day, periods=[2, 3], actor=s.hod)
    AttendanceRecord.objects.filter(slot=s.p3).update(status=Status.PRESENT)
    absence = StaffAbsence.objects.get()
    client.force_login(s.admin)

    client.post(reverse("admin:attendance_staffabsence_delete", args=[absence.pk]), {"post": "yes"})

    assert not StaffAbsence.objects.exists()
    assert not s.sa_records().exists()
    assert AttendanceRecord.objects.get().status == Status.PRESENT  # resolved: kept


def test_leave_admin_actions_record_who_decided(client, setting):
    s = setting
    leave = StudentLeave.objects.create(
        school=s.school, student=s.adams.student, start_date=s.day, end_date=s.day
    )
    client.force_login(s.admin)

    client.post(
        reverse("admin:attendance_studentleave_changelist"),
        {"action": "approve", "_selected_action": [leave.pk]},
    )

    leave.refresh_from_db()
    assert (leave.status, leave.decided_by) == (StudentLeave.Status.APPROVED, s.admin)


def test_the_substitute_can_be_changed_without_javascript(client, setting):
    s = setting
    mark_teacher_absent(
        teacher=s.teacher, day=s.day, periods=[2], substitute=s.advisor, actor=s.hod
    )
    absence = StaffAbsence.objects.get()
    url = reverse("attendance:staff_absence_substitute", args=[absence.pk])
    client.force_login(s.hod)

    edit = client.get(url, follow=True)
    html = edit.content.decode()
    response = client.post(url, {"substitute": s.substitute.pk}, follow=True)

    assert edit.redirect_chain[0][0].endswith(f"?edit={absence.pk}#absence-{absence.pk}")
    assert re.search(rf'<option value="{s.advisor.pk}" selected>Obi Okafor</option>', html)
    assert "now has Chi Chen as substitute" in response.content.decode()
    absence.refresh_from_db()
    assert absence.substitute == s.substitute


# --- concurrency (PostgreSQL) ------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_a_teachers_save_during_the_absence_waits_and_then_resolves(transactional_db, monkeypatch):
    from attendance.services import staff_absence as service

    s = Setting()
    inserted, release = threading.Event(), threading.Event()
    real = service.create_records

    def insert_then_pause(*args, **kwargs):
        created = real(*args, **kwargs)
        inserted.set()
        release.wait(10)  # the SA records are inserted, not yet committed
        return created

    monkeypatch.setattr(service, "create_records", insert_then_pause)
    results = {}

    def run(name, action):
        try:
            results[name] = action()
        except Exception as exc:  # reported by the assertions below
            results[name] = exc
        finally:
            connection.close()

    absence = threading.Thread(
        target=run,
        args=("absence", lambda: mark_teacher_absent(
            teacher=s.teacher, day=s.day, periods=[2], actor=s.hod
        )),
    )  # fmt: skip
    save = threading.Thread(
        target=run,
        args=("save", lambda: mark_attendance(
            slot=s.p2, day=s.day, actor=s.teacher,
            statuses={s.adams.student_id: Status.PRESENT, s.young.student_id: Status.PRESENT},
        )),
    )  # fmt: skip
    absence.start()
    assert inserted.wait(10)
    save.start()
    save.join(0.5)
    waited = save.is_alive()  # blocked on the slot's lock
    release.set()
    absence.join(10)
    save.join(10)

    assert waited
    assert results["absence"].created == 2
    # The teacher's save came after the absence: it resolved the SA records rather than
    # colliding with them.
    assert results["save"].saved == 2
    assert set(AttendanceRecord.objects.values_list("status", flat=True)) == {Status.PRESENT}


def test_the_student_leave_page_takes_the_same_queries_for_any_number_of_leaves(
    client, setting, django_assert_num_queries
):
    s = setting
    client.force_login(s.hod)
    for count in (1, 6):
        StudentLeave.objects.filter(school=s.school).delete()
        for n in range(count):
            StudentLeave.objects.create(
                school=s.school,
                student=s.adams.student,
                start_date=s.day + n * DAY,
                end_date=s.day + n * DAY,
                status=StudentLeave.Status.APPROVED,
                decided_by=s.hod,
            )
        # session · user · school · students for the select · leaves with student and decider
        with django_assert_num_queries(5):
            html = client.get(reverse("attendance:student_leave")).content.decode()
        assert html.count("Adams") >= count
