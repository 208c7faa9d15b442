"""The marking screen in a real browser, driven from the keyboard."""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from academics.models import Role, School
from tests.academics.factories import (
    PASSWORD,
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory

MONDAY = datetime.date(2026, 9, 7)


@pytest.fixture
def period(transactional_db, monkeypatch):
    """Maths 9A, period 2 on Mondays, taught by Ana Rivera; today is MONDAY for the school
    (the live server runs in this process, so the patch reaches it). Adams was present
    last Monday: 1 of 1 so far."""
    monkeypatch.setattr(School, "today", lambda school: MONDAY)
    school = SchoolFactory(name="Hill School")
    teacher = UserFactory(
        school=school, role=Role.TEACHER, username="rivera", first_name="Ana", last_name="Rivera"
    )
    school_class = SchoolClassFactory(school=school, name="Maths 9A")
    slot = TimetableSlotFactory(school_class=school_class, teacher=teacher, period_number=2)
    memberships = []
    for first, last in (("Ali", "Adams"), ("Bea", "Baker"), ("Yara", "Young")):
        student = UserFactory(school=school, role=Role.STUDENT, first_name=first, last_name=last)
        memberships.append(
            MembershipFactory(school_class=school_class, student=student.student_profile)
        )
    AttendanceRecordFactory(
        membership=memberships[0],
        subject=slot.subject,
        period_number=2,
        slot=slot,
        date=MONDAY - datetime.timedelta(days=7),
    )
    return slot


def sign_in_and_open(page, live_server, slot):
    page.goto(f"{live_server.url}{reverse('login')}")
    page.get_by_label("Username").fill("rivera")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="My periods")).to_be_visible()
    page.goto(
        live_server.url + reverse("attendance:mark", kwargs={"slot_id": slot.pk, "day": MONDAY})
    )


def row(page, name):
    return page.get_by_role("row", name=re.compile(name))


def expect_counts(page, **counts):
    for code, count in counts.items():
        expect(page.locator(f'#tally [data-status="{code}"] strong')).to_have_text(str(count))


@pytest.mark.browser
def test_a_teacher_marks_the_period_with_the_keyboard_only(live_server, page, period):
    sign_in_and_open(page, live_server, period)
    expect(row(page, "Ali Adams")).to_contain_text("100.0%")
    expect_counts(page, P=3, A=0, IL=0)

    row(page, "Ali Adams").get_by_role("radio", name="Present", exact=True).focus()
    page.keyboard.press("2")  # Absent, and on to Bea Baker
    expect(row(page, "Bea Baker").get_by_role("radio", name="Present", exact=True)).to_be_focused()
    page.keyboard.press("ArrowDown")  # to Yara Young, her status unchanged
    expect(row(page, "Yara Young").get_by_role("radio", name="Present", exact=True)).to_be_focused()
    page.keyboard.press("3")  # Informed leave

    expect(row(page, "Ali Adams").get_by_role("radio", name="Absent", exact=True)).to_be_checked()
    expect(row(page, "Bea Baker").get_by_role("radio", name="Present", exact=True)).to_be_checked()
    expect(
        row(page, "Yara Young").get_by_role("radio", name="Informed leave", exact=True)
    ).to_be_checked()
    expect_counts(page, P=1, A=1, IL=1)
    expect(page.locator("#saved-state")).to_have_text("Unsaved changes")

    # Left/Right are the radios' own: Young goes from IL to UL and back.
    page.keyboard.press("ArrowRight")
    expect(
        row(page, "Yara Young").get_by_role("radio", name="Uninformed leave", exact=True)
    ).to_be_checked()
    expect_counts(page, IL=0, UL=1)
    page.keyboard.press("ArrowLeft")
    expect_counts(page, IL=1, UL=0)

    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(row(page, "Ali Adams").get_by_role("radio", name="Absent", exact=True)).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="Mark all present")).to_be_focused()
    page.keyboard.press("Enter")
    expect_counts(page, P=3, A=0, IL=0)
    expect(row(page, "Yara Young").get_by_role("radio", name="Present", exact=True)).to_be_checked()

    page.keyboard.press("Tab")  # back into the roster, on Ali Adams
    expect(row(page, "Ali Adams").get_by_role("radio", name="Present", exact=True)).to_be_focused()
    page.keyboard.press("2")
    expect_counts(page, P=2, A=1)
    page.keyboard.press("Enter")  # saves

    expect(page.locator(".messages")).to_contain_text("Saved attendance for 3 students")
    expect(page.locator("#saved-state")).to_contain_text(
        re.compile(r"Saved (\d+ \w+, )?\d\d:\d\d by Ana Rivera · 3 of 3 students")
    )
    expect(row(page, "Ali Adams")).to_contain_text("50.0%")
    expect(row(page, "Ali Adams").get_by_role("radio", name="Absent", exact=True)).to_be_checked()
    expect(row(page, "Bea Baker")).to_contain_text("100.0%")
    expect_counts(page, P=2, A=1)


@pytest.mark.browser
def test_leaving_with_unsaved_changes_asks_first(live_server, page, period):
    sign_in_and_open(page, live_server, period)
    dialogs = []

    def dismiss(dialog):
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    row(page, "Ali Adams").get_by_role("radio", name="Present", exact=True).focus()
    page.keyboard.press("2")
    page.get_by_role("link", name=re.compile("Periods on")).click()

    expect(page.locator("#saved-state")).to_have_text("Unsaved changes")
    assert dialogs == ["beforeunload"]
    expect(page).to_have_url(re.compile(r"/periods/\d+/2026-09-07/$"))


@pytest.mark.browser
def test_a_locked_period_counts_what_is_saved(live_server, page, period):
    """Past the edit window the radios are disabled; the counts still show the saved roll."""
    locked_day = MONDAY - datetime.timedelta(days=14)
    for membership in period.school_class.memberships.all():
        AttendanceRecordFactory(
            membership=membership,
            subject=period.subject,
            period_number=period.period_number,
            slot=period,
            date=locked_day,
        )
    sign_in_and_open(page, live_server, period)
    page.goto(
        live_server.url
        + reverse("attendance:mark", kwargs={"slot_id": period.pk, "day": locked_day})
    )

    expect(page.locator("#locked")).to_be_visible()
    expect_counts(page, P=3, A=0, IL=0, UL=0, OD=0, SU=0)
