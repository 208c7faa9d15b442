"""Two accountants at the same moment (docs/design/billing.md): PostgreSQL, two threads, two
connections.

Each test starts both threads together at a barrier, lets the first one that holds the row
lock pause inside its transaction, and goes on only once the database shows the other
connection waiting for that lock — so the calls really overlap, and a service that
stopped locking would fail here instead of passing by luck.
"""

import datetime
import threading
from decimal import Decimal

from billing.models import Bill, BillLine
from billing.services import (
    PaymentError,
    generate_bills,
    record_payment,
    refund_overpayment,
    void_payment,
)
from billing.services import generation as generation_service
from billing.services import payments as payment_service
from tests.concurrency import WAIT, HoldTheLock, finish, in_a_thread, needs_postgresql

from .conftest import OCTOBER, make_seed_group

pytestmark = needs_postgresql


def run_together(target, arguments, hold: HoldTheLock) -> tuple[dict, bool]:
    """Start a thread per argument at one barrier; once one holds the lock, see that the
    other waits for it, then let both finish. Returns the results (value or exception) by
    argument and whether the second was seen blocked."""
    start = threading.Barrier(len(arguments), timeout=WAIT)
    results: dict = {}
    threads = [in_a_thread(lambda a=a: target(a), results, a, start=start) for a in arguments]
    return results, finish(threads, hold)


def test_two_generations_of_the_same_group_and_period_bill_each_student_once(
    transactional_db, monkeypatch
):
    seed = make_seed_group()
    hold = HoldTheLock(generation_service.calculate_bills)  # called under the group's lock
    monkeypatch.setattr(generation_service, "calculate_bills", hold)

    def generate(actor):
        return generate_bills(
            school_class=seed.group, start=OCTOBER[0], end=OCTOBER[1], actor=actor
        )

    results, blocked = run_together(generate, [seed.accountant, seed.admin], hold)

    assert blocked, "the second generation did not wait for the first's lock"
    runs = list(results.values())
    assert all(not isinstance(run, Exception) for run in runs), runs
    assert sorted(run.message for run in runs) == [
        "Generated 0 new payments, updated 0, skipped 3",
        "Generated 3 new payments, updated 0, skipped 0",
    ]
    second = next(run for run in runs if run.skipped)
    assert {s.reason.split(" already bills")[0] for s in second.skipped} == {
        bill.number for bill in Bill.objects.all()
    }
    assert sorted(Bill.objects.values_list("student_id", flat=True)) == sorted(
        s.pk for s in seed.students
    )
    assert {bill.student_id: bill.amount for bill in Bill.objects.all()} == {
        seed.students[0].pk: Decimal("300"),
        seed.students[1].pk: Decimal("200"),
        seed.students[2].pk: Decimal("200"),
    }
    charged = list(BillLine.objects.values_list("attendance_record_id", flat=True))
    present = [r.pk for r in seed.records.values() if r.status == "P"]
    assert sorted(charged) == sorted(present)  # every P record on exactly one line


def test_two_payments_that_together_would_overpay_cannot_both_succeed(
    transactional_db, monkeypatch
):
    seed = make_seed_group()
    generate_bills(school_class=seed.group, start=OCTOBER[0], end=OCTOBER[1], actor=seed.accountant)
    bill = Bill.objects.get(student=seed.students[0])  # 300 EGP
    # The payment is written while the bill's row is locked.
    hold = HoldTheLock(payment_service.Payment.objects.create)
    monkeypatch.setattr(payment_service.Payment.objects, "create", hold)

    def pay(amount):
        return record_payment(
            bill=Bill.objects.get(pk=bill.pk),
            amount=Decimal(amount),
            paid_on=datetime.date(2025, 11, 2),
            method="cash",
            received_by=seed.accountant,
        )

    results, blocked = run_together(pay, ["200", "150"], hold)

    assert blocked, "the second payment did not wait for the first's lock"
    refused = [r for r in results.values() if isinstance(r, PaymentError)]
    accepted = [r for r in results.values() if not isinstance(r, Exception)]
    assert (len(accepted), len(refused)) == (1, 1), results
    assert "That is more than is owed" in str(refused[0])
    bill.refresh_from_db()
    assert bill.paid_amount == accepted[0].amount
    assert bill.payments.count() == 1


def test_two_voids_of_the_same_payment_at_once_void_it_once(transactional_db, monkeypatch):
    """Both clicks of "Void this payment" (two tabs): the second waits for the bill's lock,
    then finds the payment voided; the paid amount drops once, not twice."""
    seed = make_seed_group()
    generate_bills(school_class=seed.group, start=OCTOBER[0], end=OCTOBER[1], actor=seed.accountant)
    bill = Bill.objects.get(student=seed.students[0])  # 300 EGP
    payment = record_payment(
        bill=bill,
        amount=Decimal("200"),
        paid_on=datetime.date(2025, 11, 2),
        method="cash",
        received_by=seed.accountant,
    )
    # The paid total is summed while the bill's row is locked.
    hold = HoldTheLock(payment_service._paid_total)
    monkeypatch.setattr(payment_service, "_paid_total", hold)

    def void(actor):
        return void_payment(
            payment=payment_service.Payment.objects.get(pk=payment.pk),
            reason="Entered twice",
            actor=actor,
        )

    results, blocked = run_together(void, [seed.accountant, seed.admin], hold)

    assert blocked, "the second void did not wait for the first's lock"
    refused = [r for r in results.values() if isinstance(r, PaymentError)]
    assert len(refused) == 1, results
    assert "already voided" in str(refused[0])
    bill.refresh_from_db()
    assert bill.paid_amount == Decimal("0")


def test_two_refunds_that_together_exceed_the_credit_cannot_both_succeed(
    transactional_db, monkeypatch
):
    seed = make_seed_group()
    generate_bills(school_class=seed.group, start=OCTOBER[0], end=OCTOBER[1], actor=seed.accountant)
    bill = Bill.objects.get(student=seed.students[0])
    record_payment(
        bill=bill,
        amount=Decimal("300"),
        paid_on=datetime.date(2025, 11, 2),
        method="cash",
        received_by=seed.accountant,
    )
    Bill.objects.filter(pk=bill.pk).update(amount=Decimal("200"))  # 100 EGP of credit
    hold = HoldTheLock(payment_service.Payment.objects.create)
    monkeypatch.setattr(payment_service.Payment.objects, "create", hold)

    def refund(amount):
        return refund_overpayment(
            bill=Bill.objects.get(pk=bill.pk),
            amount=Decimal(amount),
            paid_on=datetime.date(2025, 11, 3),
            method="cash",
            reason="Asked back",
            actor=seed.accountant,
        )

    results, blocked = run_together(refund, ["80", "60"], hold)

    assert blocked, "the second refund did not wait for the first's lock"
    refused = [r for r in results.values() if isinstance(r, PaymentError)]
    assert len(refused) == 1, results
    assert "a refund gives back at most that" in str(refused[0])
    bill.refresh_from_db()
    assert bill.paid_amount in (Decimal("220"), Decimal("240"))
    assert bill.credit >= 0
