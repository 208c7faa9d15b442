"""A school morning on the Clever district, for locust (docs/development/load-test.md).

Run by `loadtest/run.sh`, which prepares the database (`manage.py prepare_load`), serves
the app with gunicorn on 127.0.0.1 and points locust at it. Every user signs in through
the login page as a person would, then:

- a teacher (one per teacher of the plan) opens "My periods" for the marking day and
  marks each period in turn: GET the period page, POST the statuses it shows with the
  form's CSRF token (mostly present, some absent or on leave); once done, corrects a
  marked period now and then (one status changed, with a reason) or looks at the
  attendance list;
- an admin (one per admin of the plan) opens a class's attendance list and sets a
  student's total sessions, alternately through the JSON endpoint and the list's inline
  edit (htmx);
- the accountant opens each group's billing page, previews its bills for a month and
  generates them through /api/accounting/attendance/generate-payments: the last month
  that has ended, then this month to date with `updateExisting`, so bills are
  recalculated while the teachers are still marking.

Locust runs this file with gevent: it must not import Django. The plan (logins and work)
is the JSON file prepare_load wrote, at $LOAD_PLAN.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, between, task

PLAN = json.loads(Path(os.environ.get("LOAD_PLAN", "/tmp/rollbook-load/logins.json")).read_text())
DAY = PLAN["day"]
PASSWORD = PLAN["password"]
_teachers = itertools.cycle(PLAN["teachers"])
_admins = itertools.cycle(PLAN["admins"])

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PERIOD_LINK = re.compile(r'href="(/attendance/periods/\d+/' + re.escape(DAY) + r'/)"')
RADIO = re.compile(r"<input[^>]*\bname=\"(status_\d+)\"[^>]*>")
VALUE = re.compile(r'\bvalue="([^"]*)"')
# How a period turns out: mostly present (docs/design/attendance.md, status codes).
STATUSES = ("P", "A", "IL", "UL", "OD")
WEIGHTS = (90, 5, 2, 2, 1)
REASONS = ("Arrived late after the register", "Marked the wrong student", "Came back from duty")


def wait_range(name: str, default: str) -> tuple[float, float]:
    """The (min, max) seconds between a user's steps, from $LOAD_WAIT_<NAME> ("1,4")."""
    low, high = os.environ.get(f"LOAD_WAIT_{name}", default).split(",")
    return float(low), float(high)


class LoopbackCookiePolicy(DefaultCookiePolicy):
    """Send Secure cookies to a loopback address over plain HTTP, as browsers do for
    localhost: the app runs as in production (DEBUG off, Secure session and CSRF
    cookies), without TLS on 127.0.0.1."""

    def return_ok_secure(self, cookie, request) -> bool:
        return request.get_host() in LOOPBACK or super().return_ok_secure(cookie, request)


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


class SchoolUser(FastHttpUser):
    """A person of the school: signs in once, keeps the session cookie."""

    abstract = True
    username = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.client.cookiejar.set_policy(LoopbackCookiePolicy())

    def sign_in(self, username: str) -> None:
        """GET the login page for its CSRF token and POST the credentials; a 302 away
        from the login page is a success."""
        self.username = username
        page = self.client.get("/accounts/login/", name="login page")
        with self.client.post(
            "/accounts/login/",
            data=urlencode(
                {
                    "csrfmiddlewaretoken": self.token(page.text),
                    "login": username,  # django-allauth's field: username or email
                    "password": PASSWORD,
                }
            ),
            headers=FORM,
            name="sign in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302 or "/accounts/login/" in response.headers.get(
                "Location", ""
            ):
                response.failure(f"{username} could not sign in ({response.status_code})")

    @staticmethod
    def token(html: str) -> str:
        """The form's CSRF token in `html` ("" when there is none)."""
        match = CSRF_FIELD.search(html or "")
        return match.group(1) if match else ""

    def cookie_token(self) -> str:
        """The CSRF cookie, for the X-CSRFToken header of JSON and htmx requests."""
        for cookie in self.client.cookiejar:
            if cookie.name == "csrftoken":
                return cookie.value or ""
        return ""


class Teacher(SchoolUser):
    """Marks the marking day's periods, then corrects some and looks around."""

    fixed_count = len(PLAN["teachers"])
    wait_time = between(*wait_range("TEACHER", "5,15"))

    def on_start(self) -> None:
        self.sign_in(next(_teachers)["username"])
        self.to_mark = self.my_periods()
        self.marked: list[str] = []

    def my_periods(self) -> list[str]:
        """The links to this teacher's periods of the marking day, in page order."""
        page = self.client.get(f"/attendance/periods/?date={DAY}", name="my periods")
        return list(dict.fromkeys(PERIOD_LINK.findall(page.text or "")))

    @task
    def work(self) -> None:
        if self.to_mark:
            url = self.to_mark.pop(0)
            self.mark(url, correction=False)
            self.marked.append(url)
        elif self.marked and random.random() < 0.4:
            self.mark(random.choice(self.marked), correction=True)
        elif random.random() < 0.5:
            self.my_periods()
        else:
            self.client.get("/attendance/list/", name="attendance list")

    def mark(self, url: str, *, correction: bool) -> None:
        """GET the period, POST its roll: fresh statuses the first time; one student
        changed, with a reason, for a correction. A 302 back to the period is saved."""
        page = self.client.get(url, name="period page")
        html = page.text or ""
        statuses: dict[str, str] = {}
        for tag in RADIO.finditer(html):
            name = tag.group(1)
            if " checked" in tag.group(0):
                statuses[name] = VALUE.search(tag.group(0)).group(1)
            else:
                statuses.setdefault(name, "P")
        if not statuses:
            return  # nobody on the roll, or a refusal shown on the page
        saved = 'name="reason"' in html
        data = {"csrfmiddlewaretoken": self.token(html), "reason": ""}
        if correction or saved:
            name = random.choice(sorted(statuses))
            statuses[name] = "A" if statuses[name] == "P" else "P"
            data["reason"] = random.choice(REASONS)
        else:
            for name in statuses:
                statuses[name] = random.choices(STATUSES, WEIGHTS)[0]
        data.update(statuses)
        label = "save correction" if data["reason"] else "save period"
        with self.client.post(
            url,
            data=urlencode(data),
            headers=FORM,
            name=label,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"{self.username} {url}: not saved ({response.status_code})")


class Admin(SchoolUser):
    """Sets students' total sessions: JSON endpoint and inline edit in turn."""

    fixed_count = len(PLAN["admins"])
    wait_time = between(*wait_range("ADMIN", "2,6"))

    def on_start(self) -> None:
        me = next(_admins)
        self.sign_in(me["username"])
        self.targets = itertools.cycle(me["targets"])
        self.edits = 0

    @task
    def edit_total(self) -> None:
        target = next(self.targets)
        total = target["total"] + random.randint(0, 10)
        self.client.get(
            f"/attendance/list/?school_class={target['class_id']}", name="attendance list (class)"
        )
        self.edits += 1
        headers = {"X-CSRFToken": self.cookie_token()}
        if self.edits % 2:
            with self.client.post(
                "/attendance/update-total-sessions/",
                json={
                    "student_id": target["student_id"],
                    "class_id": target["class_id"],
                    "total_sessions": total,
                },
                headers=headers,
                name="total sessions (JSON)",
                catch_response=True,
            ) as response:
                if response.status_code != 200 or not (response.json() or {}).get("success"):
                    response.failure(f"total refused ({response.status_code}): {response.text}")
            return
        url = f"/attendance/total-sessions/{target['membership_id']}/edit/"
        headers["HX-Request"] = "true"
        self.client.get(url, headers=headers, name="total sessions edit row")
        with self.client.post(
            url,
            data=urlencode({"total_sessions": total}),
            headers=headers | FORM,
            name="total sessions (inline)",
            catch_response=True,
        ) as response:
            if response.status_code != 200 or 'aria-invalid="true"' in (response.text or ""):
                response.failure(f"inline total refused ({response.status_code})")


class Accountant(SchoolUser):
    """Bills every priced group of the demo school, month by month, again and again."""

    fixed_count = 1
    wait_time = between(*wait_range("ACCOUNTANT", "1,3"))

    def on_start(self) -> None:
        me = PLAN["accountant"]
        self.sign_in(me["username"])
        self.runs = itertools.cycle(
            [(group, month) for month in me["months"] for group in me["groups"]]
        )
        self.client.get("/billing/", name="billing groups")

    @task
    def bill_a_group(self) -> None:
        group, (start, end) = next(self.runs)
        self.client.get(f"/billing/groups/{group}/", name="group billing page")
        self.client.get(
            f"/api/accounting/attendance/calculate/{group}?startDate={start}&endDate={end}",
            name="bills preview (API)",
        )
        with self.client.post(
            "/api/accounting/attendance/generate-payments",
            json={
                "groupId": group,
                "startDate": start,
                "endDate": end,
                # This month is still being marked: recalculate what was generated.
                "updateExisting": end == PLAN["day"],
            },
            headers={"X-CSRFToken": self.cookie_token()},
            name="generate bills (API)",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"group {group}: {response.status_code} {response.text[:200]}")
