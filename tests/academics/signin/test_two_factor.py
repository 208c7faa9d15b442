"""Two-factor (allauth's TOTP): anyone may turn it on; a school that requires it sends its
admins and accountants without it to set it up, and nothing else opens until they have
(docs/operations/sign-in.md, "Requiring two-factor")."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)

from academics.models import Role
from tests.academics.factories import PASSWORD, SchoolFactory, UserFactory

SETUP = "/accounts/2fa/totp/activate/"
ASK_CODE = "/accounts/2fa/authenticate/"


def code_for(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def lands_on(client, url="/") -> str:
    """The path a page load ends on, after its redirects."""
    response = client.get(url, follow=True)
    assert response.status_code == 200, url
    return response.request["PATH_INFO"]


def sign_in(client, user):
    return client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})


@pytest.fixture
def school(db):
    return SchoolFactory(require_two_factor=True)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.ACCOUNTANT])
def test_an_admin_or_accountant_without_totp_is_sent_to_set_it_up(client, school, role):
    user = UserFactory(school=school, role=role)
    assert sign_in(client, user).status_code == 302
    for page in ("/", "/billing/groups/", "/admin/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == SETUP
    # A JSON client is told why instead of being redirected.
    api = client.get("/billing/groups/", HTTP_ACCEPT="application/json")
    assert api.status_code == 403 and "two-factor" in api.json()["message"]

    # Just signed in: no second password prompt.
    setup = client.get(SETUP)
    assert setup.status_code == 200
    assert "Your school requires two-factor authentication" in setup.text
    secret = setup.context["form"].secret
    done = client.post(SETUP, {"code": code_for(secret)})
    assert done.status_code == 302  # on to the recovery codes
    recovery = client.get(done["Location"])
    assert recovery.status_code == 200 and "Recovery" in recovery.text
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert lands_on(client) != SETUP


def test_other_roles_and_other_schools_are_not_held(client, school):
    teacher = UserFactory(school=school, role=Role.TEACHER)
    sign_in(client, teacher)
    assert lands_on(client) not in (SETUP, "/accounts/login/")
    client.logout()
    relaxed_admin = UserFactory(school=SchoolFactory(require_two_factor=False), role=Role.ADMIN)
    sign_in(client, relaxed_admin)
    assert lands_on(client) not in (SETUP, "/accounts/login/")


def test_with_totp_the_code_is_asked_after_the_password(client, school):
    user = UserFactory(school=school, role=Role.ADMIN)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)

    response = sign_in(client, user)
    assert response.status_code == 302 and response["Location"] == ASK_CODE
    assert "_auth_user_id" not in client.session
    assert lands_on(client) == ASK_CODE  # not signed in yet: the code comes first

    wrong = client.post(ASK_CODE, {"code": "000000" if code_for(secret) != "000000" else "111111"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    right = client.post(ASK_CODE, {"code": code_for(secret)})
    assert right.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert lands_on(client) not in (SETUP, "/accounts/login/")


def test_anyone_may_turn_on_two_factor(client, db):
    teacher = UserFactory(role=Role.TEACHER)
    client.force_login(teacher)
    page = client.get("/", follow=True)
    assert 'href="/accounts/2fa/"' in page.text
    assert client.get("/accounts/2fa/").status_code == 200


def test_later_on_setting_it_up_asks_for_the_password_again(client, db, time_machine):
    time_machine.move_to("2027-03-01 08:00Z", tick=True)
    teacher = UserFactory(role=Role.TEACHER)
    sign_in(client, teacher)
    assert client.get(SETUP).status_code == 200
    time_machine.move_to("2027-03-01 08:06Z", tick=True)
    ask = client.get(SETUP)
    assert ask.status_code == 302 and ask["Location"].startswith("/accounts/reauthenticate/")
    again = client.post(ask["Location"], {"password": PASSWORD})
    assert again.status_code == 302 and again["Location"] == SETUP
    assert client.get(SETUP).status_code == 200


def test_nobody_edits_their_own_email_address(client, db):
    client.force_login(UserFactory(role=Role.TEACHER))
    response = client.get("/accounts/email/")
    assert response.status_code == 404


def test_a_required_admin_cannot_remove_the_authenticator(client, school):
    user = UserFactory(school=school, role=Role.ADMIN)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    sign_in(client, user)
    client.post(ASK_CODE, {"code": code_for(secret)})
    response = client.post("/accounts/2fa/totp/deactivate/")
    assert response.status_code == 200
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
