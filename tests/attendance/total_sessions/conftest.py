"""Fixtures for the total-sessions tests (docs/design/total-sessions.md)."""

import pytest

from academics.models import Role
from attendance.models import Status
from tests.academics.factories import (
    SchoolClassFactory,
    SchoolFactory,
    TimetableSlotFactory,
    UserFactory,
)

from .support import give_records, student_in


@pytest.fixture
def maths():
    """Maths 9A taught by Ms Rivera: Ali Adams has 3 countable records (2 present, one OD
    that does not count), Yara Young none."""
    school = SchoolFactory(name="Hill School")
    teacher = UserFactory(school=school, role=Role.TEACHER, first_name="Ana", last_name="Rivera")
    school_class = SchoolClassFactory(school=school, name="Maths 9A")
    TimetableSlotFactory(school_class=school_class, teacher=teacher)
    adams = student_in(school_class, "Adams", "Ali")
    young = student_in(school_class, "Young", "Yara")
    give_records(adams, Status.PRESENT, Status.PRESENT, Status.ABSENT, Status.ON_DUTY)
    return school_class, teacher, adams, young
