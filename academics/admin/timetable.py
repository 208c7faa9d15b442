"""Admin for timetable slots and holidays."""

from __future__ import annotations

from django.contrib import admin

from ..models import Holiday, TimetableSlot
from .scoping import SchoolScopedAdmin, by_school


@admin.register(TimetableSlot)
class TimetableSlotAdmin(SchoolScopedAdmin):
    list_display = (
        "school_class",
        "subject",
        "teacher",
        "weekday",
        "period_number",
        "valid_from",
        "valid_to",
        "school",
    )
    list_filter = ("weekday", "period_number", by_school("subject"), "school")
    list_select_related = ("school_class", "subject", "teacher", "school")
    search_fields = (
        "school_class__name",
        "school_class__code",
        "subject__name",
        "teacher__first_name",
        "teacher__last_name",
        "teacher__username",
    )
    autocomplete_fields = ("school_class", "subject", "teacher")
    ordering = ("school_class__name", "weekday", "period_number")


@admin.register(Holiday)
class HolidayAdmin(SchoolScopedAdmin):
    list_display = ("name", "start_date", "end_date", "school")
    list_filter = ("school",)
    list_select_related = ("school",)
    search_fields = ("name",)
    date_hierarchy = "start_date"
