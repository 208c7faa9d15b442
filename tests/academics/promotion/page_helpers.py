"""Helpers of the promotion wizard's page tests (docs/design/promotion.md): reading a
response's text, rows and messages, planning on `promotion_school`, a snapshot of its
enrollments, more students, and counting a page's queries."""

import html as html_lib
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from academics.models import (
    Enrollment,
    PromotionRun,
    Role,
    StudentProfile,
)
from academics.services.promotion import plan_promotion

from ..conftest import SURNAMES
from ..factories import (
    UserFactory,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


def html(response) -> str:
    return response.content.decode()


def text(response) -> str:
    """The response's visible text, tags removed and whitespace collapsed."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html(response))).split())


def row_text(response, element_id: str) -> str:
    match = re.search(rf'<tr id="{element_id}".*?</tr>', html(response), re.S)
    assert match, f"no row {element_id}"
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", match.group(0))).split())


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def plan(ns, **kwargs) -> PromotionRun:
    kwargs.setdefault("mode", "automatic")
    return plan_promotion(
        school=ns.school, from_year=ns.from_year, to_year=ns.to_year, actor=ns.admin, **kwargs
    )


def row_of(run: PromotionRun, student: StudentProfile):
    return run.rows.get(student=student)


def snapshot(ns) -> list[tuple]:
    """Every enrollment of the school as it stands (to prove nothing changed)."""
    return list(
        Enrollment.objects.filter(school=ns.school)
        .order_by("pk")
        .values_list("pk", "academic_year", "status", "grade", "school_class", "roll_number")
    )


def add_students(ns, count: int, class_name: str = "9-A") -> None:
    """More students in a class of the year promoted from (roll numbers after 4)."""
    school_class = ns.from_classes[class_name]
    section = school_class.sections.get()
    for n in range(count):
        user = UserFactory(
            school=ns.school, role=Role.STUDENT, first_name=f"Extra{n}", last_name=SURNAMES[n % 24]
        )
        Enrollment.objects.create(
            school=ns.school,
            student=user.student_profile,
            academic_year=ns.from_year,
            grade=school_class.grade,
            school_class=school_class,
            section=section,
            roll_number=5 + n,
        )


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)
