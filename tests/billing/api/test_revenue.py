"""`GET /api/accounting/groups/<groupId>/revenue` (docs/design/billing.md, "API Endpoints")."""

import datetime

import pytest

from attendance.models import Status
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
)

from .helpers import (
    by_name,
    generate,
    pay,
    record_ids,
    revenue_url,
)

pytestmark = pytest.mark.django_db


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
