"""The accountant's group pages (docs/design/billing.md, "Accountant's pages").

- `/billing/`: the school's groups with their price per session (edited inline with htmx,
  or on a plain page without JS), members, bills, and links to bill them and to their
  revenue.
- `/billing/groups/<id>/`: a group's period picker, the preview of its bills
  (`calculate_bills`), "Generate" (`generate_bills`) and the result in place.
- `/billing/groups/<id>/revenue/`: expected vs collected vs pending, counts by status, a
  bar chart by month and the group's bills.

Accountants and admins only (`BILLING_ROLES`); other roles get 403, another school's group
404. Every screen works as a plain link or form post; htmx only swaps the parts.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_htmx.http import push_url

from academics.access import htmx_sign_in_again, role_required, wants_partial
from academics.models import SchoolClass, User
from academics.services.classes import PriceError, set_price_per_session

from ..access import BILLING_READERS, BILLING_ROLES, can_bill
from ..charts import revenue_chart
from ..forms import BillFilterForm, GenerateForm, GroupFilterForm, PriceForm
from ..models import BillStatus
from ..selectors import (
    BillingCalculation,
    StudentCalculation,
    bill_statuses,
    billing_groups,
    calculate_bills,
    group_bills,
    listed_group_bills,
    member_count,
    revenue_by_month,
    school_group,
)
from ..selectors import revenue as revenue_totals
from ..services import BillingError, GenerationResult, generate_bills
from ..templatetags.billing import money

GROUPS_PAGE_SIZE = 50
BILLS_PAGE_SIZE = 50
LIST_TEMPLATE = "billing/groups.html"
GROUP_TEMPLATE = "billing/group.html"
REVENUE_TEMPLATE = "billing/revenue.html"
NOT_PRICED = "{group} has no price per session, so it cannot be billed. Set its price first."


def billing_view(view: Callable) -> Callable:
    """Accountants and admins only; a signed-out htmx request signs in as a whole page."""
    return htmx_sign_in_again("billing:groups")(role_required(*BILLING_ROLES)(view))


def _group_for(user: User, group_id: int) -> SchoolClass:
    """The user's school's group, or 404 (another school's group is not there)."""
    group = school_group(user=user, group_id=group_id)
    if group is None:
        raise Http404("No such group in your school.")
    return group


# --- the groups list and the inline price edit ---------------------------------------------


@billing_view
def group_list(request: HttpRequest) -> HttpResponse:
    """The school's groups (active ones unless asked), searchable by name or code, 50 a
    page, each with its price per session, members and bills. A constant number of
    queries per page."""
    user = request.user
    school = user.school
    today = school.today()
    form = GroupFilterForm(request.GET or None)
    q, include_inactive = "", False
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        include_inactive = form.cleaned_data["inactive"]
    groups = billing_groups(user=user, today=today, q=q, include_inactive=include_inactive)
    page = Paginator(groups, GROUPS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "groups": page.object_list,
        "q": q,
        "filter_query": query.urlencode(),
        "currency": school.currency,
        "return_to": request.get_full_path(),
    }
    template = LIST_TEMPLATE + ("#groups-table" if wants_partial(request) else "")
    return render(request, template, context)


def _return_to(request: HttpRequest) -> str:
    """Where the no-JS price edit goes back to: the page it came from (`next`) when that
    is a path on this site, else the groups list."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("billing:groups")


def _row_context(request: HttpRequest, group_id: int) -> dict:
    school = request.user.school
    group = get_object_or_404(billing_groups(user=request.user, today=school.today()), pk=group_id)
    return {"group": group, "currency": school.currency, "return_to": _return_to(request)}


@billing_view
def price_row(request: HttpRequest, group_id: int) -> HttpResponse:
    """The group's row as saved (htmx "Cancel"/Escape); a plain request goes back."""
    context = _row_context(request, group_id)
    if not request.htmx:
        return redirect(context["return_to"])
    return render(request, f"{LIST_TEMPLATE}#group-row", context)


@billing_view
def edit_price(request: HttpRequest, group_id: int) -> HttpResponse:
    """Set a group's price per session (docs/design/billing.md, "Set Price Per Session").

    htmx: GET answers the row with an input in place of the price; POST answers the saved
    row, or the input again with the message when the price is refused (status 200, so
    htmx swaps it). Without htmx the same URL is an edit page that goes back to the list
    on success. A blank price clears it (the group can then not be billed).
    """
    context = _row_context(request, group_id)
    group = context["group"]
    if request.method == "POST":
        form = PriceForm(request.POST)
        if form.is_valid():
            price = form.cleaned_data["price_per_session"]
            try:
                set_price_per_session(school_class=group, price=price, actor=request.user)
            except PriceError as exc:
                form.add_error("price_per_session", str(exc))
            else:
                if price is None:
                    message = f"Price of {group} cleared: it cannot be billed until it has one."
                else:
                    message = f"Price of {group} set to {money(price, context['currency'])}."
                if not request.htmx:
                    messages.success(request, message)
                    return redirect(context["return_to"])
                context = _row_context(request, group_id) | {"saved_message": message}
                return render(request, f"{LIST_TEMPLATE}#group-row-saved", context)
    else:
        form = PriceForm(initial={"price_per_session": group.price_per_session})
    context["form"] = form
    if request.htmx:
        return render(request, f"{LIST_TEMPLATE}#price-edit-row", context)
    return render(request, LIST_TEMPLATE, context | {"screen": "price-edit"})


# --- a group's billing page: period, preview, generate ---------------------------------------


@dataclass(frozen=True)
class PreviewRow:
    """One student's line of the preview table."""

    calc: StudentCalculation
    price: Decimal | None
    bill_status: str = ""
    needs_recalculation: bool = False

    @property
    def bill_status_label(self) -> str:
        return BillStatus(self.bill_status).label if self.bill_status else ""


def _period_form(data, *, today: datetime.date, default: bool = True) -> GenerateForm:
    """The period picker bound to `data`'s month/start/end; with none of them, to the
    default month (the last that has ended) so the picker shows it."""
    picked = {key: data[key] for key in ("month", "start", "end") if data.get(key)}
    if not picked and default:
        picked = {"month": GenerateForm(today=today).fields["month"].initial}
    if data.get("update_existing"):
        picked["update_existing"] = data["update_existing"]
    return GenerateForm(picked, today=today)


def _panel_context(
    group: SchoolClass,
    form: GenerateForm,
    *,
    result: GenerationResult | None = None,
    error: str = "",
) -> dict:
    """The preview for the form's period (none when the period is invalid)."""
    school = group.school
    today = school.today()
    context = {
        "group": group,
        "form": form,
        "currency": school.currency,
        "result": result,
        "error": error,
        "priced": group.price_per_session is not None,
        "not_priced": NOT_PRICED.format(group=group),
        "preview": None,
        "is_range": bool(form.data.get("start") or form.data.get("end")),
        # The period as the picker sent it: the address the page moves to.
        "query": urlencode(
            {key: form.data[key] for key in ("month", "start", "end") if form.data.get(key)}
        ),
    }
    if not form.is_valid():
        return context
    start, end = form.period()
    preview = calculate_bills(school_class=group, start=start, end=end)
    context |= {
        "preview": preview,
        "rows": _preview_rows(preview, today=today),
        "sessions_total": sum(c.sessions_attended for c in preview.calculations),
        "already_billed_total": sum(c.already_billed for c in preview.calculations),
        # The period as the picker sent it, so Generate bills exactly what was previewed
        # and the page after it shows the same picker.
        "period_fields": {
            key: form.data[key] for key in ("month", "start", "end") if form.data.get(key)
        },
    }
    return context


def _preview_rows(preview: BillingCalculation, *, today: datetime.date) -> list[PreviewRow]:
    """The calculation's rows with each existing bill's status: one query for all."""
    bill_ids = [c.existing_bill.pk for c in preview.calculations if c.existing_bill]
    statuses = bill_statuses(bill_ids=bill_ids, today=today)
    rows = []
    for calc in preview.calculations:
        bill = calc.existing_bill
        price = bill.price_per_session if bill else preview.price_per_session
        status, needs = statuses.get(bill.pk, ("", False)) if bill else ("", False)
        rows.append(
            PreviewRow(calc=calc, price=price, bill_status=status, needs_recalculation=needs)
        )
    return rows


def _render_panel(request: HttpRequest, context: dict, *, status: int = 200) -> HttpResponse:
    if wants_partial(request):
        response = render(request, f"{GROUP_TEMPLATE}#billing-panel", context, status=status)
        url = reverse("billing:group", args=[context["group"].pk])
        if context.get("query"):
            url += f"?{context['query']}"
        return push_url(response, url)
    return render(request, GROUP_TEMPLATE, context, status=status)


@billing_view
def group_billing(request: HttpRequest, group_id: int) -> HttpResponse:
    """A group's billing page: the period picker (`?month=YYYY-MM`, default the last month
    that has ended, or `?start=&end=`), the preview of its bills and the Generate form."""
    group = _group_for(request.user, group_id)
    form = _period_form(request.GET, today=group.school.today())
    context = _panel_context(group, form)
    template = GROUP_TEMPLATE + ("#billing-panel" if wants_partial(request) else "")
    return render(request, template, context)


@billing_view
def preview(request: HttpRequest, group_id: int) -> HttpResponse:
    """The period picker's htmx answer: the billing panel for the chosen period (the
    browser's address follows it). A plain request goes to the group's page."""
    group = _group_for(request.user, group_id)
    if not wants_partial(request):
        url = reverse("billing:group", args=[group.pk])
        query = request.GET.urlencode()
        return redirect(f"{url}?{query}" if query else url)
    form = _period_form(request.GET, today=group.school.today())
    return _render_panel(request, _panel_context(group, form))


@billing_view
@require_POST
def generate(request: HttpRequest, group_id: int) -> HttpResponse:
    """Generate the group's bills for the posted period (docs/design/billing.md, "Generate Payment
    Records"), recalculating existing ones when "Recalculate existing bills" is ticked,
    and show the result with the fresh preview. A group without a price, or a refusal of
    the service, is shown as an error on the page; nothing is written then."""
    group = _group_for(request.user, group_id)
    form = _period_form(request.POST, today=group.school.today(), default=False)
    if not form.is_valid():
        return _render_panel(request, _panel_context(group, form))
    start, end = form.period()
    result, error = None, ""
    try:
        result = generate_bills(
            school_class=group,
            start=start,
            end=end,
            update_existing=form.cleaned_data["update_existing"],
            actor=request.user,
        )
    except BillingError as exc:
        error = str(exc)
    group.refresh_from_db(fields=["price_per_session"])
    return _render_panel(request, _panel_context(group, form, result=result, error=error))


# --- a group's revenue dashboard ----------------------------------------------------------


@htmx_sign_in_again("billing:groups")
@role_required(*BILLING_READERS)
def revenue(request: HttpRequest, group_id: int) -> HttpResponse:
    """A group's revenue (docs/design/billing.md, "Group Revenue Summary"): expected, collected,
    pending and credit in the school's currency, bills by status (each a link to the bills
    list), a chart by month, and the group's bills filterable by status. A constant number of
    queries however many bills."""
    group = _group_for(request.user, group_id)
    school = group.school
    today = school.today()
    form = BillFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    listed = listed_group_bills(group=group, today=today, status=status)
    page = Paginator(listed, BILLS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "group": group,
        "form": form,
        "status": status,
        "status_label": BillStatus(status).label if status else "",
        "page": page,
        "bills": page.object_list,
        "filter_query": query.urlencode(),
        "currency": school.currency,
        "can_bill": can_bill(request.user),
    }
    if wants_partial(request):
        return render(request, f"{REVENUE_TEMPLATE}#bills-table", context)
    bills = group_bills(group=group)
    totals = revenue_totals(bills, today=today)
    context |= {
        "totals": totals,
        "status_counts": [
            (BillStatus(value), totals.counts.get(value, 0)) for value in BillStatus.values
        ],
        "chart": revenue_chart(
            months=revenue_by_month(bills), currency=school.currency, group=group.name
        ),
        "members": member_count(group=group, today=today),
    }
    return render(request, REVENUE_TEMPLATE, context)
