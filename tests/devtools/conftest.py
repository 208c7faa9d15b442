"""The clock for the devtools tests.

The demo and the load commands build around today (the school days before it, the day
left for the teacher, the last month that has ended), and the attendance code checks what
they write against the real today (the edit window, future dates). So a test that builds
for a fixed date sets the clock to it: what is built and what is checked then agree on
any day the suite runs.
"""

import datetime

import pytest
import time_machine

# A Wednesday in term time, at noon UTC: the same date in every school's time zone here.
DEMO_NOW = datetime.datetime(2026, 11, 18, 12, 0, tzinfo=datetime.UTC)
DEMO_TODAY = DEMO_NOW.date()


@pytest.fixture
def clock():
    """The clock stands still at DEMO_NOW for the test."""
    with time_machine.travel(DEMO_NOW, tick=False) as traveller:
        yield traveller
