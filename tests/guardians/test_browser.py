"""A guardian in the browser: signs in, lands on their children, opens a child, books a
make-up lesson for them and cancels it (docs/manual/guardians.md)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from credits.models import MakeupCredit, MakeupLesson
from tests.browser import sign_in

from .test_pages import Family, _monday_23_november_2026  # noqa: F401  (sets the clock)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_guardian_books_and_cancels_a_make_up_lesson_for_their_child(live_server, page):
    family = Family(children=2)
    child = family.child

    sign_in(page, live_server, family.guardian.user.username)

    expect(page.get_by_role("heading", name="My children")).to_be_visible()
    expect(page.get_by_role("link", name="My children")).to_have_attribute("aria-current", "page")
    expect(page.locator(f"#child-{child.pk}")).to_contain_text("33.3%")
    expect(page.locator(f"#child-{child.pk}")).to_contain_text("200.00 EGP")
    page.get_by_role("link", name=str(child)).click()

    expect(page.get_by_role("heading", name=str(child))).to_be_visible()
    expect(page.locator("#today")).to_contain_text("Absent")
    expect(page.locator("#owed")).to_have_text("200.00 EGP")
    page.get_by_label("When").fill("2026-12-04T16:00")
    page.get_by_role("button", name="Book").click()

    expect(page.get_by_role("status")).to_contain_text(
        re.compile(r"booked with .*Tutorson on Fri 4 Dec 2026 16:00")
    )
    assert MakeupCredit.objects.get(student=child).booked == 1
    page.get_by_role("button", name=re.compile("^Cancel")).click()
    expect(page.get_by_role("status")).to_contain_text("cancelled")
    assert MakeupLesson.objects.get(student=child).status == MakeupLesson.Status.CANCELLED
    assert MakeupCredit.objects.get(student=child).available == 2
