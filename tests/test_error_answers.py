"""What a client sees when something fails outside a view's own checks
(docs/operations/production.md, "What a client sees"): under /api/ and to JSON clients,
always the API's JSON envelope; in a browser, a page; to htmx, a short message."""

import json

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client

from academics.errors import ApiAnswersJson
from billing.models import Bill
from tests.billing.conftest import make_seed_group
from tests.test_deploy import run_in_production

GENERATE = "/api/accounting/attendance/generate-payments"


def envelope(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["success"] is False
    assert body["message"]
    return body


@pytest.fixture
def seed(db):
    return make_seed_group()


@pytest.fixture
def strict_client():
    """A browser that does not skip CSRF checks, and shows 500s instead of raising them."""
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


def test_a_csrf_failure_on_the_api_is_json(seed, strict_client):
    strict_client.force_login(seed.accountant)
    response = strict_client.post(
        GENERATE,
        {"groupId": seed.group.pk, "startDate": "2025-10-01", "endDate": "2025-10-31"},
        content_type="application/json",
    )
    body = envelope(response, 403)
    assert "X-CSRFToken" in body["message"]
    assert not Bill.objects.exists()


def test_a_csrf_failure_on_the_total_sessions_endpoint_is_json(seed, strict_client):
    strict_client.force_login(seed.admin)
    response = strict_client.post(
        "/attendance/update-total-sessions/",
        {"student_id": seed.students[0].pk, "total_sessions": 5},
        content_type="application/json",
    )
    body = envelope(response, 403)
    assert body["error"] == body["message"]  # the endpoint's own key too


def test_a_csrf_failure_on_a_form_is_still_djangos_page(seed, strict_client):
    strict_client.force_login(seed.accountant)
    response = strict_client.post(f"/billing/groups/{seed.group.pk}/generate/", {})
    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")
    assert b"CSRF verification failed" in response.content


@pytest.mark.parametrize("path", ["/api/", "/api/nothing", "/api/v2/students/1"])
def test_any_unknown_path_under_api_is_a_json_404(client, db, path):
    envelope(client.get(path), 404)


def test_an_unknown_page_elsewhere_is_the_404_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_body_too_large_for_the_api_is_a_json_400(seed, client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(seed.accountant)
    response = client.post(GENERATE, {"groupId": seed.group.pk, "pad": "x" * 2000},
                           content_type="application/json")  # fmt: skip
    envelope(response, 400)


def raises(exc):
    def broken(*args, **kwargs):
        raise exc

    return broken


def test_a_crash_in_the_api_is_a_json_500(seed, strict_client, monkeypatch):
    monkeypatch.setattr("billing.api.revenue", raises(RuntimeError("a bug")))
    strict_client.force_login(seed.accountant)
    body = envelope(strict_client.get(f"/api/accounting/groups/{seed.group.pk}/revenue"), 500)
    assert "a bug" not in body["message"]  # no internals


def test_a_crash_on_a_page_is_the_500_page_and_on_htmx_a_message(seed, strict_client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("billing.views.groups.listed_group_bills", broken)
    strict_client.force_login(seed.accountant)
    page = strict_client.get(f"/billing/groups/{seed.group.pk}/revenue/")
    assert page.status_code == 500
    assert page["Content-Type"].startswith("text/html")
    assert b"Something went wrong on our side" in page.content
    htmx = strict_client.get(
        f"/billing/groups/{seed.group.pk}/revenue/", headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 500
    assert htmx["Content-Type"].startswith("text/plain")


def test_a_lost_database_in_a_view_is_a_503_not_a_500(seed, client, monkeypatch):
    lost = OperationalError("server closed the connection unexpectedly")
    monkeypatch.setattr("billing.api.revenue", raises(lost))
    client.force_login(seed.accountant)
    response = client.get(f"/api/accounting/groups/{seed.group.pk}/revenue")
    body = envelope(response, 503)
    assert body["message"].startswith("The database cannot be reached right now")
    assert response["Retry-After"] == "5"


PROBE = """
import django, json, os
os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings')
django.setup()
from django.test import Client
client = Client(HTTP_HOST='rollbook.example', raise_request_exception=False)
client.cookies['sessionid'] = 'x' * 32  # a signed-in browser: its session is in the database
for path in ['/api/accounting/groups/1/revenue', '/attendance/']:
    r = client.get(path, secure=True)
    print(json.dumps([r.status_code, r['Content-Type'], r.get('Retry-After'),
                      r.content.decode()[:2000]]))
"""


def test_a_database_that_is_down_answers_503_json_on_the_api_and_a_page_elsewhere(tmp_path):
    """A real failure in production settings: the database file cannot be opened, so
    reading the session fails before any view's own code runs."""
    missing = tmp_path / "no-such-folder" / "db.sqlite3"
    result = run_in_production(
        "-c", PROBE, tmp_path=tmp_path, extra_env={"DATABASE_URL": f"sqlite:///{missing}"}
    )
    assert result.returncode == 0, result.stderr
    api, page = (json.loads(line) for line in result.stdout.splitlines())
    assert api[:3] == [503, "application/json", "5"]
    assert json.loads(api[3])["message"].startswith("The database cannot be reached")
    assert page[:3] == [503, "text/html; charset=utf-8", "5"]
    assert "The database cannot be reached right now" in page[3]


def test_any_other_error_under_api_becomes_the_envelope(rf):
    """The last net: an error answer some other layer built in HTML."""
    middleware = ApiAnswersJson(lambda request: HttpResponse("<h1>Bad gateway</h1>", status=502))
    response = middleware(rf.get("/api/accounting/anything"))
    assert response.status_code == 502
    assert json.loads(response.content) == {
        "success": False,
        "message": "Bad Gateway",
        "error": "Bad Gateway",
    }
    untouched = middleware(rf.get("/billing/"))
    assert untouched["Content-Type"].startswith("text/html")
