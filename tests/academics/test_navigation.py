"""The top bar: built from each app's access module (academics.navigation), so every role
sees the links to the pages it may open, and only those."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from academics.models import Guardianship, Role

from .factories import SchoolFactory, UserFactory

# The top bar's links (templates/base.html), inside the menu that folds on a phone.
MAIN_NAV = r'<nav aria-label="Main">(.*?)</nav>'

pytestmark = pytest.mark.django_db

# The top-bar labels each role gets, in order (the Admin link follows for is_staff users).
EXPECTED = {
    Role.ADMIN: [
        "My periods",
        "Attendance list",
        "Staff absence",
        "Periods to resolve",
        "Student leave",
        "Registers",
        "Not taken",
        "Corrections",
        "Billing",
        "Bills",
        "Make-up credits",
        "Credit reports",
        "Promotion",
        "Enrollments",
    ],
    Role.PRINCIPAL: [
        "Attendance list",
        "Periods to resolve",
        "Registers",
        "Not taken",
        "Corrections",
        "Bills",
        "Make-up credits",
        "Credit reports",
        "Promotion",
        "Enrollments",
    ],
    Role.HOD: [
        "My periods",
        "Attendance list",
        "Staff absence",
        "Periods to resolve",
        "Student leave",
        "Registers",
        "Not taken",
        "Make-up credits",
        "Credit reports",
    ],
    Role.TEACHER: [
        "My periods",
        "Attendance list",
        "Periods to resolve",
        "Registers",
        "Not taken",
        "Make-up credits",
        "Credit reports",
    ],
    Role.ACCOUNTANT: ["Attendance list", "Registers", "Billing", "Bills"],
    Role.STUDENT: ["Attendance list", "My attendance", "My bills", "My credits"],
    # Their children first; the attendance list shows only their children's rows.
    Role.GUARDIAN: ["My children", "Attendance list"],
}


def _nav(html: str) -> list[tuple[str, bool]]:
    nav = re.search(MAIN_NAV, html, re.S).group(1)
    return [
        (label, "aria-current" in attrs)
        for attrs, label in re.findall(r"<a ([^>]*)>([^<]+)</a>", nav)
        if label != "Admin"
    ]


@pytest.mark.parametrize("role", list(EXPECTED))
def test_each_role_sees_the_links_to_its_pages(client, role):
    user = UserFactory(school=SchoolFactory(), role=role)
    client.force_login(user)
    response = client.get(reverse("attendance:list"))
    assert [label for label, _ in _nav(response.text)] == EXPECTED[role]


@pytest.mark.parametrize("role", list(EXPECTED))
def test_every_link_in_the_bar_opens_for_that_role(client, role):
    user = UserFactory(school=SchoolFactory(), role=role)
    client.force_login(user)
    nav = re.search(MAIN_NAV, client.get(reverse("attendance:list")).text, re.S).group(1)
    for href in re.findall(r'href="([^"]+)"', nav):
        if href.startswith("/admin/"):
            continue
        assert client.get(href, follow=True).status_code == 200, href


def test_the_current_page_is_marked_including_its_sub_pages(client):
    client.force_login(UserFactory(school=SchoolFactory(), role=Role.ADMIN))
    current = [label for label, cur in _nav(client.get(reverse("billing:bills")).text) if cur]
    assert current == ["Bills"]
    current = [label for label, cur in _nav(client.get(reverse("credits:reports")).text) if cur]
    assert current == ["Credit reports"]


def test_a_guardians_children_page_is_marked_current_on_a_childs_page(client):
    school = SchoolFactory()
    guardian = UserFactory(school=school, role=Role.GUARDIAN)
    student = UserFactory(school=school, role=Role.STUDENT).student_profile
    Guardianship.objects.create(school=school, guardian=guardian.guardian_profile, student=student)
    client.force_login(guardian)
    page = client.get(reverse("guardians:child", args=[student.pk]))
    assert [label for label, cur in _nav(page.text) if cur] == ["My children"]


def test_a_user_of_no_school_gets_no_links(client):
    client.force_login(UserFactory(school=None, role=Role.TEACHER))
    response = client.get(reverse("home"), follow=True)
    assert _nav(response.text) == []


def test_no_template_compares_roles():
    # Who may see what is the access modules' answer, passed in the context.
    comparing = [
        str(path.relative_to(settings.BASE_DIR))
        for path in Path(settings.BASE_DIR, "templates").rglob("*.html")
        if re.search(r"\.role\b\s*(==|!=|in)|is_superuser", path.read_text())
    ]
    assert comparing == []
