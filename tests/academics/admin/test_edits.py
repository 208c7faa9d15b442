"""The Django admin's writes: created/updated-by filled in, users and their roles, and the
attendance rules kept."""

import pytest
from django.urls import reverse

from academics.models import Grade, Role, School, SchoolClass, Section, Subject, User
from attendance.models import AttendanceRecord, Status, TotalSessionsOverride
from tests.academics.factories import UserFactory

from .helpers import change_list_rows, empty_inline, url

pytestmark = pytest.mark.django_db


# --- created/updated by ----------------------------------------------------------------


def test_created_and_updated_by_are_filled_on_add_and_change(client, school_admin, superuser, rows):
    client.force_login(school_admin)
    response = client.post(url(Grade, "add"), {"name": "Grade 12", "level": 12})
    assert response.status_code == 302
    grade = Grade.objects.get(school=rows[School], level=12)
    assert (grade.created_by, grade.updated_by) == (school_admin, school_admin)

    client.force_login(superuser)
    response = client.post(
        url(Grade, "change", grade.pk),
        {"school": rows[School].pk, "name": "Grade 12 (final)", "level": 12},
    )
    assert response.status_code == 302
    grade.refresh_from_db()
    assert (grade.created_by, grade.updated_by) == (school_admin, superuser)


def test_inline_rows_get_the_parents_school_and_the_editor(client, school_admin, rows):
    client.force_login(school_admin)
    response = client.post(
        url(SchoolClass, "add"),
        {
            "name": "Robotics club",
            "kind": SchoolClass.Kind.TEACHING,
            "is_active": "on",
            **empty_inline("sections", total=1),
            "sections-0-name": "Morning",
            "sections-0-capacity": "12",
            "sections-0-is_active": "on",
        },
    )
    assert response.status_code == 302
    section = Section.objects.get(school_class__name="Robotics club")
    assert section.school == rows[School]
    assert section.created_by == school_admin


# --- users ---------------------------------------------------------------------------


def test_a_user_given_the_admin_role_in_the_admin_can_sign_in_to_it(client, school_admin, rows):
    client.force_login(school_admin)
    response = client.post(
        url(User, "add"),
        {
            "username": "deputy",
            "usable_password": "true",
            "password1": "a-long-demo-password-1",
            "password2": "a-long-demo-password-1",
            "role": Role.ADMIN,
            "first_name": "Dana",
            "last_name": "Deputy",
            "email": "",
            # A school admin may not hand out superuser status: the field is not theirs.
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302
    deputy = User.objects.get(username="deputy")
    assert deputy.is_staff and not deputy.is_superuser
    assert deputy.school == rows[School]
    # Through the sign-in form (django-axes's backend needs the request client.login lacks).
    signed_in = client.post(
        reverse("login"), {"login": "deputy", "password": "a-long-demo-password-1"}
    )
    assert signed_in.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_school_admin_does_not_see_superusers(client, school_admin, superuser, rows):
    superuser.school = rows[School]
    superuser.save()
    client.force_login(school_admin)
    listed = change_list_rows(client.get(url(User, "changelist")))
    assert superuser not in listed and school_admin in listed


# --- other roles -----------------------------------------------------------------------


def test_a_teacher_gets_no_admin_access(client, rows):
    teacher = rows[User]
    client.force_login(teacher)
    assert client.get(reverse("admin:index")).status_code == 302  # to the admin login

    teacher.is_staff = True  # even marked as staff by mistake
    teacher.save()
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200 and index.context["app_list"] == []
    assert client.get(url(AttendanceRecord, "changelist")).status_code == 403
    assert client.get(url(Subject, "change", rows[Subject].pk)).status_code == 403


def test_a_principal_may_view_but_not_change(client, rows):
    principal = UserFactory(school=rows[School], role=Role.PRINCIPAL, is_staff=True)
    client.force_login(principal)
    assert client.get(url(AttendanceRecord, "changelist")).status_code == 200
    assert client.get(url(Subject, "change", rows[Subject].pk)).status_code == 200
    assert client.get(url(Subject, "add")).status_code == 403
    response = client.post(url(Subject, "change", rows[Subject].pk), {"name": "Renamed"})
    assert response.status_code == 403
    rows[Subject].refresh_from_db()
    assert rows[Subject].name != "Renamed"


# --- attendance rules in the admin -------------------------------------------------------


def record_form(record: AttendanceRecord, **changes) -> dict[str, str]:
    data = {
        "student": record.student_id,
        "school_class": record.school_class_id,
        "subject": record.subject_id,
        "slot": record.slot_id or "",
        "date": record.date.isoformat(),
        "period_number": record.period_number,
        "status": record.status,
        "modification_reason": record.modification_reason,
    }
    return {**data, **changes}


def test_changing_a_status_in_the_admin_needs_a_reason_and_records_who(client, school_admin, rows):
    record = rows[AttendanceRecord]
    client.force_login(school_admin)
    change = url(AttendanceRecord, "change", record.pk)
    response = client.post(change, record_form(record, status=Status.ABSENT))
    assert response.status_code == 200
    assert "modification_reason" in response.context["adminform"].form.errors

    response = client.post(
        change, record_form(record, status=Status.ABSENT, modification_reason="Left at 10:00")
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.modified_by) == (Status.ABSENT, school_admin)
    latest = record.history.first()
    assert (latest.status, latest.history_user) == (Status.ABSENT, school_admin)


def test_total_sessions_below_the_marked_records_is_refused(client, school_admin, rows):
    override = rows[TotalSessionsOverride]
    client.force_login(school_admin)
    response = client.post(
        url(TotalSessionsOverride, "change", override.pk),
        {
            "student": override.student_id,
            "school_class": override.school_class_id,
            "subject": "",
            "total_sessions": 0,  # the student has one countable record in the class
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["total_sessions"] == [
        "Total sessions cannot be less than actual records (1)"
    ]
