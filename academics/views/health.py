"""`/healthz`: the load balancer's probe (docs/operations/health-check.md).

Public and cheap: one `SELECT 1` on a connection of its own. No login, no session, never
cached, and exempt from the https redirect (`SECURE_REDIRECT_EXEMPT`) so a load balancer
speaking plain HTTP to the application servers can use it.

It answers within `HEALTHZ_TIMEOUT` seconds whatever the database does: the check runs in a
thread on a fresh connection, and a database that accepts connections but never answers
is reported as a timeout while that thread waits out the connect timeout. At most one such
check is in flight per process, so a silent database cannot pile up threads.
"""

from __future__ import annotations

import contextlib
import logging
import threading

from django.conf import settings
from django.db import Error as DatabaseError
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

_in_flight = threading.Lock()


class _Check:
    """One `SELECT 1` on a new connection to the default database, in its own thread."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        database = None
        try:
            database = connections.create_connection("default")
            with database.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except BaseException as exc:  # reported by the view
            self.error = exc
        finally:
            if database is not None:
                with contextlib.suppress(DatabaseError):
                    database.close()
            _in_flight.release()
            self.done.set()


def _unavailable(reason: str) -> JsonResponse:
    return JsonResponse({"status": "error", "database": f"unavailable ({reason})"}, status=503)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer whether this application server can reach its database.

    Args:
        request: a GET or HEAD request from anyone (no login needed).

    Returns:
        200 `{"status": "ok", "database": "ok"}` after `SELECT 1` succeeds; 503
        `{"status": "error", "database": "unavailable (<reason>)"}` when it fails, where the
        reason is the error's class (e.g. `OperationalError`), not its text, which may name
        hosts and users (the full error is logged), or `timeout` when the database has not
        answered within `settings.HEALTHZ_TIMEOUT` seconds (or an earlier check is still
        waiting for it). Other methods get 405.
    """
    if not _in_flight.acquire(blocking=False):
        logger.error("healthz: an earlier database check is still waiting")
        return _unavailable("timeout")
    check = _Check()
    try:
        threading.Thread(target=check.run, name="healthz", daemon=True).start()
    except BaseException:
        _in_flight.release()
        raise
    if not check.done.wait(settings.HEALTHZ_TIMEOUT):
        logger.error("healthz: the database did not answer within %s s", settings.HEALTHZ_TIMEOUT)
        return _unavailable("timeout")
    if check.error is not None:
        if not isinstance(check.error, DatabaseError):
            raise check.error
        logger.error("healthz: database check failed: %s", check.error)
        return _unavailable(type(check.error).__name__)
    return JsonResponse({"status": "ok", "database": "ok"})
