"""Users, their roles, and the student and staff profiles (docs/design/roles.md)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q

from .base import Stamped, unique_source_id
from .school import School


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    PRINCIPAL = "principal", "Principal"
    HOD = "hod", "Head of department"
    TEACHER = "teacher", "Teacher"
    ACCOUNTANT = "accountant", "Accountant"
    STUDENT = "student", "Student"
    GUARDIAN = "guardian", "Guardian"


class User(AbstractUser):
    """One user model for every person; `role` says what they may do (DOMAIN.md, roles)."""

    school = models.ForeignKey(
        School, on_delete=models.CASCADE, null=True, blank=True, related_name="users"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.TEACHER)

    objects = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.CheckConstraint(condition=Q(role__in=Role.values), name="user_role_valid"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs) -> None:
        # A school's admin works in the Django admin (DOMAIN.md, roles), which needs
        # is_staff; set it here so every path that makes an admin (roster import, demo,
        # admin form, shell) agrees.
        if self.role == Role.ADMIN and not self.is_staff:
            self.is_staff = True
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "is_staff"}
        super().save(*args, **kwargs)

    @property
    def is_school_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    def has_role(self, *roles: str) -> bool:
        """True if the user's role is one of `roles`; a superuser counts as admin."""
        return self.role in roles or (self.is_superuser and Role.ADMIN in roles)


class StudentProfile(Stamped):
    """The student side of a user; created automatically for every student user
    (docs/design/total-sessions.md)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="students")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="student_profile"
    )
    student_number = models.CharField(max_length=50, blank=True)
    source_id = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    is_active = models.BooleanField(
        default=True, help_text="Cleared when the student graduates or leaves."
    )

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        constraints = [unique_source_id("studentprofile")]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def name(self) -> str:
        return str(self.user)


class StaffProfile(Stamped):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    title = models.CharField(max_length=200, blank=True)
    department = models.CharField(max_length=100, blank=True)
    employee_number = models.CharField(max_length=50, blank=True)
    source_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        constraints = [unique_source_id("staffprofile")]

    def __str__(self) -> str:
        return str(self.user)


class GuardianProfile(Stamped):
    """The guardian side of a user (role guardian): a parent or other adult who follows one
    or more students of the school (docs/design/roles.md, "Guardians"). Created from the
    roster (Clever contact columns, OneRoster parent/guardian users) or in the admin."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="guardians")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardian_profile"
    )
    phone = models.CharField(max_length=50, blank=True)
    source_id = models.CharField(
        max_length=100,
        blank=True,
        help_text="The SIS's id: a OneRoster user sourcedId, or the contact's email for Clever.",
    )
    notify_absences = models.BooleanField(
        default=True, help_text="Email when a child is marked absent (once a day at most)."
    )
    notify_bills = models.BooleanField(
        default=True, help_text="Email when a child's bill is issued or falls overdue."
    )

    class Meta:
        ordering = ["user__last_name", "user__first_name"]
        constraints = [unique_source_id("guardianprofile")]

    def __str__(self) -> str:
        return str(self.user)


class Guardianship(Stamped):
    """A guardian follows a student: a family with several children has one row per child,
    a child with two guardians two rows. Both belong to the same school."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="guardianships")
    guardian = models.ForeignKey(
        GuardianProfile, on_delete=models.CASCADE, related_name="guardianships"
    )
    student = models.ForeignKey(
        StudentProfile, on_delete=models.CASCADE, related_name="guardianships"
    )
    relationship = models.CharField(
        max_length=50, blank=True, help_text="As the SIS names it: parent, guardian, relative …"
    )

    class Meta:
        ordering = ["student__user__last_name", "guardian__user__last_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["guardian", "student"], name="guardianship_unique_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} → {self.student}"
