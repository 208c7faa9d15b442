"""The accountant's group pages (docs/design/billing.md, "Accountant's pages"): the groups list
with the inline price edit, a group's preview and Generate, its revenue dashboard."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from academics.models import Role, School
from attendance.models import Status
from billing.models import Bill
from billing.services import generate_bills, record_payment
from billing.templatetags.billing import money
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    StudentProfileFactory,
    UserFactory,
)
from tests.billing.factories import BillFactory

from .conftest import OCTOBER, make_seed_group

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def today(monkeypatch):
    """Pin the school's date (default 10 Nov 2025: October has ended, its bills, due
    30 Nov, are not overdue yet)."""

    def pin(day=datetime.date(2025, 11, 10)):
        monkeypatch.setattr(School, "today", lambda self: day)
        return day

    pin()
    return pin


@pytest.fixture
def accountant(client, seed):
    client.force_login(seed.accountant)
    return client


def html(response) -> str:
    return response.content.decode()


def text(response) -> str:
    """The response's visible text, tags removed and whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html(response)).split())


def row(response, element_id: str) -> str:
    match = re.search(rf'<tr id="{element_id}".*?</tr>', html(response), re.S)
    assert match, f"no row {element_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())


def generate_october(seed, **kwargs):
    return generate_bills(
        school_class=seed.group, start=OCTOBER[0], end=OCTOBER[1], actor=seed.accountant, **kwargs
    )


# --- the money filter ------------------------------------------------------------------------


def test_money_shows_two_decimals_thousands_and_the_currency():
    assert money(Decimal("1200"), "EGP") == "1,200.00 EGP"
    assert money(Decimal("99.5"), "USD") == "99.50 USD"
    assert money(Decimal("1234567.891")) == "1,234,567.89"
    assert money(Decimal("-50"), "EGP") == "-50.00 EGP"
    assert money(None, "EGP") == ""


# --- the groups list ---------------------------------------------------------------------------


def test_groups_list_shows_price_members_bills_and_links(accountant, seed, today):
    generate_october(seed)
    unpriced = SchoolClassFactory(school=seed.school, name="Physics 2", price_per_session=None)

    response = accountant.get(reverse("billing:groups"))

    assert response.status_code == 200
    maths = row(response, f"group-{seed.group.pk}")
    assert "Math Level 1" in maths and "MTH-L1-A" in maths
    assert "100.00 EGP" in maths
    assert re.search(r"100\.00 EGP Edit 3 3 Bill Revenue", maths)  # price, members, bills
    assert "No price — cannot be billed" in row(response, f"group-{unpriced.pk}")
    page = html(response)
    assert f'href="{reverse("billing:group", args=[seed.group.pk])}"' in page
    assert f'href="{reverse("billing:revenue", args=[seed.group.pk])}"' in page


def test_members_count_leaves_out_students_who_have_left(accountant, seed, today):
    membership = seed.group.memberships.get(student=seed.students[2])
    membership.left_on = datetime.date(2025, 10, 31)
    membership.save()
    response = accountant.get(reverse("billing:groups"))
    assert re.search(r"Edit 2 0 Bill", row(response, f"group-{seed.group.pk}"))


def test_search_finds_groups_by_name_or_code_and_hides_inactive_ones(accountant, seed):
    physics = SchoolClassFactory(school=seed.school, name="Physics 2", code="PHY-2")
    old = SchoolClassFactory(school=seed.school, name="Physics 1 (2024)", is_active=False)

    by_name = accountant.get(reverse("billing:groups"), {"q": "physics"})
    by_code = accountant.get(reverse("billing:groups"), {"q": "mth-l1"})
    with_inactive = accountant.get(reverse("billing:groups"), {"q": "physics", "inactive": "on"})

    assert f"group-{physics.pk}" in html(by_name)
    assert f"group-{seed.group.pk}" not in html(by_name)
    assert f"group-{old.pk}" not in html(by_name)  # inactive: hidden by default
    assert f"group-{seed.group.pk}" in html(by_code)
    assert f"group-{physics.pk}" not in html(by_code)
    assert f"group-{old.pk}" in html(with_inactive)
    assert "inactive" in row(with_inactive, f"group-{old.pk}")
    nothing = accountant.get(reverse("billing:groups"), {"q": "chemistry"})
    assert "No group matches “chemistry”." in text(nothing)


def test_search_by_htmx_answers_the_table_only(accountant, seed):
    response = accountant.get(reverse("billing:groups"), {"q": "math"}, **HTMX)
    assert html(response).lstrip().startswith('<section id="groups-table"')
    assert f"group-{seed.group.pk}" in html(response)


def test_the_pager_shows_fifty_groups_a_page_and_keeps_the_search(accountant, seed):
    for n in range(55):
        SchoolClassFactory(school=seed.school, name=f"Tutoring {n:02d}")

    first = accountant.get(reverse("billing:groups"), {"q": "tutoring"})
    second = accountant.get(reverse("billing:groups"), {"q": "tutoring", "page": 2})

    assert html(first).count("data-price-row") == 50
    assert "Page 1 of 2" in text(first)
    assert 'href="?q=tutoring&amp;page=2"' in html(first)
    assert html(second).count("data-price-row") == 5
    assert "Tutoring 54" in text(second)


def test_the_list_query_count_does_not_grow_with_the_groups(
    client, seed, today, django_assert_max_num_queries
):
    generate_october(seed)
    client.force_login(seed.accountant)

    def queries() -> int:
        # session, user, school, the paginator's count, the page of groups with their
        # members and bills counted in subqueries
        with django_assert_max_num_queries(5) as captured:
            assert client.get(reverse("billing:groups")).status_code == 200
        return len(captured)

    few = queries()
    for n in range(12):
        group = SchoolClassFactory(
            school=seed.school, name=f"Extra {n}", price_per_session=Decimal("50")
        )
        MembershipFactory(school_class=group)
        BillFactory(school_class=group, school=seed.school, student=seed.students[0])
    many = queries()
    assert html(client.get(reverse("billing:groups"))).count("data-price-row") == 13
    assert few == many


# --- the inline price edit --------------------------------------------------------------------


def test_edit_opens_an_input_in_the_row(accountant, seed):
    response = accountant.get(
        reverse("billing:edit_price", args=[seed.group.pk]), {"next": "/billing/?q=math"}, **HTMX
    )
    page = html(response)
    assert page.lstrip().startswith(f'<tr id="group-{seed.group.pk}"')
    assert 'name="price_per_session" value="100.00"' in page
    assert f'hx-post="{reverse("billing:edit_price", args=[seed.group.pk])}"' in page
    assert 'value="/billing/?q=math"' in page  # the no-JS fallback goes back to the search


def test_saving_a_price_answers_the_saved_row(accountant, seed):
    response = accountant.post(
        reverse("billing:edit_price", args=[seed.group.pk]),
        {"price_per_session": "150.5", "next": "/billing/"},
        **HTMX,
    )
    assert response.status_code == 200
    saved = row(response, f"group-{seed.group.pk}")
    assert "150.50 EGP" in saved
    assert "price_per_session" not in html(response)  # the input is gone
    assert "Price of Math Level 1 set to 150.50 EGP." in html(response)  # the status line
    seed.group.refresh_from_db()
    assert seed.group.price_per_session == Decimal("150.50")
    assert seed.group.updated_by == seed.accountant


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "A price per session cannot be negative."),
        ("10.555", "Enter the price to the cent, e.g. 100 or 99.50."),
        ("ten", "Enter a price such as 100 or 99.50."),
        ("123456789", "A price per session can be at most 99,999,999.99."),
    ],
)
def test_a_refused_price_keeps_the_input_with_the_message(accountant, seed, value, message):
    response = accountant.post(
        reverse("billing:edit_price", args=[seed.group.pk]),
        {"price_per_session": value, "next": "/billing/"},
        **HTMX,
    )
    assert response.status_code == 200
    page = html(response)
    assert message in page
    assert f'name="price_per_session" value="{value}"' in page
    assert 'aria-invalid="true"' in page
    seed.group.refresh_from_db()
    assert seed.group.price_per_session == Decimal("100")


def test_a_blank_price_clears_it_and_the_group_cannot_be_billed(accountant, seed):
    response = accountant.post(
        reverse("billing:edit_price", args=[seed.group.pk]),
        {"price_per_session": "", "next": "/billing/"},
        **HTMX,
    )
    assert "No price — cannot be billed" in row(response, f"group-{seed.group.pk}")
    seed.group.refresh_from_db()
    assert seed.group.price_per_session is None


def test_cancel_restores_the_row_as_saved(accountant, seed):
    url = reverse("billing:price_row", args=[seed.group.pk])
    response = accountant.get(url, {"next": "/billing/"}, **HTMX)
    assert "100.00 EGP Edit" in row(response, f"group-{seed.group.pk}")
    assert "price_per_session" not in html(response)
    plain = accountant.get(url, {"next": "/billing/?q=math"})
    assert plain.status_code == 302 and plain["Location"] == "/billing/?q=math"


def test_the_no_js_price_page_saves_and_goes_back(accountant, seed):
    url = reverse("billing:edit_price", args=[seed.group.pk])
    page = accountant.get(url, {"next": "/billing/?q=math"})
    assert page.status_code == 200
    assert "<html" in html(page) and "Price per session" in text(page)

    refused = accountant.post(url, {"price_per_session": "-1", "next": "/billing/?q=math"})
    assert refused.status_code == 200
    assert "A price per session cannot be negative." in html(refused)

    saved = accountant.post(url, {"price_per_session": "120", "next": "/billing/?q=math"})
    assert saved.status_code == 302 and saved["Location"] == "/billing/?q=math"
    followed = accountant.get(saved["Location"])
    assert "Price of Math Level 1 set to 120.00 EGP." in text(followed)


def test_the_no_js_page_never_goes_back_to_another_site(accountant, seed):
    url = reverse("billing:edit_price", args=[seed.group.pk])
    saved = accountant.post(url, {"price_per_session": "120", "next": "https://evil.example/"})
    assert saved["Location"] == reverse("billing:groups")


# --- a group's billing page: preview -------------------------------------------------------


def test_the_preview_shows_the_seeds_workflow_300_200_200(accountant, seed, today):
    response = accountant.get(reverse("billing:group", args=[seed.group.pk]), {"month": "2025-10"})

    assert response.status_code == 200
    page = text(response)
    assert "Preview · 1 Oct 2025 – 31 Oct 2025" in page
    rows = {
        name: " ".join(re.sub(r"<[^>]+>", " ", body).split())
        for name, body in re.findall(
            r'<tr data-student="\d+">\s*<th scope="row">([^<]+)</th>(.*?)</tr>',
            html(response),
            re.S,
        )
    }
    assert rows["Ahmed Mohamed"].startswith("STD-2025-001 3 100.00 EGP 300.00 EGP — New bill")
    assert rows["Sara Hassan"].startswith("STD-2025-002 2 100.00 EGP 200.00 EGP")
    assert rows["Mohamed Ali"].startswith("STD-2025-003 2 100.00 EGP 200.00 EGP")
    assert "Total 7 700.00 EGP" in page
    assert re.search(
        r'data-summary="sessions">3<.*data-summary="students">3<.*'
        r'data-summary="active">3<.*data-summary="revenue">700\.00 EGP<',
        html(response),
        re.S,
    )
    assert "Generate bills for 1 Oct 2025 – 31 Oct 2025" in page
    assert Bill.objects.count() == 0  # previewing writes nothing


def test_sessions_billed_by_an_overlapping_period_are_shown_not_charged(accountant, seed, today):
    generate_bills(
        school_class=seed.group,
        start=datetime.date(2025, 10, 1),
        end=datetime.date(2025, 10, 15),
        actor=seed.accountant,
    )
    response = accountant.get(reverse("billing:group", args=[seed.group.pk]), {"month": "2025-10"})
    ahmed = re.search(
        rf'<tr data-student="{seed.students[0].pk}">.*?</tr>', html(response), re.S
    ).group(0)
    # Ahmed: 3 present in October, 2 of them on the 1–15 Oct bill → 1 session, 100.00
    assert " ".join(re.sub(r"<[^>]+>", " ", ahmed).split()).startswith(
        "Ahmed Mohamed STD-2025-001 1 100.00 EGP 100.00 EGP 2 New bill"
    )
    assert "Total 3 300.00 EGP 4" in text(response)


def test_the_preview_query_count_does_not_grow_with_the_students(
    client, seed, today, django_assert_max_num_queries
):
    generate_october(seed)
    client.force_login(seed.accountant)
    url = reverse("billing:group", args=[seed.group.pk])

    def queries() -> int:
        # session, user, the group; calculate_bills' memberships, bills, lines, records,
        # students, sessions held; the bills' status; the top bar's school
        with django_assert_max_num_queries(11) as captured:
            assert client.get(url, {"month": "2025-10"}).status_code == 200
        return len(captured)

    few = queries()
    for n in range(10):
        membership = MembershipFactory(school_class=seed.group, joined_on=datetime.date(2025, 9, 1))
        seed.mark(0, datetime.date(2025, 10, 27), period=n + 2)  # more sessions held
        BillFactory(school_class=seed.group, school=seed.school, student=membership.student)
    many = queries()
    assert html(client.get(url, {"month": "2025-10"})).count("data-student=") == 13
    assert few == many


def test_the_default_period_is_the_last_month_that_has_ended(accountant, seed, today):
    response = accountant.get(reverse("billing:group", args=[seed.group.pk]))
    assert 'name="month" id="id_month" value="2025-10"' in html(response)
    assert "Preview · 1 Oct 2025 – 31 Oct 2025" in text(response)
    today(datetime.date(2025, 12, 3))
    later = accountant.get(reverse("billing:group", args=[seed.group.pk]))
    assert "Preview · 1 Nov 2025 – 30 Nov 2025" in text(later)
    assert "No students" not in text(later)  # still members, with no sessions
    assert "No sessions: no bill" in text(later)


def test_a_date_range_filters_the_sessions(accountant, seed, today):
    response = accountant.get(
        reverse("billing:group", args=[seed.group.pk]), {"start": "2025-10-01", "end": "2025-10-15"}
    )
    page = text(response)
    assert "Preview · 1 Oct 2025 – 15 Oct 2025" in page
    assert "Total 4 400.00 EGP" in page  # Ahmed 2, Sara 1, Mohamed 1
    assert 'name="start" value="2025-10-01"' in html(response)  # Generate bills the range


def test_the_preview_by_htmx_answers_the_panel_and_moves_the_address(accountant, seed, today):
    response = accountant.get(
        reverse("billing:preview", args=[seed.group.pk]), {"month": "2025-10"}, **HTMX
    )
    assert html(response).lstrip().startswith('<section id="billing-panel"')
    assert "700.00 EGP" in html(response)
    assert response["HX-Push-Url"] == reverse("billing:group", args=[seed.group.pk]) + (
        "?month=2025-10"
    )
    plain = accountant.get(reverse("billing:preview", args=[seed.group.pk]), {"month": "2025-10"})
    assert plain.status_code == 302
    assert plain["Location"] == reverse("billing:group", args=[seed.group.pk]) + "?month=2025-10"


def test_a_reversed_range_is_shown_beside_the_fields(accountant, seed, today):
    response = accountant.get(
        reverse("billing:group", args=[seed.group.pk]), {"start": "2025-10-31", "end": "2025-10-01"}
    )
    assert response.status_code == 200
    assert re.search(
        r'id="end-error" class="error small" role="alert">The end date is before the start date',
        html(response),
    )
    assert "Preview ·" not in text(response)
    assert "data-generate-form" not in html(response)


def test_a_range_needs_both_ends_and_a_bad_month_is_refused(accountant, seed, today):
    half = accountant.get(reverse("billing:group", args=[seed.group.pk]), {"start": "2025-10-01"})
    assert "Enter the last day of the period." in html(half)
    month = accountant.get(reverse("billing:group", args=[seed.group.pk]), {"month": "2025-13"})
    assert re.search(r'id="month-error"[^>]*>Enter a month as YYYY-MM', html(month))


def test_an_unpriced_group_shows_the_error_and_no_generate_button(accountant, seed, today):
    seed.group.price_per_session = None
    seed.group.save()
    response = accountant.get(reverse("billing:group", args=[seed.group.pk]), {"month": "2025-10"})
    page = text(response)
    assert "Math Level 1 has no price per session, so it cannot be billed." in page
    assert "data-generate-form" not in html(response)
    assert "Set the price per session of Math Level 1" in page


# --- generate ---------------------------------------------------------------------------------


def test_generate_creates_the_bills_and_shows_the_result(accountant, seed, today):
    response = accountant.post(
        reverse("billing:generate", args=[seed.group.pk]), {"month": "2025-10"}
    )
    assert response.status_code == 200
    page = text(response)
    assert "Generated 3 new bills, updated 0, skipped 0" in page
    assert "700.00 EGP billed in these bills" in page
    bills = {b.student.user.first_name: b for b in Bill.objects.select_related("student__user")}
    assert {name: bill.amount for name, bill in bills.items()} == {
        "Ahmed": Decimal("300"),
        "Sara": Decimal("200"),
        "Mohamed": Decimal("200"),
    }
    created = re.search(r'data-result="created">(.*?)</ul>', html(response), re.S).group(1)
    assert f'href="{reverse("billing:bill", args=[bills["Ahmed"].pk])}"' in created
    assert "Ahmed Mohamed: 3 sessions, 300.00 EGP" in " ".join(
        re.sub(r"<[^>]+>", " ", created).split()
    )
    # the preview below now shows each student's bill with its status
    assert re.search(rf"{bills['Sara'].number}\s*</a>\s*<span[^>]*>Pending</span>", html(response))


def test_a_second_press_skips_with_the_reason(accountant, seed, today):
    url = reverse("billing:generate", args=[seed.group.pk])
    accountant.post(url, {"month": "2025-10"})
    again = accountant.post(url, {"month": "2025-10"}, **HTMX)

    assert html(again).lstrip().startswith('<section id="billing-panel"')
    page = text(again)
    assert "Generated 0 new bills, updated 0, skipped 3" in page
    assert "already bills this period (3 sessions)" in page
    assert Bill.objects.count() == 3


def test_recalculate_existing_bills_updates_the_changed_one(accountant, seed, today):
    url = reverse("billing:generate", args=[seed.group.pk])
    accountant.post(url, {"month": "2025-10"})
    seed.mark(1, datetime.date(2025, 10, 27))  # Sara attends one more session

    response = accountant.post(url, {"month": "2025-10", "update_existing": "on"})

    page = text(response)
    assert "Generated 0 new bills, updated 1, skipped 2" in page
    assert "Sara Hassan: now 3 sessions, 300.00 EGP" in page
    assert "is already up to date" in page
    assert Bill.objects.get(student=seed.students[1]).amount == Decimal("300")
    assert 'id="id_update_existing" checked' in html(response)


def test_generate_bills_the_range_that_was_previewed(accountant, seed, today):
    accountant.post(
        reverse("billing:generate", args=[seed.group.pk]),
        {"start": "2025-10-01", "end": "2025-10-15"},
    )
    assert sorted(Bill.objects.values_list("amount", flat=True)) == [
        Decimal("100"),
        Decimal("100"),
        Decimal("200"),
    ]
    assert set(Bill.objects.values_list("period_end", flat=True)) == {datetime.date(2025, 10, 15)}


def test_generating_an_unpriced_group_shows_the_error_and_writes_nothing(accountant, seed, today):
    seed.group.price_per_session = None
    seed.group.save()
    response = accountant.post(
        reverse("billing:generate", args=[seed.group.pk]), {"month": "2025-10"}, **HTMX
    )
    assert response.status_code == 200
    page = text(response)
    assert "Nothing was generated." in page
    assert "has no price per session, so it cannot be billed" in page
    assert Bill.objects.count() == 0


def test_generating_a_reversed_range_shows_the_error_and_writes_nothing(accountant, seed, today):
    response = accountant.post(
        reverse("billing:generate", args=[seed.group.pk]),
        {"start": "2025-10-31", "end": "2025-10-01"},
    )
    assert response.status_code == 200
    assert "The end date is before the start date." in html(response)
    assert Bill.objects.count() == 0


def test_generate_is_post_only(accountant, seed):
    assert accountant.get(reverse("billing:generate", args=[seed.group.pk])).status_code == 405


def test_the_generate_button_is_disabled_while_the_request_runs(accountant, seed, today):
    response = accountant.get(reverse("billing:group", args=[seed.group.pk]), {"month": "2025-10"})
    form = re.search(r"<form[^>]*data-generate-form[^>]*>", html(response), re.S).group(0)
    assert "hx-disabled-elt=\"find button[type='submit']\"" in form
    assert 'hx-sync="this:drop"' in form


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


# --- permissions and school isolation ------------------------------------------------------


def group_urls(group_id: int) -> list[str]:
    return [
        reverse("billing:groups"),
        reverse("billing:edit_price", args=[group_id]),
        reverse("billing:price_row", args=[group_id]),
        reverse("billing:group", args=[group_id]),
        reverse("billing:preview", args=[group_id]),
        reverse("billing:revenue", args=[group_id]),
    ]


@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT, Role.PRINCIPAL, Role.HOD])
def test_other_roles_are_refused(client, seed, role):
    client.force_login(UserFactory(school=seed.school, role=role))
    for url in group_urls(seed.group.pk):
        # A principal reads everything in the school (DOMAIN.md): the revenue page, no more.
        expected = 200 if role == Role.PRINCIPAL and url.endswith("/revenue/") else 403
        assert client.get(url).status_code == expected, url
    generate = client.post(reverse("billing:generate", args=[seed.group.pk]), {"month": "2025-10"})
    price = client.post(
        reverse("billing:edit_price", args=[seed.group.pk]), {"price_per_session": "1"}
    )
    assert generate.status_code == 403
    assert price.status_code == 403
    assert Bill.objects.count() == 0
    seed.group.refresh_from_db()
    assert seed.group.price_per_session == Decimal("100")


def test_an_admin_may_use_the_pages(client, seed, today):
    client.force_login(seed.admin)
    for url in group_urls(seed.group.pk):
        response = client.get(url, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, url


def test_another_schools_group_is_not_found(client, seed, today):
    other = make_seed_group(SchoolFactory(name="Delta School", code="DELTA"))
    client.force_login(seed.accountant)
    for url in group_urls(other.group.pk)[1:]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("billing:generate", args=[other.group.pk]), {"month": "2025-10"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("billing:edit_price", args=[other.group.pk]), {"price_per_session": "1"}
        ).status_code
        == 404
    )
    assert Bill.objects.count() == 0
    other.group.refresh_from_db()
    assert other.group.price_per_session == Decimal("100")
    listed = client.get(reverse("billing:groups"))
    assert f"group-{other.group.pk}" not in html(listed)


def test_signed_out_visitors_go_to_sign_in(client, seed):
    response = client.get(reverse("billing:group", args=[seed.group.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_signed_out_htmx_request_signs_in_as_a_whole_page(client, seed):
    page = "http://testserver/billing/?q=math"
    response = client.get(
        reverse("billing:edit_price", args=[seed.group.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=page,
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next=%2Fbilling%2F%3Fq%3Dmath"
    elsewhere = client.post(
        reverse("billing:generate", args=[seed.group.pk]),
        {"month": "2025-10"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="https://evil.example/x",
    )
    assert elsewhere["HX-Redirect"] == f"{reverse('login')}?next=%2Fbilling%2F"
    assert Bill.objects.count() == 0


def test_a_principal_reads_the_revenue_page_without_the_billing_link(client, seed):
    client.force_login(UserFactory(school=seed.school, role=Role.PRINCIPAL))
    page = client.get(reverse("billing:revenue", args=[seed.group.pk])).content.decode()
    assert "Math Level 1" in page
    assert f'href="{reverse("billing:group", args=[seed.group.pk])}"' not in page
