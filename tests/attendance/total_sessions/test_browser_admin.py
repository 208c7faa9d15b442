"""A school admin edits student total sessions in place in the Django admin
(docs/design/total-sessions.md)."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from academics.models import Role
from attendance.models import Status, TotalSessionsOverride
from tests.academics.factories import (
    PASSWORD,
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory, TotalSessionsOverrideFactory


def total_with_records(school_class, first_name: str, last_name: str, *, total: int, records: int):
    student = UserFactory(
        school=school_class.school, role=Role.STUDENT, first_name=first_name, last_name=last_name
    )
    membership = MembershipFactory(
        student=student.student_profile,
        school_class=school_class,
        joined_on=datetime.date(2026, 9, 1),
    )
    for day in range(records):
        AttendanceRecordFactory(
            membership=membership,
            date=datetime.date(2026, 9, 2) + datetime.timedelta(days=day),
            period_number=1,
            status=Status.PRESENT if day % 2 else Status.ABSENT,
        )
    return TotalSessionsOverrideFactory(membership=membership, total_sessions=total)


@pytest.mark.browser
def test_a_school_admin_edits_a_total_inline_and_cancels_an_invalid_one(
    live_server, page, transactional_db
):
    school = SchoolFactory(name="Nile Academy")
    UserFactory(
        school=school, role=Role.ADMIN, username="office", first_name="Omar", last_name="Office"
    )
    maths = SchoolClassFactory(school=school, name="Maths 9A")
    ali = total_with_records(maths, "Ali", "Adams", total=40, records=2)
    bea = total_with_records(maths, "Bea", "Brown", total=30, records=3)

    page.goto(f"{live_server.url}/admin/")  # the one login page, then back to the admin
    page.get_by_label("Username").fill("office")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("link", name="Student total sessions").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Select student total sessions to change"
    )
    # Gone after a page load: proves the edits below happen in place.
    page.evaluate("window.noReload = true")

    # Click Ali's total, type over it, Enter.
    page.get_by_role("link", name="Total sessions of Ali Adams in Maths 9A: 40. Change").click()
    ali_input = page.get_by_role("textbox", name="Total sessions of Ali Adams in Maths 9A")
    expect(ali_input).to_be_focused()
    with page.expect_request(lambda r: r.method == "POST" and "/total-sessions/" in r.url) as sent:
        page.keyboard.type("45")
        page.keyboard.press("Enter")
    # htmx sent the CSRF token as the header, and only the total (not the change list's form).
    assert sent.value.headers.get("x-csrftoken")
    assert sent.value.post_data == "total_sessions=45"

    ali_row = page.get_by_role("row", name=re.compile("Ali Adams"))
    expect(ali_row.locator(f"#ts-total-{ali.pk}")).to_have_text("45")
    expect(ali_input).to_have_count(0)
    expect(ali_row.locator(f"#ts-updated-by-{ali.pk}")).to_have_text("Omar Office")
    assert page.evaluate("window.noReload") is True
    ali.refresh_from_db()
    assert ali.total_sessions == 45

    # Bea has 3 countable records: 1 is refused with the documented message, nothing saved.
    page.get_by_role("link", name="Total sessions of Bea Brown in Maths 9A: 30. Change").click()
    bea_input = page.get_by_role("textbox", name="Total sessions of Bea Brown in Maths 9A")
    expect(bea_input).to_be_focused()
    page.keyboard.type("1")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text(
        "Total sessions cannot be less than actual records (3)"
    )
    expect(bea_input).to_have_value("1")
    expect(bea_input).to_be_focused()
    page.keyboard.press("Escape")

    bea_cell = page.locator(f"#ts-total-{bea.pk}")
    expect(bea_cell).to_have_text("30")
    expect(bea_input).to_have_count(0)
    expect(page.get_by_role("alert")).to_have_count(0)
    assert page.evaluate("window.noReload") is True
    assert TotalSessionsOverride.objects.get(pk=bea.pk).total_sessions == 30
