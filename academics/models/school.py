"""The school: every row of every app belongs to exactly one (DOMAIN.md)."""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .base import Stamped


class School(Stamped):
    name = models.CharField(max_length=200)
    code = models.CharField(max_length=50, blank=True, help_text="The SIS's school id.")
    source_id = models.CharField(max_length=100, blank=True, db_index=True)
    currency = models.CharField(max_length=3, default="USD", help_text="ISO 4217, e.g. EGP.")
    timezone = models.CharField(max_length=64, default="UTC")
    low_grade = models.CharField(max_length=30, blank=True)
    high_grade = models.CharField(max_length=30, blank=True)
    # Attendance settings (docs/design/attendance.md).
    edit_window_days = models.PositiveSmallIntegerField(
        default=7,
        help_text="Days after a date during which its teacher may still change a record; "
        "after that only an hod or admin may.",
    )
    staff_absent_resolution_days = models.PositiveSmallIntegerField(
        default=3,
        help_text="Days a staff-absent (SA) period may stay unresolved before "
        "`expire_staff_absent` turns it into NM.",
    )
    # Billing settings (docs/design/billing.md).
    payment_terms_days = models.PositiveSmallIntegerField(
        default=30,
        help_text="Days after a billing period's last day until its bills are due; unpaid "
        "after that they are overdue.",
    )
    # Make-up credits (docs/design/credits.md).
    makeup_credit_expiry_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Days after they were last set that unused (available) make-up credits "
        "expire through `expire_makeup_credits`; empty: they never expire.",
    )
    # Notifications (docs/design/notifications.md).
    absence_notice_time = models.TimeField(
        default=datetime.time(12, 0),
        help_text="School-local time at which guardians get the day's absence notice: one "
        "email per child per day, listing every period marked A or UL by then.",
    )
    low_attendance_threshold = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("75"),
        help_text="Percentages below this are highlighted in lists and reports.",
    )
    # Sign-in (docs/operations/sign-in.md, "Requiring two-factor").
    require_two_factor = models.BooleanField(
        default=False,
        help_text="Admins and accountants must use an authenticator app (two-factor "
        "authentication); one without it is sent to set it up after signing in.",
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
