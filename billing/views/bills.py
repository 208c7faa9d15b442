"""Bills (docs/design/billing.md): the school's bills list and its CSV/XLSX export, a bill's
page (its sessions, payments, "Record a payment", "Recalculate"), the printable invoice,
and a student's own bills.

Who: accountants and admins read and work on every bill of their school; a student
reads their own bills, their pages and invoices, and changes nothing; everyone else gets
403. A bill outside what `billing.selectors.school_bills` lets the user read (another
school's, another student's) is a 404. Writes go through `billing.services`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from academics.access import htmx_sign_in_again, role_required, wants_partial
from academics.models import Role, User
from attendance.exports import EXPORT_FORMATS, tabular_response
from attendance.models import Status

from ..access import BILL_READERS, BILLING_READERS, BILLING_ROLES, can_bill, can_read_bills
from ..exports import BILL_EXPORT_HEADERS, bill_rows
from ..forms import BillFilterForm, PaymentForm, RefundForm, VoidPaymentForm
from ..models import Bill, BillLine, BillStatus
from ..selectors import (
    bill_group,
    bill_group_choices,
    bill_history,
    bill_lines,
    bill_payments,
    filtered_bills,
    ordered_for_list,
    readable_bill,
    revenue,
    student_bills,
    unbilled_session_count,
)
from ..services import (
    BillingError,
    PaymentError,
    recalculate_bill,
    record_payment,
    refund_overpayment,
    void_payment,
)
from ..templatetags.billing import money

TEMPLATE_LIST = "billing/bills.html"
TEMPLATE_BILL = "billing/bill.html"
PAGE_SIZE = 50
ORPHANED_LABEL = "Orphaned — Period Removed"


def _labelled(bills):
    """Give each bill (annotated by `with_bill_status`) its status label for display."""
    for bill in bills:
        bill.status_label = BillStatus(bill.status).label
    return bills


# --- the list and its exports ---------------------------------------------------------------


def _filters(request: HttpRequest) -> tuple[BillFilterForm, dict]:
    """The list's filters from the query string. A filter that does not parse is left
    out (the page says so); the others still apply."""
    form = BillFilterForm(request.GET or None)
    if not form.is_bound:
        return form, {}
    form.is_valid()
    return form, {key: value for key, value in form.cleaned_data.items() if value}


def _filter_query(filters: dict, **extra) -> str:
    """The filters as a query string (for the pager, the exports and "see all")."""
    query = {}
    for key, value in {**filters, **extra}.items():
        if isinstance(value, datetime.date):
            value = value.strftime("%Y-%m")
        query[key] = value
    return urlencode(query)


def _embedded(request: HttpRequest) -> bool:
    """True when the table is requested by another page (the group revenue page embeds
    it with hx-get): its pager must then not push the bills list's URL onto that page."""
    current = request.htmx.current_url if getattr(request, "htmx", None) else None
    return bool(current) and urlsplit(current).path != reverse("billing:bills")


@htmx_sign_in_again("billing:bills")
@role_required(*BILLING_READERS)
def bill_list(request: HttpRequest) -> HttpResponse:
    """The school's bills, filterable by status, group, month and student name, with the
    totals of the filtered set and a pager. An htmx request gets the table only
    (`bills.html#bills-table`), which other billing pages embed too."""
    user = request.user
    school = user.school
    today = school.today()
    form, filters = _filters(request)
    bills = filtered_bills(user=user, filters=filters, today=today)
    page = Paginator(ordered_for_list(bills), PAGE_SIZE).get_page(request.GET.get("page"))
    _labelled(page.object_list)
    partial = wants_partial(request)
    group_id = filters.get("group")
    groups = []
    if partial:
        group = bill_group(school_id=school.pk, group_id=group_id)
    else:
        # The group picker: groups that have bills (and the one asked for).
        groups = bill_group_choices(school_id=school.pk, group_id=group_id)
        group = next((g for g in groups if g.pk == group_id), None)
    context = {
        "form": form,
        "filters": filters,
        "group": group,
        "groups": groups,
        "page": page,
        "bills": page.object_list,
        "totals": revenue(bills, today=today),
        "currency": school.currency,
        "status_choices": BillStatus.choices,
        "filter_query": _filter_query(filters),
        "embedded": partial and _embedded(request),
        "today": today,
    }
    template = TEMPLATE_LIST + ("#bills-table" if partial else "")
    return render(request, template, context)


@role_required(*BILLING_READERS)
def export_bills(request: HttpRequest, fmt: str) -> HttpResponse:
    """The filtered bills (the list's filters, every page) as CSV or XLSX."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("Bills export as .csv or .xlsx.")
    user = request.user
    today = user.school.today()
    _, filters = _filters(request)
    bills = ordered_for_list(filtered_bills(user=user, filters=filters, today=today))
    month = filters.get("month")
    name = f"bills-{month:%Y-%m}" if month else f"bills-{today:%Y-%m-%d}"
    return tabular_response(bill_rows(bills.iterator()), BILL_EXPORT_HEADERS, name, fmt)


# --- a bill's page ----------------------------------------------------------------------------


def _get_bill_for_user(user: User, bill_id: int, *, today: datetime.date) -> Bill:
    """The bill with its status, if `user` may read it; 404 otherwise (another school's,
    another student's)."""
    bill = readable_bill(user=user, bill_id=bill_id, today=today)
    if bill is None:
        raise Http404("No such bill.")
    bill.status_label = BillStatus(bill.status).label
    return bill


def _lines(bill: Bill) -> list[BillLine]:
    """The sessions the bill charges for, each marked `corrected` when its record is no
    longer P (or was orphaned) since the bill was generated."""
    lines = bill_lines(bill=bill)
    for line in lines:
        record = line.attendance_record
        line.corrected = record.is_orphaned or record.status != Status.PRESENT
        line.corrected_to = ORPHANED_LABEL if record.is_orphaned else record.get_status_display()
    return lines


def _bill_context(request: HttpRequest, bill: Bill, *, today: datetime.date, **extra) -> dict:
    can_manage = can_bill(request.user)
    context = {
        "bill": bill,
        "can_manage": can_manage,
        "can_list": can_read_bills(request.user),  # the school's bills list, not "My bills"
        "payments": bill_payments(bill=bill),
        "today": today,
    }
    if can_manage and "form" not in extra:
        extra["form"] = PaymentForm(today=today)
    if can_manage and "refund_form" not in extra:
        extra["refund_form"] = RefundForm(today=today)
    return context | extra


def _page_context(request: HttpRequest, bill: Bill, *, today: datetime.date, **extra) -> dict:
    """Everything the whole bill page shows (the partials need less)."""
    lines = _lines(bill)
    new_sessions = unbilled_session_count(bill=bill) if bill.new_sessions else 0
    context = _bill_context(request, bill, today=today, **extra)
    context |= {
        "lines": lines,
        "corrected_lines": [line for line in lines if line.corrected],
        "new_sessions_count": new_sessions,
    }
    if context["can_manage"]:
        context["history"] = bill_history(bill=bill)
    return context


@role_required(*BILL_READERS)
def bill_detail(request: HttpRequest, bill_id: int) -> HttpResponse:
    """A bill: its figures and status, a banner when attendance changed since it was
    billed (with "Recalculate"), the sessions it charges for, its payments and, for
    accountants and admins, the "Record a payment" form. A student reads their own."""
    today = request.user.school.today()
    bill = _get_bill_for_user(request.user, bill_id, today=today)
    return render(request, TEMPLATE_BILL, _page_context(request, bill, today=today))


@htmx_sign_in_again("billing:bills")
@role_required(*BILLING_ROLES)
@require_POST
def record_payment_view(request: HttpRequest, bill_id: int) -> HttpResponse:
    """Record money received against the bill (docs/design/billing.md: partial payments allowed;
    more than is owed is refused with the service's message and nothing is written).

    htmx: answers the payment panel (a fresh form, or the same one with its errors,
    status 200 so htmx swaps it) plus the figures and payments list out of band. Without
    htmx: a redirect to the bill page with a message, or the page with the form's errors.
    """
    today = request.user.school.today()
    bill = _get_bill_for_user(request.user, bill_id, today=today)
    form = PaymentForm(request.POST, today=today)
    if form.is_valid():
        data = form.cleaned_data
        try:
            payment = record_payment(
                bill=bill,
                amount=data["amount"],
                paid_on=data["paid_on"],
                method=data["method"],
                reference=data["reference"],
                note=data["note"],
                received_by=request.user,
            )
        except PaymentError as exc:
            form.add_error(None, str(exc))
        else:
            recorded = f"Recorded {money(payment.amount, bill.currency)} for {bill.number}."
            if not request.htmx:
                messages.success(request, recorded)
                return redirect("billing:bill", bill_id=bill.pk)
            bill = _get_bill_for_user(request.user, bill_id, today=today)
            context = _bill_context(request, bill, today=today, recorded=recorded)
            return render(request, f"{TEMPLATE_BILL}#payment-recorded", context)
    if request.htmx:
        context = _bill_context(request, bill, today=today, form=form)
        return render(request, f"{TEMPLATE_BILL}#payment-panel", context)
    return render(request, TEMPLATE_BILL, _page_context(request, bill, today=today, form=form))


def _payments_changed(
    request: HttpRequest, bill_id: int, *, today: datetime.date, done: str = "", error: str = ""
) -> HttpResponse:
    """After a void or a refund: htmx gets the payments list (with what happened, or why
    nothing did) and the figures and both forms out of band; without htmx, a redirect
    to the bill with the message."""
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, done)
        return redirect("billing:bill", bill_id=bill_id)
    bill = _get_bill_for_user(request.user, bill_id, today=today)
    context = _bill_context(request, bill, today=today, payments_done=done, payments_error=error)
    return render(request, f"{TEMPLATE_BILL}#payments-changed", context)


@htmx_sign_in_again("billing:bills")
@role_required(*BILLING_ROLES)
@require_POST
def void_payment_view(request: HttpRequest, bill_id: int, payment_id: int) -> HttpResponse:
    """Void one payment (or refund) of the bill, with a reason: it stays listed, struck
    through, and the bill's paid amount and status are recomputed (docs/design/billing.md,
    "Voids and refunds"). Nothing is written on a refusal."""
    today = request.user.school.today()
    bill = _get_bill_for_user(request.user, bill_id, today=today)
    payment = get_object_or_404(bill.payments.all(), pk=payment_id)
    form = VoidPaymentForm(request.POST)
    if not form.is_valid():
        error = " ".join(e for errors in form.errors.values() for e in errors)
        return _payments_changed(request, bill.pk, today=today, error=error)
    try:
        void_payment(payment=payment, reason=form.cleaned_data["reason"], actor=request.user)
    except PaymentError as exc:
        return _payments_changed(request, bill.pk, today=today, error=str(exc))
    done = _("Voided the %(kind)s of %(amount)s received on %(date)s.") % {
        "kind": payment.get_kind_display().lower(),
        "amount": money(abs(payment.amount), bill.currency),
        "date": date_format(payment.paid_on, "j M Y"),
    }
    return _payments_changed(request, bill.pk, today=today, done=done)


@htmx_sign_in_again("billing:bills")
@role_required(*BILLING_ROLES)
@require_POST
def refund_view(request: HttpRequest, bill_id: int) -> HttpResponse:
    """Record money given back from what was paid beyond the bill's amount (at most the
    bill's credit), with a reason (docs/design/billing.md, "Voids and refunds")."""
    today = request.user.school.today()
    bill = _get_bill_for_user(request.user, bill_id, today=today)
    form = RefundForm(request.POST, today=today)
    if not form.is_valid():
        error = " ".join(e for errors in form.errors.values() for e in errors)
        return _payments_changed(request, bill.pk, today=today, error=error)
    data = form.cleaned_data
    try:
        refund_overpayment(
            bill=bill,
            amount=data["amount"],
            paid_on=data["paid_on"],
            method=data["method"],
            reason=data["reason"],
            actor=request.user,
        )
    except PaymentError as exc:
        return _payments_changed(request, bill.pk, today=today, error=str(exc))
    done = _("Recorded a refund of %(amount)s for %(number)s.") % {
        "amount": money(data["amount"], bill.currency),
        "number": bill.number,
    }
    return _payments_changed(request, bill.pk, today=today, done=done)


@role_required(*BILLING_ROLES)
@require_POST
def recalculate(request: HttpRequest, bill_id: int) -> HttpResponse:
    """Bring the bill up to date with its period's attendance
    (`billing.services.recalculate_bill`) and say what changed."""
    today = request.user.school.today()
    bill = _get_bill_for_user(request.user, bill_id, today=today)
    try:
        result = recalculate_bill(bill=bill, actor=request.user)
    except BillingError as exc:
        messages.error(request, f"{bill.number} was not recalculated: {exc}")
        return redirect("billing:bill", bill_id=bill.pk)
    if result.updated:
        updated = result.updated[0]
        updated.refresh_from_db(fields=["paid_amount"])
        text = (
            f"{updated.number} recalculated: {updated.sessions_attended} "
            f"session{'s' if updated.sessions_attended != 1 else ''}, "
            f"{money(updated.amount, updated.currency)}."
        )
        if updated.credit:
            text += (
                f" {money(updated.credit, updated.currency)} was paid beyond the new "
                "amount; it is held as credit for the student."
            )
        messages.success(request, text)
    else:
        reason = result.skipped[0].reason if result.skipped else "Nothing to change."
        messages.info(request, reason)
    return redirect("billing:bill", bill_id=bill.pk)


@role_required(*BILL_READERS)
def invoice(request: HttpRequest, bill_id: int) -> HttpResponse:
    """The bill as a printable invoice (its own print stylesheet; "Print" in
    static/billing/bills.js)."""
    today = request.user.school.today()
    bill = _get_bill_for_user(request.user, bill_id, today=today)
    context = {
        "bill": bill,
        "lines": _lines(bill),
        "school": bill.school,
        "today": today,
        "can_manage": can_bill(request.user),
    }
    return render(request, "billing/invoice.html", context)


# --- a student's own bills ----------------------------------------------------------------------


@role_required(Role.STUDENT)
def my_bills(request: HttpRequest) -> HttpResponse:
    """The signed-in student's bills, newest period first, each with its status and the
    sessions it covers."""
    user = request.user
    today = user.school.today()
    bills = student_bills(user=user, today=today)
    _labelled(bills)
    # What is still owed, per currency (a school bills in one, but a bill keeps its own).
    owed: dict[str, Decimal] = {}
    for bill in bills:
        if bill.remaining:
            owed[bill.currency] = owed.get(bill.currency, Decimal("0")) + bill.remaining
    context = {"bills": bills, "today": today, "owed": sorted(owed.items())}
    return render(request, "billing/my_bills.html", context)
