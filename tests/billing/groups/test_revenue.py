"""A group's revenue dashboard (docs/design/billing.md, "Group Revenue Summary"): the
figures, counts by status, the chart and the group's bills."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from attendance.models import Status
from billing.models import Bill
from billing.services import generate_bills, record_payment
from tests.academics.factories import (
    StudentProfileFactory,
)
from tests.billing.factories import BillFactory

from .helpers import HTMX, generate_october, html, text

pytestmark = pytest.mark.django_db


# --- revenue ----------------------------------------------------------------------------------


def test_revenue_after_a_partial_payment(accountant, seed, today):
    generate_october(seed)
    ahmed = Bill.objects.get(student=seed.students[0])
    record_payment(
        bill=ahmed,
        amount=Decimal("100"),
        paid_on=datetime.date(2025, 11, 5),
        method="cash",
        received_by=seed.accountant,
    )

    response = accountant.get(reverse("billing:revenue", args=[seed.group.pk]))

    assert response.status_code == 200
    page = html(response)
    assert 'data-revenue="expected">700.00 EGP<' in page
    assert 'data-revenue="collected">100.00 EGP<' in page
    assert 'data-revenue="pending">600.00 EGP<' in page
    assert 'data-revenue="credit"' not in page  # no credit to show
    assert 'data-revenue="bills">3<' in page
    assert 'data-revenue="sessions">7<' in page
    counts = dict(re.findall(r'data-status="(\w+)">.*?<strong>(\d+)</strong>', page))
    assert counts == {"pending": "2", "partial": "1", "paid": "0", "overdue": "0"}
    bills = reverse("billing:bills")
    assert f'href="{bills}?group={seed.group.pk}&amp;status=partial"' in page
    assert f'href="{bills}?group={seed.group.pk}&amp;status=pending"' in page


def test_status_counts_show_paid_and_overdue(accountant, seed, today):
    generate_october(seed)
    sara = Bill.objects.get(student=seed.students[1])
    record_payment(
        bill=sara,
        amount=Decimal("200"),
        paid_on=datetime.date(2025, 11, 5),
        method="cash",
        received_by=seed.accountant,
    )
    today(datetime.date(2025, 12, 15))  # past the due date of 30 Nov

    response = accountant.get(reverse("billing:revenue", args=[seed.group.pk]))

    counts = dict(re.findall(r'data-status="(\w+)">.*?<strong>(\d+)</strong>', html(response)))
    assert counts == {"pending": "0", "partial": "0", "paid": "1", "overdue": "2"}


def test_a_credit_after_recalculation_is_shown(accountant, seed, today):
    generate_october(seed)
    ahmed = Bill.objects.get(student=seed.students[0])
    record_payment(
        bill=ahmed,
        amount=Decimal("300"),
        paid_on=datetime.date(2025, 11, 5),
        method="cash",
        received_by=seed.accountant,
    )
    record = seed.record(0, 2)
    record.status = Status.ABSENT
    record.save()
    generate_october(seed, update_existing=True)

    response = accountant.get(reverse("billing:revenue", args=[seed.group.pk]))
    assert 'data-revenue="credit">100.00 EGP<' in html(response)
    assert re.search(r"credit 100\.00 EGP", text(response))


def test_the_chart_has_the_months_figures(accountant, seed, today):
    generate_october(seed)
    record_payment(
        bill=Bill.objects.get(student=seed.students[0]),
        amount=Decimal("100"),
        paid_on=datetime.date(2025, 11, 5),
        method="cash",
        received_by=seed.accountant,
    )
    generate_bills(
        school_class=seed.group,
        start=datetime.date(2025, 9, 1),
        end=datetime.date(2025, 9, 30),
        actor=seed.accountant,
    )  # no sessions in September: nothing billed, no bar
    seed.mark(0, datetime.date(2025, 11, 3))
    today(datetime.date(2025, 12, 2))
    generate_bills(
        school_class=seed.group,
        start=datetime.date(2025, 11, 1),
        end=datetime.date(2025, 11, 30),
        actor=seed.accountant,
    )

    response = accountant.get(reverse("billing:revenue", args=[seed.group.pk]))

    page = html(response)
    svg = re.search(r'<svg class="bl-chart".*?</svg>', page, re.S).group(0)
    assert 'role="img"' in svg
    assert "<title" in svg and "<desc" in svg
    assert re.findall(r'data-month="([\d-]+)"', svg) == ["2025-10", "2025-11"]
    assert "October 2025: expected 700.00 EGP" in svg
    assert "October 2025: collected 100.00 EGP" in svg
    assert "November 2025: expected 100.00 EGP" in svg
    # the taller expected bar of October is the chart's full height (700 → top line 1,000)
    october = re.search(r'data-month="2025-10">(.*?)</g>', svg, re.S).group(1)
    heights = [float(h) for h in re.findall(r'height="([\d.]+)"', october)]
    assert heights[0] > heights[1] > 0  # expected 700 above collected 100
    # the numbers, for screen readers and anyone who wants them
    assert re.search(
        r"October 2025 700\.00 EGP 100\.00 EGP November 2025 100\.00 EGP 0\.00 EGP", text(response)
    )


def test_a_group_without_bills_has_no_chart(accountant, seed, today):
    response = accountant.get(reverse("billing:revenue", args=[seed.group.pk]))
    assert "<svg" not in html(response)
    assert "No bills yet" in text(response)
    assert 'data-revenue="expected">0.00 EGP<' in html(response)


def test_the_bills_table_filters_by_status_and_flags_recalculation(accountant, seed, today):
    generate_october(seed)
    ahmed = Bill.objects.get(student=seed.students[0])
    record_payment(
        bill=ahmed,
        amount=Decimal("100"),
        paid_on=datetime.date(2025, 11, 5),
        method="cash",
        received_by=seed.accountant,
    )
    record = seed.record(2, 1)  # Mohamed's P of 13 Oct corrected to absent
    record.status = Status.ABSENT
    record.save()
    url = reverse("billing:revenue", args=[seed.group.pk])

    everything = accountant.get(url)
    partial = accountant.get(url, {"status": "partial"}, **HTMX)

    assert html(everything).count("data-bill=") == 3
    mohamed = Bill.objects.get(student=seed.students[2])
    mohamed_row = re.search(rf'<tr data-bill="{mohamed.pk}">.*?</tr>', html(everything), re.S)
    assert "Needs recalculation" in mohamed_row.group(0)
    assert html(everything).count("Needs recalculation") == 1
    assert html(partial).lstrip().startswith('<section id="bills-table"')
    assert html(partial).count("data-bill=") == 1
    assert f'data-bill="{ahmed.pk}"' in html(partial)
    assert "Partially paid" in text(partial)
    assert "100.00 EGP 200.00 EGP" in text(partial)  # paid, remaining


def test_the_revenue_query_count_does_not_grow_with_the_bills(
    client, seed, today, django_assert_max_num_queries
):
    generate_october(seed)
    client.force_login(seed.accountant)
    url = reverse("billing:revenue", args=[seed.group.pk])

    def queries() -> int:
        # session, user, the group (with school and subject); the totals, counts by
        # status, months, members; the paginator's count, the page of bills (with their
        # status and student); the signed-in user's school in the top bar
        with django_assert_max_num_queries(11) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for n in range(10):
        BillFactory(
            school_class=seed.group,
            school=seed.school,
            student=StudentProfileFactory(school=seed.school),
            period_start=datetime.date(2025, 9, 1),
            period_end=datetime.date(2025, 9, 30),
            paid_amount=Decimal(n * 10),
        )
    many = queries()
    assert html(client.get(url)).count("data-bill=") == 13
    assert few == many
