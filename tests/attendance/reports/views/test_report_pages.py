"""The student report and the class register pages, with their exports
(docs/design/attendance.md, reports).
"""

import re

import pytest
from django.urls import reverse

from attendance.models import Status
from tests.academics.factories import (
    SchoolClassFactory,
)

from .support import (
    DAY,
    MONDAY,
    WEEK,
    csv_rows,
    record,
    register_url,
    report_url,
    student_in,
    text,
    xlsx_rows,
)

pytestmark = pytest.mark.django_db


# --- the student report -----------------------------------------------------------------------


def test_the_report_counts_every_status_and_shows_il_sa_and_orphaned_apart(client, maths):
    slot, adams, young = maths
    for period_number, status in enumerate(Status, start=1):
        record(adams, status, period_number=period_number)
    record(adams, Status.ABSENT, period_number=10, is_orphaned=True)
    client.force_login(slot.teacher)

    page = text(client.get(report_url(adams, period="week", date=MONDAY)))
    (headers, maths_row, total) = csv_rows(
        client.get(report_url(adams, period="week", date=MONDAY, format="csv"))
    )

    assert "Week of 7 September 2026" in page
    html = client.get(report_url(adams, period="week", date=MONDAY)).content.decode()
    assert '<h3 id="trend-heading">Weekly trend</h3>' in html
    assert "SA (unresolved)" in page and "Orphaned — Period Removed" in page
    assert re.search(r"Informed leave \(IL\) 1 counted, not present", page)
    assert re.search(r"Attendance 25\.0%", page)
    columns = dict(zip(headers, maths_row, strict=True))
    assert [columns[code] for code in ("P", "A", "IL", "UL", "OD", "SU", "NM", "H")] == ["1"] * 8
    assert columns["SA (unresolved)"] == "1"
    assert columns["Orphaned (not counted)"] == "1"
    assert (columns["Present"], columns["Countable"], columns["Attendance %"]) == ("1", "4", "25.0")
    # The last two columns are the whole-course figures (to date, of a planned total).
    assert total[0] == "Total" and total[-4:-2] == ["4", "25.0"]


def test_the_day_view_lists_the_days_periods_with_their_status(client, maths):
    slot, adams, young = maths
    record(adams, Status.PRESENT, period_number=1)
    record(adams, Status.STAFF_ABSENT, period_number=2)
    record(adams, Status.ABSENT, period_number=4, is_orphaned=True)
    client.force_login(adams.student.user)

    page = text(client.get(report_url(adams, period="day", date=MONDAY)))

    assert "Periods on Monday 7 September" in page
    subject = re.escape(str(slot.subject))
    assert re.search(rf"1 Maths 9A {subject} P Present", page)
    assert re.search(rf"2 Maths 9A {subject} SA SA \(unresolved\) · not counted", page)
    assert re.search(rf"3 Maths 9A {subject} Not marked", page)  # the slot nobody marked
    assert re.search(
        rf"4 Maths 9A {subject} A Absent · Orphaned — Period Removed, not counted", page
    )


def test_the_period_switcher_steps_through_weeks_months_and_terms(client, maths):
    slot, adams, young = maths
    client.force_login(slot.teacher)

    html = client.get(report_url(adams, period="month", date="2026-09-15")).content.decode()

    assert "September 2026" in html
    assert 'href="?period=month&amp;date=2026-08-01" rel="prev"' in html
    assert 'href="?period=month&amp;date=2026-10-01" rel="next"' in html
    for kind in ("day", "week", "term"):  # switching keeps the chosen date
        assert f'href="?period={kind}&amp;date=2026-09-15"' in html


def test_records_before_joining_are_not_counted_in_the_report(client, maths):
    slot, adams, young = maths
    late = student_in(slot.school_class, "Late", joined_on=MONDAY + DAY)
    record(late, Status.ABSENT, day=MONDAY)
    record(late, Status.PRESENT, day=MONDAY + DAY)
    client.force_login(slot.teacher)

    (_, row, total) = csv_rows(
        client.get(report_url(late, period="week", date=MONDAY, format="csv"))
    )

    # ... the month's figures, the whole course to date, no planned total.
    assert row[-6:] == ["0", "1", "1", "100.0", "100.0", ""]


def test_the_report_shows_a_weekly_trend_chart_with_its_numbers(client, maths):
    slot, adams, young = maths
    record(adams, Status.PRESENT, day=MONDAY, period_number=1)
    record(adams, Status.ABSENT, day=MONDAY, period_number=2)
    record(adams, Status.PRESENT, day=MONDAY + WEEK, period_number=1)
    client.force_login(slot.teacher)

    html = client.get(report_url(adams, period="month", date=MONDAY)).content.decode()

    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert "week of 7 Sep 2026: 50.0%" in svg and "week of 14 Sep 2026: 100.0%" in svg
    numbers = text(client.get(report_url(adams, period="month", date=MONDAY)))
    assert "7 Sep 2026 1 2 50.0%" in numbers and "14 Sep 2026 1 1 100.0%" in numbers


def test_the_report_downloads_as_xlsx_with_numbers_as_numbers(client, maths):
    slot, adams, young = maths
    record(adams, Status.PRESENT, period_number=1)
    record(adams, Status.INFORMED_LEAVE, period_number=2)
    client.force_login(slot.teacher)

    response = client.get(report_url(adams, period="day", date=MONDAY, format="xlsx"))

    rows = xlsx_rows(response)
    assert 'filename="attendance-' in response["Content-Disposition"]
    headers, maths_row = rows[0], rows[1]
    columns = dict(zip(headers, maths_row, strict=True))
    assert columns["Class"] == "Maths 9A"
    assert (columns["P"], columns["IL"], columns["Countable"]) == (1, 1, 2)
    assert columns["Attendance %"] == 50
    assert rows[-1][0] == "Total"


# --- the class register -----------------------------------------------------------------------


def register_rows(html):
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return body.split("</tr>")[:-1]


def test_the_register_is_a_colour_coded_grid_with_the_months_percentage(client, maths):
    slot, adams, young = maths
    subject = slot.subject
    record(adams, Status.PRESENT, period_number=3, subject=subject)
    record(adams, Status.ABSENT, day=MONDAY + WEEK, period_number=3, subject=subject)
    record(young, Status.INFORMED_LEAVE, period_number=3, subject=subject)
    record(
        young, Status.PRESENT, day=MONDAY + WEEK, period_number=3, subject=subject, is_orphaned=True
    )
    client.force_login(slot.teacher)

    html = client.get(register_url(slot.school_class, month="2026-09")).content.decode()

    adams_row, young_row = register_rows(html)
    assert "Adams" in adams_row and "Young" in young_row
    assert re.findall(r'<td class="cell st-(\w+)', adams_row) == ["P", "A"]
    assert 'class="cell st-P orphaned" title="Present — Orphaned — Period Removed"' in young_row
    assert "50.0%" in adams_row and "0.0%" in young_row
    assert "below 75%" in young_row and "below 75%" in adams_row
    # Mondays 7, 14, 21 and 28 September are all columns, marked or not.
    assert html.count('class="session') == 4
    assert f'<h3 id="trend-heading">Weekly trend of {slot.school_class.name}</h3>' in html


def test_the_register_highlights_only_students_below_the_threshold(client, maths):
    slot, adams, young = maths
    for period_number, status in enumerate(["P", "P", "P", "A"], start=1):  # 75.0%: not below
        record(adams, status, period_number=period_number)
    for period_number, status in enumerate(["P", "P", "A", "A"], start=1):  # 50.0%
        record(young, status, period_number=period_number)
    client.force_login(slot.teacher)

    adams_row, young_row = register_rows(
        client.get(register_url(slot.school_class, month="2026-09")).content.decode()
    )

    assert 'class="below"' in young_row and "below 75%" in young_row
    assert 'class="below"' not in adams_row and "below 75%" not in adams_row


def test_the_register_downloads_as_csv_and_xlsx(client, maths):
    slot, adams, young = maths
    record(adams, Status.PRESENT, period_number=3, subject=slot.subject)
    record(young, Status.STAFF_ABSENT, period_number=3, subject=slot.subject)
    record(young, Status.ABSENT, period_number=5, subject=slot.subject, is_orphaned=True)
    client.force_login(slot.teacher)

    as_csv = csv_rows(client.get(register_url(slot.school_class, month="2026-09", format="csv")))
    response = client.get(register_url(slot.school_class, month="2026-09", format="xlsx"))
    as_xlsx = xlsx_rows(response)

    assert 'filename="register-MTH-9A-2026-09.xlsx"' in response["Content-Disposition"]
    assert as_csv[0][:3] == ["Student", "2026-09-07 P3", "2026-09-07 P5"]
    assert as_csv[0][-4:] == ["Present", "Countable", "Attendance %", "Below threshold"]
    assert as_csv[1][:3] == [str(adams.student), "P", ""]
    assert as_csv[1][-4:] == ["1", "1", "100.0", "no"]
    assert as_csv[2][:3] == [str(young.student), "SA", "A (orphaned)"]
    assert as_csv[2][-4:] == ["0", "0", "", "no"]
    assert as_xlsx[1][-4:] == [1, 1, 100, "no"]
    assert as_xlsx[2][1:3] == ["SA", "A (orphaned)"]


def test_the_register_has_a_month_switcher_and_a_trend(client, maths):
    slot, adams, young = maths
    record(adams, Status.PRESENT, period_number=3, subject=slot.subject)
    client.force_login(slot.teacher)

    html = client.get(register_url(slot.school_class, month="2026-09")).content.decode()

    assert f'href="?school_class={slot.school_class.pk}&amp;month=2026-08" rel="prev"' in html
    assert f'href="?school_class={slot.school_class.pk}&amp;month=2026-10" rel="next"' in html
    assert "Weekly attendance of Maths 9A" in html
    assert "week of 7 Sep 2026: 100.0%" in html


def test_the_register_without_a_class_offers_the_visible_classes(client, maths):
    slot, adams, young = maths
    SchoolClassFactory(school=slot.school, name="Not mine")
    client.force_login(slot.teacher)

    html = client.get(reverse("attendance:register")).content.decode()

    assert "Choose a class to see its register" in html
    assert "Maths 9A" in html and "Not mine" not in html
