"""Writes for attendance (ARCHITECTURE.md, services): every change to the roll goes
through a module of this package; the names are re-exported here."""

from .marking import (
    CorrectionNeedsReason,
    MarkingConflict,
    MarkingError,
    MarkingResult,
    NotOnRoster,
    SkippedStudent,
    SlotDoesNotMeet,
    StatusNotMarkable,
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
]
