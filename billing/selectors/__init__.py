"""Reads for billing (docs/design/billing.md): the period a bill covers, what a group's
students would be billed, bills with their status, the money of a set of bills, and the
groups and bills the billing pages and the JSON API show.

Every function takes school-scoped objects or the user whose school scopes it. Split by
noun; this package re-exports the public names.
"""

from .bills import (
    Revenue,
    bill_group,
    bill_group_choices,
    bill_history,
    bill_lines,
    bill_payments,
    bills_of_student,
    filtered_bills,
    ordered_for_list,
    owed_by_student,
    readable_bill,
    revenue,
    revenue_by_month,
    school_bills,
    status_label,
    student_bills,
    unbilled_session_count,
    with_bill_status,
)
from .calculation import (
    BillingCalculation,
    StudentCalculation,
    billable_records,
    calculate_bills,
)
from .groups import (
    bill_statuses,
    billing_groups,
    bills_by_pk,
    bills_for_docs,
    current_student_count,
    group_bills,
    listed_group_bills,
    member_count,
    school_group,
)
from .money import ZERO
from .periods import BillingPeriodError, billing_period, last_ended_month, month_bounds

__all__ = [
    "ZERO",
    "BillingCalculation",
    "BillingPeriodError",
    "Revenue",
    "StudentCalculation",
    "bill_group",
    "bill_group_choices",
    "bill_history",
    "bill_lines",
    "bill_payments",
    "bill_statuses",
    "billable_records",
    "billing_groups",
    "billing_period",
    "bills_by_pk",
    "bills_for_docs",
    "calculate_bills",
    "current_student_count",
    "filtered_bills",
    "group_bills",
    "last_ended_month",
    "listed_group_bills",
    "member_count",
    "month_bounds",
    "ordered_for_list",
    "readable_bill",
    "revenue",
    "revenue_by_month",
    "school_bills",
    "school_group",
    "status_label",
    "student_bills",
    "bills_of_student",
    "owed_by_student",
    "unbilled_session_count",
    "with_bill_status",
]
