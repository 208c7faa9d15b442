"""When classes meet (timetable slots) and when the school is closed (holidays)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from .base import Stamped
from .school import School
from .structure import SchoolClass, Subject


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
    (docs/design/attendance.md; records of such days may be filled with H)."""

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
