"""Make-up lessons move credits: book, complete, cancel (docs/design/credits.md, "Automatic
Credit Flow")."""

from __future__ import annotations

import datetime
import zoneinfo

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from academics.models import Role, StudentProfile, User
from academics.selectors.guardians import is_guardian_of

from ..models import CreditChange, MakeupCredit, MakeupLesson
from .balances import CreditError, CreditPermissionError, log_change


def _check_actor(actor: User, *, student: StudentProfile, tutor: User, completing: bool) -> None:
    """Who may book, complete or cancel: the lesson's tutor, an admin, or the student
    themself or a guardian of theirs for booking and cancelling ("Student/guardian books
    session"; docs/manual/guardians.md). A guardian costs one query."""
    if actor.school_id != student.school_id:
        raise CreditPermissionError("That student is not in your school.")
    if actor.has_role(Role.ADMIN) or actor.pk == tutor.pk:
        return
    if not completing and actor.role == Role.STUDENT and actor.pk == student.user_id:
        return
    if not completing and is_guardian_of(user=actor, student=student):
        return
    raise CreditPermissionError(
        "Only the tutor, an admin, the student or their guardian may book or cancel this "
        "make-up lesson; "
        "only the tutor or an admin may mark it completed."
    )


def may_act_on_lesson(
    actor: User, *, student: StudentProfile, tutor: User, completing: bool
) -> bool:
    """True when `actor` may book or cancel (`completing` False), or mark completed
    (`completing` True), a make-up lesson of `student` with `tutor`: the same rule the
    services enforce, so pages can hide the buttons a user cannot use. No queries, but
    one for a guardian (are they the student's?)."""
    try:
        _check_actor(actor, student=student, tutor=tutor, completing=completing)
    except CreditPermissionError:
        return False
    return True


class LessonInThePast(CreditError):
    """A make-up lesson cannot be booked at a time that has passed."""

    def __init__(self, scheduled_for: datetime.datetime, zone: str):
        super().__init__(
            _(
                "%(when)s has passed: a make-up lesson is booked for a time to come. "
                "Choose a later date or time."
            )
            % {"when": _local(scheduled_for, zone)}
        )


class LessonNotYetHeld(CreditError):
    """A make-up lesson cannot be marked completed before its time."""

    def __init__(self, scheduled_for: datetime.datetime, zone: str):
        super().__init__(
            _(
                "This make-up lesson is on %(when)s: it can be marked completed once it has "
                "taken place."
            )
            % {"when": _local(scheduled_for, zone)}
        )


def _local(moment: datetime.datetime, zone: str) -> str:
    return date_format(timezone.localtime(moment, zoneinfo.ZoneInfo(zone)), "D j M Y H:i")


def book_makeup_lesson(
    *,
    student: StudentProfile,
    tutor: User,
    scheduled_for: datetime.datetime,
    actor: User,
    note: str = "",
    as_of: datetime.datetime | None = None,
) -> MakeupLesson:
    """Book a make-up lesson of `student` with `tutor` at `scheduled_for` (aware
    datetime), using one of the pair's credits: available −1, booked +1 (docs/design/credits.md).

    Credits are the pair's only: one held with another tutor cannot be used (docs/design/credits.md,
    "Cannot use credits with a different tutor"). The pair's row is locked, so two
    bookings racing for the last credit end with exactly one booked.

    `scheduled_for` must not have passed (docs/design/credits.md, "Booking"): judged
    against `as_of` (aware datetime; default now — the demo replays past bookings).

    Raises LessonInThePast (a CreditError) for a time that has passed, CreditError when
    the pair has no available credit, CreditPermissionError when `actor` may not book;
    nothing is written then.
    """
    _check_actor(actor, student=student, tutor=tutor, completing=False)
    if scheduled_for < (as_of or timezone.now()):
        raise LessonInThePast(scheduled_for, student.school.timezone)
    with transaction.atomic():
        credit = (
            MakeupCredit.objects.select_for_update().filter(student=student, tutor=tutor).first()
        )
        now = timezone.now()  # once the row is locked: the history (by time) chains
        if credit is None or credit.available < 1:
            raise CreditError(
                f"{student} has no make-up credit available with {tutor}: credits can only be "
                "used with the tutor who issued them."
            )
        previous = credit.available
        credit.available -= 1
        credit.booked += 1
        credit.save(update_fields=["available", "booked", "updated_at"])
        lesson = MakeupLesson.objects.create(
            school_id=student.school_id,
            credit=credit,
            student=student,
            tutor=tutor,
            scheduled_for=scheduled_for,
            note=note.strip(),
            credit_set_at=credit.available_since,
            booked_by=actor,
        )
        log_change(
            credit,
            kind=CreditChange.Kind.BOOKED,
            previous_available=previous,
            actor=actor,
            now=now,
            lesson=lesson,
        ).save()
    return lesson


def _finish(
    lesson: MakeupLesson, *, actor: User, completed: bool, as_of: datetime.datetime | None = None
) -> MakeupLesson:
    _check_actor(actor, student=lesson.student, tutor=lesson.tutor, completing=completed)
    with transaction.atomic():
        credit = MakeupCredit.objects.select_for_update().get(pk=lesson.credit_id)
        locked = MakeupLesson.objects.select_for_update().get(pk=lesson.pk)
        now = timezone.now()  # once the rows are locked: the history (by time) chains
        if locked.status != MakeupLesson.Status.BOOKED:
            raise CreditError(
                f"This make-up lesson is already {locked.get_status_display().lower()}."
            )
        if completed and locked.scheduled_for > (as_of or now):
            raise LessonNotYetHeld(locked.scheduled_for, lesson.student.school.timezone)
        previous = credit.available
        credit.booked -= 1
        if completed:
            credit.used += 1
        else:
            credit.available += 1
        credit.save(update_fields=["available", "booked", "used", "updated_at"])
        locked.status = (
            MakeupLesson.Status.COMPLETED if completed else MakeupLesson.Status.CANCELLED
        )
        locked.finished_at = now
        locked.finished_by = actor
        locked.save(update_fields=["status", "finished_at", "finished_by"])
        log_change(
            credit,
            kind=CreditChange.Kind.COMPLETED if completed else CreditChange.Kind.CANCELLED,
            previous_available=previous,
            actor=actor,
            now=now,
            lesson=locked,
        ).save()
    return locked


def complete_makeup_lesson(
    *, lesson: MakeupLesson, actor: User, as_of: datetime.datetime | None = None
) -> MakeupLesson:
    """The lesson took place: booked −1, used +1 (docs/design/credits.md). Only the tutor or an
    admin, and only once its time has come (judged against `as_of`, an aware datetime;
    default now — the demo replays past lessons).

    Raises LessonNotYetHeld (a CreditError) before the lesson's time, CreditError when the
    lesson is not booked any more (completed or cancelled), CreditPermissionError for
    anyone else; nothing is written then."""
    return _finish(lesson, actor=actor, completed=True, as_of=as_of)


def cancel_makeup_lesson(*, lesson: MakeupLesson, actor: User) -> MakeupLesson:
    """The lesson will not take place: booked −1, available +1, so the credit can be
    booked again. The tutor, an admin or the student. Raises like `complete_makeup_lesson`."""
    return _finish(lesson, actor=actor, completed=False)
