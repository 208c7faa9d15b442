"""The bills list as CSV or XLSX rows (docs/design/billing.md, "Export payment reports to ...
Excel"). `attendance.exports.tabular_response` writes the file: amounts stay Decimal, so a
spreadsheet reads them as numbers, and dates stay dates."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .models import Bill, BillStatus

BILL_EXPORT_HEADERS = [
    "Number",
    "Student",
    "Student number",
    "Group",
    "Group code",
    "Period start",
    "Period end",
    "Sessions",
    "Price per session",
    "Amount",
    "Paid",
    "Remaining",
    "Credit",
    "Currency",
    "Due date",
    "Status",
]


def bill_rows(bills: Iterable[Bill]) -> Iterator[list]:
    """One row per bill under `BILL_EXPORT_HEADERS`.

    `bills` come from `billing.selectors.with_bill_status` (the `status` annotation) with
    `student__user` and `school_class` selected, so the rows cost no query of their own.
    Money is Decimal in the bill's currency; the status is its label ("Partially paid").
    """
    for bill in bills:
        yield [
            bill.number,
            str(bill.student),
            bill.student.student_number,
            bill.school_class.name,
            bill.school_class.code,
            bill.period_start,
            bill.period_end,
            bill.sessions_attended,
            bill.price_per_session,
            bill.amount,
            bill.paid_amount,
            bill.remaining,
            bill.credit,
            bill.currency,
            bill.due_date,
            BillStatus(bill.status).label,
        ]
