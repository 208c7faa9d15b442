"""Fixtures of the billing JSON API tests: the school's date pinned, an accountant signed in."""

import datetime

import pytest

from academics.models import School


@pytest.fixture
def today(monkeypatch):
    """Freeze the schools' "today" (bill status and payment dates depend on it): call with
    a date. Defaults to 10 Nov 2025, before October's bills fall due on 30 Nov."""

    def set_today(day: datetime.date) -> None:
        monkeypatch.setattr(School, "today", lambda self: day)

    set_today(datetime.date(2025, 11, 10))
    return set_today


@pytest.fixture
def accountant(client, seed, today):
    client.force_login(seed.accountant)
    return client
