"""Django admin for the roll and the session-total overrides, scoped like academics' admin.

Both keep a browsable history (django-simple-history): the "History" button of a record
shows every change, who made it and when — the audit trail of seed 001.
"""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from academics.admin import (
    STUDENT_SEARCH,
    HolidayAdmin,
    SchoolScopedAdmin,
    SchoolScopedForm,
    by_school,
)
from academics.models import Holiday

from .models import (
    COUNTABLE_STATUSES,
    AttendanceRecord,
    StaffAbsence,
    StudentLeave,
    TotalSessionsOverride,
)
from .services.calendar import fill_holiday


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
    """Records, read-only once orphaned (seed 001, EC-ATT-02: "frozen").

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


# --- staff absence ---
from django import forms  # noqa: E402  (staff-absent lifecycle)
from django.contrib import messages  # noqa: E402

from .selectors import with_resolution_progress  # noqa: E402
from .services import (  # noqa: E402
    StaffAbsenceError,
    check_substitute,
    decide_student_leave,
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


@admin.register(StudentLeave)
class StudentLeaveAdmin(SchoolScopedAdmin):
    """Leave approved here lets a staff-absent period be resolved to IL (seed 001)."""

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


# academics' Holiday admin, plus the action that fills H: academics may not import
# attendance, so the action is added here by re-registering a subclass.
admin.site.unregister(Holiday)


@admin.register(Holiday)
class HolidayWithFillAdmin(HolidayAdmin):
    actions = ["fill_h"]

    @admin.action(description="Fill H for the selected closures", permissions=["change"])
    def fill_h(self, request, queryset):
        """`fill_holiday` for each selected closure (the queryset is the school's only)."""
        for holiday in queryset.order_by("start_date", "pk"):
            counts = fill_holiday(holiday=holiday, actor=request.user)
            self.message_user(request, f"{holiday}: {counts}.")
