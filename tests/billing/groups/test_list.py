"""The accountant's groups list (docs/design/billing.md, "Accountant's pages"): the money filter,
the list with its search and pager, and the inline price edit."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.templatetags.billing import money
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
)
from tests.billing.factories import BillFactory

from .helpers import HTMX, generate_october, html, row, text

pytestmark = pytest.mark.django_db


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
