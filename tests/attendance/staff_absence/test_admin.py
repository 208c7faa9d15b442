"""Staff absences in the Django admin, and two hods marking at once (PostgreSQL)
(docs/design/attendance.md, the staff-absent lifecycle).
"""

import re
import threading

import pytest
from django.db import connection
from django.urls import reverse

from attendance.models import AttendanceRecord, StaffAbsence, Status, StudentLeave
from attendance.services import (
    mark_attendance,
    mark_teacher_absent,
)

from .support import (
    DAY,
    Setting,
)

pytestmark = pytest.mark.django_db


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
