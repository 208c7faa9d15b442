"""Admin for users and their student, staff and guardian profiles, and guardianships."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.db.models import Count

from ..models import GuardianProfile, Guardianship, StaffProfile, StudentProfile, User
from .invitations import PeopleFilter, SchoolClassFilter, send_invitation
from .scoping import STUDENT_SEARCH, SchoolScopedAdmin, SchoolScopedInline, SchoolScopedMixin


@admin.register(User)
class UserAdmin(SchoolScopedMixin, DjangoUserAdmin):
    form = UserChangeForm
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "role",
        "school",
        "is_staff",
        "is_active",
    )
    list_filter = (
        PeopleFilter,
        "role",
        SchoolClassFilter,
        "school",
        "is_staff",
        "is_active",
        "is_superuser",
    )
    list_select_related = ("school",)
    actions = (send_invitation,)
    search_fields = ("username", "first_name", "last_name", "email")
    ordering = ("last_name", "first_name", "username")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("School", {"fields": ("school", "role")}),
        *DjangoUserAdmin.fieldsets[1:],
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("School", {"fields": ("school", "role", "first_name", "last_name", "email")}),
    )
    # Only a superuser may hand out superuser status or Django permissions.
    superuser_only_fields = ("is_superuser", "groups", "user_permissions")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (
                name,
                {
                    **options,
                    "fields": [f for f in options["fields"] if f not in self.superuser_only_fields],
                },
            )
            for name, options in fieldsets
        ]

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [f for f in filters if f not in self.superuser_only_fields]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(is_superuser=False)


class ProfileAdmin(SchoolScopedAdmin):
    list_select_related = ("user", "school")
    autocomplete_fields = ("user",)

    @admin.display(description="username", ordering="user__username")
    def username(self, profile) -> str:
        return profile.user.username


class StudentGuardiansInline(SchoolScopedInline, admin.TabularInline):
    """The student's guardians, seen from the student: a guardian is picked by
    autocomplete among the admin's school's guardians (docs/manual/guardians.md)."""

    model = Guardianship
    fk_name = "student"
    autocomplete_fields = ("guardian",)
    fields = ("guardian", "relationship")
    verbose_name = "guardian"
    verbose_name_plural = "guardians"
    show_change_link = False


@admin.register(StudentProfile)
class StudentProfileAdmin(ProfileAdmin):
    list_display = ("__str__", "username", "student_number", "date_of_birth", "is_active", "school")
    list_filter = ("is_active", "school")
    search_fields = (
        "user__first_name",
        "user__last_name",
        "user__username",
        "student_number",
        "source_id",
    )
    inlines = (StudentGuardiansInline,)


@admin.register(StaffProfile)
class StaffProfileAdmin(ProfileAdmin):
    list_display = ("__str__", "username", "title", "department", "employee_number", "school")
    list_filter = ("department", "school")
    search_fields = (
        "user__first_name",
        "user__last_name",
        "user__username",
        "title",
        "department",
        "employee_number",
        "source_id",
    )


class GuardianshipInline(SchoolScopedInline, admin.TabularInline):
    """The guardian's children: a student is picked by autocomplete, which searches only
    the admin's school (StudentProfileAdmin's scoped queryset)."""

    model = Guardianship
    fk_name = "guardian"
    autocomplete_fields = ("student",)
    fields = ("student", "relationship")
    verbose_name = "child"
    verbose_name_plural = "children"
    show_change_link = False


@admin.register(GuardianProfile)
class GuardianProfileAdmin(ProfileAdmin):
    """Guardians with their children inline (docs/manual/guardians.md)."""

    list_display = ("__str__", "username", "email", "phone", "children", "school")
    list_filter = ("notify_absences", "notify_bills", "school")
    search_fields = (
        "user__first_name",
        "user__last_name",
        "user__username",
        "user__email",
        "phone",
        "source_id",
    )
    fields = ("school", "user", "phone", "source_id", "notify_absences", "notify_bills")
    inlines = (GuardianshipInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(child_count=Count("guardianships"))

    @admin.display(description="email", ordering="user__email")
    def email(self, profile) -> str:
        return profile.user.email

    @admin.display(description="children", ordering="child_count")
    def children(self, profile) -> int:
        return profile.child_count


@admin.register(Guardianship)
class GuardianshipAdmin(SchoolScopedAdmin):
    """Every guardian–child link of the school, searchable by either side."""

    list_display = ("guardian", "student", "relationship", "school")
    list_select_related = ("guardian__user", "student__user", "school")
    list_filter = ("relationship", "school")
    autocomplete_fields = ("guardian", "student")
    search_fields = (
        *STUDENT_SEARCH,
        "guardian__user__first_name",
        "guardian__user__last_name",
        "guardian__user__email",
        "relationship",
    )
