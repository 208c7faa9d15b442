"""The bills pages (docs/design/billing.md): the list and its exports, a bill's page with
payments and recalculation, the invoice, a student's own bills, who may see what."""

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from academics.models import Role, School
from attendance.models import Status
from billing.models import Bill, Payment
from billing.services import generate_bills, record_payment
from tests.academics.factories import UserFactory

from .conftest import OCTOBER, make_seed_group

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 11, 10)  # after October's bills are made, before they are due
AFTER_DUE = datetime.date(2025, 12, 5)  # October's bills are due on 30 Nov 2025


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Every school's today is TODAY, whatever the machine's clock says; a test moves it
    with `today.set(...)`."""

    class Clock:
        value = TODAY

        def set(self, day):
            self.value = day

    clock = Clock()
    monkeypatch.setattr(School, "today", lambda school: clock.value)
    return clock


def generate(seed, start=OCTOBER[0], end=OCTOBER[1], **kwargs):
    return generate_bills(
        school_class=seed.group, start=start, end=end, actor=seed.accountant, **kwargs
    )


@pytest.fixture
def billed(seed):
    """The seed's October bills: Ahmed 300, Sara 200, Mohamed 200 (all pending)."""
    generate(seed)
    return seed


def bill_of(seed, index) -> Bill:
    return Bill.objects.get(student=seed.students[index], school_class=seed.group)


def pay(seed, bill, amount, day=TODAY):
    return record_payment(
        bill=bill, amount=Decimal(amount), paid_on=day, method="cash", received_by=seed.accountant
    )


def numbers_listed(html) -> list[str]:
    return re.findall(r">(INV-\d{6})</a>", html)


def list_html(client, **params) -> str:
    response = client.get(reverse("billing:bills"), params)
    assert response.status_code == 200
    return response.content.decode()


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


# --- a bill's page ----------------------------------------------------------------------------


def test_the_bill_page_lists_its_sessions_and_payments(client, billed):
    ahmed = bill_of(billed, 0)
    pay(billed, ahmed, "100")
    client.force_login(billed.accountant)
    html = client.get(reverse("billing:bill", args=[ahmed.pk])).content.decode()
    assert f"<h1>{ahmed.number}" in html
    assert "Sessions charged (3)" in html
    for day in ("Mon 6 Oct 2025", "Mon 13 Oct 2025", "Mon 20 Oct 2025"):
        assert day in html
    assert "Mathematics" in html
    payments = html.split('id="bill-payments"')[1].split("</section>")[0]
    assert "10 Nov 2025" in payments and "100.00 EGP" in payments and "Cash" in payments
    assert str(billed.accountant) in payments
    summary = html.split('id="bill-summary"')[1].split("</section>")[0]
    assert "300.00 EGP" in summary and "200.00 EGP" in summary  # amount, remaining
    assert "Partially paid" in summary
    assert "Record a payment" in html
    assert reverse("billing:invoice", args=[ahmed.pk]) in html
    assert reverse("billing:revenue", args=[billed.group.pk]) in html
    assert "Generated from attendance" in html  # its history


def test_a_partial_payment_then_the_rest_makes_the_bill_paid(client, billed):
    ahmed = bill_of(billed, 0)
    client.force_login(billed.accountant)
    url = reverse("billing:record_payment", args=[ahmed.pk])
    form = {"amount": "120", "paid_on": "2025-11-09", "method": "bank_transfer", "reference": "T-9"}

    response = client.post(url, form, headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Recorded 120.00 EGP for" in html
    assert 'id="bill-summary" class="card bill-summary"' in html and 'hx-swap-oob="true"' in html
    summary = html.split('id="bill-summary"')[1].split("</section>")[0]
    assert "Partially paid" in summary and "180.00 EGP" in summary
    assert "T-9" in html.split('id="bill-payments"')[1]
    ahmed.refresh_from_db()
    assert ahmed.paid_amount == Decimal("120")

    response = client.post(url, form | {"amount": "180"}, headers={"HX-Request": "true"})
    summary = response.content.decode().split('id="bill-summary"')[1].split("</section>")[0]
    assert ">Paid</span>" in summary
    assert "Nothing is left to pay" in response.content.decode()
    assert Payment.objects.filter(bill=ahmed).count() == 2


def test_paying_more_than_is_owed_is_refused_the_form_kept_and_nothing_written(client, billed):
    sara = bill_of(billed, 1)
    client.force_login(billed.accountant)
    response = client.post(
        reverse("billing:record_payment", args=[sara.pk]),
        {"amount": "250", "paid_on": "2025-11-09", "method": "cash", "reference": "R-1"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "That is more than is owed" in html and "200.00 EGP left to pay" in html
    assert 'value="250"' in html and 'value="R-1"' in html
    assert Payment.objects.count() == 0
    sara.refresh_from_db()
    assert sara.paid_amount == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("paid_on", "2025-11-11", "The payment date cannot be in the future."),
        ("amount", "lots", "Enter a number."),
        ("amount", "0", "Ensure this value is greater than or equal to 0.01."),
        ("method", "gold", "Select a valid choice."),
    ],
)
def test_a_bad_payment_is_refused_with_a_message(client, billed, field, value, message):
    bill = bill_of(billed, 0)
    client.force_login(billed.accountant)
    data = {"amount": "50", "paid_on": "2025-11-09", "method": "cash"} | {field: value}
    response = client.post(reverse("billing:record_payment", args=[bill.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Payment.objects.count() == 0


def test_a_payment_without_htmx_redirects_with_a_message(client, billed):
    bill = bill_of(billed, 2)
    client.force_login(billed.accountant)
    response = client.post(
        reverse("billing:record_payment", args=[bill.pk]),
        {"amount": "50", "paid_on": "2025-11-09", "method": "cash"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("billing:bill", args=[bill.pk])
    assert "Recorded 50.00 EGP for" in response.content.decode()


def test_recalculating_after_a_correction_clears_the_banner_and_shows_the_credit(client, billed):
    ahmed = bill_of(billed, 0)
    pay(billed, ahmed, "300")
    record = billed.record(0, 1)
    record.status = Status.ABSENT
    record.save()
    client.force_login(billed.accountant)
    url = reverse("billing:bill", args=[ahmed.pk])

    listed = list_html(client)
    row = re.search(rf'<tr id="bill-row-{ahmed.pk}".*?</tr>', listed, re.S).group(0)
    assert "Needs recalculation" in row
    before = client.get(url).content.decode()
    assert 'id="recalculation-banner"' in before
    assert "Mon 13 Oct 2025, period 1 (Mathematics) was corrected to Absent" in before
    assert "corrected to Absent" in before.split("Sessions charged")[1]
    assert ">Recalculate</button>" in before

    response = client.post(reverse("billing:recalculate", args=[ahmed.pk]), follow=True)

    after = response.content.decode()
    assert "recalculated: 2 sessions, 200.00 EGP." in after
    assert "100.00 EGP was paid beyond the new amount" in after
    assert 'id="recalculation-banner"' not in after
    assert "Needs recalculation" not in list_html(client)
    summary = after.split('id="bill-summary"')[1].split("</section>")[0]
    assert "Credit" in summary and "100.00 EGP" in summary
    assert "The overpayment is held as credit" in summary
    assert ">Paid</span>" in summary
    assert "Recalculated from attendance" in after
    ahmed.refresh_from_db()
    assert (ahmed.amount, ahmed.paid_amount, ahmed.credit) == (
        Decimal("200"),
        Decimal("300"),
        Decimal("100"),
    )


def test_the_banner_counts_new_attended_sessions_not_yet_billed(client, billed):
    billed.mark(1, datetime.date(2025, 10, 27))
    billed.mark(1, datetime.date(2025, 10, 28))
    client.force_login(billed.accountant)
    html = client.get(reverse("billing:bill", args=[bill_of(billed, 1).pk])).content.decode()
    assert "2 attended sessions of this period are not on the bill yet." in html


def test_recalculating_an_unpriced_group_says_why_and_changes_nothing(client, billed):
    ahmed = bill_of(billed, 0)
    record = billed.record(0, 0)
    record.status = Status.ABSENT
    record.save()
    billed.group.price_per_session = None
    billed.group.save()
    client.force_login(billed.accountant)
    response = client.post(reverse("billing:recalculate", args=[ahmed.pk]), follow=True)
    assert "was not recalculated: Math Level 1 has no price per session" in (
        response.content.decode()
    )
    ahmed.refresh_from_db()
    assert ahmed.amount == Decimal("300")


def test_recalculating_an_up_to_date_bill_says_so(client, billed):
    ahmed = bill_of(billed, 0)
    client.force_login(billed.accountant)
    response = client.post(reverse("billing:recalculate", args=[ahmed.pk]), follow=True)
    assert "is already up to date." in response.content.decode()


# --- the invoice ------------------------------------------------------------------------------


def test_the_invoice_has_what_a_printed_invoice_needs(client, billed):
    ahmed = bill_of(billed, 0)
    pay(billed, ahmed, "100")
    client.force_login(billed.accountant)
    html = client.get(reverse("billing:invoice", args=[ahmed.pk])).content.decode()
    assert "Nile Academy" in html
    assert f'Invoice <span class="invoice-number">{ahmed.number}</span>' in html
    assert "1 Oct 2025 – 31 Oct 2025" in html and "30 Nov 2025" in html
    assert "Ahmed Mohamed" in html and "STD-2025-001" in html and "MTH-L1-A" in html
    lines = html.split('class="invoice-lines"')[1].split("</table>")[0]
    assert lines.count("<tr>") == 4  # the heading and three sessions
    assert "3 sessions × 100.00 EGP" in html
    balance = html.split('class="invoice-balance"')[1].split("</div>")[0]
    assert "200.00 EGP" in balance
    assert "All amounts in EGP" in html
    assert '<button type="button" class="primary" data-print>Print</button>' in html
    assert "billing/bills.js" in html and "billing/bills.css" in html
    assert "onclick" not in html


# --- a student's own bills --------------------------------------------------------------------


def test_a_student_sees_only_their_own_bills_with_their_sessions(client, billed):
    client.force_login(billed.students[1].user)  # Sara: sessions 1 and 3
    response = client.get(reverse("billing:my_bills"))
    html = response.content.decode()
    assert response.status_code == 200
    assert numbers_listed(html) == [bill_of(billed, 1).number]
    assert "200.00 EGP" in html and "Pending" in html
    assert "2 sessions at 100.00 EGP" in html
    assert "Mon 6 Oct 2025, period 1" in html and "Mon 20 Oct 2025, period 1" in html
    assert "13 Oct" not in html


def test_my_bills_queries_do_not_grow_per_bill(client, billed, django_assert_num_queries):
    student = billed.students[0]
    client.force_login(student.user)
    # session · user · school · bills with status · their lines with records and subjects
    with django_assert_num_queries(5):
        client.get(reverse("billing:my_bills"))
    billed.mark(0, datetime.date(2025, 11, 3))
    generate(billed, start=datetime.date(2025, 11, 1), end=datetime.date(2025, 11, 30))
    with django_assert_num_queries(5):
        html = client.get(reverse("billing:my_bills")).content.decode()
    assert len(numbers_listed(html)) == 2


def test_a_student_reads_their_bill_and_invoice_but_cannot_pay_or_recalculate(client, billed):
    sara = billed.students[1]
    own = bill_of(billed, 1)
    client.force_login(sara.user)
    html = client.get(reverse("billing:bill", args=[own.pk])).content.decode()
    assert "Sessions charged (2)" in html
    assert "Record a payment" not in html and "Recalculate" not in html
    assert "History" not in html
    assert client.get(reverse("billing:invoice", args=[own.pk])).status_code == 200
    payment = client.post(
        reverse("billing:record_payment", args=[own.pk]),
        {"amount": "50", "paid_on": "2025-11-09", "method": "cash"},
    )
    assert payment.status_code == 403
    assert client.post(reverse("billing:recalculate", args=[own.pk])).status_code == 403
    assert Payment.objects.count() == 0


def test_another_students_bill_is_a_404_to_a_student(client, billed):
    client.force_login(billed.students[1].user)
    other = bill_of(billed, 0)
    assert client.get(reverse("billing:bill", args=[other.pk])).status_code == 404
    assert client.get(reverse("billing:invoice", args=[other.pk])).status_code == 404


# --- permissions and school isolation ---------------------------------------------------------


@pytest.mark.parametrize("role", [Role.TEACHER, Role.HOD])
def test_other_staff_are_refused_every_bills_page(client, billed, role):
    client.force_login(UserFactory(school=billed.school, role=role))
    bill = bill_of(billed, 0)
    for url in (
        reverse("billing:bills"),
        reverse("billing:bills_export", args=["csv"]),
        reverse("billing:bill", args=[bill.pk]),
        reverse("billing:invoice", args=[bill.pk]),
        reverse("billing:my_bills"),
    ):
        assert client.get(url).status_code == 403, url
    assert (
        client.post(
            reverse("billing:record_payment", args=[bill.pk]),
            {"amount": "50", "paid_on": "2025-11-09", "method": "cash"},
        ).status_code
        == 403
    )
    assert Payment.objects.count() == 0


def test_a_principal_reads_every_bill_but_records_nothing(client, billed):
    client.force_login(UserFactory(school=billed.school, role=Role.PRINCIPAL))
    bill = bill_of(billed, 0)
    assert len(numbers_listed(list_html(client))) == 3
    assert client.get(reverse("billing:bills_export", args=["csv"])).status_code == 200
    page = client.get(reverse("billing:bill", args=[bill.pk])).content.decode()
    assert bill.number in page
    assert reverse("billing:record_payment", args=[bill.pk]) not in page
    assert client.get(reverse("billing:invoice", args=[bill.pk])).status_code == 200
    assert (
        client.post(
            reverse("billing:record_payment", args=[bill.pk]),
            {"amount": "50", "paid_on": "2025-11-09", "method": "cash"},
        ).status_code
        == 403
    )
    assert client.post(reverse("billing:recalculate", args=[bill.pk])).status_code == 403
    assert Payment.objects.count() == 0


def test_a_student_cannot_open_the_schools_bills_list(client, billed):
    client.force_login(billed.students[0].user)
    assert client.get(reverse("billing:bills")).status_code == 403
    assert client.get(reverse("billing:bills_export", args=["csv"])).status_code == 403


def test_an_admin_works_like_an_accountant(client, billed):
    client.force_login(billed.admin)
    assert len(numbers_listed(list_html(client))) == 3
    bill = bill_of(billed, 0)
    response = client.post(
        reverse("billing:record_payment", args=[bill.pk]),
        {"amount": "50", "paid_on": "2025-11-09", "method": "cash"},
    )
    assert response.status_code == 302


def test_another_schools_bills_are_invisible_or_404(client, billed):
    elsewhere = make_seed_group(name="Elsewhere", code="ELS")  # a new school
    generate_bills(
        school_class=elsewhere.group, start=OCTOBER[0], end=OCTOBER[1], actor=elsewhere.accountant
    )
    foreign = Bill.objects.filter(school=elsewhere.school).first()
    client.force_login(billed.accountant)
    assert len(numbers_listed(list_html(client))) == 3
    assert numbers_listed(list_html(client, group=elsewhere.group.pk)) == []
    for url in (
        reverse("billing:bill", args=[foreign.pk]),
        reverse("billing:invoice", args=[foreign.pk]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("billing:record_payment", args=[foreign.pk]),
        {"amount": "50", "paid_on": "2025-11-09", "method": "cash"},
    )
    assert response.status_code == 404
    assert client.post(reverse("billing:recalculate", args=[foreign.pk])).status_code == 404
    rows = client.get(reverse("billing:bills_export", args=["csv"])).content.decode("utf-8-sig")
    assert "Elsewhere" not in rows
    assert Payment.objects.count() == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, billed):
    response = client.get(reverse("billing:bills"))
    assert response.status_code == 302 and "/login/" in response.url


def test_an_htmx_payment_after_the_session_ended_loads_the_sign_in_page(client, billed):
    bill = bill_of(billed, 0)
    page = reverse("billing:bill", args=[bill.pk])
    response = client.post(
        reverse("billing:record_payment", args=[bill.pk]),
        {"amount": "50", "paid_on": "2025-11-09", "method": "cash"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next={page.replace('/', '%2F')}"
    assert Payment.objects.count() == 0
