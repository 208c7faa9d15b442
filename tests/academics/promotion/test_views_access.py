"""Who may open the promotion wizard's pages (docs/design/promotion.md,
docs/design/roles.md): other roles 403, signed-out visitors to the login page, another
school's run 404, the nav link.
The school is `promotion_school` (tests/academics/conftest.py): grades 9–12, six homeroom
classes in both years, four students per class.
"""

import datetime
import re

import pytest
from django.urls import reverse

from academics.models import (
    Enrollment,
    Role,
)
from academics.services.promotion import execute_promotion, plan_promotion

from ..factories import (
    AcademicYearFactory,
    SchoolFactory,
    UserFactory,
)
from .page_helpers import (
    HTMX,
    html,
    plan,
    text,
)

pytestmark = pytest.mark.django_db


# --- access ----------------------------------------------------------------------------------


def _urls(ns, draft, executed):
    """(method, url, status an admin gets) for every page of the wizard."""
    years = f"?from_year={ns.from_year.pk}&to_year={ns.to_year.pk}"
    a_row = draft.rows.first()
    return [
        ("get", reverse("academics:promotion_history"), 200),
        ("get", reverse("academics:promotion_start"), 200),
        ("post", reverse("academics:promotion_create_year"), 200),  # empty: the form again
        ("get", reverse("academics:promotion_plan", args=[draft.pk]), 200),
        ("get", reverse("academics:promotion_preview", args=[draft.pk]), 200),
        ("get", reverse("academics:promotion_row", args=[draft.pk, a_row.pk]), 302),
        ("get", reverse("academics:promotion_row_edit", args=[draft.pk, a_row.pk]), 200),
        ("post", reverse("academics:promotion_bulk", args=[draft.pk]), 302),
        ("post", reverse("academics:promotion_rebalance", args=[draft.pk]), 302),
        ("get", reverse("academics:promotion_discard", args=[draft.pk]), 200),
        ("get", reverse("academics:promotion_confirm", args=[draft.pk]), 200),
        ("get", reverse("academics:promotion_detail", args=[executed.pk]), 200),
        ("post", reverse("academics:promotion_undo", args=[draft.pk]), 302),  # refused
        ("get", reverse("academics:enrollments"), 200),
        ("get", reverse("academics:promotion_plan_new") + years, 302),  # to the draft
    ]


@pytest.fixture
def runs(ns):
    """A draft from 2025-2026 to 2026-2027, and an executed run into a third year."""
    draft = plan(ns)
    later = AcademicYearFactory(
        school=ns.school,
        name="2027-2028",
        start_date=datetime.date(2027, 8, 17),
        end_date=datetime.date(2028, 6, 30),
        is_current=False,
    )
    other_from = AcademicYearFactory(
        school=ns.school,
        name="2024-2025",
        start_date=datetime.date(2024, 8, 17),
        end_date=datetime.date(2025, 6, 30),
        is_current=False,
    )
    student = ns.students["9-A"][0]
    Enrollment.objects.create(
        school=ns.school, student=student, academic_year=other_from, grade=ns.grades[9]
    )
    executed_plan = plan_promotion(
        school=ns.school, from_year=other_from, to_year=later, mode="automatic", actor=ns.admin
    )
    execute_promotion(run=executed_plan, actor=ns.admin)
    return draft, executed_plan


@pytest.mark.parametrize("role", [Role.TEACHER, Role.ACCOUNTANT, Role.STUDENT, Role.HOD])
def test_other_roles_get_403_on_every_page(client, ns, runs, role):
    client.force_login(UserFactory(school=ns.school, role=role))
    for method, url, _ in _urls(ns, *runs):
        response = getattr(client, method)(url)
        assert response.status_code == 403, (method, url)


def test_signed_out_visitors_go_to_the_login_page(client, ns, runs):
    for method, url, _ in _urls(ns, *runs):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login") + "?next="), url


def test_signed_out_htmx_requests_sign_in_as_a_whole_page(client, ns, runs):
    draft, _ = runs
    response = client.get(reverse("academics:promotion_preview", args=[draft.pk]), **HTMX)
    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))


@pytest.mark.parametrize("role", [Role.ADMIN, Role.PRINCIPAL, "superuser"])
def test_admins_and_principals_open_every_page(client, ns, runs, role):
    if role == "superuser":
        user = UserFactory(school=ns.school, role=Role.TEACHER, is_superuser=True)
    else:
        user = UserFactory(school=ns.school, role=role)
    client.force_login(user)
    for method, url, status in _urls(ns, *runs):
        response = getattr(client, method)(url)
        assert response.status_code == status, (method, url)


def test_another_schools_run_row_and_year_are_404(client, ns, runs):
    draft, executed = runs
    other = SchoolFactory()
    client.force_login(UserFactory(school=other, role=Role.ADMIN))
    for method, url, _ in _urls(ns, draft, executed):
        if "/promotion/" in url and re.search(r"/promotion/\d+/", url):
            assert getattr(client, method)(url).status_code == 404, url
    years = f"?from_year={ns.from_year.pk}&to_year={ns.to_year.pk}"
    assert client.get(reverse("academics:promotion_plan_new") + years).status_code == 404
    # Their own pages work, and show nothing of the other school.
    history = client.get(reverse("academics:promotion_history"))
    assert history.status_code == 200
    assert "2025-2026" not in text(history)


def test_nav_shows_promotion_to_admins_and_principals_only(client, ns):
    client.force_login(ns.admin)
    page = client.get(reverse("academics:promotion_history"))
    assert re.search(r'<a href="/promotion/" aria-current="page">Promotion</a>', html(page))
    client.force_login(UserFactory(school=ns.school, role=Role.TEACHER))
    page = client.get(reverse("attendance:my_periods"))
    assert ">Promotion</a>" not in html(page)
