"""A family for the notification tests: Hill School (Cairo time, notices at 12:00), Maths
9A meeting in periods 1 and 3 on Mondays, Yara Young in it, her mother Mona (email) and
her father Fady (email); and the clock on Monday 7 September 2026, 08:00 in Cairo."""

import datetime
import zoneinfo
from dataclasses import dataclass

import pytest

from academics.models import Guardianship, Role, StudentProfile, User
from attendance.models import Status
from attendance.services import mark_attendance
from tests.academics.factories import (
    SchoolClassFactory,
    SchoolFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.marking.support import MONDAY, staff, student_in
from tests.mailqueue import queued_mail  # noqa: F401  (fixture)

CAIRO = zoneinfo.ZoneInfo("Africa/Cairo")


def at(hour, minute=0, day=MONDAY):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=CAIRO)


def guardian_of(student: StudentProfile, first_name: str, email: str, **flags) -> User:
    user = UserFactory(
        school=student.school,
        role=Role.GUARDIAN,
        first_name=first_name,
        last_name=student.user.last_name,
        email=email,
    )
    profile = user.guardian_profile  # made when a guardian user is saved
    for name, value in flags.items():
        setattr(profile, name, value)
    if flags:
        profile.save()
    Guardianship.objects.create(
        school=student.school, guardian=profile, student=student, relationship="parent"
    )
    return user


@dataclass
class Family:
    school: object
    first: object  # period 1 slot
    third: object  # period 3 slot
    student: StudentProfile
    other: StudentProfile  # a classmate with no guardian
    mother: User
    father: User

    def mark(self, slot, status, reason="", student=None):
        student = student or self.student
        return mark_attendance(
            slot=slot,
            day=MONDAY,
            statuses={student.pk: status},
            actor=slot.teacher,
            reason=reason,
        )


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(at(8), tick=False)
    return time_machine


@pytest.fixture
def family(clock, db) -> Family:
    school = SchoolFactory(name="Hill School", timezone="Africa/Cairo", currency="EGP")
    teacher = staff(school, Role.TEACHER, "Mathematics", first_name="Ana", last_name="Rivera")
    maths = SchoolClassFactory(school=school, name="Maths 9A")
    first = TimetableSlotFactory(school_class=maths, teacher=teacher, period_number=1)
    third = TimetableSlotFactory(school_class=maths, teacher=teacher, period_number=3)
    student = student_in(maths, "Young", "Yara").student
    other = student_in(maths, "Adams", "Ali").student
    mother = guardian_of(student, "Mona", "mona@example.com")
    father = guardian_of(student, "Fady", "fady@example.com")
    return Family(school, first, third, student, other, mother, father)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for a commit (the receivers, the enqueueing) inside a `db` test."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


__all__ = ["Status", "at", "guardian_of"]
