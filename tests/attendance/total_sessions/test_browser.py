"""Total sessions in the browser (docs/design/total-sessions.md, "Inline Editing", "Bulk Update"):
the row changes in place, no page load; Escape restores; a refused value keeps the input open."""

import datetime
import json
import re

import pytest
from playwright.sync_api import expect

from academics.models import Role
from attendance.models import Status, TotalSessionsOverride
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory
from tests.browser import sign_in

pytestmark = pytest.mark.browser

MARKER = "window.__totalSessionsMarker"


@pytest.fixture
def maths(transactional_db):
    """Maths 9A taught by Ana Rivera: Ali Adams present 2 of 3 countable records, Yara
    Young none yet."""
    school = SchoolFactory(name="Hill School")
    teacher = UserFactory(
        school=school, role=Role.TEACHER, username="rivera", first_name="Ana", last_name="Rivera"
    )
    school_class = SchoolClassFactory(school=school, name="Maths 9A")
    TimetableSlotFactory(school_class=school_class, teacher=teacher)
    memberships = []
    for first, last in [("Ali", "Adams"), ("Yara", "Young")]:
        user = UserFactory(school=school, role=Role.STUDENT, first_name=first, last_name=last)
        memberships.append(
            MembershipFactory(school_class=school_class, student=user.student_profile)
        )
    adams, young = memberships
    for n, status in enumerate([Status.PRESENT, Status.PRESENT, Status.ABSENT]):
        AttendanceRecordFactory(
            membership=adams, status=status, date=datetime.date(2026, 9, 7), period_number=n + 1
        )
    return school_class, adams, young


def open_list(page, live_server, school_class):
    sign_in(page, live_server, "rivera")
    expect(page.get_by_role("heading", name="My periods")).to_be_visible()
    page.goto(f"{live_server.url}/attendance/list/?school_class={school_class.pk}")
    expect(page.get_by_role("heading", name="Attendance list")).to_be_visible()
    # Survives only if nothing reloads the page.
    page.evaluate(f"{MARKER} = 'same page'")


def total_button(row, name):
    return row.get_by_role("button", name=re.compile(f"Total sessions of {name}"))


def override_total(membership):
    override = TotalSessionsOverride.objects.filter(
        student=membership.student, school_class=membership.school_class
    ).first()
    return override and override.total_sessions


def test_click_type_enter_updates_the_rows_percentage_without_a_reload(live_server, page, maths):
    school_class, adams, young = maths
    open_list(page, live_server, school_class)
    row = page.locator(f"#membership-{adams.pk}")
    expect(row).to_contain_text("66.7%")

    button = total_button(row, "Ali Adams")
    expect(button).to_have_attribute("title", "Click to edit")
    button.click()
    field = row.get_by_role("textbox", name="Total sessions of Ali Adams", exact=True)
    expect(field).to_be_focused()
    expect(field).to_have_value("3")
    field.fill("10")
    with page.expect_request(lambda r: r.method == "POST") as sent:
        field.press("Enter")

    expect(row).to_contain_text("20.0%")
    expect(row).to_contain_text("10 (3 actual)")
    expect(field).to_have_count(0)
    expect(page.get_by_role("status")).to_contain_text("Total sessions updated for Ali Adams")
    assert page.evaluate(MARKER) == "same page"
    assert sent.value.headers.get("x-csrftoken")  # the token from <body hx-headers>
    assert override_total(adams) == 10


def test_escape_cancels_and_restores_the_total(live_server, page, maths):
    school_class, adams, young = maths
    open_list(page, live_server, school_class)
    row = page.locator(f"#membership-{adams.pk}")

    total_button(row, "Ali Adams").click()
    field = row.get_by_role("textbox", name="Total sessions of Ali Adams", exact=True)
    expect(field).to_be_focused()
    field.fill("99")
    field.press("Escape")

    expect(field).to_have_count(0)
    expect(total_button(row, "Ali Adams")).to_have_text("3")
    expect(row).to_contain_text("66.7%")
    expect(total_button(row, "Ali Adams")).to_be_focused()
    assert page.evaluate(MARKER) == "same page"
    assert override_total(adams) is None


def test_a_refused_total_shows_the_message_with_the_input_still_open(live_server, page, maths):
    school_class, adams, young = maths
    open_list(page, live_server, school_class)
    row = page.locator(f"#membership-{adams.pk}")

    total_button(row, "Ali Adams").click()
    field = row.get_by_role("textbox", name="Total sessions of Ali Adams", exact=True)
    expect(field).to_be_focused()
    field.fill("2")
    field.press("Enter")

    expect(row.get_by_role("alert")).to_have_text(
        "Total sessions cannot be less than actual records (3)"
    )
    expect(field).to_be_visible()
    expect(field).to_have_value("2")
    expect(field).to_be_focused()
    field.fill("x")
    field.press("Enter")
    expect(row.get_by_role("alert")).to_have_text("Must be a valid positive number")
    assert page.evaluate(MARKER) == "same page"
    assert override_total(adams) is None


def test_the_keyboard_opens_with_space_saves_and_lands_back_on_the_total(live_server, page, maths):
    school_class, adams, young = maths
    open_list(page, live_server, school_class)
    row = page.locator(f"#membership-{young.pk}")

    total_button(row, "Yara Young").focus()
    page.keyboard.press("Space")
    field = row.get_by_role("textbox", name="Total sessions of Yara Young", exact=True)
    expect(field).to_be_focused()
    page.keyboard.type("40")  # the value was selected, so typing replaces it
    page.keyboard.press("Enter")

    expect(total_button(row, "Yara Young")).to_have_text("40")
    expect(total_button(row, "Yara Young")).to_be_focused()
    expect(row).to_contain_text("0.0%")
    assert override_total(young) == 40


def test_use_actual_goes_back_to_the_records(live_server, page, maths):
    school_class, adams, young = maths
    TotalSessionsOverride.objects.create(
        school=school_class.school,
        student=adams.student,
        school_class=school_class,
        total_sessions=30,
    )
    open_list(page, live_server, school_class)
    row = page.locator(f"#membership-{adams.pk}")
    expect(row).to_contain_text("30 (3 actual)")

    total_button(row, "Ali Adams").click()
    row.get_by_role("button", name="Use actual (3)").click()

    expect(row).not_to_contain_text("actual)")
    expect(row).to_contain_text("66.7%")
    assert page.evaluate(MARKER) == "same page"
    # The row now also shows the to-date 66.7 % before the save lands: wait for the row to
    # be swapped, then give the live server's commit a moment before reading the database.
    for _ in range(50):
        if override_total(adams) is None:
            break
        page.wait_for_timeout(100)
    assert override_total(adams) is None


def test_bulk_update_end_to_end(live_server, page, maths):
    school_class, adams, young = maths
    open_list(page, live_server, school_class)

    page.get_by_text("Bulk Update Sessions").click()
    page.get_by_label("Total sessions for every student of Maths 9A").fill("2")
    page.get_by_role("button", name="Update All").click()

    # Ali Adams already has 3 records: refused before any confirmation, he is named, and
    # the lowest total that fits everyone is offered.
    alert = page.get_by_role("alert").filter(has_text="Nothing was changed")
    expect(alert).to_contain_text("Ali Adams")
    expect(alert).to_contain_text("Total sessions cannot be less than actual records (3)")
    expect(alert.get_by_role("button", name="Set 3 for all 2 students")).to_be_visible()
    expect(page.get_by_text("Set 2 total sessions for 2 students of Maths 9A?")).to_have_count(0)
    assert (override_total(adams), override_total(young)) == (None, None)

    page.get_by_label(re.compile("Try another total")).fill("60")
    page.get_by_role("button", name="Update All").click()
    page.get_by_role("button", name="Yes, set 60 for 2 students").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Total sessions updated: 60 for 2 students of Maths 9A."
    )
    # To date beside the planned figure (docs/design/total-sessions.md).
    expect(page.locator(f"#membership-{adams.pk}")).to_contain_text("60 (3 actual) 66.7% 3.3%")
    expect(page.locator(f"#membership-{young.pk}")).to_contain_text("60 (0 actual) — 0.0%")
    assert (override_total(adams), override_total(young)) == (60, 60)


def test_the_json_endpoint_works_from_the_page_with_its_csrf_token(live_server, page, maths):
    school_class, adams, young = maths
    open_list(page, live_server, school_class)
    body = json.dumps(
        {"student_id": adams.student_id, "class_id": school_class.pk, "total_sessions": 6}
    )

    statuses = page.evaluate(
        """async (body) => {
          const url = "/attendance/update-total-sessions/";
          const headers = {"Content-Type": "application/json"};
          const refused = await fetch(url, {method: "POST", headers, body});
          const token = JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
          const sent = await fetch(url, {
            method: "POST", headers: {...headers, "X-CSRFToken": token}, body,
          });
          return [refused.status, sent.status, await sent.json()];
        }""",
        body,
    )

    refused, sent, answer = statuses
    assert (refused, sent) == (403, 200)
    assert answer["percentage"] == 33.3 and answer["actual_sessions"] == 3
    assert override_total(adams) == 6
