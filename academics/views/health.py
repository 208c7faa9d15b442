"""`/healthz`: the load balancer's probe.

Public and cheap: one `SELECT 1` on the default database connection. No login, no session,
never cached, and exempt from the https redirect (`SECURE_REDIRECT_EXEMPT`) so a load
balancer speaking plain HTTP to the application servers can use it.
"""

import logging

from django.db import Error as DatabaseError
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer whether this application server can reach its database.

    Args:
        request: a GET or HEAD request from anyone (no login needed).

    Returns:
        200 `{"status": "ok", "database": "ok"}` after `SELECT 1` succeeds; 503
        `{"status": "error", "database": "<short reason>"}` when the query fails. The
        reason is the error's class (e.g. `OperationalError`), not its text, which may
        name hosts and users; the full error is logged. Other methods get 405.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.error("healthz: database check failed: %s", exc)
        return JsonResponse(
            {"status": "error", "database": f"unavailable ({type(exc).__name__})"}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok"})
