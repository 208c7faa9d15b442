"""Every URL of the project, every role, the answer each gets (docs/design/roles.md).

`ROUTES` has one entry per URL name: how to build its arguments from a world of real
objects (tests/two_schools.py), which methods to try, and what each role of the school
and an anonymous visitor get. Expectations follow each view's role check (academics/
access.py `role_required` and the role tuples of each app) and README's "Roles":

- 200 (or a redirect where the view answers a plain request with one), 403 for a role
  that may not use the page, 404 for an object the user may not even know exists (a
  student's or a tutor's credits, another student's bill), 405 for the wrong method.
- Anonymous: 302 to the sign-in page, or 401 JSON for the JSON endpoints.

`test_every_url_has_an_entry` walks the URL resolver, so a URL added later without an
entry here fails with its name. tests/test_school_isolation.py reuses the table.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import (
    URLPattern,
    URLResolver,
    get_resolver,
    include,
    path,
    reverse,
)

from academics.models import Role, User
from tests.two_schools import ROLES, World, build_school

pytestmark = pytest.mark.django_db

ANON = "anonymous"
WHO = (*ROLES, ANON)

# Expected answers besides plain status codes.
LOGIN = "302 to sign-in"  # a redirect to /accounts/login/
ADMIN_LOGIN = "302 to admin sign-in"  # the Django admin's own login page
REDIRECT = "302"  # a redirect anywhere else (success, or "use the page, not the fragment")

A, P, H, T, C, S, G = (Role.ADMIN, Role.PRINCIPAL, Role.HOD, Role.TEACHER, Role.ACCOUNTANT,
                       Role.STUDENT, Role.GUARDIAN)  # fmt: skip


def only(*roles: str, ok=200, others=403, anon=LOGIN, **special) -> dict:
    """Expected answers of one method of one URL.

    Args:
        roles: the roles let through; they get `ok`.
        ok, others, anon: the answer of those roles, of every other role, and of an
            anonymous visitor (a status code, LOGIN, ADMIN_LOGIN or REDIRECT).
        special: single roles' own answers (keyword = role value, e.g. hod=404).

    Returns:
        {role or ANON: expected answer}, one key per role and ANON.

    Rule source: docs/design/roles.md."""
    expected = {role: (ok if role in roles else others) for role in ROLES}
    expected[ANON] = anon
    expected.update(special)
    return expected


def everyone(answer, anon=None) -> dict:
    """The same `answer` for every role, and for an anonymous visitor unless `anon` is
    given. Returns {role or ANON: expected answer}. Rule source: docs/design/roles.md."""
    return {who: answer for who in ROLES} | {ANON: answer if anon is None else anon}


@dataclass(frozen=True)
class Route:
    """One URL name's entry.

    kwargs / query / data: built from a World (the object ids of that world).
    get / post: expected answer per role and ANON; None when the method is not tried.
    json_body: POST `data` as a JSON body (the JSON endpoints).
    optional: the URL may be absent (only while another change is landing).
    lists: for list pages, what of the world the page must show (school isolation).
    """

    name: str
    get: dict | None = None
    post: dict | None = None
    kwargs: Callable[[World], dict] = lambda w: {}
    query: Callable[[World], dict] = lambda w: {}
    data: Callable[[World], dict] = lambda w: {}
    json_body: bool = False
    optional: bool = False
    lists: Callable[[World], list[str]] | None = None
    notes: str = ""

    def url(self, world: World) -> str:
        """The URL with `world`'s ids in its path (the query is not included)."""
        return reverse(self.name, kwargs=self.kwargs(world))


def _slot(w: World) -> dict:
    return {"slot_id": w.slot.pk, "day": w.day}


def _names(w: World) -> list[str]:
    return [w.student.user.last_name, w.classmate.user.last_name]


# One entry per URL name. Read the view's decorator to change one.
ROUTES: list[Route] = [
    # --- project URLs (config/urls.py) --------------------------------------------------------
    Route("home", get=everyone(REDIRECT, anon=LOGIN), notes="each role to its first page"),
    # --- sign-in (django-allauth, docs/operations/sign-in.md) ----------------------------------
    # A signed-in visitor of the login or sign-up page is sent on; anyone may ask for a
    # password link. Pages for the signed-in send others to the login page.
    Route("login", get=everyone(REDIRECT, anon=200), post=everyone(REDIRECT, anon=200)),
    Route("logout", get=everyone(200, anon=LOGIN), post=everyone(LOGIN)),
    Route("account_login", get=everyone(REDIRECT, anon=200), post=everyone(REDIRECT, anon=200)),
    Route("account_logout", get=everyone(200, anon=LOGIN), post=everyone(LOGIN)),
    Route("account_inactive", get=everyone(200), post=everyone(405)),
    Route(
        "account_signup",
        get=everyone(REDIRECT, anon=200),
        post=everyone(REDIRECT, anon=200),
        notes="anonymous: 'there is no sign-up'",
    ),
    # force_login leaves no sign-in record and the world's users have no password: there
    # is no way to confirm it is them (403). A real sign-in counts for five minutes.
    Route("account_reauthenticate", get=everyone(403, anon=LOGIN), post=everyone(403, anon=LOGIN)),
    Route(
        "account_request_reauthentication_code",
        get=everyone(403, anon=LOGIN),
        post=everyone(403, anon=LOGIN),
    ),
    Route(
        "account_confirm_reauthentication_code",
        get=everyone(REDIRECT, anon=LOGIN),
        post=everyone(REDIRECT, anon=LOGIN),
    ),
    Route(
        "account_email", get=everyone(404), post=everyone(404), notes="addresses are the school's"
    ),
    Route("account_email_verification_sent", get=everyone(200), post=everyone(405)),
    Route(
        "account_confirm_email",
        kwargs=lambda w: {"key": "no-such-key"},
        get=everyone(200),
        post=everyone(404),
    ),
    Route(
        "account_change_password",
        get=everyone(REDIRECT, anon=LOGIN),
        post=everyone(REDIRECT, anon=LOGIN),
        notes="no password yet: on to 'set password'",
    ),
    Route("account_set_password", get=everyone(200, anon=LOGIN), post=everyone(200, anon=LOGIN)),
    Route("account_reset_password", get=everyone(200), post=everyone(200)),
    Route("account_reset_password_done", get=everyone(200), post=everyone(405)),
    Route(
        "account_reset_password_from_key",
        kwargs=lambda w: {"uidb36": "1", "key": "not-a-token"},
        get=everyone(200),
        post=everyone(200),
        notes="'This link has already been used or has expired'",
    ),
    Route("account_reset_password_from_key_done", get=everyone(200), post=everyone(405)),
    Route(
        "account_confirm_login_code",
        get=everyone(REDIRECT, anon=LOGIN),
        post=everyone(REDIRECT, anon=LOGIN),
    ),
    Route("mfa_index", get=everyone(200, anon=LOGIN), post=everyone(405, anon=LOGIN)),
    Route(
        "mfa_authenticate",
        get=everyone(REDIRECT, anon=LOGIN),
        post=everyone(REDIRECT, anon=LOGIN),
    ),
    Route("mfa_reauthenticate", get=everyone(403, anon=LOGIN), post=everyone(403, anon=LOGIN)),
    Route("mfa_activate_totp", get=everyone(403, anon=LOGIN), post=everyone(403, anon=LOGIN)),
    Route("mfa_deactivate_totp", get=everyone(404, anon=LOGIN), post=everyone(404, anon=LOGIN)),
    Route("mfa_view_recovery_codes", get=everyone(404, anon=LOGIN), post=everyone(405, anon=LOGIN)),
    Route(
        "mfa_generate_recovery_codes", get=everyone(403, anon=LOGIN), post=everyone(403, anon=LOGIN)
    ),
    Route(
        "mfa_download_recovery_codes", get=everyone(404, anon=LOGIN), post=everyone(404, anon=LOGIN)
    ),
    Route("socialaccount_login_cancelled", get=everyone(200), post=everyone(405)),
    Route("socialaccount_login_error", get=everyone(401), post=everyone(405)),
    Route("socialaccount_signup", get=everyone(LOGIN), post=everyone(LOGIN)),
    Route(
        "socialaccount_connections", get=everyone(200, anon=LOGIN), post=everyone(200, anon=LOGIN)
    ),
    # No provider is configured in the tests' settings: their addresses answer 404.
    *(
        Route(name, get=everyone(404), post=everyone(404))
        for name in (
            "google_login",
            "google_callback",
            "google_login_by_token",
            "microsoft_login",
            "microsoft_callback",
            "clever_login",
            "clever_callback",
        )
    ),
    *(
        Route(
            name, kwargs=lambda w: {"provider_id": "nowhere"}, get=everyone(404), post=everyone(404)
        )
        for name in ("openid_connect_login", "openid_connect_callback")
    ),
    Route("admin:index", get=only(A, others=ADMIN_LOGIN, anon=ADMIN_LOGIN)),
    Route(
        "healthz",
        get=everyone(200),  # public: the load balancer's probe
        post=everyone(405),  # GET and HEAD only
        notes="JSON {'status': 'ok', 'database': 'ok'}",
    ),
    # --- attendance: marking ------------------------------------------------------------------
    Route("attendance:my_periods", get=only(A, H, T)),
    Route(
        "attendance:mark",
        kwargs=_slot,
        get=only(A, H, T),  # the hod heads the teacher's department
        post=only(A, H, T),  # an empty roll: the form again, nothing saved
    ),
    # --- attendance: lists, audit -------------------------------------------------------------
    # A guardian's list shows their child's rows only (tests/test_school_isolation.py).
    Route("attendance:list", get=only(*ROLES), lists=_names),
    Route(
        "attendance:corrections",
        get=only(A, P),
        lists=lambda w: [w.student.user.last_name],
    ),
    Route(
        "attendance:record_history",
        kwargs=lambda w: {"record_id": w.record.pk},
        get=only(A, P),
    ),
    # --- attendance: staff absence, leave -----------------------------------------------------
    Route(
        "attendance:staff_absence",
        get=only(A, H),
        post=only(A, H),  # a teacher but no date: the form's errors
        data=lambda w: {"teacher": w.teacher.pk},
        lists=lambda w: [w.teacher.last_name],
    ),
    Route(
        "attendance:staff_absence_periods",
        get=only(A, H, ok=REDIRECT),  # a plain request goes to the whole form
        query=lambda w: {"teacher": w.teacher.pk},
    ),
    Route(
        "attendance:staff_absence_substitute",
        kwargs=lambda w: {"absence_id": w.absence.pk},
        get=only(A, H, ok=REDIRECT),
        post=only(A, H, ok=REDIRECT),  # no substitute chosen: saved as none
    ),
    Route("attendance:to_resolve", get=only(A, P, H, T)),
    Route(
        "attendance:student_leave",
        get=only(A, H),
        post=only(A, H),
        lists=lambda w: [w.student.user.last_name],
    ),
    Route(
        "attendance:decide_leave",
        kwargs=lambda w: {"leave_id": w.leave.pk},
        get=everyone(405),  # require_POST comes before the role check
        post=only(A, H, ok=REDIRECT),  # no decision: "Choose approve or reject."
    ),
    # --- attendance: reports ------------------------------------------------------------------
    Route("attendance:my_report", get=only(S, ok=REDIRECT)),
    Route(
        "attendance:student_report",
        kwargs=lambda w: {"student_id": w.student.pk},
        # the teacher teaches them; the student is themself; the guardian is theirs
        get=only(*ROLES),
    ),
    Route(
        "attendance:register",
        query=lambda w: {"school_class": w.school_class.pk},
        get=only(A, P, H, T, C),
        lists=_names,
    ),
    Route(
        "attendance:not_taken",
        get=only(A, P, H, T),
        lists=lambda w: [w.teacher.last_name],  # this week's Monday is not marked
    ),
    # --- attendance: total sessions -----------------------------------------------------------
    Route(
        "attendance:update_total_sessions",
        get=everyone(405),  # "Use POST." before anything else
        post=only(A, T, ok=400, anon=401),  # {}: "student_id" missing
        data=lambda w: {},
        json_body=True,
    ),
    Route(
        "attendance:total_sessions_row",
        kwargs=lambda w: {"membership_id": w.membership.pk},
        get=only(A, T, ok=REDIRECT),  # a plain request goes back to the list
    ),
    Route(
        "attendance:edit_total_sessions",
        kwargs=lambda w: {"membership_id": w.membership.pk},
        get=only(A, T),
        post=only(A, T),  # no total: the form with its error
    ),
    Route(
        "attendance:clear_total_sessions",
        kwargs=lambda w: {"membership_id": w.membership.pk},
        get=only(A, T, ok=405),
        post=only(A, T, ok=REDIRECT),
    ),
    Route(
        "attendance:bulk_total_sessions",
        get=only(A, T, ok=405),
        post=only(A, T),  # a class but no total: the form with its error
        data=lambda w: {"school_class": w.school_class.pk},
    ),
    # --- billing: groups ----------------------------------------------------------------------
    Route("billing:groups", get=only(A, C), lists=lambda w: [w.school_class.name]),
    Route(
        "billing:edit_price",
        kwargs=lambda w: {"group_id": w.school_class.pk},
        get=only(A, C),
        post=only(A, C, ok=REDIRECT),  # a blank price clears it
    ),
    Route(
        "billing:price_row",
        kwargs=lambda w: {"group_id": w.school_class.pk},
        get=only(A, C, ok=REDIRECT),
    ),
    Route("billing:group", kwargs=lambda w: {"group_id": w.school_class.pk}, get=only(A, C)),
    Route(
        "billing:preview",
        kwargs=lambda w: {"group_id": w.school_class.pk},
        get=only(A, C, ok=REDIRECT),  # a plain request goes to the group's page
    ),
    Route(
        "billing:generate",
        kwargs=lambda w: {"group_id": w.school_class.pk},
        get=only(A, C, ok=405),
        post=only(A, C),  # no period: the panel with the form's errors
    ),
    Route(
        "billing:revenue",
        kwargs=lambda w: {"group_id": w.school_class.pk},
        get=only(A, P, C),
    ),
    # --- billing: bills -----------------------------------------------------------------------
    Route("billing:bills", get=only(A, P, C), lists=_names),
    Route(
        "billing:bills_export",
        kwargs=lambda w: {"fmt": "csv"},
        get=only(A, P, C),
        lists=_names,
    ),
    Route(
        "billing:bill",
        kwargs=lambda w: {"bill_id": w.bill.pk},
        get=only(A, P, C, S),  # the student's own bill
    ),
    Route(
        "billing:record_payment",
        kwargs=lambda w: {"bill_id": w.bill.pk},
        get=only(A, C, ok=405),
        post=only(A, C),  # no amount: the page with the form's errors
    ),
    Route(
        "billing:void_payment",
        kwargs=lambda w: {"bill_id": w.bill.pk, "payment_id": w.payment.pk},
        get=only(A, C, ok=405),
        post=only(A, C, ok=REDIRECT),  # no reason: back to the bill with the message
    ),
    Route(
        "billing:refund",
        kwargs=lambda w: {"bill_id": w.bill.pk},
        get=only(A, C, ok=405),
        post=only(A, C, ok=REDIRECT),  # nothing filled in: back to the bill with the message
    ),
    Route(
        "billing:recalculate",
        kwargs=lambda w: {"bill_id": w.bill.pk},
        get=only(A, C, ok=405),
        post=only(A, C, ok=REDIRECT),
    ),
    Route("billing:invoice", kwargs=lambda w: {"bill_id": w.bill.pk}, get=only(A, P, C, S)),
    Route("billing:my_bills", get=only(S)),
    # --- billing JSON API ---------------------------------------------------------------------
    Route(
        "billing_api:calculate",
        kwargs=lambda w: {"group_id": str(w.school_class.pk)},
        get=only(A, C, anon=401),
        post=everyone(405),  # the method is checked first
    ),
    Route(
        "billing_api:generate",
        get=everyone(405),
        post=only(A, C, ok=400, anon=401),  # {}: "groupId" missing
        data=lambda w: {},
        json_body=True,
    ),
    Route(
        "billing_api:revenue",
        kwargs=lambda w: {"group_id": str(w.school_class.pk)},
        get=only(A, C, anon=401),
        post=everyone(405),
    ),
    Route("billing_api:not_found", get=everyone(404), notes="any other /api/accounting/ path"),
    # --- credits: the list and the dialog -----------------------------------------------------
    Route("credits:students", get=only(A, P, H, T), lists=_names),
    Route(
        "credits:dialog",
        query=lambda w: {"students": w.student.pk},
        get=only(A, H, T),
    ),
    Route(
        "credits:set",
        get=only(A, H, T, ok=405),
        post=only(A, H, T),  # nothing chosen: the dialog page with its errors
    ),
    # --- credits: a student's page, lessons, history ------------------------------------------
    Route(
        "credits:student",
        kwargs=lambda w: {"student_id": w.student.pk},
        # The hod is a tutor who teaches the student nothing: not one of theirs.
        get=only(A, P, T, hod=404),
    ),
    Route(
        "credits:book",
        kwargs=lambda w: {"student_id": w.student.pk},
        get=only(A, H, T, S, ok=405),
        post=only(A, T, S, ok=400, hod=404),  # no tutor, no time: refused
    ),
    Route(
        "credits:complete",
        kwargs=lambda w: {"lesson_id": w.lesson.pk},
        get=only(A, H, T, S, ok=405),
        # The student may cancel but not complete their lesson.
        post=only(A, T, ok=REDIRECT, hod=404, student=403),
    ),
    Route(
        "credits:cancel",
        kwargs=lambda w: {"lesson_id": w.lesson.pk},
        get=only(A, H, T, S, ok=405),
        post=only(A, T, S, ok=REDIRECT, hod=404),
    ),
    Route(
        "credits:history",
        kwargs=lambda w: {"credit_id": w.credit.pk},
        get=only(A, P, T, S, hod=404),
    ),
    Route("credits:my_credits", get=only(S)),
    # --- credits: reports ---------------------------------------------------------------------
    Route("credits:reports", get=only(A, P, H, T), lists=lambda w: [w.teacher.last_name]),
    Route(
        "credits:reports_export",
        get=only(A, P, H, T),
        lists=lambda w: [w.teacher.last_name],
    ),
    Route(
        "credits:clear_tutor",
        kwargs=lambda w: {"tutor_id": w.teacher.pk},
        get=only(A, ok=405),
        post=only(A, ok=REDIRECT),  # the tutor is still active: refused with a message
    ),
    # --- promotion (academics) ----------------------------------------------------------------
    Route(
        "academics:promotion_history",
        get=only(A, P),
        lists=lambda w: [w.run.from_year.name],
    ),
    Route(
        "academics:promotion_start",
        get=only(A, P),
        lists=lambda w: [w.run.from_year.name, w.run.to_year.name],
    ),
    Route(
        "academics:promotion_create_year",
        get=only(A, P, ok=405),
        post=only(A, P),  # an empty form: its errors
    ),
    Route(
        "academics:promotion_plan_new",
        query=lambda w: {"from_year": w.run.from_year_id, "to_year": w.run.to_year_id},
        get=only(A, P, ok=REDIRECT),  # a draft exists for these years: it is opened
    ),
    Route("academics:promotion_plan", kwargs=lambda w: {"run_id": w.run.pk}, get=only(A, P)),
    Route("academics:promotion_preview", kwargs=lambda w: {"run_id": w.run.pk}, get=only(A, P)),
    Route(
        "academics:promotion_row",
        kwargs=lambda w: {"run_id": w.run.pk, "row_id": w.row.pk},
        get=only(A, P, ok=REDIRECT),  # a plain request goes back to the table
    ),
    Route(
        "academics:promotion_row_edit",
        kwargs=lambda w: {"run_id": w.run.pk, "row_id": w.row.pk},
        get=only(A, P),
        post=only(A, P),  # no action: the editor again with the reason
    ),
    Route(
        "academics:promotion_bulk",
        kwargs=lambda w: {"run_id": w.run.pk},
        get=only(A, P, ok=405),
        post=only(A, P, ok=REDIRECT),  # nothing ticked: back to the table with the error
    ),
    Route(
        "academics:promotion_rebalance",
        kwargs=lambda w: {"run_id": w.run.pk},
        get=only(A, P, ok=405),
        post=only(A, P, ok=REDIRECT),
    ),
    Route(
        "academics:promotion_discard",
        kwargs=lambda w: {"run_id": w.run.pk},
        get=only(A, P),
        post=only(A, P, ok=REDIRECT),
    ),
    Route(
        "academics:promotion_confirm",
        kwargs=lambda w: {"run_id": w.run.pk},
        get=only(A, P),
        post=only(A, P),  # the box not ticked: nothing happens
    ),
    Route(
        "academics:promotion_detail",
        kwargs=lambda w: {"run_id": w.run.pk},
        get=only(A, P, ok=REDIRECT),  # a draft opens its preview
    ),
    Route(
        "academics:promotion_undo",
        kwargs=lambda w: {"run_id": w.run.pk},
        get=only(A, P, ok=405),
        post=only(A, P, ok=REDIRECT),  # a draft can't be undone: back with the reason
    ),
    Route("academics:enrollments", get=only(A, P), lists=lambda w: [w.student.user.last_name]),
    # --- guardians: a guardian's own children (guardians/views.py) ----------------------------
    Route("guardians:children", get=only(G), lists=lambda w: [w.student.user.last_name]),
    Route("guardians:child", kwargs=lambda w: {"student_id": w.student.pk}, get=only(G)),
    Route(
        "guardians:email_settings",
        get=only(G),
        post=only(G, ok=REDIRECT),  # both boxes unticked: saved, back to My children
    ),
    Route(
        "guardians:book",
        kwargs=lambda w: {"student_id": w.student.pk},
        get=only(G, ok=405),  # the role check comes first, then "Use POST"
        post=only(G, ok=400),  # no tutor, no time: the page with the form's errors
    ),
    Route(
        "guardians:cancel",
        kwargs=lambda w: {"student_id": w.student.pk, "lesson_id": w.lesson.pk},
        get=only(G, ok=405),
        post=only(G, ok=REDIRECT),  # the child's booked lesson: cancelled
    ),
]

ROUTES_BY_NAME = {route.name: route for route in ROUTES}


# --- the URL resolver -----------------------------------------------------------------------


def url_names(patterns=None, namespace: tuple[str, ...] = ()) -> set[str]:
    """Every URL name of the project, namespaced ("billing:bill"); the Django admin's own
    URLs count as the one entry "admin:index", and a URL without a name is listed as
    "<unnamed …>" (so it fails the table check too).

    Rule source: docs/design/roles.md (a URL added later without an entry fails it)."""
    names: set[str] = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = (*namespace, pattern.namespace) if pattern.namespace else namespace
            if inner[:1] == ("admin",):
                names.add("admin:index")
                continue
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"<unnamed {pattern.pattern}>"
            names.add(":".join((*namespace, name)))
    return names


def test_every_url_has_an_entry():
    enumerated = url_names()
    listed = set(ROUTES_BY_NAME)
    optional = {route.name for route in ROUTES if route.optional}
    missing = sorted(enumerated - listed)
    assert not missing, f"URLs without an entry in ROUTES (add one for each): {missing}"
    stale = sorted(listed - enumerated - optional)
    assert not stale, f"Entries of ROUTES with no such URL any more: {stale}"
    assert len(ROUTES) == len(ROUTES_BY_NAME), "a URL name is listed twice"


def test_every_entry_says_what_every_role_gets():
    for route in ROUTES:
        assert route.get is not None or route.post is not None, route.name
        for method, expected in (("GET", route.get), ("POST", route.post)):
            if expected is not None:
                assert set(expected) == set(WHO), f"{method} {route.name}: {set(expected)}"


# --- asking -------------------------------------------------------------------------------------


def clients(world: World) -> dict[str, Client]:
    """A signed-in client per role of `world` (force_login), and an anonymous one.
    Returns {role or ANON: Client}."""
    signed_in = {}
    for role in ROLES:
        client = Client()
        client.force_login(world.user(role))
        signed_in[role] = client
    return signed_in | {ANON: Client()}


def send(client: Client, route: Route, method: str, world: World, *, data=None):
    """Send `method` ("GET" or "POST") to the route's URL with the path arguments, query
    and body built from `world`; `data` replaces the body. A POST carries the query in its
    URL, and the body as JSON for a `json_body` route. Returns the response; an exception
    of the view propagates. Rule source: docs/design/roles.md."""
    url = route.url(world)
    query = route.query(world)
    data = route.data(world) if data is None else data
    if method == "GET":
        return client.get(url, query)
    if query:
        url += "?" + urlencode(query, doseq=True)
    if route.json_body:
        return client.post(url, json.dumps(data), content_type="application/json")
    return client.post(url, data)


def ask(client: Client, route: Route, method: str, world: World):
    """`send`, inside a savepoint that is rolled back, so one role's POST leaves the world
    as it was for the next. Returns (status, response); a view that raises answers
    ("500 <exception>", None)."""
    with transaction.atomic():
        try:
            response = send(client, route, method, world)
        except Exception as exc:  # noqa: BLE001 — reported as the answer
            transaction.set_rollback(True)
            return f"500 {exc!r}", None
        transaction.set_rollback(True)
    return response.status_code, response


def outcome(status: int, response) -> str | int:
    """The answer in the table's terms: LOGIN, ADMIN_LOGIN or REDIRECT for a redirect
    (by where it goes), else the status code."""
    if status in (301, 302):
        location = response["Location"]
        if location.startswith(reverse("login")):
            return LOGIN
        if location.startswith(reverse("admin:login")):
            return ADMIN_LOGIN
        return REDIRECT
    return status


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_each_role_gets_the_expected_answer(route):
    if route.optional and route.name not in url_names():
        pytest.skip(f"{route.name} is not there yet (optional entry)")
    world = build_school("Alpha")
    by_who = clients(world)
    wrong = []
    for method, expected in (("GET", route.get), ("POST", route.post)):
        if expected is None:
            continue
        for who in WHO:
            status, response = ask(by_who[who], route, method, world)
            got = status if response is None else outcome(status, response)
            if got != expected[who]:
                wrong.append(f"{method} as {who}: expected {expected[who]}, got {got}")
    assert not wrong, f"{route.name} ({route.url(world)}):\n  " + "\n  ".join(wrong)


def test_the_json_endpoints_answer_anonymous_visitors_in_json():
    world = build_school("Alpha")
    anonymous = Client()
    for name, method in (
        ("billing_api:calculate", "GET"),
        ("billing_api:generate", "POST"),
        ("billing_api:revenue", "GET"),
        ("attendance:update_total_sessions", "POST"),
    ):
        status, response = ask(anonymous, ROUTES_BY_NAME[name], method, world)
        assert status == 401, name
        assert response.json()["success"] is False, name


def test_a_teacher_opening_a_student_not_theirs_finds_nothing():
    world = build_school("Alpha")
    stranger_user = User.objects.create_user(
        username="alpha-stranger", school=world.school, role=Role.STUDENT, last_name="Strangeway"
    )
    stranger = stranger_user.student_profile  # in the school, in none of the teacher's classes
    teacher = Client()
    teacher.force_login(world.teacher)
    for name in ("attendance:student_report", "credits:student"):
        response = teacher.get(reverse(name, args=[stranger.pk]))
        assert response.status_code == 404, name
        assert "Strangeway" not in response.content.decode(), name


def _new_page(request):
    return HttpResponse("new")


# The project's URLs and one more, as if a URL had been added without a table entry.
urlpatterns = [
    path("", include("config.urls")),
    path("brand-new/", _new_page, name="brand_new_page"),
]


def test_a_url_added_without_an_entry_fails_with_its_name(settings):
    settings.ROOT_URLCONF = __name__
    assert "brand_new_page" in url_names()
    with pytest.raises(AssertionError, match="brand_new_page"):
        test_every_url_has_an_entry()
