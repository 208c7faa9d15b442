"""The school's bills list (docs/design/billing.md): filters, totals, pager, and its CSV and
XLSX exports."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from attendance.models import Status
from billing.models import Bill
from billing.services import generate_bills
from tests.billing.conftest import OCTOBER, make_seed_group

from .helpers import AFTER_DUE, bill_of, generate, list_html, numbers_listed, pay

pytestmark = pytest.mark.django_db


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_each_bill_with_its_figures_and_the_totals(client, billed):
    client.force_login(billed.accountant)
    html = list_html(client)
    ahmed = bill_of(billed, 0)
    row = re.search(rf'<tr id="bill-row-{ahmed.pk}".*?</tr>', html, re.S).group(0)
    assert f'href="{reverse("billing:bill", args=[ahmed.pk])}"' in row
    assert ahmed.number in row
    assert "Ahmed Mohamed" in row
    assert "Math Level 1" in row
    assert "1 Oct – 31 Oct 2025" in row
    assert "300.00 EGP" in row
    assert "30 Nov 2025" in row
    assert "Pending" in row
    assert "3 bills" in html
    assert "700.00 EGP" in html  # expected
    assert "Needs recalculation" not in html


def test_the_list_filters_by_status_pending_partial_paid_and_overdue(client, billed, today):
    ahmed, sara, mohamed = (bill_of(billed, i) for i in range(3))
    pay(billed, ahmed, "100")
    pay(billed, sara, "200")
    client.force_login(billed.accountant)

    assert numbers_listed(list_html(client, status="partial")) == [ahmed.number]
    assert numbers_listed(list_html(client, status="paid")) == [sara.number]
    assert numbers_listed(list_html(client, status="pending")) == [mohamed.number]
    assert numbers_listed(list_html(client, status="overdue")) == []

    today.set(AFTER_DUE)
    overdue = list_html(client, status="overdue")
    assert sorted(numbers_listed(overdue)) == sorted([ahmed.number, mohamed.number])
    assert "Overdue" in overdue and "bill-row-overdue" in overdue
    totals = overdue.split('class="bill-totals"')[1].split("</dl>")[0]
    assert "500.00 EGP" in totals  # expected: Ahmed's 300 and Mohamed's 200
    assert "400.00 EGP" in totals  # still owed: 200 and 200
    assert numbers_listed(list_html(client, status="partial")) == []


def test_the_list_filters_by_group_month_and_name(client, billed):
    other = make_seed_group(billed.school, name="Physics", code="PHY-1")
    generate_bills(
        school_class=other.group,
        start=OCTOBER[0],
        end=OCTOBER[1],
        actor=billed.accountant,
    )
    november = other.mark(0, datetime.date(2025, 11, 3))
    assert november.status == Status.PRESENT
    generate_bills(
        school_class=other.group,
        start=datetime.date(2025, 11, 1),
        end=datetime.date(2025, 11, 30),
        actor=billed.accountant,
    )
    client.force_login(billed.accountant)

    assert len(numbers_listed(list_html(client))) == 7
    by_group = list_html(client, group=billed.group.pk)
    assert len(numbers_listed(by_group)) == 3
    assert "Physics" not in by_group.split('id="bills-table"')[1]
    assert numbers_listed(list_html(client, month="2025-11")) == [
        Bill.objects.get(period_start=datetime.date(2025, 11, 1)).number
    ]
    assert len(numbers_listed(list_html(client, month="2025-10"))) == 6
    sara = numbers_listed(list_html(client, q="sara", group=billed.group.pk))
    assert sara == [bill_of(billed, 1).number]
    assert sorted(numbers_listed(list_html(client, q="Sara Hassan", month="2025-10"))) == sorted(
        [bill_of(billed, 1).number, Bill.objects.get(student=other.students[1]).number]
    )
    assert numbers_listed(list_html(client, q="STD-2025-003", group=billed.group.pk)) == [
        bill_of(billed, 2).number
    ]


def test_a_malformed_filter_is_named_and_the_others_still_apply(client, billed):
    client.force_login(billed.accountant)
    html = list_html(client, month="October", status="pending")
    assert "Enter a month as YYYY-MM" in html
    assert len(numbers_listed(html)) == 3


def test_a_group_id_beyond_any_database_id_is_refused_not_a_500(client, billed):
    # Found by the bad-input property test: SQLite overflowed on a 20-digit group id.
    client.force_login(billed.accountant)
    html = list_html(client, group=10**20, status="pending")
    assert "Ensure this value is less than or equal to" in html
    assert len(numbers_listed(html)) == 3


def test_the_totals_are_those_of_the_filtered_bills(client, billed):
    pay(billed, bill_of(billed, 0), "120.50")
    client.force_login(billed.accountant)
    html = list_html(client, status="partial")
    totals = html.split('class="bill-totals"')[1].split("</dl>")[0]
    assert "300.00 EGP" in totals  # expected of the one partial bill
    assert "120.50 EGP" in totals  # collected
    assert "179.50 EGP" in totals  # still owed
    assert "700.00 EGP" not in totals


def test_an_htmx_request_gets_the_table_only_for_embedding(client, billed):
    client.force_login(billed.accountant)
    response = client.get(
        reverse("billing:bills"),
        {"group": billed.group.pk, "status": "pending"},
        headers={
            "HX-Request": "true",
            "HX-Current-URL": f"http://testserver/billing/groups/{billed.group.pk}/revenue/",
        },
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="bills-table"')
    assert "<html" not in html and "<form" not in html
    assert len(numbers_listed(html)) == 3
    assert "Open in the bills list" in html  # embedded elsewhere: a link to the full list


def test_the_list_pages_keep_the_filters(client, billed, monkeypatch):
    monkeypatch.setattr("billing.views.bills.PAGE_SIZE", 2)
    client.force_login(billed.accountant)
    html = list_html(client, group=billed.group.pk)
    assert len(numbers_listed(html)) == 2
    assert f"?group={billed.group.pk}&amp;page=2" in html
    assert len(numbers_listed(list_html(client, group=billed.group.pk, page=2))) == 1


def test_the_list_queries_do_not_grow_per_bill(client, seed, django_assert_max_num_queries):
    generate(seed)
    client.force_login(seed.accountant)
    # session · user · school · the group picker · count · the page of bills with their
    # status (Exists subqueries) · the totals · the count per status
    with django_assert_max_num_queries(8) as few:
        list_html(client)
    big = make_seed_group(seed.school, name="Big", code="BIG")
    from tests.academics.factories import MembershipFactory
    from tests.attendance.factories import AttendanceRecordFactory

    for _ in range(15):
        membership = MembershipFactory(school_class=big.group, joined_on=datetime.date(2025, 9, 1))
        AttendanceRecordFactory(membership=membership, date=datetime.date(2025, 10, 6))
    generate_bills(school_class=big.group, start=OCTOBER[0], end=OCTOBER[1], actor=None)
    assert Bill.objects.count() == 21
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = list_html(client)
    assert len(numbers_listed(html)) == 21


# --- exports ----------------------------------------------------------------------------------


def test_the_csv_export_has_the_filtered_bills_with_every_column(client, billed):
    pay(billed, bill_of(billed, 0), "100")
    client.force_login(billed.accountant)
    response = client.get(
        reverse("billing:bills_export", args=["csv"]), {"month": "2025-10", "status": "partial"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="bills-2025-10.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Number",
        "Student",
        "Student number",
        "Group",
        "Group code",
        "Period start",
        "Period end",
        "Sessions",
        "Price per session",
        "Amount",
        "Paid",
        "Remaining",
        "Credit",
        "Currency",
        "Due date",
        "Status",
    ]
    assert rows[1:] == [
        [
            bill_of(billed, 0).number,
            "Ahmed Mohamed",
            "STD-2025-001",
            "Math Level 1",
            "MTH-L1-A",
            "2025-10-01",
            "2025-10-31",
            "3",
            "100.00",
            "300.00",
            "100.00",
            "200.00",
            "0",
            "EGP",
            "2025-11-30",
            "Partially paid",
        ]
    ]


def test_the_xlsx_export_keeps_amounts_as_numbers(client, billed):
    client.force_login(billed.accountant)
    response = client.get(reverse("billing:bills_export", args=["xlsx"]))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Number" and rows[0][-1] == "Status"
    assert len(rows) == 4
    by_student = {row[1]: row for row in rows[1:]}
    ahmed = by_student["Ahmed Mohamed"]
    assert ahmed[7] == 3
    assert ahmed[9] == 300 and isinstance(ahmed[9], int | float)
    assert ahmed[11] == 300
    assert ahmed[5] == datetime.datetime(2025, 10, 1)
    assert ahmed[15] == "Pending"
    assert sum(row[9] for row in rows[1:]) == 700


def test_an_unknown_export_format_is_a_404(client, billed):
    client.force_login(billed.accountant)
    assert client.get(reverse("billing:bills_export", args=["pdf"])).status_code == 404
