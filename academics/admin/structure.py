"""Admin for a school's structure: the school, years and terms, grades, subjects, classes
and sections."""

from __future__ import annotations

from django.contrib import admin

from ..models import AcademicYear, Grade, School, SchoolClass, Section, Subject, Term
from .scoping import SchoolScopedAdmin, SchoolScopedInline, by_school


class TermInline(SchoolScopedInline, admin.TabularInline):
    model = Term
    fields = ("name", "start_date", "end_date", "source_id")


class SectionInline(SchoolScopedInline, admin.TabularInline):
    model = Section
    fields = ("name", "capacity", "is_active")


@admin.register(School)
class SchoolAdmin(SchoolScopedAdmin):
    school_lookup = "pk"
    list_display = ("name", "code", "currency", "timezone", "low_grade", "high_grade")
    list_filter = ("currency", "timezone")
    search_fields = ("name", "code", "source_id")

    # A school admin runs their own school; only a superuser creates or removes schools.
    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(AcademicYear)
class AcademicYearAdmin(SchoolScopedAdmin):
    list_display = ("name", "start_date", "end_date", "is_current", "is_active", "school")
    list_filter = ("is_current", "is_active", "school")
    list_select_related = ("school",)
    search_fields = ("name", "source_id")
    date_hierarchy = "start_date"
    inlines = (TermInline,)


@admin.register(Term)
class TermAdmin(SchoolScopedAdmin):
    list_display = ("name", "academic_year", "start_date", "end_date", "school")
    list_filter = (by_school("academic_year"), "school")
    list_select_related = ("academic_year", "school")
    search_fields = ("name", "academic_year__name", "source_id")
    autocomplete_fields = ("academic_year",)
    date_hierarchy = "start_date"


@admin.register(Grade)
class GradeAdmin(SchoolScopedAdmin):
    list_display = ("name", "level", "school")
    list_filter = ("school",)
    list_select_related = ("school",)
    search_fields = ("name",)
    ordering = ("school__name", "level")


@admin.register(Subject)
class SubjectAdmin(SchoolScopedAdmin):
    list_display = ("name", "code", "school")
    list_filter = ("school",)
    list_select_related = ("school",)
    search_fields = ("name", "code")


@admin.register(SchoolClass)
class SchoolClassAdmin(SchoolScopedAdmin):
    list_display = (
        "name",
        "code",
        "kind",
        "grade",
        "subject",
        "academic_year",
        "advisor",
        "price_per_session",
        "is_active",
        "school",
    )
    list_filter = (
        "kind",
        "is_active",
        by_school("academic_year"),
        by_school("grade"),
        by_school("subject"),
        "school",
    )
    list_select_related = ("grade", "subject", "academic_year", "advisor", "school")
    search_fields = ("name", "code", "source_id", "subject__name")
    autocomplete_fields = ("academic_year", "term", "grade", "subject", "advisor")
    inlines = (SectionInline,)


@admin.register(Section)
class SectionAdmin(SchoolScopedAdmin):
    list_display = ("name", "school_class", "capacity", "is_active", "school")
    list_filter = ("is_active", "school")
    list_select_related = ("school_class", "school")
    search_fields = ("name", "school_class__name", "school_class__code")
    autocomplete_fields = ("school_class",)
