"""Reads for attendance, one module per area; the names are re-exported here."""

from .marking import (
    MARKING_ROLES,
    active_memberships_on,
    can_mark_slot,
    latest_teaching_day_before,
    periods_for_day,
    records_for_period,
    roster,
    school_slots,
)
from .percentages import (
    SCHOOL_WIDE_READERS,
    AttendanceRow,
    as_rows,
    attendance_list_memberships,
    attendance_list_page,
    attendance_percentage,
    visible_classes,
    visible_memberships,
    with_attendance_totals,
)

__all__ = [
    "MARKING_ROLES",
    "SCHOOL_WIDE_READERS",
    "AttendanceRow",
    "active_memberships_on",
    "as_rows",
    "attendance_list_memberships",
    "attendance_list_page",
    "attendance_percentage",
    "can_mark_slot",
    "latest_teaching_day_before",
    "periods_for_day",
    "records_for_period",
    "roster",
    "school_slots",
    "visible_classes",
    "visible_memberships",
    "with_attendance_totals",
]
