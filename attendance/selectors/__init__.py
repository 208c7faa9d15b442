"""Reads for attendance, one module per area; the names are re-exported here."""

from .marking import (
    active_memberships_on,
    can_change_records,
    can_mark_slot,
    closure_on,
    is_department_head_for,
    is_past_edit_window,
    records_for_period,
    roster,
)
from .percentages import (
    AttendanceRow,
    as_rows,
    attendance_list_memberships,
    attendance_list_page,
    attendance_percentage,
    own_student_profile_id,
    visible_classes,
    visible_memberships,
    with_attendance_totals,
)
from .periods import (
    latest_teaching_day_before,
    periods_for_day,
    school_slots,
    teacher_periods_on,
)

__all__ = [
    "AttendanceRow",
    "active_memberships_on",
    "as_rows",
    "attendance_list_memberships",
    "attendance_list_page",
    "attendance_percentage",
    "own_student_profile_id",
    "can_mark_slot",
    "latest_teaching_day_before",
    "periods_for_day",
    "records_for_period",
    "roster",
    "school_slots",
    "visible_classes",
    "visible_memberships",
    "with_attendance_totals",
    "can_change_records",
    "closure_on",
    "is_department_head_for",
    "is_past_edit_window",
    "teacher_periods_on",
]

from .audit import (  # noqa: E402  (corrections and audit)
    Correction,
    CorrectionKind,
    HistoryEntry,
    as_corrections,
    audit_records,
    correction_kind_counts,
    corrections,
    record_history,
)

__all__ += [
    "Correction",
    "HistoryEntry",
    "CorrectionKind",
    "as_corrections",
    "audit_records",
    "correction_kind_counts",
    "corrections",
    "record_history",
]

from .staff_absence import (  # noqa: E402  (staff-absent lifecycle)
    AbsenceProgress,
    PeriodToResolve,
    absence_covering,
    absent_teacher_choices,
    approved_leave_student_ids,
    is_school_user,
    leave_student_choices,
    may_resolve_staff_absence,
    periods_to_resolve,
    recent_absences,
    school_absences,
    school_leaves,
    substitute_choices,
    with_resolution_progress,
)

__all__ += [
    "AbsenceProgress",
    "PeriodToResolve",
    "absence_covering",
    "absent_teacher_choices",
    "approved_leave_student_ids",
    "is_school_user",
    "leave_student_choices",
    "may_resolve_staff_absence",
    "periods_to_resolve",
    "recent_absences",
    "school_absences",
    "school_leaves",
    "substitute_choices",
    "with_resolution_progress",
]

from .reports import (  # noqa: E402  (reports)
    ClassRegister,
    RegisterRow,
    Session,
    StatusSummary,
    class_register,
    registers_not_taken,
    student_attendance_report,
    student_summary,
    visible_students,
    weekly_trend,
)

__all__ += [
    "ClassRegister",
    "RegisterRow",
    "Session",
    "StatusSummary",
    "class_register",
    "registers_not_taken",
    "student_attendance_report",
    "student_summary",
    "visible_students",
    "weekly_trend",
]

from .total_sessions import (  # noqa: E402  (total-sessions overrides)
    can_edit_total_sessions,
    countable_records_by_student,
    countable_records_covered,
    with_actual_records,
)

__all__ += [
    "can_edit_total_sessions",
    "countable_records_by_student",
    "countable_records_covered",
    "with_actual_records",
]
