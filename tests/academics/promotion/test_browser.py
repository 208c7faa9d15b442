"""The promotion wizard in the browser (docs/design/promotion.md): step 1 to the results,
retaining one student with the inline editor (Enter saves, Escape cancels, no page load),
confirming the checkbox and executing."""

import re

import pytest
from playwright.sync_api import expect

from academics.models import Enrollment, PromotionRun
from tests.browser import sign_in

pytestmark = pytest.mark.browser

MARKER = "window.__promotionPreviewMarker"


def test_walk_the_wizard_retaining_one_student_inline(live_server, page, promotion_school):
    ns = promotion_school
    page.set_default_timeout(15_000)  # CI machines under load answer slowly
    sign_in(page, live_server, ns.admin.username)

    # History → step 1: the years are chosen already.
    page.get_by_role("link", name="Promotion", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile("Promotion · history"))).to_be_visible()
    page.get_by_role("link", name="Start a promotion").click()
    expect(page.get_by_label(re.compile("^From year"))).to_have_value(str(ns.from_year.pk))
    expect(page.get_by_label(re.compile("^To year"))).to_have_value(str(ns.to_year.pk))
    expect(page.get_by_text("24 students waiting to be promoted (of 24 enrolled)")).to_be_visible()
    page.get_by_role("button", name=re.compile("Next: mode and filters")).click()

    # Step 2: automatic, everyone.
    expect(page.get_by_role("radio", name=re.compile("^Automatic"))).to_be_checked()
    page.get_by_role("button", name=re.compile("Plan the promotion")).click()

    # Step 3: the preview.
    expect(page.get_by_role("heading", name=re.compile("step 3: preview"))).to_be_visible()
    run = PromotionRun.objects.get()
    abbott = run.rows.get(student=ns.students["9-A"][0])
    baker = run.rows.get(student=ns.students["9-A"][1])
    summary = page.locator("#pr-summary")
    expect(summary.locator('[data-count="retain"]')).to_have_text("0")
    page.evaluate(f"{MARKER} = 'same page'")  # survives only if nothing reloads the page

    # Escape cancels an edit.
    baker_row = page.locator(f"#prow-{baker.pk}")
    baker_row.get_by_role("link", name="Edit Pupil2 Baker").click()
    notes = baker_row.get_by_role("textbox", name="Notes on Pupil2 Baker")
    expect(baker_row.get_by_role("combobox", name="Action for Pupil2 Baker")).to_be_focused()
    notes.fill("should not be kept")
    notes.press("Escape")
    expect(baker_row.get_by_role("textbox", name="Notes on Pupil2 Baker")).to_have_count(0)
    expect(baker_row).not_to_contain_text("should not be kept")

    # Retain Abbott: the editor redraws for Retain (same grade), Enter saves.
    row = page.locator(f"#prow-{abbott.pk}")
    expect(row).to_contain_text("Grade 10")
    row.get_by_role("link", name="Edit Pupil1 Abbott").click()
    action = row.get_by_role("combobox", name="Action for Pupil1 Abbott")
    expect(action).to_be_focused()
    action.select_option("retain")
    expect(row).to_have_attribute("data-action", "retain")  # the redrawn editor
    grade = row.get_by_role("combobox", name="Target grade of Pupil1 Abbott")
    expect(grade.locator("option:checked")).to_have_text("Grade 9 (automatic)")
    action = row.get_by_role("combobox", name="Action for Pupil1 Abbott")
    expect(action).to_be_focused()
    action.press("Enter")

    expect(row.get_by_role("combobox", name="Action for Pupil1 Abbott")).to_have_count(0)
    expect(row).to_contain_text("Retain")
    expect(row.locator("td").nth(4)).to_have_text("Grade 9")  # the target grade
    expect(summary.locator('[data-count="retain"]')).to_have_text("1")
    expect(summary.locator('[data-count="promote"]')).to_have_text("19")
    expect(
        page.get_by_role("status").filter(has_text="Saved Pupil1 Abbott: Retain")
    ).to_be_visible()
    assert page.evaluate(MARKER) == "same page"
    abbott.refresh_from_db()
    assert abbott.action == "retain" and abbott.to_grade == ns.grades[9]

    # Step 4: the checkbox, then Execute.
    page.get_by_role("link", name=re.compile("Continue: confirm")).click()
    expect(page.get_by_role("heading", name=re.compile("step 4: confirm"))).to_be_visible()
    expect(page.locator("[data-estimate]")).to_have_text("less than a second")
    page.get_by_role("checkbox", name=re.compile("I understand this changes 24 students")).check()
    page.get_by_role("button", name="Execute the promotion").click()

    # Step 5: the results.
    expect(
        page.get_by_role("heading", name="Done: 24 students moved on to 2026-2027")
    ).to_be_visible()
    result = page.locator(".pr-result")
    expect(result.locator('[data-count="promote"]')).to_have_text("19")
    expect(result.locator('[data-count="retain"]')).to_have_text("1")
    expect(result.locator('[data-count="graduate"]')).to_have_text("4")
    expect(result.locator('[data-count="total"]')).to_have_text("24")
    expect(page.get_by_role("button", name="Undo this promotion")).to_be_enabled()
    kept = Enrollment.objects.get(student=ns.students["9-A"][0], academic_year=ns.to_year)
    assert kept.grade == ns.grades[9]
    assert Enrollment.objects.filter(academic_year=ns.to_year).count() == 20

    page.get_by_role("link", name="View the new enrollments").click()
    expect(page.get_by_text("20 enrollments")).to_be_visible()
