"""Factories for make-up credits, and the small builders the credit tests share.

The factories write rows directly, balances and all, with no history unless a
CreditChangeFactory is asked for: use them for data a test only reads (lists, query
counts). `give` and `book` go through the services, so the pair's history is written as
in the app: use them when a test looks at the flow or the log.
"""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from academics.models import Role
from credits.models import CreditChange, MakeupCredit, MakeupLesson
from credits.services import book_makeup_lesson, set_available_credits
from tests.academics.factories import StudentProfileFactory, UserFactory


class MakeupCreditFactory(DjangoModelFactory):
    """A student–tutor pair's balance: a new student and teacher of one school unless
    given."""

    class Meta:
        model = MakeupCredit

    student = factory.SubFactory(StudentProfileFactory)
    school = factory.SelfAttribute("student.school")
    tutor = factory.SubFactory(
        UserFactory, school=factory.SelfAttribute("..school"), role=Role.TEACHER
    )
    available = 0
    booked = 0
    used = 0
    available_since = factory.LazyFunction(timezone.now)


class MakeupLessonFactory(DjangoModelFactory):
    """A booked make-up lesson of the credit's pair a week from now (the credit's balance
    is left as given: pass `credit__booked=1` to count it)."""

    class Meta:
        model = MakeupLesson

    credit = factory.SubFactory(MakeupCreditFactory, booked=1)
    school = factory.SelfAttribute("credit.school")
    student = factory.SelfAttribute("credit.student")
    tutor = factory.SelfAttribute("credit.tutor")
    scheduled_for = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    credit_set_at = factory.SelfAttribute("credit.available_since")
    booked_by = factory.SelfAttribute("tutor")


class CreditChangeFactory(DjangoModelFactory):
    """A line of the pair's history: by default the tutor setting the credit's available
    amount from 0, now, with the balances after as the credit has them."""

    class Meta:
        model = CreditChange

    credit = factory.SubFactory(MakeupCreditFactory)
    school = factory.SelfAttribute("credit.school")
    student = factory.SelfAttribute("credit.student")
    tutor = factory.SelfAttribute("credit.tutor")
    kind = CreditChange.Kind.SET
    previous_available = 0
    new_available = factory.SelfAttribute("credit.available")
    booked_after = factory.SelfAttribute("credit.booked")
    used_after = factory.SelfAttribute("credit.used")
    changed_by = factory.SelfAttribute("tutor")
    changed_at = factory.LazyFunction(timezone.now)


# --- builders through the services (the history is written as in the app) --------------


def give(studio, student, tutor, amount, actor=None):
    """Set the pair's available credits to `amount`, as the studio's admin unless
    `actor`."""
    return set_available_credits(
        students=[student], tutor=tutor, amount=amount, actor=actor or studio.admin
    )


def book(student, tutor, *, actor, days=7):
    """Book a make-up lesson of the pair `days` from now, as `actor`."""
    return book_makeup_lesson(
        student=student,
        tutor=tutor,
        scheduled_for=timezone.now() + datetime.timedelta(days=days),
        actor=actor,
    )


def held(lesson):
    """`lesson` as once its time has come (the clock moved on): its time set to an hour
    ago, so it may be marked completed (docs/design/credits.md, "Booking")."""
    lesson.scheduled_for = timezone.now() - datetime.timedelta(hours=1)
    MakeupLesson.objects.filter(pk=lesson.pk).update(scheduled_for=lesson.scheduled_for)
    return lesson


def balance(student, tutor) -> tuple[int, int, int]:
    """The pair's (available, booked, used) as stored now."""
    credit = MakeupCredit.objects.get(student=student, tutor=tutor)
    return credit.available, credit.booked, credit.used
