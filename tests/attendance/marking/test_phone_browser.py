"""The marking screen on a phone (390×844): one row per student with buttons a thumb can
hit, a bar at the bottom with the counts and Save, the reason only once a saved status
changes, no keyboard hints, the top bar folded into a menu (docs/manual/attendance.md,
"On a phone")."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser import sign_in

from .support import MONDAY, mark_url, student_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DOCS_IMAGE = Path(__file__).resolve().parents[3] / "docs" / "img" / "marking-on-a-phone.png"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    yield context.new_page()
    context.close()


def test_a_teacher_marks_on_a_phone(transactional_db, live_server, phone, marked_period):
    slot, adams, young = marked_period
    for number in range(10):  # a class longer than the screen
        student_in(slot.school_class, f"Zimmer{number:02}", "Zoe")
    slot.teacher.set_password("correct-horse-battery")
    slot.teacher.save(update_fields=["password"])
    page = phone
    sign_in(page, live_server, slot.teacher.username)

    # The top bar is one line: the links wait behind "Menu".
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(page.get_by_role("link", name="My periods")).to_be_hidden()
    assert page.locator(".topbar").bounding_box()["height"] <= 64
    menu.click()
    expect(page.get_by_role("link", name="My periods")).to_be_visible()
    expect(menu).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="My periods")).to_be_hidden()

    page.goto(live_server.url + mark_url(slot, MONDAY))
    row = page.locator(f"#student-{young.student_id}")
    # Every status of every student is a button at least 44 px each way, all in view.
    labels = page.locator(".status-choice[data-editable] label")
    expect(labels).to_have_count(12 * 6)
    for box in (labels.nth(i).bounding_box() for i in range(12)):
        assert box["width"] >= 44 and box["height"] >= 44, box
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    # The name and the buttons make one row of the roster, name above the buttons.
    name = row.get_by_role("rowheader").bounding_box()
    buttons = row.locator(".status-choice").bounding_box()
    assert name["y"] + name["height"] <= buttons["y"] + 1
    # No keyboard hints on a phone.
    expect(page.locator("#key-hints")).to_be_hidden()
    expect(page.locator("kbd.hint").first).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # The bar sits at the bottom of the screen with the counts and Save; no reason yet.
    bar = page.locator("#marking-bar")
    save = bar.get_by_role("button", name="Save attendance")
    expect(save).to_be_visible()
    expect(bar.locator("#tally")).to_be_visible()
    box = bar.bounding_box()
    assert abs(box["y"] + box["height"] - PHONE["height"]) <= 1, box  # stuck to the bottom
    reason = page.get_by_label("Reason for correction")
    expect(reason).to_be_hidden()

    # Young was saved absent: tapping P is a correction, and the reason appears in the bar.
    row.locator("label", has_text="P").first.tap()
    expect(reason).to_be_visible()
    expect(bar.locator('[data-status="P"] strong')).to_have_text("12")
    if os.environ.get("ROLLBOOK_DOCS_SCREENSHOTS"):  # docs/development/tests.md
        page.screenshot(path=DOCS_IMAGE)
    reason.fill("Came in late")
    save.tap()
    expect(page.locator(".messages")).to_contain_text("Saved attendance")
    expect(page.get_by_label("Reason for correction")).to_be_hidden()
