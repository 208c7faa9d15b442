"""Who may open the bills pages, and another school's bill (docs/design/roles.md)."""

import pytest
from django.urls import reverse

from academics.models import Role
from billing.models import Bill, Payment
from billing.services import generate_bills
from tests.academics.factories import UserFactory
from tests.billing.conftest import OCTOBER, make_seed_group

from .helpers import bill_of, list_html, numbers_listed

pytestmark = pytest.mark.django_db


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
    # The way back is the school's bills list, which a principal reads, not "My bills" (403).
    assert f'<a href="{reverse("billing:bills")}">← Bills</a>' in page
    assert reverse("billing:my_bills") not in page
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
