"""Django admin for the roll and the session-total overrides, scoped like academics' admin.

Both keep a browsable history (django-simple-history): the "History" button of a record
shows every change, who made it and when — the audit trail of seed 001.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_value
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from academics.admin import (
    STUDENT_SEARCH,
    HolidayAdmin,
    SchoolRelatedFilter,
    SchoolScopedAdmin,
    SchoolScopedForm,
    by_school,
    scoped_school_id,
)
from academics.models import Holiday, Membership

from .models import (
    AttendanceRecord,
    StaffAbsence,
    StudentLeave,
    TotalSessionsOverride,
)
from .selectors import with_resolution_progress
from .selectors.total_sessions import countable_records_covered, with_actual_records
from .services import (
    StaffAbsenceError,
    check_substitute,
    decide_student_leave,
    mark_teacher_absent,
    plan_teacher_absence,
    withdraw_staff_absence,
)
from .services.calendar import fill_holiday
from .services.total_sessions import (
    NOT_A_NUMBER,
    NotAMember,
    TotalBelowActual,
    TotalSessionsError,
    clear_total_sessions,
    parse_total_sessions,
    set_total_sessions,
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


# --- total-sessions admin ---

TOTAL_SESSIONS_CELL = "admin/attendance/totalsessionsoverride/total_sessions_cell.html"


class TotalSessionsOverrideForm(SchoolScopedForm):
    """Checks what `set_total_sessions` checks, with its messages (seed 000), so the admin
    and the teacher's inline edit refuse the same totals: a whole number, a student of the
    class, and not below the countable records the override covers — counted, like the
    percentage, only inside the student's membership of the class (seed 001, EC-ATT-01)."""

    total_sessions = forms.CharField(
        label="Total sessions",
        error_messages={"required": NOT_A_NUMBER},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6}),
        help_text="The denominator of the student's attendance percentage in this class.",
    )

    def clean_total_sessions(self) -> int:
        try:
            return parse_total_sessions(self.cleaned_data["total_sessions"])
        except TotalSessionsError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self):
        cleaned = super().clean()
        student = self._chosen("student")
        school_class = self._chosen("school_class")
        subject = self._chosen("subject")
        total = cleaned.get("total_sessions")
        if student is None or school_class is None or total is None:
            return cleaned
        if not Membership.objects.filter(student=student, school_class=school_class).exists():
            self.add_error(self._error_field("student"), str(NotAMember(student, school_class)))
            return cleaned
        if self.instance.pk is None and self._already_has_total(student, school_class, subject):
            # Said here, on the student field, so the unique constraints (checked after
            # clean) skip it instead of naming a constraint.
            self.add_error(
                "student",
                f"{student} already has a total in {school_class} for "
                f"{subject or 'all subjects'}: change that one instead.",
            )
            return cleaned
        actual = countable_records_covered(
            student=student, school_class=school_class, subject=subject
        )
        if total < actual:
            self.add_error("total_sessions", str(TotalBelowActual(actual)))
        return cleaned

    def _chosen(self, name: str):
        """The value the override will have: the form's, or the saved one when the field
        is read-only (student, class and subject once the override exists)."""
        if name in self.fields:
            return self.cleaned_data.get(name)
        return getattr(self.instance, name) if self.instance.pk else None

    def _error_field(self, name: str) -> str | None:
        return name if name in self.fields else None

    @staticmethod
    def _already_has_total(student, school_class, subject) -> bool:
        return TotalSessionsOverride.objects.filter(
            student=student, school_class=school_class, subject=subject
        ).exists()


@admin.register(TotalSessionsOverride)
class TotalSessionsOverrideAdmin(SchoolScopedAdmin, SimpleHistoryAdmin):
    """Student total sessions (seed 000, "Admin Panel Management"; issue 4).

    Every write goes through `services.total_sessions`: the add and change forms through
    `set_total_sessions`, deletes through `clear_total_sessions`, and so does the inline
    edit of the change list (htmx: click a total, type, Enter; Escape puts it back). The
    "actual" column is the countable records the override covers, one subquery per page.
    """

    class SubjectFilter(SchoolRelatedFilter):
        """The school's subjects, and the overrides that cover every subject of a class."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.empty_value_display = "Whole class (all subjects)"

    form = TotalSessionsOverrideForm
    list_display = (
        "student",
        "school_class",
        "subject_display",
        "total_sessions_editor",
        "actual_records_cell",
        "created_by",
        "created_at",
        "updated_by_cell",
        "updated_at_cell",
        "school",
    )
    list_display_links = ("student",)
    list_filter = (by_school("school_class"), ("subject", SubjectFilter), "school")
    list_select_related = (
        "student__user",
        "school_class",
        "subject",
        "created_by",
        "updated_by",
        "school",
    )
    search_fields = (
        *STUDENT_SEARCH,
        "school_class__name",
        "school_class__code",
        "subject__name",
    )
    autocomplete_fields = ("student", "school_class", "subject")
    ordering = ("school_class__name", "student__user__last_name", "student__user__first_name")
    date_hierarchy = "updated_at"

    # --- the change list ---------------------------------------------------------------
    def get_queryset(self, request):
        return with_actual_records(super().get_queryset(request))

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        if not self.has_change_permission(request):
            # A principal reads the totals; only those who may change them get the editor.
            columns = ["total_sessions" if c == "total_sessions_editor" else c for c in columns]
        return columns

    @admin.display(description="subject", ordering="subject__name")
    def subject_display(self, override: TotalSessionsOverride) -> str:
        return str(override.subject) if override.subject_id else "All subjects"

    @admin.display(description="total sessions", ordering="total_sessions")
    def total_sessions_editor(self, override: TotalSessionsOverride) -> str:
        return render_to_string(
            f"{TOTAL_SESSIONS_CELL}#total-display", self._cell_context(override)
        )

    @admin.display(description="actual", ordering="actual_records")
    def actual_records_cell(self, override: TotalSessionsOverride) -> str:
        return format_html(
            '<span id="ts-actual-{}">{}</span>', override.pk, self._actual_records(override)
        )

    @admin.display(description="updated by", ordering="updated_by__last_name")
    def updated_by_cell(self, override: TotalSessionsOverride) -> str:
        return format_html(
            '<span id="ts-updated-by-{}">{}</span>', override.pk, self._updated_by(override)
        )

    @admin.display(description="updated at", ordering="updated_at")
    def updated_at_cell(self, override: TotalSessionsOverride) -> str:
        return format_html(
            '<span id="ts-updated-at-{}">{}</span>', override.pk, self._updated_at(override)
        )

    # --- the add and change forms -------------------------------------------------------
    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (
                None,
                {
                    "fields": [
                        "school",
                        "student",
                        "school_class",
                        "subject",
                        "total_sessions",
                        "actual_records_display",
                    ]
                },
            )
        ]
        if obj is not None:
            fieldsets.append(
                (
                    "Who and when",
                    {"fields": ["created_by", "created_at", "updated_by", "updated_at"]},
                )
            )
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = (*super().get_readonly_fields(request, obj), "actual_records_display")
        if obj is not None:
            # Student, class and subject name the override: changing them would be a
            # different override. Delete this one and add that one instead.
            fields += ("student", "school_class", "subject")
            if scoped_school_id(request.user) is None:
                fields += ("school",)
        return fields

    @admin.display(description="actual records")
    def actual_records_display(self, override: TotalSessionsOverride) -> str:
        if override.pk is None:
            return "Counted when saved: the total may not be below it."
        return f"{self._actual_records(override)} countable records since joining the class"

    def save_model(self, request, obj, form, change):
        try:
            saved = set_total_sessions(
                student=obj.student,
                school_class=obj.school_class,
                subject=obj.subject,
                total=obj.total_sessions,
                actor=request.user,
            )
        except TotalSessionsError as exc:
            # The form checked this a moment ago; only a concurrent change gets here.
            raise PermissionDenied(str(exc)) from exc
        # The admin goes on with `obj` (its log entry, the redirect): make it the saved row.
        obj.pk = saved.pk
        obj._state.adding = False
        obj._state.db = saved._state.db
        for name in ("school_id", "created_by_id", "updated_by_id", "created_at", "updated_at"):
            setattr(obj, name, getattr(saved, name))

    def delete_model(self, request, obj):
        clear_total_sessions(
            student=obj.student,
            school_class=obj.school_class,
            subject=obj.subject,
            actor=request.user,
        )

    def delete_queryset(self, request, queryset):
        for override in queryset.select_related("student", "school_class", "subject"):
            self.delete_model(request, override)

    # A revert from the History page would save an old total without the checks above.
    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied("Reverting a total is switched off; change it instead.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    # --- inline edit in the change list (htmx) ------------------------------------------
    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/total-sessions/",
                wrap(self.total_sessions_cell_view),
                name=f"{name}_total_sessions",
            ),
            path(
                "<int:object_id>/total-sessions/edit/",
                wrap(self.total_sessions_edit_view),
                name=f"{name}_total_sessions_edit",
            ),
            *super().get_urls(),
        ]

    def total_sessions_cell_view(self, request, object_id: int) -> HttpResponse:
        """The total as the change list shows it (what Escape puts back)."""
        override = self._override_for(request, object_id)
        if not self.has_view_permission(request, override):
            raise PermissionDenied
        partial = "total-display" if self.has_change_permission(request, override) else "total"
        return self._render_cell(request, override, partial)

    def total_sessions_edit_view(self, request, object_id: int) -> HttpResponse:
        """GET: the total's input. POST: save it through `set_total_sessions` and answer
        the new cell (and the row's actual and updated cells out of band), or the input
        again with the error (200), nothing saved."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        override = self._override_for(request, object_id)
        if not self.has_change_permission(request, override):
            raise PermissionDenied
        if request.method == "GET":
            return self._render_cell(
                request, override, "total-editor", value=override.total_sessions
            )
        form_class = self.get_form(request, override, change=True, fields=["total_sessions"])
        form = form_class(request.POST, instance=override)
        if form.is_valid():
            try:
                saved = set_total_sessions(
                    student=override.student,
                    school_class=override.school_class,
                    subject=override.subject,
                    total=form.cleaned_data["total_sessions"],
                    actor=request.user,
                )
            except TotalSessionsError as exc:
                form.add_error("total_sessions", str(exc))
            else:
                self.log_change(request, saved, [{"changed": {"fields": ["Total sessions"]}}])
                return self._render_cell(
                    request, self._override_for(request, object_id), "total-saved"
                )
        errors = form.errors.get("total_sessions") or form.non_field_errors()
        return self._render_cell(
            request,
            override,
            "total-editor",
            value=request.POST.get("total_sessions", ""),
            error=errors[0] if errors else NOT_A_NUMBER,
        )

    def _override_for(self, request, object_id: int) -> TotalSessionsOverride:
        # Scoped by get_queryset: another school's override is a 404.
        override = (
            self.get_queryset(request)
            .select_related("student__user", "school_class", "subject", "updated_by")
            .filter(pk=object_id)
            .first()
        )
        if override is None:
            raise Http404("No such total sessions.")
        return override

    def _render_cell(self, request, override, partial: str, **extra) -> HttpResponse:
        return HttpResponse(
            render_to_string(
                f"{TOTAL_SESSIONS_CELL}#{partial}",
                {**self._cell_context(override), **extra},
                request=request,
            )
        )

    def _cell_context(self, override: TotalSessionsOverride) -> dict:
        def url(view: str) -> str:
            name = f"{self.opts.app_label}_{self.opts.model_name}_{view}"
            return reverse(f"{self.admin_site.name}:{name}", args=[override.pk])

        return {
            "override": override,
            "edit_url": url("total_sessions_edit"),
            "display_url": url("total_sessions"),
            "change_url": url("change"),
            "actual_records": self._actual_records(override),
            "updated_by": self._updated_by(override),
            "updated_at": self._updated_at(override),
        }

    @staticmethod
    def _actual_records(override: TotalSessionsOverride) -> int:
        actual = getattr(override, "actual_records", None)
        if actual is None:
            actual = countable_records_covered(
                student=override.student,
                school_class=override.school_class,
                subject=override.subject,
            )
        return actual

    def _updated_by(self, override: TotalSessionsOverride) -> str:
        return (
            str(override.updated_by) if override.updated_by_id else self.get_empty_value_display()
        )

    def _updated_at(self, override: TotalSessionsOverride) -> str:
        return display_for_value(override.updated_at, self.get_empty_value_display())


# --- staff absence ---


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
