"""The student list and the "Make-Up Credits" dialog (docs/design/credits.md, "Workflow" steps
1–5 and "User Experience Features").

- `/credits/`: the students the user may see (a tutor their own, admins and principals
  the whole school), searchable, 50 a page, each with a "Make-Up Credits" cell: the total
  available across tutors, the per-tutor breakdown on hover and on expand. Tutors and
  admins tick students and press "Make-Up Credits".
- `/credits/dialog/?students=…&tutor=…`: the dialog's content (htmx, shown in a
  <dialog> over the list) or, without JS, a page of its own: the tutor, each selected
  student's balance with that tutor, the amount to set, a note.
- `/credits/set/` (POST): sets the available credits (`set_available_credits`); htmx
  gets the refreshed list rows out of band and a `credits-set` event that closes the
  dialog, a plain post goes back to the list with the message.

Students (they have "My credits") and accountants get 403; a principal reads the list but
sets nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, trigger_client_event

from academics.access import htmx_sign_in_again, role_required, wants_partial
from academics.models import StudentProfile, User
from academics.validators import parse_id

from ..access import (
    CREDIT_SETTERS,
    PAGE_READERS,
    can_read_all_credits,
    can_set_credits,
    sets_own_students_only,
)
from ..forms import SetCreditsForm
from ..models import MakeupCredit
from ..selectors import (
    TutorBalance,
    assigned_tutor_ids,
    balances_by_student,
    credits_summary,
    listed_students,
    pair_credits,
    tutor_choices,
    visible_students,
)
from ..services import CreditError, CreditPermissionError, set_available_credits

TEMPLATE = "credits/students.html"
PAGE_SIZE = 50


def credits_view(*roles: str) -> Callable:
    """Signed-in users of a school with one of `roles`; a signed-out htmx request signs in
    again as a whole page (not inside the dialog)."""

    def decorator(view: Callable) -> Callable:
        return htmx_sign_in_again("credits:students")(role_required(*roles)(view))

    return decorator


def _return_to(request: HttpRequest) -> str:
    """Where the dialog page goes back to: `next` when it is a path on this site, else the
    list."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("credits:students")


# --- the list ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StudentRow:
    """One line of the list: the student and their balances with every tutor."""

    student: StudentProfile
    balances: list[TutorBalance]

    @property
    def available(self) -> int:
        return sum(b.available for b in self.balances)

    @property
    def summary(self) -> str:
        """The seed's cell: "3 credits (2 with Tutor A, 1 with Tutor B)"."""
        return credits_summary(self.balances)


def _rows(students: Iterable[StudentProfile]) -> list[StudentRow]:
    """The students' rows with their balances: one query for all of them."""
    students = list(students)
    balances = balances_by_student([s.pk for s in students])
    return [StudentRow(student=s, balances=balances.get(s.pk, [])) for s in students]


@credits_view(*PAGE_READERS)
def student_list(request: HttpRequest) -> HttpResponse:
    """The students with their make-up credits (docs/design/credits.md, step 1 and "Display in
    Student List"): `?q=` matches each word against first name, last name, username and student
    number; students who left are listed with `?inactive=on`. A constant number of queries per
    page (the page, its count, and the page's balances in one)."""
    user = request.user
    # NUL bytes are dropped: PostgreSQL refuses them in a query (a 500).
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    include_inactive = request.GET.get("inactive") == "on"
    students = listed_students(user=user, q=q, include_inactive=include_inactive)
    page = Paginator(students, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": _rows(page.object_list),
        "q": q,
        "include_inactive": include_inactive,
        "filter_query": query.urlencode(),
        "return_to": request.get_full_path(),
        "can_set": can_set_credits(user),
        "is_tutor": not can_read_all_credits(user),
    }
    template = TEMPLATE + ("#students-table" if wants_partial(request) else "")
    return render(request, template, context)


# --- the dialog -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DialogLine:
    """A selected student's balance with the chosen tutor (None: no tutor chosen yet)."""

    student: StudentProfile
    credit: MakeupCredit | None

    @property
    def available(self) -> int:
        return self.credit.available if self.credit else 0

    @property
    def booked(self) -> int:
        return self.credit.booked if self.credit else 0

    @property
    def used(self) -> int:
        return self.credit.used if self.credit else 0

    @property
    def total(self) -> int:
        return self.available + self.booked + self.used


def _form(request: HttpRequest, data) -> SetCreditsForm:
    user = request.user
    return SetCreditsForm(
        data,
        students=visible_students(user=user).select_related("user"),
        tutors=tutor_choices(user=user),
    )


def _dialog_context(
    request: HttpRequest,
    form: SetCreditsForm,
    *,
    prefill: bool,
    error: str = "",
) -> dict:
    """What the dialog shows for `form`'s (bound, validated) students and tutor.

    `prefill`: put the current available amount into the amount input (the dialog as
    opened or after the tutor changed); otherwise keep what was typed (a refused save).
    Several students with different amounts: the input is left empty (a common value
    would be a guess), with the range shown beside it.
    """
    user = request.user
    cleaned = getattr(form, "cleaned_data", {})
    students = list(cleaned["students"].select_related("user")) if cleaned.get("students") else []
    tutors = list(tutor_choices(user=user))
    tutor = cleaned.get("tutor")
    if tutor is None and len(tutors) == 1 and not form.data.get("tutor"):
        tutor = tutors[0]  # a tutor sets only their own: nothing to choose
    credits = {}
    if tutor is not None and students:
        credits = pair_credits(tutor=tutor, students=students)
    lines = [DialogLine(student=s, credit=credits.get(s.pk) if tutor else None) for s in students]

    # docs/design/credits.md: "If single student selected and student has assigned tutors, show
    # those first"; "All tutors" below still lists every tutor, the assigned ones included.
    assigned: list[User] = []
    if len(students) == 1 and len(tutors) > 1:
        by_id = {t.pk: t for t in tutors}
        assigned = [
            by_id[pk]
            for pk in assigned_tutor_ids(student=students[0], today=user.school.today())
            if pk in by_id
        ]

    amounts = sorted({line.available for line in lines})
    if prefill:
        amount = str(amounts[0]) if tutor is not None and len(amounts) == 1 else ""
    else:
        amount = form.data.get("amount", "")

    def field_error(name: str) -> str:
        errors = form.errors.get(name) if form.is_bound else None
        return errors[0] if errors else ""

    return {
        "form": form,
        "lines": lines,
        "students": students,
        "tutors": tutors,
        "assigned_tutors": assigned,
        "tutor": tutor,
        "amount": amount,
        "mixed_amounts": (amounts[0], amounts[-1]) if tutor and len(amounts) > 1 else None,
        "note": form.data.get("note", ""),
        "students_error": field_error("students"),
        "tutor_error": field_error("tutor") if form.data.get("tutor") or not prefill else "",
        "amount_error": "" if prefill else field_error("amount"),
        "note_error": "" if prefill else field_error("note"),
        "error": error,
        "own_students_only": sets_own_students_only(user),
        "return_to": _return_to(request),
        "dialog_query": urlencode({"next": _return_to(request)}),
    }


@credits_view(*CREDIT_SETTERS)
def credits_dialog(request: HttpRequest) -> HttpResponse:
    """The "Make-Up Credits" dialog for `?students=<id>&students=<id>…` (docs/design/credits.md,
    steps 2–4), with the balances for `?tutor=<id>`: htmx gets its content (also when the tutor
    changes), a plain request the page. Ids the user may not choose (another school's, not the
    tutor's own) are refused like an empty selection, with the message."""
    form = _form(request, request.GET)
    form.is_valid()  # validates the selection and the tutor; the amount is not sent yet
    context = _dialog_context(request, form, prefill=True)
    if wants_partial(request):
        return render(request, f"{TEMPLATE}#dialog-form", context | {"in_dialog": True})
    return render(request, TEMPLATE, context | {"screen": "dialog"})


@credits_view(*CREDIT_SETTERS)
@require_POST
def set_credits(request: HttpRequest) -> HttpResponse:
    """Set the selected students' available credits with the tutor (docs/design/credits.md, step 5).

    htmx: success answers the list rows of those students (out of band, only those the
    list shows: `on_page`), the message, and a `credits-set` event; a refusal answers
    the dialog again with the message by its field (status 200, so it stays open).
    Without htmx: back to the list with the message, or the dialog page with the errors
    (403 when the service refuses the permission). Nothing is written on a refusal. The
    dialog page's "Show balances for this tutor" (`show`) only re-renders that page for
    the chosen tutor."""
    form = _form(request, request.POST)
    in_dialog = bool(request.htmx)
    if request.POST.get("show"):
        # The page's "Show balances for this tutor" (no JS: the tutor changed): a read.
        form.is_valid()
        context = _dialog_context(request, form, prefill=True)
        return render(request, TEMPLATE, context | {"screen": "dialog"})
    status, error = 200, ""
    if form.is_valid():
        data = form.cleaned_data
        students = list(data["students"].select_related("user"))
        try:
            result = set_available_credits(
                students=students,
                tutor=data["tutor"],
                amount=data["amount"],
                actor=request.user,
                note=data["note"],
            )
        except CreditPermissionError as exc:
            error, status = str(exc), 403
        except CreditError as exc:
            form.add_error("amount", str(exc))
        else:
            if not in_dialog:
                messages.success(request, result.message)
                return redirect(_return_to(request))
            on_page = _on_page(request.POST.get("on_page"))
            shown = [s for s in students if on_page is None or s.pk in on_page]
            response = render(
                request,
                f"{TEMPLATE}#set-success",
                {
                    "message": result.message,
                    "rows": _rows(shown),
                    "selected_ids": {s.pk for s in students},
                    "can_set": True,
                },
            )
            reswap(response, "none")
            return trigger_client_event(
                response,
                "credits-set",
                {"message": result.message, "students": [s.pk for s in students]},
                after="settle",
            )
    context = _dialog_context(request, form, prefill=False, error=error)
    if in_dialog:
        return render(request, f"{TEMPLATE}#dialog-form", context | {"in_dialog": True})
    return render(request, TEMPLATE, context | {"screen": "dialog"}, status=status)


def _on_page(value: str | None) -> set[int] | None:
    """The ids of the rows the list shows (sent by students.js), so only those are swapped
    out of band; None (not sent) swaps every selected student's row."""
    if value is None:
        return None
    return {pk for part in value.split(",") if (pk := parse_id(part.strip())) is not None}
