"""Writes for attendance (ARCHITECTURE.md, services): every change to the roll goes
through a module of this package; the names are re-exported here."""

from .calendar import HolidayFill, closure_reason, fill_holiday
from .marking import (
    CorrectionNeedsReason,
    DayNotOpen,
    FutureDate,
    MarkingConflict,
    MarkingError,
    MarkingNotAllowed,
    MarkingResult,
    NotOnRoster,
    RecordsLocked,
    SchoolClosed,
    SkippedStudent,
    SlotDoesNotMeet,
    StatusNotMarkable,
    check_day_open,
    check_may_change,
    is_correction,
    mark_attendance,
)

__all__ = [
    "CorrectionNeedsReason",
    "MarkingConflict",
    "MarkingError",
    "MarkingResult",
    "NotOnRoster",
    "SkippedStudent",
    "SlotDoesNotMeet",
    "StatusNotMarkable",
    "mark_attendance",
    "DayNotOpen",
    "FutureDate",
    "HolidayFill",
    "MarkingNotAllowed",
    "RecordsLocked",
    "SchoolClosed",
    "check_day_open",
    "check_may_change",
    "closure_reason",
    "fill_holiday",
    "is_correction",
]

from .orphaning import (  # noqa: E402  (timetable changes orphan records)
    ORPHANED_REASON,
    RESTORED_REASON,
    OrphaningResult,
    orphan_records_of_slot,
    refresh_orphaning,
    refresh_orphaning_of_slot,
)

__all__ += [
    "ORPHANED_REASON",
    "RESTORED_REASON",
    "OrphaningResult",
    "orphan_records_of_slot",
    "refresh_orphaning",
    "refresh_orphaning_of_slot",
]

from .staff_absence import (  # noqa: E402  (staff-absent lifecycle)
    ExpiryResult,
    LeaveError,
    LeaveOverlaps,
    StaffAbsenceError,
    StaffAbsenceResult,
    SubstituteClash,
    change_substitute,
    check_substitute,
    decide_student_leave,
    expire_staff_absent,
    mark_teacher_absent,
    plan_teacher_absence,
    record_student_leave,
    refuse_overlapping_leave,
    withdraw_staff_absence,
)

__all__ += [
    "ExpiryResult",
    "LeaveError",
    "LeaveOverlaps",
    "StaffAbsenceError",
    "StaffAbsenceResult",
    "SubstituteClash",
    "change_substitute",
    "check_substitute",
    "decide_student_leave",
    "expire_staff_absent",
    "mark_teacher_absent",
    "plan_teacher_absence",
    "record_student_leave",
    "refuse_overlapping_leave",
    "withdraw_staff_absence",
]

from .total_sessions import (  # noqa: E402  (total-sessions overrides)
    BulkTotalRejected,
    InvalidTotal,
    NotAMember,
    TotalBelowActual,
    TotalSessionsError,
    bulk_set_total_sessions,
    check_bulk_total,
    clear_total_sessions,
    parse_total_sessions,
    set_total_sessions,
)

__all__ += [
    "BulkTotalRejected",
    "InvalidTotal",
    "NotAMember",
    "TotalBelowActual",
    "TotalSessionsError",
    "bulk_set_total_sessions",
    "check_bulk_total",
    "clear_total_sessions",
    "parse_total_sessions",
    "set_total_sessions",
]
