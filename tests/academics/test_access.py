import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory

from academics.access import role_required
from academics.models import Role, User
from tests.academics.factories import UserFactory

pytestmark = pytest.mark.django_db


@role_required(Role.ADMIN, Role.TEACHER)
def staff_page(request):
    return HttpResponse("welcome")


def get(user, **headers):
    request = RequestFactory().get("/somewhere/", headers=headers)
    request.user = user
    return staff_page(request)


def test_a_listed_role_is_let_through():
    assert get(UserFactory(role=Role.TEACHER)).content == b"welcome"


def test_another_role_gets_the_403_page():
    response = get(UserFactory(role=Role.STUDENT))
    response.render()
    assert response.status_code == 403
    assert b"You do not have access to this page." in response.content


def test_a_json_client_gets_a_json_403():
    response = get(UserFactory(role=Role.ACCOUNTANT), Accept="application/json")
    assert response.status_code == 403
    assert json.loads(response.content) == {
        "success": False,
        "error": "You do not have access to this page.",
        "message": "You do not have access to this page.",
    }


def test_a_user_without_a_school_is_refused_even_as_admin_role():
    response = get(User.objects.create_user(username="loose", role=Role.ADMIN))
    assert response.status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in():
    response = get(AnonymousUser())
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/somewhere/")


def test_an_anonymous_json_client_gets_401():
    response = get(AnonymousUser(), Accept="application/json")
    assert response.status_code == 401
    assert json.loads(response.content)["success"] is False
