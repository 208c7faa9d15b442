"""Login throttling (django-axes) and the Content-Security-Policy header.

Throttling: five wrong passwords for one username from one address lock that pair out for
the cool-off (the fifth already answers with the lockout page); other people and other
addresses are not affected, a successful sign-in clears the count, the username or the
email address (in any case) count as one person, the admin's login is the same page, and
behind a reverse proxy the client's own address is the one counted.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from academics.models import Role
from tests.academics.factories import PASSWORD, UserFactory

LIMIT = settings.AXES_FAILURE_LIMIT
LOGIN = "/accounts/login/"
ADMIN_LOGIN = "/admin/login/"
WRONG_PASSWORD = "not-the-password"


def attempt(client, username, password, *, url=LOGIN, **extra):
    """Post the login form (django-allauth's: the username or email goes in `login`)."""
    return client.post(url, {"login": username, "password": password}, **extra)


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def fail(client, username, times, **extra):
    """Post `times` wrong passwords; return the answers' status codes."""
    return [attempt(client, username, WRONG_PASSWORD, **extra).status_code for _ in range(times)]


@pytest.fixture
def teacher(db):
    return UserFactory(role=Role.TEACHER, username="guessed")


def test_the_policy_is_five_attempts_and_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(client, teacher):
    # The first four are ordinary failures: the form again, with its error.
    for _ in range(LIMIT - 1):
        response = attempt(client, teacher.username, WRONG_PASSWORD)
        assert response.status_code == 200
        assert "The username and/or password you specified are not correct" in response.text

    fifth = attempt(client, teacher.username, WRONG_PASSWORD)
    assert fifth.status_code == 429
    assert "Account locked" in fifth.text

    sixth = attempt(client, teacher.username, PASSWORD)
    assert sixth.status_code == 429
    assert "Too many wrong passwords" in sixth.text
    assert "Try again in 15 minutes" in sixth.text
    assert sixth["Retry-After"] == str(15 * 60)
    assert not is_signed_in(client)
    assert client.get(reverse("home")).status_code == 302  # still sent to the login page


def test_a_lockout_does_not_touch_other_people_or_other_addresses(client, teacher):
    colleague = UserFactory(role=Role.TEACHER, username="colleague")
    assert fail(client, teacher.username, LIMIT)[-1] == 429

    # Someone else, from the same address, signs in.
    assert attempt(client, colleague.username, PASSWORD).status_code == 302
    client.logout()
    # The same person, from another address (at home, say), signs in too.
    elsewhere = attempt(client, teacher.username, PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert elsewhere.status_code == 302 and is_signed_in(client)
    client.logout()
    # From the guessing address it is still locked.
    assert attempt(client, teacher.username, PASSWORD).status_code == 429


def test_a_successful_sign_in_resets_the_count(client, teacher):
    assert fail(client, teacher.username, LIMIT - 1) == [200] * (LIMIT - 1)
    assert attempt(client, teacher.username, PASSWORD).status_code == 302
    client.logout()

    # Four more wrong passwords are four, not eight: not locked.
    assert fail(client, teacher.username, LIMIT - 1) == [200] * (LIMIT - 1)
    assert attempt(client, teacher.username, PASSWORD).status_code == 302


def test_the_admin_login_is_the_same_throttled_page(client, db):
    """The admin's own login form would skip two-factor: /admin/login/ sends people to the
    one login page, whose count covers admins too."""
    admin = UserFactory(role=Role.ADMIN, username="school-admin")
    assert admin.is_staff
    sent = client.get(ADMIN_LOGIN)
    assert sent.status_code == 302
    assert sent["Location"].startswith(LOGIN + "?next=")
    posted = client.post(ADMIN_LOGIN, {"username": admin.username, "password": PASSWORD})
    assert posted.status_code == 302 and not is_signed_in(client)

    answers = fail(client, admin.username, LIMIT)
    assert answers == [200] * (LIMIT - 1) + [429]
    locked = attempt(client, admin.username, PASSWORD)
    assert locked.status_code == 429 and "Account locked" in locked.text
    assert not is_signed_in(client)


def test_the_email_address_and_the_username_count_as_one_person(client, db):
    """Wrong tries by address (any case) and by username add up; the right password by
    username then clears them all."""
    person = UserFactory(role=Role.TEACHER, username="ann.lee", email="Ann.Lee@School.example")
    fail(client, "ann.lee@school.example", 2)
    fail(client, "ANN.LEE", 2)
    assert attempt(client, "Ann.Lee@School.example", WRONG_PASSWORD).status_code == 429
    client.logout()
    # Signing in by address works like signing in by username (once not locked).
    other = UserFactory(role=Role.TEACHER, username="bo", email="Bo@School.example")
    assert attempt(client, "bo@school.example", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)
    assert person.pk != other.pk


def test_behind_the_proxy_the_forwarded_client_address_is_counted(client, teacher, settings):
    """With one trusted proxy, the address nginx appended to X-Forwarded-For is the client;
    all requests come from the proxy's own REMOTE_ADDR."""
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    guesser = {**proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    assert fail(client, teacher.username, LIMIT, **guesser)[-1] == 429

    # A made-up entry on the left (written by the client) does not dodge the lockout.
    spoofed = {**proxy, "HTTP_X_FORWARDED_FOR": "192.0.2.99, 203.0.113.5"}
    assert attempt(client, teacher.username, PASSWORD, **spoofed).status_code == 429
    # The real teacher, at another address behind the same proxy, is not locked out.
    teacher_home = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.20"}
    assert attempt(client, teacher.username, PASSWORD, **teacher_home).status_code == 302


def test_without_a_trusted_proxy_a_forwarded_header_is_ignored(client, teacher):
    """No proxy configured (the default): a guesser cannot reset the count by sending a
    fresh X-Forwarded-For with every attempt."""
    for n in range(LIMIT):
        last = attempt(
            client, teacher.username, WRONG_PASSWORD, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
        )
    assert last.status_code == 429


# --- Content-Security-Policy ---------------------------------------------------------------


def directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def test_pages_carry_a_policy_that_allows_no_inline_script_or_style(client, teacher):
    for url in (LOGIN, reverse("attendance:my_periods")):
        if url != LOGIN:  # a signed-in visitor of the login page is sent home
            client.force_login(teacher)
        response = client.get(url)
        assert response.status_code == 200, url
        policy = directives(response)
        assert policy["default-src"] == ["'self'"]
        for kind in ("script-src", "style-src"):
            assert "'self'" in policy[kind]
            assert "'unsafe-inline'" not in policy[kind], (url, kind)
            assert "'unsafe-eval'" not in policy[kind]
            # Nothing else but our origin and, for the admin's tagged elements, a nonce.
            assert all(v == "'self'" or v.startswith("'nonce-") for v in policy[kind])
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["form-action"] == ["'self'"]
        assert policy["base-uri"] == ["'self'"]
        assert policy["img-src"] == ["'self'", "data:"]


def test_the_nonce_changes_with_every_request(client, db):
    client.force_login(UserFactory(role=Role.ADMIN, is_superuser=True, school=None))
    nonces = set()
    for _ in range(2):
        policy = directives(client.get("/admin/"))
        nonces.update(v for v in policy["script-src"] if v.startswith("'nonce-"))
    assert len(nonces) == 2


# Email bodies are read in mail programs, where the policy does not reach and inline styles
# are the only styles that work.
EMAIL_TEMPLATES = ("notifications", "account/email")


def templates() -> list[Path]:
    apps = ("academics", "attendance", "billing", "credits", "guardians", "notifications")
    roots = [settings.BASE_DIR / "templates", *(settings.BASE_DIR / a / "templates" for a in apps)]
    found = [
        p
        for root in roots
        if root.is_dir()
        for p in root.rglob("*")
        if p.is_file() and not str(p.relative_to(root)).startswith(EMAIL_TEMPLATES)
    ]
    assert len(found) > 30  # the scan below does look at our templates
    return found


COMMENT = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.S)
INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "inline <style>": re.compile(r"<style\b", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def test_no_template_has_inline_script_style_or_handlers():
    """The policy would block them in the browser; a new template with one fails here."""
    offences = [
        f"{path.relative_to(settings.BASE_DIR)}: {what}"
        for path in templates()
        for what, pattern in INLINE.items()
        if pattern.search(COMMENT.sub("", path.read_text()))
    ]
    assert offences == []


def test_htmx_is_told_not_to_inject_its_indicator_style(client, teacher):
    client.force_login(teacher)
    page = client.get(reverse("attendance:my_periods")).text
    assert '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>' in page
    css = (settings.BASE_DIR / "static" / "rollbook.css").read_text()
    assert ".htmx-request .htmx-indicator" in css


def test_session_and_csrf_cookies_are_same_site_and_http_only(client, teacher):
    response = attempt(client, teacher.username, PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    client.logout()
    assert client.get(LOGIN).cookies[settings.CSRF_COOKIE_NAME]["samesite"] == "Lax"
