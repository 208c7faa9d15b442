import datetime
import re

import pytest
from playwright.sync_api import expect

from academics.models import Role
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory
from tests.browser import sign_in


@pytest.mark.browser
def test_a_teacher_marks_a_student_absent_and_sees_the_percentage_drop(
    live_server, page, transactional_db
):
    school = SchoolFactory(name="Hill School")
    today = school.today()
    teacher = UserFactory(
        school=school, role=Role.TEACHER, username="rivera", first_name="Ana", last_name="Rivera"
    )
    school_class = SchoolClassFactory(school=school, name="Maths 9A")
    slot = TimetableSlotFactory(
        school_class=school_class,
        teacher=teacher,
        weekday=today.weekday(),
        period_number=2,
        valid_from=today - datetime.timedelta(days=14),
    )
    student = UserFactory(school=school, role=Role.STUDENT, first_name="Ali", last_name="Adams")
    membership = MembershipFactory(
        school_class=school_class,
        student=student.student_profile,
        joined_on=today - datetime.timedelta(days=14),
    )
    # Present in the same period last week: 1 of 1 so far.
    AttendanceRecordFactory(
        membership=membership,
        subject=slot.subject,
        period_number=2,
        slot=slot,
        date=today - datetime.timedelta(days=7),
    )

    sign_in(page, live_server, "rivera")

    expect(page.get_by_role("heading", name="My periods")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"Period 2 · Maths 9A")).click()

    expect(page.get_by_role("heading", name=re.compile("Maths 9A"))).to_contain_text("Period 2")
    row = page.get_by_role("row", name=re.compile("Ali Adams"))
    expect(row).to_contain_text("100.0%")
    expect(row.get_by_role("radio", name="Present")).to_be_checked()

    row.locator("label", has_text="Absent").click()
    expect(row.get_by_role("radio", name="Absent")).to_be_checked()
    page.get_by_role("button", name="Save attendance").click()

    expect(page.get_by_role("status")).to_contain_text("Saved attendance for 1 student")
    row = page.get_by_role("row", name=re.compile("Ali Adams"))
    expect(row).to_contain_text("50.0%")
    expect(row.get_by_role("radio", name="Absent")).to_be_checked()
    expect(page.locator("#saved-state")).to_contain_text(
        re.compile(r"Saved \d\d:\d\d by Ana Rivera · 1 of 1 students")
    )
