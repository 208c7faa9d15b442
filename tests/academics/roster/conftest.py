"""Fixtures of the roster import tests."""

import datetime

import pytest

from academics.models import School


@pytest.fixture
def autumn_2026(monkeypatch):
    """School-local today is 2026-11-21 (the demo's date), whatever the clock says."""
    monkeypatch.setattr(School, "today", lambda self: datetime.date(2026, 11, 21))
