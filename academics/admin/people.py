"""Admin for users and their student and staff profiles."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm

from ..models import StaffProfile, StudentProfile, User
from .scoping import SchoolScopedAdmin, SchoolScopedMixin


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
    list_filter = ("role", "school", "is_staff", "is_active", "is_superuser")
    list_select_related = ("school",)
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
