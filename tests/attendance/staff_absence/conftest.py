"""Fixtures for the staff-absent lifecycle tests (docs/design/attendance.md)."""

import pytest

from .support import (
    Setting,
)


@pytest.fixture
def setting():
    return Setting()
