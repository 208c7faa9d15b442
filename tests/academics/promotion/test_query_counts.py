"""Preview, execution and undo read and write a fixed number of queries, whatever the
number of students (docs/design/promotion.md).
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from academics.models import (
    Enrollment,
    PromotionMode,
    Role,
    SchoolClass,
    Section,
)
from academics.services.promotion import (
    execute_promotion,
    plan_promotion,
    preview_promotion,
    undo_promotion,
)

from ..factories import (
    AcademicYearFactory,
    GradeFactory,
    SchoolFactory,
    StudentProfileFactory,
    UserFactory,
)
from .helpers import (
    LEAVE,
    RETAIN,
)

pytestmark = pytest.mark.django_db


# --- queries ---------------------------------------------------------------------------------


def school_of(size: int):
    """A school of grades 1–3 and `size` students: a third each in 1-A, 2-A and 3-A, one
    of 1-A to be retained and one of 2-A to leave."""
    school = SchoolFactory()
    admin = UserFactory(school=school, role=Role.ADMIN)
    years = [
        AcademicYearFactory(
            school=school,
            start_date=datetime.date(2025 + i, 8, 17),
            end_date=datetime.date(2026 + i, 6, 30),
            is_current=i == 0,
        )
        for i in (0, 1)
    ]
    grades = [GradeFactory(school=school, level=level) for level in (1, 2, 3)]
    classes = {}
    for year in years:
        for grade in grades:
            klass = SchoolClass.objects.create(
                school=school,
                academic_year=year,
                grade=grade,
                name=f"{grade.level}-A",
                kind=SchoolClass.Kind.HOMEROOM,
            )
            section = Section.objects.create(
                school=school, school_class=klass, name="A", capacity=size
            )
            classes[(year.pk, grade.level)] = (klass, section)
    actions = {}
    for i in range(size):
        grade = grades[i % 3]
        klass, section = classes[(years[0].pk, grade.level)]
        st = StudentProfileFactory(school=school)
        Enrollment.objects.create(
            school=school,
            student=st,
            academic_year=years[0],
            grade=grade,
            school_class=klass,
            section=section,
            roll_number=i + 1,
            enrollment_date=years[0].start_date,
        )
        if i < 2:
            actions[st.pk] = RETAIN if i == 0 else LEAVE
    return school, admin, years, actions


def test_preview_execution_and_undo_run_as_many_queries_for_60_students_as_for_10():
    counts = {}
    for size in (10, 60):
        school, admin, (first, second), actions = school_of(size)
        with CaptureQueriesContext(connection) as previewing:
            summary = preview_promotion(
                school=school, from_year=first, to_year=second, actions=actions
            )
        assert summary.can_execute and summary.total == size
        run = plan_promotion(
            school=school,
            from_year=first,
            to_year=second,
            mode=PromotionMode.AUTOMATIC,
            actions=actions,
            actor=admin,
        )
        with CaptureQueriesContext(connection) as executing:
            result = execute_promotion(run=run, actor=admin)
        assert (result.retained_count, result.left_count) == (1, 1)
        assert result.total == size
        with CaptureQueriesContext(connection) as undoing:
            undo_promotion(run=run, actor=admin)
        counts[size] = (len(previewing), len(executing), len(undoing))
    assert counts[10] == counts[60], counts
