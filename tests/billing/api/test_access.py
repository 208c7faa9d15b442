"""Who may call the billing JSON API (docs/design/roles.md), and its query counts."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from academics.models import Role
from billing.models import Bill
from tests.academics.factories import (
    MembershipFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory
from tests.billing.conftest import SESSION_DAYS

from .helpers import (
    OCT,
    calculate_url,
    generate,
    revenue_url,
)

pytestmark = pytest.mark.django_db


# --- who may call the endpoints -------------------------------------------------------------


def calls(seed):
    return {
        "calculate": lambda c: c.get(calculate_url(seed.group.pk), OCT),
        "generate": lambda c: generate(c, seed),
        "revenue": lambda c: c.get(revenue_url(seed.group.pk)),
    }


@pytest.mark.parametrize("endpoint", ["calculate", "generate", "revenue"])
@pytest.mark.parametrize("role", [Role.ADMIN, Role.ACCOUNTANT])
def test_accountants_and_admins_may_call_the_endpoints(client, seed, today, endpoint, role):
    client.force_login(seed.admin if role == Role.ADMIN else seed.accountant)

    response = calls(seed)[endpoint](client)

    assert response.status_code == 200
    assert response.json()["success"] is True


@pytest.mark.parametrize("endpoint", ["calculate", "generate", "revenue"])
@pytest.mark.parametrize("role", [Role.PRINCIPAL, Role.HOD, Role.TEACHER, Role.STUDENT, None])
def test_other_roles_are_refused_with_a_json_403(client, seed, today, endpoint, role):
    if role == Role.STUDENT:
        user = seed.students[0].user  # even for their own group: /billing/my-bills/ is theirs
    elif role is None:
        user = UserFactory(school=None, role=Role.ACCOUNTANT)  # an accountant of no school
    else:
        user = UserFactory(school=seed.school, role=role)
    client.force_login(user)

    response = calls(seed)[endpoint](client)

    assert response.status_code == 403
    assert response.json() == {
        "success": False,
        "message": "Only accountants and admins may use the billing API.",
    }
    assert not Bill.objects.exists()


@pytest.mark.parametrize("endpoint", ["calculate", "generate", "revenue"])
def test_signed_out_callers_get_a_json_401_not_the_login_page(client, seed, endpoint):
    response = calls(seed)[endpoint](client)

    assert response.status_code == 401
    assert response.json() == {"success": False, "message": "Sign in first."}
    assert not Bill.objects.exists()


def test_generation_needs_the_csrf_token_like_the_rest_of_the_app(seed, today):
    client = Client(enforce_csrf_checks=True)
    client.force_login(seed.accountant)

    refused = generate(client, seed)
    # Any page of the app carries the token (a signed-in visitor of the login page is sent on).
    token = client.get(reverse("billing:groups")).cookies["csrftoken"].value
    preview = client.get(calculate_url(seed.group.pk), OCT)  # a GET needs no token
    accepted = generate(client, seed, headers={"X-CSRFToken": token})

    assert refused.status_code == 403
    assert preview.status_code == 200
    assert accepted.status_code == 200
    assert Bill.objects.count() == 3


# --- queries do not grow per student --------------------------------------------------------


def grow(seed_group, students: int):
    """Add `students` who attended all three sessions to the group."""
    for _ in range(students):
        membership = MembershipFactory(
            school_class=seed_group.group, joined_on=datetime.date(2025, 9, 1)
        )
        for day in SESSION_DAYS:
            AttendanceRecordFactory(membership=membership, date=day, period_number=1)


# Each call, in order, before the group has bills and then with them. Every call starts with
# the session, the user and the group (3). calculate_bills: memberships, bills of the
# period, their lines (only when there are bills), P records, students, sessions (5-6).
QUERY_BUDGET = [
    # calculate: 3 + calculate_bills (5).
    ("calculate", lambda c, g: c.get(calculate_url(g.group.pk), OCT), 8),
    # generate: 3 + savepoint, group locked, calculate_bills (5), school, savepoint, bills,
    # their history, lines, 2 releases, the bills re-read with status, their lines.
    ("generate", lambda c, g: generate(c, g), 19),
    # calculate with bills: + their lines, + the bills' status (existingPayment).
    ("calculate again", lambda c, g: c.get(calculate_url(g.group.pk), OCT), 10),
    # nothing changed: savepoint, lock, calculate_bills (6), school, 3 savepoint statements.
    ("recalculate", lambda c, g: generate(c, g, updateExisting=True), 15),
    # revenue: 3 + current students, totals, counts by status, bills, their lines.
    ("revenue", lambda c, g: c.get(revenue_url(g.group.pk)), 8),
]


@pytest.mark.parametrize("extra_students", [0, 20])
def test_calculate_generate_and_revenue_do_not_query_per_student(
    accountant, seed, django_assert_max_num_queries, extra_students
):
    grow(seed, extra_students)

    for name, call, budget in QUERY_BUDGET:
        with django_assert_max_num_queries(budget, info=name):
            assert call(accountant, seed).status_code == 200

    assert Bill.objects.filter(school_class=seed.group).count() == 3 + extra_students
