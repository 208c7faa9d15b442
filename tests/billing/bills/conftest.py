"""Fixtures of the bills page tests: the school's date pinned (every test), October billed."""

import pytest

from academics.models import School
from tests.billing.bills.helpers import TODAY, generate


@pytest.fixture(autouse=True)
def today(monkeypatch):
    """Every school's today is TODAY, whatever the machine's clock says; a test moves it
    with `today.set(...)`."""

    class Clock:
        value = TODAY

        def set(self, day):
            self.value = day

    clock = Clock()
    monkeypatch.setattr(School, "today", lambda school: clock.value)
    return clock


@pytest.fixture
def billed(seed):
    """The seed's October bills: Ahmed 300, Sara 200, Mohamed 200 (all pending)."""
    generate(seed)
    return seed
