"""Step 1 of the promotion wizard through the Django client (docs/design/promotion.md):
the years, continuing a draft, creating the next year.
The school is `promotion_school` (tests/academics/conftest.py): grades 9–12, six homeroom
classes in both years, four students per class.
"""

import re

import pytest
from django.urls import reverse

from academics.models import (
    AcademicYear,
    PromotionRun,
    Role,
    SchoolClass,
    Section,
)

from ..factories import (
    UserFactory,
)
from .page_helpers import (
    HTMX,
    html,
    plan,
    row_text,
    text,
)

pytestmark = pytest.mark.django_db


# --- step 1 ------------------------------------------------------------------------------------


def test_step_1_defaults_to_the_current_year_and_the_one_after(admin, ns):
    response = admin.get(reverse("academics:promotion_start"))
    page = html(response)
    assert re.search(rf'<option value="{ns.from_year.pk}" selected>2025-2026 \(current\)', page)
    assert re.search(rf'<option value="{ns.to_year.pk}" selected>2026-2027', page)
    assert "17 Aug 2025 – 30 Jun 2026 · 24 students" in text(response)
    assert "24 students waiting to be promoted (of 24 enrolled)" in text(response)
    assert "Create the next year" not in text(response)  # 2026-2027 exists


def test_step_1_next_goes_to_step_2(admin, ns):
    response = admin.get(
        reverse("academics:promotion_start"),
        {"from_year": ns.from_year.pk, "to_year": ns.to_year.pk, "next": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("academics:promotion_plan_new")
        + f"?from_year={ns.from_year.pk}&to_year={ns.to_year.pk}"
    )


def test_step_1_shows_why_the_years_cannot_be_used(admin, ns):
    # Backwards: from the next year (nobody waiting) into this one (not later).
    response = admin.get(
        reverse("academics:promotion_start"),
        {"from_year": ns.to_year.pk, "to_year": ns.from_year.pk, "next": "1"},
    )
    assert response.status_code == 200
    shown = text(response)
    assert "These years can't be used yet:" in shown
    assert "2025-2026 must start after 2026-2027 ends (30 Jun 2027)." in shown
    assert "No student of 2026-2027 is waiting to be promoted." in shown
    assert not PromotionRun.objects.exists()


def test_a_second_admin_opening_step_1_lands_on_the_same_run(client, ns):
    run = plan(ns)
    second = UserFactory(school=ns.school, role=Role.PRINCIPAL)
    client.force_login(second)
    history = client.get(reverse("academics:promotion_history"))
    assert f"{ns.admin}" in row_text(history, f"run-{run.pk}")
    assert "Continue" in row_text(history, f"run-{run.pk}")
    start = client.get(reverse("academics:promotion_start"))
    assert "Being planned" in text(start)
    assert f"{ns.admin} started a promotion from 2025-2026 to 2026-2027" in text(start)

    response = client.get(
        reverse("academics:promotion_start"),
        {"from_year": ns.from_year.pk, "to_year": ns.to_year.pk, "next": "1"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("academics:promotion_preview", args=[run.pk])
    assert re.search(
        rf"{ns.admin} started this promotion on \d+ \w+ \d{{4}} at \d\d:\d\d; "
        "you are continuing it.",
        text(response),
    )
    assert PromotionRun.objects.count() == 1
    # Step 2 opened directly for those years does the same.
    years = f"?from_year={ns.from_year.pk}&to_year={ns.to_year.pk}"
    again = client.get(reverse("academics:promotion_plan_new") + years)
    assert again["Location"] == reverse("academics:promotion_preview", args=[run.pk])


def test_step_1_offers_to_create_the_next_year_prefilled(admin, ns):
    response = admin.get(reverse("academics:promotion_start"), {"from_year": ns.to_year.pk})
    page = html(response)
    assert "Create the next year" in text(response)
    assert 'value="2027-2028"' in page
    assert 'value="2027-08-17"' in page and 'value="2028-06-30"' in page
    assert re.search(r'name="copy_classes"[^>]*checked', page)
    assert "Copy this year's homeroom classes and sections" in text(response)
    assert re.search(r'<button type="submit" name="next"[^>]*disabled', page)


def test_create_the_next_year_from_step_1_copies_the_classes(admin, ns):
    response = admin.post(
        reverse("academics:promotion_create_year"),
        {
            "source": ns.to_year.pk,
            "name": "2027-2028",
            "start_date": "2027-08-17",
            "end_date": "2028-06-30",
            "copy_classes": "on",
        },
    )
    year = AcademicYear.objects.get(school=ns.school, name="2027-2028")
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("academics:promotion_start") + f"?from_year={ns.to_year.pk}&to_year={year.pk}"
    )
    copied = SchoolClass.objects.filter(academic_year=year).order_by("name")
    assert [c.name for c in copied] == sorted(ns.to_classes)
    assert Section.objects.filter(school_class__academic_year=year, capacity=30).count() == 6
    assert year.is_current is False
    page = admin.get(response["Location"])
    assert "Created 2027-2028 with 6 homeroom classes copied from 2026-2027." in text(page)
    assert re.search(rf'<option value="{year.pk}" selected>2027-2028', html(page))


def test_create_the_next_year_without_copying_classes(admin, ns):
    admin.post(
        reverse("academics:promotion_create_year"),
        {"source": ns.to_year.pk, "name": "2027-2028", "start_date": "2027-08-17",
         "end_date": "2028-06-30"},
    )  # fmt: skip
    year = AcademicYear.objects.get(school=ns.school, name="2027-2028")
    assert not SchoolClass.objects.filter(academic_year=year).exists()


def test_create_year_errors_show_in_the_form(admin, ns):
    overlapping = admin.post(
        reverse("academics:promotion_create_year"),
        {"source": ns.to_year.pk, "name": "2027 bis", "start_date": "2027-01-01",
         "end_date": "2027-12-31", "copy_classes": "on"},
        **HTMX,
    )  # fmt: skip
    assert overlapping.status_code == 200
    assert html(overlapping).lstrip().startswith('<section id="create-year"')
    assert "2027 bis would overlap 2026-2027 (17 Aug 2026 – 30 Jun 2027)." in text(overlapping)
    reversed_dates = admin.post(
        reverse("academics:promotion_create_year"),
        {"source": ns.to_year.pk, "name": "2027-2028", "start_date": "2028-06-30",
         "end_date": "2027-08-17"},
    )  # fmt: skip
    assert "The year must end after it starts." in text(reversed_dates)
    assert not AcademicYear.objects.filter(name__startswith="2027").exists()


def test_create_year_by_htmx_redirects_the_whole_page(admin, ns):
    response = admin.post(
        reverse("academics:promotion_create_year"),
        {"source": ns.to_year.pk, "name": "2027-2028", "start_date": "2027-08-17",
         "end_date": "2028-06-30", "copy_classes": "on"},
        **HTMX,
    )  # fmt: skip
    assert response["HX-Redirect"].startswith(reverse("academics:promotion_start"))


def test_step_1_redraw_by_htmx_moves_the_to_year_with_the_from_year(admin, ns):
    response = admin.get(
        reverse("academics:promotion_start"),
        {"from_year": ns.to_year.pk, "to_year": ns.to_year.pk},
        HTTP_HX_TRIGGER_NAME="from_year",
        **HTMX,
    )
    assert html(response).lstrip().startswith('<section id="years-form"')
    assert "No later year yet — create it below" in text(response)
    assert "Create the next year" in text(response)
