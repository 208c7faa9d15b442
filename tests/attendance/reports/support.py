"""Builders for the report selectors' tests, and the status table of docs/design/attendance.md."""

import datetime

from academics.models import Role
from attendance.models import Status
from tests.academics.factories import (
    MembershipFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory

MONDAY = datetime.date(2026, 9, 7)  # the factories' slots meet on Mondays from 17 Aug 2026


DAY = datetime.timedelta(days=1)


WEEK = datetime.timedelta(days=7)


SEPTEMBER = (datetime.date(2026, 9, 1), datetime.date(2026, 9, 30))


# The status table of docs/design/attendance.md: (present, countable) a status adds on top of one P
# record.
SEED_001 = {
    Status.PRESENT: (2, 2),
    Status.ABSENT: (1, 2),
    Status.INFORMED_LEAVE: (1, 2),
    Status.UNINFORMED_LEAVE: (1, 2),
    Status.ON_DUTY: (1, 1),
    Status.STAFF_ABSENT: (1, 1),  # unresolved SA is treated as NM
    Status.SUSPENDED: (1, 1),
    Status.NOT_MARKED: (1, 1),
    Status.HOLIDAY: (1, 1),
}


def student_in(school_class, last_name, first_name="Sam", **membership):
    user = UserFactory(
        school=school_class.school, role=Role.STUDENT, last_name=last_name, first_name=first_name
    )
    return MembershipFactory(school_class=school_class, student=user.student_profile, **membership)


def record(membership, status, *, day=MONDAY, period_number=1, **kwargs):
    return AttendanceRecordFactory(
        membership=membership, status=status, date=day, period_number=period_number, **kwargs
    )
