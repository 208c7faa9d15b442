"""Django admin for billing (docs/design/billing.md): bills, their lines and payments, read-only.

Bills, their lines and payments are written only by `billing.services` (generation under a
group lock, payments under a bill lock), so the admin views them and changes nothing — no
add, change or delete, not even for a superuser, and no revert from a bill's History. The
accountant's own pages do the work (preview, generate, record a payment).

Scoped like the rest of the admin (`academics.admin.SchoolScopedMixin`): a school's admin
and principal see their school's bills; Payment and BillLine have no school of their own
and are scoped through their bill (`bill__school`).
"""

from __future__ import annotations

import datetime
import re

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from academics.admin import (
    STUDENT_SEARCH,
    ReadOnlyAdminMixin,
    SchoolScopedAdmin,
    SchoolScopedInline,
    by_school,
    scoped_school_id,
)
from academics.validators import parse_id
from attendance.models import Status

from .models import Bill, BillLine, BillStatus, Payment
from .selectors import status_label, with_bill_status

_INVOICE_NUMBER = re.compile(r"(?:INV-?)?0*([0-9]+)", re.IGNORECASE)


def money(amount, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def period_label(start: datetime.date, end: datetime.date) -> str:
    """ "Oct 2025" for a whole calendar month, else "2025-10-01 – 2025-10-15"."""
    next_day = end + datetime.timedelta(days=1)
    if start.day == 1 and next_day.day == 1 and (start.year, start.month) == (end.year, end.month):
        return f"{start:%b %Y}"
    return f"{start.isoformat()} – {end.isoformat()}"


def admin_today(request) -> datetime.date:
    """The date a bill's status is worked out on: the user's school's today; for a
    superuser (no school) the server's, as the list may mix time zones."""
    school = getattr(request.user, "school", None)
    return school.today() if school is not None else timezone.localdate()


class ScopedThroughBillMixin:
    """For models without a school: their bill's school decides who sees them."""

    school_lookup = "bill__school"

    def _owns(self, request, obj) -> bool:
        if obj is None:
            return True
        school_id = obj.school_id if isinstance(obj, Bill) else obj.bill.school_id
        return school_id == request.user.school_id

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if scoped_school_id(request.user) is None:
            return filters
        return [f for f in filters if f != "bill__school"]


# --- bills -------------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    """Bill status (docs/design/billing.md), worked out from today: pending, partial, paid,
    overdue."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return BillStatus.choices

    def queryset(self, request, queryset):
        if self.value() in BillStatus.values:
            return queryset.filter(status=self.value())
        return queryset


class NeedsRecalculationFilter(admin.SimpleListFilter):
    title = "needs recalculation"
    parameter_name = "recalculate"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(needs_recalculation=True)
        if self.value() == "no":
            return queryset.filter(needs_recalculation=False)
        return queryset


class BillLineInline(
    ScopedThroughBillMixin, ReadOnlyAdminMixin, SchoolScopedInline, admin.TabularInline
):
    """The attended sessions a bill charges for (docs/design/billing.md, `attendanceRecords`)."""

    model = BillLine
    exclude = ()
    fields = ("session_date", "period", "subject", "status_now", "attendance_record")
    readonly_fields = fields
    show_change_link = False
    verbose_name = "session charged"
    verbose_name_plural = "sessions charged"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            # The bill too: each row's heading is the line's str(), which names the bill.
            .select_related(
                "bill", "attendance_record__subject", "attendance_record__student__user"
            )
        )

    @admin.display(description="date")
    def session_date(self, line: BillLine) -> datetime.date:
        return line.attendance_record.date

    @admin.display(description="period")
    def period(self, line: BillLine) -> int:
        return line.attendance_record.period_number

    @admin.display(description="subject")
    def subject(self, line: BillLine) -> str:
        return str(line.attendance_record.subject or "—")

    @admin.display(description="status now")
    def status_now(self, line: BillLine) -> str:
        record = line.attendance_record
        if record.is_orphaned:
            return "Orphaned — Period Removed (needs recalculation)"
        if record.status != Status.PRESENT:
            return f"{record.get_status_display()} (corrected: needs recalculation)"
        return record.get_status_display()


class PaymentInline(
    ScopedThroughBillMixin, ReadOnlyAdminMixin, SchoolScopedInline, admin.TabularInline
):
    model = Payment
    exclude = ()
    fields = ("paid_on", "amount", "method", "reference", "received_by", "note", "created_at")
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("bill", "received_by")


@admin.register(Bill)
class BillAdmin(ReadOnlyAdminMixin, SchoolScopedAdmin, SimpleHistoryAdmin):
    """Bills with their status and whether attendance changed since they were generated.

    Status and "needs recalculation" are worked out in the list's one query
    (`with_bill_status`), on the signed-in user's school's today.
    """

    list_display = (
        "number",
        "student",
        "school_class",
        "period",
        "sessions_attended",
        "amount_display",
        "paid_display",
        "status_display",
        "needs_recalculation_display",
        "school",
    )
    list_display_links = ("number",)
    list_filter = (
        StatusFilter,
        NeedsRecalculationFilter,
        by_school("school_class"),
        "currency",
        "school",
    )
    list_select_related = ("student__user", "school_class", "school")
    search_fields = (*STUDENT_SEARCH, "school_class__name", "school_class__code")
    search_help_text = "A student's name, username or number, a group, or an invoice number."
    date_hierarchy = "period_start"
    ordering = ("-period_start", "school_class__name", "student__user__last_name", "pk")
    inlines = (BillLineInline, PaymentInline)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "school",
                    "student",
                    "school_class",
                    ("period_start", "period_end"),
                )
            },
        ),
        (
            "Amount",
            {
                "fields": (
                    ("sessions_attended", "price_display"),
                    "amount_display",
                    "paid_display",
                    "remaining_display",
                    "credit_display",
                    "due_date",
                    "status_display",
                    "needs_recalculation_display",
                    "recalculated_at",
                )
            },
        ),
        ("Who and when", {"fields": ("created_by", "created_at", "updated_by", "updated_at")}),
    )
    readonly_fields = (
        "number",
        "price_display",
        "amount_display",
        "paid_display",
        "remaining_display",
        "credit_display",
        "status_display",
        "needs_recalculation_display",
    )

    def get_queryset(self, request):
        return with_bill_status(super().get_queryset(request), today=admin_today(request))

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        number = _INVOICE_NUMBER.fullmatch(search_term.strip())
        bill_id = parse_id(number[1]) if number else None
        if bill_id is not None:
            results = queryset.filter(Q(pk__in=results.values("pk")) | Q(pk=bill_id))
        return results, may_have_duplicates

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # simple-history saves a POSTed old version without asking for change permission.
        if request.method == "POST":
            raise PermissionDenied("Bills are written only by billing; nothing to revert.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    @admin.display(description="number", ordering="pk")
    def number(self, bill: Bill) -> str:
        return bill.number

    @admin.display(description="period", ordering="period_start")
    def period(self, bill: Bill) -> str:
        return period_label(bill.period_start, bill.period_end)

    @admin.display(description="amount", ordering="amount")
    def amount_display(self, bill: Bill) -> str:
        return money(bill.amount, bill.currency)

    @admin.display(description="price per session")
    def price_display(self, bill: Bill) -> str:
        return money(bill.price_per_session, bill.currency)

    @admin.display(description="paid", ordering="paid_amount")
    def paid_display(self, bill: Bill) -> str:
        return money(bill.paid_amount, bill.currency)

    @admin.display(description="still to pay")
    def remaining_display(self, bill: Bill) -> str:
        return money(bill.remaining, bill.currency)

    @admin.display(description="credit (overpaid)")
    def credit_display(self, bill: Bill) -> str:
        return money(bill.credit, bill.currency) if bill.credit else "—"

    @admin.display(description="status", ordering="status")
    def status_display(self, bill: Bill) -> str:
        status = getattr(bill, "status", None)
        return status_label(status) if status else "—"

    @admin.display(description="needs recalculation", boolean=True)
    def needs_recalculation_display(self, bill: Bill) -> bool | None:
        return getattr(bill, "needs_recalculation", None)


# --- payments ----------------------------------------------------------------------------


@admin.register(Payment)
class PaymentAdmin(ScopedThroughBillMixin, ReadOnlyAdminMixin, SchoolScopedAdmin):
    """Money received against bills, and refunds; recorded, voided and refunded on the
    accountant's bill page (docs/design/billing.md, "Voids and refunds")."""

    list_display = (
        "paid_on",
        "bill_link",
        "student",
        "group",
        "kind",
        "amount_display",
        "method",
        "reference",
        "received_by",
        "voided_at",
        "school",
    )
    list_filter = ("kind", "method", "bill__currency", "bill__school")
    list_select_related = (
        "bill__student__user",
        "bill__school_class",
        "bill__school",
        "received_by",
        "voided_by",
    )
    search_fields = (
        *(f"bill__{lookup}" for lookup in STUDENT_SEARCH),
        "bill__school_class__name",
        "reference",
    )
    date_hierarchy = "paid_on"
    ordering = ("-paid_on", "-pk")
    fields = (
        "bill_link",
        "student",
        "group",
        "amount",
        "paid_on",
        "method",
        "reference",
        "note",
        "received_by",
        "created_at",
        "kind",
        "voided_at",
        "voided_by",
        "void_reason",
    )
    readonly_fields = ("bill_link", "student", "group")

    @admin.display(description="bill", ordering="bill_id")
    def bill_link(self, payment: Payment) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:billing_bill_change", args=[payment.bill_id]),
            payment.bill.number,
        )

    @admin.display(description="student", ordering="bill__student__user__last_name")
    def student(self, payment: Payment) -> str:
        return str(payment.bill.student)

    @admin.display(description="group", ordering="bill__school_class__name")
    def group(self, payment: Payment) -> str:
        return str(payment.bill.school_class)

    @admin.display(description="amount", ordering="amount")
    def amount_display(self, payment: Payment) -> str:
        return money(payment.amount, payment.bill.currency)

    @admin.display(description="school", ordering="bill__school__name")
    def school(self, payment: Payment) -> str:
        return str(payment.bill.school)
