"""Step 3 of the promotion wizard through the Django client (docs/design/promotion.md):
the preview, inline edits, bulk actions, rebalance and discard.
The school is `promotion_school` (tests/academics/conftest.py): grades 9–12, six homeroom
classes in both years, four students per class.
"""

import re

import pytest
from django.urls import reverse

from academics.models import (
    PromotionRun,
)

from .page_helpers import (
    HTMX,
    html,
    plan,
    row_of,
    row_text,
    text,
)

pytestmark = pytest.mark.django_db


# --- step 3 ------------------------------------------------------------------------------------


def test_preview_shows_counts_and_the_table(admin, ns):
    run = plan(ns)
    response = admin.get(reverse("academics:promotion_preview", args=[run.pk]))
    shown = text(response)
    assert "Promote 20 Retain 0 Graduate 4 Leave school 0 Total 24" in shown
    abbott = row_text(response, f"prow-{row_of(run, ns.students['9-A'][0]).pk}")
    assert (
        abbott
        == "Tick Pupil1 Abbott Pupil1 Abbott S001 Grade 9 9-A A Grade 10 10-A A 1 Promote Edit"
    )
    upton = row_text(response, f"prow-{row_of(run, ns.students['12-A'][0]).pk}")
    assert "Graduates — Graduate" in upton
    assert re.search(
        rf'href="{reverse("academics:promotion_confirm", args=[run.pk])}"', html(response)
    )


def test_inline_edit_retains_a_student_and_the_plan_survives_a_reload(admin, ns):
    run = plan(ns)
    abbott = row_of(run, ns.students["9-A"][0])
    edit_url = reverse("academics:promotion_row_edit", args=[run.pk, abbott.pk])

    editor = admin.get(edit_url, **HTMX)
    assert html(editor).lstrip().startswith(f'<tr id="prow-{abbott.pk}"')
    assert 'name="action"' in html(editor) and "Save" in text(editor)
    # Choosing Retain redraws the editor: the grade becomes "the same grade (automatic)".
    redraw = admin.get(
        edit_url,
        {"action": "retain", "to_grade": ns.grades[10].pk, "was_to_grade": ns.grades[10].pk,
         "to_class": abbott.to_class_id, "was_to_class": abbott.to_class_id, "notes": ""},
        HTTP_HX_TRIGGER_NAME="action",
        **HTMX,
    )  # fmt: skip
    assert "Grade 9 (automatic)" in text(redraw)
    assert f'<option value="{ns.to_classes["9-A"].pk}">9-A</option>' in html(redraw)

    saved = admin.post(
        edit_url, {"action": "retain", "to_grade": "", "was_to_grade": "", "notes": "Repeats"},
        **HTMX,
    )  # fmt: skip

    assert saved.status_code == 200
    row = row_text(saved, f"prow-{abbott.pk}")
    assert "Grade 9 9-A A Grade 9 9-A A" in row and "Retain" in row and "Repeats" in row
    assert re.search(r'<section id="pr-summary"[^>]*hx-swap-oob="true"', html(saved))
    assert "Promote 19 Retain 1 Graduate 4" in text(saved)
    # Abbott is 9-A's only student next year; 10-A's three others move up a roll number.
    assert "Saved Pupil1 Abbott: Retain → Grade 9, 9-A (3 other rows rebalanced)." in text(saved)

    reload = admin.get(reverse("academics:promotion_preview", args=[run.pk]))
    row = row_text(reload, f"prow-{abbott.pk}")
    assert "Grade 9 9-A A Grade 9 9-A A 1 Retain Repeats" in row
    assert "Promote 19 Retain 1 Graduate 4 Leave school 0 Total 24" in text(reload)


def test_inline_edit_without_js_is_a_page_and_a_redirect(admin, ns):
    run = plan(ns)
    abbott = row_of(run, ns.students["9-A"][0])
    edit_url = reverse("academics:promotion_row_edit", args=[run.pk, abbott.pk])
    page = admin.get(edit_url)
    assert "<h1>Promotion" in html(page)
    assert f'<form id="prow-form-{abbott.pk}" method="post" action="{edit_url}"' in html(page)
    # The editor still shows the row's grade: left alone, retaining keeps the same grade.
    response = admin.post(
        edit_url,
        {"action": "retain", "to_grade": ns.grades[10].pk, "was_to_grade": ns.grades[10].pk,
         "to_class": abbott.to_class_id, "was_to_class": abbott.to_class_id,
         "to_section": abbott.to_section_id, "was_to_section": abbott.to_section_id},
    )  # fmt: skip
    assert response["Location"].endswith(f"/preview/#prow-{abbott.pk}")
    abbott.refresh_from_db()
    assert (abbott.action, abbott.to_grade, abbott.to_class) == (
        "retain",
        ns.grades[9],
        ns.to_classes["9-A"],
    )


def test_update_choices_without_js_redraws_the_editor_for_the_new_action(admin, ns):
    run = plan(ns)
    abbott = row_of(run, ns.students["9-A"][0])
    page = admin.get(
        reverse("academics:promotion_row_edit", args=[run.pk, abbott.pk]),
        {"action": "retain", "was_action": "promote", "to_grade": ns.grades[10].pk,
         "was_to_grade": ns.grades[10].pk, "to_class": abbott.to_class_id,
         "was_to_class": abbott.to_class_id, "notes": "x"},
    )  # fmt: skip
    assert "<h1>Promotion" in html(page)  # the whole page, the row as the editor
    assert re.search(r'<option value="">Grade 9 \(automatic\)</option>', html(page))
    assert f'<option value="{ns.to_classes["9-A"].pk}">9-A</option>' in html(page)
    assert 'name="was_to_grade" value=""' in html(page)


def test_inline_edit_moves_a_student_to_another_class_and_rebalances(admin, ns):
    run = plan(ns)
    evans = row_of(run, ns.students["9-B"][0])  # 9-B → 10-B, roll 1
    response = admin.post(
        reverse("academics:promotion_row_edit", args=[run.pk, evans.pk]),
        {"action": "promote", "to_grade": ns.grades[10].pk, "was_to_grade": ns.grades[10].pk,
         "to_class": ns.to_classes["10-A"].pk, "was_to_class": ns.to_classes["10-B"].pk},
        **HTMX,
    )  # fmt: skip
    # After Abbott…Dalton from 9-A, alphabetically.
    assert "Grade 10 10-A (chosen) A 5 Promote" in row_text(response, f"prow-{evans.pk}")
    # The rows it moved up in 10-B (Fisher, Garcia, Hughes: 2–4 → 1–3) come back out of band.
    moved = re.findall(
        r'<template>\s*<tr id="prow-(\d+)"[^>]*hx-swap-oob="outerHTML"', html(response)
    )
    fisher = row_of(run, ns.students["9-B"][1])
    assert len(moved) == 3 and str(fisher.pk) in moved
    assert "Grade 10 10-B A 1 Promote" in row_text(response, f"prow-{fisher.pk}")
    assert "(3 other rows rebalanced)" in text(response)


def test_inline_edit_refusal_keeps_the_editor_open_with_the_reason(admin, ns):
    run = plan(ns)
    abbott = row_of(run, ns.students["9-A"][0])
    response = admin.post(
        reverse("academics:promotion_row_edit", args=[run.pk, abbott.pk]),
        {"action": "promote", "to_grade": ns.grades[10].pk, "was_to_grade": ns.grades[10].pk,
         "to_class": ns.to_classes["12-A"].pk, "was_to_class": abbott.to_class_id},
        **HTMX,
    )  # fmt: skip
    assert "data-row-editor" in html(response)
    assert "12-A is not a class of Grade 10" in text(response)
    abbott.refresh_from_db()
    assert abbott.to_class == ns.to_classes["10-A"]


def test_cancel_answers_the_stored_row(admin, ns):
    run = plan(ns)
    abbott = row_of(run, ns.students["9-A"][0])
    response = admin.get(reverse("academics:promotion_row", args=[run.pk, abbott.pk]), **HTMX)
    assert "Grade 10 10-A A 1 Promote Edit" in row_text(response, f"prow-{abbott.pk}")


def test_bulk_action_on_ticked_rows(admin, ns):
    run = plan(ns)
    picked = [row_of(run, s).pk for s in ns.students["11-A"][:2]]
    response = admin.post(
        reverse("academics:promotion_bulk", args=[run.pk]),
        {"op": "action", "action": "leave", "rows": picked},
        **HTMX,
    )
    assert html(response).lstrip().startswith('<section id="pr-preview"')
    assert "Set 2 students to Leave school." in text(response)
    assert "Promote 18 Retain 0 Graduate 4 Leave school 2 Total 24" in text(response)
    assert set(run.rows.filter(pk__in=picked).values_list("action", flat=True)) == {"leave"}


def test_bulk_set_class_and_its_refusals(admin, ns):
    run = plan(ns)
    bulk_url = reverse("academics:promotion_bulk", args=[run.pk])
    nine_b = [row_of(run, s).pk for s in ns.students["9-B"]]
    admin.post(bulk_url, {"op": "class", "to_class": ns.to_classes["10-A"].pk, "rows": nine_b})
    assert set(run.rows.filter(pk__in=nine_b).values_list("to_class", flat=True)) == {
        ns.to_classes["10-A"].pk
    }
    nothing = admin.post(bulk_url, {"op": "action", "action": "retain"}, follow=True)
    assert "Tick the students to change first." in text(nothing)
    wrong = admin.post(
        bulk_url, {"op": "class", "to_class": ns.to_classes["12-A"].pk, "rows": nine_b}, **HTMX
    )
    assert "12-A is not a class of Grade 10" in text(wrong)


def test_rebalance_and_discard(admin, ns):
    run = plan(ns)
    response = admin.post(reverse("academics:promotion_rebalance", args=[run.pk]), follow=True)
    assert "Sections rebalanced: everyone was already in place." in text(response)
    confirm_page = admin.get(reverse("academics:promotion_discard", args=[run.pk]))
    assert "Discard this plan?" in text(confirm_page)
    PromotionRun.objects.get(pk=run.pk)  # a GET discards nothing
    assert PromotionRun.objects.get(pk=run.pk).status == "draft"
    done = admin.post(reverse("academics:promotion_discard", args=[run.pk]), follow=True)
    assert "Discarded the plan from 2025-2026 to 2026-2027." in text(done)
    run.refresh_from_db()
    assert run.status == "discarded" and not run.rows.exists()
