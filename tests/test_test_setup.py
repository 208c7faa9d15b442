"""The suite's own guarantees: asked for PostgreSQL, it fails rather than skips."""

import os
import subprocess
import sys

from django.conf import settings


def test_an_unreachable_postgresql_fails_the_run_instead_of_skipping():
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:9/rollbook"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/test_deploy.py", "-q"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 3
    assert "PostgreSQL was asked for" in result.stdout + result.stderr
    assert "skipped" not in result.stdout
