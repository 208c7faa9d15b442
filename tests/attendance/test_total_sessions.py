"""Total sessions on the attendance list (seed 000; issue 4): the inline edit, its no-JS
page, "Use actual", "Bulk Update Sessions", the JSON endpoint, who may do what.

The service's own rules are tested in test_total_sessions_service.py.
"""

import datetime
import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from academics.models import Role, StudentProfile
from attendance.models import Status, TotalSessionsOverride
from attendance.services.total_sessions import bulk_set_total_sessions
from tests.academics.factories import (
    AcademicYearFactory,
    EnrollmentFactory,
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    SubjectFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory, TotalSessionsOverrideFactory

pytestmark = pytest.mark.django_db

BELOW_ACTUAL = "Total sessions cannot be less than actual records"
NOT_A_NUMBER = "Must be a valid positive number"
HTMX = {"HX-Request": "true"}


def student_in(school_class, last_name, first_name="Sam"):
    user = UserFactory(
        school=school_class.school, role=Role.STUDENT, last_name=last_name, first_name=first_name
    )
    return MembershipFactory(school_class=school_class, student=user.student_profile)


def give_records(membership, *statuses):
    for n, status in enumerate(statuses):
        AttendanceRecordFactory(
            membership=membership,
            status=status,
            date=datetime.date(2026, 9, 7) + datetime.timedelta(days=n // 8),
            period_number=n % 8 + 1,
        )


@pytest.fixture
def maths():
    """Maths 9A taught by Ms Rivera: Ali Adams has 3 countable records (2 present, one OD
    that does not count), Yara Young none."""
    school = SchoolFactory(name="Hill School")
    teacher = UserFactory(school=school, role=Role.TEACHER, first_name="Ana", last_name="Rivera")
    school_class = SchoolClassFactory(school=school, name="Maths 9A")
    TimetableSlotFactory(school_class=school_class, teacher=teacher)
    adams = student_in(school_class, "Adams", "Ali")
    young = student_in(school_class, "Young", "Yara")
    give_records(adams, Status.PRESENT, Status.PRESENT, Status.ABSENT, Status.ON_DUTY)
    return school_class, teacher, adams, young


def edit_url(membership):
    return reverse("attendance:edit_total_sessions", args=[membership.pk])


def clear_url(membership):
    return reverse("attendance:clear_total_sessions", args=[membership.pk])


def row_url(membership):
    return reverse("attendance:total_sessions_row", args=[membership.pk])


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def override_of(membership):
    return TotalSessionsOverride.objects.filter(
        student=membership.student, school_class=membership.school_class
    ).first()


# --- the inline edit (htmx) -----------------------------------------------------------------


def test_clicking_a_total_opens_an_input_holding_the_current_total(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    response = client.get(edit_url(adams), headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="membership-{adams.pk}"')
    assert re.search(r'<input id="ts-input-\d+" name="total_sessions" value="3"', html)
    assert "autofocus" in html
    assert "Use actual" not in html  # nothing to clear yet


def test_saving_a_total_answers_the_row_with_the_new_percentage_and_the_actual_hint(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    response = client.post(edit_url(adams), {"total_sessions": "10"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    row = html[: html.index("</tr>")]
    assert html.lstrip().startswith(f'<tr id="membership-{adams.pk}"')
    assert text(row) == "Ali Adams Maths 9A 2 10 (3 actual) 20.0%"
    assert 'name="total_sessions"' not in html  # the input is gone
    assert 'hx-swap-oob="innerHTML"' in html and "Total sessions updated for Ali Adams" in html
    override = override_of(adams)
    assert (override.total_sessions, override.updated_by) == (10, teacher)


def test_a_total_below_the_actual_records_keeps_the_input_open_with_the_seeds_message(
    client, maths
):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    response = client.post(edit_url(adams), {"total_sessions": "2"}, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="total_sessions" value="2"' in html
    assert f"{BELOW_ACTUAL} (3)" in html
    assert 'aria-invalid="true"' in html and 'role="alert"' in html
    assert override_of(adams) is None


@pytest.mark.parametrize("typed", ["abc", "-5", "2.5", "", "  ", "1,5"])
def test_a_value_that_is_not_a_whole_number_keeps_the_input_open(client, maths, typed):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    response = client.post(edit_url(adams), {"total_sessions": typed}, headers=HTMX)

    assert response.status_code == 200
    assert NOT_A_NUMBER in response.content.decode()
    assert 'name="total_sessions"' in response.content.decode()
    assert override_of(adams) is None


def test_use_actual_removes_the_override_and_the_row_counts_the_records_again(client, maths):
    school_class, teacher, adams, young = maths
    TotalSessionsOverrideFactory(membership=adams, total_sessions=40)
    client.force_login(teacher)

    opened = client.get(edit_url(adams), headers=HTMX).content.decode()
    response = client.post(clear_url(adams), headers=HTMX)

    assert "Use actual (3)" in opened
    html = response.content.decode()
    assert text(html[: html.index("</tr>")]) == "Ali Adams Maths 9A 2 3 66.7%"
    assert "Total sessions updated: using actual records" in html
    assert override_of(adams) is None


def test_cancel_answers_the_row_as_saved(client, maths):
    school_class, teacher, adams, young = maths
    TotalSessionsOverrideFactory(membership=adams, total_sessions=40)
    client.force_login(teacher)

    html = client.get(row_url(adams), headers=HTMX).content.decode()

    assert text(html[: html.index("</tr>")]) == "Ali Adams Maths 9A 2 40 (3 actual) 5.0%"


# --- without JS: a link to an edit page -----------------------------------------------------


def test_without_htmx_the_total_links_to_an_edit_page_that_saves_and_returns_to_the_list(
    client, maths
):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)
    list_path = f"{reverse('attendance:list')}?school_class={school_class.pk}&page=1"

    listing = client.get(list_path).content.decode()
    link = re.search(rf'<a href="({re.escape(edit_url(adams))}\?next=[^"]+)"', listing)
    page = client.get(link.group(1).replace("&amp;", "&"))
    saved = client.post(edit_url(adams), {"total_sessions": "12", "next": list_path}, follow=True)

    assert page.status_code == 200
    assert "<h1>Total sessions" in page.content.decode()
    assert 'value="3"' in page.content.decode()
    assert saved.redirect_chain == [(list_path, 302)]
    assert "Total sessions updated for Ali Adams in Maths 9A." in saved.content.decode()
    assert override_of(adams).total_sessions == 12


def test_without_htmx_an_invalid_total_shows_the_page_again_with_the_message(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    response = client.post(edit_url(adams), {"total_sessions": "1"})

    assert response.status_code == 200
    assert "<h1>Total sessions" in response.content.decode()
    assert f"{BELOW_ACTUAL} (3)" in response.content.decode()


def test_the_edit_page_never_sends_a_teacher_off_the_site(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    response = client.post(
        edit_url(adams), {"total_sessions": "12", "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('attendance:list')}?school_class={school_class.pk}"


def test_a_signed_out_htmx_edit_sends_the_whole_page_to_sign_in(client, maths):
    school_class, teacher, adams, young = maths

    response = client.post(edit_url(adams), {"total_sessions": "12"}, headers=HTMX)

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))


# --- the list shows who may edit ------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "editable"),
    [
        ("admin", True),
        ("class teacher", True),
        (Role.PRINCIPAL, False),
        (Role.HOD, False),
        (Role.ACCOUNTANT, False),
        (Role.STUDENT, False),
    ],
)
def test_only_editors_see_the_total_as_editable(client, maths, role, editable):
    school_class, teacher, adams, young = maths
    if role == "class teacher":
        user = teacher
    elif role == Role.STUDENT:
        user = adams.student.user
    else:
        user = UserFactory(school=school_class.school, role=Role.ADMIN if role == "admin" else role)
    client.force_login(user)

    html = client.get(reverse("attendance:list"), {"school_class": school_class.pk}).content
    html = html.decode()

    assert ('title="Click to edit"' in html) is editable
    assert ("Bulk Update Sessions" in html) is editable
    assert ("total_sessions.js" in html) is editable
    assert "Ali Adams" in html


def test_bulk_update_is_offered_only_once_a_class_is_chosen(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    unfiltered = client.get(reverse("attendance:list")).content.decode()

    assert "Bulk Update Sessions" not in unfiltered
    assert "choose the class first" in unfiltered


@pytest.mark.parametrize("role", [Role.TEACHER, Role.ADMIN])
def test_the_list_with_overrides_takes_the_same_queries_for_3_or_30_students(
    client, django_assert_num_queries, role
):
    for size in (3, 30):
        school_class = SchoolClassFactory()
        slot = TimetableSlotFactory(school_class=school_class)
        for n in range(size):
            membership = student_in(school_class, f"Student{n}")
            give_records(membership, Status.PRESENT, Status.ABSENT)
            TotalSessionsOverrideFactory(membership=membership, total_sessions=5 + n % 2)
        user = (
            slot.teacher
            if role == Role.TEACHER
            else UserFactory(school=school_class.school, role=role)
        )
        client.force_login(user)
        # session · user · the chosen class (filter validation) · COUNT(*) of the plain
        # memberships · the page's membership ids · the page's memberships + students +
        # classes + counts + override in one aggregate · the school (threshold, today) ·
        # the class <select>'s options. The edit links and the bulk panel add none.
        with django_assert_num_queries(8):
            response = client.get(reverse("attendance:list"), {"school_class": school_class.pk})
        html = response.content.decode()
        assert html.count('title="Click to edit"') == size
        assert html.count("(2 actual)") == size
        assert "Bulk Update Sessions" in html


# --- bulk update ----------------------------------------------------------------------------


def bulk(client, school_class, total, confirmed=False, **extra):
    data = {"school_class": school_class.pk, "total_sessions": total, **extra}
    if confirmed:
        data["confirmed"] = "true"
    return client.post(reverse("attendance:bulk_total_sessions"), data)


def test_bulk_update_asks_for_confirmation_before_changing_anything(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    response = bulk(client, school_class, "60")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Set 60 total sessions for 2 students of Maths 9A?" in text(html)
    assert 'name="confirmed" value="true"' in html
    assert not TotalSessionsOverride.objects.exists()


def test_confirmed_bulk_update_sets_the_total_for_every_student_of_the_class(client, maths):
    school_class, teacher, adams, young = maths
    other_class = SchoolClassFactory(school=school_class.school, name="Art 9A")
    TimetableSlotFactory(school_class=other_class, teacher=teacher)
    elsewhere = student_in(other_class, "Zimmer")
    client.force_login(teacher)

    response = bulk(client, school_class, "60", confirmed=True)
    listing = client.get(response["Location"]).content.decode()

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('attendance:list')}?school_class={school_class.pk}"
    assert "Total sessions updated: 60 for 2 students of Maths 9A." in listing
    assert {override_of(adams).total_sessions, override_of(young).total_sessions} == {60}
    assert override_of(elsewhere) is None
    assert "2 60 (3 actual) 3.3%" in text(listing)


def test_bulk_update_covers_every_page_of_the_class_not_only_the_first(client, db):
    school_class = SchoolClassFactory()
    slot = TimetableSlotFactory(school_class=school_class)
    memberships = [student_in(school_class, f"Student{n:02}") for n in range(51)]
    client.force_login(slot.teacher)

    confirm = bulk(client, school_class, "30")
    bulk(client, school_class, "30", confirmed=True)

    assert "for 51 students" in text(confirm.content.decode())
    assert all(override_of(m).total_sessions == 30 for m in memberships)


def test_bulk_update_is_all_or_nothing_and_lists_who_does_not_fit(client, maths):
    school_class, teacher, adams, young = maths
    TotalSessionsOverrideFactory(membership=young, total_sessions=9)
    client.force_login(teacher)

    response = bulk(client, school_class, "2", confirmed=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was changed: the total does not fit 1 student." in html
    offenders = html[html.index('class="ts-offenders"') : html.index("</table>")]
    assert "Ali Adams" in offenders and f"{BELOW_ACTUAL} (3)" in offenders
    assert "Yara Young" not in offenders
    assert override_of(adams) is None
    assert override_of(young).total_sessions == 9  # not half-applied
    assert "Try another total" in html


def test_bulk_update_with_a_bad_number_shows_the_seeds_message(client, maths):
    school_class, teacher, adams, young = maths
    client.force_login(teacher)

    response = bulk(client, school_class, "sixty", confirmed=True)

    assert NOT_A_NUMBER in response.content.decode()
    assert not TotalSessionsOverride.objects.exists()


def test_bulk_update_needs_a_class_of_the_school(client, maths):
    school_class, teacher, adams, young = maths
    outsider = MembershipFactory()
    client.force_login(UserFactory(school=school_class.school, role=Role.ADMIN))

    no_class = client.post(reverse("attendance:bulk_total_sessions"), {"total_sessions": "60"})
    junk = client.post(
        reverse("attendance:bulk_total_sessions"),
        {"school_class": "1; DROP", "total_sessions": "60", "confirmed": "true"},
    )
    other_school = bulk(client, outsider.school_class, "60", confirmed=True)

    assert (no_class.status_code, junk.status_code, other_school.status_code) == (404, 404, 404)
    assert not TotalSessionsOverride.objects.exists()


def test_bulk_update_of_a_class_without_students_says_so(client, db):
    school_class = SchoolClassFactory(name="Empty 9Z")
    client.force_login(UserFactory(school=school_class.school, role=Role.ADMIN))

    response = bulk(client, school_class, "60", confirmed=True)

    assert "Empty 9Z has no students to update." in response.content.decode()


# --- who may edit ---------------------------------------------------------------------------


def endpoint_requests(adams, school_class):
    return {
        "edit page": lambda c: c.get(edit_url(adams)),
        "edit": lambda c: c.post(edit_url(adams), {"total_sessions": "10"}, headers=HTMX),
        "clear": lambda c: c.post(clear_url(adams), headers=HTMX),
        "row": lambda c: c.get(row_url(adams), headers=HTMX),
        "bulk": lambda c: bulk(c, school_class, "10", confirmed=True),
        "json": lambda c: c.post(
            reverse("attendance:update_total_sessions"),
            {"student_id": adams.student_id, "class_id": school_class.pk, "total_sessions": 10},
            content_type="application/json",
        ),
    }


ENDPOINTS = ["edit page", "edit", "clear", "row", "bulk", "json"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", {200, 302}),
        ("class teacher", {200, 302}),
        ("class advisor", {200, 302}),
        ("other teacher", {403}),
        (Role.HOD, {403}),
        (Role.PRINCIPAL, {403}),
        (Role.ACCOUNTANT, {403}),
        (Role.STUDENT, {403}),
    ],
)
def test_only_admins_and_the_class_teachers_may_change_totals(
    client, maths, endpoint, who, expected
):
    school_class, teacher, adams, young = maths
    school = school_class.school
    if who == "class teacher":
        user = teacher
    elif who == "class advisor":
        user = UserFactory(school=school, role=Role.TEACHER)
        school_class.advisor = user
        school_class.save()
    elif who == "other teacher":
        user = TimetableSlotFactory(school_class=SchoolClassFactory(school=school)).teacher
    elif who == Role.STUDENT:
        user = adams.student.user
    else:
        user = UserFactory(school=school, role=Role.ADMIN if who == "admin" else who)
    client.force_login(user)

    response = endpoint_requests(adams, school_class)[endpoint](client)

    assert response.status_code in expected
    if 403 in expected:
        assert override_of(adams) is None
    if endpoint == "json" and response.status_code == 403:
        assert response.json()["success"] is False


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_signed_out_visitors_are_sent_to_sign_in(client, maths, endpoint):
    school_class, teacher, adams, young = maths

    response = endpoint_requests(adams, school_class)[endpoint](client)

    if endpoint == "json":
        assert response.status_code == 401
    elif endpoint in ("edit", "clear", "row"):  # htmx: the whole page goes to sign in
        assert response["HX-Redirect"].startswith(reverse("login"))
    else:
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("endpoint", ["edit page", "edit", "clear", "row"])
def test_another_schools_student_is_not_found(client, maths, endpoint):
    school_class, teacher, adams, young = maths
    outsider = MembershipFactory()
    give_records(outsider, Status.PRESENT)
    client.force_login(UserFactory(school=school_class.school, role=Role.ADMIN))

    response = endpoint_requests(outsider, outsider.school_class)[endpoint](client)

    assert response.status_code == 404
    assert override_of(outsider) is None


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
