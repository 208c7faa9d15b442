"""The seed's JSON documents (docs/design/billing.md, "API Endpoints"): bills, calculations and
revenue as camelCase dicts for `billing/api.py`.

Conventions (docs/design/billing.md): `_id` is the row's integer primary key; money is a JSON
number (a whole amount as an integer, `1200`, otherwise with its cents, `33.33`; never a
string); dates are `YYYY-MM-DD`. The seed's keys are never renamed; a few are added (`currency`,
`number`, `alreadyBilled`, `needsRecalculation`, `credit`), which its clients ignore.

These functions only read what they are given: the caller fetches the rows (with
`select_related`/prefetches and `with_bill_status`), so a list costs no query per bill.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from academics.models import SchoolClass, StudentProfile

from .models import PAYMENT_TYPE, Bill
from .selectors import BillingCalculation, Revenue, StudentCalculation
from .services import GenerationResult
from .services.generation import EXISTS_API, SkippedStudent


def money(amount: Decimal | None) -> int | float | None:
    """A Decimal amount as a JSON number: `Decimal("1200.00")` → `1200`,
    `Decimal("33.33")` → `33.33`; None stays None (a group without a price)."""
    if amount is None:
        return None
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


def iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def student_doc(student: StudentProfile) -> dict:
    """`{_id, fullName, email, studentCode}` (needs `student.user` loaded)."""
    user = student.user
    return {
        "_id": student.pk,
        "fullName": user.get_full_name() or user.username,
        "email": user.email,
        "studentCode": student.student_number,
    }


def group_doc(group: SchoolClass) -> dict:
    return {"_id": group.pk, "name": group.name, "code": group.code}


def period_doc(start: datetime.date, end: datetime.date) -> dict:
    return {"startDate": iso(start), "endDate": iso(end)}


def bill_doc(bill: Bill) -> dict:
    """A bill as the seed's session-based payment record.

    `bill` needs `student__user` and `school_class` loaded, `lines` prefetched and the
    annotations of `with_bill_status` (`status`, `needs_recalculation`).
    """
    return {
        "_id": bill.pk,
        "number": bill.number,
        "student": student_doc(bill.student),
        "group": group_doc(bill.school_class),
        "paymentType": PAYMENT_TYPE,
        "period": period_doc(bill.period_start, bill.period_end),
        "sessionsAttended": bill.sessions_attended,
        "pricePerSession": money(bill.price_per_session),
        "totalAmount": money(bill.amount),
        "paidAmount": money(bill.paid_amount),
        "remainingAmount": money(bill.remaining),
        "credit": money(bill.credit),
        "currency": bill.currency,
        "dueDate": iso(bill.due_date),
        "status": bill.status,
        "needsRecalculation": bill.needs_recalculation,
        "attendanceRecords": [line.attendance_record_id for line in bill.lines.all()],
    }


def _existing_payment_doc(bill: Bill, status: str) -> dict:
    return {
        "_id": bill.pk,
        "number": bill.number,
        "totalAmount": money(bill.amount),
        "paidAmount": money(bill.paid_amount),
        "remainingAmount": money(bill.remaining),
        "status": status,
    }


def _calculation_doc(calc: StudentCalculation, statuses: dict[int, str]) -> dict:
    bill = calc.existing_bill
    # A bill being recalculated keeps the price it was issued at (`total_amount` uses it).
    price = bill.price_per_session if bill else calc.price_per_session
    return {
        "student": student_doc(calc.student),
        "sessionsAttended": calc.sessions_attended,
        "pricePerSession": money(price),
        "totalAmount": money(calc.total_amount),
        "attendanceRecords": list(calc.record_ids),
        "enrollmentDate": iso(calc.enrollment_date),
        "status": calc.status,
        "existingPayment": _existing_payment_doc(bill, statuses[bill.pk]) if bill else None,
        "alreadyBilled": calc.already_billed,
        "needsRecalculation": calc.changes_existing_bill,
    }


def calculation_doc(calculation: BillingCalculation, *, bill_statuses: dict[int, str]) -> dict:
    """The calculate endpoint's `data`: group, period, summary and `calculations[]`.

    `bill_statuses` maps the pk of each student's existing bill of the period to its
    status (`with_bill_status`), for `existingPayment.status`.
    """
    group = calculation.school_class
    price = money(calculation.price_per_session)
    return {
        "group": group_doc(group) | {"pricePerSession": price},
        "period": period_doc(calculation.start, calculation.end),
        "currency": group.school.currency,
        "summary": {
            "totalSessions": calculation.total_sessions,
            "totalStudents": calculation.total_students,
            "activeStudents": calculation.active_students,
            "totalRevenue": money(calculation.total_revenue),
            "pricePerSession": price,
        },
        "calculations": [_calculation_doc(c, bill_statuses) for c in calculation.calculations],
    }


def _skip_reason(skip: SkippedStudent) -> str:
    """The skip's reason in the API's words: a bill left for want of recalculation names
    the `updateExisting` key rather than the page's checkbox."""
    if skip.needs_recalculation and skip.bill is not None:
        return EXISTS_API.format(number=skip.bill.number, sessions=skip.bill.sessions_attended)
    return skip.reason


def generation_doc(result: GenerationResult, *, bills: dict[int, Bill]) -> dict:
    """The generate endpoint's `data`: created and updated bills, skipped students with
    the reason, and the counts. `bills` maps pk → the bill re-read for `bill_doc`."""
    return {
        "created": [bill_doc(bills[bill.pk]) for bill in result.created],
        "updated": [bill_doc(bills[bill.pk]) for bill in result.updated],
        "skipped": [
            {
                "student": student_doc(skip.student),
                "reason": _skip_reason(skip),
                "bill": skip.bill.pk if skip.bill else None,
            }
            for skip in result.skipped
        ],
        "summary": {
            "totalCreated": len(result.created),
            "totalUpdated": len(result.updated),
            "totalSkipped": len(result.skipped),
        },
    }


def revenue_doc(
    group: SchoolClass, *, stats: Revenue, total_students: int, bills: list[Bill]
) -> dict:
    """The group revenue endpoint's `data`: the group with its course (the group's
    subject, or null), the stats and the group's bills (`bill_doc`)."""
    subject = group.subject
    return {
        "group": group_doc(group)
        | {"course": {"_id": subject.pk, "name": subject.name} if subject else None},
        "currency": group.school.currency,
        "stats": {
            "totalStudents": total_students,
            "pricePerSession": money(group.price_per_session),
            "payments": {"total": stats.total, **stats.counts},
            "revenue": {
                "expected": money(stats.expected),
                "collected": money(stats.collected),
                "pending": money(stats.pending),
                "credit": money(stats.credit),
            },
            "sessions": {"total": stats.sessions},
        },
        "payments": [bill_doc(bill) for bill in bills],
    }
