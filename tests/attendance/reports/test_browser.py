import datetime
import re

import pytest
from playwright.sync_api import expect

from academics.models import Role
from attendance.models import Status
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
def test_a_teacher_opens_a_register_and_steps_into_a_students_weekly_report(
    live_server, page, transactional_db
):
    school = SchoolFactory(name="Hill School")
    today = school.today()
    last_week = today - datetime.timedelta(days=7)
    UserFactory(school=school, role=Role.TEACHER, username="rivera", last_name="Rivera")
    teacher = school.users.get(username="rivera")
    school_class = SchoolClassFactory(school=school, name="Maths 9A")
    slot = TimetableSlotFactory(
        school_class=school_class,
        teacher=teacher,
        weekday=last_week.weekday(),
        period_number=2,
        valid_from=today - datetime.timedelta(days=60),
    )
    student = UserFactory(school=school, role=Role.STUDENT, first_name="Ali", last_name="Adams")
    membership = MembershipFactory(
        school_class=school_class,
        student=student.student_profile,
        joined_on=today - datetime.timedelta(days=60),
    )
    AttendanceRecordFactory(
        membership=membership,
        subject=slot.subject,
        period_number=2,
        date=last_week,
        status=Status.ABSENT,
    )

    sign_in(page, live_server, "rivera")
    page.get_by_role("link", name="Registers").click()
    page.get_by_label("Class", exact=True).select_option(label="Maths 9A")
    month = last_week.replace(day=1)
    page.get_by_label("Month", exact=True).fill(f"{month:%Y-%m}")
    page.get_by_role("button", name="Show").click()

    row = page.get_by_role("row", name=re.compile("Ali Adams"))
    expect(row).to_contain_text("0.0%")
    expect(row).to_contain_text("below 75%")
    expect(page.get_by_role("img", name="Weekly attendance of Maths 9A")).to_be_visible()

    row.get_by_role("link", name="Ali Adams").click()
    expect(page.get_by_role("heading", name="Attendance of Ali Adams")).to_be_visible()
    switcher = page.get_by_role("navigation", name="Report period")
    switcher.get_by_role("link", name="Day").click()
    expect(switcher.get_by_role("link", name="Day")).to_have_attribute("aria-current", "page")
    page.get_by_label("Date", exact=True).fill(last_week.isoformat())
    page.get_by_role("button", name="Show").click()

    periods = page.locator("table.day-periods")
    expect(periods).to_contain_text("Maths 9A")
    expect(periods).to_contain_text("Absent")
    switcher.get_by_role("link", name="Week").click()
    expect(page.get_by_role("heading", name=re.compile("^Week of"))).to_be_visible()
    expect(page.locator(".report-table tfoot")).to_contain_text("0.0%")
