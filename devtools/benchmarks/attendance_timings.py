"""The timings of the attendance benchmark: four things the application does, each against
one SQL statement that computes the same numbers (`attendance_school` has the overview)."""

from __future__ import annotations

import datetime
import statistics
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from academics.models import (
    Membership,
)
from attendance.models import (
    COUNTABLE_STATUSES,
    PRESENT_STATUSES,
    AttendanceRecord,
    Status,
)
from attendance.selectors.marking import active_memberships_on
from attendance.selectors.percentages import (
    attendance_list_page,
    attendance_percentage,
    with_attendance_totals,
)
from attendance.services.marking import mark_attendance

from .attendance_plan import (
    MEMBERSHIPS_TABLE,
    OVERRIDES_TABLE,
    RECORDS_TABLE,
    BenchmarkSchool,
    sql_in,
)


class BenchmarkMismatch(Exception):
    """The application and the direct SQL gave different numbers for the same question."""


@dataclass(frozen=True)
class Timing:
    """Median milliseconds of one operation done by the application and by one SQL
    statement; `skipped` says why an operation was not timed."""

    operation: str
    size: str = ""
    app_ms: float | None = None
    sql_ms: float | None = None
    skipped: str = ""

    @property
    def ratio(self) -> float | None:
        if self.app_ms is None or not self.sql_ms:
            return None
        return self.app_ms / self.sql_ms


def run_benchmarks(
    bench: BenchmarkSchool, *, repeat: int = 5, progress: Callable[[str], None] | None = None
) -> list[Timing]:
    """Time the four operations, application and SQL (median of `repeat` runs after one
    warm-up each), checking that both give the same numbers.

    Raises BenchmarkMismatch at the first disagreement."""
    say = progress or (lambda line: None)
    operations = [
        ("class attendance list", _list_app, _list_sql, _rows_size),
        ("monthly register grid", _register_app, _register_sql, _register_size),
        ("school-wide percentages", _school_app, _school_sql, _memberships_size),
        ("mark one period", _mark_app, _mark_sql, _records_size),
    ]
    timings = []
    for name, app, sql, size in operations:
        if app is _register_app and _class_register() is None:
            timings.append(Timing(name, skipped="attendance.selectors.reports not available"))
            continue
        say(f"Timing the {name} …")
        app_ms, app_result = _median_ms(lambda app=app: app(bench), repeat)
        sql_ms, sql_result = _median_ms(lambda sql=sql: sql(bench), repeat)
        _check_same(name, app_result, sql_result)
        timings.append(Timing(name, size=size(app_result), app_ms=app_ms, sql_ms=sql_ms))
    return timings


def _median_ms(run: Callable[[], tuple[float, Any]], repeat: int) -> tuple[float, Any]:
    """Median milliseconds of `repeat` runs after one warm-up, and the warm-up's result.
    `run` returns (seconds, result) so it can leave set-up and rollback out of the time."""
    _, result = run()
    return statistics.median(run()[0] for _ in range(max(1, repeat))) * 1000, result


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def _check_same(operation: str, app: dict, sql: dict) -> None:
    if app == sql:
        return
    differing = sorted((k for k in app.keys() | sql.keys() if app.get(k) != sql.get(k)), key=str)
    examples = "; ".join(
        f"{key}: application {app.get(key)!r}, SQL {sql.get(key)!r}" for key in differing[:5]
    )
    raise BenchmarkMismatch(
        f"{operation}: the application and the SQL disagree on {len(differing)} of "
        f"{len(app.keys() | sql.keys())} values, e.g. {examples}"
    )


def _percentage(tenths: int | None) -> Decimal | None:
    return None if tenths is None else Decimal(tenths) / 10


_PRESENT, _PRESENT_PARAMS = sql_in(PRESENT_STATUSES)
_COUNTABLE, _COUNTABLE_PARAMS = sql_in(COUNTABLE_STATUSES)
# A percentage rounded half up to tenths in integer arithmetic, so that SQLite and
# PostgreSQL round alike and exactly as `attendance_percentage`:
# floor(present × 1000 / d + ½) = (present × 2000 + d) / (2 × d).
_TENTHS = "CASE WHEN {d} > 0 THEN ({p} * 2000 + {d}) / (2 * {d}) END"

# Every membership's totals in one GROUP BY: its class's records from joined_on to
# left_on (EC-ATT-01), orphans excluded (EC-ATT-02), the student + class override with
# no subject as the denominator (docs/design/total-sessions.md) unless records have since passed it.
_TOTALS_SQL = f"""
SELECT t.membership_id, t.present, t.countable, t.override_total, t.denominator,
       {_TENTHS.format(p="t.present", d="t.denominator")}
FROM (
    SELECT c.*,
           CASE WHEN c.override_total > c.countable THEN c.override_total
                ELSE c.countable END AS denominator
    FROM (
        SELECT m.id AS membership_id,
               COUNT(CASE WHEN r.status IN ({_PRESENT}) THEN 1 END) AS present,
               COUNT(CASE WHEN r.status IN ({_COUNTABLE}) THEN 1 END) AS countable,
               MAX(o.total_sessions) AS override_total
        FROM {MEMBERSHIPS_TABLE} m
        LEFT JOIN {RECORDS_TABLE} r
               ON r.student_id = m.student_id
              AND r.school_class_id = m.school_class_id
              AND r.is_orphaned = %s
              AND r.date >= m.joined_on
              AND (m.left_on IS NULL OR r.date <= m.left_on)
        LEFT JOIN {OVERRIDES_TABLE} o
               ON o.student_id = m.student_id
              AND o.school_class_id = m.school_class_id
              AND o.subject_id IS NULL
        WHERE m.school_id = %s {{only_class}}
        GROUP BY m.id
    ) c
) t
"""


def _totals_sql(*, school_id: int, school_class_id: int | None = None) -> dict:
    only_class, params = "", []
    if school_class_id is not None:
        only_class, params = "AND m.school_class_id = %s", [school_class_id]
    with connection.cursor() as cursor:
        cursor.execute(
            _TOTALS_SQL.format(only_class=only_class),
            [*_PRESENT_PARAMS, *_COUNTABLE_PARAMS, False, school_id, *params],
        )
        return {
            membership_id: (present, countable, override, denominator, _percentage(tenths))
            for membership_id, present, countable, override, denominator, tenths in cursor
        }


# 1. The attendance list of one class, as its advisor opens it.


def _list_app(bench: BenchmarkSchool) -> tuple[float, dict]:
    seconds, page = _timed(
        lambda: attendance_list_page(
            user=bench.class_teacher, school_class=bench.school_class, per_page=50
        )
    )
    return seconds, {
        row.membership.pk: (
            row.present,
            row.countable,
            row.override_total,
            row.denominator,
            row.percentage,
        )
        for row in page.object_list
    }


def _list_sql(bench: BenchmarkSchool) -> tuple[float, dict]:
    return _timed(
        lambda: _totals_sql(school_id=bench.school.pk, school_class_id=bench.school_class.pk)
    )


def _rows_size(result: dict) -> str:
    return f"{len(result)} rows"


# 2. The register of one class for one month.


def _class_register():
    """`attendance.selectors.reports.class_register`, or None where that module is
    missing (the benchmark then skips the register)."""
    try:
        from attendance.selectors.reports import class_register
    except ImportError as exc:
        if exc.name not in ("attendance.selectors.reports", None):
            raise
        return None
    return class_register


def _register_app(bench: BenchmarkSchool) -> tuple[float, dict]:
    class_register = _class_register()
    seconds, register = _timed(
        lambda: class_register(school_class=bench.school_class, month=bench.register_month)
    )
    numbers: dict = {
        "sessions": tuple((s.date, s.period_number, s.subject_id) for s in register.sessions)
    }
    for row in register.rows:
        numbers[row.student.pk] = (row.present, row.countable, row.percentage)
        for session, status in zip(register.sessions, row.cells, strict=True):
            if status is not None:
                cell = (row.student.pk, session.date, session.period_number, session.subject_id)
                numbers[cell] = status
    return seconds, numbers


# The month's cells of every student who was a member during the month, and each one's
# present and countable records of the month (the denominator of a date-bounded figure,
# reports.py): countable, not orphaned, and dated inside one of the student's memberships
# of the class (EC-ATT-01) — in one statement, the counts as window sums.
_IN_A_MEMBERSHIP = f"""EXISTS (
    SELECT 1 FROM {MEMBERSHIPS_TABLE} w
    WHERE w.student_id = r.student_id AND w.school_class_id = r.school_class_id
      AND w.joined_on <= r.date AND (w.left_on IS NULL OR r.date <= w.left_on))"""
_REGISTER_SQL = f"""
SELECT g.student_id, g.date, g.period_number, g.subject_id, g.status, g.present, g.countable,
       {_TENTHS.format(p="g.present", d="g.countable")}
FROM (
    SELECT s.student_id, r.date, r.period_number, r.subject_id, r.status,
           SUM(CASE WHEN r.is_orphaned = %s AND r.status IN ({_PRESENT}) AND {_IN_A_MEMBERSHIP}
                    THEN 1 ELSE 0 END) OVER (PARTITION BY s.student_id) AS present,
           SUM(CASE WHEN r.is_orphaned = %s AND r.status IN ({_COUNTABLE}) AND {_IN_A_MEMBERSHIP}
                    THEN 1 ELSE 0 END) OVER (PARTITION BY s.student_id) AS countable
    FROM (
        SELECT DISTINCT student_id FROM {MEMBERSHIPS_TABLE}
        WHERE school_class_id = %s AND joined_on <= %s AND (left_on IS NULL OR left_on >= %s)
    ) s
    LEFT JOIN {RECORDS_TABLE} r
           ON r.student_id = s.student_id AND r.school_class_id = %s
          AND r.date >= %s AND r.date <= %s
) g
"""


def _register_sql(bench: BenchmarkSchool) -> tuple[float, dict]:
    start = bench.register_month
    end = (start + datetime.timedelta(days=31)).replace(day=1) - datetime.timedelta(days=1)
    class_id = bench.school_class.pk
    params = [
        False, *_PRESENT_PARAMS, False, *_COUNTABLE_PARAMS,
        class_id, end, start, class_id, start, end,
    ]  # fmt: skip

    def run() -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(_REGISTER_SQL, params)
            return cursor.fetchall()

    seconds, rows = _timed(run)
    numbers: dict = {}
    sessions = set()
    for student_id, day, period_number, subject_id, status, present, countable, tenths in rows:
        numbers[student_id] = (present, countable, _percentage(tenths))
        if status is not None:
            sessions.add((_as_date(day), period_number, subject_id))
            numbers[(student_id, _as_date(day), period_number, subject_id)] = status
    # The application orders a day's periods by number, then subject name; here every
    # period has one subject, so number order is the same.
    numbers["sessions"] = tuple(sorted(sessions))
    return seconds, numbers


def _as_date(value) -> datetime.date:
    # SQLite returns a raw cursor's dates as text.
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _register_size(result: dict) -> str:
    students = sum(1 for key in result if isinstance(key, int))
    return f"{students} students × {len(result['sessions'])} periods"


# 3. Every membership's totals in the whole school.


def _school_app(bench: BenchmarkSchool) -> tuple[float, dict]:
    memberships = with_attendance_totals(Membership.objects.filter(school=bench.school))
    seconds, rows = _timed(lambda: list(memberships.all()))
    return seconds, {
        m.pk: (
            m.present_count,
            m.countable_count,
            m.override_total,
            m.denominator,
            attendance_percentage(m.present_count, m.denominator),
        )
        for m in rows
    }


def _school_sql(bench: BenchmarkSchool) -> tuple[float, dict]:
    return _timed(lambda: _totals_sql(school_id=bench.school.pk))


def _memberships_size(result: dict) -> str:
    return f"{len(result):,} memberships"


# 4. Saving one period's roll, rolled back after each run so every run saves the same.


def _marking_statuses(bench: BenchmarkSchool) -> dict[int, str]:
    """The roll a teacher would save: everyone present but a few."""
    student_ids = sorted(
        active_memberships_on(school_class=bench.school_class, day=bench.marking_day)
        .values_list("student_id", flat=True)
        .distinct()
    )
    not_present = (Status.ABSENT, Status.INFORMED_LEAVE, Status.UNINFORMED_LEAVE)
    return {
        student_id: not_present[n // 7 % len(not_present)] if n % 7 == 3 else Status.PRESENT
        for n, student_id in enumerate(student_ids)
    }


def _saved_roll(bench: BenchmarkSchool) -> dict:
    return dict(
        AttendanceRecord.objects.filter(
            school_class=bench.school_class,
            date=bench.marking_day,
            period_number=bench.marking_slot.period_number,
            subject_id=bench.marking_slot.subject_id,
        ).values_list("student_id", "status")
    )


def _mark_app(bench: BenchmarkSchool) -> tuple[float, dict]:
    statuses = _marking_statuses(bench)
    slot = bench.marking_slot
    with transaction.atomic():
        seconds, _ = _timed(
            lambda: mark_attendance(
                slot=slot, day=bench.marking_day, statuses=statuses, actor=bench.marking_actor
            )
        )
        saved = _saved_roll(bench)
        transaction.set_rollback(True)
    return seconds, saved


def _mark_sql(bench: BenchmarkSchool) -> tuple[float, dict]:
    statuses = _marking_statuses(bench)
    slot, day = bench.marking_slot, bench.marking_day
    by_status: dict[str, list[int]] = defaultdict(list)
    for student_id, status in statuses.items():
        if status != Status.PRESENT:
            by_status[status].append(student_id)
    status_sql, status_params = "%s", [Status.PRESENT]
    if by_status:
        cases = []
        status_params = []
        for status, student_ids in sorted(by_status.items()):
            placeholders, values = sql_in(student_ids)
            cases.append(f"WHEN m.student_id IN ({placeholders}) THEN %s")
            status_params += [*values, status]
        status_sql = f"CASE {' '.join(cases)} ELSE %s END"
        status_params.append(Status.PRESENT)
    now = timezone.now()
    sql = f"""
        INSERT INTO {RECORDS_TABLE} (school_id, student_id, school_class_id, subject_id, slot_id,
            date, period_number, status, is_orphaned, marked_by_id, modification_reason,
            created_at, updated_at)
        SELECT DISTINCT m.school_id, m.student_id, m.school_class_id, %s, %s, %s, %s,
               {status_sql}, %s, %s, '', %s, %s
        FROM {MEMBERSHIPS_TABLE} m
        WHERE m.school_class_id = %s AND m.joined_on <= %s
          AND (m.left_on IS NULL OR m.left_on >= %s)
    """
    params = [
        slot.subject_id, slot.pk, day, slot.period_number, *status_params,
        False, bench.marking_actor.pk, now, now, slot.school_class_id, day, day,
    ]  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        seconds, _ = _timed(lambda: cursor.execute(sql, params))
        saved = _saved_roll(bench)
        transaction.set_rollback(True)
    return seconds, saved


def _records_size(result: dict) -> str:
    return f"{len(result)} records"
