"""Reads for the attendance reports: a student's report by day, week, month or
term, a class's monthly register, the registers nobody took, and weekly trends.

docs/design/attendance.md: "Reports can aggregate to daily, weekly, monthly, or semester views".
The rule is the one in `percentages.py` (present ÷ countable × 100, `attendance_percentage`'s
rounding), applied to the records of a date range:

- counted: status in COUNTABLE_STATUSES (P, A, IL, UL); present: PRESENT_STATUSES (P);
- IL is counted and not present, and reported in its own column ("tracked separately");
- an SA still on a record is unresolved: excluded like NM, shown as "SA (unresolved)";
- orphaned records ("Orphaned — Period Removed", EC-ATT-02) are shown and never counted;
- a record dated outside the student's membership of its class (before `joined_on` or
  after `left_on`, EC-ATT-01) is never counted.

A date-bounded figure's denominator is its countable records: a TotalSessionsOverride is
the total of the whole course (docs/design/total-sessions.md), so dividing one week's present count
by it would be meaningless. Whole-course figures ("overall") come from `with_attendance_totals`,
which does apply the override.

Every function here runs a fixed number of queries whatever the number of students or
records (the docstrings list them).
"""

from .counting import (
    ORPHANED_LABEL,
    STATUS_CODES,
    TREND_WEEKS,
    UNRESOLVED_SA_LABEL,
    StatusSummary,
    TrendWeek,
    student_summary,
    summaries_by_class,
    weekly_trend,
)
from .not_taken import (
    MissingRegister,
    TeacherDay,
    group_by_teacher_and_date,
    not_taken_teachers,
    registers_not_taken,
)
from .register import ClassRegister, RegisterMark, RegisterRow, Session, class_register
from .spans import PeriodKind, ReportPeriod, month_bounds, report_period, week_start
from .student import (
    ABSENCE_STATUSES,
    DayLine,
    StudentClassRow,
    StudentReport,
    overall_percentages,
    recent_student_absences,
    student_attendance_report,
    visible_students,
)

__all__ = [
    "ABSENCE_STATUSES",
    "ORPHANED_LABEL",
    "STATUS_CODES",
    "TREND_WEEKS",
    "UNRESOLVED_SA_LABEL",
    "ClassRegister",
    "DayLine",
    "MissingRegister",
    "PeriodKind",
    "RegisterMark",
    "RegisterRow",
    "ReportPeriod",
    "Session",
    "StatusSummary",
    "StudentClassRow",
    "StudentReport",
    "TeacherDay",
    "TrendWeek",
    "class_register",
    "group_by_teacher_and_date",
    "month_bounds",
    "not_taken_teachers",
    "registers_not_taken",
    "report_period",
    "overall_percentages",
    "recent_student_absences",
    "student_attendance_report",
    "student_summary",
    "summaries_by_class",
    "visible_students",
    "week_start",
    "weekly_trend",
]
