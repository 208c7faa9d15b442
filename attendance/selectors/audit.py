"""Reads for the corrections audit trail (docs/design/attendance.md: "Modified By", "Modification
Reason"; EC-ATT-04: the old value is kept and both are visible to principal and admin).

The trail is django-simple-history's table of AttendanceRecord versions: every save of a
record (marking, a correction, the admin, the staff-absent lifecycle, orphaning) adds a
version holding the record's values after the save, who saved it (`history_user`), when
(`history_date`) and a short note (`history_change_reason`). A correction's full reason is
the version's `modification_reason` (the note is cut to 100 characters).
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from academics.models import School, SchoolClass, StudentProfile, Subject, User

from ..models import AttendanceRecord, Status

HistoricalAttendanceRecord = AttendanceRecord.history.model

# What `mark_attendance` writes as the note of a first mark and of a correction.
_MARKED_NOTE = "Marked"
_CORRECTED_NOTE_PREFIX = "Corrected"


class EntryKind:
    MARKED = "marked"
    CORRECTED = "corrected"
    ORPHANED = "orphaned"
    RESTORED = "restored"
    EDITED = "edited"
    DELETED = "deleted"


@dataclass(frozen=True)
class HistoryEntry:
    """One version of a record, described against the version before it."""

    kind: str  # an EntryKind
    old_status: str | None  # the status before this version; None for the first one
    new_status: str
    changed_by: User | None  # None: the system (a command, an import)
    changed_at: datetime.datetime  # aware; shown in the school's time zone
    reason: str
    is_orphaned: bool  # the record's orphaned flag after this version

    @property
    def old_label(self) -> str:
        return Status(self.old_status).label if self.old_status else ""

    @property
    def new_label(self) -> str:
        return Status(self.new_status).label


class CorrectionKind:
    """What kind of change of status a "Recent corrections" row is (docs/design/attendance.md,
    EC-ATT-04): a person's correction, the staff-absent lifecycle (SA resolved to what
    happened, or expired to NM), or a closure filled over a saved status (→ H)."""

    CORRECTION = "correction"
    STAFF_ABSENT = "staff-absent"
    CLOSURE = "closure"
    DEFAULT = CORRECTION
    ALL = (CORRECTION, STAFF_ABSENT, CLOSURE)


# The statuses an SA becomes through the lifecycle; SA → OD or SU is a correction.
_LIFECYCLE_ENDS = (
    Status.PRESENT,
    Status.ABSENT,
    Status.INFORMED_LEAVE,
    Status.UNINFORMED_LEAVE,
    Status.NOT_MARKED,
)


def _kind_condition(kind: str) -> Q:
    """The versions (annotated with `old_status`) of one CorrectionKind."""
    closure = Q(status=Status.HOLIDAY)
    staff_absent = Q(old_status=Status.STAFF_ABSENT, status__in=_LIFECYCLE_ENDS)
    if kind == CorrectionKind.CLOSURE:
        return closure
    if kind == CorrectionKind.STAFF_ABSENT:
        return staff_absent
    if kind == CorrectionKind.CORRECTION:
        return ~closure & ~staff_absent
    raise ValueError(f"Unknown kind of correction: {kind!r}")


def correction_kind_counts(versions: QuerySet) -> dict[str, int]:
    """How many of `versions` (from `corrections`, without a kind) are of each
    CorrectionKind. One query.

    Returns: {"correction": n, "staff-absent": n, "closure": n}.
    """
    return versions.order_by().aggregate(
        **{kind: Count("history_id", filter=_kind_condition(kind)) for kind in CorrectionKind.ALL}
    )


@dataclass(frozen=True)
class Correction:
    """One change of status of a saved record: a row of "Recent corrections"."""

    record_id: int
    student: StudentProfile | None
    school_class: SchoolClass | None
    subject: Subject | None
    date: datetime.date
    period_number: int
    old_status: str
    new_status: str
    changed_by: User | None
    changed_at: datetime.datetime
    reason: str
    is_orphaned: bool  # the record as it is now

    @property
    def old_label(self) -> str:
        return Status(self.old_status).label

    @property
    def new_label(self) -> str:
        return Status(self.new_status).label


def audit_records(*, user: User) -> QuerySet[AttendanceRecord]:
    """The records whose trail `user` may read: every record of the user's school (the
    caller has checked `access.can_read_audit`); another school's record is absent,
    so fetching it is a 404."""
    return AttendanceRecord.objects.filter(school_id=user.school_id)


def version_reason(version, *, status_changed: bool) -> str:
    """Why `version` (a HistoricalAttendanceRecord) was saved, as the trail shows it.

    A correction's reason is the version's `modification_reason` (required for a status
    change — docs/design/attendance.md; the marking screen's note holds only its first 100
    characters). A system change (orphaning, the staff-absent lifecycle) names itself in the note.
    A first mark has no reason.
    """
    note = version.history_change_reason or ""
    if note.startswith(_CORRECTED_NOTE_PREFIX) or (status_changed and not note):
        return version.modification_reason or note
    return "" if note == _MARKED_NOTE else note


def record_history(*, record: AttendanceRecord) -> list[HistoryEntry]:
    """Every version of `record`, oldest first, each compared with the one before.

    Args:
        record: a record already scoped to the reader's school (`audit_records`).

    Returns:
        HistoryEntry per version: the first is MARKED ("Marked P by …"), a status change
        CORRECTED ("P → A by … — reason"), a flip of the orphaned flag ORPHANED or
        RESTORED (EC-ATT-02), any other save EDITED. One query.
    """
    versions = record.history.select_related("history_user").order_by("history_date", "history_id")
    entries: list[HistoryEntry] = []
    previous = None
    for version in versions:
        status_changed = previous is not None and previous.status != version.status
        if previous is None:
            kind = EntryKind.MARKED
        elif version.history_type == "-":
            kind = EntryKind.DELETED
        elif status_changed:
            kind = EntryKind.CORRECTED
        elif version.is_orphaned and not previous.is_orphaned:
            kind = EntryKind.ORPHANED
        elif previous.is_orphaned and not version.is_orphaned:
            kind = EntryKind.RESTORED
        else:
            kind = EntryKind.EDITED
        entries.append(
            HistoryEntry(
                kind=kind,
                old_status=previous.status if previous is not None else None,
                new_status=version.status,
                changed_by=version.history_user,
                changed_at=version.history_date,
                reason=version_reason(version, status_changed=status_changed),
                is_orphaned=version.is_orphaned,
            )
        )
        previous = version
    return entries


def _start_of(day: datetime.date, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)


def corrections(
    *,
    school: School,
    school_class: SchoolClass | None = None,
    changed_by: User | None = None,
    slot_teacher: User | None = None,
    changed_from: datetime.date | None = None,
    changed_to: datetime.date | None = None,
    kind: str | None = None,
) -> QuerySet:
    """Every change of status of a saved record of `school`, newest first (EC-ATT-04).

    A correction is a version whose status differs from the record's previous version
    (the first mark is not one; a save that changes only other fields is not one). The
    previous status comes from a correlated subquery on the same table, so the whole list
    — or one page of it — is one query, and per-version filters (who, when) apply to the
    correction itself, not to the version it is compared with.

    Args:
        school: the reader's school; versions of another school's records never appear.
        school_class: only records of this class (of `school`; the caller checked).
        changed_by: only changes saved by this user.
        slot_teacher: only records of a timetable period taught by this user.
        changed_from, changed_to: only changes made on these school-local dates
            (inclusive), in the school's time zone — the date of the change, not of the
            record.
        kind: only changes of this CorrectionKind; None: every kind.

    Returns:
        HistoricalAttendanceRecord versions annotated with `old_status` (str) and
        `orphaned_now` (bool: the record as it is now), with student, class, subject and
        who joined in. Records deleted since are left out. Turn rows into display rows
        with `as_corrections`.
    """
    previous_status = (
        HistoricalAttendanceRecord.objects.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values("status")[:1]
    )
    orphaned_now = (
        AttendanceRecord.objects.filter(pk=OuterRef("id"), school=school)
        .order_by()
        .values("is_orphaned")[:1]
    )
    versions = (
        # "~" only: a first mark ("+") is never a correction, and most versions are those.
        HistoricalAttendanceRecord.objects.filter(school=school, history_type="~")
        .annotate(old_status=Subquery(previous_status), orphaned_now=Subquery(orphaned_now))
        .filter(old_status__isnull=False, orphaned_now__isnull=False)
        .exclude(old_status=F("status"))
    )
    if kind is not None:
        versions = versions.filter(_kind_condition(kind))
    if school_class is not None:
        versions = versions.filter(school_class=school_class)
    if changed_by is not None:
        versions = versions.filter(history_user=changed_by)
    if slot_teacher is not None:
        versions = versions.filter(slot__teacher=slot_teacher)
    zone = zoneinfo.ZoneInfo(school.timezone)
    if changed_from is not None:
        versions = versions.filter(history_date__gte=_start_of(changed_from, zone))
    if changed_to is not None:
        next_day = changed_to + datetime.timedelta(days=1)
        versions = versions.filter(history_date__lt=_start_of(next_day, zone))
    return versions.select_related(
        "history_user", "student__user", "school_class", "subject"
    ).order_by("-history_date", "-history_id")


def as_corrections(versions: Iterable) -> list[Correction]:
    """Display rows for versions from `corrections` (no queries of its own)."""
    return [
        Correction(
            record_id=version.id,
            student=version.student,
            school_class=version.school_class,
            subject=version.subject,
            date=version.date,
            period_number=version.period_number,
            old_status=version.old_status,
            new_status=version.status,
            changed_by=version.history_user,
            changed_at=version.history_date,
            reason=version_reason(version, status_changed=True),
            is_orphaned=bool(version.orphaned_now),
        )
        for version in versions
    ]
