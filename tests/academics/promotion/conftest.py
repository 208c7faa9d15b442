"""Fixtures of the promotion tests in this package: `ns`, the promotion school
(tests/academics/conftest.py), and `admin`, a client signed in as its admin."""

import pytest


@pytest.fixture
def ns(promotion_school):
    return promotion_school


@pytest.fixture
def admin(client, ns):
    client.force_login(ns.admin)
    return client
