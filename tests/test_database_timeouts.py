"""Database timeouts (docs/operations/production.md, "Database timeouts"): a row lock held
elsewhere or a statement that runs too long answers 409/503 — JSON on the API, a page
otherwise — instead of holding the worker until gunicorn kills it. PostgreSQL, two real
connections: the lock is held by a second connection, as another request would."""

import json
import subprocess
import sys
import time

import psycopg
import pytest
from django.conf import settings
from django.db import connection, transaction

from billing.models import Bill
from tests.billing.conftest import make_seed_group
from tests.concurrency import needs_postgresql

pytestmark = needs_postgresql

GENERATE = "/api/accounting/attendance/generate-payments"
BODY = {"startDate": "2025-10-01", "endDate": "2025-10-31"}


@pytest.fixture
def other_connection():
    """A second, real connection to the test database (another request, or psql)."""
    params = connection.get_connection_params()
    conn = psycopg.connect(**params)
    yield conn
    conn.close()


def hold_group_lock(conn, group):
    """`BEGIN; SELECT … FOR UPDATE` on the group's row, left open (the issue's psql)."""
    conn.execute("SELECT id FROM academics_schoolclass WHERE id = %s FOR UPDATE", [group.pk])


def test_web_connections_carry_the_configured_timeouts(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW lock_timeout")
        lock = cursor.fetchone()[0]
        cursor.execute("SHOW statement_timeout")
        statement = cursor.fetchone()[0]
    assert (lock, statement) == ("5s", "30s")
    assert settings.DATABASES["default"]["OPTIONS"]["connect_timeout"] == 5


def test_management_commands_get_the_longer_timeouts(db):
    """`manage.py` (imports, the task worker) runs with the command profile."""
    name = connection.settings_dict["NAME"]
    base = settings.DATABASES["default"]
    url = f"postgres://{base['USER']}@{base['HOST'] or '127.0.0.1'}:{base['PORT'] or 5432}/{name}"
    code = (
        "from django.db import connection\n"
        "c = connection.cursor()\n"
        "c.execute('SHOW lock_timeout'); print(c.fetchone()[0])\n"
        "c.execute('SHOW statement_timeout'); print(c.fetchone()[0])\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": url,
        "DEBUG": "true",
        "ROLLBOOK_ENV_FILE": "/nonexistent",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--verbosity", "0", "-c", code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1min", "1h"]


def test_a_held_lock_makes_the_api_answer_409_json_and_write_nothing(
    transactional_db, client, other_connection
):
    seed = make_seed_group()
    client.force_login(seed.accountant)
    hold_group_lock(other_connection, seed.group)

    started = time.monotonic()
    response = client.post(
        GENERATE, {**BODY, "groupId": seed.group.pk}, content_type="application/json"
    )
    waited = time.monotonic() - started

    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["success"] is False
    assert body["message"].startswith("Someone else is changing the same records right now.")
    assert 4 < waited < 15  # it waited for the lock timeout (5 s), not for ever
    other_connection.rollback()
    assert not Bill.objects.exists()
    # Once the lock is gone the same request works.
    again = client.post(
        GENERATE, {**BODY, "groupId": seed.group.pk}, content_type="application/json"
    )
    assert again.status_code == 200, again.content
    assert Bill.objects.count() == 3


@pytest.mark.parametrize(
    "headers,content_type,text",
    [
        ({}, "text/html", '<p role="alert">Someone else is changing the same records'),
        ({"HX-Request": "true"}, "text/plain", "Someone else is changing the same records"),
    ],
    ids=["page", "htmx"],
)
def test_a_held_lock_on_a_page_is_a_409_page_or_message(
    transactional_db, client, other_connection, headers, content_type, text
):
    seed = make_seed_group()
    client.force_login(seed.accountant)
    hold_group_lock(other_connection, seed.group)
    response = client.post(
        f"/billing/groups/{seed.group.pk}/generate/",
        {"start": "2025-10-01", "end": "2025-10-31"},
        headers=headers,
    )
    assert response.status_code == 409
    assert response["Content-Type"].startswith(content_type)
    assert text in response.content.decode()
    other_connection.rollback()
    assert not Bill.objects.exists()


def slow_statement(*args, **kwargs):
    """A real statement the server cancels, its timeout lowered (inside a savepoint, which
    undoes the change) so the test is quick."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = 100")
        cursor.execute("SELECT pg_sleep(2)")


def test_a_statement_timeout_is_a_503_with_retry_after(db, client, monkeypatch):
    seed = make_seed_group()
    client.force_login(seed.accountant)
    monkeypatch.setattr("billing.api.revenue", slow_statement)
    response = client.get(f"/api/accounting/groups/{seed.group.pk}/revenue")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = json.loads(response.content)
    assert body["success"] is False
    assert body["message"].startswith("The database took too long to answer")
