"""Two schools with the same shapes of data: nobody of one sees anything of the other
(docs/design/roles.md: another school's data is never shown, 404).

The URLs come from the permission matrix's table (tests/test_permission_matrix.py), so a
new URL is covered here as soon as it has its entry:

- every URL whose path, query or body carries an id (found by building the route for
  both schools and comparing): each role of school A that the table lets through asks
  for school B's object and gets 404, with none of B's names in the answer and none of
  B's rows changed;
- every list page (an entry with `lists`) shows school A's rows and none of B's;
- a student sees only their own attendance, bills and credits, never a classmate's.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from academics.models import (
    AcademicYear,
    Guardianship,
    Membership,
    PromotionRow,
    PromotionRun,
    Role,
    School,
    SchoolClass,
    User,
)
from attendance.models import AttendanceRecord, StaffAbsence, StudentLeave, TotalSessionsOverride
from billing.models import Bill, Payment
from credits.models import CreditChange, MakeupCredit, MakeupLesson
from credits.services.lessons import book_makeup_lesson
from tests.test_permission_matrix import (
    ADMIN_LOGIN,
    LOGIN,
    ROUTES,
    Route,
    send,
)
from tests.two_schools import ROLES, World, build_school

pytestmark = pytest.mark.django_db

REFUSED = {401, 403, 405, LOGIN, ADMIN_LOGIN}

# The JSON endpoints with an id in the body: a body that passes validation, so the answer
# is about the id (school B's).
BODIES = {
    "attendance:update_total_sessions": lambda w: {
        "student_id": w.student.pk,
        "class_id": w.school_class.pk,
        "total_sessions": 5,
    },
    "billing_api:generate": lambda w: {"groupId": w.school_class.pk},
}

# What an id of another school gets where it is not a 404: the dialog refuses the
# selection as if it were empty ("Ids the user may not choose … are refused like an empty
# selection").
NOT_A_404 = {"credits:dialog": 200}


@pytest.fixture
def schools() -> tuple[World, World]:
    """School A ("Alpha") and school B ("Beta"), built alike."""
    return build_school("Alpha"), build_school("Beta")


def _body(route: Route, world: World) -> dict:
    return BODIES[route.name](world) if route.name in BODIES else route.data(world)


def _carries_an_id(route: Route) -> bool:
    """Does the route's path, query or body differ between two schools' worlds?"""
    a, b = _SHAPES
    return (
        route.kwargs(a) != route.kwargs(b)
        or route.query(a) != route.query(b)
        or _body(route, a) != _body(route, b)
    )


class _Shape:
    """A stand-in World whose every object has the id `pk`: enough to tell which parts
    of a route depend on the world."""

    def __init__(self, pk: int):
        self.pk = pk

    def __getattr__(self, name):
        if name.endswith("_id"):
            return self.pk
        return self

    @property
    def day(self):
        return None


_SHAPES = (_Shape(1), _Shape(2))
ID_ROUTES = [route for route in ROUTES if _carries_an_id(route)]
LIST_ROUTES = [route for route in ROUTES if route.lists is not None]


def _let_through(route: Route, methods=("GET", "POST")) -> list[tuple[str, str]]:
    """(role, method) pairs, among `methods`, that the table lets past the role check on
    school A's object."""
    expected = {"GET": route.get, "POST": route.post}
    return [
        (role, method)
        for role in ROLES
        for method in methods
        if expected[method] is not None and expected[method][role] not in REFUSED
    ]


def _id_methods(route: Route) -> tuple[str, ...]:
    """The methods whose request carries the id: both for an id in the path or the
    query (which a POST sends too), POST only for an id in the body."""
    a, b = _SHAPES
    if route.kwargs(a) != route.kwargs(b) or route.query(a) != route.query(b):
        return ("GET", "POST")
    return ("POST",)


def fingerprint(school: School) -> dict[str, list]:
    """Every row of the school that a page could change, as values (updated_at too;
    users' last_login aside, which signing in sets)."""
    tables = {
        "users": User.objects.filter(school=school),
        "classes": SchoolClass.objects.filter(school=school),
        "memberships": Membership.objects.filter(school=school),
        "years": AcademicYear.objects.filter(school=school),
        "records": AttendanceRecord.objects.filter(school=school),
        "overrides": TotalSessionsOverride.objects.filter(school=school),
        "absences": StaffAbsence.objects.filter(school=school),
        "leaves": StudentLeave.objects.filter(school=school),
        "bills": Bill.objects.filter(school=school),
        "payments": Payment.objects.filter(bill__school=school),
        "credits": MakeupCredit.objects.filter(school=school),
        "lessons": MakeupLesson.objects.filter(school=school),
        "changes": CreditChange.objects.filter(school=school),
        "runs": PromotionRun.objects.filter(school=school),
        "guardianships": Guardianship.objects.filter(school=school),
        "rows": PromotionRow.objects.filter(run__school=school),
    }
    snapshot = {name: list(rows.order_by("pk").values()) for name, rows in tables.items()}
    for user in snapshot["users"]:
        del user["last_login"]
    return snapshot


def leaks(text: str, other: World) -> list[str]:
    """The other school's distinctive names found in `text`."""
    return [name for name in other.distinctive if name in text]


def signed_in(user: User) -> Client:
    """A test client signed in as `user` (no password: force_login)."""
    client = Client()
    client.force_login(user)
    return client


def test_the_table_yields_the_urls_that_carry_ids():
    names = {route.name for route in ID_ROUTES}
    # A sample of each kind: an id in the path, in the query, in a JSON body.
    assert {
        "billing:bill",
        "academics:promotion_row",
        "attendance:mark",
        "attendance:register",
        "academics:promotion_plan_new",
        "billing_api:calculate",
        "billing_api:generate",
        "attendance:update_total_sessions",
    } <= names
    assert "billing:bills" not in names and "billing:bills_export" not in names
    assert all(_let_through(route, _id_methods(route)) for route in ID_ROUTES)


@pytest.mark.parametrize("route", ID_ROUTES, ids=lambda route: route.name)
def test_another_schools_object_is_not_found(route, schools):
    mine, theirs = schools
    before = fingerprint(theirs.school)
    wrong = []
    for role, method in _let_through(route, _id_methods(route)):
        client = signed_in(mine.user(role))
        # School B's ids, asked for by a user of school A.
        response = send(client, route, method, theirs, data=_body(route, theirs))
        expected = NOT_A_404.get(route.name, 404)
        if response.status_code != expected:
            wrong.append(f"{method} as {role}: expected {expected}, got {response.status_code}")
        found = leaks(response.content.decode(errors="replace"), theirs)
        if found:
            wrong.append(f"{method} as {role}: the answer shows school B's {found}")
    assert not wrong, f"{route.name} with school B's ids:\n  " + "\n  ".join(wrong)
    assert fingerprint(theirs.school) == before, f"{route.name} changed school B's rows"


@pytest.mark.parametrize("route", LIST_ROUTES, ids=lambda route: route.name)
def test_a_list_shows_only_its_own_school(route, schools):
    mine, theirs = schools
    wrong = []
    for role, _ in _let_through(route, ("GET",)):
        response = send(signed_in(mine.user(role)), route, "GET", mine)
        text = response.content.decode(errors="replace")
        assert response.status_code == 200, (route.name, role)
        found = leaks(text, theirs)
        if found:
            wrong.append(f"as {role}: shows school B's {found}")
        if role == Role.ADMIN:
            missing = [name for name in route.lists(mine) if name not in text]
            if missing:
                wrong.append(f"as admin: does not show school A's own {missing}")
    assert not wrong, f"{route.name}:\n  " + "\n  ".join(wrong)


def test_the_json_endpoints_keep_to_their_school(schools):
    mine, theirs = schools
    accountant = signed_in(mine.user(Role.ACCOUNTANT))
    for name in ("billing_api:revenue", "billing_api:calculate"):
        own = accountant.get(reverse(name, args=[str(mine.school_class.pk)]))
        assert own.status_code == 200, name
        assert not leaks(own.content.decode(), theirs), name
        other = accountant.get(reverse(name, args=[str(theirs.school_class.pk)]))
        assert other.status_code == 404, name
        assert other.json() == {
            "success": False,
            "message": f"No group with id {theirs.school_class.pk} in your school.",
        }
    revenue = accountant.get(reverse("billing_api:revenue", args=[str(mine.school_class.pk)]))
    assert mine.student.user.last_name in revenue.content.decode()


def test_mixing_ids_of_two_schools_is_refused(schools):
    mine, theirs = schools
    before = fingerprint(theirs.school)
    admin = signed_in(mine.user(Role.ADMIN))
    # Own student, other school's class: the JSON endpoint names the class it refuses.
    response = admin.post(
        reverse("attendance:update_total_sessions"),
        {"student_id": mine.student.pk, "class_id": theirs.school_class.pk, "total_sessions": 5},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert response.json() == {"success": False, "error": "No such class."}
    # Own run, other school's row.
    response = admin.get(reverse("academics:promotion_row_edit", args=[mine.run.pk, theirs.row.pk]))
    assert response.status_code == 404
    # Own years, other school's year.
    response = admin.get(
        reverse("academics:promotion_plan_new"),
        {"from_year": mine.run.from_year_id, "to_year": theirs.run.to_year_id},
    )
    assert response.status_code == 404
    assert fingerprint(theirs.school) == before
    assert not TotalSessionsOverride.objects.exists()


# --- students ----------------------------------------------------------------------------------


def test_a_student_sees_only_their_own_attendance_bills_and_credits(schools):
    mine, theirs = schools
    student = signed_in(mine.user(Role.STUDENT))
    classmate = mine.classmate.user.last_name
    own = mine.student.user.last_name

    report = student.get(reverse("attendance:my_report"), follow=True)
    assert report.redirect_chain[-1][0] == reverse(
        "attendance:student_report", args=[mine.student.pk]
    )
    assert own in report.content.decode()
    for page in (
        report,
        student.get(reverse("attendance:list")),
        student.get(reverse("billing:my_bills")),
        student.get(reverse("credits:my_credits")),
    ):
        text = page.content.decode()
        assert page.status_code == 200
        assert classmate not in text, page.request["PATH_INFO"]
        assert not leaks(text, theirs), page.request["PATH_INFO"]
    bills = student.get(reverse("billing:my_bills")).content.decode()
    assert mine.bill.number in bills and mine.classmate_bill.number not in bills
    credits = student.get(reverse("credits:my_credits")).content.decode()
    assert reverse("credits:history", args=[mine.credit.pk]) in credits
    assert reverse("credits:history", args=[mine.classmate_credit.pk]) not in credits
    listed = student.get(reverse("attendance:list")).content.decode()
    assert mine.school_class.name in listed


@pytest.mark.parametrize(
    ("name", "args", "method", "expected"),
    [
        ("attendance:student_report", lambda w: [w.classmate.pk], "GET", 404),
        ("billing:bill", lambda w: [w.classmate_bill.pk], "GET", 404),
        ("billing:invoice", lambda w: [w.classmate_bill.pk], "GET", 404),
        ("credits:history", lambda w: [w.classmate_credit.pk], "GET", 404),
        ("credits:book", lambda w: [w.classmate.pk], "POST", 404),
        # A student has no student credits page at all, their own included.
        ("credits:student", lambda w: [w.classmate.pk], "GET", 403),
        ("attendance:record_history", lambda w: [w.classmate_record.pk], "GET", 403),
    ],
    ids=lambda value: value if isinstance(value, str) and ":" in value else "",
)
def test_a_student_cannot_open_a_classmates_data(schools, name, args, method, expected):
    mine, _ = schools
    before = fingerprint(mine.school)
    student = signed_in(mine.user(Role.STUDENT))
    url = reverse(name, args=args(mine))
    response = student.get(url) if method == "GET" else student.post(url, {})
    assert response.status_code == expected
    text = response.content.decode()
    assert mine.classmate.user.last_name not in text
    assert mine.classmate_bill.number not in text
    assert fingerprint(mine.school) == before


def test_a_student_asking_for_their_own_objects_gets_them(schools):
    """The other side of the test above: the same URLs with the student's own ids."""
    mine, _ = schools
    student = signed_in(mine.user(Role.STUDENT))
    for name, pk in (
        ("attendance:student_report", mine.student.pk),
        ("billing:bill", mine.bill.pk),
        ("billing:invoice", mine.bill.pk),
        ("credits:history", mine.credit.pk),
    ):
        response = student.get(reverse(name, args=[pk]))
        assert response.status_code == 200, name
        assert mine.student.user.last_name in response.content.decode(), name


def test_healthz_says_nothing_of_any_school(schools):
    _, theirs = schools
    response = Client().get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert not leaks(response.content.decode(), theirs)


# --- guardians ---------------------------------------------------------------------------------


def test_a_guardian_sees_only_their_own_childs_attendance_bills_and_credits(schools):
    mine, theirs = schools
    guardian = signed_in(mine.user(Role.GUARDIAN))
    own = mine.student.user.last_name
    classmate = mine.classmate.user.last_name

    home = guardian.get(reverse("home"), follow=True)
    assert home.redirect_chain[-1][0] == reverse("guardians:children")
    child = guardian.get(reverse("guardians:child", args=[mine.student.pk]))
    for page in (
        home,
        child,
        guardian.get(reverse("attendance:student_report", args=[mine.student.pk])),
        guardian.get(reverse("attendance:list")),
    ):
        text = page.content.decode()
        assert page.status_code == 200, page.request["PATH_INFO"]
        assert own in text, page.request["PATH_INFO"]
        assert classmate not in text, page.request["PATH_INFO"]
        assert not leaks(text, theirs), page.request["PATH_INFO"]
    text = child.content.decode()
    assert mine.bill.number in text and mine.classmate_bill.number not in text
    assert reverse("guardians:cancel", args=[mine.student.pk, mine.lesson.pk]) in text


@pytest.mark.parametrize(
    ("name", "args", "method"),
    [
        ("guardians:child", lambda w: [w.classmate.pk], "GET"),
        ("guardians:book", lambda w: [w.classmate.pk], "POST"),
        # The child's own lesson under a classmate's id, and a lesson not the child's.
        ("guardians:cancel", lambda w: [w.classmate.pk, w.lesson.pk], "POST"),
        ("attendance:student_report", lambda w: [w.classmate.pk], "GET"),
    ],
    ids=lambda value: value if isinstance(value, str) and ":" in value else "",
)
def test_a_guardian_cannot_open_another_childs_pages(schools, name, args, method):
    mine, theirs = schools
    before = fingerprint(mine.school)
    guardian = signed_in(mine.user(Role.GUARDIAN))
    for world in (mine, theirs):  # the classmate, and the other school's student
        url = reverse(name, args=args(world))
        response = guardian.get(url) if method == "GET" else guardian.post(url, {})
        assert response.status_code == 404, (name, world.tag)
        text = response.content.decode()
        assert mine.classmate.user.last_name not in text
        assert not leaks(text, theirs)
    assert fingerprint(mine.school) == before


def test_a_guardian_cannot_cancel_a_lesson_of_another_child_under_their_own_childs_id(schools):
    mine, _ = schools
    classmate_lesson = book_makeup_lesson(
        student=mine.classmate,
        tutor=mine.teacher,
        scheduled_for=timezone.now() + datetime.timedelta(days=4),
        actor=mine.teacher,
    )
    guardian = signed_in(mine.user(Role.GUARDIAN))
    response = guardian.post(
        reverse("guardians:cancel", args=[mine.student.pk, classmate_lesson.pk])
    )
    assert response.status_code == 404
    classmate_lesson.refresh_from_db()
    assert classmate_lesson.status == MakeupLesson.Status.BOOKED
