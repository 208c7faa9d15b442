"""Shared steps of the PostgreSQL race tests: two threads, each with its own connection,
meet at a barrier; one holds a row lock while the test sees the other wait for it."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

WAIT = 10  # seconds; a hung thread fails the test rather than the run

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite has no row locks and one writer at a time",
)


def wait_for_a_connection_blocked_on_a_lock(timeout: float = WAIT) -> bool:
    """True once another connection to this test database waits for a lock. Asked on the
    test's own connection (autocommit), so each poll sees fresh activity."""
    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


class HoldTheLock:
    """Wraps a function the services call while holding their row lock: the first thread
    to call it pauses there, holding the lock, until `release` is set."""

    def __init__(self, real):
        self.real = real
        self.held = threading.Event()
        self.release = threading.Event()
        self._first = threading.Lock()

    def __call__(self, *args, **kwargs):
        if self._first.acquire(blocking=False):  # only the first caller pauses
            self.held.set()
            self.release.wait(WAIT)
        return self.real(*args, **kwargs)


def in_a_thread(call, results: dict, key, start: threading.Barrier | None = None):
    """Run `call()` in a new thread (after `start`, if given), storing its value or
    exception in `results[key]`; the thread closes its own connection."""

    def work():
        try:
            if start is not None:
                start.wait()
            results[key] = call()
        except Exception as exc:  # reported by the test's assertions
            results[key] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=work)
    thread.start()
    return thread


def finish(threads, hold: HoldTheLock) -> bool:
    """Once one thread holds the lock, see that another waits for it, then let all
    finish. Returns whether the waiting was seen."""
    try:
        assert hold.held.wait(WAIT), "no thread reached the locked section"
        blocked = wait_for_a_connection_blocked_on_a_lock()
    finally:
        hold.release.set()
        for thread in threads:
            thread.join(WAIT)
    assert not any(thread.is_alive() for thread in threads)
    return blocked
