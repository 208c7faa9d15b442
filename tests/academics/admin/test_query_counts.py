"""The Django admin's change lists don't run a query per row."""

import pytest

from academics.models import (
    AcademicYear,
    Enrollment,
    Grade,
    School,
    SchoolClass,
    Section,
    TimetableSlot,
    User,
)
from attendance.models import AttendanceRecord
from tests.academics.factories import EnrollmentFactory, MembershipFactory, StudentProfileFactory
from tests.attendance.factories import AttendanceRecordFactory

from .helpers import change_list_rows, url

pytestmark = pytest.mark.django_db


# --- query counts ------------------------------------------------------------------------


def add_attendance(rows: dict, count: int) -> None:
    membership_kwargs = {"school_class": rows[SchoolClass]}
    for _ in range(count):
        AttendanceRecordFactory(
            membership=MembershipFactory(**membership_kwargs),
            slot=rows[TimetableSlot],
            period_number=rows[TimetableSlot].period_number,
            marked_by=rows[User],
            modified_by=rows[User],
        )


@pytest.mark.parametrize("extra_rows", [0, 12])
def test_attendance_change_list_queries_do_not_grow_with_rows(
    client, school_admin, rows, django_assert_num_queries, extra_rows
):
    add_attendance(rows, extra_rows)
    client.force_login(school_admin)
    # 1 session, 2 user, 3 subject filter choices, 4 count, 5-6 user and group permissions
    # (the sidebar asks Django's own Group admin), 7 the page of records with student+user,
    # class, subject, marked_by, modified_by and school joined in, 8-9 date hierarchy
    # (min/max, then the days). No full count: show_full_result_count is off.
    with django_assert_num_queries(9):
        response = client.get(url(AttendanceRecord, "changelist"))
    assert len(change_list_rows(response)) == 1 + extra_rows


@pytest.mark.parametrize("extra_rows", [0, 12])
def test_enrollment_change_list_queries_do_not_grow_with_rows(
    client, school_admin, rows, django_assert_num_queries, extra_rows
):
    for roll_number in range(2, 2 + extra_rows):
        EnrollmentFactory(
            student=StudentProfileFactory(school=rows[School]),
            academic_year=rows[AcademicYear],
            grade=rows[Grade],
            school_class=rows[SchoolClass],
            section=rows[Section],
            roll_number=roll_number,
        )
    client.force_login(school_admin)
    # 1 session, 2 user, 3-4 academic-year and grade filter choices, 5-6 filtered and full
    # count, 7-8 user and group permissions (the sidebar asks Django's own Group admin),
    # 9 the page with student+user, year, grade, class, section+class and school joined in,
    # 10-11 date hierarchy (min/max, then the days).
    with django_assert_num_queries(11):
        response = client.get(url(Enrollment, "changelist"))
    assert len(change_list_rows(response)) == 1 + extra_rows
