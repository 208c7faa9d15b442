"""The seed's three JSON endpoints under /api/accounting/ (docs/design/billing.md, "API
Endpoints"). The documents are built in `billing/serializers.py`.

- `GET  attendance/calculate/<groupId>?startDate=&endDate=`: the preview; writes nothing.
- `POST attendance/generate-payments` `{"groupId", "startDate", "endDate", "updateExisting"}`.
- `GET  groups/<groupId>/revenue`.

Who: accountants and admins of the group's school (students read their own bills on
/billing/my-bills/). Session authentication; a POST needs the CSRF token in `X-CSRFToken`,
like the app's htmx requests. Every answer is JSON, errors included: `{"success": false,
"message": ...}` with 400 (bad input), 401 (signed out), 403 (role), 404 (no such group in
the user's school, another school's group included), 405 (method, with `Allow`) or 409 (a
generation for the same group at the same moment). Nothing is written on any error.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, JsonResponse

from academics.jsonapi import JsonBodyError, json_object_body
from academics.models import SchoolClass, User
from academics.validators import parse_id

from .access import can_bill
from .forms import CalculateQueryForm, GeneratePayloadForm
from .selectors import (
    BillingPeriodError,
    bill_statuses,
    billing_period,
    bills_by_pk,
    bills_for_docs,
    calculate_bills,
    current_student_count,
    group_bills,
    revenue,
    school_group,
    with_bill_status,
)
from .serializers import calculation_doc, generation_doc, revenue_doc
from .services import ConcurrentGeneration, GroupNotPriced, generate_bills

SIGN_IN = "Sign in first."
NOT_ALLOWED = "Only accountants and admins may use the billing API."
GENERATE_EXAMPLE = '{"groupId": 1, "startDate": "2025-10-01", "endDate": "2025-10-31"}'


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"success": False, "message": message}, status=status)


def api_view(method: str) -> Callable:
    """Answer only `method` (405 with `Allow` otherwise), only to a signed-in accountant or
    admin of a school (401/403). Always JSON: `role_required` would send a client that did
    not ask for JSON to the login page or the HTML 403 page, which an API client cannot
    read."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> JsonResponse:
            if request.method != method:
                response = _error(f"Use {method}.", 405)
                response["Allow"] = method
                return response
            user = request.user
            if not user.is_authenticated:
                return _error(SIGN_IN, 401)
            if user.school_id is None or not can_bill(user):
                return _error(NOT_ALLOWED, 403)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class _NoSuchGroup(Exception):
    def __init__(self, raw):
        self.response = _error(f"No group with id {raw} in your school.", 404)


def _group_for_user(user: User, raw_id: str | int) -> SchoolClass:
    """The user's school's group with the id from the path or body; _NoSuchGroup (404)
    for an id that is not a positive whole number, no group, or another school's group:
    all look the same, so ids of other schools cannot be probed."""
    group_id = parse_id(str(raw_id))  # a JSON integer, or ASCII digits in the path
    if group_id is None:
        raise _NoSuchGroup(raw_id)
    group = school_group(user=user, group_id=group_id)
    if group is None:
        raise _NoSuchGroup(raw_id)
    return group


@api_view("GET")
def calculate(request: HttpRequest, group_id: str) -> JsonResponse:
    """Preview what each student of the group would be billed for the period
    (docs/design/billing.md, "Calculate Attendance Payments"); writes nothing.

    Query: optional `startDate`/`endDate` (YYYY-MM-DD; defaults in `billing_period`).
    200 with the seed's document; 400 for a malformed or reversed period or a group
    without a price per session (it could not be generated either); 404 for no such group.
    """
    try:
        group = _group_for_user(request.user, group_id)
    except _NoSuchGroup as exc:
        return exc.response
    form = CalculateQueryForm(request.GET)
    if not form.is_valid():
        return _error(form.error_message(), 400)
    if group.price_per_session is None:
        return _error(str(GroupNotPriced(group)), 400)
    try:
        start, end = billing_period(
            school_class=group,
            start=form.cleaned_data["startDate"],
            end=form.cleaned_data["endDate"],
            today=group.school.today(),
        )
    except BillingPeriodError as exc:
        return _error(str(exc), 400)
    calculation = calculate_bills(school_class=group, start=start, end=end)
    existing = [c.existing_bill.pk for c in calculation.calculations if c.existing_bill]
    statuses = {
        pk: status
        for pk, (status, _) in bill_statuses(bill_ids=existing, today=group.school.today()).items()
    }
    return JsonResponse(
        {"success": True, "data": calculation_doc(calculation, bill_statuses=statuses)}
    )


@api_view("POST")
def generate_payments(request: HttpRequest) -> JsonResponse:
    """Generate (or with `updateExisting` recalculate) the group's bills for the period
    (docs/design/billing.md, "Generate Payment Records"; `billing.services.generate_bills`).

    Body: `{"groupId": int, "startDate"?: "YYYY-MM-DD", "endDate"?: "YYYY-MM-DD",
    "updateExisting"?: bool}`. Always 200 on success, also when every student was skipped:
    the answer reports a run ("Generated N new payments, updated M, skipped K") rather than
    one new resource. 400 bad body or period, or a group without a price; 404 no such
    group; 409 someone generated the same group at the same moment.
    """
    user = request.user
    try:
        payload = json_object_body(request, example=GENERATE_EXAMPLE)
    except JsonBodyError as exc:
        return _error(str(exc), 400)
    form = GeneratePayloadForm(payload)
    if not form.is_valid():
        return _error(form.error_message(), 400)
    data = form.cleaned_data
    try:
        group = _group_for_user(user, data["groupId"])
    except _NoSuchGroup as exc:
        return exc.response
    today = group.school.today()
    try:
        start, end = billing_period(
            school_class=group, start=data["startDate"], end=data["endDate"], today=today
        )
        result = generate_bills(
            school_class=group,
            start=start,
            end=end,
            update_existing=data["updateExisting"],
            actor=user,
        )
    except (BillingPeriodError, GroupNotPriced) as exc:
        return _error(str(exc), 400)
    except ConcurrentGeneration as exc:
        return _error(str(exc), 409)
    written = [bill.pk for bill in [*result.created, *result.updated]]
    bills = bills_by_pk(bill_ids=written, today=today)
    return JsonResponse(
        {
            "success": True,
            "message": result.message,
            "data": generation_doc(result, bills=bills),
        }
    )


@api_view("GET")
def group_revenue(request: HttpRequest, group_id: str) -> JsonResponse:
    """The group's money (docs/design/billing.md, "Get Group Revenue Summary"): its current
    students, bills by status, expected/collected/pending (and credit), sessions billed, and
    every bill of the group, newest period first. 404 for no such group."""
    try:
        group = _group_for_user(request.user, group_id)
    except _NoSuchGroup as exc:
        return exc.response
    today = group.school.today()
    bills = group_bills(group=group)
    return JsonResponse(
        {
            "success": True,
            "data": revenue_doc(
                group,
                stats=revenue(bills, today=today),
                total_students=current_student_count(group=group, today=today),
                bills=bills_for_docs(with_bill_status(bills, today=today)),
            ),
        }
    )


def not_found(request: HttpRequest, *args, **kwargs) -> JsonResponse:
    """Any other path under /api/accounting/: a JSON 404, not Django's HTML page."""
    return _error("No such endpoint. See the README's “Billing JSON API”.", 404)
