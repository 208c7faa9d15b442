"""Make-up credits (docs/design/credits.md): set, book, complete, cancel, expire, clear."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from credits.models import CreditChange, MakeupCredit, MakeupLesson
from credits.selectors import balances_by_student, credits_summary, tutor_students
from credits.services import (
    CreditError,
    CreditPermissionError,
    book_makeup_lesson,
    cancel_makeup_lesson,
    clear_departed_tutor_credits,
    complete_makeup_lesson,
    expire_makeup_credits,
    set_available_credits,
)
from credits.services import balances as balance_service

from .factories import MakeupCreditFactory, balance, held

pytestmark = pytest.mark.django_db


def next_week() -> datetime.datetime:
    """A week from now on the tests' clock (--clock moves it), read when a test books."""
    return timezone.now() + datetime.timedelta(days=7)


def book(studio, student=None, tutor=None, actor=None):
    return book_makeup_lesson(
        student=student or studio.sarah,
        tutor=tutor or studio.tutor_a,
        scheduled_for=next_week(),
        actor=actor or studio.tutor_a,
    )


def test_the_seeds_automatic_credit_flow(studio):
    result = set_available_credits(
        students=[studio.sarah], tutor=studio.tutor_a, amount=3, actor=studio.tutor_a
    )
    assert result.message == "Make-up credits set to 3 for 1 student(s) with Amal Adel"
    assert balance(studio.sarah, studio.tutor_a) == (3, 0, 0)
    lesson = book(studio)
    assert balance(studio.sarah, studio.tutor_a) == (2, 1, 0)
    complete_makeup_lesson(lesson=held(lesson), actor=studio.tutor_a)
    assert balance(studio.sarah, studio.tutor_a) == (2, 0, 1)
    book(studio)
    assert balance(studio.sarah, studio.tutor_a) == (1, 1, 1)
    assert MakeupCredit.objects.get(student=studio.sarah).total == 3


def test_setting_several_students_sets_not_adds_and_logs_each(studio):
    set_available_credits(
        students=[studio.sarah], tutor=studio.tutor_a, amount=5, actor=studio.admin
    )
    result = set_available_credits(
        students=[studio.sarah, studio.omar],
        tutor=studio.tutor_a,
        amount=2,
        actor=studio.tutor_a,
        note="Two lessons cancelled",
    )
    assert result.message == "Make-up credits set to 2 for 2 student(s) with Amal Adel"
    assert balance(studio.sarah, studio.tutor_a) == (2, 0, 0)
    assert balance(studio.omar, studio.tutor_a) == (2, 0, 0)
    latest = CreditChange.objects.filter(student=studio.sarah).first()
    assert (latest.previous_available, latest.new_available, latest.changed_by, latest.note) == (
        5,
        2,
        studio.tutor_a,
        "Two lessons cancelled",
    )
    assert CreditChange.objects.filter(kind=CreditChange.Kind.SET).count() == 3


@pytest.mark.parametrize("amount", [-1, 1.5, "1.5", "", "two", True, None, "-3", 1001])
def test_a_bad_amount_is_refused_and_nothing_changes(studio, amount):
    with pytest.raises(CreditError):
        set_available_credits(
            students=[studio.sarah], tutor=studio.tutor_a, amount=amount, actor=studio.tutor_a
        )
    assert not MakeupCredit.objects.exists()
    assert not CreditChange.objects.exists()


def test_no_student_or_an_inactive_tutor_is_refused(studio):
    with pytest.raises(CreditError, match="Select at least one student"):
        set_available_credits(students=[], tutor=studio.tutor_a, amount=1, actor=studio.admin)
    studio.tutor_b.is_active = False
    studio.tutor_b.save()
    with pytest.raises(CreditError, match="not an active tutor"):
        set_available_credits(
            students=[studio.sarah], tutor=studio.tutor_b, amount=1, actor=studio.admin
        )


def test_a_tutor_cannot_set_another_tutors_credits_or_other_students(studio):
    with pytest.raises(CreditPermissionError):
        set_available_credits(
            students=[studio.sarah], tutor=studio.tutor_b, amount=1, actor=studio.tutor_a
        )
    with pytest.raises(CreditPermissionError):  # Omar does not learn violin
        set_available_credits(
            students=[studio.omar], tutor=studio.tutor_b, amount=1, actor=studio.tutor_b
        )
    with pytest.raises(CreditPermissionError):
        set_available_credits(
            students=[studio.sarah], tutor=studio.tutor_a, amount=1, actor=studio.principal
        )
    set_available_credits(
        students=[studio.omar], tutor=studio.tutor_b, amount=1, actor=studio.admin
    )
    assert balance(studio.omar, studio.tutor_b) == (1, 0, 0)
    assert set(tutor_students(tutor=studio.tutor_b, today=studio.school.today())) == {
        studio.sarah,
        studio.omar,  # holds a credit with the tutor now
    }


def test_booking_needs_a_credit_with_that_very_tutor(studio):
    set_available_credits(
        students=[studio.sarah], tutor=studio.tutor_b, amount=2, actor=studio.admin
    )
    with pytest.raises(CreditError, match="no make-up credit available with Amal Adel"):
        book(studio, tutor=studio.tutor_a, actor=studio.admin)
    set_available_credits(
        students=[studio.sarah], tutor=studio.tutor_a, amount=0, actor=studio.admin
    )
    with pytest.raises(CreditError):
        book(studio, tutor=studio.tutor_a, actor=studio.admin)
    assert not MakeupLesson.objects.exists()
    assert balance(studio.sarah, studio.tutor_b) == (2, 0, 0)


def test_cancelling_returns_the_credit_and_a_finished_lesson_cannot_move_again(studio):
    set_available_credits(
        students=[studio.sarah], tutor=studio.tutor_a, amount=1, actor=studio.admin
    )
    lesson = book(studio, actor=studio.sarah.user)  # the student books it themself
    cancel_makeup_lesson(lesson=lesson, actor=studio.sarah.user)
    assert balance(studio.sarah, studio.tutor_a) == (1, 0, 0)
    with pytest.raises(CreditError, match="already cancelled"):
        complete_makeup_lesson(lesson=held(lesson), actor=studio.tutor_a)
    lesson = book(studio)
    with pytest.raises(CreditPermissionError):  # a student cannot mark it completed
        complete_makeup_lesson(lesson=held(lesson), actor=studio.sarah.user)
    kinds = list(CreditChange.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["set", "booked", "cancelled", "booked"]


def test_the_database_refuses_a_negative_balance(studio):
    set_available_credits(
        students=[studio.sarah], tutor=studio.tutor_a, amount=1, actor=studio.admin
    )
    for field in ("available", "booked", "used"):
        with pytest.raises(IntegrityError), transaction.atomic():
            MakeupCredit.objects.filter(student=studio.sarah).update(**{field: -1})
    with pytest.raises(IntegrityError), transaction.atomic():
        MakeupCreditFactory(school=studio.school, student=studio.sarah, tutor=studio.tutor_a)


def test_expiry_clears_old_available_credits_and_logs_it(studio):
    set_available_credits(
        students=[studio.sarah, studio.omar], tutor=studio.tutor_a, amount=2, actor=studio.admin
    )
    book(studio)  # Sarah: 1 available, 1 booked
    later = timezone.now() + datetime.timedelta(days=31)
    assert expire_makeup_credits(school=studio.school, now=later).credits == 0  # no setting
    studio.school.makeup_credit_expiry_days = 30
    studio.school.save()
    dry = expire_makeup_credits(school=studio.school, now=later, dry_run=True)
    assert (dry.credits, dry.amount) == (2, 3)
    assert balance(studio.omar, studio.tutor_a) == (2, 0, 0)
    result = expire_makeup_credits(school=studio.school, now=later)
    assert (result.credits, result.amount) == (2, 3)
    assert balance(studio.sarah, studio.tutor_a) == (0, 1, 0)  # booked never expires
    expired = CreditChange.objects.filter(kind=CreditChange.Kind.EXPIRED)
    assert {(c.previous_available, c.new_available, c.changed_by) for c in expired} == {
        (1, 0, None),
        (2, 0, None),
    }
    assert expire_makeup_credits(school=studio.school, now=later).credits == 0


def test_a_departed_tutors_credits_stay_visible_until_an_admin_clears_them(studio):
    set_available_credits(
        students=[studio.sarah], tutor=studio.tutor_b, amount=2, actor=studio.admin
    )
    lesson = book(studio, tutor=studio.tutor_b, actor=studio.admin)
    studio.tutor_b.is_active = False
    studio.tutor_b.save()
    summary = credits_summary(balances_by_student([studio.sarah.pk])[studio.sarah.pk])
    assert summary == "1 credit (1 with Bassem Badr)"
    with pytest.raises(CreditPermissionError):
        clear_departed_tutor_credits(tutor=studio.tutor_b, actor=studio.tutor_a)
    assert clear_departed_tutor_credits(tutor=studio.tutor_b, actor=studio.admin) == 2
    assert balance(studio.sarah, studio.tutor_b) == (0, 0, 0)
    lesson.refresh_from_db()
    assert lesson.status == MakeupLesson.Status.CANCELLED
    assert CreditChange.objects.filter(kind=CreditChange.Kind.CLEARED).count() == 1


def test_the_list_summary_reads_like_the_seed(studio):
    set_available_credits(
        students=[studio.sarah], tutor=studio.tutor_a, amount=2, actor=studio.admin
    )
    set_available_credits(
        students=[studio.sarah], tutor=studio.tutor_b, amount=1, actor=studio.admin
    )
    balances = balances_by_student([studio.sarah.pk, studio.omar.pk])
    assert credits_summary(balances[studio.sarah.pk]) == (
        "3 credits (2 with Amal Adel, 1 with Bassem Badr)"
    )
    assert credits_summary(balances[studio.omar.pk]) == "0 credits"


def test_a_change_is_timed_once_the_pair_is_locked(studio, monkeypatch):
    """A change that waited for another's lock must be the later one in the history, which
    is ordered by time: so the time is read after the lock, not before."""
    locked_at = []
    lock = balance_service.lock_credits

    def lock_then_note_the_time(**kwargs):
        rows = lock(**kwargs)
        locked_at.append(timezone.now())
        return rows

    monkeypatch.setattr(balance_service, "lock_credits", lock_then_note_the_time)
    set_available_credits(
        students=[studio.sarah], tutor=studio.tutor_a, amount=2, actor=studio.tutor_a
    )

    change = CreditChange.objects.get(student=studio.sarah, tutor=studio.tutor_a)
    assert change.changed_at >= locked_at[0]
