"""The query counts of the promotion pages and the enrollments list, and the list's
filters (docs/design/promotion.md).
The school is `promotion_school` (tests/academics/conftest.py): grades 9–12, six homeroom
classes in both years, four students per class.
"""

import datetime

import pytest
from django.urls import reverse

from academics.models import (
    PromotionRun,
)
from academics.services.promotion import execute_promotion

from ..factories import (
    AcademicYearFactory,
)
from .page_helpers import (
    HTMX,
    add_students,
    count_queries,
    html,
    plan,
    text,
)

pytestmark = pytest.mark.django_db


# --- query counts --------------------------------------------------------------------------------


def test_preview_runs_a_constant_number_of_queries(admin, ns, django_assert_num_queries):
    run = plan(ns)
    url = reverse("academics:promotion_preview", args=[run.pk])
    # session, user, the run (with years and people), the rows with everything shown, the
    # planning data (grades, classes of both years, their sections, seats taken, highest
    # roll numbers), the classes for "Set class", the user's school (top bar).
    with django_assert_num_queries(11):
        admin.get(url)
    before = count_queries(admin, url)
    add_students(ns, 30)
    plan(ns, run=run)
    assert run.rows.count() == 54
    assert count_queries(admin, url) == before


def test_history_runs_a_constant_number_of_queries(admin, ns, django_assert_num_queries):
    url = reverse("academics:promotion_history")
    run = plan(ns)
    execute_promotion(run=run, actor=ns.admin)
    # session, user, the runs (with years, people and row counts), their logs, the user's
    # school (top bar).
    with django_assert_num_queries(5):
        admin.get(url)
    for n in range(3):
        year = AcademicYearFactory(
            school=ns.school,
            name=f"20{30 + n}-20{31 + n}",
            start_date=datetime.date(2030 + n, 8, 1),
            end_date=datetime.date(2031 + n, 6, 30),
            is_current=False,
        )
        PromotionRun.objects.create(
            school=ns.school, from_year=ns.to_year, to_year=year, created_by=ns.admin,
            status=PromotionRun.Status.DISCARDED,
        )  # fmt: skip
    with django_assert_num_queries(5):
        page = admin.get(url)
    assert page.content.decode().count('<tr id="run-') == 4


def test_enrollments_list_runs_a_constant_number_of_queries(admin, ns, django_assert_num_queries):
    url = reverse("academics:enrollments") + f"?year={ns.from_year.pk}"
    # session, user, years, grades, classes of the year, count, the user's school (top bar),
    # the page of enrollments.
    with django_assert_num_queries(8):
        page = admin.get(url)
    assert "24 enrollments" in text(page)
    add_students(ns, 40)
    with django_assert_num_queries(8):
        page = admin.get(url)
    assert "64 enrollments · page 1 of 2" in text(page)
    assert page.content.decode().count('<tr id="enrollment-') == 50


def test_enrollments_list_filters(admin, ns):
    url = reverse("academics:enrollments")
    by_class = admin.get(url, {"year": ns.from_year.pk, "school_class": ns.from_classes["9-B"].pk})
    assert "4 enrollments" in text(by_class)
    assert "Evans" in text(by_class) and "Abbott" not in text(by_class)
    by_grade = admin.get(url, {"year": ns.from_year.pk, "grade": ns.grades[10].pk}, **HTMX)
    assert html(by_grade).lstrip().startswith('<section id="enrollments-table"')
    assert "8 enrollments" in text(by_grade)
    next_year = admin.get(url, {"year": ns.to_year.pk})
    assert "0 enrollments" in text(next_year)
