"""The attendance benchmark behind `manage.py bench_attendance` (issue 3, "benchmark").

`build_benchmark_school` creates a "Benchmark School" of its own (no other school's data is
touched): one school year of about 180 school days, ~70 homeroom classes of ~29 students,
eight periods a day, and a record for every student in every period they sat — 2,000
students give about 2.9 million records. Some students join late (and were marked on a
few trial days before their join date, which must not count — seed 001, EC-ATT-01), move
to another class, or move there and back (a second membership of the same class must not
count the first one's records); some have a total-sessions override (seed 000); the timed
class had a period removed from its timetable (orphaned records, EC-ATT-02); two closure
days are recorded as H. One period of the timed class is left unmarked on the latest
school day before the build, to time saving it.

`run_benchmarks` times four things the application does against one SQL statement that
computes the same numbers, and checks that the two agree (`BenchmarkMismatch` if not):

1. the attendance list of one class (`attendance_list_page`);
2. that class's register for one month (`attendance.selectors.reports.class_register`);
3. the attendance totals of every membership in the school (`with_attendance_totals`);
4. saving one period's roll (`mark_attendance`), rolled back after each run.

The SQL is standard (CASE inside COUNT/SUM, integer arithmetic for the rounding, window
functions) so it runs on SQLite and PostgreSQL alike. Records are loaded with COPY on
PostgreSQL and with bulk_create elsewhere.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import functools
import itertools
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from academics.models import (
    AcademicYear,
    Enrollment,
    Grade,
    Holiday,
    Membership,
    Role,
    School,
    SchoolClass,
    StaffProfile,
    StudentProfile,
    Subject,
    Term,
    TimetableSlot,
    User,
)

from .demo import (
    ATTENDANCE_RATES,
    FIRST_NAMES,
    LAST_NAMES,
    NOT_PRESENT,
    NOT_PRESENT_WEIGHTS,
    school_year_start,
)
from .models import (
    COUNTABLE_STATUSES,
    PRESENT_STATUSES,
    AttendanceRecord,
    Status,
    TotalSessionsOverride,
)
from .selectors.marking import active_memberships_on
from .selectors.percentages import (
    attendance_list_page,
    attendance_percentage,
    with_attendance_totals,
)
from .services.marking import mark_attendance

BENCHMARK_SCHOOL_NAME = "Benchmark School"
# How a kept benchmark school is found again: School.source_id is unique where set, and
# no SIS uses this one.
BENCHMARK_SOURCE_ID = "rollbook-benchmark"
TIMED_CLASS_CODE = "BENCH-000"
DEFAULT_STUDENTS = 2000
CLASS_SIZE = 29
PERIODS_PER_DAY = 8
SCHOOL_WEEKDAYS = range(5)
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

_RECORDS = AttendanceRecord._meta.db_table
_MEMBERSHIPS = Membership._meta.db_table
_OVERRIDES = TotalSessionsOverride._meta.db_table


# --- the calendar --------------------------------------------------------------------------


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> datetime.date:
    first = datetime.date(year, month, 1)
    return first + datetime.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> datetime.date:
    day = datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)
    return day - datetime.timedelta(days=(day.weekday() - weekday) % 7)


@dataclass(frozen=True)
class SchoolCalendar:
    """A US-style school year: lessons from the day after Labor Day to the third Friday
    of June, the usual breaks (no records) and two closure days (every record H)."""

    year_start: datetime.date
    year_end: datetime.date
    first_day: datetime.date
    last_day: datetime.date
    breaks: tuple[tuple[str, datetime.date, datetime.date], ...]
    closures: tuple[tuple[str, datetime.date], ...]

    def school_days(self) -> list[datetime.date]:
        """Weekdays from the first to the last day outside the breaks; closure days are
        included (the school meant to open)."""
        days = []
        day = self.first_day
        while day <= self.last_day:
            if day.weekday() in SCHOOL_WEEKDAYS and not any(
                start <= day <= end for _, start, end in self.breaks
            ):
                days.append(day)
            day += datetime.timedelta(days=1)
        return days

    @property
    def closure_days(self) -> set[datetime.date]:
        return {day for _, day in self.closures}


def benchmark_calendar(today: datetime.date) -> SchoolCalendar:
    """The calendar of the school year containing `today` (years start in August)."""
    y = school_year_start(today)
    monday, thursday, friday = 0, 3, 4
    one_day, four_days = datetime.timedelta(days=1), datetime.timedelta(days=4)
    thanksgiving = _nth_weekday(y, 11, thursday, 4)
    mlk_day = _nth_weekday(y + 1, 1, monday, 3)
    presidents_day = _nth_weekday(y + 1, 2, monday, 3)
    spring = _nth_weekday(y + 1, 4, monday, 1)
    memorial_day = _last_weekday(y + 1, 5, monday)
    return SchoolCalendar(
        year_start=datetime.date(y, 9, 1),
        year_end=datetime.date(y + 1, 6, 30),
        first_day=_nth_weekday(y, 9, monday, 1) + one_day,
        last_day=_nth_weekday(y + 1, 6, friday, 3),
        breaks=(
            ("Thanksgiving break", thanksgiving - one_day, thanksgiving + one_day),
            ("Winter break", datetime.date(y, 12, 21), datetime.date(y + 1, 1, 1)),
            ("Martin Luther King Jr. Day", mlk_day, mlk_day),
            ("Mid-winter break", presidents_day, presidents_day + four_days),
            ("Spring break", spring, spring + four_days),
            ("Memorial Day", memorial_day, memorial_day),
        ),
        closures=(
            ("Snow day", mlk_day + datetime.timedelta(days=8)),
            ("Power cut", _nth_weekday(y + 1, 3, thursday, 1)),
        ),
    )


# --- building the school -------------------------------------------------------------------


@dataclass
class BenchmarkSchool:
    """The benchmark school and what the timings use from it."""

    school: School
    school_class: SchoolClass  # whose list and register are timed
    class_teacher: User  # its advisor, who reads the list as a teacher
    marking_slot: TimetableSlot  # left unmarked on `marking_day`
    marking_day: datetime.date
    register_month: datetime.date  # first day of the month
    counts: dict[str, int] = field(default_factory=dict)
    build_seconds: float | None = None


@dataclass(frozen=True)
class _Member:
    student_id: int
    class_index: int
    joined_on: datetime.date
    left_on: datetime.date | None
    marked_from: datetime.date  # before joined_on for a late joiner's trial days
    attendance_rate: float
    has_override: bool = False


@dataclass(frozen=True)
class _Period:
    """What every record of one timetable period shares."""

    school_class_id: int
    subject_id: int
    slot_id: int | None
    period_number: int
    teacher_id: int
    orphaned: bool = False
    removed_on: datetime.date | None = None


def find_benchmark_school() -> School | None:
    """The Benchmark School of this database, if one was kept."""
    return School.objects.filter(source_id=BENCHMARK_SOURCE_ID).first()


def build_benchmark_school(
    *,
    students: int = DEFAULT_STUDENTS,
    today: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> BenchmarkSchool:
    """Create the Benchmark School with a full year of attendance, in one transaction.

    Args:
        students: how many (in homerooms of ~29; 2,000 give ~2.9 million records).
        today: school-local date whose school year is built (default: today); the period
            left unmarked is on the latest school day before it.
        progress: called with a line of text now and then.

    Returns:
        BenchmarkSchool with `counts` of what was written and `build_seconds`.

    Raises:
        ValueError if `students` is below 2 or a Benchmark School already exists.
    """
    if students < 2:
        raise ValueError("The benchmark needs at least 2 students.")
    if find_benchmark_school() is not None:
        raise ValueError("A Benchmark School already exists in this database.")
    say = progress or (lambda line: None)
    started = time.perf_counter()
    today = today or timezone.localdate()
    calendar = benchmark_calendar(today)
    days = calendar.school_days()
    rng = random.Random(SEED)
    with transaction.atomic():
        school, periods, members, unmarked = _create_school(
            students=students, calendar=calendar, days=days, today=today, rng=rng, say=say
        )
        say(f"Writing the attendance records of {len(days)} school days …")
        groups = _record_groups(
            calendar=calendar,
            days=days,
            periods=periods,
            members=members,
            unmarked=unmarked,
            rng=rng,
        )
        if connection.vendor == "postgresql":
            written = _copy_records(school=school, groups=groups, say=say)
        else:
            written = _bulk_create_records(school=school, groups=groups, say=say)
        _create_overrides(school=school, members=members, rng=rng)
    _analyze(say)
    bench = load_benchmark_school(school)
    bench.counts["attendance records"] = written
    bench.build_seconds = time.perf_counter() - started
    return bench


def _create_school(*, students, calendar, days, today, rng, say):
    school = School.objects.create(
        name=BENCHMARK_SCHOOL_NAME, code="BENCH", source_id=BENCHMARK_SOURCE_ID, timezone="UTC"
    )
    y = calendar.year_start.year
    year = AcademicYear.objects.create(
        school=school,
        name=f"{y}-{y + 1}",
        start_date=calendar.year_start,
        end_date=calendar.year_end,
        is_current=True,
    )
    semester_break = datetime.date(y + 1, 2, 1)
    Term.objects.bulk_create(
        [
            Term(
                school=school,
                academic_year=year,
                name="Semester 1",
                start_date=calendar.year_start,
                end_date=semester_break - datetime.timedelta(days=1),
            ),
            Term(
                school=school,
                academic_year=year,
                name="Semester 2",
                start_date=semester_break,
                end_date=calendar.year_end,
            ),
        ]
    )
    Holiday.objects.bulk_create(
        [Holiday(school=school, name=n, start_date=s, end_date=e) for n, s, e in calendar.breaks]
        + [Holiday(school=school, name=n, start_date=d, end_date=d) for n, d in calendar.closures]
    )
    class_count = max(2, round(students / CLASS_SIZE))
    grade_count = min(MAX_GRADES, class_count)
    grades = Grade.objects.bulk_create(
        [Grade(school=school, level=n, name=f"Grade {n}") for n in range(1, grade_count + 1)]
    )
    subjects = Subject.objects.bulk_create(
        [Subject(school=school, name=name, code=code) for name, code in SUBJECTS]
    )
    say(f"Creating {students:,} students in {class_count} classes …")

    # bulk_create skips User.save() (no password hashing per row, no profile signal): the
    # admin's is_staff and every profile are set here instead.
    unusable_password = make_password(None)
    prefix = f"bench{school.pk}"
    teams = -(-class_count // CLASSES_PER_TEACHER)  # teachers per subject

    def person(username: str, role: str, **extra) -> User:
        return User(
            school=school,
            username=f"{prefix}.{username}",
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            role=role,
            password=unusable_password,
            **extra,
        )

    staff = User.objects.bulk_create(
        [person("admin", Role.ADMIN, is_staff=True)]
        + [person(f"t{s}-{t}", Role.TEACHER) for s in range(len(subjects)) for t in range(teams)]
    )
    teachers = staff[1:]
    StaffProfile.objects.bulk_create(
        [StaffProfile(school=school, user=staff[0], title="Administrator")]
        + [
            StaffProfile(
                school=school,
                user=teacher,
                title=f"{subjects[n // teams].name} teacher",
                department=subjects[n // teams].name,
            )
            for n, teacher in enumerate(teachers)
        ]
    )

    def subject_index(class_index: int, weekday: int, period_number: int) -> int:
        # A Latin square: each subject once a day, and no teacher in two rooms at once.
        return (period_number + weekday + class_index) % len(subjects)

    def teacher_for(subject: int, class_index: int) -> User:
        return teachers[subject * teams + class_index // CLASSES_PER_TEACHER]

    classes = SchoolClass.objects.bulk_create(
        [
            SchoolClass(
                school=school,
                academic_year=year,
                grade=grades[c % grade_count],
                name=f"{grades[c % grade_count].name} {chr(ord('A') + c // grade_count)}",
                code=f"BENCH-{c:03d}",
                kind=SchoolClass.Kind.HOMEROOM,
                advisor=teacher_for(subject_index(c, 0, 1), c),
            )
            for c in range(class_count)
        ]
    )

    removed_on = datetime.date(y, 11, 1)
    periods: dict[tuple[int, int], list[_Period]] = {}
    slots = []
    for c, school_class in enumerate(classes):
        for weekday in SCHOOL_WEEKDAYS:
            for period_number in range(1, PERIODS_PER_DAY + 1):
                s = subject_index(c, weekday, period_number)
                teacher = teacher_for(s, c)
                period = _Period(school_class.pk, subjects[s].pk, None, period_number, teacher.pk)
                if c == 0 and (weekday, period_number) == REMOVED_PERIOD:
                    # Its slot is gone; the records marked before stay, orphaned.
                    period = dataclasses.replace(period, orphaned=True, removed_on=removed_on)
                else:
                    slots.append(
                        TimetableSlot(
                            school=school,
                            school_class=school_class,
                            subject=subjects[s],
                            teacher=teacher,
                            weekday=weekday,
                            period_number=period_number,
                            valid_from=calendar.first_day,
                            valid_to=calendar.last_day,
                        )
                    )
                periods.setdefault((c, weekday), []).append(period)
    slot_ids = {
        (slot.school_class_id, slot.weekday, slot.period_number): slot.pk
        for slot in TimetableSlot.objects.bulk_create(slots)
    }
    for (_, weekday), day_periods in periods.items():
        day_periods[:] = [
            p
            if p.orphaned
            else dataclasses.replace(
                p, slot_id=slot_ids[(p.school_class_id, weekday, p.period_number)]
            )
            for p in day_periods
        ]

    users = User.objects.bulk_create([person(f"s{i:05d}", Role.STUDENT) for i in range(students)])
    profiles = StudentProfile.objects.bulk_create(
        [
            StudentProfile(school=school, user=user, student_number=f"B{i:05d}")
            for i, user in enumerate(users)
        ]
    )
    late_days = days[len(days) // 8 : len(days) // 2]
    move_day, return_day = days[len(days) * 3 // 10], days[len(days) * 6 // 10]
    members: list[_Member] = []
    enrollments = []
    for i, profile in enumerate(profiles):
        home, place = i % class_count, i // class_count
        other = (home + 1) % class_count
        rate = rng.choice(ATTENDANCE_RATES)
        first = calendar.first_day
        member = functools.partial(_member, profile.pk, rate)
        if place == JOINS_LATE_PLACE:
            joined = late_days[(home * 7) % len(late_days)]
            trial_start = days[max(0, days.index(joined) - TRIAL_DAYS)]
            members.append(member(home, joined, marked_from=trial_start))
        elif place == MOVES_PLACE and home % 2 == 0:
            members.append(member(home, first, _day_before(move_day)))
            members.append(member(other, move_day))
        elif place == MOVES_BACK_PLACE and home % 3 == 0:
            members.append(member(home, first, _day_before(move_day)))
            members.append(member(other, move_day, _day_before(return_day)))
            members.append(member(home, return_day))
        else:
            has_override = place == OVERRIDE_PLACE and home % 3 == 0
            members.append(member(home, first, has_override=has_override))
        enrollments.append(
            Enrollment(
                school=school,
                student=profile,
                academic_year=year,
                grade=classes[home].grade,
                school_class=classes[home],
                roll_number=place + 1,
                enrollment_date=members[-1].joined_on if place == JOINS_LATE_PLACE else first,
            )
        )
    Enrollment.objects.bulk_create(enrollments)
    Membership.objects.bulk_create(
        [
            Membership(
                school=school,
                student_id=m.student_id,
                school_class=classes[m.class_index],
                joined_on=m.joined_on,
                left_on=m.left_on,
            )
            for m in members
        ]
    )

    # Left unmarked: the timed class's first period on the latest school day before today
    # (or on the first school day, for a year that has not begun).
    past = [d for d in days if d < today and d not in calendar.closure_days]
    marking_day = past[-1] if past else days[0]
    unmarked = (slot_ids[(classes[0].pk, marking_day.weekday(), 1)], marking_day)
    return school, periods, members, unmarked


def _member(student_id, rate, class_index, joined, left=None, marked_from=None, **extra):
    return _Member(student_id, class_index, joined, left, marked_from or joined, rate, **extra)


def _day_before(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=1)


def _record_groups(
    *, calendar, days, periods, members, unmarked, rng
) -> Iterator[tuple[_Period, datetime.date, int | None, list[tuple[int, str]]]]:
    """Yield (period, date, marked_by, [(student_id, status), …]) for every period met,
    class by class and day by day: the roll as its teachers would have marked it."""
    cumulative = list(itertools.accumulate(NOT_PRESENT_WEIGHTS))
    closures = calendar.closure_days
    by_class: dict[int, list[_Member]] = defaultdict(list)
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


def _copy_records(*, school: School, groups, say) -> int:
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
        with cursor.copy(f"COPY {_RECORDS} ({columns}) FROM STDIN") as copy:
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
        SELECT COUNT(*) FROM {_RECORDS} r
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


def _bulk_create_records(*, school: School, groups, say) -> int:
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


def _create_overrides(*, school: School, members: list[_Member], rng: random.Random) -> None:
    """An override a little above the countable records for the chosen students (it may
    not be below them — seed 000), and one for a single subject, which the class's
    percentage must ignore."""
    student_ids = [m.student_id for m in members if m.has_override]
    if not student_ids:
        return
    countable, countable_params = _in(COUNTABLE_STATUSES)
    students, student_params = _in(student_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT student_id, school_class_id, subject_id, "
            f"COUNT(CASE WHEN status IN ({countable}) THEN 1 END) "
            f"FROM {_RECORDS} WHERE school_id = %s AND is_orphaned = %s "
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


def _analyze(say: Callable[[str], None]) -> None:
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


def load_benchmark_school(school: School) -> BenchmarkSchool:
    """What the timings need from a built or kept Benchmark School, read back from the
    database: the timed class and its advisor, the period left unmarked, the month shown.

    Raises ValueError if the timed class has no unmarked period (not built here)."""
    school_class = SchoolClass.objects.select_related("school", "advisor").get(
        school=school, code=TIMED_CLASS_CODE
    )
    slots = list(
        TimetableSlot.objects.filter(school_class=school_class).select_related(
            "school_class", "subject", "teacher"
        )
    )
    holidays = list(Holiday.objects.filter(school=school).values_list("start_date", "end_date"))
    marked = set(
        AttendanceRecord.objects.filter(school_class=school_class, slot__isnull=False)
        .values_list("slot_id", "date")
        .distinct()
    )
    gaps = []
    for slot in slots:
        day = slot.valid_from
        while day <= slot.valid_to:
            if (
                slot.meets_on(day)
                and (slot.pk, day) not in marked
                and not any(start <= day <= end for start, end in holidays)
            ):
                gaps.append((day, slot.period_number, slot))
            day += datetime.timedelta(days=1)
    if not gaps:
        raise ValueError(f"{school} has no unmarked period to time a save with.")
    marking_day, _, marking_slot = min(gaps, key=lambda gap: gap[:2])
    year = AcademicYear.objects.get(school=school, is_current=True)
    counts = {
        "students": StudentProfile.objects.filter(school=school).count(),
        "classes": SchoolClass.objects.filter(school=school).count(),
        "timetable slots": TimetableSlot.objects.filter(school=school).count(),
        "memberships": Membership.objects.filter(school=school).count(),
        "total-sessions overrides": TotalSessionsOverride.objects.filter(school=school).count(),
    }
    return BenchmarkSchool(
        school=school,
        school_class=school_class,
        class_teacher=school_class.advisor,
        marking_slot=marking_slot,
        marking_day=marking_day,
        # October: the first whole month, with the late joiner's trial days in it.
        register_month=datetime.date(year.start_date.year, 10, 1),
        counts=counts,
    )


def count_records(school: School) -> int:
    """How many attendance records `school` has (for reporting a reused school)."""
    return AttendanceRecord.objects.filter(school=school).count()


def delete_benchmark_school(school: School) -> None:
    """Delete the Benchmark School and everything in it.

    Records, overrides (and any history of them) and slots go first, each in one DELETE by
    school_id: millions of rows through Django's delete collector would take minutes,
    deleting overrides through it would write a history row each, and each slot's delete
    signal would look for records to orphan (there are none left by then). Then what
    PROTECT holds (enrolments hold years and grades, classes grades); the rest cascades
    from the School row."""
    tables = (
        _RECORDS,
        AttendanceRecord.history.model._meta.db_table,
        _OVERRIDES,
        TotalSessionsOverride.history.model._meta.db_table,
        TimetableSlot._meta.db_table,
    )
    with transaction.atomic():
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"DELETE FROM {table} WHERE school_id = %s", [school.pk])
        for model in (Enrollment, SchoolClass):
            model.objects.filter(school=school).delete()
        school.delete()


# --- the timings ---------------------------------------------------------------------------


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


def _in(values) -> tuple[str, list]:
    """Placeholders and parameters for `IN (…)`."""
    values = list(values)
    return ", ".join(["%s"] * len(values)), values


def _percentage(tenths: int | None) -> Decimal | None:
    return None if tenths is None else Decimal(tenths) / 10


_PRESENT, _PRESENT_PARAMS = _in(PRESENT_STATUSES)
_COUNTABLE, _COUNTABLE_PARAMS = _in(COUNTABLE_STATUSES)
# A percentage rounded half up to tenths in integer arithmetic, so that SQLite and
# PostgreSQL round alike and exactly as `attendance_percentage`:
# floor(present × 1000 / d + ½) = (present × 2000 + d) / (2 × d).
_TENTHS = "CASE WHEN {d} > 0 THEN ({p} * 2000 + {d}) / (2 * {d}) END"

# Every membership's totals in one GROUP BY: its class's records from joined_on to
# left_on (EC-ATT-01), orphans excluded (EC-ATT-02), the student + class override with
# no subject as the denominator (seed 000) unless records have since passed it.
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
        FROM {_MEMBERSHIPS} m
        LEFT JOIN {_RECORDS} r
               ON r.student_id = m.student_id
              AND r.school_class_id = m.school_class_id
              AND r.is_orphaned = %s
              AND r.date >= m.joined_on
              AND (m.left_on IS NULL OR r.date <= m.left_on)
        LEFT JOIN {_OVERRIDES} o
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
        from .selectors.reports import class_register
    except ImportError as exc:
        if exc.name not in (f"{__package__}.selectors.reports", None):
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
    SELECT 1 FROM {_MEMBERSHIPS} w
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
        SELECT DISTINCT student_id FROM {_MEMBERSHIPS}
        WHERE school_class_id = %s AND joined_on <= %s AND (left_on IS NULL OR left_on >= %s)
    ) s
    LEFT JOIN {_RECORDS} r
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
                slot=slot, day=bench.marking_day, statuses=statuses, actor=slot.teacher
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
            placeholders, values = _in(student_ids)
            cases.append(f"WHEN m.student_id IN ({placeholders}) THEN %s")
            status_params += [*values, status]
        status_sql = f"CASE {' '.join(cases)} ELSE %s END"
        status_params.append(Status.PRESENT)
    now = timezone.now()
    sql = f"""
        INSERT INTO {_RECORDS} (school_id, student_id, school_class_id, subject_id, slot_id,
            date, period_number, status, is_orphaned, marked_by_id, modification_reason,
            created_at, updated_at)
        SELECT DISTINCT m.school_id, m.student_id, m.school_class_id, %s, %s, %s, %s,
               {status_sql}, %s, %s, '', %s, %s
        FROM {_MEMBERSHIPS} m
        WHERE m.school_class_id = %s AND m.joined_on <= %s
          AND (m.left_on IS NULL OR m.left_on >= %s)
    """
    params = [
        slot.subject_id, slot.pk, day, slot.period_number, *status_params,
        False, slot.teacher_id, now, now, slot.school_class_id, day, day,
    ]  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        seconds, _ = _timed(lambda: cursor.execute(sql, params))
        saved = _saved_roll(bench)
        transaction.set_rollback(True)
    return seconds, saved


def _records_size(result: dict) -> str:
    return f"{len(result)} records"
