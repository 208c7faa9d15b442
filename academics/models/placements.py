"""Where students sit: a year's enrollment and the memberships of teaching groups."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import F, Q

from .base import Stamped, unique_source_id
from .people import StudentProfile
from .school import School
from .structure import AcademicYear, Grade, SchoolClass, Section


class Enrollment(Stamped):
    """Where a student is placed for one academic year (docs/design/promotion.md)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        RETAINED = "retained", "Retained"
        PROMOTED = "promoted", "Promoted"
        GRADUATED = "graduated", "Graduated"
        LEFT = "left", "Left school"
        DROPPED = "dropped", "Dropped out"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="enrollments")
    student = models.ForeignKey(
        StudentProfile, on_delete=models.CASCADE, related_name="enrollments"
    )
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, related_name="enrollments"
    )
    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, related_name="enrollments")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrollments"
    )
    section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="enrollments"
    )
    roll_number = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    enrollment_date = models.DateField(default=datetime.date.today)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["roll_number", "student__user__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "academic_year"], name="enrollment_one_per_student_per_year"
            ),
            models.UniqueConstraint(
                fields=["school_class", "academic_year", "roll_number"],
                name="enrollment_unique_roll_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} – {self.academic_year} – {self.grade}"


class MembershipQuerySet(models.QuerySet):
    """The one way to ask which memberships hold on a day or over a span of days.

    A membership covers `joined_on` to `left_on` inclusive; an empty `left_on` is open-ended.
    """

    def active_on(self, day) -> MembershipQuerySet:
        """Memberships that include `day`: a school-local `datetime.date`, or an expression
        such as `OuterRef("date")` inside a subquery."""
        return self.filter(Q(joined_on__lte=day), Q(left_on__isnull=True) | Q(left_on__gte=day))

    def overlapping(self, start, end) -> MembershipQuerySet:
        """Memberships that share at least one day with `start`..`end` (school-local dates,
        inclusive, or expressions)."""
        return self.filter(Q(joined_on__lte=end), Q(left_on__isnull=True) | Q(left_on__gte=start))


class Membership(Stamped):
    """A student sitting in a teaching group from `joined_on` to `left_on` (inclusive).

    Attendance percentages count only from the join date (docs/design/attendance.md, EC-ATT-01).
    """

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships")
    student = models.ForeignKey(
        StudentProfile, on_delete=models.CASCADE, related_name="memberships"
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)
    source_id = models.CharField(max_length=100, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["student__user__last_name", "student__user__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "school_class", "joined_on"], name="membership_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                name="membership_leaves_after_joining",
            ),
            unique_source_id("membership"),
        ]
        indexes = [models.Index(fields=["school_class", "joined_on"])]

    def __str__(self) -> str:
        return f"{self.student} in {self.school_class}"
