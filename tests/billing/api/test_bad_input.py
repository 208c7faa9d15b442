"""The billing JSON API refuses bad input with 400/404 and `{"success": false, "message"}`,
writing nothing."""

import pytest

from billing.models import Bill
from tests.academics.factories import (
    SchoolFactory,
)
from tests.billing.conftest import OCTOBER, make_seed_group

from .helpers import GENERATE, MISSING, OCT, calculate_url, post_json, revenue_url

pytestmark = pytest.mark.django_db


# --- bad input: 400/404 with {"success": false, "message"}, nothing written -----------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"groupId": MISSING}, "groupId: is required"),
        ({"groupId": "1"}, "groupId: must be a whole number id"),
        ({"groupId": True}, "groupId: must be a whole number id"),
        ({"groupId": 1.5}, "groupId: must be a whole number id"),
        ({"groupId": None}, "groupId: is required"),
        ({"startDate": "2025-10-32"}, "startDate: must be a date written YYYY-MM-DD"),
        ({"startDate": 20251001}, "startDate: must be a date written YYYY-MM-DD"),
        ({"endDate": "31/10/2025"}, "endDate: must be a date written YYYY-MM-DD"),
        ({"startDate": "2025-10-31", "endDate": "2025-10-01"}, "endDate: is before startDate"),
        ({"updateExisting": "true"}, "updateExisting: must be true or false"),
        ({"updateExisting": 1}, "updateExisting: must be true or false"),
        ({"studentIds": [1]}, "unknown field: studentIds"),
        ({"startDate": "2025-12-01", "endDate": None}, "after it ends on 2025-11-10"),
    ],
)
def test_generation_refuses_a_bad_body(accountant, seed, body, message):
    payload = {"groupId": seed.group.pk, **OCT} | body
    response = post_json(accountant, {k: v for k, v in payload.items() if v is not MISSING})

    assert response.status_code == 400
    assert response.json()["success"] is False
    assert message in response.json()["message"]
    assert not Bill.objects.exists()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "Malformed JSON"),
        (" ", "Malformed JSON"),
        (b"\xff\xfe", "Malformed JSON"),
        ("[" * 100_000, "Malformed JSON"),
        ("[1, 2]", "The body must be a JSON object like"),
        ('"groupId"', "The body must be a JSON object like"),
        ("null", "The body must be a JSON object like"),
    ],
)
def test_generation_refuses_a_body_that_is_not_a_json_object(accountant, seed, raw, message):
    response = post_json(accountant, raw)

    assert response.status_code == 400
    assert message in response.json()["message"]
    assert not Bill.objects.exists()


def test_generation_wants_json_not_a_form(accountant, seed):
    response = accountant.post(GENERATE, {"groupId": seed.group.pk})  # form-encoded

    assert response.status_code == 400
    assert "Content-Type: application/json" in response.json()["message"]
    assert not Bill.objects.exists()


def another_schools_group():
    return make_seed_group(SchoolFactory(name="Delta School"), code="DLT").group


@pytest.mark.parametrize("group_id", ["999999", "0", "-1", "abc", "1e3", "١", "9" * 30])
def test_an_unknown_group_in_the_path_is_a_json_404(accountant, seed, group_id):
    for url in (calculate_url(group_id), revenue_url(group_id)):
        response = accountant.get(url)

        assert response.status_code == 404
        assert response.json()["success"] is False
        assert "No group with id" in response.json()["message"]


def test_another_schools_group_is_not_found_and_not_billed(accountant, seed):
    theirs = another_schools_group()

    responses = [
        accountant.get(calculate_url(theirs.pk), OCT),
        accountant.get(revenue_url(theirs.pk)),
        post_json(accountant, {"groupId": theirs.pk, **OCT}),
        post_json(accountant, {"groupId": 999_999, **OCT}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert all(r.json()["message"].startswith("No group with id") for r in responses)
    assert not Bill.objects.exists()


def test_revenue_lists_only_the_groups_own_bills(accountant, seed):
    theirs = make_seed_group(SchoolFactory(name="Delta School"), code="DLT")
    ours_too = make_seed_group(seed.school, name="Science", code="SCI")
    for group in (theirs, ours_too, seed):
        generate_for(group)

    data = accountant.get(revenue_url(seed.group.pk)).json()["data"]

    assert {doc["group"]["_id"] for doc in data["payments"]} == {seed.group.pk}
    assert data["stats"]["payments"]["total"] == 3


def generate_for(group):
    from billing.services import generate_bills

    generate_bills(school_class=group.group, start=OCTOBER[0], end=OCTOBER[1], actor=group.admin)


@pytest.mark.parametrize(
    ("method", "url", "allow"),
    [
        ("get", GENERATE, "POST"),
        ("put", GENERATE, "POST"),
        ("post", "calculate", "GET"),
        ("delete", "revenue", "GET"),
    ],
)
def test_a_wrong_method_is_a_json_405_with_allow(accountant, seed, method, url, allow):
    url = {"calculate": calculate_url(seed.group.pk), "revenue": revenue_url(seed.group.pk)}.get(
        url, url
    )

    response = getattr(accountant, method)(url)

    assert response.status_code == 405
    assert response["Allow"] == allow
    assert response.json() == {"success": False, "message": f"Use {allow}."}
    assert not Bill.objects.exists()


def test_an_unknown_path_under_the_api_is_a_json_404(accountant):
    for path in ("/api/accounting/", "/api/accounting/groups/1/2/revenue", "/api/accounting/x"):
        response = accountant.get(path)

        assert response.status_code == 404
        assert response.json()["success"] is False
