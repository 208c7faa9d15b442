"""Make-up credits per student–tutor pair (docs/design/credits.md).

- MakeupCredit: the balance of one pair (the seed's StudentTutorCredit): available (set by
  the tutor or an admin, "set, not add"), booked and used (moved only by make-up lessons).
  Database check constraints keep every balance at zero or more.
- MakeupLesson: a booked make-up session that consumes a credit (the seed's Event).
- CreditChange: the pair's log: every manual set, booking, completion, cancellation,
  expiry and clearing, with who, when, the available amount before and after, and the
  balances after.

Every write goes through `credits.services`, under a row lock on the pair's credit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from academics.models import School, StudentProfile


class MakeupCredit(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="makeup_credits")
    student = models.ForeignKey(
        StudentProfile, on_delete=models.CASCADE, related_name="makeup_credits"
    )
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="makeup_credits_issued"
    )
    available = models.IntegerField(default=0, help_text="Ready to book (set by the tutor).")
    booked = models.IntegerField(default=0, help_text="On booked make-up lessons.")
    used = models.IntegerField(default=0, help_text="On completed make-up lessons.")
    available_since = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the available amount was last set; expiry counts from here.",
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who last set the available amount; empty for the system.",
    )

    class Meta:
        ordering = ["student__user__last_name", "student__user__first_name", "tutor__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["student", "tutor"], name="makeup_credit_one_per_pair"),
            models.CheckConstraint(
                condition=Q(available__gte=0), name="makeup_credit_available_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(booked__gte=0), name="makeup_credit_booked_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(used__gte=0), name="makeup_credit_used_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["school", "tutor"])]

    def __str__(self) -> str:
        return f"{self.student} with {self.tutor}: {self.available} available"

    @property
    def total(self) -> int:
        """All credits issued and not expired or cleared: available + booked + used."""
        return self.available + self.booked + self.used


class MakeupLesson(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="makeup_lessons")
    credit = models.ForeignKey(MakeupCredit, on_delete=models.PROTECT, related_name="lessons")
    student = models.ForeignKey(
        StudentProfile, on_delete=models.CASCADE, related_name="makeup_lessons"
    )
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="makeup_lessons_taught"
    )
    scheduled_for = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BOOKED)
    note = models.CharField(max_length=500, blank=True)
    credit_set_at = models.DateTimeField(
        null=True, blank=True, help_text="When the credit it consumed was set (for reports)."
    )
    booked_at = models.DateTimeField(auto_now_add=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-scheduled_for"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["booked", "completed", "cancelled"]),
                name="makeup_lesson_status_valid",
            ),
        ]
        indexes = [models.Index(fields=["school", "tutor", "status"])]

    def __str__(self) -> str:
        return (
            f"Make-up lesson of {self.student} with {self.tutor} on {self.scheduled_for:%Y-%m-%d}"
        )


class CreditChange(models.Model):
    """One line of a student–tutor pair's credit history (docs/design/credits.md, "Credit Change
    Log")."""

    class Kind(models.TextChoices):
        SET = "set", "Set"
        BOOKED = "booked", "Lesson booked"
        COMPLETED = "completed", "Lesson completed"
        CANCELLED = "cancelled", "Lesson cancelled"
        EXPIRED = "expired", "Expired"
        CLEARED = "cleared", "Cleared (tutor left)"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="credit_changes")
    credit = models.ForeignKey(MakeupCredit, on_delete=models.CASCADE, related_name="changes")
    student = models.ForeignKey(
        StudentProfile, on_delete=models.CASCADE, related_name="credit_changes"
    )
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credit_changes_as_tutor"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    previous_available = models.IntegerField()
    new_available = models.IntegerField()
    booked_after = models.IntegerField()
    used_after = models.IntegerField()
    lesson = models.ForeignKey(
        MakeupLesson, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text='Empty for "System" (expiry).',
    )
    changed_at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [
            models.Index(fields=["school", "changed_at"]),
            models.Index(fields=["credit", "changed_at"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.student} with {self.tutor}: {self.get_kind_display()} "
            f"{self.previous_available} → {self.new_available}"
        )

    @property
    def delta(self) -> int:
        return self.new_available - self.previous_available

    @property
    def total_after(self) -> int:
        return self.new_available + self.booked_after + self.used_after
