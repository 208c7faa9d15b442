"""The accountant's group pages in the browser (docs/design/billing.md): the price changes in
its row with no page load, Escape restores it, a refused price keeps the input open; the
preview and Generate answer in place, and a second press skips."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from billing.models import Bill
from tests.browser import sign_in

from .conftest import make_seed_group

pytestmark = pytest.mark.browser

MARKER = "window.__billingGroupsMarker"


@pytest.fixture
def seed_group(transactional_db):
    return make_seed_group()


def open_page(page, live_server, seed, path):
    sign_in(page, live_server, seed.accountant.username)
    expect(page.get_by_role("link", name="Billing", exact=True)).to_be_visible()
    page.goto(f"{live_server.url}{path}")
    # Survives only if nothing reloads the page.
    page.evaluate(f"{MARKER} = 'same page'")


def price_of(seed):
    seed.group.refresh_from_db()
    return seed.group.price_per_session


def test_enter_saves_the_price_and_escape_cancels_in_the_row(live_server, page, seed_group):
    seed = seed_group
    open_page(page, live_server, seed, "/billing/")
    row = page.locator(f"#group-{seed.group.pk}")
    expect(row).to_contain_text("100.00 EGP")

    row.get_by_role("link", name=re.compile("Edit the price per session of Math Level 1")).click()
    price = row.get_by_role("textbox", name="Price per session of Math Level 1")
    expect(price).to_be_focused()
    price.fill("150.5")
    price.press("Enter")

    expect(row).to_contain_text("150.50 EGP")
    expect(row.get_by_role("textbox", name="Price per session of Math Level 1")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="set to 150.50 EGP")).to_be_visible()
    assert price_of(seed) == Decimal("150.50")

    row.get_by_role("link", name=re.compile("Edit the price per session")).click()
    price = row.get_by_role("textbox", name="Price per session of Math Level 1")
    expect(price).to_be_focused()
    price.fill("999")
    price.press("Escape")

    expect(row.get_by_role("textbox", name="Price per session of Math Level 1")).to_have_count(0)
    expect(row).to_contain_text("150.50 EGP")
    assert price_of(seed) == Decimal("150.50")

    row.get_by_role("link", name=re.compile("Edit the price per session")).click()
    price = row.get_by_role("textbox", name="Price per session of Math Level 1")
    price.fill("-1")
    price.press("Enter")

    expect(row.get_by_role("alert")).to_have_text("A price per session cannot be negative.")
    expect(row.get_by_role("textbox", name="Price per session of Math Level 1")).to_have_value("-1")
    assert price_of(seed) == Decimal("150.50")
    assert page.evaluate(MARKER) == "same page"


def test_preview_and_generate_answer_in_place(live_server, page, seed_group):
    seed = seed_group
    open_page(page, live_server, seed, f"/billing/groups/{seed.group.pk}/?month=2025-09")
    expect(page.get_by_role("heading", name=re.compile("Preview · 1 Sep 2025"))).to_be_visible()

    page.get_by_label("Month").fill("2025-10")
    page.get_by_role("button", name="Preview month").click()
    expect(page.get_by_role("heading", name=re.compile("Preview · 1 Oct 2025"))).to_be_visible()
    expect(page.locator("[data-total=amount]")).to_have_text("700.00 EGP")
    expect(page).to_have_url(re.compile(r"\?month=2025-10$"))

    page.get_by_role("button", name=re.compile("Generate bills for 1 Oct 2025")).click()
    result = page.get_by_role("heading", name="Generated 3 new bills, updated 0, skipped 0")
    expect(result).to_be_visible()
    expect(page.locator("[data-generate-result]")).to_be_focused()
    assert Bill.objects.count() == 3

    page.get_by_role("button", name=re.compile("Generate bills for 1 Oct 2025")).click()
    expect(
        page.get_by_role("heading", name="Generated 0 new bills, updated 0, skipped 3")
    ).to_be_visible()
    assert Bill.objects.count() == 3
    assert page.evaluate(MARKER) == "same page"
