"""An invitation in the browser (docs/operations/sign-in.md, "Invitations"): an imported
guardian with no password gets the email, follows its link, sets a password and lands on
their children, with the child's absence today and what is owed; the link then no longer
works."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from academics.services.invitations import send_invitations
from tests.guardians.test_pages import Family, _monday_23_november_2026  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LINK = re.compile(r"https?://\S+/accounts/password/reset/key/\S+")


def test_a_guardian_follows_the_invitation_and_sees_their_child(live_server, page):
    family = Family()
    guardian = family.guardian.user
    guardian.email = "parent@home.example"
    guardian.set_unusable_password()  # as the roster import leaves them
    guardian.save()

    result = send_invitations(users=[guardian], base_url=live_server.url)
    assert result.sent == 1
    (invitation,) = mail.outbox
    assert invitation.to == ["parent@home.example"]
    link = LINK.search(invitation.body).group(0)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(link)
    expect(page.get_by_role("heading", name="Set your password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill("quiet-harbour-lantern-7")
    page.get_by_label("New password (again)").fill("quiet-harbour-lantern-7")
    page.get_by_role("button", name="Set password").click()

    expect(page.get_by_role("heading", name="My children")).to_be_visible()
    row = page.locator(f"#child-{family.child.pk}")
    expect(row).to_contain_text("200.00 EGP")
    page.get_by_role("link", name=str(family.child)).click()
    expect(page.locator("#today")).to_contain_text("Absent")

    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text(
        "This link has already been used or has expired."
    )
