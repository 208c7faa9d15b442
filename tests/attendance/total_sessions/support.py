"""Builders and helpers for the attendance list's total-sessions tests."""

import datetime
import re

from django.urls import reverse

from academics.models import Role
from attendance.models import TotalSessionsOverride
from tests.academics.factories import (
    MembershipFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory

BELOW_ACTUAL = "Total sessions cannot be less than actual records"


NOT_A_NUMBER = "Must be a valid positive number"


HTMX = {"HX-Request": "true"}


def student_in(school_class, last_name, first_name="Sam"):
    user = UserFactory(
        school=school_class.school, role=Role.STUDENT, last_name=last_name, first_name=first_name
    )
    return MembershipFactory(school_class=school_class, student=user.student_profile)


def give_records(membership, *statuses):
    for n, status in enumerate(statuses):
        AttendanceRecordFactory(
            membership=membership,
            status=status,
            date=datetime.date(2026, 9, 7) + datetime.timedelta(days=n // 8),
            period_number=n % 8 + 1,
        )


def edit_url(membership):
    return reverse("attendance:edit_total_sessions", args=[membership.pk])


def clear_url(membership):
    return reverse("attendance:clear_total_sessions", args=[membership.pk])


def row_url(membership):
    return reverse("attendance:total_sessions_row", args=[membership.pk])


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def override_of(membership):
    return TotalSessionsOverride.objects.filter(
        student=membership.student, school_class=membership.school_class
    ).first()
