"""Total-sessions overrides in the admin, with the inline edit of the change list
(docs/design/total-sessions.md)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import display_for_value
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from academics.admin import (
    STUDENT_SEARCH,
    SchoolRelatedFilter,
    SchoolScopedAdmin,
    SchoolScopedForm,
    by_school,
    scoped_school_id,
)

from ..models import TotalSessionsOverride
from ..selectors.total_sessions import (
    countable_records_covered,
    has_total_sessions,
    is_member_of,
    with_actual_records,
)
from ..services.total_sessions import (
    NOT_A_NUMBER,
    NotAMember,
    TotalBelowActual,
    TotalSessionsError,
    clear_total_sessions,
    parse_total_sessions,
    set_total_sessions,
)

TOTAL_SESSIONS_CELL = "admin/attendance/totalsessionsoverride/total_sessions_cell.html"


class TotalSessionsOverrideForm(SchoolScopedForm):
    """Checks what `set_total_sessions` checks, with its messages (docs/design/total-sessions.md),
    so the admin and the teacher's inline edit refuse the same totals: a whole number, a student of
    the class, and not below the countable records the override covers — counted, like the
    percentage, only inside the student's membership of the class (docs/design/attendance.md,
    EC-ATT-01)."""

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
        if not is_member_of(student=student, school_class=school_class):
            self.add_error(self._error_field("student"), str(NotAMember(student, school_class)))
            return cleaned
        if self.instance.pk is None and has_total_sessions(
            student=student, school_class=school_class, subject=subject
        ):
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


@admin.register(TotalSessionsOverride)
class TotalSessionsOverrideAdmin(SchoolScopedAdmin, SimpleHistoryAdmin):
    """Student total sessions (docs/design/total-sessions.md, "Admin Panel Management").

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
