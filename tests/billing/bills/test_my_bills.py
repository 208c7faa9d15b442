"""A student's own bills (docs/design/billing.md)."""

import datetime

import pytest
from django.urls import reverse

from billing.models import Payment
from billing.services import record_payment

from .helpers import bill_of, generate, numbers_listed

pytestmark = pytest.mark.django_db


# --- a student's own bills --------------------------------------------------------------------


def test_a_student_sees_only_their_own_bills_with_their_sessions(client, billed):
    client.force_login(billed.students[1].user)  # Sara: sessions 1 and 3
    response = client.get(reverse("billing:my_bills"))
    html = response.content.decode()
    assert response.status_code == 200
    assert numbers_listed(html) == [bill_of(billed, 1).number]
    assert "200.00 EGP" in html and "Pending" in html
    assert "2 sessions at 100.00 EGP" in html
    assert "Mon 6 Oct 2025, period 1" in html and "Mon 20 Oct 2025, period 1" in html
    assert "13 Oct" not in html


def test_my_bills_queries_do_not_grow_per_bill(client, billed, django_assert_num_queries):
    student = billed.students[0]
    client.force_login(student.user)
    # session · user · school · bills with status · their lines with records and subjects
    with django_assert_num_queries(5):
        client.get(reverse("billing:my_bills"))
    billed.mark(0, datetime.date(2025, 11, 3))
    generate(billed, start=datetime.date(2025, 11, 1), end=datetime.date(2025, 11, 30))
    with django_assert_num_queries(5):
        html = client.get(reverse("billing:my_bills")).content.decode()
    assert len(numbers_listed(html)) == 2


def test_a_student_reads_their_bill_and_invoice_but_cannot_pay_or_recalculate(client, billed):
    sara = billed.students[1]
    own = bill_of(billed, 1)
    client.force_login(sara.user)
    html = client.get(reverse("billing:bill", args=[own.pk])).content.decode()
    assert "Sessions charged (2)" in html
    assert "Record a payment" not in html and "Recalculate" not in html
    assert "History" not in html
    assert client.get(reverse("billing:invoice", args=[own.pk])).status_code == 200
    payment = client.post(
        reverse("billing:record_payment", args=[own.pk]),
        {"amount": "50", "paid_on": "2025-11-09", "method": "cash"},
    )
    assert payment.status_code == 403
    assert client.post(reverse("billing:recalculate", args=[own.pk])).status_code == 403
    assert Payment.objects.count() == 0


def test_another_students_bill_is_a_404_to_a_student(client, billed):
    client.force_login(billed.students[1].user)
    other = bill_of(billed, 0)
    assert client.get(reverse("billing:bill", args=[other.pk])).status_code == 404
    assert client.get(reverse("billing:invoice", args=[other.pk])).status_code == 404


def test_my_bills_says_what_is_still_to_pay_and_when_all_is_settled(client, billed):
    student = billed.students[1]  # Sara: one bill of 200.00 EGP
    client.force_login(student.user)
    page = client.get(reverse("billing:my_bills")).content.decode()
    assert "Still to pay: <strong>200.00 EGP</strong>" in page
    bill = bill_of(billed, 1)
    record_payment(
        bill=bill,
        amount=bill.amount,
        paid_on=datetime.date(2025, 11, 9),
        method="cash",
        received_by=billed.accountant,
    )
    page = client.get(reverse("billing:my_bills")).content.decode()
    assert "Nothing to pay: every bill is settled." in page
