"""Test set-up shared by every app's tests.

- PostgreSQL: when DATABASE_URL asks for it and the server can't be reached, the run
  fails at once (exit 3) instead of skipping or erroring test by test.
- Browser tests drive Debian's Chromium (`/usr/bin/chromium`): Playwright's own
  browser download does not work on this machine. A missing Chromium is a failure.
- `--clock=2028-02-29T07:30` runs the suite with the wall clock moved there (time-machine,
  ticking), so a test that reads today without setting it shows itself: `.ci/run` runs the
  suite again that way. A test that needs a date sets it (`time_machine` fixture).
"""

import datetime
import os

import pytest
from hypothesis import settings as hypothesis_settings

# CI replays the same examples every run (a property test that fails there fails here,
# with the same input); `HYPOTHESIS_PROFILE=explore` (or any run outside CI) draws new
# ones. Failing examples found locally are kept in .hypothesis/ and tried first.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("explore")
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "explore")
)

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls
# from a thread with a running loop unless told this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("ROLLBOOK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        metavar="ISO_DATETIME",
        help="Move the wall clock to this local date and time for the whole run (time-machine).",
    )


@pytest.fixture(scope="session", autouse=True)
def _moved_clock(request):
    """With `--clock`, every test runs on that day (the clock ticks from there)."""
    value = request.config.getoption("--clock")
    if not value:
        yield None
        return
    import time_machine

    moved = datetime.datetime.fromisoformat(value)
    if moved.tzinfo is None:
        moved = moved.replace(tzinfo=datetime.UTC)
    with time_machine.travel(moved, tick=True):
        yield moved


def pytest_report_header(config):
    value = config.getoption("--clock")
    return f"clock moved to {value} (time-machine)" if value else None


def pytest_configure(config):
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        import environ
        import psycopg

        cfg = environ.Env.db_url_config(url)
        try:
            psycopg.connect(
                host=cfg["HOST"] or "127.0.0.1",
                port=cfg["PORT"] or 5432,
                user=cfg["USER"],
                password=cfg["PASSWORD"] or None,
                dbname="postgres",
                connect_timeout=5,
            ).close()
        except psycopg.OperationalError as exc:
            pytest.exit(f"PostgreSQL was asked for ({url}) but cannot be reached: {exc}", 3)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `apt-get install -y chromium`.")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session", autouse=True)
def _test_settings():
    """Settings for every test, live_server's included (it builds its middleware once per
    session, so a per-test `settings` override would come too late for it).

    With DEBUG off, as in production, SecurityMiddleware would redirect plain-http test
    requests to https and the manifest static storage would need `collectstatic` first.
    PBKDF2 costs 0.3 s a password; factories make a user per test.
    """
    from django.conf import settings
    from django.test import override_settings

    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ):
        yield
