"""Who may open the accountant's group pages, and another school's group
(docs/design/roles.md)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from academics.models import Role
from billing.models import Bill
from tests.academics.factories import (
    SchoolFactory,
    UserFactory,
)
from tests.billing.conftest import make_seed_group

from .helpers import html

pytestmark = pytest.mark.django_db


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
