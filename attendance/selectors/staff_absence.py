"""Reads for the staff-absent (SA) lifecycle (seed 001).

Stubs with their final signatures: the marking screen already calls them.
"""

from __future__ import annotations

import datetime

from academics.models import TimetableSlot, User


def may_resolve_staff_absence(*, user: User, slot: TimetableSlot, day: datetime.date) -> bool:
    """True if `user` may resolve the SA records of `slot` on `day`: the class's advisor or
    the substitute an hod assigned to the absent teacher that day (seed 001)."""
    return False


def approved_leave_student_ids(*, school_id: int, day: datetime.date) -> set[int]:
    """StudentProfile ids with approved leave covering `day` (school-local): their SA
    periods may be resolved to IL (seed 001)."""
    return set()
