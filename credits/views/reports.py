"""Make-up credit reports (docs/design/credits.md, "Reporting"): the dashboard for a period,
its CSV export, and clearing what a departed tutor still owes.

Who: admins and principals read every tutor's figures; a teacher or head of department
reads only their own (their line, and their students who hold credits with other tutors
too); anyone else gets 403. Only an admin clears a departed tutor's credits, after a
confirmation step, through `credits.services.clear_departed_tutor_credits`.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from academics.access import forbidden, htmx_sign_in_again, role_required, wants_partial
from academics.models import Role
from attendance.exports import tabular_response

from ..access import PAGE_READERS, can_clear_departed_tutors, can_read_all_credits
from ..forms import ReportPeriodForm
from ..reports import (
    REPORT_HEADERS,
    report_rows,
    students_with_several_tutors,
    tutor_liability,
    tutor_report,
)
from ..selectors import school_user
from ..services import CreditError, CreditPermissionError, clear_departed_tutor_credits

logger = logging.getLogger(__name__)

TEMPLATE = "credits/reports.html"


def _period(request: HttpRequest) -> ReportPeriodForm:
    """The period form, bound to the query string when it carries start or end; unbound
    it shows the default period (the last 90 days) in its inputs."""
    today = request.user.school.today()
    data = request.GET if ("start" in request.GET or "end" in request.GET) else None
    form = ReportPeriodForm(data, today=today)
    if data is None:
        start, end = form.period()
        form.initial = {"start": start, "end": end}
    else:
        form.is_valid()
    return form


def _show_all(request: HttpRequest) -> bool:
    """`all=1`: list every tutor, also those without a credit or lesson (a school has
    many); otherwise only tutors with something to show (a tutor always sees their own)."""
    return request.GET.get("all") == "1" or not can_read_all_credits(request.user)


def _rows(report, *, show_all: bool) -> list:
    return report.tutors if show_all else report.with_figures


def _report_context(request: HttpRequest, form: ReportPeriodForm) -> dict:
    user = request.user
    start, end = form.period()
    everyone = can_read_all_credits(user)
    show_all = _show_all(request)
    report = tutor_report(
        school=user.school, start=start, end=end, tutor_ids=None if everyone else [user.pk]
    )
    rows = _rows(report, show_all=show_all)
    period = {"start": start.isoformat(), "end": end.isoformat()}
    if request.GET.get("all") == "1":
        period["all"] = "1"
    return {
        "form": form,
        "report": report,
        "rows": rows,
        "hidden": len(report.tutors) - len(rows),
        "show_all": request.GET.get("all") == "1",
        "start": start,
        "end": end,
        "period": period,
        "period_query": urlencode(period),
        "all_query": urlencode(period | {"all": "1"}),
        "everyone": everyone,
        "can_clear": can_clear_departed_tutors(user),
        "several": students_with_several_tutors(
            school=user.school, tutor=None if everyone else user
        ),
    }


@htmx_sign_in_again("credits:reports")
@role_required(*PAGE_READERS)
def dashboard(request: HttpRequest) -> HttpResponse:
    """The credit report of a period (default the last 90 days): a line a tutor with
    credits issued, lessons booked / completed / cancelled, balances and liability now,
    booking and usage rates, average days from issue to use; the students holding credits
    with several tutors; departed tutors marked, with "Clear credits" for an admin. An htmx
    request (the period form) gets the report part only. A fixed number of queries."""
    form = _period(request)
    context = _report_context(request, form)
    if wants_partial(request):
        return render(request, f"{TEMPLATE}#report", context)
    return render(request, TEMPLATE, context)


@role_required(*PAGE_READERS)
def export_csv(request: HttpRequest) -> HttpResponse:
    """The per-tutor table of the period as CSV: the rows the dashboard shows the user
    (with `all=1` also tutors without credits). A period that does not parse goes back to
    the dashboard, which says why."""
    form = _period(request)
    if form.errors:
        return redirect(f"{reverse('credits:reports')}?{request.GET.urlencode()}")
    user = request.user
    start, end = form.period()
    report = tutor_report(
        school=user.school,
        start=start,
        end=end,
        tutor_ids=None if can_read_all_credits(user) else [user.pk],
    )
    name = f"makeup-credits-{start.isoformat()}-to-{end.isoformat()}"
    rows = _rows(report, show_all=_show_all(request))
    return tabular_response(report_rows(rows), REPORT_HEADERS, name, "csv")


@role_required(Role.ADMIN)
@require_POST
def clear_tutor(request: HttpRequest, tutor_id: int) -> HttpResponse:
    """Clear what a departed (deactivated) tutor still owes (docs/design/credits.md): the first POST
    shows what would be cleared and asks to confirm; the second (`confirmed=yes`) cancels
    their booked lessons and sets every available credit of theirs to 0, each change in
    the pair's history. Another school's user is a 404; an active tutor is refused."""
    user = request.user
    tutor = school_user(school_id=user.school_id, user_id=tutor_id)
    if tutor is None:
        raise Http404("No such user in your school.")
    back = reverse("credits:reports")
    period = {key: request.POST[key] for key in ("start", "end", "all") if request.POST.get(key)}
    if period:
        back += "?" + urlencode(period)
    if tutor.is_active:
        messages.error(
            request,
            f"{tutor} is still active: deactivate the account before clearing their credits.",
        )
        return redirect(back)
    if request.POST.get("confirmed") != "yes":
        context = {
            "clearing": True,
            "tutor": tutor,
            "liability": tutor_liability(tutor=tutor),
            "period": period,
            "back": back,
        }
        return render(request, TEMPLATE, context)
    try:
        cleared = clear_departed_tutor_credits(
            tutor=tutor, actor=user, note=request.POST.get("note", "")[:500]
        )
    except CreditPermissionError as exc:
        return forbidden(request, str(exc))
    except CreditError as exc:  # e.g. the account was reactivated meanwhile
        messages.error(request, str(exc))
        return redirect(back)
    logger.info(
        "Make-up credits of departed tutor %s (id %s) cleared by %s (id %s): %s credits",
        tutor,
        tutor.pk,
        user,
        user.pk,
        cleared,
    )
    messages.success(
        request,
        f"Cleared {cleared} make-up credit{'s' if cleared != 1 else ''} of {tutor}; "
        "each change is in the student's credit history.",
    )
    return redirect(back)
