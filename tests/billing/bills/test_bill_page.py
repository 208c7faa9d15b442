"""A bill's page (docs/design/billing.md): its sessions, payments, "Record a payment",
"Recalculate", and the printable invoice."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from attendance.models import Status
from billing.models import Payment

from .helpers import bill_of, list_html, pay

pytestmark = pytest.mark.django_db


# --- a bill's page ----------------------------------------------------------------------------


def test_the_bill_page_lists_its_sessions_and_payments(client, billed):
    ahmed = bill_of(billed, 0)
    pay(billed, ahmed, "100")
    client.force_login(billed.accountant)
    html = client.get(reverse("billing:bill", args=[ahmed.pk])).content.decode()
    assert f"<h1>{ahmed.number}" in html
    assert "Sessions charged (3)" in html
    for day in ("Mon 6 Oct 2025", "Mon 13 Oct 2025", "Mon 20 Oct 2025"):
        assert day in html
    assert "Mathematics" in html
    payments = html.split('id="bill-payments"')[1].split("</section>")[0]
    assert "10 Nov 2025" in payments and "100.00 EGP" in payments and "Cash" in payments
    assert str(billed.accountant) in payments
    summary = html.split('id="bill-summary"')[1].split("</section>")[0]
    assert "300.00 EGP" in summary and "200.00 EGP" in summary  # amount, remaining
    assert "Partially paid" in summary
    assert "Record a payment" in html
    assert reverse("billing:invoice", args=[ahmed.pk]) in html
    assert reverse("billing:revenue", args=[billed.group.pk]) in html
    assert "Generated from attendance" in html  # its history


def test_a_partial_payment_then_the_rest_makes_the_bill_paid(client, billed):
    ahmed = bill_of(billed, 0)
    client.force_login(billed.accountant)
    url = reverse("billing:record_payment", args=[ahmed.pk])
    form = {"amount": "120", "paid_on": "2025-11-09", "method": "bank_transfer", "reference": "T-9"}

    response = client.post(url, form, headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Recorded 120.00 EGP for" in html
    assert 'id="bill-summary" class="card bill-summary"' in html and 'hx-swap-oob="true"' in html
    summary = html.split('id="bill-summary"')[1].split("</section>")[0]
    assert "Partially paid" in summary and "180.00 EGP" in summary
    assert "T-9" in html.split('id="bill-payments"')[1]
    ahmed.refresh_from_db()
    assert ahmed.paid_amount == Decimal("120")

    response = client.post(url, form | {"amount": "180"}, headers={"HX-Request": "true"})
    summary = response.content.decode().split('id="bill-summary"')[1].split("</section>")[0]
    assert ">Paid</span>" in summary
    assert "Nothing is left to pay" in response.content.decode()
    assert Payment.objects.filter(bill=ahmed).count() == 2


def test_paying_more_than_is_owed_is_refused_the_form_kept_and_nothing_written(client, billed):
    sara = bill_of(billed, 1)
    client.force_login(billed.accountant)
    response = client.post(
        reverse("billing:record_payment", args=[sara.pk]),
        {"amount": "250", "paid_on": "2025-11-09", "method": "cash", "reference": "R-1"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "That is more than is owed" in html and "200.00 EGP left to pay" in html
    assert 'value="250"' in html and 'value="R-1"' in html
    assert Payment.objects.count() == 0
    sara.refresh_from_db()
    assert sara.paid_amount == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("paid_on", "2025-11-11", "The payment date cannot be in the future."),
        ("amount", "lots", "Enter a number."),
        ("amount", "0", "Ensure this value is greater than or equal to 0.01."),
        ("method", "gold", "Select a valid choice."),
    ],
)
def test_a_bad_payment_is_refused_with_a_message(client, billed, field, value, message):
    bill = bill_of(billed, 0)
    client.force_login(billed.accountant)
    data = {"amount": "50", "paid_on": "2025-11-09", "method": "cash"} | {field: value}
    response = client.post(reverse("billing:record_payment", args=[bill.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Payment.objects.count() == 0


def test_a_payment_without_htmx_redirects_with_a_message(client, billed):
    bill = bill_of(billed, 2)
    client.force_login(billed.accountant)
    response = client.post(
        reverse("billing:record_payment", args=[bill.pk]),
        {"amount": "50", "paid_on": "2025-11-09", "method": "cash"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("billing:bill", args=[bill.pk])
    assert "Recorded 50.00 EGP for" in response.content.decode()


def test_recalculating_after_a_correction_clears_the_banner_and_shows_the_credit(client, billed):
    ahmed = bill_of(billed, 0)
    pay(billed, ahmed, "300")
    record = billed.record(0, 1)
    record.status = Status.ABSENT
    record.save()
    client.force_login(billed.accountant)
    url = reverse("billing:bill", args=[ahmed.pk])

    listed = list_html(client)
    row = re.search(rf'<tr id="bill-row-{ahmed.pk}".*?</tr>', listed, re.S).group(0)
    assert "Needs recalculation" in row
    before = client.get(url).content.decode()
    assert 'id="recalculation-banner"' in before
    assert "Mon 13 Oct 2025, period 1 (Mathematics) was corrected to Absent" in before
    assert "corrected to Absent" in before.split("Sessions charged")[1]
    assert ">Recalculate</button>" in before

    response = client.post(reverse("billing:recalculate", args=[ahmed.pk]), follow=True)

    after = response.content.decode()
    assert "recalculated: 2 sessions, 200.00 EGP." in after
    assert "100.00 EGP was paid beyond the new amount" in after
    assert 'id="recalculation-banner"' not in after
    assert "Needs recalculation" not in list_html(client)
    summary = after.split('id="bill-summary"')[1].split("</section>")[0]
    assert "Credit" in summary and "100.00 EGP" in summary
    assert "The overpayment is held as credit" in summary
    assert ">Paid</span>" in summary
    assert "Recalculated from attendance" in after
    ahmed.refresh_from_db()
    assert (ahmed.amount, ahmed.paid_amount, ahmed.credit) == (
        Decimal("200"),
        Decimal("300"),
        Decimal("100"),
    )


def test_the_banner_counts_new_attended_sessions_not_yet_billed(client, billed):
    billed.mark(1, datetime.date(2025, 10, 27))
    billed.mark(1, datetime.date(2025, 10, 28))
    client.force_login(billed.accountant)
    html = client.get(reverse("billing:bill", args=[bill_of(billed, 1).pk])).content.decode()
    assert "2 attended sessions of this period are not on the bill yet." in html


def test_recalculating_an_unpriced_group_says_why_and_changes_nothing(client, billed):
    ahmed = bill_of(billed, 0)
    record = billed.record(0, 0)
    record.status = Status.ABSENT
    record.save()
    billed.group.price_per_session = None
    billed.group.save()
    client.force_login(billed.accountant)
    response = client.post(reverse("billing:recalculate", args=[ahmed.pk]), follow=True)
    assert "was not recalculated: Math Level 1 has no price per session" in (
        response.content.decode()
    )
    ahmed.refresh_from_db()
    assert ahmed.amount == Decimal("300")


def test_recalculating_an_up_to_date_bill_says_so(client, billed):
    ahmed = bill_of(billed, 0)
    client.force_login(billed.accountant)
    response = client.post(reverse("billing:recalculate", args=[ahmed.pk]), follow=True)
    assert "is already up to date." in response.content.decode()


# --- the invoice ------------------------------------------------------------------------------


def test_the_invoice_has_what_a_printed_invoice_needs(client, billed):
    ahmed = bill_of(billed, 0)
    pay(billed, ahmed, "100")
    client.force_login(billed.accountant)
    html = client.get(reverse("billing:invoice", args=[ahmed.pk])).content.decode()
    assert "Nile Academy" in html
    assert f'Invoice <span class="invoice-number">{ahmed.number}</span>' in html
    assert "1 Oct 2025 – 31 Oct 2025" in html and "30 Nov 2025" in html
    assert "Ahmed Mohamed" in html and "STD-2025-001" in html and "MTH-L1-A" in html
    lines = html.split('class="invoice-lines"')[1].split("</table>")[0]
    assert lines.count("<tr>") == 4  # the heading and three sessions
    assert "3 sessions × 100.00 EGP" in html
    balance = html.split('class="invoice-balance"')[1].split("</div>")[0]
    assert "200.00 EGP" in balance
    assert "All amounts in EGP" in html
    assert '<button type="button" class="primary" data-print>Print</button>' in html
    assert "billing/bills.js" in html and "billing/bills.css" in html
    assert "onclick" not in html
