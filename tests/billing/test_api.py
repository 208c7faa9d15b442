"""The seed's JSON endpoints (docs/design/billing.md, "API Endpoints"): the
documents field by field, every bad input, who may call them, school isolation and query
counts. The billing rules themselves are tested in test_generation.py.
"""

import datetime
import json
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from academics.models import Role, School
from attendance.models import Status
from billing.models import Bill, BillLine
from billing.services import record_payment
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory

from .conftest import OCTOBER, SESSION_DAYS, make_seed_group

pytestmark = pytest.mark.django_db

GENERATE = reverse("billing_api:generate")
OCT = {"startDate": "2025-10-01", "endDate": "2025-10-31"}
MISSING = object()
NOT_PRICED = "Math Level 1 has no price per session, so it cannot be billed."


def calculate_url(group_id) -> str:
    return reverse("billing_api:calculate", args=[str(group_id)])


def revenue_url(group_id) -> str:
    return reverse("billing_api:revenue", args=[str(group_id)])


def post_json(client, body, **kwargs):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(GENERATE, data, content_type="application/json", **kwargs)


def generate(client, seed, headers=None, **body):
    return post_json(client, {"groupId": seed.group.pk, **OCT, **body}, headers=headers)


def by_name(items) -> dict:
    return {item["student"]["fullName"]: item for item in items}


def record_ids(seed, student: int, *sessions: int) -> list[int]:
    return [seed.record(student, session).pk for session in sessions]


def pay(seed, student: int, amount: str, on=datetime.date(2025, 11, 2)):
    bill = Bill.objects.get(school_class=seed.group, student=seed.students[student])
    record_payment(
        bill=bill, amount=Decimal(amount), paid_on=on, method="cash", received_by=seed.accountant
    )
    return bill


@pytest.fixture
def today(monkeypatch):
    """Freeze the schools' "today" (bill status and payment dates depend on it): call with
    a date. Defaults to 10 Nov 2025, before October's bills fall due on 30 Nov."""

    def set_today(day: datetime.date) -> None:
        monkeypatch.setattr(School, "today", lambda self: day)

    set_today(datetime.date(2025, 11, 10))
    return set_today


@pytest.fixture
def accountant(client, seed, today):
    client.force_login(seed.accountant)
    return client


# --- calculate (preview) --------------------------------------------------------------------


def test_the_preview_is_the_seeds_document_300_200_200_field_by_field(accountant, seed):
    response = accountant.get(calculate_url(seed.group.pk), OCT)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["success"] is True
    data = body["data"]
    assert data["group"] == {
        "_id": seed.group.pk,
        "name": "Math Level 1",
        "code": "MTH-L1-A",
        "pricePerSession": 100,
    }
    assert data["period"] == {"startDate": "2025-10-01", "endDate": "2025-10-31"}
    assert data["currency"] == "EGP"
    assert data["summary"] == {
        "totalSessions": 3,
        "totalStudents": 3,
        "activeStudents": 3,
        "totalRevenue": 700,
        "pricePerSession": 100,
    }
    # By last name: Mohamed Ali, Sara Hassan, Ahmed Mohamed.
    assert [c["student"]["fullName"] for c in data["calculations"]] == [
        "Mohamed Ali",
        "Sara Hassan",
        "Ahmed Mohamed",
    ]
    assert data["calculations"][2] == {
        "student": {
            "_id": seed.students[0].pk,
            "fullName": "Ahmed Mohamed",
            "email": "ahmed0@example.com",
            "studentCode": "STD-2025-001",
        },
        "sessionsAttended": 3,
        "pricePerSession": 100,
        "totalAmount": 300,
        "attendanceRecords": record_ids(seed, 0, 0, 1, 2),
        "enrollmentDate": "2025-09-01",
        "status": "active",
        "existingPayment": None,
        "alreadyBilled": 0,
        "needsRecalculation": False,
    }
    calcs = by_name(data["calculations"])
    assert (calcs["Sara Hassan"]["totalAmount"], calcs["Mohamed Ali"]["totalAmount"]) == (200, 200)
    assert calcs["Sara Hassan"]["attendanceRecords"] == record_ids(seed, 1, 0, 2)
    assert calcs["Mohamed Ali"]["attendanceRecords"] == record_ids(seed, 2, 1, 2)
    # Whole amounts are JSON integers, not "300.00" or 300.0.
    assert '"totalAmount": 300,' in response.content.decode()
    assert not Bill.objects.exists()  # a preview writes nothing


def test_amounts_with_cents_are_json_numbers_with_their_cents(accountant, seed):
    seed.group.price_per_session = Decimal("33.33")
    seed.group.save()

    data = accountant.get(calculate_url(seed.group.pk), OCT).json()["data"]

    assert data["group"]["pricePerSession"] == 33.33
    assert by_name(data["calculations"])["Ahmed Mohamed"]["totalAmount"] == 99.99
    assert data["summary"]["totalRevenue"] == 233.31


def test_the_preview_filters_by_date_range(accountant, seed):
    seed.mark(0, datetime.date(2025, 11, 3))  # outside both periods below

    response = accountant.get(
        calculate_url(seed.group.pk), {"startDate": "2025-10-01", "endDate": "2025-10-15"}
    )

    data = response.json()["data"]
    assert data["summary"]["totalSessions"] == 2
    assert data["summary"]["totalRevenue"] == 400
    calcs = by_name(data["calculations"])
    assert calcs["Ahmed Mohamed"]["attendanceRecords"] == record_ids(seed, 0, 0, 1)
    assert calcs["Sara Hassan"]["sessionsAttended"] == 1
    assert calcs["Mohamed Ali"]["sessionsAttended"] == 1


def test_the_preview_counts_students_without_sessions_as_inactive(accountant, seed):
    data = accountant.get(
        calculate_url(seed.group.pk), {"startDate": "2025-10-21", "endDate": "2025-10-31"}
    ).json()["data"]

    assert data["summary"] == {
        "totalSessions": 0,
        "totalStudents": 3,
        "activeStudents": 0,
        "totalRevenue": 0,
        "pricePerSession": 100,
    }


def test_the_preview_shows_the_existing_bill_with_what_was_paid(accountant, seed):
    generate(accountant, seed)
    bill = pay(seed, 0, "100")
    seed.mark(1, datetime.date(2025, 10, 27))  # Sara attends a fourth session

    data = accountant.get(calculate_url(seed.group.pk), OCT).json()["data"]

    calcs = by_name(data["calculations"])
    assert calcs["Ahmed Mohamed"]["existingPayment"] == {
        "_id": bill.pk,
        "number": bill.number,
        "totalAmount": 300,
        "paidAmount": 100,
        "remainingAmount": 200,
        "status": "partial",
    }
    assert calcs["Ahmed Mohamed"]["needsRecalculation"] is False
    assert calcs["Sara Hassan"]["existingPayment"]["status"] == "pending"
    assert (calcs["Sara Hassan"]["sessionsAttended"], calcs["Sara Hassan"]["totalAmount"]) == (
        3,
        300,
    )
    assert calcs["Sara Hassan"]["needsRecalculation"] is True


def test_the_preview_without_dates_runs_from_the_groups_first_session_to_today(
    accountant, seed, today
):
    today(datetime.date(2025, 10, 14))

    data = accountant.get(calculate_url(seed.group.pk)).json()["data"]

    assert data["period"] == {"startDate": "2025-10-06", "endDate": "2025-10-14"}
    assert data["summary"]["totalRevenue"] == 400


def test_a_group_without_a_price_is_refused_with_the_reason(accountant, seed):
    seed.group.price_per_session = None
    seed.group.save()

    preview = accountant.get(calculate_url(seed.group.pk), OCT)
    generation = generate(accountant, seed)

    for response in (preview, generation):
        assert response.status_code == 400
        assert response.json()["success"] is False
        assert NOT_PRICED in response.json()["message"]
    assert not Bill.objects.exists()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"startDate": "2025-13-01"}, "startDate: must be a date written YYYY-MM-DD"),
        ({"startDate": "01/10/2025"}, "startDate: must be a date written YYYY-MM-DD"),
        ({"endDate": "2025-02-30"}, "endDate: must be a date written YYYY-MM-DD"),
        ({"startDate": "2025-10-31", "endDate": "2025-10-01"}, "endDate: is before startDate"),
        # No end: it is today (10 Nov 2025), before this start.
        ({"startDate": "2025-12-01"}, "The period starts on 2025-12-01, after it ends on"),
    ],
)
def test_the_preview_refuses_a_bad_period(accountant, seed, query, message):
    response = accountant.get(calculate_url(seed.group.pk), query)

    assert response.status_code == 400
    assert response.json() == {"success": False, "message": response.json()["message"]}
    assert message in response.json()["message"]


# --- generate -------------------------------------------------------------------------------


def test_generation_answers_the_seeds_document_with_every_bill(accountant, seed):
    response = generate(accountant, seed)

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["message"] == "Generated 3 new payments, updated 0, skipped 0"
    assert body["data"]["summary"] == {"totalCreated": 3, "totalUpdated": 0, "totalSkipped": 0}
    assert (body["data"]["updated"], body["data"]["skipped"]) == ([], [])
    created = by_name(body["data"]["created"])
    assert {name: doc["totalAmount"] for name, doc in created.items()} == {
        "Ahmed Mohamed": 300,
        "Sara Hassan": 200,
        "Mohamed Ali": 200,
    }
    ahmed = Bill.objects.get(student=seed.students[0])
    assert created["Ahmed Mohamed"] == {
        "_id": ahmed.pk,
        "number": ahmed.number,
        "student": {
            "_id": seed.students[0].pk,
            "fullName": "Ahmed Mohamed",
            "email": "ahmed0@example.com",
            "studentCode": "STD-2025-001",
        },
        "group": {"_id": seed.group.pk, "name": "Math Level 1", "code": "MTH-L1-A"},
        "paymentType": "session_based",
        "period": {"startDate": "2025-10-01", "endDate": "2025-10-31"},
        "sessionsAttended": 3,
        "pricePerSession": 100,
        "totalAmount": 300,
        "paidAmount": 0,
        "remainingAmount": 300,
        "credit": 0,
        "currency": "EGP",
        "dueDate": "2025-11-30",
        "status": "pending",
        "needsRecalculation": False,
        "attendanceRecords": record_ids(seed, 0, 0, 1, 2),
    }
    assert created["Sara Hassan"]["attendanceRecords"] == record_ids(seed, 1, 0, 2)
    assert created["Mohamed Ali"]["attendanceRecords"] == record_ids(seed, 2, 1, 2)
    assert Bill.objects.count() == 3
    assert BillLine.objects.count() == 7


def test_generation_bills_only_the_date_range(accountant, seed):
    seed.mark(0, datetime.date(2025, 11, 3))

    body = post_json(
        accountant,
        {"groupId": seed.group.pk, "startDate": "2025-10-01", "endDate": "2025-10-15"},
    ).json()

    assert {name: doc["totalAmount"] for name, doc in by_name(body["data"]["created"]).items()} == {
        "Ahmed Mohamed": 200,
        "Sara Hassan": 100,
        "Mohamed Ali": 100,
    }
    assert (
        BillLine.objects.filter(attendance_record__date__gt=datetime.date(2025, 10, 15)).count()
        == 0
    )


def test_a_second_run_skips_every_student_with_the_reason_and_the_bill(accountant, seed):
    generate(accountant, seed)

    body = generate(accountant, seed).json()

    assert body["message"] == "Generated 0 new payments, updated 0, skipped 3"
    assert body["data"]["summary"] == {"totalCreated": 0, "totalUpdated": 0, "totalSkipped": 3}
    skipped = by_name(body["data"]["skipped"])
    ahmed = Bill.objects.get(student=seed.students[0])
    assert skipped["Ahmed Mohamed"]["bill"] == ahmed.pk
    assert skipped["Ahmed Mohamed"]["student"]["studentCode"] == "STD-2025-001"
    assert skipped["Ahmed Mohamed"]["reason"].startswith(
        f"{ahmed.number} already bills this period"
    )
    assert Bill.objects.count() == 3


def test_update_existing_recalculates_the_bills_that_changed(accountant, seed):
    generate(accountant, seed)
    new = seed.mark(1, datetime.date(2025, 10, 27))  # Sara attends a fourth session

    skipped = generate(accountant, seed, updateExisting=False).json()
    body = generate(accountant, seed, updateExisting=True).json()

    assert skipped["message"] == "Generated 0 new payments, updated 0, skipped 3"
    assert body["message"] == "Generated 0 new payments, updated 1, skipped 2"
    [sara] = body["data"]["updated"]
    assert (sara["student"]["fullName"], sara["sessionsAttended"], sara["totalAmount"]) == (
        "Sara Hassan",
        3,
        300,
    )
    assert sara["attendanceRecords"] == [*record_ids(seed, 1, 0, 2), new.pk]
    assert sara["needsRecalculation"] is False
    assert {s["reason"].split(" is ")[-1] for s in body["data"]["skipped"]} == {
        "already up to date."
    }
    assert Bill.objects.get(student=seed.students[1]).amount == Decimal("300")


def test_a_student_with_no_sessions_is_skipped_and_not_billed(accountant, seed):
    body = post_json(
        accountant,
        {"groupId": seed.group.pk, "startDate": "2025-10-07", "endDate": "2025-10-13"},
    ).json()

    assert body["message"] == "Generated 2 new payments, updated 0, skipped 1"
    [skip] = body["data"]["skipped"]
    assert skip == {
        "student": skip["student"] | {"fullName": "Sara Hassan"},
        "reason": "No sessions attended in the period.",
        "bill": None,
    }


# --- revenue --------------------------------------------------------------------------------


def test_revenue_after_a_partial_payment(accountant, seed):
    generate(accountant, seed)
    pay(seed, 0, "100")  # Ahmed: 100 of 300
    pay(seed, 1, "200")  # Sara: in full
    left = MembershipFactory(
        school_class=seed.group,
        joined_on=datetime.date(2025, 9, 1),
        left_on=datetime.date(2025, 9, 30),
    )

    response = accountant.get(revenue_url(seed.group.pk))

    assert response.status_code == 200
    data = response.json()["data"]
    assert data["group"] == {
        "_id": seed.group.pk,
        "name": "Math Level 1",
        "code": "MTH-L1-A",
        "course": {"_id": seed.group.subject_id, "name": "Mathematics"},
    }
    assert data["stats"] == {
        "totalStudents": 3,  # not the student who left in September
        "pricePerSession": 100,
        "payments": {"total": 3, "pending": 1, "paid": 1, "partial": 1, "overdue": 0},
        "revenue": {"expected": 700, "collected": 300, "pending": 400, "credit": 0},
        "sessions": {"total": 7},
    }
    payments = by_name(data["payments"])
    assert left.student.name not in payments
    assert {name: doc["status"] for name, doc in payments.items()} == {
        "Ahmed Mohamed": "partial",
        "Sara Hassan": "paid",
        "Mohamed Ali": "pending",
    }
    ahmed = payments["Ahmed Mohamed"]
    assert (ahmed["paidAmount"], ahmed["remainingAmount"], ahmed["paymentType"]) == (
        100,
        200,
        "session_based",
    )
    assert ahmed["attendanceRecords"] == record_ids(seed, 0, 0, 1, 2)


def test_revenue_after_the_due_date_counts_unpaid_bills_as_overdue(accountant, seed, today):
    generate(accountant, seed)
    pay(seed, 0, "100")
    pay(seed, 1, "200")
    today(datetime.date(2025, 12, 1))  # October's bills were due on 30 November

    stats = accountant.get(revenue_url(seed.group.pk)).json()["data"]["stats"]

    assert stats["payments"] == {"total": 3, "pending": 0, "paid": 1, "partial": 0, "overdue": 2}
    assert stats["revenue"] == {"expected": 700, "collected": 300, "pending": 400, "credit": 0}


def test_revenue_of_a_group_without_bills_subject_or_price(accountant, seed):
    bare = SchoolClassFactory(
        school=seed.school, name="Art", code="ART", price_per_session=None, subject=None
    )

    data = accountant.get(revenue_url(bare.pk)).json()["data"]

    assert data["group"]["course"] is None
    assert data["stats"] == {
        "totalStudents": 0,
        "pricePerSession": None,
        "payments": {"total": 0, "pending": 0, "paid": 0, "partial": 0, "overdue": 0},
        "revenue": {"expected": 0, "collected": 0, "pending": 0, "credit": 0},
        "sessions": {"total": 0},
    }
    assert data["payments"] == []


def test_revenue_shows_an_overpayment_left_by_a_recalculation_as_credit(accountant, seed):
    generate(accountant, seed)
    pay(seed, 0, "300")
    record = seed.record(0, 1)
    record.status = Status.ABSENT
    record.save()
    generate(accountant, seed, updateExisting=True)

    data = accountant.get(revenue_url(seed.group.pk)).json()["data"]

    assert data["stats"]["revenue"] == {
        "expected": 600,
        "collected": 300,
        "pending": 400,
        "credit": 100,
    }
    ahmed = by_name(data["payments"])["Ahmed Mohamed"]
    assert (ahmed["totalAmount"], ahmed["paidAmount"], ahmed["remainingAmount"]) == (200, 300, 0)
    assert (ahmed["credit"], ahmed["status"]) == (100, "paid")


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


# --- who may call the endpoints -------------------------------------------------------------


def calls(seed):
    return {
        "calculate": lambda c: c.get(calculate_url(seed.group.pk), OCT),
        "generate": lambda c: generate(c, seed),
        "revenue": lambda c: c.get(revenue_url(seed.group.pk)),
    }


@pytest.mark.parametrize("endpoint", ["calculate", "generate", "revenue"])
@pytest.mark.parametrize("role", [Role.ADMIN, Role.ACCOUNTANT])
def test_accountants_and_admins_may_call_the_endpoints(client, seed, today, endpoint, role):
    client.force_login(seed.admin if role == Role.ADMIN else seed.accountant)

    response = calls(seed)[endpoint](client)

    assert response.status_code == 200
    assert response.json()["success"] is True


@pytest.mark.parametrize("endpoint", ["calculate", "generate", "revenue"])
@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.HOD, Role.TEACHER, Role.STUDENT, None])
def test_other_roles_are_refused_with_a_json_403(client, seed, today, endpoint, role):
    if role == Role.STUDENT:
        user = seed.students[0].user  # even for their own group: /billing/my-bills/ is theirs
    elif role is None:
        user = UserFactory(school=None, role=Role.ACCOUNTANT)  # an accountant of no school
    else:
        user = UserFactory(school=seed.school, role=role)
    client.force_login(user)

    response = calls(seed)[endpoint](client)

    assert response.status_code == 403
    assert response.json() == {
        "success": False,
        "message": "Only accountants and admins may use the billing API.",
    }
    assert not Bill.objects.exists()


@pytest.mark.parametrize("endpoint", ["calculate", "generate", "revenue"])
def test_signed_out_callers_get_a_json_401_not_the_login_page(client, seed, endpoint):
    response = calls(seed)[endpoint](client)

    assert response.status_code == 401
    assert response.json() == {"success": False, "message": "Sign in first."}
    assert not Bill.objects.exists()


def test_generation_needs_the_csrf_token_like_the_rest_of_the_app(seed, today):
    client = Client(enforce_csrf_checks=True)
    client.force_login(seed.accountant)

    refused = generate(client, seed)
    token = client.get(reverse("login")).cookies["csrftoken"].value
    preview = client.get(calculate_url(seed.group.pk), OCT)  # a GET needs no token
    accepted = generate(client, seed, headers={"X-CSRFToken": token})

    assert refused.status_code == 403
    assert preview.status_code == 200
    assert accepted.status_code == 200
    assert Bill.objects.count() == 3


# --- queries do not grow per student --------------------------------------------------------


def grow(seed_group, students: int):
    """Add `students` who attended all three sessions to the group."""
    for _ in range(students):
        membership = MembershipFactory(
            school_class=seed_group.group, joined_on=datetime.date(2025, 9, 1)
        )
        for day in SESSION_DAYS:
            AttendanceRecordFactory(membership=membership, date=day, period_number=1)


# Each call, in order, before the group has bills and then with them. Every call starts with
# the session, the user and the group (3). calculate_bills: memberships, bills of the
# period, their lines (only when there are bills), P records, students, sessions (5-6).
QUERY_BUDGET = [
    # calculate: 3 + calculate_bills (5).
    ("calculate", lambda c, g: c.get(calculate_url(g.group.pk), OCT), 8),
    # generate: 3 + savepoint, group locked, calculate_bills (5), school, savepoint, bills,
    # their history, lines, 2 releases, the bills re-read with status, their lines.
    ("generate", lambda c, g: generate(c, g), 19),
    # calculate with bills: + their lines, + the bills' status (existingPayment).
    ("calculate again", lambda c, g: c.get(calculate_url(g.group.pk), OCT), 10),
    # nothing changed: savepoint, lock, calculate_bills (6), school, 3 savepoint statements.
    ("recalculate", lambda c, g: generate(c, g, updateExisting=True), 15),
    # revenue: 3 + current students, totals, counts by status, bills, their lines.
    ("revenue", lambda c, g: c.get(revenue_url(g.group.pk)), 8),
]


@pytest.mark.parametrize("extra_students", [0, 20])
def test_calculate_generate_and_revenue_do_not_query_per_student(
    accountant, seed, django_assert_max_num_queries, extra_students
):
    grow(seed, extra_students)

    for name, call, budget in QUERY_BUDGET:
        with django_assert_max_num_queries(budget, info=name):
            assert call(accountant, seed).status_code == 200

    assert Bill.objects.filter(school_class=seed.group).count() == 3 + extra_students
