"""Two promotions of the same years at the same moment (docs/design/promotion.md):
PostgreSQL, threads with their own connections.

Execution and undo lock both academic years with NOWAIT, so the second of two overlapping
calls is refused at once (PromotionBusy) instead of waiting and then running on a plan the
first has made stale. Each test pauses the first call inside its transaction (holding the
lock) and lets the second run meanwhile, so the calls really overlap and a service that
stopped locking would fail here instead of passing by luck.
"""

import threading
import time

from django.db import transaction

from academics.models import (
    AcademicYear,
    Enrollment,
    PromotionLog,
    PromotionMode,
    PromotionRow,
    PromotionRun,
    Role,
)
from academics.services.promotion import (
    PromotionBusy,
    PromotionError,
    PromotionResult,
    execute_promotion,
    undo_promotion,
)
from academics.services.promotion import execution as execution_module
from tests.concurrency import WAIT, HoldTheLock, finish, in_a_thread, needs_postgresql

from ..factories import UserFactory
from .helpers import plan, state, student

pytestmark = needs_postgresql

BUSY = (
    "Another promotion between 2025-2026 and 2026-2027 is running right now. Nothing was "
    "changed; try again when it has finished."
)
AT_ONCE = 2.0  # seconds: a refusal, not a wait for the lock (held for up to WAIT)


def wait_for(results: dict, count: int) -> bool:
    deadline = time.monotonic() + WAIT
    while len(results) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return len(results) >= count


def hold_the_years(s, results: dict) -> tuple[threading.Thread, threading.Event, threading.Event]:
    """A thread that locks both years in an open transaction, as an execution does, until
    released."""
    locked, release = threading.Event(), threading.Event()

    def lock():
        with transaction.atomic():
            list(
                AcademicYear.objects.select_for_update().filter(
                    pk__in=[s.from_year.pk, s.to_year.pk]
                )
            )
            locked.set()
            release.wait(WAIT)

    return in_a_thread(lock, results, "holder"), locked, release


def test_an_execution_while_the_years_are_locked_is_refused_at_once(
    transactional_db, promotion_school
):
    s = promotion_school
    run = plan(s)
    before = state()
    results: dict = {}
    holder, locked, release = hold_the_years(s, results)
    try:
        assert locked.wait(WAIT), "the other transaction did not lock the years"
        started = time.monotonic()
        try:
            execute_promotion(run=run, actor=s.admin)
        except PromotionBusy as busy:
            refused = busy
        else:
            raise AssertionError("the execution ran while the years were locked")
        assert time.monotonic() - started < AT_ONCE
        assert refused.messages == [BUSY]
        assert state() == before
    finally:
        release.set()
        holder.join(WAIT)
    assert not holder.is_alive()

    assert execute_promotion(run=run, actor=s.admin).total == 24  # once the lock is gone


def test_two_executions_of_the_same_plan_promote_each_student_once(
    transactional_db, promotion_school, monkeypatch
):
    s = promotion_school
    run = plan(s)
    colleague = UserFactory(school=s.school, role=Role.ADMIN)
    # The new memberships are written while the years are locked.
    hold = HoldTheLock(execution_module._add_memberships)
    monkeypatch.setattr(execution_module, "_add_memberships", hold)
    start = threading.Barrier(2, timeout=WAIT)
    results: dict = {}

    def execution(actor):
        return lambda: execute_promotion(run=PromotionRun.objects.get(pk=run.pk), actor=actor)

    threads = [
        in_a_thread(execution(s.admin), results, "admin", start),
        in_a_thread(execution(colleague), results, "colleague", start),
    ]
    try:
        assert hold.held.wait(WAIT), "no execution reached its locked section"
        # The other one is answered while the first still holds the lock.
        assert wait_for(results, 1), "the second execution waited for the first"
    finally:
        hold.release.set()
        for thread in threads:
            thread.join(WAIT)
    assert not any(thread.is_alive() for thread in threads)

    executed = [r for r in results.values() if isinstance(r, PromotionResult)]
    refused = [r for r in results.values() if isinstance(r, PromotionBusy)]
    assert (len(executed), len(refused)) == (1, 1), results
    assert refused[0].messages == [BUSY]
    assert executed[0].total == 24
    assert Enrollment.objects.filter(academic_year=s.to_year).count() == 20
    assert PromotionLog.objects.count() == 1
    assert PromotionRun.objects.get(pk=run.pk).status == PromotionRun.Status.EXECUTED
    # A later attempt finds the run executed.
    try:
        execute_promotion(run=run, actor=colleague)
    except PromotionError as late:
        assert late.messages == [f"Run #{run.pk} is already executed; nothing was changed."]
    else:
        raise AssertionError("the executed run was executed again")


def test_undoing_a_run_while_another_run_of_the_same_years_executes_is_refused_at_once(
    transactional_db, promotion_school, monkeypatch
):
    """Abbott was promoted on his own first; the rest are being promoted when someone
    undoes Abbott's run."""
    s = promotion_school
    abbott = student(s, "Abbott")
    first = plan(s, mode=PromotionMode.MANUAL, filters={"students": [abbott.pk]})
    execute_promotion(run=first, actor=s.admin)
    rest = plan(s)
    hold = HoldTheLock(execution_module._add_memberships)
    monkeypatch.setattr(execution_module, "_add_memberships", hold)
    results: dict = {}
    executing = in_a_thread(lambda: execute_promotion(run=rest, actor=s.admin), results, "rest")
    try:
        assert hold.held.wait(WAIT), "the execution did not reach its locked section"
        before = state()
        started = time.monotonic()
        try:
            undo_promotion(run=first, actor=s.admin)
        except PromotionBusy as busy:
            refused = busy
        else:
            raise AssertionError("the undo ran during another execution of the same years")
        assert time.monotonic() - started < AT_ONCE
        assert refused.messages == [BUSY]
        assert state() == before
    finally:
        hold.release.set()
        executing.join(WAIT)
    assert not executing.is_alive()

    assert isinstance(results["rest"], PromotionResult), results
    assert results["rest"].total == 23
    assert PromotionRun.objects.get(pk=first.pk).status == PromotionRun.Status.EXECUTED
    assert Enrollment.objects.filter(academic_year=s.to_year).count() == 20


def test_planning_during_an_execution_of_the_same_years_waits_and_is_then_refused(
    transactional_db, promotion_school, monkeypatch
):
    """A second admin opens the wizard for the same years while the draft is being
    executed: their plan waits for the execution, then finds the run executed."""
    s = promotion_school
    run = plan(s)
    colleague = UserFactory(school=s.school, role=Role.ADMIN)
    hold = HoldTheLock(execution_module._add_memberships)
    monkeypatch.setattr(execution_module, "_add_memberships", hold)
    results: dict = {}
    threads = [in_a_thread(lambda: execute_promotion(run=run, actor=s.admin), results, "run")]
    assert hold.held.wait(WAIT), "the execution did not reach its locked section"
    threads.append(in_a_thread(lambda: plan(s, actor=colleague), results, "plan"))

    blocked = finish(threads, hold)

    assert blocked, "the plan did not wait for the execution"
    assert isinstance(results["run"], PromotionResult), results
    assert isinstance(results["plan"], PromotionError), results
    assert results["plan"].messages == [
        f"Run #{run.pk} was executed meanwhile by another admin: start a new plan from the "
        "promotion history."
    ]
    assert PromotionRun.objects.count() == 1
    assert PromotionRow.objects.filter(run=run).count() == 24


def test_two_admins_starting_a_plan_at_once_get_one_run(
    transactional_db, promotion_school, monkeypatch
):
    s = promotion_school
    colleague = UserFactory(school=s.school, role=Role.ADMIN)
    # The rows are written after the new run, in its transaction: the run is not yet
    # visible to the other admin, whose own insert then waits on the one-draft index.
    hold = HoldTheLock(PromotionRow.objects.bulk_create)
    monkeypatch.setattr(PromotionRow.objects, "bulk_create", hold)
    results: dict = {}
    threads = [in_a_thread(lambda: plan(s), results, "first")]
    assert hold.held.wait(WAIT), "the first plan did not reach its rows"
    threads.append(in_a_thread(lambda: plan(s, actor=colleague), results, "second"))

    blocked = finish(threads, hold)

    assert blocked, "the second plan did not wait for the first"
    assert isinstance(results["first"], PromotionRun), results
    assert isinstance(results["second"], PromotionError), results
    assert results["second"].messages == [
        "Someone else has just started a promotion from 2025-2026 to 2026-2027: open it "
        "from the promotion history."
    ]
    run = PromotionRun.objects.get()
    assert (run.pk, run.created_by, run.rows.count()) == (results["first"].pk, s.admin, 24)
