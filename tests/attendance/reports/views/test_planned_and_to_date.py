"""Planned and to-date figures (docs/design/total-sessions.md, "Planned and to-date
figures"): where a custom total sessions applies, pages show present ÷ the records so far
beside present ÷ the planned total, and warn and sort by the figure to date."""

import datetime
import re

import pytest
from django.urls import reverse

from academics.models import Role
from attendance.models import Status
from tests.academics.factories import UserFactory
from tests.attendance.factories import AttendanceRecordFactory, TotalSessionsOverrideFactory

from .support import csv_rows, register_url, report_url, text

pytestmark = pytest.mark.django_db


def attend(membership, present, of):
    """`present` P and `of - present` A records, on school days of September 2026."""
    for n in range(of):
        AttendanceRecordFactory(
            membership=membership,
            status=Status.PRESENT if n < present else Status.ABSENT,
            date=datetime.date(2026, 9, 7) + datetime.timedelta(days=n // 8),
            period_number=n % 8 + 1,
        )


@pytest.fixture
def planned(maths):
    """Adams attended 13 of 15 sessions of a class planned at 60; Young 10 of 15, no plan."""
    slot, adams, young = maths
    attend(adams, 13, 15)
    attend(young, 10, 15)
    TotalSessionsOverrideFactory(membership=adams, total_sessions=60)
    admin = UserFactory(school=slot.school_class.school, role=Role.ADMIN)
    return slot.school_class, adams, young, admin


def cell(html, row_text, figure):
    """The text of the `figure` cell ("to-date" or "planned") in the row mentioning `row_text`."""
    for row in re.findall(r"<tr[^>]*>.*?</tr>", html, flags=re.S):
        if row_text in row:
            found = re.search(rf'data-figure="{figure}">(.*?)</td>', row, flags=re.S)
            return found.group(1)
    raise AssertionError(f"no row with {row_text}")


def plain(fragment):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()


def test_the_list_shows_a_good_attender_with_a_planned_total_as_good(client, planned):
    school_class, adams, young, admin = planned
    client.force_login(admin)

    url = reverse("attendance:list") + f"?school_class={school_class.pk}"
    html = client.get(url).content.decode()

    assert "Attendance to date" in html and "Of planned total" in html
    assert plain(cell(html, "Ali Adams", "to-date")) == "86.7%"
    assert plain(cell(html, "Ali Adams", "planned")) == "21.7% of 60"
    assert 'class="low"' not in cell(html, "Ali Adams", "to-date")
    # Young has no planned total: one figure, and it is below the threshold.
    assert plain(cell(html, "Yara Young", "planned")) == ""
    assert 'class="low"' in cell(html, "Yara Young", "to-date")


def test_lowest_first_sorts_by_the_figure_to_date(client, planned):
    school_class, adams, young, admin = planned
    client.force_login(admin)

    page = text(
        client.get(reverse("attendance:list") + f"?school_class={school_class.pk}&order=lowest")
    )

    assert page.index("Yara Young") < page.index("Ali Adams")


def test_the_student_report_shows_both_whole_course_figures(client, planned):
    school_class, adams, young, admin = planned
    client.force_login(admin)

    html = client.get(report_url(adams, period="month", date="2026-09-01")).content.decode()

    assert "Whole course to date" in html and "Of planned total" in html
    assert plain(cell(html, "Maths 9A", "to-date")) == "86.7%"
    assert plain(cell(html, "Maths 9A", "planned")) == "21.7% of 60"


def test_the_register_shows_both_whole_course_figures(client, planned):
    school_class, adams, young, admin = planned
    client.force_login(admin)

    html = client.get(register_url(school_class, month="2026-09")).content.decode()

    assert plain(cell(html, "Ali Adams", "to-date")) == "86.7%"
    assert 'class="low"' not in cell(html, "Ali Adams", "to-date")
    assert plain(cell(html, "Ali Adams", "planned")) == "21.7% of 60"
    assert 'class="low"' in cell(html, "Yara Young", "to-date")


def test_the_student_reports_csv_names_both_whole_course_figures(client, planned):
    school_class, adams, young, admin = planned
    client.force_login(admin)

    rows = csv_rows(client.get(report_url(adams, period="month", date="2026-09-01", format="csv")))

    header, maths_row = rows[0], rows[1]
    assert header[-2:] == ["Whole course to date %", "Whole course % of planned total"]
    assert maths_row[0] == "Maths 9A" and maths_row[-2:] == ["86.7", "21.7"]
