"""Admin for promotion runs, their rows and their log (docs/design/promotion.md).

Runs, their rows and the log are written only by `academics.services.promotion` (the
wizard and `manage.py promote_students`): the admin shows them and changes nothing.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from ..models import PromotionLog, PromotionRow, PromotionRun
from .scoping import ReadOnlyAdminMixin, SchoolScopedAdmin, SchoolScopedInline, by_school


class PromotionRowInline(ReadOnlyAdminMixin, SchoolScopedInline, admin.TabularInline):
    """One line per student: where from, where to, what happened (the run's plan, and after
    execution what undo will restore)."""

    model = PromotionRow
    school_lookup = "run__school"
    exclude = ()
    fields = (
        "student",
        "action",
        "from_place",
        "to_grade",
        "to_class",
        "to_section",
        "roll_number",
        "alert",
        "warning",
        "notes",
        "previous_status",
    )
    readonly_fields = fields
    show_change_link = False
    verbose_name = "student"
    verbose_name_plural = "students"

    def get_queryset(self, request):
        # The run too: each row's heading is the row's str(), and scoping reads the run.
        return (
            super()
            .get_queryset(request)
            .select_related(
                "run",
                "student__user",
                "from_enrollment__grade",
                "from_enrollment__school_class",
                "from_enrollment__section",
                "to_grade",
                "to_class",
                "to_section__school_class",  # a section reads "10-A – A"
            )
        )

    @admin.display(description="from")
    def from_place(self, row: PromotionRow) -> str:
        enrollment = row.from_enrollment
        parts = [str(enrollment.grade), str(enrollment.school_class or "")]
        if enrollment.section:
            parts.append(enrollment.section.name)
        return " · ".join(p for p in parts if p)


@admin.register(PromotionRun)
class PromotionRunAdmin(ReadOnlyAdminMixin, SchoolScopedAdmin):
    """Promotion runs: drafts being planned, executed, undone and discarded
    ones, each with its students and a link to its log entries."""

    list_display = (
        "__str__",
        "status",
        "mode",
        "from_year",
        "to_year",
        "students",
        "created_by",
        "executed_at",
        "executed_by",
        "reverted_at",
        "school",
    )
    list_filter = ("status", "mode", by_school("from_year"), by_school("to_year"), "school")
    list_select_related = ("from_year", "to_year", "created_by", "executed_by", "school")
    date_hierarchy = "created_at"
    fields = (
        "school",
        ("from_year", "to_year"),
        ("mode", "status"),
        "filters",
        "notes",
        "log_link",
        ("created_by", "created_at"),
        ("executed_by", "executed_at"),
        ("reverted_by", "reverted_at"),
        ("updated_by", "updated_at"),
    )
    readonly_fields = ("log_link",)
    inlines = (PromotionRowInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(student_count=Count("rows"))

    @admin.display(description="students", ordering="student_count")
    def students(self, run: PromotionRun) -> int:
        return run.student_count

    @admin.display(description="log")
    def log_link(self, run: PromotionRun) -> str:
        if run.pk is None:
            return "—"
        url = reverse("admin:academics_promotionlog_changelist")
        link = '<a href="{}?run__id__exact={}">Log entries of this run</a>'
        return format_html(link, url, run.pk)


@admin.register(PromotionLog)
class PromotionLogAdmin(ReadOnlyAdminMixin, SchoolScopedAdmin):
    """The promotion audit log: one entry per execution and per undo, with
    who, when, the counts and how long it took."""

    list_display = (
        "created_at",
        "event",
        "from_academic_year",
        "to_academic_year",
        "promotion_type",
        "total_students",
        "promoted_count",
        "retained_count",
        "graduated_count",
        "left_count",
        "seconds_display",
        "promoted_by",
        "run_link",
        "school",
    )
    list_filter = (
        "event",
        "promotion_type",
        by_school("from_academic_year"),
        by_school("to_academic_year"),
        "school",
    )
    list_select_related = ("from_academic_year", "to_academic_year", "promoted_by", "school")
    date_hierarchy = "created_at"
    fields = (
        "school",
        "run_link",
        "event",
        ("from_academic_year", "to_academic_year"),
        "promotion_type",
        "promoted_by",
        "created_at",
        "total_students",
        ("promoted_count", "retained_count", "graduated_count", "left_count"),
        "seconds",
        "notes",
    )
    readonly_fields = ("run_link", "created_at")

    @admin.display(description="run", ordering="run")
    def run_link(self, log: PromotionLog) -> str:
        url = reverse("admin:academics_promotionrun_change", args=[log.run_id])
        return format_html('<a href="{}">#{}</a>', url, log.run_id)

    @admin.display(description="seconds", ordering="seconds")
    def seconds_display(self, log: PromotionLog) -> str:
        return f"{log.seconds:.2f}"
