"""Production settings: `check --deploy` is clean, static files are served (whitenoise),
cookies are secure, every page is redirected to https but the load balancer's /healthz.

These run `manage.py` in a subprocess because settings are read once per process.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7#kq!v2@p9$m4&z8^w3*r6(t1)y5_u0+e-n=b~a%c?d:f;g<h>j{l}o|s",
    "ALLOWED_HOSTS": "rollbook.example",
}


def run_in_production(
    *args: str, tmp_path: Path, extra_env: dict[str, str | None] | None = None
) -> subprocess.CompletedProcess:
    """Run Python (`manage.py …` or `-c …`) with the production environment: DEBUG off, a
    real secret key, a host name, SQLite in `tmp_path` unless `extra_env` says otherwise
    (a None value there removes the variable)."""
    # The test run's own settings are not production's: its settings module and key,
    # async safety on, its own database.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE", "SECRET_KEY"}
    }
    env.update(PRODUCTION_ENV, STATIC_ROOT=str(tmp_path / "static"))
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'production.sqlite3'}"
    env["ROLLBOOK_ENV_FILE"] = str(tmp_path / "no.env")  # not this machine's .env
    env.update(extra_env or {})
    env = {key: value for key, value in env.items() if value is not None}
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_check_reports_no_warnings(tmp_path):
    result = run_in_production(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_static_files_are_served_when_debug_is_off(tmp_path):
    collected = run_in_production("manage.py", "collectstatic", "--noinput", tmp_path=tmp_path)
    assert collected.returncode == 0, collected.stderr
    probe = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
        "django.setup();"
        "from django.templatetags.static import static; from django.test import Client;"
        "url = static('rollbook.css');"
        "r = Client(HTTP_HOST='rollbook.example').get(url, secure=True);"
        "print(url, r.status_code, r.headers.get('Cache-Control'))"
    )
    served = run_in_production("-c", probe, tmp_path=tmp_path)
    assert served.returncode == 0, served.stderr
    url, status, *rest = served.stdout.split()
    # The manifest storage fingerprints the file name, so it can be cached for ever.
    assert (
        url.startswith("/static/rollbook.")
        and url.endswith(".css")
        and url != "/static/rollbook.css"
    )
    assert status == "200"
    assert "max-age" in served.stdout


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> str:
    """Static files collected once, as a deployment does: pages need the manifest."""
    root = tmp_path_factory.mktemp("collected")
    collected = run_in_production(
        "manage.py",
        "collectstatic",
        "--noinput",
        tmp_path=root,
        extra_env={"STATIC_ROOT": str(root)},
    )
    assert collected.returncode == 0, collected.stderr
    return str(root)


@pytest.fixture(scope="module")
def database_url(tmp_path_factory) -> str:
    """A migrated database, as a deployment has: the login page lists the sign-in
    services, some of which may be rows (docs/operations/sign-in.md)."""
    root = tmp_path_factory.mktemp("database")
    url = f"sqlite:///{root / 'production.sqlite3'}"
    migrated = run_in_production(
        "manage.py", "migrate", "--noinput", tmp_path=root, extra_env={"DATABASE_URL": url}
    )
    assert migrated.returncode == 0, migrated.stderr
    return url


def production_probe(code: str, tmp_path: Path, **extra_env: str) -> list[str]:
    """Run `code` after django.setup() in production; return its printed lines."""
    probe = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
        "django.setup();"
        "from django.conf import settings; from django.test import Client;" + code
    )
    result = run_in_production("-c", probe, tmp_path=tmp_path, extra_env=extra_env)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_cookies_are_secure_and_same_site_in_production(tmp_path, static_root, database_url):
    lines = production_probe(
        "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,"
        " settings.SESSION_COOKIE_HTTPONLY, settings.SESSION_COOKIE_SAMESITE,"
        " settings.CSRF_COOKIE_SAMESITE, settings.SECURE_PROXY_SSL_HEADER[0]);"
        "r = Client(HTTP_HOST='rollbook.example').get('/accounts/login/', secure=True);"
        "c = r.cookies[settings.CSRF_COOKIE_NAME];"
        "print(r.status_code, bool(c['secure']), c['samesite'])",
        tmp_path,
        STATIC_ROOT=static_root,
        DATABASE_URL=database_url,
    )
    assert lines == [
        "True True True Lax Lax HTTP_X_FORWARDED_PROTO",
        "200 True Lax",  # the login page's CSRF cookie only travels over https
    ]


def test_plain_http_is_redirected_but_healthz_answers(tmp_path, static_root, database_url):
    """A load balancer probes the application servers over plain HTTP: /healthz answers
    there, while every page sends the browser to https."""
    lines = production_probe(
        "c = Client(HTTP_HOST='rollbook.example');"
        "r = c.get('/accounts/login/'); print(r.status_code, r['Location']);"
        "r = c.get('/healthz'); print(r.status_code, r.content.decode());"
        "r = c.get('/accounts/login/', HTTP_X_FORWARDED_PROTO='https'); print(r.status_code)",
        tmp_path,
        STATIC_ROOT=static_root,
        DATABASE_URL=database_url,
    )
    assert lines == [
        "301 https://rollbook.example/accounts/login/",
        '200 {"status": "ok", "database": "ok"}',
        "200",  # behind the proxy, X-Forwarded-Proto: https counts as https
    ]


def test_the_production_settings_read_the_proxy_and_origins_from_the_environment(tmp_path):
    lines = production_probe(
        "print(settings.CSRF_TRUSTED_ORIGINS, settings.TRUSTED_PROXY_COUNT,"
        " settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME.total_seconds())",
        tmp_path,
        CSRF_TRUSTED_ORIGINS="https://rollbook.example,https://www.rollbook.example",
        TRUSTED_PROXY_COUNT="2",
        LOGIN_FAILURE_LIMIT="10",
        LOGIN_COOLOFF_MINUTES="30",
    )
    assert lines == ["['https://rollbook.example', 'https://www.rollbook.example'] 2 10 1800.0"]


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_in_production(
        "manage.py", "check", tmp_path=tmp_path, extra_env={"SECRET_KEY": None}
    )
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_developer_with_debug_on_gets_a_development_key(tmp_path):
    probe = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
        "django.setup(); from django.conf import settings; print(settings.SECRET_KEY)"
    )
    result = run_in_production(
        "-c", probe, tmp_path=tmp_path, extra_env={"SECRET_KEY": None, "DEBUG": "true"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith("django-insecure-")
