"""Timetable changes freeze the records of a removed period (docs/design/attendance.md, EC-ATT-02).

A record is *in force* while its timetable slot still exists and still meets on the
record's date, in the record's period, for the record's class and subject. When a slot is
ended (`valid_to` moved before some of its records), moved (`valid_from`, weekday, period,
class or subject changed) or deleted, the records it no longer covers are flagged
`is_orphaned` — "Orphaned — Period Removed": kept, never deleted, excluded from every
percentage, and frozen (`mark_attendance` skips them; the admin shows them read-only).

Coming back: when a slot that still exists covers an orphaned record of its own again
(the end date is extended, an edit is undone), the record is restored — the period is on
the timetable again, so its attendance counts again. Records of a *deleted* slot lose the
link to it (SET_NULL) and stay orphaned for good: a slot created later is a new period,
and its teacher marks those days afresh only if the old records are first removed.

Every flip is a bulk update with a history row per record, so the trail shows who changed
the timetable and when. `attendance/receivers.py` calls these on every save and delete of a
TimetableSlot; writes that skip signals (`QuerySet.update`, `bulk_update`, e.g. the roster
import) are caught up with `refresh_orphaning(school=…)`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import ExtractIsoWeekDay
from django.utils import timezone

from academics.models import School, TimetableSlot, User

from ..models import AttendanceRecord
from .records import update_records

ORPHANED_REASON = "Orphaned — Period Removed"
RESTORED_REASON = "Period back on the timetable"

_BATCH = 500


@dataclass(frozen=True)
class OrphaningResult:
    """How many records a timetable change froze and how many it brought back."""

    orphaned: int = 0
    restored: int = 0


def _covered_by_their_slot() -> Q:
    """Records whose (existing) slot meets on their date, period, class and subject.

    Needs the `record_weekday` alias (ISO weekday − 1, so Monday is 0 like `Weekday`).
    """
    return (
        Q(date__gte=F("slot__valid_from"))
        & (Q(slot__valid_to__isnull=True) | Q(date__lte=F("slot__valid_to")))
        & Q(record_weekday=F("slot__weekday"))
        & Q(period_number=F("slot__period_number"))
        & Q(school_class_id=F("slot__school_class_id"))
        & Q(subject_id=F("slot__subject_id"))
    )


def _with_weekday(records: QuerySet[AttendanceRecord]) -> QuerySet[AttendanceRecord]:
    return records.alias(record_weekday=ExtractIsoWeekDay("date") - 1)


def _set_orphaned(
    records: QuerySet[AttendanceRecord], *, orphaned: bool, actor: User | None, reason: str
) -> int:
    # Lock the rows so a teacher's save of the same period (which locks them too) cannot
    # correct a record in the moment between our read and our write.
    locked = list(records.select_for_update(of=("self",)).order_by("pk"))
    if not locked:
        return 0
    for record in locked:
        record.is_orphaned = orphaned
    update_records(
        locked,
        fields=["is_orphaned"],
        # None: simple-history takes the signed-in user of the current request, if any.
        actor=actor,
        change_reason=reason,
        now=timezone.now(),
        batch_size=_BATCH,
    )
    return len(locked)


@transaction.atomic
def orphan_records_of_slot(
    *, slot: TimetableSlot, removed_from: datetime.date | None, actor: User | None = None
) -> int:
    """Freeze `slot`'s records from `removed_from` on (docs/design/attendance.md, EC-ATT-02).

    Args:
        slot: the timetable slot being ended or deleted.
        removed_from: the first school-local date the period is no longer taught; None
            when the whole slot goes (deletion): every record of it is frozen.
        actor: who changed the timetable; None takes the request's user (or the system).

    Returns:
        The number of records newly flagged "Orphaned — Period Removed". Nothing is
        deleted, and records already orphaned are left as they are.
    """
    records = AttendanceRecord.objects.filter(slot=slot, is_orphaned=False)
    if removed_from is not None:
        records = records.filter(date__gte=removed_from)
    return _set_orphaned(records, orphaned=True, actor=actor, reason=ORPHANED_REASON)


@transaction.atomic
def refresh_orphaning_of_slot(*, slot: TimetableSlot, actor: User | None = None) -> OrphaningResult:
    """Bring `slot`'s records in line with the slot as it is now saved (EC-ATT-02).

    Records the slot no longer covers (dated after a new `valid_to`, before a later
    `valid_from`, or on a weekday, period, class or subject the slot has left) are
    orphaned; orphaned records it covers again are restored (module docstring).

    Args:
        slot: a saved slot; its records are read from the database.
        actor: who changed the timetable; None takes the request's user (or the system).

    Returns:
        OrphaningResult with the counts of records orphaned and restored.
    """
    records = _with_weekday(AttendanceRecord.objects.filter(slot=slot))
    return OrphaningResult(
        orphaned=_set_orphaned(
            records.filter(is_orphaned=False).exclude(_covered_by_their_slot()),
            orphaned=True,
            actor=actor,
            reason=ORPHANED_REASON,
        ),
        restored=_set_orphaned(
            records.filter(_covered_by_their_slot(), is_orphaned=True),
            orphaned=False,
            actor=actor,
            reason=RESTORED_REASON,
        ),
    )


@transaction.atomic
def refresh_orphaning(*, school: School, actor: User | None = None) -> OrphaningResult:
    """`refresh_orphaning_of_slot` for every slot of `school` at once, in set-based
    queries: run it after timetable writes that skip signals (bulk updates).

    Records without a slot are left alone: a deleted slot's records were orphaned by its
    `pre_delete` signal (which `QuerySet.delete()` sends too), and a record typed in
    without one was never on a period.

    Returns:
        OrphaningResult with the counts of records orphaned and restored.
    """
    records = _with_weekday(AttendanceRecord.objects.filter(school=school, slot__isnull=False))
    return OrphaningResult(
        orphaned=_set_orphaned(
            records.filter(is_orphaned=False).exclude(_covered_by_their_slot()),
            orphaned=True,
            actor=actor,
            reason=ORPHANED_REASON,
        ),
        restored=_set_orphaned(
            records.filter(_covered_by_their_slot(), is_orphaned=True),
            orphaned=False,
            actor=actor,
            reason=RESTORED_REASON,
        ),
    )
