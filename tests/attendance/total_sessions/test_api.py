"""Total sessions' JSON endpoint (docs/design/total-sessions.md), a student without a
profile, and the bulk service as the bulk view relies on it.
"""

import datetime
import json

import pytest
from django.test import Client
from django.urls import reverse

from academics.models import Role, StudentProfile
from attendance.models import TotalSessionsOverride
from attendance.services.total_sessions import bulk_set_total_sessions
from tests.academics.factories import (
    AcademicYearFactory,
    EnrollmentFactory,
    MembershipFactory,
    SubjectFactory,
    UserFactory,
)

from .support import (
    BELOW_ACTUAL,
    HTMX,
    NOT_A_NUMBER,
    edit_url,
    override_of,
)

pytestmark = pytest.mark.django_db


# --- the JSON endpoint ----------------------------------------------------------------------

API = "attendance:update_total_sessions"


def post_json(client, body, **kwargs):
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    kwargs.setdefault("content_type", "application/json")
    return client.post(reverse(API), raw, **kwargs)


@pytest.fixture
def homeroom(maths):
    """Maths 9A is Ali Adams's homeroom class this (current) academic year."""
    school_class, teacher, adams, young = maths
    year = AcademicYearFactory(school=school_class.school, is_current=True)
    EnrollmentFactory(student=adams.student, academic_year=year, school_class=school_class)
    return maths


def test_the_endpoint_sets_the_total_of_the_students_homeroom_class(client, homeroom):
    school_class, teacher, adams, young = homeroom
    client.force_login(teacher)

    response = post_json(client, {"student_id": adams.student_id, "total_sessions": 50})

    assert response.status_code == 200
    assert response.json() == {
        "success": True,
        "message": "Total sessions updated",
        "student_id": adams.student_id,
        "class_id": school_class.pk,
        "subject_id": None,
        "total_sessions": 50,
        "actual_sessions": 3,
        "present": 2,
        "percentage": 4.0,
    }
    assert override_of(adams).total_sessions == 50


def test_the_endpoint_takes_an_explicit_class_and_rounds_to_one_decimal(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    body = {"student_id": adams.student_id, "class_id": school_class.pk, "total_sessions": 3}
    response = post_json(client, body)

    assert response.json()["percentage"] == 66.7
    assert response.json()["actual_sessions"] == 3


def test_the_endpoint_answers_null_percentage_for_a_total_of_zero(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    body = {"student_id": young.student_id, "class_id": school_class.pk, "total_sessions": 0}
    response = post_json(client, body)

    assert response.status_code == 200
    assert response.json()["percentage"] is None


def test_the_endpoint_sets_a_per_subject_total(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    body = {
        "student_id": adams.student_id,
        "class_id": school_class.pk,
        "subject_id": school_class.subject_id,
        "total_sessions": "8",
    }
    response = post_json(client, body)

    assert response.status_code == 200
    assert response.json()["subject_id"] == school_class.subject_id
    assert response.json()["percentage"] == 25.0
    override = TotalSessionsOverride.objects.get(student=adams.student)
    assert override.subject_id == school_class.subject_id


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("{not json", "Malformed JSON"),
        (" ", "Malformed JSON"),
        (b"\xff\xfe", "Malformed JSON"),
        ("[1, 2]", "must be a JSON object"),
        ('"50"', "must be a JSON object"),
        ("50", "must be a JSON object"),
        ("null", "must be a JSON object"),
        ({"total_sessions": 50}, "student_id: is required"),
        ({"student_id": "STUDENT"}, "total_sessions: is required"),
        ({"student_id": "STUDENT", "total_sessions": 50.5}, NOT_A_NUMBER),
        ({"student_id": "STUDENT", "total_sessions": -1}, NOT_A_NUMBER),
        ({"student_id": "STUDENT", "total_sessions": "fifty"}, NOT_A_NUMBER),
        ({"student_id": "STUDENT", "total_sessions": ""}, NOT_A_NUMBER),
        ({"student_id": "STUDENT", "total_sessions": None}, NOT_A_NUMBER),
        ({"student_id": "STUDENT", "total_sessions": True}, NOT_A_NUMBER),
        ({"student_id": "STUDENT", "total_sessions": [50]}, NOT_A_NUMBER),
        ({"student_id": "STUDENT", "total_sessions": {"n": 50}}, NOT_A_NUMBER),
        ({"student_id": "STUDENT", "total_sessions": 10**30}, "Must be at most 10,000"),
        ('{"student_id": STUDENT, "total_sessions": 1e400}', NOT_A_NUMBER),
        ('{"student_id": STUDENT, "total_sessions": NaN}', NOT_A_NUMBER),
        ({"student_id": "STUDENT", "total_sessions": 2}, f"{BELOW_ACTUAL} (3)"),
        ({"student_id": True, "total_sessions": 50}, "student_id: must be a whole number id"),
        ({"student_id": 1.5, "total_sessions": 50}, "student_id: must be a whole number id"),
        ({"student_id": "12", "total_sessions": 50}, "student_id: must be a whole number id"),
        ({"student_id": -3, "total_sessions": 50}, "student_id: must be a whole number id"),
        ({"student_id": 2**70, "total_sessions": 50}, "student_id: must be a whole number id"),
        ({"student_id": "STUDENT", "total_sessions": 50, "class_id": "9A"}, "class_id: must be"),
        ({"student_id": "STUDENT", "total_sessions": 50, "subject_id": 2.0}, "subject_id: must"),
        ({"student_id": "STUDENT", "total_sessions": 50, "total": 1}, "unknown field: total"),
        ({"student_id": 999_999, "total_sessions": 50}, "Unknown student 999999."),
        ({"student_id": "STUDENT", "total_sessions": 50, "class_id": 999_999}, "Unknown class"),
        ({"student_id": "STUDENT", "total_sessions": 50, "subject_id": 999_999}, "Unknown subj"),
    ],
)
def test_the_endpoint_refuses_bad_input_with_400_and_a_message(client, homeroom, body, error):
    school_class, teacher, adams, young = homeroom
    client.force_login(teacher)
    if isinstance(body, dict):
        body = {k: (adams.student_id if v == "STUDENT" else v) for k, v in body.items()}
    elif isinstance(body, str):
        body = body.replace("STUDENT", str(adams.student_id))

    response = post_json(client, body)

    assert response.status_code == 400
    assert response.json()["success"] is False
    assert error in response.json()["error"]
    assert override_of(adams) is None


def test_the_endpoint_refuses_a_student_not_in_the_class(client, maths):
    school_class, teacher, adams, young = maths
    stranger = UserFactory(school=school_class.school, role=Role.STUDENT).student_profile
    client.force_login(teacher)

    body = {"student_id": stranger.pk, "class_id": school_class.pk, "total_sessions": 5}
    response = post_json(client, body)

    assert response.status_code == 400
    assert response.json()["error"] == f"{stranger} is not in Maths 9A"


def test_the_endpoint_needs_a_class_when_the_student_has_no_current_homeroom(client, maths):
    school_class, teacher, adams, young = maths
    last_year = AcademicYearFactory(
        school=school_class.school,
        is_current=False,
        start_date=datetime.date(2025, 8, 18),
        end_date=datetime.date(2026, 6, 30),
    )
    EnrollmentFactory(student=adams.student, academic_year=last_year, school_class=school_class)
    client.force_login(teacher)

    response = post_json(client, {"student_id": adams.student_id, "total_sessions": 5})

    assert response.status_code == 400
    assert (
        "no homeroom class in the current academic year: send class_id" in response.json()["error"]
    )


def test_the_endpoint_refuses_a_subject_not_taught_in_the_class(client, maths):
    school_class, teacher, adams, young = maths
    art = SubjectFactory(school=school_class.school, name="Art")
    client.force_login(teacher)

    body = {
        "student_id": adams.student_id,
        "class_id": school_class.pk,
        "subject_id": art.pk,
        "total_sessions": 5,
    }
    response = post_json(client, body)

    assert response.status_code == 400
    assert response.json()["error"] == "Art is not taught in Maths 9A."


@pytest.mark.parametrize("what", ["student", "class", "subject"])
def test_the_endpoint_does_not_find_another_schools_rows(client, homeroom, what):
    school_class, teacher, adams, young = homeroom
    outsider = MembershipFactory()
    client.force_login(teacher)
    body = {"student_id": adams.student_id, "total_sessions": 5}
    if what == "student":
        body["student_id"] = outsider.student_id
    elif what == "class":
        body["class_id"] = outsider.school_class_id
    else:
        body["class_id"] = school_class.pk
        body["subject_id"] = outsider.school_class.subject_id

    response = post_json(client, body)

    assert response.status_code == 404
    assert response.json() == {"success": False, "error": f"No such {what}."}
    assert not TotalSessionsOverride.objects.exists()


def test_the_endpoint_answers_get_with_405(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    response = client.get(reverse(API))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["success"] is False


def test_the_endpoint_wants_json_not_a_form(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    response = client.post(
        reverse(API), {"student_id": adams.student_id, "total_sessions": 5}
    )  # form-encoded

    assert response.status_code == 400
    assert "Content-Type: application/json" in response.json()["error"]


def test_the_endpoint_refuses_a_request_without_the_csrf_token(maths):
    school_class, teacher, adams, young = maths
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)
    body = {"student_id": adams.student_id, "class_id": school_class.pk, "total_sessions": 5}

    refused = post_json(client, body)
    token = client.get(reverse("attendance:list")).cookies["csrftoken"].value
    accepted = post_json(client, body, headers={"X-CSRFToken": token})

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert override_of(adams).total_sessions == 5


def test_the_inline_edit_also_refuses_a_request_without_the_csrf_token(maths):
    school_class, teacher, adams, young = maths
    client = Client(enforce_csrf_checks=True)
    client.force_login(teacher)

    response = client.post(edit_url(adams), {"total_sessions": "10"}, headers=HTMX)

    assert response.status_code == 403
    assert override_of(adams) is None


# --- a student user without a profile ----------------------------------------------------


@pytest.fixture
def profileless_student(client, maths):
    """A signed-in student user whose profile is gone. Signing in saves the user, and
    saving a student user makes the profile, so the profile goes after signing in."""
    school_class, teacher, adams, young = maths
    user = adams.student.user
    client.force_login(user)
    StudentProfile.objects.filter(user=user).delete()
    return user


def test_a_student_without_a_profile_sees_a_notice_on_the_list(client, profileless_student):
    response = client.get(reverse("attendance:list"))

    assert response.status_code == 200
    assert "Your student profile is being set up — ask the office" in response.content.decode()
    assert "Student profile not found" not in response.content.decode()


def test_a_student_without_a_profile_gets_no_error_from_my_attendance(client, profileless_student):
    response = client.get(reverse("attendance:my_report"), follow=True)

    assert response.status_code == 200
    assert "Your student profile is being set up — ask the office" in response.content.decode()


def test_a_student_without_a_profile_is_refused_by_the_endpoint_not_crashed(
    client, profileless_student, maths
):
    school_class, teacher, adams, young = maths

    response = post_json(client, {"student_id": young.student_id, "total_sessions": 5})

    assert response.status_code == 403
    assert response.json()["success"] is False


def test_a_student_with_a_profile_sees_no_notice(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(adams.student.user)

    html = client.get(reverse("attendance:list")).content.decode()

    assert "being set up" not in html
    assert "Ali Adams" in html


# --- the service, as the bulk view relies on it ---------------------------------------------


def test_bulk_service_takes_a_student_listed_twice_once(maths):
    """A student who left and rejoined has two memberships, so two list rows; the bulk
    update must still write one override for them, not fail on the unique constraint."""
    school_class, teacher, adams, young = maths

    saved = bulk_set_total_sessions(
        students=[adams.student, young.student, adams.student],
        school_class=school_class,
        total=12,
        actor=teacher,
    )

    assert [o.student for o in saved] == [adams.student, young.student]
    assert TotalSessionsOverride.objects.filter(school_class=school_class).count() == 2
