"""Billing's part of `manage.py load_demo` (devtools.demo.billing): prices, the last ended
month's bills, payments; idempotent.

The clock is set (`clock`, Wednesday 18 November 2026), so the billed month does not
depend on when the tests run (in August it would be before the year)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import F, Sum

from academics.models import Membership, Role, SchoolClass, User
from attendance.models import AttendanceRecord, Status
from billing.models import Bill, Payment
from devtools.demo import DemoLogin, generate_demo_school, school_days_before
from devtools.demo.billing import (
    BILLED_SCHOOL_DAYS,
    SEED_PRICES,
    TENTH_PRICES,
    add_billing_to_the_demo,
    demo_prices,
    load_billing_demo,
    price_demo_groups,
)
from tests.academics.factories import MembershipFactory, SchoolClassFactory, UserFactory
from tests.devtools.conftest import DEMO_TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

TODAY = DEMO_TODAY  # a Wednesday: the bills are for October 2026
OCTOBER = (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))


@pytest.fixture
def demo_school(db):
    """The generated demo school (homeroom classes priced 12.50 USD) with its accountant."""
    school = generate_demo_school(today=TODAY)
    UserFactory(school=school, role=Role.ACCOUNTANT, username="demo.accountant")
    return school


def counts() -> tuple:
    return (
        Bill.objects.count(),
        Payment.objects.count(),
        AttendanceRecord.objects.count(),
        Bill.objects.aggregate(paid=Sum("paid_amount"))["paid"],
        tuple(SchoolClass.objects.order_by("pk").values_list("price_per_session", flat=True)),
    )


def test_load_demo_bills_the_last_ended_month_and_records_payments(settings, tmp_path):
    settings.ROLLBOOK_DEMO_ROSTER = tmp_path / "no-roster-here"
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    output = out.getvalue()

    assert "Billing:" in output and "bills generated for October 2026" in output
    bills = Bill.objects.all()
    assert bills.exists()
    assert set(bills.values_list("period_start", "period_end")) == {OCTOBER}
    # Every session attended in October in a priced group is on a bill.
    assert not AttendanceRecord.objects.filter(
        date__range=OCTOBER,
        status=Status.PRESENT,
        school_class__price_per_session__isnull=False,
        bill_line__isnull=True,
    ).exists()
    accountant = User.objects.get(username="demo.accountant")
    assert set(bills.values_list("created_by", flat=True)) == {accountant.pk}

    payments = Payment.objects.all()
    assert payments.exists()
    assert set(payments.values_list("received_by", flat=True)) == {accountant.pk}
    assert all(OCTOBER[1] < p.paid_on <= TODAY for p in payments)
    for bill in bills.annotate(received=Sum("payments__amount")):
        assert bill.paid_amount == (bill.received or Decimal("0"))
    paid = bills.filter(paid_amount=F("amount")).count()
    partial = bills.filter(paid_amount__gt=0).exclude(paid_amount=F("amount")).count()
    unpaid = bills.filter(paid_amount=0).count()
    assert paid and partial and unpaid  # some of each

    # October has at least its last week marked, so each bill charges several sessions.
    october_days = set(
        AttendanceRecord.objects.filter(date__range=OCTOBER).values_list("date", flat=True)
    )
    assert len(october_days) >= BILLED_SCHOOL_DAYS
    assert max(bills.values_list("sessions_attended", flat=True)) >= BILLED_SCHOOL_DAYS


def test_running_the_billing_demo_again_adds_nothing(demo_school):
    load_billing_demo(school=demo_school, accountant_username="demo.accountant", today=TODAY)
    before = counts()
    assert before[0] and before[1]

    lines = load_billing_demo(
        school=demo_school, accountant_username="demo.accountant", today=TODAY
    )

    assert counts() == before
    assert "0 bills generated" in lines[-1] and "0 payments recorded" in lines[-1]


def test_the_demo_adds_billing_for_its_logins_and_returns_lines_to_print(demo_school):
    logins = [DemoLogin(role=Role.ACCOUNTANT, username="demo.accountant", name="Omar Fikry")]

    lines = add_billing_to_the_demo(school=demo_school, logins=logins)

    assert any(line.startswith("Billing:") for line in lines)
    assert Bill.objects.filter(school=demo_school, period_start=OCTOBER[0]).exists()
    assert Payment.objects.filter(received_by__username="demo.accountant").exists()


def test_half_the_teaching_groups_and_the_demo_students_get_a_price(demo_school):
    teaching = [
        SchoolClassFactory(
            school=demo_school, kind=SchoolClass.Kind.TEACHING, price_per_session=None
        )
        for _ in range(6)
    ]
    already = SchoolClassFactory(
        school=demo_school, kind=SchoolClass.Kind.TEACHING, price_per_session=Decimal("9")
    )
    students_group = teaching[1]  # would be left unpriced, but the demo student sits in it

    priced, unpriced = price_demo_groups(
        school=demo_school, prices=TENTH_PRICES, also={students_group.pk}
    )

    prices = {g.pk: g.price_per_session for g in SchoolClass.objects.filter(school=demo_school)}
    assert [prices[g.pk] is not None for g in teaching] == [True, True, True, False, True, False]
    assert prices[already.pk] == Decimal("9")  # a price already set is kept
    assert {prices[g.pk] for g in teaching} - {None} <= set(TENTH_PRICES)
    assert (priced, unpriced) == (4, 2)
    assert price_demo_groups(school=demo_school, prices=TENTH_PRICES) == (0, 2)  # again: none


def test_prices_follow_the_currency():
    assert demo_prices("EGP") == SEED_PRICES and min(SEED_PRICES) == Decimal("100")
    assert demo_prices("usd") == TENTH_PRICES


def test_the_demo_students_groups_get_a_price(demo_school):
    SchoolClassFactory(school=demo_school, kind=SchoolClass.Kind.TEACHING)  # priced: 1st
    group = SchoolClassFactory(  # the 2nd teaching group: left unpriced but for the student
        school=demo_school, kind=SchoolClass.Kind.TEACHING, price_per_session=None
    )
    student = Membership.objects.filter(school=demo_school).first().student
    MembershipFactory(student=student, school_class=group, joined_on=datetime.date(2026, 9, 1))

    load_billing_demo(school=demo_school, today=TODAY)
    group.refresh_from_db()
    assert group.price_per_session is None

    load_billing_demo(school=demo_school, student_username=student.user.username, today=TODAY)
    group.refresh_from_db()
    assert group.price_per_session is not None


def test_the_marking_day_left_for_the_teacher_is_never_marked():
    sunday = datetime.date(2026, 11, 1)  # the demo leaves Friday 30 October for the teacher
    school = generate_demo_school(today=sunday)

    load_billing_demo(school=school, today=sunday)

    marked = set(AttendanceRecord.objects.values_list("date", flat=True))
    assert datetime.date(2026, 10, 30) not in marked
    assert marked == set(school_days_before(datetime.date(2026, 10, 30), BILLED_SCHOOL_DAYS))
    assert Bill.objects.exists()


def test_without_an_accountant_the_bills_are_the_systems_and_nobody_is_paid(demo_school):
    User.objects.filter(role=Role.ACCOUNTANT).delete()

    lines = load_billing_demo(school=demo_school, today=TODAY)

    assert Bill.objects.exists()
    assert set(Bill.objects.values_list("created_by", flat=True)) == {None}
    assert not Payment.objects.exists()
    assert "no accountant login" in lines[-1]
