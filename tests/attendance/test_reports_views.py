"""The report pages: who may see what, what a reader sees, the downloads, and the query
counts (issue 3)."""

import csv
import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from academics.models import Holiday, Role, School
from attendance.exports import tabular_response
from attendance.models import Status
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory, TotalSessionsOverrideFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 9, 7)  # the factories' slots meet on Mondays from 17 Aug 2026
TODAY = datetime.date(2026, 9, 30)  # a Wednesday: "today" for every test here
DAY = datetime.timedelta(days=1)
WEEK = datetime.timedelta(days=7)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(School, "today", lambda self: TODAY)


def student_in(school_class, last_name, first_name="Sam", **membership):
    user = UserFactory(
        school=school_class.school, role=Role.STUDENT, last_name=last_name, first_name=first_name
    )
    return MembershipFactory(school_class=school_class, student=user.student_profile, **membership)


def record(membership, status, *, day=MONDAY, period_number=1, **kwargs):
    return AttendanceRecordFactory(
        membership=membership, status=status, date=day, period_number=period_number, **kwargs
    )


@pytest.fixture
def maths():
    """Maths 9A meets on Mondays in period 3 with Ms Rivera; Adams and Young."""
    school = SchoolFactory(name="Hill School")
    teacher = UserFactory(school=school, role=Role.TEACHER, last_name="Rivera")
    school_class = SchoolClassFactory(school=school, name="Maths 9A", code="MTH-9A")
    slot = TimetableSlotFactory(school_class=school_class, teacher=teacher, period_number=3)
    return slot, student_in(school_class, "Adams", "Ali"), student_in(school_class, "Young", "Yara")


def report_url(membership, **params):
    url = reverse("attendance:student_report", args=[membership.student_id])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def register_url(school_class, **params):
    query = "&".join(f"{k}={v}" for k, v in {"school_class": school_class.pk, **params}.items())
    return reverse("attendance:register") + "?" + query


def text(response):
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response):
    assert "spreadsheetml" in response["Content-Type"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


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
    assert total[0] == "Total" and total[-3:-1] == ["4", "25.0"]


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

    assert row[-5:] == ["0", "1", "1", "100.0", "100.0"]


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


# --- registers not taken ----------------------------------------------------------------------


@pytest.fixture
def two_teachers(maths):
    slot, adams, young = maths
    chen = UserFactory(school=slot.school, role=Role.TEACHER, last_name="Chen")
    art = TimetableSlotFactory(
        school_class=SchoolClassFactory(school=slot.school, name="Art 9"),
        teacher=chen,
        period_number=2,
    )
    student_in(art.school_class, "Painter")
    return slot, art


def test_registers_not_taken_skip_holidays_and_marked_periods(client, two_teachers):
    maths, art = two_teachers
    for membership in maths.school_class.memberships.all():
        record(membership, Status.PRESENT, period_number=3, subject=maths.subject)
    Holiday.objects.create(
        school=maths.school, name="Closure", start_date=MONDAY + WEEK, end_date=MONDAY + WEEK
    )
    client.force_login(UserFactory(school=maths.school, role=Role.PRINCIPAL))

    page = text(
        client.get(reverse("attendance:not_taken"), {"start": "2026-09-07", "end": "2026-09-30"})
    )

    # Maths: 7th taken, 14th holiday, 21st and 28th missing. Art: 7th, 21st, 28th missing.
    assert "5 registers not taken" in page
    assert page.index("Chen") < page.index("Rivera")
    assert "Mon 14 Sep 2026" not in page
    assert "Period 3 · Maths 9A" in page and "Period 2 · Art 9" in page


def test_a_teacher_sees_only_their_own_registers_not_taken(client, two_teachers):
    maths, art = two_teachers
    client.force_login(art.teacher)

    page = text(
        client.get(reverse("attendance:not_taken"), {"start": "2026-09-07", "end": "2026-09-14"})
    )

    assert "2 registers not taken" in page
    assert "Art 9" in page and "Maths 9A" not in page
    assert "All teachers" not in page  # no teacher filter


def test_registers_not_taken_default_to_the_last_14_days_before_today(client, two_teachers):
    maths, art = two_teachers
    client.force_login(UserFactory(school=maths.school, role=Role.ADMIN))

    page = text(client.get(reverse("attendance:not_taken")))

    # 16–29 September: Mondays 21 and 28, two periods each.
    assert "16 Sep – 29 Sep 2026" in page
    assert "4 registers not taken" in page


def test_registers_not_taken_filter_by_teacher_and_download(client, two_teachers):
    maths, art = two_teachers
    client.force_login(UserFactory(school=maths.school, role=Role.HOD))
    params = {"start": "2026-09-07", "end": "2026-09-14", "teacher": maths.teacher.pk}

    as_csv = csv_rows(client.get(reverse("attendance:not_taken"), {**params, "format": "csv"}))
    as_xlsx = xlsx_rows(client.get(reverse("attendance:not_taken"), {**params, "format": "xlsx"}))

    assert as_csv == [
        ["Date", "Teacher", "Period", "Class", "Subject"],
        ["2026-09-07", str(maths.teacher), "3", "Maths 9A", str(maths.subject)],
        ["2026-09-14", str(maths.teacher), "3", "Maths 9A", str(maths.subject)],
    ]
    assert as_xlsx[1][0] == datetime.datetime(2026, 9, 7)
    assert as_xlsx[1][1:] == [str(maths.teacher), 3, "Maths 9A", str(maths.subject)]


# --- links between the pages ------------------------------------------------------------------


def test_the_attendance_list_links_students_to_reports_and_the_class_to_its_register(client, maths):
    slot, adams, young = maths
    client.force_login(slot.teacher)

    html = client.get(reverse("attendance:list"), {"school_class": slot.school_class.pk}).content
    html = html.decode()

    assert f'href="{report_url(adams)}"' in html
    assert f'href="{register_url(slot.school_class)}"' in html


# --- the export helper ------------------------------------------------------------------------


def test_exports_neutralise_spreadsheet_formulas_in_text():
    rows = [['=HYPERLINK("http://x")', Decimal("12.5"), None, True]]

    as_csv = tabular_response(rows, ["Name", "Pct", "Blank", "Flag"], "t", "csv")
    as_xlsx = tabular_response(rows, ["Name", "Pct", "Blank", "Flag"], "t", "xlsx")

    assert csv_rows(as_csv)[1] == ['\'=HYPERLINK("http://x")', "12.5", "", "yes"]
    sheet = openpyxl.load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 12.5


def test_an_unknown_export_format_is_refused():
    with pytest.raises(ValueError):
        tabular_response([], ["A"], "t", "pdf")


# --- query counts -----------------------------------------------------------------------------


def class_of(size, *, with_override=False):
    slot = TimetableSlotFactory(period_number=3)
    memberships = [student_in(slot.school_class, f"Student{n:02}") for n in range(size)]
    for membership in memberships:
        for day in (MONDAY, MONDAY + WEEK):
            record(membership, Status.PRESENT, day=day, period_number=3, subject=slot.subject)
            record(membership, Status.ABSENT, day=day, period_number=4, subject=slot.subject)
        if with_override:
            TotalSessionsOverrideFactory(membership=membership, total_sessions=10)
    return slot, memberships


@pytest.mark.parametrize("period", ["week", "month", "term"])
def test_the_student_report_takes_the_same_queries_however_many_records(
    client, django_assert_num_queries, period
):
    for size in (2, 12):
        slot, memberships = class_of(size, with_override=True)
        for n in range(size):  # the student's own records grow with `size` too
            record(memberships[0], Status.PRESENT, day=MONDAY + 2 * WEEK + n * DAY, period_number=3)
        client.force_login(slot.teacher)
        # session · user · the student (scoped) · the user's school · [term: term, then the
        # academic year it falls back to] · memberships with whole-course totals · the
        # period's counts by class and status · the trend's counts by date
        expected = 7 + (2 if period == "term" else 0)
        with django_assert_num_queries(expected):
            response = client.get(report_url(memberships[0], period=period, date=MONDAY))
        assert response.status_code == 200


def test_the_student_day_view_takes_the_same_queries_however_many_records(
    client, django_assert_num_queries
):
    for size in (2, 12):
        slot, memberships = class_of(size)
        for n in range(size):
            record(memberships[0], Status.PRESENT, period_number=10 + n)
        client.force_login(slot.teacher)
        # session · user · student · school · memberships with totals · counts · trend ·
        # the day's records · the day's timetable slots
        with django_assert_num_queries(9):
            assert (
                client.get(report_url(memberships[0], period="day", date=MONDAY)).status_code == 200
            )


@pytest.mark.parametrize("fmt", ["", "csv"])
def test_the_register_takes_the_same_queries_for_any_class_size(
    client, django_assert_num_queries, fmt
):
    for size in (2, 25):
        slot, memberships = class_of(size, with_override=True)
        client.force_login(slot.teacher)
        # session · user · the class with its school (scoped) · the user's school ·
        # memberships with students and totals · the month's records · the class's slots ·
        # holidays · subjects of the columns · the trend · [page: the class <select>]
        with django_assert_num_queries(11 if not fmt else 10):
            response = client.get(register_url(slot.school_class, month="2026-09", format=fmt))
        assert response.status_code == 200


def test_registers_not_taken_take_the_same_queries_for_any_number_of_slots(
    client, django_assert_num_queries
):
    for size in (1, 8):
        school = SchoolFactory()
        for n in range(size):
            slot = TimetableSlotFactory(
                school_class=SchoolClassFactory(school=school), period_number=n % 8 + 1
            )
            student_in(slot.school_class, f"Student{n}")
        client.force_login(UserFactory(school=school, role=Role.ADMIN))
        # session · user · school · slots with class, subject, teacher · holidays · marked
        # keys · membership spans · the teacher <select>
        with django_assert_num_queries(8):
            response = client.get(
                reverse("attendance:not_taken"), {"start": "2026-08-17", "end": "2026-09-29"}
            )
        assert response.status_code == 200
        assert f"{size * 7} register" in text(response)
