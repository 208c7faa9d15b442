"""The test suite's settings: production's (DEBUG off, as in tests/conftest.py's notes),
with a key of its own, since production refuses to start without one."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-" + "x" * 40)

from .settings import *  # noqa: E402, F403
