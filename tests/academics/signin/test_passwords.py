""" "Forgot password?" and invitations: a one-time link by email sets a password under
Django's validators; a used link shows a clear page (docs/manual/signing-in.md)."""

import re

import pytest
from django.core import mail

from academics.models import Membership, Role, SchoolClass
from tests.academics.factories import SchoolFactory, StudentProfileFactory, UserFactory

NEW_PASSWORD = "plum-orchard-lantern-42"
LINK = re.compile(r"https?://[^\s]+/accounts/password/reset/key/[^\s]+")


def link_in(message) -> str:
    return LINK.search(message.body).group(0)


def set_password_through(client, link, password=NEW_PASSWORD, again=None):
    """Follow a password link and submit the form it leads to; return the answer."""
    form_page = client.get(link, follow=True)
    assert "Set your password" in form_page.text, form_page.text
    action = form_page.redirect_chain[-1][0]
    return client.post(action, {"password1": password, "password2": again or password})


@pytest.fixture
def imported(db):
    """An imported teacher: an address as the SIS spells it, and no usable password."""
    user = UserFactory(role=Role.TEACHER, username="r.okafor", email="R.Okafor@School.example")
    user.set_unusable_password()
    user.save()
    return user


def test_forgot_password_mails_a_link_that_sets_the_password_once(client, imported):
    page = client.get("/accounts/login/").text
    assert 'href="/accounts/password/reset/"' in page and "Forgot password?" in page

    response = client.post("/accounts/password/reset/", {"email": "r.okafor@school.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["r.okafor@school.example"]
    link = link_in(mail.outbox[0])

    done = set_password_through(client, link)
    assert done.status_code == 302
    imported.refresh_from_db()
    assert imported.check_password(NEW_PASSWORD)
    assert client.session["_auth_user_id"] == str(imported.pk)  # signed in at once

    client.logout()
    again = client.get(link, follow=True)
    assert "This link has already been used or has expired." in again.text
    assert (
        client.post("/accounts/login/", {"login": "r.okafor", "password": NEW_PASSWORD}).status_code
        == 302
    )


def test_the_password_rules_are_djangos_validators(client, imported):
    client.post("/accounts/password/reset/", {"email": imported.email})
    answer = set_password_through(client, link_in(mail.outbox[0]), password="12345678")
    assert answer.status_code == 200
    assert "This password is too common." in answer.text
    assert "This password is entirely numeric." in answer.text
    imported.refresh_from_db()
    assert not imported.has_usable_password()


def test_an_unknown_address_gets_the_same_answer_and_no_link(client, imported):
    response = client.post("/accounts/password/reset/", {"email": "nobody@school.example"})
    assert response.status_code == 302
    assert all(not LINK.search(m.body) for m in mail.outbox)


def test_an_expired_link_is_refused(client, imported, settings, time_machine):
    time_machine.move_to("2027-03-01 08:00Z", tick=False)
    client.post("/accounts/password/reset/", {"email": imported.email})
    link = link_in(mail.outbox[0])
    days = settings.PASSWORD_RESET_TIMEOUT // 86400
    time_machine.move_to(f"2027-03-{1 + days + 1:02d} 09:00Z", tick=False)
    assert "This link has already been used or has expired." in client.get(link, follow=True).text


# --- Invitations (the Django admin's user list) -----------------------------------------


@pytest.fixture
def school(db):
    return SchoolFactory(name="Nile Academy")


@pytest.fixture
def office(client, school):
    admin = UserFactory(school=school, role=Role.ADMIN, username="office")
    client.force_login(admin)
    return admin


def invite(client, users):
    return client.post(
        "/admin/academics/user/",
        {"action": "send_invitation", "_selected_action": [u.pk for u in users]},
        follow=True,
    )


def test_an_invitation_lets_each_person_set_their_own_password(client, school, office):
    staff = [
        UserFactory(school=school, role=Role.TEACHER, email=f"t{n}@school.example", password="!")
        for n in range(2)
    ]
    no_email = UserFactory(school=school, role=Role.ACCOUNTANT, email="")
    switched_off = UserFactory(school=school, role=Role.TEACHER, email="x@y.z", is_active=False)

    page = invite(client, [*staff, no_email, switched_off])
    assert "Sent 2 invitations." in page.text
    assert "Skipped 1 person without an email address." in page.text
    assert "Skipped 1 inactive account." in page.text
    assert sorted(m.to[0] for m in mail.outbox) == ["t0@school.example", "t1@school.example"]
    message = next(m for m in mail.outbox if m.to == ["t0@school.example"])
    assert "Nile Academy invites you to Rollbook" in message.subject
    assert staff[0].username in message.body

    client.logout()
    assert set_password_through(client, link_in(message)).status_code == 302
    staff[0].refresh_from_db()
    assert staff[0].check_password(NEW_PASSWORD)
    client.logout()
    assert "already been used" in client.get(link_in(message), follow=True).text


def test_an_admin_picks_the_guardians_of_a_class(client, school, office):
    school_class = SchoolClass.objects.create(school=school, name="7A")
    other_class = SchoolClass.objects.create(school=school, name="7B")
    in_class = StudentProfileFactory(school=school)
    elsewhere = StudentProfileFactory(school=school)
    for student, klass in ((in_class, school_class), (elsewhere, other_class)):
        Membership.objects.create(
            school=school, student=student, school_class=klass, joined_on="2026-09-01"
        )
    guardians = {}
    for student in (in_class, elsewhere):
        guardian = UserFactory(
            school=school, role=Role.GUARDIAN, email=f"{student.pk}@home.example"
        )
        guardian.guardian_profile.guardianships.create(school=school, student=student)
        guardians[student.pk] = guardian

    listing = client.get(
        "/admin/academics/user/", {"role__exact": "guardian", "school_class": school_class.pk}
    )
    shown = list(listing.context["cl"].queryset)
    assert shown == [guardians[in_class.pk]]


def test_an_admin_picks_all_staff_of_the_school(client, school, office):
    teacher = UserFactory(school=school, role=Role.TEACHER)
    accountant = UserFactory(school=school, role=Role.ACCOUNTANT)
    UserFactory(school=school, role=Role.GUARDIAN)
    StudentProfileFactory(school=school)
    UserFactory(role=Role.TEACHER)  # another school's

    listing = client.get("/admin/academics/user/", {"people": "staff"})
    assert set(listing.context["cl"].queryset) == {office, teacher, accountant}
