"""Selecting people and inviting them from the Django admin's user list
(docs/operations/sign-in.md, "Invitations")."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ..access import STAFF_ROLES
from ..models import Role, SchoolClass
from ..services.invitations import send_invitations
from .scoping import scoped_school_id


class PeopleFilter(admin.SimpleListFilter):
    """Staff (every role that works for the school), students or guardians: "all staff of
    the school" in one click, where the role filter picks one role."""

    title = gettext_lazy("people")
    parameter_name = "people"

    def lookups(self, request, model_admin):
        return [
            ("staff", _("Staff")),
            ("students", _("Students")),
            ("guardians", _("Guardians")),
        ]

    def queryset(self, request, queryset):
        roles = {
            "staff": STAFF_ROLES,
            "students": {Role.STUDENT},
            "guardians": {Role.GUARDIAN},
        }.get(self.value())
        return queryset if roles is None else queryset.filter(role__in=roles)


class SchoolClassFilter(admin.SimpleListFilter):
    """The people of one class: its students (current members), their guardians, and the
    teachers of its timetable. With the role filter: "all guardians of 7A"."""

    title = gettext_lazy("class")
    parameter_name = "school_class"

    def lookups(self, request, model_admin):
        classes = SchoolClass.objects.select_related("school").order_by("school__name", "name")
        school_id = scoped_school_id(request.user)
        if school_id is not None:
            return [(c.pk, str(c)) for c in classes.filter(school_id=school_id)]
        return [(c.pk, f"{c} ({c.school})") for c in classes]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not str(value).isdigit():
            return queryset.none()
        current = {"memberships__school_class_id": int(value), "memberships__left_on__isnull": True}
        students = Q(**{f"student_profile__{k}": v for k, v in current.items()})
        guardians = Q(
            **{f"guardian_profile__guardianships__student__{k}": v for k, v in current.items()}
        )
        teachers = Q(timetable_slots__school_class_id=int(value))
        return queryset.filter(students | guardians | teachers).distinct()


@admin.action(description=gettext_lazy("Send invitation to set a password"))
def send_invitation(modeladmin, request, queryset):
    """Email each selected person a one-time link to set their password; say how many
    were sent and how many were skipped (no email address, switched off)."""
    result = send_invitations(users=queryset, base_url=request.build_absolute_uri("/"))
    level = messages.SUCCESS if result.sent else messages.WARNING
    parts = [
        ngettext("Sent %(n)d invitation.", "Sent %(n)d invitations.", result.sent)
        % {"n": result.sent}
    ]
    if result.without_email:
        parts.append(
            ngettext(
                "Skipped %(n)d person without an email address.",
                "Skipped %(n)d people without an email address.",
                result.without_email,
            )
            % {"n": result.without_email}
        )
    if result.inactive:
        parts.append(
            ngettext(
                "Skipped %(n)d inactive account.",
                "Skipped %(n)d inactive accounts.",
                result.inactive,
            )
            % {"n": result.inactive}
        )
    modeladmin.message_user(request, " ".join(parts) or _("Nothing to send."), level)
