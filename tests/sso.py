"""Single sign-on against a real OpenID Connect provider in browser tests
(docs/development/tests.md, "Single sign-on against a real provider").

Import the fixtures into a test module to use them:
`from tests.sso import oidc_issuer, school_id_sso, sign_in_at_the_provider  # noqa: F401`.
`school_id_sso` configures Rollbook's "School ID" provider against the running
`oidc_issuer` (node's oidc-provider, tests/oidc/provider.mjs); `ACCOUNTS` are the
identities it knows, e.g. tom.hughes@school.example with the password idp-teacher-pw.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from config.sso import sso_providers

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


def real_time() -> float:
    """The machine's clock, even while time-machine has moved this process's."""
    try:
        from time_machine import escape_hatch
    except ImportError:  # pragma: no cover
        return time.time()
    return escape_hatch.time.time() if escape_hatch.is_travelling() else time.time()


@pytest.fixture(scope="session")
def oidc_issuer(live_server, _moved_clock):
    """A running OpenID Connect provider whose one client is Rollbook's live server."""
    node = node_modules_ready()
    env = {
        **os.environ,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URI": f"{live_server.url}/accounts/oidc/schoolid/login/callback/",
        "OIDC_ACCOUNTS": json.dumps(ACCOUNTS),
        # `--clock` (tests/conftest.py) moves this process's time: the provider's tokens
        # must be issued on the same clock, or Rollbook would find them expired.
        "OIDC_CLOCK_OFFSET_MS": str(round((time.time() - real_time()) * 1000)),
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


def sign_in_at_the_provider(page, live_server, login, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="Sign in with School ID").click()
    expect(page.get_by_role("heading", name="School ID: sign in")).to_be_visible()
    page.get_by_label("Email").fill(login)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()
