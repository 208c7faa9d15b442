"""A student's make-up credits and lessons, a pair's credit history, and a student's own
credits (docs/design/credits.md, "Using Make-Up Credits" and "Credit History Per Student-Tutor
Pair").

Who may do what:
- admins: every student of their school; book, complete and cancel any make-up lesson.
- principals: read every student's page and history; no buttons (DOMAIN.md: principals
  read everything, change nothing).
- teachers and hods: their own students (`credits.selectors.visible_students`: in a class
  they teach or advise, or holding a credit with them). They book, complete and cancel
  lessons with themselves as tutor; the services enforce it and the page hides the rest.
  Any other student is a 404, the same answer as another school's student, so the page
  does not confirm who studies where.
- students: /credits/my-credits/, their own balances, lessons and history; they book
  and cancel their own lessons (not complete). Another student's pair or lesson is a 404.

htmx: book, complete and cancel answer the page's `#credits-panel` (balances, lessons,
the booking form and a message). A refusal keeps its status: 400 for input that does not
parse, 403 when the user may not act, 409 when a rule refuses (no credit available,
already completed); static/credits/lessons.js lets htmx swap those answers in (they carry
the X-Credits-Panel header). Without htmx a success redirects back with a message and a
refusal renders the whole page with its status. Nothing is written on a refusal.
"""

from __future__ import annotations

import datetime
import zoneinfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from academics.access import htmx_sign_in_again, role_required, wants_partial
from academics.models import Role, StudentProfile, User

from ..access import LESSON_ACTORS, PAGE_READERS, is_student, reads_only
from ..forms import BookLessonForm
from ..models import MakeupLesson
from ..selectors import (
    credit_balances,
    credit_changes,
    credit_holders,
    own_student,
    pair_balance,
    student_lessons,
    tutors_by_ids,
    visible_credit,
    visible_lesson,
    visible_student,
)
from ..services import (
    CreditError,
    CreditPermissionError,
    book_makeup_lesson,
    cancel_makeup_lesson,
    complete_makeup_lesson,
)
from ..services.lessons import may_act_on_lesson

PAGE_TEMPLATE = "credits/student.html"
PANEL_TEMPLATE = "credits/student.html#credits-panel"
MY_TEMPLATE = "credits/my_credits.html"
HISTORY_TEMPLATE = "credits/history.html"
HISTORY_PAGE_SIZE = 50
# The header lessons.js looks for before letting htmx swap a 4xx answer into the page.
PANEL_HEADER = "X-Credits-Panel"

NO_CREDIT_HINT = "Credits can only be used with the tutor who issued them."


def _get_student_for_user(user: User, student_id: int) -> StudentProfile:
    student = visible_student(user=user, student_id=student_id)
    if student is None:
        raise Http404("No such student.")
    return student


def _get_lesson_for_user(user: User, lesson_id: int) -> MakeupLesson:
    lesson = visible_lesson(user=user, lesson_id=lesson_id)
    if lesson is None:
        raise Http404("No such make-up lesson.")
    return lesson


def _signed(number: int) -> str:
    """+2, −1 (a minus sign, not a hyphen), 0."""
    if number > 0:
        return f"+{number}"
    return f"\u2212{-number}" if number < 0 else "0"


def _when(moment: datetime.datetime, zone: zoneinfo.ZoneInfo) -> str:
    return date_format(timezone.localtime(moment, zone), "D j M Y H:i")


# --- what the panel shows --------------------------------------------------------------------


def _bookable_tutors(user: User, student: StudentProfile) -> tuple[list[User], QuerySet[User]]:
    """(tutors holding an available credit of the student's, the ones `user` may book
    with): docs/design/credits.md, "Credits can only be used with the tutor who issued them"; a
    tutor books only with themself, an admin or the student with any. Departed (deactivated)
    tutors are left out: they teach no more lessons."""
    holders = credit_holders(student=student)
    allowed = [
        tutor.pk
        for tutor in holders
        if may_act_on_lesson(user, student=student, tutor=tutor, completing=False)
    ]
    return holders, tutors_by_ids(ids=allowed)


def _book_form(data, *, tutors: QuerySet[User], student: StudentProfile) -> BookLessonForm:
    form = BookLessonForm(data, tutors=tutors)
    # A tutor outside the list holds no credit of the student's (or is not the user's to
    # book with): say why in the seed's words rather than "Select a valid choice".
    form.fields["tutor"].error_messages["invalid_choice"] = (
        f"{student} has no make-up credit available with that tutor. {NO_CREDIT_HINT}"
    )
    return form


def _panel_context(
    user: User,
    student: StudentProfile,
    *,
    own: bool,
    form: BookLessonForm | None = None,
    message: str = "",
    level: str = "success",
) -> dict:
    """Everything `#credits-panel` shows: balances, lessons (upcoming booked ones
    soonest first, then the rest newest first) with the buttons `user` may use, and the
    booking form. A constant number of queries, whatever the number of rows."""
    now = timezone.now()
    lessons = student_lessons(student=student)
    for lesson in lessons:
        booked = lesson.status == MakeupLesson.Status.BOOKED
        lesson.is_booked = booked
        lesson.is_overdue = booked and lesson.scheduled_for < now
        # Completed only once its time has come (docs/design/credits.md, "Booking").
        lesson.can_complete = (
            booked
            and lesson.scheduled_for <= now
            and may_act_on_lesson(user, student=student, tutor=lesson.tutor, completing=True)
        )
        lesson.can_cancel = booked and may_act_on_lesson(
            user, student=student, tutor=lesson.tutor, completing=False
        )
    upcoming = [lesson for lesson in lessons if lesson.is_booked and not lesson.is_overdue]
    upcoming.reverse()
    past = [lesson for lesson in lessons if not (lesson.is_booked and not lesson.is_overdue)]
    holders, tutors = _bookable_tutors(user, student)
    read_only = reads_only(user)
    bookable = list(tutors) if holders else []
    if form is None and bookable:
        # One tutor to choose from: chosen already.
        initial = {"tutor": bookable[0].pk} if len(bookable) == 1 else {}
        form = BookLessonForm(tutors=tutors, initial=initial)
    return {
        "student": student,
        "own": own,
        "read_only": read_only,
        "balances": credit_balances(student=student),
        "upcoming": upcoming,
        "past": past,
        "lesson_count": len(lessons),
        "holders": holders,
        "bookable": bookable,
        "form": form,
        "message": message,
        "message_level": level,
        "school_timezone": user.school.timezone,
        "no_credit_hint": NO_CREDIT_HINT,
    }


def _page_url(student: StudentProfile, *, own: bool) -> str:
    if own:
        return reverse("credits:my_credits")
    return reverse("credits:student", args=[student.pk])


def _answer(
    request: HttpRequest,
    student: StudentProfile,
    *,
    status: int = 200,
    message: str,
    form: BookLessonForm | None = None,
) -> HttpResponse:
    """After an action: htmx gets the panel (with the message; a refusal with its 4xx
    status), a plain POST a redirect back with the message, or on a refusal the whole
    page with its status."""
    user = request.user
    own = is_student(user)
    level = "success" if status == 200 else "error"
    if request.htmx:
        context = _panel_context(user, student, own=own, form=form, message=message, level=level)
        response = render(request, PANEL_TEMPLATE, context, status=status)
        response[PANEL_HEADER] = "1"
        return response
    if status == 200:
        messages.success(request, message)
        return redirect(_page_url(student, own=own))
    context = _panel_context(user, student, own=own, form=form, message=message, level=level)
    return render(request, MY_TEMPLATE if own else PAGE_TEMPLATE, context, status=status)


def _balance_text(student: StudentProfile, tutor: User) -> str:
    credit = pair_balance(student=student, tutor=tutor)
    return (
        f"{student} now has {credit.available} available, {credit.booked} booked and "
        f"{credit.used} used with {tutor}."
    )


# --- pages ---------------------------------------------------------------------------------------


@role_required(*PAGE_READERS)
def student_credits(request: HttpRequest, student_id: int) -> HttpResponse:
    """A student's balances per tutor, their make-up lessons and "Book a make-up lesson"
    (docs/design/credits.md), for admins, principals (read only) and the student's tutors."""
    student = _get_student_for_user(request.user, student_id)
    context = _panel_context(request.user, student, own=False)
    if wants_partial(request):
        return render(request, PANEL_TEMPLATE, context)
    return render(request, PAGE_TEMPLATE, context)


@role_required(Role.STUDENT)
def my_credits(request: HttpRequest) -> HttpResponse:
    """The signed-in student's own balances, lessons and history links; they book and
    cancel their own make-up lessons (docs/design/credits.md: "Student/guardian books session")."""
    student = own_student(user=request.user)
    if student is None:
        raise Http404("No student profile.")
    context = _panel_context(request.user, student, own=True)
    if wants_partial(request):
        return render(request, PANEL_TEMPLATE, context)
    return render(request, MY_TEMPLATE, context)


@role_required(*PAGE_READERS, Role.STUDENT)
def history(request: HttpRequest, credit_id: int) -> HttpResponse:
    """The credit history of one student–tutor pair (docs/design/credits.md, "Credit History Per
    Student-Tutor Pair"), newest first, 50 a page. Who: as the student's page; a student
    their own pairs only."""
    user = request.user
    credit = visible_credit(user=user, credit_id=credit_id)
    if credit is None:
        raise Http404("No such credit.")
    page = Paginator(credit_changes(credit=credit), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    for change in rows:
        change.delta_text = _signed(change.delta)
    own = is_student(user)
    context = {
        "credit": credit,
        "student": credit.student,
        "own": own,
        "page": page,
        "changes": rows,
        "back_url": _page_url(credit.student, own=own),
        "school_timezone": user.school.timezone,
        "filter_query": "",
    }
    template = HISTORY_TEMPLATE + ("#history-table" if wants_partial(request) else "")
    return render(request, template, context)


# --- actions -------------------------------------------------------------------------------------


@htmx_sign_in_again()
@role_required(*LESSON_ACTORS)
@require_POST
def book(request: HttpRequest, student_id: int) -> HttpResponse:
    """Book a make-up lesson with a tutor who holds one of the student's credits
    (available −1, booked +1). The time is read in the school's time zone."""
    user = request.user
    student = _get_student_for_user(user, student_id)
    _, tutors = _bookable_tutors(user, student)
    form = _book_form(request.POST, tutors=tutors, student=student)
    zone = zoneinfo.ZoneInfo(user.school.timezone)
    # The datetime-local input has no zone: read it as school-local (DOMAIN.md).
    with timezone.override(zone):
        valid = form.is_valid()
    if not valid:
        # The reasons in the message too: with no credit left there is no form to show.
        reasons = [*form.non_field_errors(), *(e for f in form for e in f.errors)]
        message = "The make-up lesson was not booked. " + " ".join(reasons)
        return _answer(request, student, status=400, message=message, form=form)
    data = form.cleaned_data
    try:
        lesson = book_makeup_lesson(
            student=student,
            tutor=data["tutor"],
            scheduled_for=data["scheduled_for"],
            actor=user,
            note=data["note"],
        )
    except CreditPermissionError as exc:
        return _answer(request, student, status=403, message=str(exc), form=form)
    except CreditError as exc:
        return _answer(request, student, status=409, message=str(exc), form=form)
    message = (
        f"Make-up lesson booked with {lesson.tutor} on {_when(lesson.scheduled_for, zone)}. "
        + _balance_text(student, lesson.tutor)
    )
    return _answer(request, student, message=message)


def _finish(request: HttpRequest, lesson_id: int, *, completed: bool) -> HttpResponse:
    user = request.user
    lesson = _get_lesson_for_user(user, lesson_id)
    student = lesson.student
    zone = zoneinfo.ZoneInfo(user.school.timezone)
    action = complete_makeup_lesson if completed else cancel_makeup_lesson
    try:
        lesson = action(lesson=lesson, actor=user)
    except CreditPermissionError as exc:
        return _answer(request, student, status=403, message=str(exc))
    except CreditError as exc:
        return _answer(request, student, status=409, message=str(exc))
    when = _when(lesson.scheduled_for, zone)
    if completed:
        text = f"Make-up lesson with {lesson.tutor} on {when} marked completed."
    else:
        text = (
            f"Make-up lesson with {lesson.tutor} on {when} cancelled; its credit is "
            "available again."
        )
    return _answer(request, student, message=f"{text} {_balance_text(student, lesson.tutor)}")


@htmx_sign_in_again()
@role_required(*LESSON_ACTORS)
@require_POST
def complete(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """The lesson took place: booked −1, used +1. Its tutor or an admin; a lesson that
    is no longer booked (a second click) is refused and nothing changes."""
    return _finish(request, lesson_id, completed=True)


@htmx_sign_in_again()
@role_required(*LESSON_ACTORS)
@require_POST
def cancel(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """The lesson will not take place: booked −1, available +1. Its tutor, an admin or
    the student."""
    return _finish(request, lesson_id, completed=False)
