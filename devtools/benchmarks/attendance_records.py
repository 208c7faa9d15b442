"""The benchmark school's year of attendance records: generated period by period, written
with COPY on PostgreSQL and bulk_create elsewhere, then the total-sessions overrides."""

from __future__ import annotations

import bisect
import datetime
import itertools
import random
from collections import defaultdict
from collections.abc import Callable, Iterator

from django.db import connection
from django.utils import timezone

from academics.models import (
    Membership,
    School,
    SchoolClass,
    StudentProfile,
    Subject,
    TimetableSlot,
    User,
)
from attendance.models import (
    COUNTABLE_STATUSES,
    AttendanceRecord,
    Status,
    TotalSessionsOverride,
)
from devtools.demo import NOT_PRESENT, NOT_PRESENT_WEIGHTS

from .attendance_plan import (
    COPY_CHUNK_ROWS,
    RECORDS_TABLE,
    SQLITE_BATCH,
    Member,
    Period,
    sql_in,
)


def record_groups(
    *, calendar, days, periods, members, unmarked, rng
) -> Iterator[tuple[Period, datetime.date, int | None, list[tuple[int, str]]]]:
    """Yield (period, date, marked_by, [(student_id, status), …]) for every period met,
    class by class and day by day: the roll as its teachers would have marked it."""
    cumulative = list(itertools.accumulate(NOT_PRESENT_WEIGHTS))
    closures = calendar.closure_days
    by_class: dict[int, list[Member]] = defaultdict(list)
    for member in members:
        by_class[member.class_index].append(member)
    for c in sorted(by_class):
        for day in days:
            present = [
                m
                for m in by_class[c]
                if m.marked_from <= day and (m.left_on is None or day <= m.left_on)
            ]
            for period in periods[(c, day.weekday())]:
                if period.removed_on is not None and day >= period.removed_on:
                    continue
                if (period.slot_id, day) == unmarked:
                    continue
                if day in closures:
                    # Marked H for everyone by the system (no teacher).
                    yield period, day, None, [(m.student_id, Status.HOLIDAY) for m in present]
                    continue
                marks = []
                for m in present:
                    if rng.random() < m.attendance_rate:
                        marks.append((m.student_id, Status.PRESENT))
                    else:
                        pick = bisect.bisect_right(cumulative, rng.random() * cumulative[-1])
                        marks.append((m.student_id, NOT_PRESENT[pick]))
                yield period, day, period.teacher_id, marks


def copy_records(*, school: School, groups, say) -> int:
    """PostgreSQL: stream the records through COPY (psycopg 3), formatting what a period's
    records share once for its ~29 students.

    As a superuser, the row-by-row foreign-key triggers are switched off for the COPY
    (`SET LOCAL session_replication_role`, this transaction only): every id written was
    created moments ago in this transaction, and checking 20 million references one by
    one at commit would take twice as long as the COPY itself. One set-based query then
    checks them all instead (`_check_references`)."""
    now = timezone.now().isoformat()
    columns = (
        "school_class_id, subject_id, slot_id, date, period_number, is_orphaned, "
        "marked_by_id, school_id, modification_reason, created_at, updated_at, "
        "student_id, status"
    )
    written, chunks = 0, 0
    buffer: list[str] = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        (triggers_off,) = cursor.fetchone()
        if triggers_off:
            cursor.execute("SET LOCAL session_replication_role = replica")
        with cursor.copy(f"COPY {RECORDS_TABLE} ({columns}) FROM STDIN") as copy:
            for period, day, marked_by, marks in groups:
                shared = (
                    f"{period.school_class_id}\t{period.subject_id}\t"
                    f"{_copy_text(period.slot_id)}\t{day.isoformat()}\t{period.period_number}\t"
                    f"{'t' if period.orphaned else 'f'}\t{_copy_text(marked_by)}\t{school.pk}\t"
                    f"\t{now}\t{now}\t"
                )
                buffer.extend(f"{shared}{student_id}\t{status}\n" for student_id, status in marks)
                if len(buffer) >= COPY_CHUNK_ROWS:
                    copy.write("".join(buffer))
                    written += len(buffer)
                    buffer.clear()
                    chunks += 1
                    if chunks % 10 == 0:
                        say(f"  {written:,} records …")
            copy.write("".join(buffer))
            written += len(buffer)
        if triggers_off:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
            say("  checking the records' references …")
            _check_references(cursor, school)
    return written


def _check_references(cursor, school: School) -> None:
    """Raise if a record of `school` names a student, class, subject, slot or user that
    does not exist: what the foreign keys would have refused."""
    cursor.execute(
        f"""
        SELECT COUNT(*) FROM {RECORDS_TABLE} r
        LEFT JOIN {StudentProfile._meta.db_table} s ON s.id = r.student_id
        LEFT JOIN {SchoolClass._meta.db_table} c ON c.id = r.school_class_id
        LEFT JOIN {Subject._meta.db_table} j ON j.id = r.subject_id
        LEFT JOIN {TimetableSlot._meta.db_table} t ON t.id = r.slot_id
        LEFT JOIN {User._meta.db_table} u ON u.id = r.marked_by_id
        WHERE r.school_id = %s
          AND (s.id IS NULL OR c.id IS NULL OR j.id IS NULL
               OR (r.slot_id IS NOT NULL AND t.id IS NULL)
               OR (r.marked_by_id IS NOT NULL AND u.id IS NULL))
        """,
        [school.pk],
    )
    (dangling,) = cursor.fetchone()
    if dangling:
        raise ValueError(f"{dangling:,} benchmark records refer to rows that do not exist.")


def _copy_text(value: int | None) -> str:
    return r"\N" if value is None else str(value)


def bulk_create_records(*, school: School, groups, say) -> int:
    """SQLite (or any database without COPY): bulk_create in batches."""
    written = 0
    batch: list[AttendanceRecord] = []
    for period, day, marked_by, marks in groups:
        batch.extend(
            AttendanceRecord(
                school_id=school.pk,
                student_id=student_id,
                school_class_id=period.school_class_id,
                subject_id=period.subject_id,
                slot_id=period.slot_id,
                date=day,
                period_number=period.period_number,
                status=status,
                is_orphaned=period.orphaned,
                marked_by_id=marked_by,
            )
            for student_id, status in marks
        )
        if len(batch) >= SQLITE_BATCH:
            AttendanceRecord.objects.bulk_create(batch)
            written += len(batch)
            batch.clear()
            if written % (SQLITE_BATCH * 40) < SQLITE_BATCH:
                say(f"  {written:,} records …")
    AttendanceRecord.objects.bulk_create(batch)
    return written + len(batch)


def create_overrides(*, school: School, members: list[Member], rng: random.Random) -> None:
    """An override a little above the countable records for the chosen students (it may
    not be below them — docs/design/total-sessions.md), and one for a single subject,
    which the class's percentage must ignore."""
    student_ids = [m.student_id for m in members if m.has_override]
    if not student_ids:
        return
    countable, countable_params = sql_in(COUNTABLE_STATUSES)
    students, student_params = sql_in(student_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT student_id, school_class_id, subject_id, "
            f"COUNT(CASE WHEN status IN ({countable}) THEN 1 END) "
            f"FROM {RECORDS_TABLE} WHERE school_id = %s AND is_orphaned = %s "
            f"AND student_id IN ({students}) "
            f"GROUP BY student_id, school_class_id, subject_id "
            f"ORDER BY student_id, school_class_id, subject_id",
            [*countable_params, school.pk, False, *student_params],
        )
        rows = cursor.fetchall()
    whole_class: dict[tuple[int, int], int] = defaultdict(int)
    first_subject: dict[tuple[int, int], tuple[int, int]] = {}
    for student_id, class_id, subject_id, count in rows:
        whole_class[(student_id, class_id)] += count
        first_subject.setdefault((student_id, class_id), (subject_id, count))
    overrides = []
    for (student_id, class_id), count in whole_class.items():
        subject_id, subject_count = first_subject[(student_id, class_id)]
        overrides += [
            TotalSessionsOverride(
                school=school,
                student_id=student_id,
                school_class_id=class_id,
                total_sessions=count + rng.randint(0, 12),
            ),
            TotalSessionsOverride(
                school=school,
                student_id=student_id,
                school_class_id=class_id,
                subject_id=subject_id,
                total_sessions=subject_count + 3,
            ),
        ]
    TotalSessionsOverride.objects.bulk_create(overrides)


def analyze(say: Callable[[str], None]) -> None:
    """Fresh planner statistics, so the first timings do not run on guesses. On PostgreSQL
    (outside a transaction) the records are also vacuumed: until then every first read of
    a freshly copied page rewrites its hint bits and autovacuum starts on the table in the
    middle of the timings; a school's real records are old and vacuumed."""
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
    with connection.cursor() as cursor:
        for model in (AttendanceRecord, Membership, TotalSessionsOverride, TimetableSlot):
            table = model._meta.db_table
            if vacuum and model is AttendanceRecord:
                say(f"Vacuuming {table} …")
                cursor.execute(f"VACUUM (ANALYZE) {table}")
            else:
                cursor.execute(f"ANALYZE {table}")
