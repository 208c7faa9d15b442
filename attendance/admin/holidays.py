"""academics' Holiday admin, plus the action that fills H."""

from __future__ import annotations

from django.contrib import admin

from academics.admin import HolidayAdmin
from academics.models import Holiday

from ..services.calendar import fill_holiday

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
