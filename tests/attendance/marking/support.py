"""Builders and page readers for the marking screen's rule tests."""

import datetime
import re

from django.urls import reverse

from academics.models import Role
from attendance.models import AttendanceRecord
from tests.academics.factories import (
    MembershipFactory,
    StaffProfileFactory,
    UserFactory,
)

MONDAY = datetime.date(2026, 9, 7)  # the factories' slots meet on Mondays from 17 Aug 2026


NEXT_MONDAY = MONDAY + datetime.timedelta(days=7)


WINDOW = 7  # the school's edit_window_days in these tests


def staff(school, role, department="", **names):
    user = UserFactory(school=school, role=role, **names)
    StaffProfileFactory(school=school, user=user, department=department)
    return user


def student_in(school_class, last_name, first_name="Sam", **membership):
    user = UserFactory(
        school=school_class.school, role=Role.STUDENT, last_name=last_name, first_name=first_name
    )
    return MembershipFactory(school_class=school_class, student=user.student_profile, **membership)


def mark_url(slot, day=MONDAY, **query):
    url = reverse("attendance:mark", kwargs={"slot_id": slot.pk, "day": day})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def field(membership):
    return f"status_{membership.student_id}"


def all_present(*memberships):
    return {field(m): "P" for m in memberships}


def radios(html, membership):
    """(value, checked, disabled) of each status button in a student's row."""
    start = html.index(f'id="student-{membership.student_id}"')
    row = html[start : html.index("</tr>", start)]
    return [
        (
            re.search(r'value="(\w+)"', tag).group(1),
            " checked" in tag,
            " disabled" in tag,
        )
        for tag in re.findall(r'<input type="radio"[^>]*>', row)
    ]


def row_html(html, membership):
    start = html.index(f'id="student-{membership.student_id}"')
    return html[start : html.index("</tr>", start)]


def checked(html, membership):
    return [value for value, is_checked, _ in radios(html, membership) if is_checked]


def statuses_in(slot, day):
    return dict(
        AttendanceRecord.objects.filter(
            school_class=slot.school_class, date=day, period_number=slot.period_number
        ).values_list("student_id", "status")
    )
