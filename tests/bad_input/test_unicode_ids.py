"""An id written in other scripts' digits is no id (docs/operations/security.md, "Bad
input").

Ids are written by the app itself into links, selects and hidden fields, in ASCII digits.
Python's `int()` also reads "١٢" (Arabic-Indic), "۱۲" (Persian) and "１２" (full-width) as
12, and Django's ModelChoiceField hands the text to `int()`: so "١٢" chose row 12. Here,
concretely: form fields, the staff-absence page, the credits dialog, list filters, the
promotion wizard's years, the JSON APIs and the admin (its change forms and change-list
filters). The property tests in this package mix the same "twins" of valid ids into every
id they send (`strategies.unicode_twins`).
"""

import json

import pytest
from django import forms
from django.contrib import admin
from django.db import models
from django.test import RequestFactory

import academics.forms
import attendance.forms
import billing.forms
import credits.forms
from academics.forms import IdChoiceField, IdMultipleChoiceField
from academics.models import Role, SchoolClass, Section, StudentProfile, User
from attendance.forms import (
    AbsentTeacherDayForm,
    AttendanceListFilterForm,
    CorrectionsFilterForm,
    StudentLeaveForm,
    SubstituteForm,
)
from attendance.models import StaffAbsence, TotalSessionsOverride
from billing.services import generate_bills
from credits.models import MakeupCredit
from credits.services.balances import set_available_credits
from tests.academics.factories import SectionFactory, UserFactory, consecutive_years
from tests.attendance.factories import TotalSessionsOverrideFactory
from tests.billing.conftest import OCTOBER, make_seed_group
from tests.credits.conftest import make_studio
from tests.snapshots import changed_tables, rolled_back, snapshot

from .strategies import TABLES, post_unchanged, twins_of

pytestmark = pytest.mark.django_db

SCRIPTS = ["arabic-indic", "persian", "full-width", "superscript"]
INVALID_CHOICE = "Select a valid choice. That choice is not one of the available choices."


def twin(pk: int, script: str) -> str:
    """`pk` in one of the scripts ("١٢", "۱۲", "１２", "¹²" for 12)."""
    return twins_of(pk)[SCRIPTS.index(script)]


def arabic(pk: int) -> str:
    return twin(pk, "arabic-indic")


# --- form fields ----------------------------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_select_refuses_a_valid_id_in_other_digits_with_its_invalid_choice_message(
    marking, script
):
    staff = User.objects.filter(school=marking.school)
    ascii_form = SubstituteForm({"substitute": str(marking.teacher.pk)}, substitutes=staff)
    other = twin(marking.teacher.pk, script)
    other_digits = SubstituteForm({"substitute": other}, substitutes=staff)

    assert ascii_form.is_valid() and ascii_form.cleaned_data["substitute"] == marking.teacher
    assert not other_digits.is_valid()
    assert other_digits.errors["substitute"] == [INVALID_CHOICE]


def test_the_list_filters_refuse_a_class_or_person_in_other_digits(marking):
    classes = SchoolClass.objects.filter(school=marking.school)
    listed = AttendanceListFilterForm(
        {"school_class": arabic(marking.school_class.pk)}, classes=classes
    )
    corrections = CorrectionsFilterForm(
        {
            "school_class": arabic(marking.school_class.pk),
            "changed_by": arabic(marking.teacher.pk),
            "slot_teacher": arabic(marking.teacher.pk),
        },
        school=marking.school,
    )

    assert listed.errors == {"school_class": [INVALID_CHOICE]}
    assert sorted(corrections.errors) == ["changed_by", "school_class", "slot_teacher"]


def _id_fields_of(form_class) -> dict[str, forms.Field]:
    """The form's model-choice fields (single and multiple), by name."""
    return {
        name: field
        for name, field in form_class.base_fields.items()
        if isinstance(field, forms.ModelChoiceField)
    }


def _forms_of(module) -> list[type[forms.BaseForm]]:
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type)
        and issubclass(value, forms.BaseForm)
        and value.__module__ == module.__name__
    ]


def test_every_model_choice_field_of_the_apps_forms_is_an_id_field():
    """A new form that uses Django's ModelChoiceField directly fails here."""
    plain, checked = [], 0
    for module in (academics.forms, attendance.forms, billing.forms, credits.forms):
        for form_class in _forms_of(module):
            for name, field in _id_fields_of(form_class).items():
                wanted = (
                    IdMultipleChoiceField
                    if isinstance(field, forms.ModelMultipleChoiceField)
                    else IdChoiceField
                )
                checked += 1
                if not isinstance(field, wanted):
                    plain.append(f"{form_class.__name__}.{name}")
    assert plain == []
    assert checked > 20  # 23 when this was written


def test_the_leave_form_refuses_a_student_in_other_digits(marking):
    student = marking.students[0]
    form = StudentLeaveForm(
        {"student": arabic(student), "start_date": "2026-09-07", "end_date": "2026-09-07"},
        students=StudentProfile.objects.filter(pk__in=marking.students),
    )
    assert not form.is_valid()


# --- the staff-absence page -------------------------------------------------------------------


def test_the_staff_absence_page_takes_a_superscript_teacher_as_no_teacher(client, marking):
    client.force_login(marking.admin)

    response = client.get("/attendance/staff-absence/", {"teacher": "²"})

    assert response.status_code == 200
    assert "Choose a teacher and a date to see their periods." in response.content.decode()


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_staff_absence_page_shows_no_periods_for_a_teacher_in_other_digits(
    client, marking, script
):
    client.force_login(marking.admin)
    day = {"date": "2026-09-07"}

    ascii_page = client.get("/attendance/staff-absence/", {"teacher": marking.teacher.pk, **day})
    other = client.get(
        "/attendance/staff-absence/", {"teacher": twin(marking.teacher.pk, script), **day}
    )

    assert "Period 3 · Maths 9A" in ascii_page.content.decode()
    assert other.status_code == 200
    html = other.content.decode()
    assert "Period 3 · Maths 9A" not in html
    assert "Choose a teacher and a date to see their periods." in html


def test_marking_a_teacher_absent_in_other_digits_is_refused_and_writes_nothing(client, marking):
    client.force_login(marking.admin)
    body = {"teacher": arabic(marking.teacher.pk), "date": "2026-09-07", "reason": "sick"}

    response, changed = post_unchanged(client, "/attendance/staff-absence/", body)

    assert response.status_code == 200
    assert INVALID_CHOICE in response.content.decode()
    assert changed == []
    assert not StaffAbsence.objects.exists()


def test_the_period_picker_form_refuses_a_teacher_in_other_digits(marking):
    teachers = User.objects.filter(pk=marking.teacher.pk)
    form = AbsentTeacherDayForm(
        {"teacher": twin(marking.teacher.pk, "full-width"), "date": "2026-09-07"},
        teachers=teachers,
    )
    assert form.errors == {"teacher": [INVALID_CHOICE]}


# --- the credits dialog -------------------------------------------------------------------------


@pytest.fixture
def studio():
    return make_studio()


@pytest.mark.parametrize("field", ["tutor", "students"])
def test_the_credits_dialog_refuses_a_tutor_or_student_in_other_digits(client, studio, field):
    client.force_login(studio.admin)
    body = {
        "students": [studio.sarah.pk, studio.omar.pk],
        "tutor": studio.tutor_a.pk,
        "amount": "3",
        "on_page": "²",
    }
    body[field] = arabic(studio.tutor_a.pk if field == "tutor" else studio.sarah.pk)

    response, changed = post_unchanged(client, "/credits/set/", body, htmx=True)

    assert response.status_code == 200
    message = "Select a tutor." if field == "tutor" else "Select students from the list."
    assert message in response.content.decode()
    assert changed == []


def test_the_credits_dialog_takes_a_superscript_on_page_as_no_row(client, studio):
    """`on_page` (the rows the list shows) written "²" names no row: the credits are set
    and no row is swapped in."""
    client.force_login(studio.admin)
    body = {"students": [studio.sarah.pk], "tutor": studio.tutor_a.pk, "amount": "3"}

    response = client.post("/credits/set/", body | {"on_page": "²"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "<template>" not in response.content.decode()
    credit = MakeupCredit.objects.get(student=studio.sarah, tutor=studio.tutor_a)
    assert credit.available == 3


# --- list filters and the promotion wizard's years ----------------------------------------------


def test_the_bills_list_does_not_apply_a_group_in_other_digits(client):
    ours = make_seed_group()
    generate_bills(school_class=ours.group, start=OCTOBER[0], end=OCTOBER[1], actor=None)
    client.force_login(ours.accountant)

    response = client.get("/billing/bills/", {"group": arabic(ours.group.pk)})

    assert response.status_code == 200
    assert "That filter is not applied." in response.content.decode()


@pytest.fixture
def two_years():
    school = make_studio().school
    admin_user = UserFactory(school=school, role=Role.ADMIN)
    first, second = consecutive_years(school)
    return admin_user, first, second


def test_the_promotion_wizard_takes_a_year_in_other_digits_as_no_year(client, two_years):
    admin_user, first, second = two_years
    client.force_login(admin_user)

    ascii_ids = client.get("/promotion/new/plan/", {"from_year": first.pk, "to_year": second.pk})
    other = client.get(
        "/promotion/new/plan/", {"from_year": arabic(first.pk), "to_year": second.pk}
    )

    assert ascii_ids.status_code in (200, 302)  # no students yet: back to step 1
    assert other.status_code == 404


# --- the JSON APIs ------------------------------------------------------------------------------


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_total_sessions_api_refuses_ids_as_strings_in_other_digits(client, marking, script):
    """A JSON id is a number: 12 is fine, "١٢" is refused like any bad id."""
    client.force_login(marking.admin)
    student = marking.students[0]
    url = "/attendance/update-total-sessions/"
    body = {"student_id": student, "total_sessions": 40, "class_id": marking.school_class.pk}

    refused = client.post(
        url, json.dumps(body | {"student_id": twin(student, script)}), "application/json"
    )
    taken = client.post(url, json.dumps(body), "application/json")

    assert refused.status_code == 400
    assert refused.json()["error"].startswith("student_id: ")
    assert taken.status_code == 200, taken.content
    assert TotalSessionsOverride.objects.get(student_id=student).total_sessions == 40


@pytest.mark.parametrize("script", SCRIPTS)
def test_the_billing_api_refuses_a_group_in_other_digits(client, script):
    ours = make_seed_group()
    client.force_login(ours.accountant)
    group = twin(ours.group.pk, script)

    generated = client.post(
        "/api/accounting/attendance/generate-payments",
        json.dumps({"groupId": group, "startDate": "2025-10-01", "endDate": "2025-10-31"}),
        "application/json",
    )
    calculated = client.get(f"/api/accounting/attendance/calculate/{group}")
    revenue = client.get(f"/api/accounting/groups/{group}/revenue")

    assert generated.status_code == 400
    assert generated.json()["message"].startswith("groupId: ")
    assert (calculated.status_code, revenue.status_code) == (404, 404)


# --- the admin ----------------------------------------------------------------------------------


@pytest.fixture
def office(studio):
    """The studio's admin with the Django admin open to them (is_staff)."""
    studio.admin.is_staff = True
    studio.admin.save(update_fields=["is_staff"])
    return studio


@pytest.mark.parametrize("tutor", ["²", "arabic-indic twin"])
def test_an_admin_tutor_filter_in_other_digits_filters_nothing_and_answers(client, office, tutor):
    set_available_credits(
        students=[office.sarah], tutor=office.tutor_a, amount=2, actor=office.admin
    )
    set_available_credits(
        students=[office.omar], tutor=office.tutor_b, amount=1, actor=office.admin
    )
    client.force_login(office.admin)
    value = arabic(office.tutor_a.pk) if tutor == "arabic-indic twin" else tutor

    response = client.get("/admin/credits/makeupcredit/", {"tutor": value})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 2  # not filtered to Amal's one


def test_an_admin_related_filter_in_other_digits_is_a_bad_lookup(client, office):
    """`?school_class__id__exact=١٢` is refused like `=abc` (the change list's "?e=1"),
    not read as class 12."""
    for school_class in (office.piano, office.violin):
        TotalSessionsOverrideFactory(membership=school_class.memberships.get(student=office.sarah))
    client.force_login(office.admin)
    url = "/admin/attendance/totalsessionsoverride/"

    ascii_filter = client.get(url, {"school_class__id__exact": office.piano.pk})
    other = client.get(url, {"school_class__id__exact": arabic(office.piano.pk)})

    assert ascii_filter.context["cl"].result_count == 1
    assert other.status_code == 302
    assert other["Location"].endswith("?e=1")


def test_an_admin_change_form_refuses_a_foreign_key_in_other_digits(client, office):
    section = SectionFactory(school_class=office.piano, name="Morning")
    client.force_login(office.admin)
    url = f"/admin/academics/section/{section.pk}/change/"
    body = {"name": "Morning", "capacity": "12", "is_active": "on"}

    response = client.post(url, body | {"school_class": arabic(office.violin.pk)})

    assert response.status_code == 200
    assert INVALID_CHOICE in response.content.decode()
    section.refresh_from_db()
    assert section.school_class == office.piano
    moved = client.post(url, body | {"school_class": office.violin.pk})
    assert moved.status_code == 302
    assert Section.objects.get(pk=section.pk).school_class == office.violin


def test_every_admin_builds_its_relations_as_id_fields(rf_superuser):
    """Every registered model admin of the four apps, and its inlines, build each
    foreign key and many-to-many field as an Id field (ASCII digits only)."""
    apps = {"academics", "attendance", "billing", "credits"}
    plain, checked = [], 0
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in apps:
            continue
        admins = [model_admin, *model_admin.get_inline_instances(rf_superuser)]
        for each in admins:
            for db_field in each.model._meta.get_fields():
                if not isinstance(db_field, models.ForeignKey | models.ManyToManyField):
                    continue
                field = each.formfield_for_dbfield(db_field, rf_superuser)
                if field is None:
                    continue
                wanted = IdMultipleChoiceField if db_field.many_to_many else IdChoiceField
                checked += 1
                if not isinstance(field, wanted):
                    plain.append(f"{type(each).__name__}.{db_field.name}")
    assert plain == []
    assert checked > 100  # every relation of every admin: 150 when this was written


@pytest.fixture
def rf_superuser():
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(
        school=None, role=Role.ADMIN, is_staff=True, is_superuser=True, username="root"
    )
    return request


def test_nothing_is_written_by_a_refused_admin_change(client, office):
    """The same refusal, with every table compared before and after."""
    section = SectionFactory(school_class=office.piano, name="Evening")
    client.force_login(office.admin)
    with rolled_back():
        before = snapshot(*TABLES)
        client.post(
            f"/admin/academics/section/{section.pk}/change/",
            {"name": "Renamed", "capacity": "3", "school_class": arabic(office.violin.pk)},
        )
        after = snapshot(*TABLES)
    assert changed_tables(before, after) == []
