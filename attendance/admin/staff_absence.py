"""Staff absences in the admin: adding one marks the teacher absent, deleting one
withdraws it (docs/design/attendance.md, the staff-absent lifecycle)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from academics.admin import SchoolScopedAdmin, SchoolScopedForm

from ..models import StaffAbsence
from ..selectors import with_resolution_progress
from ..services import (
    StaffAbsenceError,
    check_substitute,
    mark_teacher_absent,
    plan_teacher_absence,
    withdraw_staff_absence,
)


class PeriodNumbersField(forms.CharField):
    """Period numbers typed as "2, 3"; empty means the whole day (StaffAbsence.periods)."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(number) for number in value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        try:
            numbers = sorted({int(part) for part in text.replace(",", " ").split()})
        except ValueError as exc:
            raise forms.ValidationError(
                "Type period numbers separated by commas, e.g. 2, 3."
            ) from exc
        if any(number < 1 for number in numbers):
            raise forms.ValidationError("Period numbers start at 1.")
        return numbers


class StaffAbsenceAdminForm(SchoolScopedForm):
    """Adding checks what `mark_teacher_absent` would refuse, so the admin shows the error
    on the form; changing edits only the substitute and the reason."""

    periods = PeriodNumbersField(
        required=False, help_text="Period numbers, e.g. 2, 3; empty means the whole day."
    )
    actor = None  # set per request by StaffAbsenceAdmin.get_form

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        if self.instance.pk is None:
            try:
                plan_teacher_absence(
                    teacher=cleaned["teacher"],
                    day=cleaned["date"],
                    periods=cleaned.get("periods"),
                    substitute=cleaned.get("substitute"),
                    actor=self.actor,
                )
            except StaffAbsenceError as exc:
                raise forms.ValidationError(str(exc)) from exc
        elif "substitute" in self.changed_data:
            try:
                check_substitute(teacher=self.instance.teacher, substitute=cleaned["substitute"])
            except StaffAbsenceError as exc:
                self.add_error("substitute", str(exc))
        return cleaned

    def validate_constraints(self):
        # One absence per teacher and day: adding a second one extends the first
        # (`mark_teacher_absent`), and teacher and date cannot be changed afterwards.
        pass


@admin.register(StaffAbsence)
class StaffAbsenceAdmin(SchoolScopedAdmin):
    """Adding an absence goes through `mark_teacher_absent`, so the SA records are written;
    deleting one goes through `withdraw_staff_absence` (its still-SA records go too)."""

    form = StaffAbsenceAdminForm
    list_display = (
        "teacher",
        "date",
        "periods_display",
        "substitute",
        "resolution",
        "created_by",
        "school",
    )
    list_filter = ("date", "school")
    list_select_related = ("teacher", "substitute", "created_by", "school")
    search_fields = ("teacher__first_name", "teacher__last_name", "teacher__username")
    autocomplete_fields = ("teacher", "substitute")
    date_hierarchy = "date"
    fields = ("school", "teacher", "date", "periods", "substitute", "reason")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # get_form builds a new class per request
        return form

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None:
            # The SA records follow teacher, date and periods; changing them afterwards
            # would leave the records behind. Delete (withdraw) and add again instead.
            fields = (*fields, "teacher", "date", "periods")
        return fields

    @admin.display(description="periods")
    def periods_display(self, obj: StaffAbsence) -> str:
        return ", ".join(str(number) for number in obj.periods) or "whole day"

    @admin.display(description="resolution")
    def resolution(self, obj: StaffAbsence) -> str:
        progress = getattr(obj, "resolution_progress", None)
        if progress is None:
            return "—"
        text = f"resolved {progress.resolved} of {progress.total}"
        if progress.unresolved:
            text += f", {progress.unresolved} open until {progress.deadline:%-d %b}"
        if progress.expired:
            text += f", {progress.expired} expired (NM)"
        return text

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # The page's progress in one query per school, not one per row.
        by_school: dict = {}
        for absence in changelist.result_list:
            by_school.setdefault(absence.school, []).append(absence)
        for school, absences in by_school.items():
            for progress in with_resolution_progress(school=school, absences=absences):
                progress.absence.resolution_progress = progress
        return changelist

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        try:
            result = mark_teacher_absent(
                teacher=obj.teacher,
                day=obj.date,
                periods=obj.periods,
                substitute=obj.substitute,
                reason=obj.reason,
                actor=request.user,
            )
        except StaffAbsenceError as exc:
            # Validated in the form a moment ago; only a concurrent change gets here.
            raise PermissionDenied(str(exc)) from exc
        # The admin goes on with `obj` (its log entry, the redirect): make it the saved row.
        obj.pk = result.absence.pk
        obj.periods = result.absence.periods
        obj._state.adding = False
        obj._state.db = result.absence._state.db
        message = f"{result.created} record{'s' if result.created != 1 else ''} set to SA"
        if result.left_as_marked:
            message += f"; {len(result.left_as_marked)} already saved, left as they were"
        self.message_user(request, message + ".", messages.SUCCESS)

    def delete_model(self, request, obj):
        withdraw_staff_absence(absence=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for absence in queryset:
            withdraw_staff_absence(absence=absence, actor=request.user)
