"""Promotion runs, their rows and their log (docs/design/promotion.md).

Written only by `academics.services.promotion`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .base import Stamped
from .people import StudentProfile
from .placements import Enrollment, Membership
from .school import School
from .structure import AcademicYear, Grade, SchoolClass, Section


class PromotionAction(models.TextChoices):
    """What a promotion does with one student (docs/design/promotion.md; DOMAIN.md, Promotion)."""

    PROMOTE = "promote", "Promote"
    RETAIN = "retain", "Retain"
    GRADUATE = "graduate", "Graduate"
    LEAVE = "leave", "Leave school"


class PromotionMode(models.TextChoices):
    AUTOMATIC = "automatic", "Automatic"
    MANUAL = "manual", "Manual"
    BULK = "bulk", "Bulk"


class PromotionRun(Stamped):
    """One promotion from one academic year to the next: the stored plan (a row per
    student) while it is planned, then what was done, and its undo (docs/design/promotion.md).

    At most one run per school and pair of years is being planned at a time, so a second
    admin opening the wizard finds the first one's run instead of starting another.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Being planned"
        EXECUTED = "executed", "Executed"
        REVERTED = "reverted", "Undone"
        DISCARDED = "discarded", "Discarded"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="promotion_runs")
    from_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, related_name="promotion_runs_from"
    )
    to_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, related_name="promotion_runs_to"
    )
    mode = models.CharField(
        max_length=20, choices=PromotionMode.choices, default=PromotionMode.AUTOMATIC
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    filters = models.JSONField(
        default=dict,
        blank=True,
        help_text="Step 2's choices: grades, classes, sections, excluded and chosen "
        "students (ids), default action.",
    )
    notes = models.TextField(blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reverted_at = models.DateTimeField(null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "from_year", "to_year"],
                condition=Q(status="draft"),
                name="promotionrun_one_draft_per_years",
            ),
            models.CheckConstraint(
                condition=~Q(from_year=F("to_year")), name="promotionrun_years_differ"
            ),
        ]

    def __str__(self) -> str:
        return f"Promotion {self.from_year} → {self.to_year} (#{self.pk})"


class PromotionRow(models.Model):
    """One student in a promotion run: where from, where to, what happens, and what was
    there before, so the run can be undone exactly."""

    run = models.ForeignKey(PromotionRun, on_delete=models.CASCADE, related_name="rows")
    student = models.ForeignKey(
        StudentProfile, on_delete=models.CASCADE, related_name="promotion_rows"
    )
    from_enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, related_name="promotion_rows"
    )
    action = models.CharField(max_length=20, choices=PromotionAction.choices)
    to_grade = models.ForeignKey(
        Grade, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_class = models.ForeignKey(
        SchoolClass, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_section = models.ForeignKey(
        Section, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    section_chosen = models.BooleanField(
        default=False, help_text="The user chose the section; rebalancing leaves it alone."
    )
    class_chosen = models.BooleanField(default=False, help_text="The user chose the class.")
    roll_number = models.PositiveIntegerField(null=True, blank=True)
    alert = models.CharField(
        max_length=300, blank=True, help_text="What stops the run until it is resolved."
    )
    warning = models.CharField(max_length=300, blank=True)
    notes = models.CharField(max_length=500, blank=True)
    # Filled in on execution, read by undo.
    new_enrollment = models.ForeignKey(
        Enrollment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    new_membership = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    previous_status = models.CharField(max_length=20, blank=True)
    previous_student_active = models.BooleanField(null=True, blank=True)

    class Meta:
        ordering = ["student__user__last_name", "student__user__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["run", "student"], name="promotionrow_one_per_student"),
            models.CheckConstraint(
                condition=Q(action__in=PromotionAction.values), name="promotionrow_action_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.get_action_display()}"


class PromotionLog(models.Model):
    """The audit trail of promotions (docs/design/promotion.md): one entry when a run is
    executed and one when it is undone, with its counts."""

    class Event(models.TextChoices):
        EXECUTED = "executed", "Executed"
        REVERTED = "reverted", "Undone"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="promotion_logs")
    run = models.ForeignKey(PromotionRun, on_delete=models.CASCADE, related_name="logs")
    event = models.CharField(max_length=20, choices=Event.choices, default=Event.EXECUTED)
    from_academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, related_name="promotions_from"
    )
    to_academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, related_name="promotions_to"
    )
    promoted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promotions",
    )
    promotion_type = models.CharField(max_length=20, choices=PromotionMode.choices)
    total_students = models.PositiveIntegerField()
    promoted_count = models.PositiveIntegerField()
    retained_count = models.PositiveIntegerField()
    graduated_count = models.PositiveIntegerField()
    left_count = models.PositiveIntegerField()
    seconds = models.FloatField(default=0, help_text="How long it took (for the estimates).")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_event_display()} {self.from_academic_year} → {self.to_academic_year}"
