"""The guardian's pages: "My children", a child's attendance, bills and make-up credits,
and booking or cancelling a make-up lesson for the child (docs/manual/guardians.md;
docs/design/credits.md, "Student/guardian books session").

Only a guardian opens them (`role_required`: 403 for any other role). Every view gets the
child through the guardian's own guardianships (`selectors.child_link`), so another
child — of the same school or another — is a 404, and so is a lesson that is not the
child's. Writes go through the credits services with the guardian as actor; a refusal
renders the child's page with its status (400 input, 403 not allowed, 409 a rule) and
writes nothing.
"""

from __future__ import annotations

import zoneinfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from academics.access import role_required
from academics.models import Guardianship, User
from academics.services.people import set_guardian_notifications
from attendance.models import Status
from attendance.selectors import visible_classes
from attendance.selectors.percentages import attendance_percentage
from attendance.selectors.reports import (
    PeriodKind,
    recent_student_absences,
    report_period,
    student_attendance_report,
)
from billing.selectors import bills_of_student, status_label
from credits.forms import BookLessonForm
from credits.models import MakeupLesson
from credits.selectors import (
    credit_balances,
    credit_holders,
    student_lesson,
    student_lessons,
    tutors_by_ids,
)
from credits.services import (
    CreditError,
    CreditPermissionError,
    book_makeup_lesson,
    cancel_makeup_lesson,
)

from .access import GUARDIAN_ROLES
from .forms import EmailSettingsForm
from .selectors import child_link, children_overview

RECENT_ABSENCES = 10


def _link_or_404(user: User, student_id: int) -> Guardianship:
    link = child_link(user=user, student_id=student_id)
    if link is None:
        raise Http404("No such child.")
    return link


@role_required(*GUARDIAN_ROLES)
def children(request: HttpRequest) -> HttpResponse:
    """ "My children": each child with today's marks, their attendance percentage, what
    is still owed and their make-up credits; a fixed number of queries
    (`children_overview`)."""
    user = request.user
    today = user.school.today()
    context = {
        "children": children_overview(user=user, today=today),
        "today": today,
        "currency": user.school.currency,
        "low_below": user.school.low_attendance_threshold,
    }
    return render(request, "guardians/children.html", context)


def _book_form(data, *, tutors, student) -> BookLessonForm:
    form = BookLessonForm(data, tutors=tutors)
    form.fields["tutor"].error_messages["invalid_choice"] = _(
        "%(student)s has no make-up credit available with that tutor. Credits can only "
        "be used with the tutor who issued them."
    ) % {"student": student}
    return form


def _bookable_tutors(student):
    """The tutors holding an available credit of the child's (credits' `credit_holders`):
    a guardian may book with any of them (the service checks again)."""
    return tutors_by_ids(ids=[tutor.pk for tutor in credit_holders(student=student)])


def _child_context(request: HttpRequest, link: Guardianship, *, form=None) -> dict:
    """Everything a child's page shows: today's periods and each class's percentage
    (attendance's student report for today), recent absences, bills with what is owed
    and paid (billing's "My bills" selector), make-up credits and lessons (the credits
    selectors of the student's own page) and the booking form."""
    user = request.user
    student = link.student
    school = user.school
    today = school.today()
    classes = visible_classes(user=user)
    report = student_attendance_report(
        student=student,
        period=report_period(school=school, kind=PeriodKind.DAY, anchor=today),
        classes=classes,
        today=today,
    )
    present = sum(row.overall_present for row in report.rows)
    denominator = sum(row.overall_denominator for row in report.rows)
    bills = bills_of_student(student=student, today=today)
    for bill in bills:
        bill.status_label = status_label(bill.status)
    now = timezone.now()
    lessons = student_lessons(student=student)
    for lesson in lessons:
        lesson.can_cancel = lesson.status == MakeupLesson.Status.BOOKED
        lesson.is_upcoming = lesson.can_cancel and lesson.scheduled_for >= now
    tutors = _bookable_tutors(student)
    if form is None and tutors:
        initial = {"tutor": tutors[0].pk} if len(tutors) == 1 else {}
        form = BookLessonForm(tutors=tutors, initial=initial)
    return {
        "link": link,
        "student": student,
        "today": today,
        "report": report,
        "percentage": attendance_percentage(present, denominator),
        "low_below": school.low_attendance_threshold,
        "absences": recent_student_absences(
            student=student, classes=classes, limit=RECENT_ABSENCES
        ),
        "status_labels": dict(Status.choices),
        "bills": bills,
        "owed": sum((bill.remaining for bill in bills), start=0),
        "paid": sum((bill.paid_amount for bill in bills), start=0),
        "currency": school.currency,
        "balances": credit_balances(student=student),
        "lessons": lessons,
        "form": form,
        "school_timezone": school.timezone,
    }


@role_required(*GUARDIAN_ROLES)
def child(request: HttpRequest, student_id: int) -> HttpResponse:
    """One child: attendance today, their percentage, recent absences and a link to the
    full report; bills; make-up credits with booking and cancelling."""
    link = _link_or_404(request.user, student_id)
    return render(request, "guardians/child.html", _child_context(request, link))


def _refused(
    request: HttpRequest, link: Guardianship, status: int, message: str, form=None
) -> HttpResponse:
    context = _child_context(request, link, form=form)
    context["error"] = message
    return render(request, "guardians/child.html", context, status=status)


def _when(moment, zone: zoneinfo.ZoneInfo) -> str:
    return date_format(timezone.localtime(moment, zone), "D j M Y H:i")


@role_required(*GUARDIAN_ROLES)
@require_POST
def book(request: HttpRequest, student_id: int) -> HttpResponse:
    """Book a make-up lesson for the child with a tutor who holds one of their credits
    (available −1, booked +1: `credits.services.book_makeup_lesson`, the guardian as
    actor). The time is read in the school's time zone."""
    user = request.user
    link = _link_or_404(user, student_id)
    student = link.student
    form = _book_form(request.POST, tutors=_bookable_tutors(student), student=student)
    zone = zoneinfo.ZoneInfo(user.school.timezone)
    with timezone.override(zone):  # the datetime-local input has no zone: school-local
        valid = form.is_valid()
    if not valid:
        return _refused(request, link, 400, _("The make-up lesson was not booked."), form)
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
        return _refused(request, link, 403, str(exc), form)
    except CreditError as exc:
        return _refused(request, link, 409, str(exc), form)
    messages.success(
        request,
        _("Make-up lesson for %(student)s booked with %(tutor)s on %(when)s.")
        % {"student": student, "tutor": lesson.tutor, "when": _when(lesson.scheduled_for, zone)},
    )
    return redirect("guardians:child", student_id=student.pk)


@role_required(*GUARDIAN_ROLES)
@require_POST
def cancel(request: HttpRequest, student_id: int, lesson_id: int) -> HttpResponse:
    """Cancel one of the child's booked make-up lessons: booked −1, available +1
    (`credits.services.cancel_makeup_lesson`, the guardian as actor). A lesson that is
    not the child's is a 404; one no longer booked is refused (409)."""
    user = request.user
    link = _link_or_404(user, student_id)
    lesson = student_lesson(student=link.student, lesson_id=lesson_id)
    if lesson is None:
        raise Http404("No such make-up lesson.")
    try:
        lesson = cancel_makeup_lesson(lesson=lesson, actor=user)
    except CreditPermissionError as exc:
        return _refused(request, link, 403, str(exc))
    except CreditError as exc:
        return _refused(request, link, 409, str(exc))
    zone = zoneinfo.ZoneInfo(user.school.timezone)
    messages.success(
        request,
        _("Make-up lesson with %(tutor)s on %(when)s cancelled; its credit is available again.")
        % {"tutor": lesson.tutor, "when": _when(lesson.scheduled_for, zone)},
    )
    return redirect("guardians:child", student_id=link.student_id)


@role_required(*GUARDIAN_ROLES)
def email_settings(request: HttpRequest) -> HttpResponse:
    """The guardian's own choice of emails: absences and bills, each on or off
    (docs/manual/notifications.md, "Opting out"). GET shows the form; POST saves it and
    returns to "My children" with a message."""
    profile = request.user.guardian_profile
    if request.method == "POST":
        form = EmailSettingsForm(request.POST)
        if form.is_valid():
            set_guardian_notifications(
                profile=profile,
                absences=form.cleaned_data["notify_absences"],
                bills=form.cleaned_data["notify_bills"],
                actor=request.user,
            )
            messages.success(request, _("Your email settings are saved."))
            return redirect("guardians:children")
    else:
        form = EmailSettingsForm(
            initial={
                "notify_absences": profile.notify_absences,
                "notify_bills": profile.notify_bills,
            }
        )
    return render(
        request, "guardians/email_settings.html", {"form": form, "email": request.user.email}
    )
