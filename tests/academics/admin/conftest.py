"""A school and another one, each with one row of every model, and their admins."""

import pytest

from academics.models import Role
from tests.academics.factories import SchoolFactory, UserFactory

from .helpers import populate


@pytest.fixture
def school():
    return SchoolFactory(name="Nile Academy")


@pytest.fixture
def rows(school):
    return populate(school)


@pytest.fixture
def other_rows():
    return populate(SchoolFactory(name="Other School"))


@pytest.fixture
def school_admin(school):
    return UserFactory(school=school, role=Role.ADMIN, is_staff=True, username="office")


@pytest.fixture
def superuser():
    return UserFactory(
        school=None, role=Role.ADMIN, is_staff=True, is_superuser=True, username="root"
    )
