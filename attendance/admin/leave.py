"""Students' leave in the admin."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from academics.admin import STUDENT_SEARCH, SchoolScopedAdmin

from ..models import StudentLeave
from ..services import decide_student_leave


@admin.register(StudentLeave)
class StudentLeaveAdmin(SchoolScopedAdmin):
    """Leave approved here lets a staff-absent period be resolved to IL
    (docs/design/attendance.md)."""

    list_display = ("student", "start_date", "end_date", "status", "decided_by", "school")
    list_filter = ("status", "school")
    list_select_related = ("student__user", "decided_by", "school")
    search_fields = STUDENT_SEARCH
    autocomplete_fields = ("student",)
    date_hierarchy = "start_date"
    readonly_fields = ("decided_by",)
    actions = ("approve", "reject")

    @admin.action(description="Approve the selected leave")
    def approve(self, request, queryset):
        self._decide(request, queryset, approve=True)

    @admin.action(description="Reject the selected leave")
    def reject(self, request, queryset):
        self._decide(request, queryset, approve=False)

    def _decide(self, request, queryset, *, approve: bool) -> None:
        if not self.has_change_permission(request):
            raise PermissionDenied
        count = 0
        for leave in queryset:
            decide_student_leave(leave=leave, approve=approve, actor=request.user)
            count += 1
        verb = "approved" if approve else "rejected"
        self.message_user(request, f"{count} leave{'s' if count != 1 else ''} {verb}.")

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            # Whoever sets the status decided it.
            obj.decided_by = None if obj.status == StudentLeave.Status.PENDING else request.user
        super().save_model(request, obj, form, change)
