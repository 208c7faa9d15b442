"""School structure, people and placements (DOMAIN.md; seed 004).

Every row belongs to exactly one School; views and selectors scope every query by it.
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class Stamped(models.Model):
    """created/updated at and by, filled in by services and by the admin (`StampedAdmin`)."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        abstract = True


def _unique_source_id(model_name: str) -> models.UniqueConstraint:
    """Roster rows are keyed by the SIS's id, unique per school where one is given."""
    return models.UniqueConstraint(
        fields=["school", "source_id"],
        condition=~Q(source_id=""),
        name=f"{model_name}_unique_source_id_per_school",
    )


class School(Stamped):
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=50, blank=True, help_text="The SIS's school id.")
    source_id = models.CharField(max_length=100, blank=True, db_index=True)
    currency = models.CharField(max_length=3, default="USD", help_text="ISO 4217, e.g. EGP.")
    timezone = models.CharField(max_length=64, default="UTC")
    low_grade = models.CharField(max_length=30, blank=True)
    high_grade = models.CharField(max_length=30, blank=True)
    # Attendance settings (issue 3).
    edit_window_days = models.PositiveSmallIntegerField(
        default=7,
        help_text="Days after a date during which its teacher may still change a record; "
        "after that only an hod or admin may.",
    )
    staff_absent_resolution_days = models.PositiveSmallIntegerField(
        default=3,
        help_text="Days a staff-absent (SA) period may stay unresolved before "
        "`expire_staff_absent` turns it into NM (seed 001).",
    )
    # Billing settings (issue 5).
    payment_terms_days = models.PositiveSmallIntegerField(
        default=30,
        help_text="Days after a billing period's last day until its bills are due; unpaid "
        "after that they are overdue (seed 002).",
    )
    # Make-up credits (issue 6).
    makeup_credit_expiry_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Days after they were last set that unused (available) make-up credits "
        "expire through `expire_makeup_credits`; empty: they never expire.",
    )
    low_attendance_threshold = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("75"),
        help_text="Percentages below this are highlighted in lists and reports.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_id"], condition=~Q(source_id=""), name="school_unique_source_id"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def today(self) -> datetime.date:
        """Today's date in the school's own time zone (all Rollbook dates are school-local)."""
        return timezone.now().astimezone(zoneinfo.ZoneInfo(self.timezone)).date()


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    PRINCIPAL = "principal", "Principal"
    HOD = "hod", "Head of department"
    TEACHER = "teacher", "Teacher"
    ACCOUNTANT = "accountant", "Accountant"
    STUDENT = "student", "Student"


STAFF_ROLES = frozenset({Role.ADMIN, Role.PRINCIPAL, Role.HOD, Role.TEACHER, Role.ACCOUNTANT})


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
    """The student side of a user; created automatically for every student user (seed 000)."""

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
        constraints = [_unique_source_id("studentprofile")]

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
        constraints = [_unique_source_id("staffprofile")]

    def __str__(self) -> str:
        return str(self.user)


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
            _unique_source_id("academicyear"),
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
            _unique_source_id("term"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.academic_year})"


class Grade(Stamped):
    """A rung of the grade ladder; the next grade is the next higher `level` (seed 004)."""

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
        help_text="The class advisor, who resolves staff-absent periods (seed 001).",
    )
    price_per_session = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="In the school's currency; a class without one cannot be billed (seed 002).",
    )
    is_active = models.BooleanField(default=True)
    source_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "class"
        verbose_name_plural = "classes"
        constraints = [
            _unique_source_id("schoolclass"),
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


class Enrollment(Stamped):
    """Where a student is placed for one academic year (seed 004 StudentClassEnrollment)."""

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

    Attendance percentages count only from the join date (seed 001, EC-ATT-01).
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
            _unique_source_id("membership"),
        ]
        indexes = [models.Index(fields=["school_class", "joined_on"])]

    def __str__(self) -> str:
        return f"{self.student} in {self.school_class}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class TimetableSlot(Stamped):
    """A period a class meets: subject, teacher, weekday and period number over a date range."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="timetable_slots")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="timetable_slots"
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="timetable_slots")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="timetable_slots",
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    period_number = models.PositiveSmallIntegerField()
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["weekday", "period_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "subject", "weekday", "period_number", "valid_from"],
                name="timetableslot_unique_period",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="timetableslot_valid_range",
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="timetableslot_weekday"),
        ]
        indexes = [models.Index(fields=["teacher", "weekday"])]

    def __str__(self) -> str:
        return (
            f"{self.school_class} · {self.subject} · {self.get_weekday_display()} "
            f"P{self.period_number}"
        )

    def meets_on(self, day: datetime.date) -> bool:
        """True if this slot is on the timetable on `day` (school-local date)."""
        return (
            day.weekday() == self.weekday
            and self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
        )


class Holiday(Stamped):
    """A day or date range the school is closed (holiday, closure): no marking then
    (issue 3; records of such days may be filled with H)."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="holidays")
    name = models.CharField(max_length=200, help_text='e.g. "Thanksgiving", "Snow day"')
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="holiday_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["school", "start_date", "end_date"])]

    def __str__(self) -> str:
        if self.start_date == self.end_date:
            return f"{self.name} ({self.start_date:%-d %b %Y})"
        return f"{self.name} ({self.start_date:%-d %b} – {self.end_date:%-d %b %Y})"


# --- promotion (seed 004; issue 7) ---------------------------------------------------------


class PromotionAction(models.TextChoices):
    """What a promotion does with one student (seed 004, 2.3; DOMAIN.md, Promotion)."""

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
    student) while it is planned, then what was done, and its undo (issue 7).

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
    """The audit trail of promotions (seed 004, 1.4): one entry when a run is executed and
    one when it is undone, with the seed's counts."""

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
