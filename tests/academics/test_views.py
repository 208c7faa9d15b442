import pytest
from django.urls import reverse

from academics.models import Role, User
from tests.academics.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "screen"),
    [
        (Role.TEACHER, "attendance:my_periods"),
        (Role.HOD, "attendance:my_periods"),
        (Role.ADMIN, "attendance:list"),
        (Role.PRINCIPAL, "attendance:list"),
        (Role.ACCOUNTANT, "attendance:list"),
        (Role.STUDENT, "attendance:list"),
    ],
)
def test_each_role_starts_on_the_screen_it_uses_most(client, role, screen):
    client.force_login(UserFactory(role=role))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse(screen)


def test_a_user_without_a_school_is_told_so(client):
    client.force_login(User.objects.create_user(username="loose", role=Role.TEACHER))
    assert "not attached to a school" in client.get(reverse("home")).content.decode()


def test_a_superuser_without_a_school_goes_to_the_admin(client):
    client.force_login(User.objects.create_superuser(username="root", password="x" * 12))
    assert client.get(reverse("home")).url == reverse("admin:index")


def test_visitors_sign_in_first(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
