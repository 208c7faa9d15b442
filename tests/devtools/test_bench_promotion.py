"""`manage.py bench_promotion` (docs/design/promotion.md): not timed here — it checks that the
benchmark runs, prints its figures and leaves nothing behind, and that previewing,
planning and executing a promotion run as many queries for 300 students as for 100.
"""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from academics.models import Enrollment, PromotionRun, School, User
from devtools.benchmarks.promotion import STEPS, run_promotion_benchmark

pytestmark = pytest.mark.django_db

FIGURES = re.compile(r"^(preview|plan|execute|undo) +60 +[\d,.]+ +[\d,]+ +(\d+)$")


def test_the_benchmark_prints_a_line_of_figures_per_step_and_leaves_nothing_behind():
    out = StringIO()

    call_command("bench_promotion", "--students", "60", "--repeat", "1", stdout=out)

    lines = out.getvalue().splitlines()
    assert "School: 60 students, 13 grades, 13 homeroom classes a year, 26 sections a year" in (
        "\n".join(lines)
    )
    header = lines.index("step     students  median ms  students/s  queries")
    figures = [FIGURES.match(line) for line in lines[header + 1 : header + 5]]
    assert [m.group(1) for m in figures if m] == list(STEPS)
    assert all(int(m.group(2)) > 0 for m in figures)
    assert lines[-1] == "Rolled back: nothing was left in the database."
    assert not School.objects.exists()
    assert not User.objects.exists()
    assert not Enrollment.objects.exists()
    assert not PromotionRun.objects.exists()


def test_preview_plan_and_execute_run_as_many_queries_for_300_students_as_for_100():
    small = run_promotion_benchmark(students=100, repeat=1)
    large = run_promotion_benchmark(students=300, repeat=1)

    # Both sizes have every action (an UPDATE per action taken is one query more): Grade
    # 12 graduates, every 40th student is retained and every 97th leaves.
    assert all(small.actions.values()) and all(large.actions.values())
    queries = {s.step: s.queries for s in small.steps}
    assert {s.step: s.queries for s in large.steps if s.step != "undo"} == {
        step: n for step, n in queries.items() if step != "undo"
    }
    # Undo deletes the new enrollments and memberships with Django's delete, which
    # works in batches of 100: two more queries per 100 students, nothing per student.
    undo = {s.students: s.queries for s in (*small.steps, *large.steps) if s.step == "undo"}
    assert undo[300] - undo[100] == 4


def test_a_school_smaller_than_one_student_a_grade_is_refused():
    with pytest.raises(CommandError, match="--students must be at least 13"):
        call_command("bench_promotion", "--students", "5", stdout=StringIO())
