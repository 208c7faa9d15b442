"""The promotion benchmark behind `manage.py bench_promotion` (docs/design/promotion.md).

`build_promotion_school` creates a "Promotion Benchmark School" of its own with bulk
inserts: grades Kindergarten to Grade 12, the same number of homeroom classes in every
grade ("Grade 5 A", code "5-A"; about 30 students each), two sections per class with room
to spare, and the students enrolled in one year, alphabetically spread over the sections.
The next year is made with `create_academic_year`, copying the homerooms and sections, as
step 1 of the wizard does. Every 40th student is retained and every 97th leaves; Grade 12
graduates.

`run_promotion_benchmark` then goes through the whole promotion `repeat` times after one
warm-up — `preview_promotion`, `plan_promotion`, `execute_promotion` and
`undo_promotion` (which puts the school back for the next round) — and reports each
step's median time, students per second, and the number of queries it ran (counted on the
warm-up with CaptureQueriesContext; the timed rounds don't record queries). After each
execution and undo it checks that the enrollments are what they should be
(`BenchmarkError` if not).

Everything, the school included, happens in one transaction that is rolled back at the
end: the database is left as it was, even when the benchmark fails. So the times leave
out the final COMMIT of each step.
"""

from __future__ import annotations

import datetime
import math
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from academics.models import (
    AcademicYear,
    Enrollment,
    Grade,
    PromotionAction,
    PromotionMode,
    Role,
    School,
    SchoolClass,
    Section,
    StudentProfile,
    User,
)
from academics.services.promotion import (
    PromotionSummary,
    create_academic_year,
    execute_promotion,
    next_year_defaults,
    plan_promotion,
    preview_promotion,
    undo_promotion,
)

BENCHMARK_SCHOOL_NAME = "Promotion Benchmark School"
BENCHMARK_CODE = "PROMOTION-BENCH"
DEFAULT_STUDENTS = 2000
DEFAULT_REPEAT = 3
CLASS_SIZE = 30
SECTIONS = ("North", "South")
LEVELS = range(0, 13)  # Kindergarten to Grade 12
RETAIN_EVERY = 40
LEAVE_EVERY = 97
SEED = 2026
FROM_YEAR = ("2025-2026", datetime.date(2025, 8, 18), datetime.date(2026, 6, 30))
STEPS = ("preview", "plan", "execute", "undo")
# Names for the students (space-separated).
_FIRST = (
    "Amina Ben Carla Dmitri Elif Farah Gustavo Hana Ivan Jonas Keiko Leila Mateo Nadia "
    "Omar Priya Quentin Rosa Samir Tara Umar Vera Wei Ximena Yusuf Zara"
)
_LAST = (
    "Abbott Baker Castillo Diallo Evans Fischer Garcia Haddad Ito Jensen Kowalski Lopez "
    "Mensah Nakamura Okafor Petrov Quinn Rossi Santos Tanaka Ueda Varga Walsh Xu Yilmaz Zhou"
)


class BenchmarkError(Exception):
    """A step of the benchmark left the enrollments other than they should be."""


@dataclass
class PromotionBenchmarkSchool:
    """The school built for the benchmark and what the timings need from it."""

    school: School
    from_year: AcademicYear
    to_year: AcademicYear
    actor: User
    actions: dict[int, str]  # student id → retain or leave
    counts: dict[str, int] = field(default_factory=dict)
    build_seconds: float = 0.0


@dataclass(frozen=True)
class StepFigures:
    """One step's median seconds over the timed rounds and its query count."""

    step: str
    students: int
    seconds: float
    queries: int

    @property
    def per_second(self) -> float:
        return self.students / self.seconds if self.seconds else float("inf")


@dataclass
class BenchmarkReport:
    vendor: str
    counts: dict[str, int]
    build_seconds: float
    repeat: int
    steps: list[StepFigures]
    actions: dict[str, int]  # the executed run's counts per action

    def lines(self) -> list[str]:
        """The figures as printed by `manage.py bench_promotion`."""
        header = ("step", "students", "median ms", "students/s", "queries")
        rows = [header] + [
            (
                s.step,
                f"{s.students:,}",
                f"{s.seconds * 1000:,.1f}",
                f"{s.per_second:,.0f}",
                f"{s.queries}",
            )
            for s in self.steps
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
        return [
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
            for row in rows
        ]


def build_promotion_school(*, students: int = DEFAULT_STUDENTS) -> PromotionBenchmarkSchool:
    """Create the Promotion Benchmark School (call inside a transaction to be rolled back).

    Args:
        students: how many, spread evenly over the 13 grades (at least 13).

    Returns the school with `counts` of what was written and `build_seconds`.
    Raises ValueError for fewer than 13 students.
    """
    if students < len(LEVELS):
        raise ValueError(f"The benchmark needs at least {len(LEVELS)} students (one a grade).")
    started = time.perf_counter()
    rng = random.Random(SEED)
    school = School.objects.create(name=BENCHMARK_SCHOOL_NAME, code=BENCHMARK_CODE)
    actor = User.objects.create(
        username=f"promotion-bench-admin-{school.pk}",
        first_name="Benchmark",
        last_name="Admin",
        role=Role.ADMIN,
        school=school,
        password="!",
    )
    name, start, end = FROM_YEAR
    from_year = AcademicYear.objects.create(
        school=school, name=name, start_date=start, end_date=end, is_current=True
    )
    grades = Grade.objects.bulk_create(
        [
            Grade(
                school=school, level=level, name="Kindergarten" if level == 0 else f"Grade {level}"
            )
            for level in LEVELS
        ]
    )
    class_count = max(1, round(students / len(grades) / CLASS_SIZE))
    largest_class = math.ceil(math.ceil(students / len(grades)) / class_count)
    # Room for the class promoted into it plus a few retained students.
    capacity = math.ceil(largest_class * 1.2 / len(SECTIONS)) + 2
    letters = [chr(ord("A") + i) for i in range(class_count)]
    classes = SchoolClass.objects.bulk_create(
        [
            SchoolClass(
                school=school,
                academic_year=from_year,
                grade=grade,
                name=f"{grade.name} {letter}",
                code=f"{grade.level}-{letter}",
                kind=SchoolClass.Kind.HOMEROOM,
            )
            for grade in grades
            for letter in letters
        ]
    )
    sections = Section.objects.bulk_create(
        [
            Section(school=school, school_class=c, name=name, capacity=capacity)
            for c in classes
            for name in SECTIONS
        ]
    )
    sections_of: dict[int, list[Section]] = {}
    for section in sections:
        sections_of.setdefault(section.school_class_id, []).append(section)

    first_names, last_names = _FIRST.split(), _LAST.split()
    # Alphabetical, so sections hold alphabetical blocks as the service would make them.
    names = sorted((rng.choice(last_names), rng.choice(first_names), i) for i in range(students))
    users = User.objects.bulk_create(
        [
            User(
                username=f"promotion-bench-{school.pk}-{i:05d}",
                first_name=first,
                last_name=last,
                role=Role.STUDENT,
                school=school,
                password="!",
            )
            for last, first, i in names
        ]
    )
    profiles = StudentProfile.objects.bulk_create(
        [
            StudentProfile(school=school, user=user, student_number=f"PB{i:05d}")
            for user, (_, _, i) in zip(users, names, strict=True)
        ]
    )
    # Deal the students out grade by grade, then class by class within the grade.
    enrollments, actions = [], {}
    position = 0
    by_grade = [profiles[i :: len(grades)] for i in range(len(grades))]
    for grade_index, grade in enumerate(grades):
        grade_classes = classes[grade_index * class_count : (grade_index + 1) * class_count]
        members = by_grade[grade_index]
        for c, school_class in enumerate(grade_classes):
            in_class = members[c::class_count]
            class_sections = sections_of[school_class.pk]
            block = math.ceil(len(in_class) / len(class_sections))
            for n, profile in enumerate(in_class):
                enrollments.append(
                    Enrollment(
                        school=school,
                        student=profile,
                        academic_year=from_year,
                        grade=grade,
                        school_class=school_class,
                        section=class_sections[n // block] if block else None,
                        roll_number=n + 1,
                        enrollment_date=start,
                    )
                )
                position += 1
                if grade is not grades[-1] and position % RETAIN_EVERY == 0:
                    actions[profile.pk] = PromotionAction.RETAIN
                elif position % LEAVE_EVERY == 0:
                    actions[profile.pk] = PromotionAction.LEAVE
    Enrollment.objects.bulk_create(enrollments, batch_size=1000)
    next_year = next_year_defaults(from_year)
    to_year = create_academic_year(
        school=school,
        name=next_year["name"],
        start_date=next_year["start_date"],
        end_date=next_year["end_date"],
        copy_classes_from=from_year,
        actor=actor,
    )
    return PromotionBenchmarkSchool(
        school=school,
        from_year=from_year,
        to_year=to_year,
        actor=actor,
        actions=actions,
        counts={
            "students": students,
            "grades": len(grades),
            "homeroom classes a year": len(classes),
            "sections a year": len(sections),
        },
        build_seconds=time.perf_counter() - started,
    )


def run_promotion_benchmark(
    *,
    students: int = DEFAULT_STUDENTS,
    repeat: int = DEFAULT_REPEAT,
    progress: Callable[[str], None] | None = None,
) -> BenchmarkReport:
    """Build the school, time the four steps and roll everything back.

    Args:
        students: the school's size (at least 13).
        repeat: timed rounds after the warm-up round (at least 1); medians are reported.
        progress: called with a line of text now and then.

    Returns the BenchmarkReport. Raises BenchmarkError when a step's result is wrong, and
    ValueError for a size or repeat out of range; nothing is left in the database either way.
    """
    if repeat < 1:
        raise ValueError("repeat must be at least 1.")
    say = progress or (lambda line: None)
    with transaction.atomic():
        say(f"Building the {BENCHMARK_SCHOOL_NAME} ({students:,} students) …")
        bench = build_promotion_school(students=students)
        say(f"Built in {bench.build_seconds:.1f} s; timing {repeat} rounds after a warm-up …")
        queries, actions = _round(bench, count_queries=True)
        seconds: dict[str, list[float]] = {step: [] for step in STEPS}
        for n in range(repeat):
            times, _ = _round(bench, count_queries=False)
            for step, value in times.items():
                seconds[step].append(value)
            say(f"Round {n + 1} of {repeat}: " + ", ".join(f"{s} {times[s]:.2f} s" for s in STEPS))
        transaction.set_rollback(True)
    return BenchmarkReport(
        vendor=connection.vendor,
        counts=bench.counts,
        build_seconds=bench.build_seconds,
        repeat=repeat,
        steps=[
            StepFigures(step, students, statistics.median(seconds[step]), queries[step])
            for step in STEPS
        ],
        actions=actions,
    )


def _round(
    bench: PromotionBenchmarkSchool, *, count_queries: bool
) -> tuple[dict[str, Any], dict[str, int]]:
    """Preview, plan, execute and undo once. Returns ({step: queries or seconds}, the
    execution's counts per action)."""
    figures: dict[str, Any] = {}

    def measure(step: str, call: Callable[[], Any]) -> Any:
        if count_queries:
            with CaptureQueriesContext(connection) as captured:
                result = call()
            figures[step] = len(captured.captured_queries)
        else:
            started = time.perf_counter()
            result = call()
            figures[step] = time.perf_counter() - started
        return result

    years = {"school": bench.school, "from_year": bench.from_year, "to_year": bench.to_year}
    summary: PromotionSummary = measure(
        "preview", lambda: preview_promotion(**years, actions=bench.actions)
    )
    if summary.problems:
        raise BenchmarkError(f"The preview has problems: {summary.problems[:3]}")
    run = measure(
        "plan",
        lambda: plan_promotion(
            **years, mode=PromotionMode.AUTOMATIC, actions=bench.actions, actor=bench.actor
        ),
    )
    result = measure("execute", lambda: execute_promotion(run=run, actor=bench.actor))
    staying = result.promoted_count + result.retained_count
    in_new_year = Enrollment.objects.filter(academic_year=bench.to_year).count()
    if in_new_year != staying or result.total != summary.total:
        raise BenchmarkError(
            f"Executed {result.total} of {summary.total} students; {in_new_year} enrollments "
            f"in {bench.to_year} for {staying} promoted or retained."
        )
    measure("undo", lambda: undo_promotion(run=run, actor=bench.actor))
    left_over = Enrollment.objects.filter(academic_year=bench.to_year).count()
    inactive = StudentProfile.objects.filter(school=bench.school, is_active=False).count()
    waiting = Enrollment.objects.filter(
        academic_year=bench.from_year, status=Enrollment.Status.ACTIVE
    ).count()
    if left_over or inactive or waiting != summary.total:
        raise BenchmarkError(
            f"After the undo: {left_over} enrollments left in {bench.to_year}, {inactive} "
            f"students inactive, {waiting} of {summary.total} waiting to be promoted."
        )
    counts = {
        PromotionAction.PROMOTE.value: result.promoted_count,
        PromotionAction.RETAIN.value: result.retained_count,
        PromotionAction.GRADUATE.value: result.graduated_count,
        PromotionAction.LEAVE.value: result.left_count,
    }
    return figures, counts
