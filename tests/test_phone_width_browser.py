"""Every page on a phone and a tablet, and the wide tables on a laptop
(docs/development/tests.md, "Phone width").

Each role of one school (tests/two_schools.py) signs in once, through the login form, and
opens every page the permission matrix (tests/test_permission_matrix.py `ROUTES`) lets it
GET with a 200, at 390×844 (a phone) and 768×1024 (a tablet). No page may scroll sideways:
wide tables scroll inside their own box (`.table-scroll`). A screenshot of each page is
kept under artifacts/phone-width/ (not committed), named by URL, role and width.

At 1366×768 the columns that used to be clipped are checked whole: the bills list's
Status, the inline error of the admin's total-sessions change list, the register's totals.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from academics.models import Role
from tests.academics.factories import PASSWORD
from tests.attendance.factories import TotalSessionsOverrideFactory
from tests.browser import sign_in
from tests.test_permission_matrix import ROUTES, Route
from tests.two_schools import ROLES, World, build_school

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "phone-width"
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}
LAPTOP = {"width": 1366, "height": 768}

# How far a page scrolls sideways (0 when it fits), and what sticks out.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && box.width > 0) {
      let inside = false;  // scrolled or clipped by a box of its own: fine
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        const style = getComputedStyle(up);
        if (style.overflowX !== 'visible' && up.getBoundingClientRect().right <= width + 1) {
          inside = true; break;
        }
      }
      if (!inside) {
        const classes = typeof el.className === 'string' ? el.className.trim() : '';
        wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}`
          + `${classes ? '.' + classes.split(/\\s+/).join('.') : ''} → ${Math.round(box.right)}px`);
      }
    }
  }
  return {scroll: document.documentElement.scrollWidth, inner: width, wide: wide.slice(0, 5)};
}"""

# Elements matching `selector` that are cut off: wider than a box that hides or scrolls
# its overflow, or past the window's right edge.
CLIPPED = """(selector) => {
  const cut = [];
  const elements = Array.from(document.querySelectorAll(selector));
  for (const el of elements) {
    const box = el.getBoundingClientRect();
    let right = window.innerWidth;
    for (let up = el.parentElement; up; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== 'visible') {
        right = Math.min(right, up.getBoundingClientRect().right);
      }
    }
    if (box.right > right + 1 || el.scrollWidth > el.clientWidth + 1) {
      const text = el.textContent.trim().slice(0, 40);
      cut.push(`${text} (right ${Math.round(box.right)} > ${Math.round(right)})`);
    }
  }
  return {count: elements.length, cut};
}"""


def _pages_for(role: str) -> list[Route]:
    """The routes `role` may GET with a plain 200 (a page, a fragment or a JSON answer)."""
    return [route for route in ROUTES if route.get and route.get[role] == 200]


def _url(live_server, route: Route, world: World) -> str:
    query = route.query(world)
    return live_server.url + route.url(world) + ("?" + urlencode(query) if query else "")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-") or "root"


@pytest.fixture
def world(transactional_db):
    """Alpha Academy's world, every user with the tests' password (they sign in through
    the login form like a person)."""
    world = build_school("Alpha")
    for user in world.users.values():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return world


def test_no_page_scrolls_sideways_on_a_phone_or_a_tablet(live_server, browser, world):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    wrong: list[str] = []
    visited = 0
    for role in ROLES:
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        sign_in(page, live_server, world.user(role).username)
        expect(page.locator(".topbar")).to_contain_text(world.user(role).first_name)
        for route in _pages_for(role):
            page.set_viewport_size(PHONE)
            try:
                response = page.goto(_url(live_server, route, world))
            except PlaywrightError as error:
                if "Download is starting" in str(error):
                    continue  # a CSV or an Excel file, not a page to look at
                raise
            if response is None or response.status != 200:
                wrong.append(f"{route.name} as {role}: answered {response and response.status}")
                continue
            # One load, two widths: the tablet's layout is the same page resized.
            for viewport in (PHONE, TABLET):
                page.set_viewport_size(viewport)
                visited += 1
                page.screenshot(
                    path=ARTIFACTS / f"{_slug(route.url(world))}.{role}.{viewport['width']}.jpeg",
                    full_page=True,
                    quality=70,
                )
                found = page.evaluate(OVERFLOW)
                if found["scroll"] > found["inner"]:
                    wrong.append(
                        f"{route.name} as {role} at {viewport['width']}: {found['scroll']} px"
                        f" wide in {found['inner']} px; sticking out: {found['wide']}"
                    )
        context.close()
    assert visited > 100, f"only {visited} pages visited: the matrix's routes were not found"
    assert not wrong, "Pages that scroll sideways:\n  " + "\n  ".join(wrong)


def test_on_a_laptop_no_column_is_clipped(live_server, browser, world):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    override = TotalSessionsOverrideFactory(membership=world.membership, total_sessions=20)
    context = browser.new_context(viewport=LAPTOP)
    page = context.new_page()
    sign_in(page, live_server, world.user(Role.ADMIN).username)

    def check(what: str, selector: str, minimum: int = 1) -> None:
        found = page.evaluate(CLIPPED, selector)
        name = _slug(what)
        page.screenshot(path=ARTIFACTS / f"{name}.admin.1366.png", full_page=True)
        assert found["count"] >= minimum, f"{what}: nothing matches {selector}"
        assert not found["cut"], f"{what} clipped at 1366 px: {found['cut']}"
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= LAPTOP["width"], f"{what}: the page is {scroll} px wide"

    page.goto(live_server.url + reverse("billing:bills"))
    status_column = page.locator(".bill-table thead th", has_text="Status")
    expect(status_column).to_have_count(1)
    index = page.evaluate(
        "() => Array.from(document.querySelectorAll('.bill-table thead th'))"
        ".findIndex((th) => th.textContent.trim().startsWith('Status')) + 1"
    )
    check(
        "bills list Status",
        f".bill-table thead th:nth-child({index}), .bill-table tbody > tr > :nth-child({index})",
        minimum=3,
    )

    page.goto(
        live_server.url + reverse("attendance:register") + f"?school_class={world.school_class.pk}"
    )
    check("register totals", ".register-grid td.num, .register-grid th.num", minimum=2)

    page.goto(live_server.url + "/admin/attendance/totalsessionsoverride/")
    page.locator(f"#ts-total-{override.pk} a").click()
    box = page.locator(f"#ts-total-{override.pk} input")
    expect(box).to_be_focused()
    box.fill("0")
    box.press("Enter")
    expect(page.locator(f"#ts-error-{override.pk}")).to_be_visible()
    check(
        "admin changelist inline error",
        f"#ts-error-{override.pk}, #ts-total-{override.pk}, #result_list thead th",
    )
    context.close()
