"""Fixtures of the accountant's group page tests: the school's date pinned, an accountant
signed in."""

import datetime

import pytest

from academics.models import School


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
