"""Make-up credits at the same moment (docs/design/credits.md): PostgreSQL, two threads, two
connections.

Each test lets the first call that holds the pair's row lock pause inside its transaction,
and goes on only once the database shows the other connection waiting for that lock — so
the calls really overlap, and a service that stopped locking would fail here instead of
passing by luck. Copied from tests/billing/test_concurrency.py.
"""

import datetime
import threading

import pytest
from django.utils import timezone

from credits.models import CreditChange, MakeupCredit, MakeupLesson
from credits.services import CreditError, book_makeup_lesson, set_available_credits
from credits.services import balances as balance_service
from credits.services import lessons as lesson_service
from tests.concurrency import WAIT, HoldTheLock, finish, in_a_thread, needs_postgresql

from .conftest import make_studio

pytestmark = needs_postgresql


def next_week() -> datetime.datetime:
    """A week from now on the tests' clock (--clock moves it), read when a test books."""
    return timezone.now() + datetime.timedelta(days=7)


def balance(studio) -> tuple[int, int, int]:
    credit = MakeupCredit.objects.get(student=studio.sarah, tutor=studio.tutor_a)
    return credit.available, credit.booked, credit.used


def assert_the_log_agrees_with_the_balance(studio) -> None:
    """The pair's log reads as one change after another: each starts from the available
    amount the one before left, and the last ends at the balance."""
    changes = list(
        CreditChange.objects.filter(student=studio.sarah, tutor=studio.tutor_a).order_by("pk")
    )
    for before, after in zip(changes, changes[1:], strict=False):
        assert after.previous_available == before.new_available, changes
    last = changes[-1]
    assert (last.new_available, last.booked_after, last.used_after) == balance(studio)
    assert all(c.new_available >= 0 and c.booked_after >= 0 for c in changes)


def test_two_bookings_of_the_last_credit_book_exactly_one_lesson(transactional_db, monkeypatch):
    studio = make_studio()
    set_available_credits(
        students=[studio.sarah], tutor=studio.tutor_a, amount=1, actor=studio.tutor_a
    )
    # The lesson is created while the pair's row is locked.
    hold = HoldTheLock(lesson_service.MakeupLesson.objects.create)
    monkeypatch.setattr(lesson_service.MakeupLesson.objects, "create", hold)
    start = threading.Barrier(2, timeout=WAIT)
    results = {}

    def booking(actor):
        return lambda: book_makeup_lesson(
            student=studio.sarah, tutor=studio.tutor_a, scheduled_for=next_week(), actor=actor
        )

    threads = [
        in_a_thread(booking(studio.sarah.user), results, "student", start),
        in_a_thread(booking(studio.tutor_a), results, "tutor", start),
    ]
    blocked = finish(threads, hold)

    assert blocked, "the second booking did not wait for the first's lock"
    booked = [r for r in results.values() if isinstance(r, MakeupLesson)]
    refused = [r for r in results.values() if isinstance(r, CreditError)]
    assert (len(booked), len(refused)) == (1, 1), results
    assert "has no make-up credit available with Amal Adel" in str(refused[0])
    assert balance(studio) == (0, 1, 0)
    assert MakeupLesson.objects.count() == 1
    assert_the_log_agrees_with_the_balance(studio)


@pytest.mark.parametrize("first", ["set", "book"])
def test_a_set_and_a_booking_at_once_end_as_one_after_the_other(
    transactional_db, monkeypatch, first
):
    """Sarah has 1 credit; the tutor sets it to 0 while she books it. Whichever holds the
    lock first, the other sees its result: set then book → the booking is refused,
    (0, 0, 0); book then set → the set overwrites only what is available, (0, 1, 0)."""
    studio = make_studio()
    set_available_credits(
        students=[studio.sarah], tutor=studio.tutor_a, amount=1, actor=studio.tutor_a
    )
    if first == "set":  # the set's log is written while its rows are locked
        hold = HoldTheLock(balance_service.CreditChange.objects.bulk_create)
        monkeypatch.setattr(balance_service.CreditChange.objects, "bulk_create", hold)
    else:
        hold = HoldTheLock(lesson_service.MakeupLesson.objects.create)
        monkeypatch.setattr(lesson_service.MakeupLesson.objects, "create", hold)
    results = {}
    calls = {
        "set": lambda: set_available_credits(
            students=[studio.sarah], tutor=studio.tutor_a, amount=0, actor=studio.tutor_a
        ),
        "book": lambda: book_makeup_lesson(
            student=studio.sarah,
            tutor=studio.tutor_a,
            scheduled_for=next_week(),
            actor=studio.sarah.user,
        ),
    }
    second = "book" if first == "set" else "set"

    threads = [in_a_thread(calls[first], results, first)]
    # The second starts only once the first holds the lock, so the order is the test's.
    assert hold.held.wait(WAIT), "the first call did not reach its locked section"
    threads.append(in_a_thread(calls[second], results, second))
    blocked = finish(threads, hold)

    assert blocked, f"the {second} did not wait for the {first}'s lock"
    assert not isinstance(results["set"], Exception), results
    if first == "set":
        assert isinstance(results["book"], CreditError), results
        assert balance(studio) == (0, 0, 0)
        assert not MakeupLesson.objects.exists()
    else:
        assert isinstance(results["book"], MakeupLesson), results
        assert balance(studio) == (0, 1, 0)
        assert results["set"].message == "Make-up credits set to 0 for 1 student(s) with Amal Adel"
    assert_the_log_agrees_with_the_balance(studio)
