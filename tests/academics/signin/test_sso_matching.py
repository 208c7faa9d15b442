"""Single sign-on: an identity signs in as the imported user it matches, or is refused with a
page that says why; no identity ever creates a user (docs/operations/sign-in.md)."""

import pytest
from allauth.core import context
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.internal.flows.login import complete_login
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore

from academics.models import Role, User
from academics.signin.views import identity_provider_origins
from config.sso import sso_providers
from tests.academics.factories import (
    SchoolFactory,
    StaffProfileFactory,
    StudentProfileFactory,
    UserFactory,
)

PROVIDERS = sso_providers(
    {
        "SSO_CLEVER_CLIENT_ID": "clever-id",
        "SSO_CLEVER_SECRET": "clever-secret",
        "SSO_OIDC_DISTRICT_SERVER_URL": "https://id.district.example/realms/schools",
        "SSO_OIDC_DISTRICT_CLIENT_ID": "rollbook",
        "SSO_OIDC_DISTRICT_SECRET": "oidc-secret",
        "SSO_OIDC_DISTRICT_LABEL": "District sign-in",
        "SSO_OIDC_DISTRICT_SIS_ID_CLAIM": "employee_id",
    }
)


@pytest.fixture(autouse=True)
def providers(settings):
    settings.SOCIALACCOUNT_PROVIDERS = PROVIDERS


def oidc(email, *, verified=True, sub="subject-1", **claims):
    return {"userinfo": {"sub": sub, "email": email, "email_verified": verified, **claims}}


def clever(clever_id, *, sis_id="", email="", role="teacher"):
    roles = {role: {"sis_id": sis_id, "credentials": {"district_username": "x"}}}
    return {"data": {"id": clever_id, "email": email, "roles": roles, "name": {}}}


def sign_in_with(rf, provider_id, data):
    """Run allauth's social login flow for `data`, as the provider's callback would."""
    request = rf.get("/accounts/callback/")
    request.session = SessionStore()
    request.user = AnonymousUser()
    request._messages = FallbackStorage(request)
    with context.request_context(request):
        provider = get_adapter().get_provider(request, provider_id)
        sociallogin = provider.sociallogin_from_response(request, data)
        response = complete_login(request, sociallogin)
    return request, response


def signed_in_as(request):
    return request.user if request.user.is_authenticated else None


@pytest.fixture
def teacher(db):
    return UserFactory(
        role=Role.TEACHER, username="t.hughes", email="Tom.Hughes@School.example", password="!"
    )


def test_a_verified_email_signs_in_as_the_imported_user_whatever_its_case(rf, teacher):
    request, response = sign_in_with(rf, "district", oidc("tom.hughes@school.example"))
    assert response.status_code == 302
    assert signed_in_as(request) == teacher
    # The identity is now connected: the next sign-in needs no matching.
    assert SocialAccount.objects.get(user=teacher).uid == "subject-1"
    assert User.objects.count() == 1


def test_an_unverified_email_is_not_trusted(rf, teacher):
    _, response = sign_in_with(rf, "district", oidc("tom.hughes@school.example", verified=False))
    assert response.status_code == 403
    assert "did not give Rollbook a verified email address" in response.text
    assert not SocialAccount.objects.exists()


def test_clever_signs_in_by_the_sis_id_of_the_staff_profile(rf, db):
    staff = StaffProfileFactory(source_id="T-1001", user__email="")
    request, response = sign_in_with(rf, "clever", clever("5f3c0a", sis_id="T-1001"))
    assert response.status_code == 302
    assert signed_in_as(request) == staff.user


def test_clever_matches_students_by_their_sis_id_too(rf, db):
    student = StudentProfileFactory(school=SchoolFactory(), source_id="S-77")
    request, _ = sign_in_with(rf, "clever", clever("c-9", sis_id="S-77", role="student"))
    assert signed_in_as(request) == student.user


def test_an_oidc_claim_named_by_the_deployment_is_the_sis_id(rf, db):
    staff = StaffProfileFactory(source_id="E-55", user__email="")
    request, _ = sign_in_with(rf, "district", oidc("someone@else.example", employee_id="E-55"))
    assert signed_in_as(request) == staff.user


def test_an_identity_matching_nobody_is_refused_and_creates_no_user(rf, teacher):
    request, response = sign_in_with(rf, "district", oidc("you@x.example"))
    assert response.status_code == 403
    assert "No Rollbook account matches you@x.example; ask your school office." in response.text
    assert signed_in_as(request) is None
    assert User.objects.count() == 1 and not SocialAccount.objects.exists()


def test_an_inactive_user_is_refused(rf, teacher):
    teacher.is_active = False
    teacher.save()
    request, response = sign_in_with(rf, "district", oidc("tom.hughes@school.example"))
    assert response.status_code == 403
    assert "is switched off" in response.text
    assert signed_in_as(request) is None


def test_an_address_shared_by_two_active_users_is_refused(rf, teacher):
    UserFactory(role=Role.GUARDIAN, email="tom.hughes@SCHOOL.example")
    request, response = sign_in_with(rf, "district", oidc("tom.hughes@school.example"))
    assert response.status_code == 403
    assert "Several Rollbook accounts match tom.hughes@school.example" in response.text
    assert signed_in_as(request) is None


def test_an_inactive_namesake_does_not_make_the_address_ambiguous(rf, teacher):
    UserFactory(role=Role.TEACHER, email="tom.hughes@school.example", is_active=False)
    request, _ = sign_in_with(rf, "district", oidc("tom.hughes@school.example"))
    assert signed_in_as(request) == teacher


def test_nobody_can_sign_up(client, db):
    closed = "Rollbook accounts are created by your school; there is no sign-up."
    assert closed in client.get("/accounts/signup/").text
    response = client.post(
        "/accounts/signup/",
        {"email": "new@x.example", "username": "new", "password1": "x" * 12, "password2": "x" * 12},
    )
    assert closed in response.text
    assert not User.objects.filter(username="new").exists()


def test_the_login_page_shows_only_the_configured_providers(client, db, settings):
    page = client.get("/accounts/login/").text
    assert "Sign in with Clever" in page
    assert "Sign in with District sign-in" in page
    assert "Google" not in page and "Microsoft" not in page
    # Each button may post on to its provider (Content-Security-Policy form-action).
    policy = client.get("/accounts/login/").headers["Content-Security-Policy"]
    assert "https://clever.com" in policy and "https://id.district.example" in policy

    settings.SOCIALACCOUNT_PROVIDERS = {}
    page = client.get("/accounts/login/").text
    assert "Sign in with" not in page
    assert identity_provider_origins(None) == []


def test_a_provider_added_in_the_django_admin_works_too(client, db, settings):
    settings.SOCIALACCOUNT_PROVIDERS = {}
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="county",
        name="County login",
        client_id="rollbook",
        secret="s",
        settings={"server_url": "https://login.county.example"},
    )
    response = client.get("/accounts/login/")
    assert "Sign in with County login" in response.text
    assert "https://login.county.example" in response.headers["Content-Security-Policy"]


def test_half_configured_providers_are_refused_at_start():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="SSO_GOOGLE_SECRET"):
        sso_providers({"SSO_GOOGLE_CLIENT_ID": "x"})
    with pytest.raises(ImproperlyConfigured, match="SSO_MICROSOFT_TENANT"):
        sso_providers({"SSO_MICROSOFT_CLIENT_ID": "x", "SSO_MICROSOFT_SECRET": "y"})
    shared = sso_providers(
        {
            "SSO_MICROSOFT_CLIENT_ID": "x",
            "SSO_MICROSOFT_SECRET": "y",
            "SSO_MICROSOFT_TENANT": "common",
        }
    )
    # A shared tenant's addresses are not the school's to vouch for.
    assert shared["microsoft"]["APPS"][0]["settings"]["verified_email"] is False
