"""The roll: one record per student per date per period per subject (docs/design/attendance.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from academics.models import SchoolClass, Stamped, StudentProfile, Subject, TimetableSlot


class Status(models.TextChoices):
    """The status codes of docs/design/attendance.md. Countable: P, A, IL, UL. Present: P only."""

    PRESENT = "P", "Present"
    ABSENT = "A", "Absent"
    INFORMED_LEAVE = "IL", "Informed leave"
    UNINFORMED_LEAVE = "UL", "Uninformed leave"
    ON_DUTY = "OD", "On duty"
    STAFF_ABSENT = "SA", "Staff absent"
    SUSPENDED = "SU", "Suspended"
    NOT_MARKED = "NM", "Not marked"
    HOLIDAY = "H", "Holiday"


# docs/design/attendance.md, "Attendance Percentage Calculation": only these count toward the total.
# SA is temporary and counts as NM (excluded) until it is resolved.
COUNTABLE_STATUSES = (Status.PRESENT, Status.ABSENT, Status.INFORMED_LEAVE, Status.UNINFORMED_LEAVE)
PRESENT_STATUSES = (Status.PRESENT,)
# What a teacher picks on the marking screen; the others are set by the system.
MARKABLE_STATUSES = (
    Status.PRESENT,
    Status.ABSENT,
    Status.INFORMED_LEAVE,
    Status.UNINFORMED_LEAVE,
    Status.ON_DUTY,
    Status.SUSPENDED,
)


class AttendanceRecord(models.Model):
    school = models.ForeignKey(
        "academics.School", on_delete=models.CASCADE, related_name="attendance_records"
    )
    student = models.ForeignKey(
        StudentProfile, on_delete=models.CASCADE, related_name="attendance_records"
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="attendance_records"
    )
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="attendance_records"
    )
    slot = models.ForeignKey(
        TimetableSlot,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attendance_records",
        help_text="Null once the timetable period is removed (EC-ATT-02).",
    )
    date = models.DateField()
    period_number = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=2, choices=Status.choices)
    is_orphaned = models.BooleanField(
        default=False,
        help_text='"Orphaned — Period Removed": frozen and excluded (EC-ATT-02).',
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text='Empty for "System" marks.',
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty while the record is as first marked.",
    )
    modification_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["-date", "period_number"]
        constraints = [
            # docs/design/attendance.md, EC-ATT-03: block a second record for the same period at
            # insert.
            models.UniqueConstraint(
                fields=["student", "date", "period_number", "subject"],
                name="attendance_one_record_per_period",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="attendance_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["school_class", "date"]),
            models.Index(fields=["student", "school_class", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.student} {self.date} P{self.period_number} {self.subject}: {self.status}"


class TotalSessionsOverride(Stamped):
    """The percentage's denominator for one student in one class (docs/design/total-sessions.md).

    `subject` empty means "all subjects of this class".
    """

    school = models.ForeignKey(
        "academics.School", on_delete=models.CASCADE, related_name="total_session_overrides"
    )
    student = models.ForeignKey(
        StudentProfile, on_delete=models.CASCADE, related_name="total_session_overrides"
    )
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="total_session_overrides"
    )
    subject = models.ForeignKey(
        Subject,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="total_session_overrides",
    )
    total_sessions = models.PositiveIntegerField()

    history = HistoricalRecords()

    class Meta:
        verbose_name = "student total sessions"
        verbose_name_plural = "student total sessions"
        constraints = [
            # Two partial constraints, because NULLs are distinct in a plain unique index.
            models.UniqueConstraint(
                fields=["student", "school_class"],
                condition=Q(subject__isnull=True),
                name="totalsessions_unique_all_subjects",
            ),
            models.UniqueConstraint(
                fields=["student", "school_class", "subject"],
                condition=Q(subject__isnull=False),
                name="totalsessions_unique_per_subject",
            ),
            models.CheckConstraint(
                condition=Q(total_sessions__gte=0), name="totalsessions_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} · {self.school_class}: {self.total_sessions}"


class StaffAbsence(Stamped):
    """An hod marks a teacher absent for a date (docs/design/attendance.md, SA lifecycle).

    The teacher's slots that day (or only `periods`, when given) get SA for the roster;
    the class advisor or the `substitute` resolves them; leftovers expire to NM.
    """

    school = models.ForeignKey(
        "academics.School", on_delete=models.CASCADE, related_name="staff_absences"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences"
    )
    date = models.DateField()
    periods = models.JSONField(
        default=list, blank=True, help_text="Period numbers; empty means the whole day."
    )
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="substitutions",
        help_text="May resolve the SA periods besides each class's advisor.",
    )
    reason = models.TextField(blank=True)
    substitute_clash_accepted = models.BooleanField(
        default=False,
        help_text=(
            "The hod ticked “Substitute anyway”: the substitute teaches a class of their own "
            "in a covered period (docs/design/attendance.md); updated_by says who."
        ),
    )

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["teacher", "date"], name="staffabsence_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.teacher} absent {self.date}"


class StudentLeave(Stamped):
    """Leave asked for a student over a date range; approved leave lets an SA period be
    resolved to IL (informed leave) — docs/design/attendance.md."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    school = models.ForeignKey(
        "academics.School", on_delete=models.CASCADE, related_name="student_leaves"
    )
    student = models.ForeignKey(StudentProfile, on_delete=models.CASCADE, related_name="leaves")
    start_date = models.DateField()
    end_date = models.DateField()
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="studentleave_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student}: {self.start_date} – {self.end_date} ({self.status})"
