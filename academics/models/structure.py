"""A school's structure: academic years and terms, the grade ladder, subjects, classes
and their sections."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .base import Stamped, unique_source_id
from .school import School


class AcademicYear(Stamped):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="academic_years")
    name = models.CharField(max_length=50, help_text='e.g. "2025-2026"')
    start_date = models.DateField()
    end_date = models.DateField()
    is_active = models.BooleanField(default=True)
    is_current = models.BooleanField(default=False, help_text="At most one per school.")
    source_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="academicyear_unique_name"),
            models.UniqueConstraint(
                fields=["school"],
                condition=Q(is_current=True),
                name="academicyear_one_current_per_school",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")), name="academicyear_ends_after_start"
            ),
            unique_source_id("academicyear"),
        ]

    def __str__(self) -> str:
        return self.name


class Term(Stamped):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="terms")
    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(max_length=100)
    start_date = models.DateField()
    end_date = models.DateField()
    source_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["start_date", "name"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "name"], name="term_unique_name"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="term_ends_after_start"
            ),
            unique_source_id("term"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.academic_year})"


class Grade(Stamped):
    """A rung of the grade ladder; the next grade is the next higher `level`
    (docs/design/promotion.md)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="grades")
    name = models.CharField(max_length=50)
    level = models.SmallIntegerField(help_text="Kindergarten 0, Grade 1 is 1, …")

    class Meta:
        ordering = ["level"]
        constraints = [
            models.UniqueConstraint(fields=["school", "level"], name="grade_unique_level"),
            models.UniqueConstraint(fields=["school", "name"], name="grade_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Subject(Stamped):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="subjects")
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="subject_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class SchoolClass(Stamped):
    """A group of students taught together: a homeroom or a teaching group (DOMAIN.md)."""

    class Kind(models.TextChoices):
        HOMEROOM = "homeroom", "Homeroom"
        TEACHING = "teaching", "Teaching group"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.CASCADE, null=True, blank=True, related_name="classes"
    )
    term = models.ForeignKey(
        Term, on_delete=models.SET_NULL, null=True, blank=True, related_name="classes"
    )
    grade = models.ForeignKey(
        Grade, on_delete=models.PROTECT, null=True, blank=True, related_name="classes"
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, null=True, blank=True, related_name="classes"
    )
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=50, blank=True, help_text='e.g. "MTH-L1-A"')
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TEACHING)
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="advised_classes",
        help_text="The class advisor, who resolves staff-absent periods.",
    )
    price_per_session = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="In the school's currency; a class without one cannot be billed.",
    )
    is_active = models.BooleanField(default=True)
    source_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "class"
        verbose_name_plural = "classes"
        constraints = [
            unique_source_id("schoolclass"),
            models.CheckConstraint(
                condition=Q(price_per_session__isnull=True) | Q(price_per_session__gte=0),
                name="schoolclass_price_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Section(Stamped):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="sections")
    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(max_length=50, help_text='e.g. "A", "Morning"')
    capacity = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["school_class__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school_class", "name"], name="section_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.school_class} – {self.name}"
