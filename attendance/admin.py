"""Django admin for the roll and the session-total overrides, scoped like academics' admin.

Both keep a browsable history (django-simple-history): the "History" button of a record
shows every change, who made it and when — the audit trail of seed 001.
"""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from academics.admin import STUDENT_SEARCH, SchoolScopedAdmin, SchoolScopedForm, by_school

from .models import (
    COUNTABLE_STATUSES,
    AttendanceRecord,
    StaffAbsence,
    StudentLeave,
    TotalSessionsOverride,
)


class AttendanceRecordForm(SchoolScopedForm):
    def clean(self):
        cleaned = super().clean()
        # Seed 001: a correction of an existing record needs a reason (it goes into the trail).
        if (
            self.instance.pk is not None
            and "status" in self.changed_data
            and not (cleaned.get("modification_reason") or "").strip()
        ):
            self.add_error("modification_reason", "Give a reason for changing the status.")
        return cleaned


@admin.register(AttendanceRecord)
class AttendanceRecordAdmin(SchoolScopedAdmin, SimpleHistoryAdmin):
    form = AttendanceRecordForm
    list_display = (
        "date",
        "period_number",
        "student",
        "school_class",
        "subject",
        "status",
        "is_orphaned",
        "marked_by",
        "modified_by",
        "school",
    )
    list_filter = ("status", "is_orphaned", by_school("subject"), "school")
    list_select_related = (
        "student__user",
        "school_class",
        "subject",
        "marked_by",
        "modified_by",
        "school",
    )
    search_fields = (*STUDENT_SEARCH, "school_class__name", "school_class__code", "subject__name")
    autocomplete_fields = ("student", "school_class", "subject", "slot")
    readonly_fields = ("marked_by", "modified_by", "created_at", "updated_at")
    date_hierarchy = "date"
    # A count over every record of a school on each page is wasted work on a large roll.
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        if change:
            obj.modified_by = request.user
        elif obj.marked_by_id is None:
            obj.marked_by = request.user
        super().save_model(request, obj, form, change)


class TotalSessionsOverrideForm(SchoolScopedForm):
    def clean(self):
        cleaned = super().clean()
        student, school_class = cleaned.get("student"), cleaned.get("school_class")
        total = cleaned.get("total_sessions")
        if student is None or school_class is None or total is None:
            return cleaned
        records = AttendanceRecord.objects.filter(
            student=student,
            school_class=school_class,
            status__in=COUNTABLE_STATUSES,
            is_orphaned=False,
        )
        if cleaned.get("subject") is not None:
            records = records.filter(subject=cleaned["subject"])
        # Seed 000: the total may not be below the records it covers.
        if total < records.count():
            self.add_error("total_sessions", "Total sessions cannot be less than actual records")
        return cleaned


@admin.register(TotalSessionsOverride)
class TotalSessionsOverrideAdmin(SchoolScopedAdmin, SimpleHistoryAdmin):
    form = TotalSessionsOverrideForm
    list_display = (
        "student",
        "school_class",
        "subject",
        "total_sessions",
        "updated_by",
        "updated_at",
        "school",
    )
    list_filter = (by_school("subject"), "school")
    list_select_related = ("student__user", "school_class", "subject", "updated_by", "school")
    search_fields = (*STUDENT_SEARCH, "school_class__name", "subject__name")
    autocomplete_fields = ("student", "school_class", "subject")
    date_hierarchy = "updated_at"


@admin.register(StaffAbsence)
class StaffAbsenceAdmin(SchoolScopedAdmin):
    list_display = ("teacher", "date", "periods", "substitute", "created_by", "school")
    list_filter = ("date", "school")
    list_select_related = ("teacher", "substitute", "created_by", "school")
    search_fields = ("teacher__first_name", "teacher__last_name", "teacher__username")
    autocomplete_fields = ("teacher", "substitute")
    date_hierarchy = "date"


@admin.register(StudentLeave)
class StudentLeaveAdmin(SchoolScopedAdmin):
    list_display = ("student", "start_date", "end_date", "status", "decided_by", "school")
    list_filter = ("status", "school")
    list_select_related = ("student__user", "decided_by", "school")
    search_fields = STUDENT_SEARCH
    autocomplete_fields = ("student",)
    date_hierarchy = "start_date"
