"""Single sign-on end to end: Chromium signs in through a real OpenID Connect provider
(node's oidc-provider, tests/oidc/provider.mjs, started on loopback) and lands on Rollbook
as the imported teacher its email matches; an identity matching nobody sees the refusal
page and nobody is signed in (docs/operations/sign-in.md). The login page fits a desktop
and a phone."""

import pytest
from playwright.sync_api import expect

from academics.models import Role, User
from tests.academics.factories import SchoolFactory, UserFactory
from tests.browser import sign_in
from tests.sso import oidc_issuer, school_id_sso, sign_in_at_the_provider  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture
def imported_teacher(transactional_db):
    teacher = UserFactory(
        school=SchoolFactory(name="Nile Academy"),
        role=Role.TEACHER,
        username="t.hughes",
        first_name="Tom",
        last_name="Hughes",
        email="Tom.Hughes@School.example",
    )
    teacher.set_unusable_password()  # imported: no password of its own
    teacher.save()
    return teacher


@pytest.mark.usefixtures("school_id_sso")
def test_a_teacher_signs_in_through_the_schools_identity_provider(
    live_server, page, imported_teacher
):
    refusals = []  # Content-Security-Policy refusals (a missing favicon is no concern)
    page.on("console", lambda m: refusals.append(m.text) if "Refused" in m.text else None)
    sign_in_at_the_provider(page, live_server, "tom.hughes@school.example", "idp-teacher-pw")

    expect(page.locator(".who")).to_contain_text("Tom Hughes · Nile Academy · Teacher")
    assert page.url.startswith(live_server.url)
    assert refusals == []
    assert User.objects.count() == 1
    assert imported_teacher.socialaccount_set.get().uid == "idp-0001"


@pytest.mark.usefixtures("school_id_sso")
def test_an_identity_matching_nobody_is_refused(live_server, page, imported_teacher):
    sign_in_at_the_provider(page, live_server, "you@x.example", "idp-stranger-pw")

    expect(page.get_by_role("alert")).to_contain_text(
        "No Rollbook account matches you@x.example; ask your school office."
    )
    expect(page.locator(".who")).to_have_count(0)
    assert User.objects.count() == 1


@pytest.mark.usefixtures("school_id_sso")
@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_the_login_page_fits_desktops_and_phones(
    live_server, page, imported_teacher, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{live_server.url}/accounts/login/")
    for control in (
        page.get_by_label("Username or email"),
        page.get_by_label("Password"),
        page.get_by_role("button", name="Sign in", exact=True),
        page.get_by_role("link", name="Forgot password?"),
        page.get_by_role("button", name="Sign in with School ID"),
    ):
        expect(control).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # A password still signs in too, from the same page.
    imported_teacher.set_password("a-password-of-her-own")
    imported_teacher.save()
    page.get_by_label("Username or email").fill("T.Hughes")
    page.get_by_label("Password").fill("a-password-of-her-own")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".who")).to_contain_text("Tom Hughes")


def test_the_shared_sign_in_step_still_works(live_server, page, imported_teacher):
    imported_teacher.set_password("correct-horse-battery")
    imported_teacher.save()
    sign_in(page, live_server, imported_teacher.username)
    expect(page.locator(".who")).to_contain_text("Tom Hughes")
