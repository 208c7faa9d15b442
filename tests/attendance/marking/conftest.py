"""Fixtures for the marking tests: a fixed school today and one period to mark."""

import datetime

import pytest

from academics.models import Role, School
from attendance.models import Status
from attendance.services import mark_attendance
from tests.academics.factories import (
    SchoolClassFactory,
    SchoolFactory,
    TimetableSlotFactory,
)

from .support import (
    MONDAY,
    WINDOW,
    staff,
    student_in,
)


@pytest.fixture
def today(monkeypatch):
    """Set every school's today (school-local): `today.set(date)`; MONDAY to begin with."""

    class Today:
        value = MONDAY

        def set(self, value: datetime.date) -> None:
            self.value = value

    clock = Today()
    monkeypatch.setattr(School, "today", lambda school: clock.value)
    return clock


@pytest.fixture
def period(today):
    """Maths 9A, period 3 on Mondays, taught by Ms Rivera (Mathematics), two students."""
    school = SchoolFactory(name="Hill School", edit_window_days=WINDOW)
    teacher = staff(school, Role.TEACHER, "Mathematics", first_name="Ana", last_name="Rivera")
    school_class = SchoolClassFactory(school=school, name="Maths 9A")
    slot = TimetableSlotFactory(school_class=school_class, teacher=teacher, period_number=3)
    adams = student_in(school_class, "Adams", "Ali")
    young = student_in(school_class, "Young", "Yara")
    return slot, adams, young


@pytest.fixture
def marked_period(period):
    """The period as marked on the day by its teacher: Adams present, Young absent."""
    slot, adams, young = period
    mark_attendance(
        slot=slot,
        day=MONDAY,
        statuses={adams.student_id: Status.PRESENT, young.student_id: Status.ABSENT},
        actor=slot.teacher,
        today=MONDAY,
    )
    return period
