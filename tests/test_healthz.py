"""`/healthz`, the load balancer's probe: public, one cheap query,
never cached, no cookies; 503 with a short reason when the database is unreachable."""

import json

from django.db import OperationalError
from django.urls import reverse

from academics.models import Role
from academics.views import health
from tests.academics.factories import UserFactory
from tests.test_deploy import run_in_production


def test_the_url_is_healthz():
    assert reverse("healthz") == "/healthz"


def test_anyone_gets_ok_after_one_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(1) as queries:
        response = client.get("/healthz")
    assert queries.captured_queries[0]["sql"] == "SELECT 1"
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}


def test_it_is_never_cached_and_sets_no_cookie(client, db):
    client.force_login(UserFactory(role=Role.TEACHER))
    response = client.get("/healthz")
    assert response.status_code == 200
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-cache", "no-store", "must-revalidate", "max-age=0"} <= cache_control
    assert not response.cookies  # no session write, no CSRF cookie: nothing to set


def test_head_works_and_writes_are_refused(client, db):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_a_failing_database_answers_503_with_a_short_reason(client, db, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise OperationalError('connection to server at "10.0.0.9" failed: timeout')

    monkeypatch.setattr(health, "connection", Unreachable())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    # The reason names the kind of failure, not hosts or users.
    assert response.json() == {"status": "error", "database": "unavailable (OperationalError)"}
    assert "no-store" in response["Cache-Control"]


def test_an_unreachable_database_file_answers_503(tmp_path):
    """A real failure, not a stand-in: the server's database cannot be opened."""
    probe = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
        "django.setup(); from django.test import Client;"
        "r = Client(HTTP_HOST='rollbook.example').get('/healthz', secure=True);"
        "print(r.status_code); print(r.content.decode())"
    )
    missing = tmp_path / "no-such-folder" / "db.sqlite3"
    result = run_in_production(
        "-c", probe, tmp_path=tmp_path, extra_env={"DATABASE_URL": f"sqlite:///{missing}"}
    )
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.splitlines()
    assert status == "503"
    assert json.loads(body) == {"status": "error", "database": "unavailable (OperationalError)"}
    assert "healthz: database check failed" in result.stderr  # logged, with the details
