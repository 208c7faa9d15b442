"""Guardians in the Django admin (docs/manual/guardians.md): a school admin links a
guardian to children of their own school, never to another school's."""

import pytest
from django.urls import reverse

from academics.models import GuardianProfile, Guardianship, Role, StudentProfile
from tests.academics.factories import StudentProfileFactory, UserFactory

from .helpers import change_list_rows, url

pytestmark = pytest.mark.django_db


def _guardian_form(guardian: GuardianProfile, children: list[tuple[int, str]]) -> dict:
    """The change form of `guardian` adding `children` (student pk, relationship) inline."""
    data = {
        "user": guardian.user_id,
        "phone": "0100 555 0101",
        "source_id": "",
        "notify_absences": "on",
        "notify_bills": "on",
        "guardianships-TOTAL_FORMS": str(len(children)),
        "guardianships-INITIAL_FORMS": "0",
        "guardianships-MIN_NUM_FORMS": "0",
        "guardianships-MAX_NUM_FORMS": "1000",
    }
    for n, (student, relationship) in enumerate(children):
        data[f"guardianships-{n}-student"] = str(student)
        data[f"guardianships-{n}-relationship"] = relationship
    return data


def test_a_new_guardian_user_is_linked_to_a_second_child_inline(client, school_admin, rows):
    client.force_login(school_admin)
    guardian = UserFactory(school=rows[StudentProfile].school, role=Role.GUARDIAN)
    profile = guardian.guardian_profile  # made when the user was saved
    brother = StudentProfileFactory(school=rows[StudentProfile].school)

    response = client.post(
        url(GuardianProfile, "change", profile.pk),
        _guardian_form(profile, [(rows[StudentProfile].pk, "Father"), (brother.pk, "Father")]),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    links = Guardianship.objects.filter(guardian=profile)
    assert {link.student_id for link in links} == {rows[StudentProfile].pk, brother.pk}
    assert {link.school_id for link in links} == {profile.school_id}
    profile.refresh_from_db()
    assert profile.phone == "0100 555 0101"
    listing = client.get(url(GuardianProfile, "changelist"))
    assert profile in change_list_rows(listing)


def test_another_schools_student_cannot_be_linked(client, school_admin, rows, other_rows):
    client.force_login(school_admin)
    profile = rows[GuardianProfile]

    response = client.post(
        url(GuardianProfile, "change", profile.pk),
        _guardian_form(profile, [(other_rows[StudentProfile].pk, "Mother")]),
    )

    assert response.status_code == 200
    assert not Guardianship.objects.filter(
        guardian=profile, student=other_rows[StudentProfile]
    ).exists()
    assert Guardianship.objects.filter(guardian=profile).count() == 1


def test_the_child_autocomplete_offers_only_the_admins_students(
    client, school_admin, rows, other_rows
):
    client.force_login(school_admin)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "academics",
            "model_name": "guardianship",
            "field_name": "student",
            "term": "",
        },
    )
    assert response.status_code == 200
    assert {int(r["id"]) for r in response.json()["results"]} == {rows[StudentProfile].pk}


def test_a_students_page_lists_their_guardians(client, school_admin, rows):
    client.force_login(school_admin)
    response = client.get(url(StudentProfile, "change", rows[StudentProfile].pk))
    assert response.status_code == 200
    formset = next(
        f for f in response.context["inline_admin_formsets"] if f.opts.model is Guardianship
    )
    assert [form.instance.guardian for form in formset.formset] == [rows[GuardianProfile]]
