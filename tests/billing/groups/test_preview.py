"""A group's billing page (docs/design/billing.md, "Accountant's pages"): the period picker,
the preview of its bills and Generate."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from billing.models import Bill
from billing.services import generate_bills
from tests.academics.factories import (
    MembershipFactory,
)
from tests.billing.factories import BillFactory

from .helpers import HTMX, generate_october, html, text

pytestmark = pytest.mark.django_db


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
    assert "already bills this period (3 sessions); tick “Recalculate existing bills”" in page
    assert "updateExisting" not in page  # the API's key means nothing on the page
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


def test_a_month_that_has_not_started_cannot_be_billed(accountant, seed, today):
    """Today is 10 Nov 2025 (the `today` fixture): December has no sessions yet."""
    url = reverse("billing:generate", args=[seed.group.pk])
    response = accountant.post(url, {"month": "2025-12"}, **HTMX)
    assert "this period starts after today (10 Nov 2025)" in text(response)
    assert not Bill.objects.exists()
    # The month under way may be billed for what has taken place so far.
    assert accountant.post(url, {"month": "2025-11"}, **HTMX).status_code == 200


def test_after_generating_the_button_is_no_longer_the_primary_action(accountant, seed, today):
    url = reverse("billing:generate", args=[seed.group.pk])
    page = html(accountant.post(url, {"month": "2025-10"}, **HTMX))
    assert "Generated 3 new bills" in page
    button = re.search(r"<button[^>]*data-generate-button[^>]*>", page)[0]
    assert "primary" not in button
    first = html(
        accountant.get(reverse("billing:group", args=[seed.group.pk]), {"month": "2025-10"})
    )
    assert "primary" in re.search(r"<button[^>]*data-generate-button[^>]*>", first)[0]
