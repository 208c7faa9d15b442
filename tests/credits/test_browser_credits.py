"""The make-up credits list and dialog in the browser (docs/design/credits.md, steps 1–5;
browser test): select two students, open the dialog, pick a tutor, "Set to 1", save, and
see the exact message and the column change with no page load; the button is disabled
with nothing selected; Escape closes the dialog and focus goes back to the button."""

import re

import pytest
from playwright.sync_api import expect

from credits.models import CreditChange, MakeupCredit
from credits.services import set_available_credits
from tests.browser import sign_in

from .conftest import make_studio

pytestmark = pytest.mark.browser

MARKER = "window.__creditsListMarker"


@pytest.fixture
def studio(transactional_db):
    studio = make_studio()
    set_available_credits(
        students=[studio.sarah], tutor=studio.tutor_b, amount=2, actor=studio.admin
    )
    return studio


def open_list(page, live_server, user):
    sign_in(page, live_server, user.username)
    expect(page.get_by_role("link", name="Make-up credits", exact=True)).to_be_visible()
    page.goto(f"{live_server.url}/credits/")
    # Survives only if nothing reloads the page.
    page.evaluate(f"{MARKER} = 'same page'")


def credits_cell(page, student):
    return page.locator(f"#credit-row-{student.pk} [data-credits-cell]")


def test_select_two_students_and_set_their_credits_to_one(live_server, page, studio):
    open_list(page, live_server, studio.admin)
    make_up = page.get_by_role("button", name="Make-Up Credits")
    expect(make_up).to_be_disabled()
    expect(page.get_by_text("0 selected")).to_be_visible()
    expect(credits_cell(page, studio.sarah)).to_have_text(re.compile(r"^\s*2 credits"))
    expect(credits_cell(page, studio.omar)).to_have_text(re.compile(r"^\s*0 credits\s*$"))

    page.get_by_label("Select Sarah Samir").check()
    page.get_by_label("Select Omar Osman").check()
    expect(page.get_by_text("2 selected")).to_be_visible()
    expect(make_up).to_be_enabled()

    make_up.click()
    dialog = page.get_by_role("dialog", name=re.compile("Make-Up Credits"))
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("2 students")
    tutor = dialog.get_by_label("Tutor")
    expect(tutor).to_be_focused()  # no tutor yet: focus starts on the required choice

    tutor.select_option(label="Amal Adel")
    expect(dialog.get_by_text("Current balance with Amal Adel")).to_be_visible()
    expect(dialog.get_by_label("Tutor")).to_be_focused()
    expect(dialog.locator(f'[data-balance-row="{studio.sarah.pk}"] td').first).to_have_text("0")

    dialog.get_by_role("button", name="Set to 1").click()
    amount = dialog.get_by_label("Available credits to set")
    expect(amount).to_have_value("1")
    dialog.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status").filter(has_text="Make-up credits set")).to_have_text(
        "Make-up credits set to 1 for 2 student(s) with Amal Adel"
    )
    expect(dialog).to_be_hidden()
    expect(make_up).to_be_focused()
    expect(credits_cell(page, studio.sarah)).to_have_text(re.compile(r"^\s*3 credits"))
    expect(credits_cell(page, studio.sarah).locator("details")).to_have_attribute(
        "title", "3 credits (1 with Amal Adel, 2 with Bassem Badr)"
    )
    expect(credits_cell(page, studio.omar)).to_have_text(re.compile(r"^\s*1 credit\b"))
    # the selection stays, so another tutor can be set for the same students
    expect(page.get_by_label("Select Sarah Samir")).to_be_checked()
    expect(page.get_by_text("2 selected")).to_be_visible()
    assert page.evaluate(MARKER) == "same page"

    assert MakeupCredit.objects.get(student=studio.omar, tutor=studio.tutor_a).available == 1
    assert MakeupCredit.objects.get(student=studio.sarah, tutor=studio.tutor_a).available == 1
    assert CreditChange.objects.filter(tutor=studio.tutor_a, changed_by=studio.admin).count() == 2

    # expanding the cell shows each tutor's share, from the keyboard too
    summary = credits_cell(page, studio.sarah).locator("summary")
    summary.focus()
    page.keyboard.press("Enter")
    expect(credits_cell(page, studio.sarah).get_by_text("with Bassem Badr")).to_be_visible()


def test_escape_closes_the_dialog_and_a_refusal_keeps_it_open(live_server, page, studio):
    open_list(page, live_server, studio.admin)
    page.get_by_label("Select all on this page").check()
    expect(page.get_by_text("3 selected")).to_be_visible()
    make_up = page.get_by_role("button", name="Make-Up Credits")
    make_up.click()
    dialog = page.get_by_role("dialog", name=re.compile("Make-Up Credits"))
    expect(dialog).to_be_visible()

    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(make_up).to_be_focused()

    page.get_by_label("Select Lina Lotfy").uncheck()
    expect(page.get_by_text("2 selected")).to_be_visible()
    expect(page.get_by_label("Select all on this page")).not_to_be_checked()
    make_up.click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("2 students")
    dialog.get_by_label("Tutor").select_option(label="Bassem Badr")
    # The tutor change reloads the dialog's body; type only into the reloaded form.
    expect(dialog.get_by_text("Current balance with Bassem Badr")).to_be_visible()
    amount = dialog.get_by_label("Available credits to set")
    expect(amount).to_have_value("")  # Sarah 2, Omar 0: no guess
    amount.fill("1.5")
    amount.press("Enter")
    expect(dialog.get_by_role("alert")).to_contain_text(
        "Credit amount must be zero or a positive whole number"
    )
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Available credits to set")).to_be_focused()
    assert MakeupCredit.objects.get(student=studio.sarah, tutor=studio.tutor_b).available == 2

    dialog.get_by_role("link", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(make_up).to_be_focused()
    assert page.evaluate(MARKER) == "same page"


def test_ticks_on_another_page_stay_selected(live_server, page, studio):
    from academics.models import Role
    from tests.academics.factories import StudentProfileFactory, UserFactory

    for n in range(50):  # after Lina, Omar and Sarah by surname: page 2 holds the last three
        StudentProfileFactory(
            school=studio.school,
            user=UserFactory(
                school=studio.school, role=Role.STUDENT, first_name="Pupil", last_name=f"Z{n:02}"
            ),
        )
    open_list(page, live_server, studio.admin)
    page.get_by_label("Select Sarah Samir").check()
    page.get_by_role("link", name="Next →").click()
    expect(page.get_by_text("Page 2 of 2", exact=True)).to_be_visible()
    page.get_by_label("Select Pupil Z49").check()
    expect(page.get_by_text("2 selected (1 on other pages)")).to_be_visible()
    expect(page.get_by_label("Select all on this page")).to_have_js_property("indeterminate", True)

    page.get_by_role("link", name="← Previous").click()
    expect(page.get_by_label("Select Sarah Samir")).to_be_checked()
    expect(page.get_by_text("2 selected (1 on other pages)")).to_be_visible()

    page.get_by_role("button", name="Make-Up Credits").click()
    dialog = page.get_by_role("dialog", name=re.compile("Make-Up Credits"))
    expect(dialog).to_contain_text("2 students")
    expect(dialog.locator("[data-balance-row]")).to_have_count(2)
    page.keyboard.press("Escape")

    page.get_by_role("button", name="Clear selection").click()
    expect(page.get_by_text("0 selected")).to_be_visible()
    expect(page.get_by_label("Select Sarah Samir")).not_to_be_checked()
    expect(page.get_by_role("button", name="Make-Up Credits")).to_be_disabled()
    assert page.evaluate(MARKER) == "same page"
