"""Students' leave in the admin."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from academics.admin import STUDENT_SEARCH, SchoolScopedAdmin, SchoolScopedForm

from ..models import StudentLeave
from ..services import LeaveError, decide_student_leave, refuse_overlapping_leave


class StudentLeaveAdminForm(SchoolScopedForm):
    """Refuses leave that shares a day with another pending or approved leave of the
    student: the same rule as the leave page (docs/design/attendance.md, "Student leave").
    The admin validates and saves in one transaction, so the student's row lock the rule
    takes lasts until the leave is saved."""

    def clean(self):
        cleaned = super().clean()
        student, start, end = (cleaned.get(f) for f in ("student", "start_date", "end_date"))
        if self.errors or student is None or start is None or end is None:
            return cleaned
        try:
            refuse_overlapping_leave(
                student_id=student.pk,
                start_date=start,
                end_date=end,
                status=cleaned.get("status", self.instance.status),
                leave_id=self.instance.pk,
            )
        except LeaveError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return cleaned


@admin.register(StudentLeave)
class StudentLeaveAdmin(SchoolScopedAdmin):
    """Leave approved here lets a staff-absent period be resolved to IL
    (docs/design/attendance.md)."""

    form = StudentLeaveAdminForm
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
            try:
                decide_student_leave(leave=leave, approve=approve, actor=request.user)
            except LeaveError as exc:  # this one is left as it was; the others go on
                self.message_user(request, f"{leave}: {exc}", messages.ERROR)
            else:
                count += 1
        verb = "approved" if approve else "rejected"
        self.message_user(request, f"{count} leave{'s' if count != 1 else ''} {verb}.")

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            # Whoever sets the status decided it.
            obj.decided_by = None if obj.status == StudentLeave.Status.PENDING else request.user
        super().save_model(request, obj, form, change)
