"""The roll in the admin: attendance records, read-only once orphaned."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from academics.admin import STUDENT_SEARCH, SchoolScopedAdmin, SchoolScopedForm, by_school

from ..models import AttendanceRecord
from ..services.records import announce_saved


class AttendanceRecordForm(SchoolScopedForm):
    def clean(self):
        cleaned = super().clean()
        # docs/design/attendance.md: a correction of an existing record needs a reason (it goes
        # into the trail).
        if (
            self.instance.pk is not None
            and "status" in self.changed_data
            and not (cleaned.get("modification_reason") or "").strip()
        ):
            self.add_error("modification_reason", "Give a reason for changing the status.")
        return cleaned


@admin.register(AttendanceRecord)
class AttendanceRecordAdmin(SchoolScopedAdmin, SimpleHistoryAdmin):
    """Records, read-only once orphaned (docs/design/attendance.md, EC-ATT-02: "frozen").

    `is_orphaned` is never typed in: the timetable decides it (`services.orphaning`).
    Reverting to an old version from the History page is switched off — a revert would
    change a status without the reason a correction needs; correct the record instead.
    """

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
    readonly_fields = (
        "is_orphaned",
        "marked_by",
        "modified_by",
        "created_at",
        "updated_at",
        "audit_trail",
    )
    date_hierarchy = "date"
    # A count over every record of a school on each page is wasted work on a large roll.
    show_full_result_count = False

    @admin.display(description="audit trail")
    def audit_trail(self, record: AttendanceRecord) -> str:
        if record.pk is None:
            return "—"
        return format_html(
            '<a href="{}">Every version, with who changed it and why</a>',
            reverse("attendance:record_history", args=[record.pk]),
        )

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_orphaned:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_orphaned:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        # The "delete selected" action asks no per-object permission: refuse the whole
        # batch when it holds an orphaned record, as Django does for a missing permission.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if any(getattr(obj, "is_orphaned", False) for obj in objs):
            perms_needed = {*perms_needed, "orphaned attendance records (frozen)"}
        return deleted, counts, perms_needed, protected

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a POSTed old version without asking for change permission.
        if request.method == "POST":
            raise PermissionDenied("Reverting attendance records is switched off.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            obj.modified_by = request.user
        elif obj.marked_by_id is None:
            obj.marked_by = request.user
        super().save_model(request, obj, form, change)
        # A status set here counts like one marked on the roll (records_saved).
        announce_saved([obj])
