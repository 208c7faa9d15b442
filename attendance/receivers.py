"""Timetable changes orphan attendance records (docs/design/attendance.md, EC-ATT-02), and
attendance taken in a year stops a promotion into it from being undone
(docs/design/promotion.md).

Connected here rather than in academics, because attendance depends on academics and
never the other way round (ARCHITECTURE.md). The signals attendance itself sends are in
`signals.py`, which imports nothing of attendance, so services can send them.
"""

from __future__ import annotations

from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver

from academics.models import TimetableSlot
from academics.signals import promotion_undo_requested, roster_imported

from .services.orphaning import (
    orphan_records_of_slot,
    refresh_orphaning,
    refresh_orphaning_of_slot,
)

# The slot fields that decide which records it covers (`services.orphaning`).
_COVERAGE_FIELDS = frozenset(
    {"valid_from", "valid_to", "weekday", "period_number", "school_class", "subject"}
)


@receiver(post_save, sender=TimetableSlot, dispatch_uid="attendance.slot_saved")
def slot_saved(sender, instance: TimetableSlot, created: bool, raw: bool = False, **kwargs):
    # A new slot has no records yet; a fixture load (raw) must not write other tables.
    if created or raw:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not (
        {name.removesuffix("_id") for name in update_fields} & _COVERAGE_FIELDS
    ):
        return
    refresh_orphaning_of_slot(slot=instance)


@receiver(pre_delete, sender=TimetableSlot, dispatch_uid="attendance.slot_deleted")
def slot_deleted(sender, instance: TimetableSlot, **kwargs):
    # Before the delete: afterwards SET_NULL has cut the records' link to the slot.
    orphan_records_of_slot(slot=instance, removed_from=None)


@receiver(roster_imported, dispatch_uid="attendance.roster_imported")
def roster_reimported(sender, schools, **kwargs):
    # The import moves slot dates with bulk_update, which sends no post_save.
    for school in schools:
        refresh_orphaning(school=school)


@receiver(promotion_undo_requested, dispatch_uid="attendance.promotion_undo_requested")
def attendance_taken_blocks_undo(sender, student_ids, academic_year, **kwargs) -> list[str]:
    """A promotion can't be undone once attendance has been taken in the year it promoted
    into for one of its students (docs/design/promotion.md, "Undo")."""
    from .models import AttendanceRecord

    records = AttendanceRecord.objects.filter(
        student__in=student_ids,
        date__gte=academic_year.start_date,
        date__lte=academic_year.end_date,
    )
    count = records.count()
    if not count:
        return []
    students = records.values("student").distinct().count()
    return [
        f"Attendance has been taken in {academic_year} for {students} of its students "
        f"({count} records): their new enrollments are in use."
    ]
