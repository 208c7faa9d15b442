import datetime
import re

import pytest
from playwright.sync_api import expect

from academics.models import Role
from attendance.models import AttendanceRecord, Status
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.browser import sign_in


@pytest.mark.browser
def test_an_hod_marks_a_teacher_absent_and_the_advisor_resolves_the_period(
    live_server, page, transactional_db
):
    school = SchoolFactory(name="Hill School")
    yesterday = school.today() - datetime.timedelta(days=1)
    UserFactory(school=school, role=Role.HOD, username="hana", first_name="Hana", last_name="Hod")
    teacher = UserFactory(
        school=school, role=Role.TEACHER, username="rivera", first_name="Ana", last_name="Rivera"
    )
    advisor = UserFactory(
        school=school, role=Role.TEACHER, username="okafor", first_name="Obi", last_name="Okafor"
    )
    school_class = SchoolClassFactory(school=school, name="Maths 9A", advisor=advisor)
    slots = {
        period: TimetableSlotFactory(
            school_class=school_class,
            subject=school_class.subject,
            teacher=teacher,
            weekday=yesterday.weekday(),
            period_number=period,
            valid_from=yesterday - datetime.timedelta(days=30),
        )
        for period in (2, 4)
    }
    for first, last in (("Ali", "Adams"), ("Yara", "Young")):
        student = UserFactory(school=school, role=Role.STUDENT, first_name=first, last_name=last)
        MembershipFactory(
            school_class=school_class,
            student=student.student_profile,
            joined_on=yesterday - datetime.timedelta(days=30),
        )

    # The hod marks Ms Rivera absent for period 2 yesterday.
    sign_in(page, live_server, "hana")
    page.get_by_role("link", name="Staff absence").click()
    expect(page.get_by_role("heading", name="Staff absence", exact=True)).to_be_visible()
    page.get_by_label("Teacher").select_option(label="Ana Rivera")
    page.get_by_label("Date").fill(yesterday.isoformat())
    # The teacher's periods that day arrive by htmx.
    period_2 = page.get_by_label(re.compile(r"Period 2 · Maths 9A"))
    expect(period_2).to_be_visible()
    expect(page.get_by_label(re.compile(r"Period 4 · Maths 9A"))).to_be_visible()
    period_2.check()
    page.get_by_label("Reason").fill("Sick")
    page.get_by_role("button", name="Mark absent").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Marked Ana Rivera absent on " + yesterday.strftime("%A %-d %B %Y") + ", period 2."
    )
    recent = page.locator("#recent-absences + .table-scroll table")
    expect(recent).to_contain_text("resolved 0 of 2")
    assert AttendanceRecord.objects.filter(status=Status.STAFF_ABSENT).count() == 2
    page.get_by_role("button", name="Sign out").click()

    # The advisor resolves it.
    sign_in(page, live_server, "okafor")
    page.get_by_role("link", name="Periods to resolve", exact=True).click()
    period_link = page.get_by_role("link", name=re.compile(r"Period 2 · Maths 9A"))
    expect(period_link).to_contain_text("2 to resolve")
    expect(page.get_by_role("link", name=re.compile(r"Period 4"))).to_have_count(0)
    period_link.click()

    expect(page.get_by_role("heading", name=re.compile("Maths 9A"))).to_contain_text("Period 2")
    adams = page.get_by_role("row", name=re.compile("Ali Adams"))
    young = page.get_by_role("row", name=re.compile("Yara Young"))
    # The buttons are labels around a hidden radio; "Staff absent" is a button too.
    adams.locator("label").filter(has=page.get_by_text("Present", exact=True)).click()
    young.locator("label").filter(has=page.get_by_text("Absent", exact=True)).click()
    expect(adams.get_by_role("radio", name="Present", exact=True)).to_be_checked()
    expect(young.get_by_role("radio", name="Absent", exact=True)).to_be_checked()
    page.get_by_role("button", name="Save attendance").click()

    expect(page.get_by_role("status")).to_contain_text("Saved attendance for 2 students")
    assert dict(
        AttendanceRecord.objects.filter(slot=slots[2]).values_list(
            "student__user__last_name", "status"
        )
    ) == {"Adams": Status.PRESENT, "Young": Status.ABSENT}

    page.get_by_role("link", name="← Periods to resolve").click()  # back where they came from
    expect(page.get_by_text("Nothing to resolve")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"Period 2 · Maths 9A"))).to_have_count(0)
