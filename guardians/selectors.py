"""Reads of the guardian pages: a guardian's children and, per child, what the student's
own pages show — gathered from each app's selectors, never recomputed here
(docs/manual/guardians.md).

A child is always reached through the guardian's own guardianships
(`academics.selectors.guardians.guardian_links`): another child of the school, or of
another school, is not in the queryset, so the views answer 404.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from academics.models import Guardianship, User
from academics.selectors.guardians import children_of, guardian_links
from attendance.models import AttendanceRecord
from attendance.selectors import visible_classes
from attendance.selectors.reports import ABSENCE_STATUSES, overall_percentages
from billing.selectors import owed_by_student
from credits.selectors import available_by_student


def child_links(*, user: User) -> QuerySet[Guardianship]:
    """The guardian's guardianships with each child and their user, by the child's name."""
    return (
        guardian_links(user=user)
        .select_related("student__user")
        .order_by("student__user__last_name", "student__user__first_name", "student_id")
    )


def child_link(*, user: User, student_id: int) -> Guardianship | None:
    """The guardian's guardianship of student `student_id`, with the student and their
    user; None when `student_id` is not one of their children (any school). One query."""
    return child_links(user=user).filter(student_id=student_id).first()


@dataclass
class ChildSummary:
    """One line of "My children"."""

    link: Guardianship
    today: list[AttendanceRecord] = field(default_factory=list)
    percentage: Decimal | None = None
    owed: Decimal = Decimal("0")
    credits_available: int = 0

    @property
    def student(self):
        return self.link.student

    @property
    def absent_today(self) -> bool:
        return any(record.status in ABSENCE_STATUSES for record in self.today)


def children_overview(*, user: User, today: datetime.date) -> list[ChildSummary]:
    """Every child of the guardian `user` with today's marks (school-local `today`), their
    whole-course percentage (attendance's `overall_percentages`), what is still owed
    (billing's `owed_by_student`) and their available make-up credits (credits'
    `available_by_student`).

    Queries: five, whatever the number of children (the links, today's records, the
    percentages, the money, the credits)."""
    links = list(child_links(user=user))
    if not links:
        return []
    students = children_of(user=user)
    classes = visible_classes(user=user)
    rows = {link.student_id: ChildSummary(link=link) for link in links}
    records = (
        AttendanceRecord.objects.filter(
            school_id=user.school_id,
            student__in=students,
            school_class__in=classes,
            date=today,
            is_orphaned=False,
        )
        .select_related("subject")
        .order_by("period_number")
    )
    for record in records:
        rows[record.student_id].today.append(record)
    for student_id, percentage in overall_percentages(students=students, classes=classes).items():
        rows[student_id].percentage = percentage
    for student_id, owed in owed_by_student(students=students).items():
        rows[student_id].owed = owed
    for student_id, available in available_by_student(students=students).items():
        rows[student_id].credits_available = available
    return list(rows.values())
