"""Reads for academics' pages, one module per area; the names are re-exported here."""

from .enrollments import EnrollmentListing, enrollment_listing
from .guardians import children_of, guardian_links, is_guardian_of
from .promotion import (
    active_sections,
    class_count,
    classes_for_editor,
    draft_runs,
    edited_row_count,
    eligible_enrollments,
    run_history,
    run_logs,
    run_row,
    run_row_count,
    school_grades,
    school_run,
    school_year,
    target_classes,
    years_with_counts,
)

__all__ = [
    "EnrollmentListing",
    "children_of",
    "guardian_links",
    "is_guardian_of",
    "active_sections",
    "class_count",
    "classes_for_editor",
    "draft_runs",
    "edited_row_count",
    "eligible_enrollments",
    "enrollment_listing",
    "run_history",
    "run_logs",
    "run_row",
    "run_row_count",
    "school_grades",
    "school_run",
    "school_year",
    "target_classes",
    "years_with_counts",
]
