"""Two-factor in the browser (docs/manual/signing-in.md): a school that requires it sends
its admin, right after signing in, to set up an authenticator app; once done, the next
sign-in asks for the code. On a phone, with no Content-Security-Policy refusal."""

import pytest
from allauth.mfa.totp.internal.auth import (
    format_hotp_value,
    hotp_value,
    yield_hotp_counters_from_time,
)
from playwright.sync_api import expect

from academics.models import Role
from tests.academics.factories import SchoolFactory, UserFactory
from tests.browser import sign_in

pytestmark = pytest.mark.browser


def code_for(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


@pytest.fixture
def office_admin(transactional_db):
    school = SchoolFactory(name="Nile Academy", require_two_factor=True)
    return UserFactory(school=school, role=Role.ADMIN, username="office", first_name="Ola")


def test_a_required_admin_sets_up_two_factor_then_is_asked_for_the_code(
    live_server, page, office_admin
):
    page.set_viewport_size({"width": 390, "height": 844})
    refusals = []
    page.on("console", lambda m: refusals.append(m.text) if "Refused" in m.text else None)

    sign_in(page, live_server, office_admin.username)
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Your school requires two-factor")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Other pages send the admin back until it is done.
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()

    secret = page.get_by_label("Authenticator secret").input_value()
    page.get_by_label("Authenticator code").fill(code_for(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()

    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_have_count(0)

    page.goto(f"{live_server.url}/attendance/list/")
    page.get_by_role("button", name="Menu").click()  # on a phone the top bar is folded
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, office_admin.username)
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.get_by_label("Code").fill(code_for(secret))
    page.get_by_role("button", name="Sign In").click()
    expect(page.locator(".who")).to_contain_text("Nile Academy · Admin")
    assert refusals == []
