"""The seed's test workflow (docs/design/billing.md, "Testing"), shared by the billing tests.

Group "Math Level 1" (MTH-L1-A) at 100 EGP a session, three students, three sessions in
October 2025:

    Session 1 (Oct 6):  s1 P, s2 P, s3 A
    Session 2 (Oct 13): s1 P, s2 A, s3 P
    Session 3 (Oct 20): s1 P, s2 P, s3 P

Expected bills: s1 300, s2 200, s3 200, total 700.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from academics.models import Role, SchoolClass, StudentProfile, Subject, User
from attendance.models import AttendanceRecord, Status
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    StudentProfileFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory

OCTOBER = (datetime.date(2025, 10, 1), datetime.date(2025, 10, 31))
SESSION_DAYS = [
    datetime.date(2025, 10, 6),
    datetime.date(2025, 10, 13),
    datetime.date(2025, 10, 20),
]
MARKS = {  # student index → status per session
    0: "PPP",
    1: "PAP",
    2: "APP",
}


@dataclass
class SeedGroup:
    school: object
    group: SchoolClass
    students: list[StudentProfile]
    accountant: User
    admin: User
    records: dict[tuple[int, int], AttendanceRecord]  # (student index, session index)

    def record(self, student: int, session: int) -> AttendanceRecord:
        return self.records[(student, session)]

    def mark(self, student: int, day: datetime.date, status: str = Status.PRESENT, period=1):
        membership = self.group.memberships.get(student=self.students[student])
        return AttendanceRecordFactory(
            membership=membership, date=day, period_number=period, status=status
        )


def make_seed_group(
    school=None, *, price=Decimal("100"), name="Math Level 1", code="MTH-L1-A"
) -> SeedGroup:
    """The seed's group, students and marks; call again with another `name`/`code` for a
    second group in the same school (its students and staff are new people)."""
    school = school or SchoolFactory(name="Nile Academy", currency="EGP", code="NILE")
    subject, _ = Subject.objects.get_or_create(school=school, name="Mathematics")
    group = SchoolClassFactory(
        school=school, name=name, code=code, price_per_session=price, subject=subject
    )
    tag = f"{school.pk}-{code}"
    names = [("Ahmed", "Mohamed"), ("Sara", "Hassan"), ("Mohamed", "Ali")]
    students = []
    for index, (first, last) in enumerate(names):
        user = UserFactory(
            school=school,
            role=Role.STUDENT,
            first_name=first,
            last_name=last,
            username=f"{tag}-student{index}",
            email=f"{first.lower()}{index}@example.com",
        )
        students.append(
            StudentProfileFactory(
                school=school, user=user, student_number=f"STD-2025-00{index + 1}"
            )
        )
    records = {}
    for index, student in enumerate(students):
        membership = MembershipFactory(
            school_class=group, student=student, joined_on=datetime.date(2025, 9, 1)
        )
        for session, (day, status) in enumerate(zip(SESSION_DAYS, MARKS[index], strict=True)):
            records[(index, session)] = AttendanceRecordFactory(
                membership=membership, date=day, period_number=1, status=status
            )
    accountant = UserFactory(school=school, role=Role.ACCOUNTANT, username=f"{tag}-accountant")
    admin = UserFactory(school=school, role=Role.ADMIN, username=f"{tag}-admin")
    return SeedGroup(school, group, students, accountant, admin, records)


@pytest.fixture
def seed(db) -> SeedGroup:
    return make_seed_group()
