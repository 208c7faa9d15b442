"""`GET /api/accounting/attendance/calculate/<groupId>` (docs/design/billing.md, "API
Endpoints"): the preview document."""

import datetime
from decimal import Decimal

import pytest

from billing.models import Bill

from .helpers import (
    NOT_PRICED,
    OCT,
    by_name,
    calculate_url,
    generate,
    pay,
    record_ids,
)

pytestmark = pytest.mark.django_db


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
