"""The Django admin: every screen loads, and each school admin stays inside their school."""

import pytest
from django.urls import reverse

from academics.models import Grade, School, SchoolClass, Section, StudentProfile, Subject
from attendance.models import AttendanceRecord

from .helpers import EDITABLE, MODEL_IDS, MODELS, READ_ONLY, change_list_rows, empty_inline, url

pytestmark = pytest.mark.django_db


# --- every screen loads ------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_superuser_opens_every_change_list_add_and_change_form(
    client, superuser, rows, other_rows, model
):
    client.force_login(superuser)
    listing = client.get(url(model, "changelist"))
    assert listing.status_code == 200
    assert {rows[model].pk, other_rows[model].pk} <= {o.pk for o in change_list_rows(listing)}
    assert client.get(url(model, "change", rows[model].pk)).status_code == 200
    assert client.get(url(model, "add")).status_code == (403 if model in READ_ONLY else 200)


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_school_admin_opens_every_change_list_and_change_form_of_their_school(
    client, school_admin, rows, other_rows, model
):
    client.force_login(school_admin)
    listing = client.get(url(model, "changelist"))
    assert listing.status_code == 200
    listed = {o.pk for o in change_list_rows(listing)}
    assert rows[model].pk in listed
    assert other_rows[model].pk not in listed
    assert client.get(url(model, "change", rows[model].pk)).status_code == 200


@pytest.mark.parametrize("model", EDITABLE, ids=[m._meta.label for m in EDITABLE])
def test_school_admin_opens_every_add_form_without_a_school_field_to_pick(
    client, school_admin, rows, model
):
    client.force_login(school_admin)
    response = client.get(url(model, "add"))
    assert response.status_code == 200
    school_field = response.context["adminform"].form.fields.get("school")
    assert school_field is not None and school_field.widget.is_hidden
    assert list(school_field.queryset) == [rows[School]]


def test_history_of_an_attendance_record_is_browsable(client, school_admin, rows):
    client.force_login(school_admin)
    response = client.get(url(AttendanceRecord, "history", rows[AttendanceRecord].pk))
    assert response.status_code == 200


# --- one school's admin never reaches another school -------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_school_admin_cannot_open_another_schools_row(
    client, school_admin, rows, other_rows, model
):
    client.force_login(school_admin)
    response = client.get(url(model, "change", other_rows[model].pk))
    # The admin answers a row outside the queryset as a missing one: back to the index.
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    # (School: 403, as a school admin may delete no school at all.)
    assert client.get(url(model, "delete", other_rows[model].pk)).status_code in (302, 403)


def test_school_admin_cannot_read_another_schools_attendance_history(
    client, school_admin, rows, other_rows
):
    client.force_login(school_admin)
    response = client.get(url(AttendanceRecord, "history", other_rows[AttendanceRecord].pk))
    assert response.status_code in (403, 404)


def test_school_admin_autocomplete_offers_only_their_schools_students(
    client, school_admin, rows, other_rows
):
    client.force_login(school_admin)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "academics",
            "model_name": "enrollment",
            "field_name": "student",
            "term": "",
        },
    )
    assert response.status_code == 200
    offered = {int(r["id"]) for r in response.json()["results"]}
    assert offered == {rows[StudentProfile].pk}


def test_school_admin_cannot_point_a_row_at_another_schools_grade(
    client, school_admin, rows, other_rows
):
    client.force_login(school_admin)
    response = client.post(
        url(SchoolClass, "add"),
        {
            "name": "Grade 7 – B",
            "kind": SchoolClass.Kind.HOMEROOM,
            "grade": other_rows[Grade].pk,
            "is_active": "on",
            **empty_inline("sections"),
        },
    )
    assert response.status_code == 200
    assert "grade" in response.context["adminform"].form.errors
    assert not SchoolClass.objects.filter(name="Grade 7 – B").exists()


def test_school_admin_cannot_move_a_row_to_another_school(client, school_admin, rows, other_rows):
    client.force_login(school_admin)
    response = client.post(
        url(Subject, "add"), {"name": "Geology", "code": "GEO", "school": other_rows[School].pk}
    )
    assert response.status_code == 302
    assert Subject.objects.get(name="Geology").school == rows[School]


def test_school_admin_sees_only_their_own_school_and_cannot_add_or_delete_schools(
    client, school_admin, rows, other_rows
):
    client.force_login(school_admin)
    listing = client.get(url(School, "changelist"))
    assert [s.pk for s in change_list_rows(listing)] == [rows[School].pk]
    assert client.get(url(School, "add")).status_code == 403
    assert client.get(url(School, "delete", rows[School].pk)).status_code == 403
    response = client.post(
        url(School, "change", rows[School].pk),
        {
            "name": "Nile Academy (Giza)",
            "currency": "EGP",
            "timezone": "Africa/Cairo",
            "edit_window_days": 7,
            "staff_absent_resolution_days": 3,
            "payment_terms_days": 14,
            "low_attendance_threshold": "75",
            "absence_notice_time": "12:00",
        },
    )
    assert response.status_code == 302
    rows[School].refresh_from_db()
    assert rows[School].name == "Nile Academy (Giza)"
    assert rows[School].payment_terms_days == 14


def test_superuser_cannot_link_rows_of_two_schools(client, superuser, rows, other_rows):
    client.force_login(superuser)
    response = client.post(
        url(Section, "add"),
        {
            "school": rows[School].pk,
            "school_class": other_rows[SchoolClass].pk,
            "name": "Z",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["school_class"] == [
        "This belongs to another school."
    ]
