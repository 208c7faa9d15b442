"""The Content-Security-Policy in a real browser (docs/operations/security.md): a school
admin signs in and walks the main screens and the Django admin, using their htmx parts, and Chromium
reports no policy violation (no `securitypolicyviolation` event, no console message about
the policy) and no script error."""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from academics.models import School
from billing.models import Bill
from billing.services import generate_bills
from tests.academics.conftest import promotion_school  # noqa: F401 (a fixture)
from tests.academics.factories import TimetableSlotFactory
from tests.billing.conftest import OCTOBER, make_seed_group
from tests.browser import sign_in

pytestmark = pytest.mark.browser

MONDAY = datetime.date(2026, 3, 2)  # in the promotion school's current year, 2025-2026

LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`
    + ` at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def school(promotion_school, monkeypatch):  # noqa: F811
    """The promotion school (admin "promo-admin"), plus a priced billing group with its
    October 2025 bills and a Monday period of 9-A that the admin teaches."""
    ns = promotion_school
    monkeypatch.setattr(School, "today", lambda school: MONDAY)
    seed = make_seed_group(school=ns.school)
    generate_bills(school_class=seed.group, start=OCTOBER[0], end=OCTOBER[1], actor=ns.admin)
    ns.bill = Bill.objects.filter(school_class=seed.group).first()
    ns.group = seed.group
    ns.slot = TimetableSlotFactory(
        school_class=ns.from_classes["9-A"],
        teacher=ns.admin,
        weekday=MONDAY.weekday(),
        period_number=1,
        valid_from=datetime.date(2025, 8, 17),
    )
    ns.student_user = ns.students["9-A"][0].user
    return ns


class Watch:
    """What the browser reported while the test walked the pages."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        self.failed: list[str] = []
        page.add_init_script(LISTEN)  # runs in every document, before its own scripts
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))
        page.on("response", self._response)

    def _console(self, message):
        # A failed load is logged as "Failed to load resource"; _response judges those.
        if message.type in ("error", "warning") and "Failed to load resource" not in message.text:
            self.console.append(f"{self.page.url}: {message.type}: {message.text}")

    def _response(self, response):
        # Chromium asks every site for /favicon.ico; Rollbook has none.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.failed.append(f"{response.status} {response.url}")

    def violations(self) -> list[str]:
        return self.page.evaluate("window.__violations")

    def assert_clean(self, where: str) -> None:
        assert self.violations() == [], where
        policy_messages = [m for m in self.console if "Content Security Policy" in m]
        assert policy_messages == [], where
        assert self.errors == [], where
        assert self.console == [], where
        assert self.failed == [], where


def test_the_main_screens_and_the_admin_break_no_policy(live_server, page, school):
    page.set_default_timeout(15_000)
    watch = Watch(page)
    url = live_server.url
    sign_in(page, live_server, school.admin.username)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    watch.assert_clean("sign in")

    # Attendance list.
    page.goto(f"{url}{reverse('attendance:list')}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    watch.assert_clean("attendance list")

    # The marking page: mark a student absent (the tally redraws).
    page.goto(f"{url}{reverse('attendance:mark', args=[school.slot.pk, MONDAY])}")
    expect(page.locator("#tally")).to_be_visible()
    first = page.get_by_role("row", name=re.compile("Pupil1 Abbott"))
    first.get_by_role("radio", name="Present", exact=True).focus()
    page.keyboard.press("2")  # Absent, as a teacher marks from the keyboard
    expect(page.locator('#tally [data-status="A"] strong')).to_have_text("1")
    watch.assert_clean("marking page")

    # Billing groups, a group's page with its htmx preview (and indicator), a bill.
    page.goto(f"{url}{reverse('billing:groups')}")
    page.get_by_role("link", name=re.compile("Edit the price per session of Math Level 1")).click()
    expect(page.get_by_label("Price per session of Math Level 1")).to_be_visible()  # htmx
    watch.assert_clean("billing groups")
    page.goto(f"{url}{reverse('billing:group', args=[school.group.pk])}")
    page.get_by_label("Month").fill("2025-10")
    page.get_by_role("button", name="Preview month").click()
    expect(page.locator("table.bl-preview")).to_be_visible()
    watch.assert_clean("billing group preview")
    page.goto(f"{url}{reverse('billing:bill', args=[school.bill.pk])}")
    expect(page.get_by_role("heading", name=re.compile(school.bill.number))).to_be_visible()
    watch.assert_clean("a bill")
    page.goto(f"{url}{reverse('billing:revenue', args=[school.group.pk])}")  # its SVG chart
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    watch.assert_clean("revenue")

    # Make-up credits: the student list and its dialog (htmx).
    page.goto(f"{url}{reverse('credits:students')}")
    page.get_by_label("Select Pupil1 Abbott").check()
    page.get_by_role("button", name="Make-Up Credits").click()
    expect(page.get_by_role("dialog", name=re.compile("Make-Up Credits"))).to_be_visible()
    watch.assert_clean("credits students")

    # The promotion wizard, to its preview.
    page.goto(f"{url}{reverse('academics:promotion_start')}")
    page.get_by_role("button", name=re.compile("Next: mode and filters")).click()
    page.get_by_role("button", name=re.compile("Plan the promotion")).click()
    expect(page.get_by_role("heading", name=re.compile("step 3: preview"))).to_be_visible()
    watch.assert_clean("promotion preview")

    # The Django admin: index, a change form, the change list with htmx editing.
    page.goto(f"{url}{reverse('admin:index')}")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    watch.assert_clean("admin index")
    page.goto(f"{url}{reverse('admin:academics_user_change', args=[school.student_user.pk])}")
    expect(page.locator("#user_form")).to_be_visible()
    watch.assert_clean("admin change form")
    page.goto(f"{url}{reverse('admin:attendance_totalsessionsoverride_changelist')}")
    expect(page.locator("#changelist")).to_be_visible()
    watch.assert_clean("admin total sessions")

    # The watch does see a violation: an inline script is refused and reported.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = true'; document.head.appendChild(s); }"
    )
    page.wait_for_function("window.__violations.length > 0")
    assert page.evaluate("window.__ran === undefined")
    assert watch.violations()[0].startswith("script-src")
