import datetime

import factory
from factory.django import DjangoModelFactory

from attendance.models import AttendanceRecord, Status, TotalSessionsOverride
from tests.academics.factories import MembershipFactory


class AttendanceRecordFactory(DjangoModelFactory):
    """A record for a membership's student in that membership's class."""

    class Meta:
        model = AttendanceRecord
        exclude = ["membership"]

    membership = factory.SubFactory(MembershipFactory)
    student = factory.SelfAttribute("membership.student")
    school_class = factory.SelfAttribute("membership.school_class")
    school = factory.SelfAttribute("school_class.school")
    subject = factory.SelfAttribute("school_class.subject")
    date = datetime.date(2026, 9, 7)
    period_number = factory.Sequence(lambda n: n % 9 + 1)
    status = Status.PRESENT


class TotalSessionsOverrideFactory(DjangoModelFactory):
    class Meta:
        model = TotalSessionsOverride
        exclude = ["membership"]

    membership = factory.SubFactory(MembershipFactory)
    student = factory.SelfAttribute("membership.student")
    school_class = factory.SelfAttribute("membership.school_class")
    school = factory.SelfAttribute("school_class.school")
    total_sessions = 10
