"""Fixtures for the report pages' tests: a fixed today and a Maths class."""

import pytest

from academics.models import Role, School
from tests.academics.factories import (
    SchoolClassFactory,
    SchoolFactory,
    TimetableSlotFactory,
    UserFactory,
)

from .support import (
    TODAY,
    student_in,
)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(School, "today", lambda self: TODAY)


@pytest.fixture
def maths():
    """Maths 9A meets on Mondays in period 3 with Ms Rivera; Adams and Young."""
    school = SchoolFactory(name="Hill School")
    teacher = UserFactory(school=school, role=Role.TEACHER, last_name="Rivera")
    school_class = SchoolClassFactory(school=school, name="Maths 9A", code="MTH-9A")
    slot = TimetableSlotFactory(school_class=school_class, teacher=teacher, period_number=3)
    return slot, student_in(school_class, "Adams", "Ali"), student_in(school_class, "Young", "Yara")
