"""Single sign-on end to end: Chromium signs in through a real OpenID Connect provider
(node's oidc-provider, tests/oidc/provider.mjs, started on loopback) and lands on Rollbook
as the imported teacher its email matches; an identity matching nobody sees the refusal
page and nobody is signed in (docs/operations/sign-in.md). The login page fits a desktop
and a phone."""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from academics.models import Role, User
from config.sso import sso_providers
from tests.academics.factories import SchoolFactory, UserFactory
from tests.browser import sign_in

pytestmark = pytest.mark.browser

OIDC_DIR = Path(__file__).parent / "oidc"
CLIENT_ID, CLIENT_SECRET = "rollbook-tests", "rollbook-tests-secret"
ACCOUNTS = [
    {
        "login": "tom.hughes@school.example",
        "password": "idp-teacher-pw",
        "sub": "idp-0001",
        "email": "tom.hughes@school.example",
        "given_name": "Tom",
        "family_name": "Hughes",
    },
    {
        "login": "you@x.example",
        "password": "idp-stranger-pw",
        "sub": "idp-0002",
        "email": "you@x.example",
        "given_name": "Yu",
        "family_name": "Stranger",
    },
]


def node_modules_ready() -> Path:
    """tests/oidc's packages, installed from its package-lock.json when missing (`./dev`
    installs them too)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        pytest.fail("Node.js 20+ and npm are needed for the SSO browser tests: run ./dev test.")
    marker = OIDC_DIR / "node_modules" / ".package-lock.json"
    lock = OIDC_DIR / "package-lock.json"
    if not marker.exists() or marker.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=OIDC_DIR, check=True)
    return Path(node)


@pytest.fixture(scope="session")
def oidc_issuer(live_server):
    """A running OpenID Connect provider whose one client is Rollbook's live server."""
    node = node_modules_ready()
    env = {
        **os.environ,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URI": f"{live_server.url}/accounts/oidc/schoolid/login/callback/",
        "OIDC_ACCOUNTS": json.dumps(ACCOUNTS),
    }
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            [str(node), "provider.mjs"],
            cwd=OIDC_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        try:
            line = process.stdout.readline()
            if not line.startswith("listening "):
                log.seek(0)
                pytest.fail(f"The OIDC provider did not start: {line!r} {log.read()}")
            yield line.split()[1]
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
            process.stdout.close()


@pytest.fixture
def school_id_sso(oidc_issuer, settings):
    """Rollbook configured as a deployment would be: SSO_OIDC_SCHOOLID_* variables."""
    settings.SOCIALACCOUNT_PROVIDERS = sso_providers(
        {
            "SSO_OIDC_SCHOOLID_SERVER_URL": oidc_issuer,
            "SSO_OIDC_SCHOOLID_CLIENT_ID": CLIENT_ID,
            "SSO_OIDC_SCHOOLID_SECRET": CLIENT_SECRET,
            "SSO_OIDC_SCHOOLID_LABEL": "School ID",
        }
    )
    return oidc_issuer


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


def sign_in_at_the_provider(page, live_server, login, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in with School ID").click()
    expect(page.get_by_role("heading", name="School ID: sign in")).to_be_visible()
    page.get_by_label("Email").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()


def test_a_teacher_signs_in_through_the_schools_identity_provider(
    live_server, page, school_id_sso, imported_teacher
):
    refusals = []  # Content-Security-Policy refusals (a missing favicon is no concern)
    page.on("console", lambda m: refusals.append(m.text) if "Refused" in m.text else None)
    sign_in_at_the_provider(page, live_server, "tom.hughes@school.example", "idp-teacher-pw")

    expect(page.locator(".who")).to_contain_text("Tom Hughes · Nile Academy · Teacher")
    assert page.url.startswith(live_server.url)
    assert refusals == []
    assert User.objects.count() == 1
    assert imported_teacher.socialaccount_set.get().uid == "idp-0001"


def test_an_identity_matching_nobody_is_refused(live_server, page, school_id_sso, imported_teacher):
    sign_in_at_the_provider(page, live_server, "you@x.example", "idp-stranger-pw")

    expect(page.get_by_role("alert")).to_contain_text(
        "No Rollbook account matches you@x.example; ask your school office."
    )
    expect(page.locator(".who")).to_have_count(0)
    assert User.objects.count() == 1


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_the_login_page_fits_desktops_and_phones(
    live_server, page, school_id_sso, imported_teacher, width, height
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
