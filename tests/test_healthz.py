"""`/healthz`, the load balancer's probe: public, one cheap query,
never cached, no cookies; 503 with a short reason when the database is unreachable."""

import json
import socket
import threading
import time

import pytest
from django.db import OperationalError, connection, connections
from django.urls import reverse

from academics.models import Role
from academics.views import health
from tests.academics.factories import UserFactory
from tests.test_deploy import run_in_production


def test_the_url_is_healthz():
    assert reverse("healthz") == "/healthz"


def test_anyone_gets_ok_after_one_query_on_a_connection_of_its_own(client, db, monkeypatch):
    seen = []
    create = connections.create_connection

    def recording(alias):
        database = create(alias)
        seen.append(database)
        return database

    monkeypatch.setattr(connections, "create_connection", recording)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}
    [database] = seen
    assert database is not connection  # not the request's own, which a hang would poison
    if database.vendor == "postgresql":  # (SQLite's in-memory test database stays open)
        assert database.connection is None  # closed again, not left open per probe


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
    def unreachable(alias):
        raise OperationalError('connection to server at "10.0.0.9" failed: timeout')

    monkeypatch.setattr(connections, "create_connection", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    # The reason names the kind of failure, not hosts or users.
    assert response.json() == {"status": "error", "database": "unavailable (OperationalError)"}
    assert "no-store" in response["Cache-Control"]


class SilentServer:
    """A TCP server on loopback that accepts connections and never says a word: a database
    host that is up but hung (a stopped postgres, a full disk, a dead NFS mount)."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.accepted = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.accepted.append(conn)

    def close(self):
        self.listener.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def silent_database(db, monkeypatch):
    """`connections.settings["default"]` pointed at a silent PostgreSQL server, so new
    connections (the probe's) go there while the test's own stays where it was."""
    server = SilentServer()
    silent = {
        **connections.settings["default"],
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "rollbook",
        "USER": "rollbook",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": str(server.port),
        "OPTIONS": {"connect_timeout": 10},
    }
    monkeypatch.setitem(connections.settings, "default", silent)
    yield server
    server.close()
    health._in_flight.acquire(timeout=15)  # the stuck check ends once the socket closes
    health._in_flight.release()


def test_a_silent_database_answers_503_within_the_timeout(client, silent_database, settings):
    settings.HEALTHZ_TIMEOUT = 1.5
    started = time.monotonic()
    response = client.get("/healthz")
    waited = time.monotonic() - started
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable (timeout)"}
    assert waited < 5  # not the connect timeout (10 s), nor forever
    assert silent_database.accepted  # the probe did reach the server


def test_probes_do_not_pile_up_while_the_database_stays_silent(client, silent_database):
    first = client.get("/healthz")
    started = time.monotonic()
    second = client.get("/healthz")  # the first check is still waiting: no second thread
    assert time.monotonic() - started < 1
    assert (first.status_code, second.status_code) == (503, 503)
    assert second.json()["database"] == "unavailable (timeout)"
    assert len(silent_database.accepted) == 1


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
