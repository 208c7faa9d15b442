"""In the browser: an action that the server refuses or cannot do (a lock held elsewhere,
a bug) says so in a red bar at the top of the page instead of leaving the click
unanswered; what was typed stays, and the next action that works clears the bar
(static/rollbook.js, docs/operations/production.md "What a client sees")."""

import re

import pytest
from django.db import OperationalError
from playwright.sync_api import expect

from billing.models import Bill
from billing.views import groups as group_views
from tests.billing.conftest import make_seed_group
from tests.browser import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width,height", [(1366, 900), (390, 844)])
def test_a_refused_action_says_why_and_the_next_one_clears_it(
    live_server, page, transactional_db, monkeypatch, width, height
):
    page.set_viewport_size({"width": width, "height": height})
    seed = make_seed_group()
    real = group_views.generate_bills

    def locked(**kwargs):
        raise OperationalError("database is locked")  # a lock wait that ran out

    monkeypatch.setattr(group_views, "generate_bills", locked)
    sign_in(page, live_server, seed.accountant.username)
    page.goto(f"{live_server.url}/billing/groups/{seed.group.pk}/?month=2025-10")
    page.evaluate("window.__samePage = true")

    page.get_by_role("button", name=re.compile("Generate bills for 1 Oct 2025")).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Someone else is changing the same records right now.")
    expect(page.get_by_label("Month")).to_have_value("2025-10")  # nothing typed is lost
    assert not Bill.objects.exists()

    monkeypatch.setattr(group_views, "generate_bills", real)
    page.get_by_role("button", name=re.compile("Generate bills for 1 Oct 2025")).click()
    expect(
        page.get_by_role("heading", name="Generated 3 new bills, updated 0, skipped 0")
    ).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    assert page.evaluate("window.__samePage") is True


def test_the_bar_can_be_dismissed(live_server, page, transactional_db, monkeypatch):
    seed = make_seed_group()

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(group_views, "generate_bills", broken)
    sign_in(page, live_server, seed.accountant.username)
    page.goto(f"{live_server.url}/billing/groups/{seed.group.pk}/?month=2025-10")
    page.get_by_role("button", name=re.compile("Generate bills for 1 Oct 2025")).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Something went wrong on our side and nothing was saved.")
    alert.get_by_role("button", name="Dismiss").click()
    expect(page.get_by_role("alert")).to_have_count(0)
