"""Step 2 of the promotion wizard through the Django client (docs/design/promotion.md):
modes, filters and planning the run.
The school is `promotion_school` (tests/academics/conftest.py): grades 9–12, six homeroom
classes in both years, four students per class.
"""

import re

import pytest
from django.urls import reverse

from academics.models import (
    PromotionRun,
    StudentProfile,
)

from .page_helpers import (
    HTMX,
    html,
    plan,
    row_of,
    text,
)

pytestmark = pytest.mark.django_db


# --- step 2 ------------------------------------------------------------------------------------


def step_2_url(ns):
    return (
        reverse("academics:promotion_plan_new")
        + f"?from_year={ns.from_year.pk}&to_year={ns.to_year.pk}"
    )


def test_step_2_shows_modes_filters_and_the_students_by_class(admin, ns):
    response = admin.get(step_2_url(ns))
    shown = text(response)
    assert "Automatic — Everyone moves up a grade" in shown
    assert "Manual — Only the students you tick below are promoted" in shown
    assert "Bulk — Everyone chosen by the filters gets the same action" in shown
    assert "9-A (Grade 9) 4" in shown  # the manual list, grouped by class
    assert "24 of 24 students waiting match the filters above." in shown


def test_step_2_filters_narrow_the_manual_list(admin, ns):
    response = admin.get(
        reverse("academics:promotion_plan_new"),
        {"from_year": ns.from_year.pk, "to_year": ns.to_year.pk, "refresh": "1",
         "mode": "manual", "classes": [ns.from_classes["9-B"].pk]},
        **HTMX,
    )  # fmt: skip
    assert html(response).lstrip().startswith('<fieldset id="student-picker"')
    shown = text(response)
    assert "4 of 24 students waiting match the filters above." in shown
    assert "Evans" in shown and "Abbott" not in shown


def test_step_2_plans_the_run_and_opens_step_3(admin, ns):
    response = admin.post(
        step_2_url(ns),
        {"mode": "automatic", "grades": [ns.grades[9].pk, ns.grades[12].pk]},
    )
    run = PromotionRun.objects.get()
    assert response["Location"] == reverse("academics:promotion_preview", args=[run.pk])
    assert run.rows.count() == 12
    assert run.filters["grades"] == sorted([ns.grades[9].pk, ns.grades[12].pk])


def test_step_2_manual_mode_promotes_the_ticked_students(admin, ns):
    picked = ns.students["10-A"][:2]
    admin.post(step_2_url(ns), {"mode": "manual", "students": [s.pk for s in picked]})
    run = PromotionRun.objects.get()
    assert run.mode == "manual"
    assert set(run.rows.values_list("student", flat=True)) == {s.pk for s in picked}


def test_step_2_refuses_a_mode_without_its_choice(admin, ns):
    manual = admin.post(step_2_url(ns), {"mode": "manual"})
    assert "Manual mode promotes the students you tick: tick one." in text(manual)
    bulk = admin.post(step_2_url(ns), {"mode": "bulk"})
    assert "Bulk mode applies one action to everyone: choose it." in text(bulk)
    everyone = list(StudentProfile.objects.filter(school=ns.school).values_list("pk", flat=True))
    excluded_all = admin.post(step_2_url(ns), {"mode": "automatic", "exclude": everyone})
    assert "No student matches these choices." in text(excluded_all)
    assert not PromotionRun.objects.exists()


def test_step_2_bulk_mode_sets_one_action_for_everyone(admin, ns):
    admin.post(
        step_2_url(ns),
        {"mode": "bulk", "default_action": "retain", "classes": [ns.from_classes["9-A"].pk]},
    )
    run = PromotionRun.objects.get()
    assert set(run.rows.values_list("action", flat=True)) == {"retain"}
    assert run.rows.count() == 4


def test_step_2_of_a_draft_warns_that_planning_again_replaces_edits(admin, ns):
    run = plan(ns)
    page = admin.get(reverse("academics:promotion_plan", args=[run.pk]))
    assert "changed in step 3" not in text(page)
    assert re.search(r'name="mode" value="automatic" checked', html(page))

    admin.post(
        reverse(
            "academics:promotion_row_edit", args=[run.pk, row_of(run, ns.students["9-A"][0]).pk]
        ),
        {"action": "retain"},
    )
    page = admin.get(reverse("academics:promotion_plan", args=[run.pk]))
    assert "1 row of this plan was changed in step 3." in text(page)
    assert "Planning again replaces the whole plan, those changes included." in text(page)

    admin.post(reverse("academics:promotion_plan", args=[run.pk]), {"mode": "automatic"})
    assert PromotionRun.objects.get().pk == run.pk
    assert row_of(run, ns.students["9-A"][0]).action == "promote"
