"""The demo behind `manage.py load_demo`: a school, a login for every role, a few weeks of roll,
then billing's and make-up credits' parts.

The school is the Clever sandbox district when its folder (`settings.ROLLBOOK_DEMO_ROSTER`)
exists — imported through `academics.services.roster_import` with its 2015-16 dates moved
to the current school year (`dates`) — and otherwise a small generated school (`school`).
In the summer gap the current year is the one that has ended, stretched to today.
Neither source has attendance, so the last `school_days` school days before today get
generated marks (`attendance`; seeded, so every run gives the same roll); the latest school
day — today, or Friday at a weekend — is left unmarked for the teacher to mark. Then come
the logins (`logins`), a closure and a staff absence (`loader.add_demo_calendar`), prices,
bills and payments (`billing`) and make-up credits (`credits`), all in one transaction
(`loader.load_demo`).

Lives in `devtools`, above the domain apps: it may import every app, and none imports it.
"""

from .attendance import (
    ATTENDANCE_RATES,
    NOT_PRESENT,
    NOT_PRESENT_WEIGHTS,
    AttendanceSummary,
    generate_attendance,
)
from .dates import marking_day, school_days_before, school_year_start, shift_years_for
from .loader import DemoResult, add_demo_calendar, load_demo
from .logins import (
    CREATED_LOGINS,
    MARKER_USERNAME,
    ROLE_ORDER,
    DemoLogin,
    create_demo_logins,
    demo_logins,
    periods_on,
    pick_demo_school,
    pick_demo_student,
    pick_demo_teacher,
)
from .school import (
    DEFAULT_SCHOOL_DAYS,
    DEMO_PASSWORD,
    DEMO_SCHOOL_NAME,
    DEMO_SEED,
    FIRST_NAMES,
    LAST_NAMES,
    generate_demo_school,
)

__all__ = [
    "ATTENDANCE_RATES",
    "CREATED_LOGINS",
    "DEFAULT_SCHOOL_DAYS",
    "DEMO_PASSWORD",
    "DEMO_SCHOOL_NAME",
    "DEMO_SEED",
    "FIRST_NAMES",
    "LAST_NAMES",
    "MARKER_USERNAME",
    "NOT_PRESENT",
    "NOT_PRESENT_WEIGHTS",
    "ROLE_ORDER",
    "AttendanceSummary",
    "DemoLogin",
    "DemoResult",
    "add_demo_calendar",
    "create_demo_logins",
    "demo_logins",
    "generate_attendance",
    "generate_demo_school",
    "load_demo",
    "marking_day",
    "periods_on",
    "pick_demo_school",
    "pick_demo_student",
    "pick_demo_teacher",
    "school_days_before",
    "school_year_start",
    "shift_years_for",
]
