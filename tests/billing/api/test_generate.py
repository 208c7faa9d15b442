"""`POST /api/accounting/attendance/generate-payments` (docs/design/billing.md, "API
Endpoints"): generating and recalculating bills."""

import datetime
from decimal import Decimal

import pytest

from billing.models import Bill, BillLine

from .helpers import (
    by_name,
    generate,
    post_json,
    record_ids,
)

pytestmark = pytest.mark.django_db


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
    assert skipped["Ahmed Mohamed"]["reason"] == (
        f'{ahmed.number} already bills this period (3 sessions); send "updateExisting": '
        "true to bring it up to date."
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
