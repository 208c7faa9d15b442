"""Billing in the browser (docs/design/billing.md, "Browser test"): an accountant previews a
group's month, generates its bills, opens one and records a partial payment inline; the
invoice prints without the site's chrome."""

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from academics.models import School
from billing.models import Bill, Payment
from billing.services import generate_bills
from tests.browser import sign_in

from .conftest import OCTOBER, make_seed_group

pytestmark = pytest.mark.browser

TODAY = datetime.date(2025, 11, 10)  # October has ended; its bills are due 30 Nov
MARKER = "window.__billingMarker"


@pytest.fixture
def seeded(transactional_db, monkeypatch):
    """The seed's group (3 students, 3 sessions in October 2025, 100 EGP a session)."""
    monkeypatch.setattr(School, "today", lambda school: TODAY)
    return make_seed_group()


def test_preview_generate_and_record_a_partial_payment_inline(live_server, page, seeded):
    sign_in(page, live_server, seeded.accountant.username)
    expect(page.get_by_role("link", name="Bills", exact=True)).to_be_visible()
    page.goto(f"{live_server.url}/billing/groups/{seeded.group.pk}/")
    expect(page.get_by_role("heading", name="Bill Math Level 1")).to_be_visible()

    page.get_by_label("Month").fill("2025-10")
    page.get_by_role("button", name="Preview month").click()

    preview = page.locator("table.bl-preview")
    expect(page.get_by_role("heading", name="Preview · 1 Oct 2025 – 31 Oct 2025")).to_be_visible()
    amounts = {
        name: preview.locator(f"tr[data-student='{student.pk}']")
        for name, student in zip(("Ahmed", "Sara", "Mohamed"), seeded.students, strict=True)
    }
    expect(amounts["Ahmed"]).to_contain_text("300.00 EGP")
    expect(amounts["Sara"]).to_contain_text("200.00 EGP")
    expect(amounts["Mohamed"]).to_contain_text("200.00 EGP")
    expect(preview.locator("[data-total='amount']")).to_have_text("700.00 EGP")
    assert Bill.objects.count() == 0  # the preview writes nothing

    page.get_by_role("button", name=re.compile("Generate bills for 1 Oct 2025")).click()

    result = page.locator("[data-generate-result]")
    expect(result).to_contain_text("Generated 3 new bills, updated 0, skipped 0")
    ahmed = Bill.objects.get(student=seeded.students[0])
    assert ahmed.amount == Decimal("300")
    result.get_by_role("link", name=ahmed.number).click()

    expect(page.get_by_role("heading", name=re.compile(ahmed.number))).to_be_visible()
    summary = page.locator("#bill-summary")
    expect(summary.locator("#bill-status")).to_have_text("Pending")
    expect(page.locator("#bill-payments")).to_contain_text("No payments yet.")
    page.evaluate(f"{MARKER} = 'same page'")  # survives only if nothing reloads the page

    # More than is owed: refused with the service's message, the form keeps the amount.
    panel = page.locator("#payment-panel")
    panel.get_by_label("Amount (EGP)").fill("500")
    panel.get_by_role("button", name="Record payment").click()
    expect(page.locator("#payment-error")).to_contain_text(
        f"That is more than is owed: {ahmed.number} has 300.00 EGP left to pay."
    )
    expect(panel.get_by_label("Amount (EGP)")).to_have_value("500")
    expect(panel.get_by_label("Amount (EGP)")).to_be_focused()
    assert Payment.objects.count() == 0

    panel.get_by_label("Amount (EGP)").fill("120")
    panel.get_by_label("Method").select_option(label="Bank transfer")
    panel.get_by_label("Reference").fill("TR-77")
    panel.get_by_label("Amount (EGP)").press("Enter")

    expect(page.locator("#payment-panel [role='status']")).to_have_text(
        f"Recorded 120.00 EGP for {ahmed.number}."
    )
    expect(summary.locator("#bill-status")).to_have_text("Partially paid")
    expect(summary.locator("[data-figure='paid']")).to_have_text("120.00 EGP")
    expect(summary.locator("[data-figure='remaining']")).to_have_text("180.00 EGP")
    payments = page.locator("#bill-payments")
    expect(payments).to_contain_text("Bank transfer")
    expect(payments).to_contain_text("TR-77")
    expect(page.locator("#payment-panel").get_by_label("Amount (EGP)")).to_have_value("")
    assert page.evaluate(MARKER) == "same page"
    ahmed.refresh_from_db()
    assert ahmed.paid_amount == Decimal("120")


def test_the_invoice_prints_without_the_sites_chrome(live_server, page, seeded):
    generate_bills(
        school_class=seeded.group, start=OCTOBER[0], end=OCTOBER[1], actor=seeded.accountant
    )
    bill = Bill.objects.get(student=seeded.students[1])
    sign_in(page, live_server, seeded.students[1].user.username)  # Sara reads her own
    expect(page.get_by_role("link", name="My bills")).to_be_visible()
    page.get_by_role("link", name="My bills").click()
    expect(page.get_by_role("link", name=bill.number)).to_be_visible()
    page.get_by_text("2 sessions at 100.00 EGP").click()
    expect(page.get_by_text("Mon 20 Oct 2025, period 1 · Mathematics")).to_be_visible()
    page.get_by_role("link", name="Printable invoice").click()

    expect(page.get_by_role("heading", name=f"Invoice {bill.number}")).to_be_visible()
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.__printed") is True

    page.emulate_media(media="print")
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.locator("article.invoice")).to_be_visible()
    expect(page.locator(".invoice-balance")).to_contain_text("200.00 EGP")


def test_void_a_payment_in_place_it_stays_struck_through_and_the_bill_reopens(
    live_server, page, seeded
):
    from billing.services import record_payment

    generate_bills(
        school_class=seeded.group, start=OCTOBER[0], end=OCTOBER[1], actor=seeded.accountant
    )
    ahmed = Bill.objects.get(student=seeded.students[0])
    payment = record_payment(
        bill=ahmed,
        amount=Decimal("300"),
        paid_on=TODAY,
        method="cash",
        received_by=seeded.accountant,
    )
    sign_in(page, live_server, seeded.accountant.username)
    page.goto(f"{live_server.url}/billing/bills/{ahmed.pk}/")
    page.evaluate(f"{MARKER} = 'same page'")
    expect(page.locator("#bill-status")).to_have_text("Paid")

    row = page.locator(f"#payment-{payment.pk}")
    row.get_by_text("Void…").click()
    row.get_by_role("button", name="Void this payment").click()  # no reason yet
    expect(page.locator("#payments-error")).to_contain_text("Say why the payment is voided")
    row = page.locator(f"#payment-{payment.pk}")
    row.get_by_text("Void…").click()
    row.get_by_label("Why void it").fill("Entered on the wrong bill")
    row.get_by_role("button", name="Void this payment").click()

    expect(page.locator("#payments-done")).to_contain_text("Voided the payment of 300.00 EGP")
    expect(page.locator(f"#payment-{payment.pk} del").first).to_be_visible()
    expect(page.locator(f"#payment-{payment.pk}")).to_contain_text("Entered on the wrong bill")
    expect(page.locator("#bill-status")).to_have_text("Pending")
    expect(page.get_by_role("heading", name="Record a payment")).to_be_visible()
    assert page.evaluate(MARKER) == "same page"
    assert Payment.objects.get(pk=payment.pk).voided_by == seeded.accountant
