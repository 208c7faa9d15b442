"""Who may mark a teacher absent and who may resolve the periods (docs/design/attendance.md,
the staff-absent lifecycle; docs/design/roles.md).
"""

import re

import pytest
from django.urls import reverse

from academics.models import Role, TimetableSlot
from attendance.models import AttendanceRecord, StaffAbsence, Status
from attendance.selectors import (
    may_resolve_staff_absence,
)
from attendance.services import (
    StaffAbsenceError,
    mark_teacher_absent,
)
from tests.academics.factories import (
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory

from .support import (
    DAY,
    mark_url,
    to_resolve_rows,
)

pytestmark = pytest.mark.django_db


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
