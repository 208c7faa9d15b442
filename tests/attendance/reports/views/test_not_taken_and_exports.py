"""Registers not taken, links between the report pages, the export helper and the pages'
query counts (docs/design/attendance.md, reports).
"""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from academics.models import Holiday, Role
from attendance.exports import tabular_response
from attendance.models import Status
from tests.academics.factories import (
    SchoolClassFactory,
    SchoolFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import TotalSessionsOverrideFactory

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
