"""Notifications in the Django admin: every message, filterable, with "Resend"
(docs/manual/notifications.md). Rows are written by the services only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from academics.admin import SchoolScopedAdmin
from academics.admin.scoping import ACCESS_ALL, ACCESS_EDIT, ReadOnlyAdminMixin, admin_access

from .models import Notification
from .services import resend


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, SchoolScopedAdmin):
    list_display = (
        "created_at",
        "kind",
        "recipient",
        "to_address",
        "student",
        "day",
        "status",
        "attempts",
        "sent_at",
        "school",
    )
    list_filter = ("kind", "status", "channel", "school", "day", "created_at")
    list_select_related = ("recipient", "student__user", "school")
    search_fields = (
        "recipient__email",
        "recipient__first_name",
        "recipient__last_name",
        "student__user__first_name",
        "student__user__last_name",
        "subject",
    )
    date_hierarchy = "created_at"
    actions = ("resend_selected",)
    readonly_fields = (
        "school",
        "recipient",
        "student",
        "bill",
        "kind",
        "channel",
        "day",
        "key",
        "to_address",
        "subject",
        "text_body",
        "html_body",
        "status",
        "attempts",
        "last_error",
        "send_after",
        "created_at",
        "sent_at",
    )

    def has_resend_permission(self, request) -> bool:
        return admin_access(request.user) in (ACCESS_ALL, ACCESS_EDIT)

    @admin.action(description=_("Resend the selected notifications"), permissions=["resend"])
    def resend_selected(self, request, queryset):
        count = resend(queryset.select_for_update(of=("self",)))
        self.message_user(
            request,
            ngettext(
                "%(count)d notification queued to be sent again.",
                "%(count)d notifications queued to be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
