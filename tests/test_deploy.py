"""Production settings: `check --deploy` is clean and static files are served (whitenoise).

These run `manage.py` in a subprocess because settings are read once per process.
"""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x7#kq!v2@p9$m4&z8^w3*r6(t1)y5_u0+e-n=b~a%c?d:f;g<h>j{l}o|s",
    "ALLOWED_HOSTS": "rollbook.example",
}


def run_in_production(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, **PRODUCTION_ENV, "STATIC_ROOT": str(tmp_path / "static")}
    # The test run's own settings are not production's: SQLite, and async safety on.
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
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
