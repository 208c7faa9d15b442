"""Who may open which report page (docs/design/roles.md; docs/design/attendance.md, reports)."""

import pytest
from django.urls import reverse

from academics.models import Role
from attendance.models import Status
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    UserFactory,
)

from .support import (
    MONDAY,
    csv_rows,
    record,
    register_url,
    report_url,
    text,
)

pytestmark = pytest.mark.django_db


# --- who may see what -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("the student", 200),
        ("a classmate", 404),
        ("the class's teacher", 200),
        ("the class's advisor", 200),
        ("another teacher", 404),
        ("admin", 200),
        ("principal", 200),
        ("hod", 200),
        ("accountant", 200),
        ("another school's admin", 404),
    ],
)
def test_who_may_open_a_students_report(client, maths, who, expected):
    slot, adams, young = maths
    advisor = UserFactory(school=slot.school, role=Role.TEACHER)
    slot.school_class.advisor = advisor
    slot.school_class.save()
    users = {
        "the student": adams.student.user,
        "a classmate": young.student.user,
        "the class's teacher": slot.teacher,
        "the class's advisor": advisor,
        "another teacher": UserFactory(school=slot.school, role=Role.TEACHER),
        "admin": UserFactory(school=slot.school, role=Role.ADMIN),
        "principal": UserFactory(school=slot.school, role=Role.PRINCIPAL),
        "hod": UserFactory(school=slot.school, role=Role.HOD),
        "accountant": UserFactory(school=slot.school, role=Role.ACCOUNTANT),
        "another school's admin": UserFactory(role=Role.ADMIN),
    }
    client.force_login(users[who])

    assert client.get(report_url(adams)).status_code == expected
    assert client.get(report_url(adams, format="csv")).status_code == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("the class's teacher", 200),
        ("another teacher", 404),
        ("admin", 200),
        ("principal", 200),
        ("hod", 200),
        ("accountant", 200),
        ("a student of the class", 403),
        ("another school's admin", 404),
    ],
)
def test_who_may_open_a_class_register(client, maths, who, expected):
    slot, adams, young = maths
    users = {
        "the class's teacher": slot.teacher,
        "another teacher": UserFactory(school=slot.school, role=Role.TEACHER),
        "admin": UserFactory(school=slot.school, role=Role.ADMIN),
        "principal": UserFactory(school=slot.school, role=Role.PRINCIPAL),
        "hod": UserFactory(school=slot.school, role=Role.HOD),
        "accountant": UserFactory(school=slot.school, role=Role.ACCOUNTANT),
        "a student of the class": adams.student.user,
        "another school's admin": UserFactory(role=Role.ADMIN),
    }
    client.force_login(users[who])

    assert client.get(register_url(slot.school_class)).status_code == expected
    assert client.get(register_url(slot.school_class, format="xlsx")).status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.ADMIN, 200),
        (Role.PRINCIPAL, 200),
        (Role.HOD, 200),
        (Role.TEACHER, 200),
        (Role.ACCOUNTANT, 403),
        (Role.STUDENT, 403),
    ],
)
def test_who_may_open_registers_not_taken(client, role, expected):
    client.force_login(UserFactory(role=role))

    assert client.get(reverse("attendance:not_taken")).status_code == expected
    assert client.get(reverse("attendance:not_taken") + "?format=csv").status_code == expected


def test_a_refusal_to_a_json_client_is_json(client, maths):
    slot, adams, young = maths
    client.force_login(adams.student.user)

    response = client.get(register_url(slot.school_class), headers={"accept": "application/json"})

    assert response.status_code == 403
    assert response.json()["success"] is False


@pytest.mark.parametrize(
    "name", ["attendance:register", "attendance:not_taken", "attendance:my_report"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_students_my_attendance_link_opens_their_own_report(client, maths):
    slot, adams, young = maths
    client.force_login(young.student.user)

    response = client.get(reverse("attendance:my_report") + "?period=week")

    assert response.status_code == 302
    assert response.url == report_url(young, period="week")
    assert "My attendance" in client.get(response.url).content.decode()


def test_a_student_sees_nothing_of_their_classmates(client, maths):
    slot, adams, young = maths
    record(adams, Status.PRESENT)
    record(young, Status.ABSENT)
    client.force_login(adams.student.user)

    page = text(client.get(report_url(adams, period="day", date=MONDAY)))
    csv_export = csv_rows(client.get(report_url(adams, period="day", date=MONDAY, format="csv")))

    assert "Young" not in page
    assert "Registers" not in page and "Not taken" not in page  # no staff nav
    assert not any("Young" in cell for row in csv_export for cell in row)
    assert client.get(reverse("attendance:not_taken")).status_code == 403


def test_a_teacher_sees_only_their_own_classes_rows_in_a_report(client, maths):
    slot, adams, young = maths
    art = MembershipFactory(
        student=adams.student, school_class=SchoolClassFactory(school=slot.school, name="Art 9")
    )
    record(adams, Status.PRESENT)
    record(art, Status.ABSENT, period_number=2)
    client.force_login(slot.teacher)

    rows = csv_rows(client.get(report_url(adams, period="day", date=MONDAY, format="csv")))

    assert [row[0] for row in rows[1:]] == ["Maths 9A", "Total"]


@pytest.mark.parametrize(
    "params",
    [
        {"period": "year"},
        {"date": "2026-02-30"},
        {"date": "yesterday", "period": "week"},
        {"date": "9999-12-31", "period": "day"},
        {"date": "0001-01-01", "period": "month"},
        {"format": "pdf"},
    ],
)
def test_junk_in_the_student_report_address_shows_a_page_not_an_error(client, maths, params):
    slot, adams, young = maths
    client.force_login(slot.teacher)

    response = client.get(report_url(adams, **params))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_junk_in_the_register_address_is_not_found_or_falls_back(client, maths):
    slot, adams, young = maths
    client.force_login(slot.teacher)

    assert client.get(reverse("attendance:register") + "?school_class=abc").status_code == 404
    assert client.get(reverse("attendance:register") + "?school_class=999999").status_code == 404
    for junk in ("2026-13", "9999-12", "0001-01"):
        fallback = client.get(register_url(slot.school_class, month=junk))
        assert fallback.status_code == 200
        assert "September 2026" in text(fallback)  # this month (TODAY)


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-09-20", "end": "2026-09-01"},
        {"start": "2020-01-01", "end": "2026-09-01"},
        {"teacher": "999999"},
        {"start": "soon"},
        {"start": "0001-01-01", "end": "0001-01-02"},
    ],
)
def test_a_bad_not_taken_filter_says_so_and_shows_the_last_14_days(client, params):
    client.force_login(UserFactory(role=Role.ADMIN))

    response = client.get(reverse("attendance:not_taken"), params)

    assert response.status_code == 200
    page = text(response)
    assert "Showing the last 14 days" in page
    assert "16 Sep – 29 Sep 2026" in page


@pytest.mark.parametrize("junk", ["²", "٣", "12a", str(2**63), "0"])
def test_a_class_id_that_is_no_id_is_a_404_not_a_500(client, junk):
    # "²" and "٣" pass str.isdigit but not int(); 2**63 overflows a bigint.
    client.force_login(UserFactory(role=Role.ADMIN))
    response = client.get(reverse("attendance:register") + f"?school_class={junk}")
    assert response.status_code == 404
