"""A wrong payment is voided, not deleted, and an overpayment can be refunded
(docs/design/billing.md, "Voids and refunds"): what the accountant sees on the bill, and
what the services refuse."""

from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from billing.models import Bill, Payment
from billing.services import PaymentError, refund_overpayment, void_payment

from .helpers import TODAY, bill_of, pay

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def summary_of(html: str) -> str:
    return html.split('id="bill-summary"')[1].split("</section>")[0]


def payments_of(html: str) -> str:
    return html.split('id="bill-payments"')[1].split("</section>")[0]


def lowered_to(bill: Bill, amount: str) -> Bill:
    """As a recalculation that lowered the bill's amount after it was paid would leave it."""
    Bill.objects.filter(pk=bill.pk).update(amount=Decimal(amount))
    bill.refresh_from_db()
    return bill


# --- voiding --------------------------------------------------------------------------------


def test_voiding_a_payment_entered_twice_strikes_it_through_and_reopens_the_bill(client, billed):
    ahmed = bill_of(billed, 0)
    pay(billed, ahmed, "300")
    first = Payment.objects.get(bill=ahmed)
    client.force_login(billed.accountant)
    url = reverse("billing:void_payment", args=[ahmed.pk, first.pk])

    response = client.post(url, {"reason": "Entered on the wrong bill"}, headers=HTMX)

    html = unescape(response.content.decode())
    assert "Voided the payment of 300.00 EGP received on 10 Nov 2025." in html
    row = payments_of(html).split(f'id="payment-{first.pk}"')[1].split("</tr>")[0]
    assert "<del>300.00 EGP</del>" in row
    assert f"Voided by {billed.accountant} on" in row and "Entered on the wrong bill" in row
    summary = summary_of(html)
    assert "Pending" in summary and ">0.00 EGP<" in summary
    ahmed.refresh_from_db()
    assert ahmed.paid_amount == Decimal("0")
    first.refresh_from_db()
    assert (first.voided_by, first.void_reason) == (billed.accountant, "Entered on the wrong bill")
    # The payment is kept, and the page still lists it.
    page = client.get(reverse("billing:bill", args=[ahmed.pk])).content.decode()
    assert "<del>300.00 EGP</del>" in payments_of(page)
    assert "Record a payment" in page and "Nothing is left to pay" not in page


def test_voiding_without_a_reason_says_so_and_changes_nothing(client, billed):
    ahmed = bill_of(billed, 0)
    payment = pay(billed, ahmed, "100")
    client.force_login(billed.accountant)

    response = client.post(
        reverse("billing:void_payment", args=[ahmed.pk, payment.pk]), {"reason": " "}, headers=HTMX
    )

    html = unescape(response.content.decode())
    assert "Nothing was changed." in html
    assert "Say why the payment is voided, e.g. “entered twice”." in html
    assert "This field is required" not in html
    payment.refresh_from_db()
    assert payment.voided_at is None
    assert Bill.objects.get(pk=ahmed.pk).paid_amount == Decimal("100")


def test_voiding_twice_is_refused_with_who_voided_it(billed):
    ahmed = bill_of(billed, 0)
    payment = pay(billed, ahmed, "100")
    void_payment(payment=payment, reason="Wrong student", actor=billed.accountant)

    with pytest.raises(PaymentError, match=f"already voided on .* by {billed.accountant}"):
        void_payment(payment=payment, reason="Again", actor=billed.admin)

    assert Bill.objects.get(pk=ahmed.pk).paid_amount == Decimal("0")


def test_without_htmx_a_void_redirects_to_the_bill_with_the_message(client, billed):
    ahmed = bill_of(billed, 0)
    payment = pay(billed, ahmed, "100")
    client.force_login(billed.admin)

    response = client.post(
        reverse("billing:void_payment", args=[ahmed.pk, payment.pk]),
        {"reason": "Cheque bounced"},
        follow=True,
    )

    assert response.redirect_chain == [(reverse("billing:bill", args=[ahmed.pk]), 302)]
    assert "Voided the payment of 100.00 EGP" in response.content.decode()


def test_another_bills_payment_under_this_bill_is_not_found(client, billed):
    ahmed, sara = bill_of(billed, 0), bill_of(billed, 1)
    saras = pay(billed, sara, "50")
    client.force_login(billed.accountant)

    response = client.post(
        reverse("billing:void_payment", args=[ahmed.pk, saras.pk]), {"reason": "x"}
    )

    assert response.status_code == 404
    assert Payment.objects.get(pk=saras.pk).voided_at is None


# --- refunding an overpayment ------------------------------------------------------------------


def test_refunding_the_overpayment_lowers_the_credit_and_lists_a_negative_movement(client, billed):
    ahmed = bill_of(billed, 0)
    pay(billed, ahmed, "300")
    lowered_to(ahmed, "200")  # 100 EGP paid beyond the amount
    client.force_login(billed.accountant)
    page = client.get(reverse("billing:bill", args=[ahmed.pk])).content.decode()
    assert "Refund the overpayment" in page and "Up to 100.00 EGP was paid beyond" in page

    response = client.post(
        reverse("billing:refund", args=[ahmed.pk]),
        {"amount": "60", "paid_on": TODAY.isoformat(), "method": "cash", "reason": "Asked back"},
        headers=HTMX,
    )

    html = unescape(response.content.decode())
    assert f"Recorded a refund of 60.00 EGP for {ahmed.number}." in html
    refund = Payment.objects.get(kind="refund")
    row = payments_of(html).split(f'id="payment-{refund.pk}"')[1].split("</tr>")[0]
    assert "-60.00 EGP" in row or "−60.00 EGP" in row
    assert "refund" in row and "Asked back" in row
    summary = summary_of(html)
    assert "40.00 EGP" in summary  # the credit left
    ahmed.refresh_from_db()
    assert (ahmed.paid_amount, ahmed.credit) == (Decimal("240"), Decimal("40"))


def test_refunding_more_than_the_credit_is_refused_in_the_schools_words(client, billed):
    ahmed = bill_of(billed, 0)
    pay(billed, ahmed, "300")
    lowered_to(ahmed, "200")
    client.force_login(billed.accountant)

    response = client.post(
        reverse("billing:refund", args=[ahmed.pk]),
        {"amount": "150", "paid_on": TODAY.isoformat(), "method": "cash", "reason": "Asked"},
        headers=HTMX,
    )

    html = unescape(response.content.decode())
    assert "Nothing was changed." in html
    assert (
        f"Only 100.00 EGP was paid beyond {ahmed.number}'s amount: a refund gives back at "
        "most that." in html
    )
    assert not Payment.objects.filter(kind="refund").exists()
    assert Bill.objects.get(pk=ahmed.pk).paid_amount == Decimal("300")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "", "Enter the amount given back."),
        ("amount", "abc", "Enter the amount as a number, e.g. 150.50."),
        ("amount", "1.234", "Enter the amount to the cent, e.g. 150.50."),
        ("amount", "-5", "Enter an amount greater than zero."),
        ("reason", "", "Say why the money is given back."),
        ("paid_on", "2025-12-31", "The refund date cannot be in the future."),
    ],
)
def test_a_bad_refund_is_refused_with_a_message(client, billed, field, value, message):
    ahmed = bill_of(billed, 0)
    pay(billed, ahmed, "300")
    lowered_to(ahmed, "200")
    client.force_login(billed.accountant)
    data = {"amount": "10", "paid_on": TODAY.isoformat(), "method": "cash", "reason": "Asked"}

    response = client.post(
        reverse("billing:refund", args=[ahmed.pk]), data | {field: value}, headers=HTMX
    )

    assert message in unescape(response.content.decode())
    assert not Payment.objects.filter(kind="refund").exists()


def test_a_bill_without_an_overpayment_has_nothing_to_refund(billed):
    ahmed = bill_of(billed, 0)
    pay(billed, ahmed, "100")

    with pytest.raises(PaymentError, match="there is nothing to refund"):
        refund_overpayment(
            bill=ahmed,
            amount=Decimal("10"),
            paid_on=TODAY,
            method="cash",
            reason="Asked",
            actor=billed.accountant,
        )


def test_a_payment_a_refund_was_given_from_cannot_be_voided_before_the_refund(billed):
    ahmed = bill_of(billed, 0)
    payment = pay(billed, ahmed, "300")
    lowered_to(ahmed, "0")
    refund = refund_overpayment(
        bill=ahmed,
        amount=Decimal("300"),
        paid_on=TODAY,
        method="cash",
        reason="Left the school",
        actor=billed.accountant,
    )

    with pytest.raises(PaymentError, match="void the refund first"):
        void_payment(payment=payment, reason="Wrong", actor=billed.accountant)
    void_payment(payment=refund, reason="Never handed over", actor=billed.accountant)

    assert Bill.objects.get(pk=ahmed.pk).paid_amount == Decimal("300")


def test_the_student_sees_neither_void_nor_refund_forms(client, billed):
    ahmed = bill_of(billed, 0)
    payment = pay(billed, ahmed, "300")
    lowered_to(ahmed, "200")
    client.force_login(billed.students[0].user)

    html = client.get(reverse("billing:bill", args=[ahmed.pk])).content.decode()

    assert reverse("billing:void_payment", args=[ahmed.pk, payment.pk]) not in html
    assert reverse("billing:refund", args=[ahmed.pk]) not in html
