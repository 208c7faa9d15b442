"""What the attendance benchmark's modules share: its sizes and choices, the tables its
SQL reads, and the shapes of the school it builds (`attendance_school`)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from academics.models import (
    Membership,
    School,
    SchoolClass,
    TimetableSlot,
    User,
)
from attendance.models import (
    AttendanceRecord,
    TotalSessionsOverride,
)

BENCHMARK_SCHOOL_NAME = "Benchmark School"
# How a kept benchmark school is found again: School.source_id is unique where set, and
# no SIS uses this one.
BENCHMARK_SOURCE_ID = "rollbook-benchmark"
TIMED_CLASS_CODE = "BENCH-000"
DEFAULT_STUDENTS = 2000
CLASS_SIZE = 29
PERIODS_PER_DAY = 8
MAX_GRADES = 12
# A teacher takes one subject in this many neighbouring classes: 25 periods a week.
CLASSES_PER_TEACHER = 5
SEED = 2027
SUBJECTS = (
    ("Mathematics", "MTH"),
    ("English", "ENG"),
    ("Science", "SCI"),
    ("History", "HIS"),
    ("Geography", "GEO"),
    ("Art", "ART"),
    ("Physical Education", "PE"),
    ("Music", "MUS"),
)
# Who does what, by a student's place in their homeroom (so every class, however small,
# gets the same mix): the 4th joins late, the 8th of an even-numbered class moves to the
# next class, the 12th of every third class moves there and back, and the 1st of every
# third class has a total-sessions override (~1 % of students).
JOINS_LATE_PLACE = 3
MOVES_PLACE = 7
MOVES_BACK_PLACE = 11
OVERRIDE_PLACE = 0
# Days a late joiner was marked on trial before the join date (records that must not count).
TRIAL_DAYS = 5
# The timed class's Friday last period was removed from the timetable on 1 November.
REMOVED_PERIOD = (4, PERIODS_PER_DAY)
SQLITE_BATCH = 5000
COPY_CHUNK_ROWS = 50_000

RECORDS_TABLE = AttendanceRecord._meta.db_table
MEMBERSHIPS_TABLE = Membership._meta.db_table
OVERRIDES_TABLE = TotalSessionsOverride._meta.db_table


def sql_in(values) -> tuple[str, list]:
    """Placeholders and parameters for `IN (…)`."""
    values = list(values)
    return ", ".join(["%s"] * len(values)), values


@dataclass
class BenchmarkSchool:
    """The benchmark school and what the timings use from it."""

    school: School
    school_class: SchoolClass  # whose list and register are timed
    class_teacher: User  # its advisor, who reads the list as a teacher
    marking_slot: TimetableSlot  # left unmarked on `marking_day`
    marking_day: datetime.date
    # Who saves it: the slot's teacher inside the edit window, otherwise the school's admin.
    marking_actor: User
    register_month: datetime.date  # first day of the month
    counts: dict[str, int] = field(default_factory=dict)
    build_seconds: float | None = None


@dataclass(frozen=True)
class Member:
    student_id: int
    class_index: int
    joined_on: datetime.date
    left_on: datetime.date | None
    marked_from: datetime.date  # before joined_on for a late joiner's trial days
    attendance_rate: float
    has_override: bool = False


@dataclass(frozen=True)
class Period:
    """What every record of one timetable period shares."""

    school_class_id: int
    subject_id: int
    slot_id: int | None
    period_number: int
    teacher_id: int
    orphaned: bool = False
    removed_on: datetime.date | None = None
