"""A NUL byte in a query string is a 400 on every page, the admin's change-list filters
included (PostgreSQL refuses NUL in a string literal: those were 500s)."""

import pytest
from django.urls import reverse

from academics.models import Role

from .academics.factories import SchoolFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/admin/attendance/attendancerecord/?status=%00",
        "/admin/academics/enrollment/?status=P%00",
        "/admin/credits/makeuplesson/?status%00=booked",
        "/billing/bills/?q=%00",
        "/attendance/list/?school_class=1%00",
    ],
)
def test_a_nul_in_a_query_string_is_a_400(client, path):
    client.force_login(UserFactory(school=SchoolFactory(), role=Role.ADMIN))
    response = client.get(path)
    assert response.status_code == 400
    assert "NUL character" in response.text


def test_a_json_client_gets_json(client):
    client.force_login(UserFactory(school=SchoolFactory(), role=Role.ACCOUNTANT))
    response = client.get(
        reverse("billing:bills") + "?month=%00", headers={"accept": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["success"] is False


def test_an_ordinary_query_string_goes_through(client):
    client.force_login(UserFactory(school=SchoolFactory(), role=Role.ADMIN))
    assert client.get("/admin/attendance/attendancerecord/?status=P").status_code == 200
