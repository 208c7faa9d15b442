"""Admin for where students sit: enrollments and memberships."""

from __future__ import annotations

from django.contrib import admin

from ..models import Enrollment, Membership
from .scoping import STUDENT_SEARCH, SchoolScopedAdmin, by_school


@admin.register(Enrollment)
class EnrollmentAdmin(SchoolScopedAdmin):
    list_display = (
        "student",
        "academic_year",
        "grade",
        "school_class",
        "section",
        "roll_number",
        "status",
        "enrollment_date",
        "school",
    )
    list_filter = ("status", by_school("academic_year"), by_school("grade"), "school")
    list_select_related = (
        "student__user",
        "academic_year",
        "grade",
        "school_class",
        "section__school_class",
        "school",
    )
    search_fields = (*STUDENT_SEARCH, "school_class__name")
    autocomplete_fields = ("student", "academic_year", "grade", "school_class", "section")
    date_hierarchy = "enrollment_date"


class CurrentMembershipFilter(admin.SimpleListFilter):
    """ "Current": open-ended memberships (no `left_on`); "Ended": those with a leaving date.

    Not a window on today: for the memberships that hold on a day, see
    `Membership.objects.active_on(day)`.
    """

    title = "membership"
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return [("yes", "Current"), ("no", "Ended")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(left_on__isnull=True)
        if self.value() == "no":
            return queryset.filter(left_on__isnull=False)
        return queryset


@admin.register(Membership)
class MembershipAdmin(SchoolScopedAdmin):
    list_display = ("student", "school_class", "joined_on", "left_on", "school")
    list_filter = (CurrentMembershipFilter, "school")
    list_select_related = ("student__user", "school_class", "school")
    search_fields = (*STUDENT_SEARCH, "school_class__name", "school_class__code")
    autocomplete_fields = ("student", "school_class")
    date_hierarchy = "joined_on"
