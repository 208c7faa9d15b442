"""Generating bills from attendance (docs/design/billing.md): the service's rules."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from attendance.models import Status
from billing.models import Bill, BillLine
from billing.selectors import calculate_bills, with_bill_status
from billing.services import GroupNotPriced, generate_bills, recalculate_bill, record_payment

from .conftest import OCTOBER, SESSION_DAYS

pytestmark = pytest.mark.django_db


def generate(seed, start=OCTOBER[0], end=OCTOBER[1], **kwargs):
    return generate_bills(
        school_class=seed.group, start=start, end=end, actor=seed.accountant, **kwargs
    )


def amounts(seed) -> dict[str, Decimal]:
    return {
        bill.student.user.first_name: bill.amount
        for bill in Bill.objects.filter(school_class=seed.group).select_related("student__user")
    }


def test_the_seeds_workflow_bills_300_200_200(seed):
    preview = calculate_bills(school_class=seed.group, start=OCTOBER[0], end=OCTOBER[1])
    assert [
        (c.student.user.first_name, c.sessions_attended, c.total_amount)
        for c in preview.calculations
    ] == [
        ("Mohamed", 2, Decimal("200")),  # Ali
        ("Sara", 2, Decimal("200")),  # Hassan
        ("Ahmed", 3, Decimal("300")),  # Mohamed
    ]
    assert preview.total_revenue == Decimal("700")
    assert preview.total_sessions == 3
    assert Bill.objects.count() == 0  # the preview writes nothing

    result = generate(seed)

    assert result.message == "Generated 3 new payments, updated 0, skipped 0"
    assert amounts(seed) == {
        "Ahmed": Decimal("300"),
        "Sara": Decimal("200"),
        "Mohamed": Decimal("200"),
    }
    assert sum(amounts(seed).values()) == Decimal("700")
    ahmed = Bill.objects.get(student=seed.students[0])
    assert set(ahmed.lines.values_list("attendance_record_id", flat=True)) == {
        seed.record(0, 0).pk,
        seed.record(0, 1).pk,
        seed.record(0, 2).pk,
    }
    assert ahmed.price_per_session == Decimal("100")
    assert ahmed.currency == "EGP"
    assert ahmed.due_date == OCTOBER[1] + datetime.timedelta(days=30)
    assert ahmed.history.count() == 1


def test_only_present_counts_and_the_date_range_filters(seed):
    seed.mark(0, datetime.date(2025, 10, 27), Status.INFORMED_LEAVE)
    seed.mark(0, datetime.date(2025, 11, 3))  # outside October
    result = generate(seed, start=datetime.date(2025, 10, 1), end=datetime.date(2025, 10, 15))
    assert amounts(seed) == {
        "Ahmed": Decimal("200"),
        "Sara": Decimal("100"),
        "Mohamed": Decimal("100"),
    }
    assert len(result.created) == 3


def test_a_second_run_skips_with_the_reason_and_bills_nothing_twice(seed):
    generate(seed)
    again = generate(seed)
    assert again.message == "Generated 0 new payments, updated 0, skipped 3"
    assert "already bills this period" in again.skipped[0].reason
    assert Bill.objects.count() == 3
    assert BillLine.objects.count() == 7


def test_update_existing_recalculates_with_new_and_corrected_records(seed):
    generate(seed)
    seed.mark(1, datetime.date(2025, 10, 27))  # Sara attends a fourth session
    seed.record(0, 2).status = Status.ABSENT  # Ahmed's third session corrected P → A
    seed.record(0, 2).save()

    result = generate(seed, update_existing=True)

    assert result.message == "Generated 0 new payments, updated 2, skipped 1"
    assert result.skipped[0].reason.endswith("is already up to date.")
    assert amounts(seed) == {
        "Ahmed": Decimal("200"),
        "Sara": Decimal("300"),
        "Mohamed": Decimal("200"),
    }
    assert not BillLine.objects.filter(attendance_record=seed.record(0, 2)).exists()


def test_a_later_price_change_does_not_rewrite_a_bill(seed):
    generate(seed)
    seed.group.price_per_session = Decimal("150")
    seed.group.save()
    seed.mark(1, datetime.date(2025, 10, 27))
    generate(seed, update_existing=True)
    sara = Bill.objects.get(student=seed.students[1])
    assert (sara.price_per_session, sara.amount) == (Decimal("100"), Decimal("300"))


def test_overlapping_periods_never_bill_a_session_twice(seed):
    generate(seed)  # October
    seed.mark(0, datetime.date(2025, 11, 3))
    overlap = generate(seed, start=datetime.date(2025, 10, 15), end=datetime.date(2025, 11, 15))
    assert [(b.student.user.first_name, b.sessions_attended) for b in overlap.created] == [
        ("Ahmed", 1)
    ]
    assert {s.reason for s in overlap.skipped} == {"No sessions attended in the period."}
    assert BillLine.objects.count() == 8
    preview = calculate_bills(
        school_class=seed.group, start=datetime.date(2025, 10, 15), end=datetime.date(2025, 11, 15)
    )
    assert {c.student.user.first_name: c.already_billed for c in preview.calculations} == {
        "Ahmed": 1,
        "Sara": 1,
        "Mohamed": 1,
    }


def test_the_database_refuses_a_record_on_two_bills(seed):
    generate(seed)
    other = Bill.objects.create(
        school=seed.school,
        student=seed.students[0],
        school_class=seed.group,
        period_start=datetime.date(2025, 10, 2),
        period_end=datetime.date(2025, 10, 31),
        price_per_session=Decimal("100"),
        sessions_attended=1,
        amount=Decimal("100"),
        currency="EGP",
        due_date=datetime.date(2025, 11, 30),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        BillLine.objects.create(bill=other, attendance_record=seed.record(0, 0))


def test_a_group_without_a_price_cannot_be_billed_and_nothing_is_written(seed):
    seed.group.price_per_session = None
    seed.group.save()
    with pytest.raises(GroupNotPriced, match="Math Level 1 has no price per session"):
        generate(seed)
    assert Bill.objects.count() == 0


def test_a_dry_run_writes_nothing(seed):
    result = generate(seed, dry_run=True)
    assert len(result.created) == 3
    assert Bill.objects.count() == 0


def test_a_correction_flags_the_bill_and_recalculation_clears_it(seed):
    generate(seed)
    today = seed.school.today()
    bills = with_bill_status(Bill.objects.all(), today=today)
    assert not any(b.needs_recalculation for b in bills)
    record = seed.record(0, 0)
    record.status = Status.ABSENT
    record.save()
    flagged = with_bill_status(Bill.objects.all(), today=today).get(student=seed.students[0])
    assert (flagged.needs_recalculation, flagged.corrected_sessions) == (True, True)
    recalculate_bill(bill=flagged, actor=seed.accountant)
    cleared = with_bill_status(Bill.objects.all(), today=today).get(student=seed.students[0])
    assert not cleared.needs_recalculation
    assert cleared.amount == Decimal("200")


def test_recalculating_below_what_was_paid_keeps_the_overpayment_as_credit(seed):
    generate(seed)
    bill = Bill.objects.get(student=seed.students[0])
    record_payment(
        bill=bill,
        amount=Decimal("300"),
        paid_on=datetime.date(2025, 11, 2),
        method="cash",
        received_by=seed.accountant,
    )
    record = seed.record(0, 1)
    record.status = Status.ABSENT
    record.save()
    recalculate_bill(bill=bill, actor=seed.accountant)
    bill.refresh_from_db()
    assert (bill.amount, bill.paid_amount, bill.credit, bill.remaining) == (
        Decimal("200"),
        Decimal("300"),
        Decimal("100"),
        Decimal("0"),
    )
    assert (
        with_bill_status(Bill.objects.filter(pk=bill.pk), today=seed.school.today()).get().status
        == "paid"
    )


def test_generation_queries_do_not_grow_per_student(seed, django_assert_max_num_queries):
    from .conftest import make_seed_group

    small = make_seed_group(seed.school, name="Small", code="S")
    with django_assert_max_num_queries(20) as few:
        generate(small)
    # Add 20 students with three sessions each to a second group.
    big = make_seed_group(seed.school, name="Big", code="B")
    from tests.academics.factories import MembershipFactory
    from tests.attendance.factories import AttendanceRecordFactory

    for _ in range(20):
        membership = MembershipFactory(school_class=big.group, joined_on=datetime.date(2025, 9, 1))
        for day in SESSION_DAYS:
            AttendanceRecordFactory(membership=membership, date=day, period_number=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        result = generate(big)
    assert len(result.created) == 23
