"""The school every staff-absence test starts from, and helpers to read its pages."""

import datetime
import re

from django.urls import reverse

from academics.models import Role
from attendance.models import AttendanceRecord, Status
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    TimetableSlotFactory,
    UserFactory,
)

DAY = datetime.timedelta(days=1)


def student_in(school_class, last_name, first_name="Sam", **membership):
    user = UserFactory(
        school=school_class.school, role=Role.STUDENT, last_name=last_name, first_name=first_name
    )
    membership.setdefault("joined_on", datetime.date(2026, 8, 17))
    return MembershipFactory(school_class=school_class, student=user.student_profile, **membership)


class Setting:
    """Hill School yesterday (school-local): Ms Rivera teaches Maths 9A in periods 2 and 4
    and Maths 9B in period 3; Mr Okafor advises 9A, Ms Baker 9B; Mr Chen can substitute."""

    def __init__(self):
        self.school = SchoolFactory(name="Hill School")
        self.today = self.school.today()
        self.day = self.today - DAY
        school = self.school
        self.hod = UserFactory(school=school, role=Role.HOD, first_name="Hana", last_name="Hod")
        self.admin = UserFactory(school=school, role=Role.ADMIN)
        self.teacher = UserFactory(
            school=school, role=Role.TEACHER, first_name="Ana", last_name="Rivera"
        )
        self.advisor = UserFactory(
            school=school, role=Role.TEACHER, first_name="Obi", last_name="Okafor"
        )
        self.other_advisor = UserFactory(
            school=school, role=Role.TEACHER, first_name="Bea", last_name="Baker"
        )
        self.substitute = UserFactory(
            school=school, role=Role.TEACHER, first_name="Chi", last_name="Chen"
        )
        self.maths_a = SchoolClassFactory(school=school, name="Maths 9A", advisor=self.advisor)
        self.maths_b = SchoolClassFactory(
            school=school, name="Maths 9B", advisor=self.other_advisor
        )
        slot = dict(
            teacher=self.teacher, weekday=self.day.weekday(), valid_from=self.day - 60 * DAY
        )
        self.p2 = TimetableSlotFactory(school_class=self.maths_a, period_number=2, **slot)
        self.p3 = TimetableSlotFactory(school_class=self.maths_b, period_number=3, **slot)
        self.p4 = TimetableSlotFactory(
            school_class=self.maths_a, subject=self.p2.subject, period_number=4, **slot
        )
        self.adams = student_in(self.maths_a, "Adams", "Ali")
        self.young = student_in(self.maths_a, "Young", "Yara")
        # Not on the roster that day: left the week before, joins the day after.
        student_in(self.maths_a, "Gone", joined_on=self.day - 30 * DAY, left_on=self.day - 7 * DAY)
        student_in(self.maths_a, "Later", joined_on=self.day + DAY)
        self.baker = student_in(self.maths_b, "Brown", "Ben")

    def absence_form(self, **overrides):
        data = {
            "teacher": self.teacher.pk,
            "date": self.day.isoformat(),
            "periods": [2, 3],
            "substitute": "",
            "reason": "Sick",
        }
        data.update(overrides)
        return data

    def sa_records(self, **filters):
        return AttendanceRecord.objects.filter(status=Status.STAFF_ABSENT, **filters)


def mark_url(slot, day):
    return reverse("attendance:mark", kwargs={"slot_id": slot.pk, "day": day})


def text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def to_resolve_rows(html):
    """(period, class) of each period listed on "Periods to resolve", in order."""
    items = re.findall(r"<li>(.*?)</li>", html.split('class="periods sa-to-resolve"')[1], re.S)
    return [re.match(r".*?Period (\d) · (.+?) ·", text_of(item)).groups() for item in items]
