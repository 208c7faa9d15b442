"""Error answers every page shares: what a client sees when something fails outside a view's
own checks (docs/operations/production.md, "What a client sees").

- **JSON stays JSON.** Under `/api/`, and to any client that asked for JSON, every error is
  the API's envelope `{"success": false, "message": ...}` (with `error` too, the
  total-sessions endpoint's key): 400, 403 (CSRF included), 404, 405, 409, 500, 503.
  Browsers get a page; htmx requests a short plain-text message the page shows in its
  alert bar (static/rollbook.js).
- **The database in trouble is not a 500.** A lock wait that ran out (`lock_timeout`,
  PostgreSQL's 55P03, or SQLite's "database is locked") is a conflict: 409, "someone else
  is changing the same records". A statement that ran out (`statement_timeout`, 57014) or
  a database that cannot be reached is 503 with `Retry-After`. Nothing is written either
  way: the request's transaction has rolled back.

The handlers are wired in config/urls.py (`handler400` … `handler500`) and settings
(`CSRF_FAILURE_VIEW`, the two middleware classes below).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure

from .access import wants_json

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 5

# SQLSTATE codes (PostgreSQL Appendix A).
LOCK_NOT_AVAILABLE = "55P03"  # lock_timeout, or NOWAIT
QUERY_CANCELED = "57014"  # statement_timeout


@dataclass(frozen=True)
class Trouble:
    """What to tell a client about a database failure."""

    status: int
    message: str


def database_trouble(exc: BaseException | None) -> Trouble | None:
    """The answer for a database failure `exc`, or None when `exc` is not one.

    Args:
        exc: any exception, typically Django's wrapper of a driver error.

    Returns:
        409 for a lock wait that ran out (another request holds the rows), 503 for a
        statement that ran out or a database that cannot be reached; None for other
        errors (integrity errors and bugs stay 500s, logged with their traceback).
    """
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return None
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate == LOCK_NOT_AVAILABLE or "database is locked" in str(exc):
        return Trouble(
            409,
            _(
                "Someone else is changing the same records right now. Nothing was saved: "
                "try again in a moment."
            ),
        )
    if sqlstate == QUERY_CANCELED:
        return Trouble(
            503,
            _(
                "The database took too long to answer, so this was stopped and nothing was "
                "saved. Try again in a moment; if it keeps happening, tell your administrator."
            ),
        )
    # No SQLSTATE (the connection broke, SQLite's file cannot be opened), or a connection
    # exception (08…), too many connections (53…), a shutting-down server (57P…).
    if sqlstate is None or sqlstate.startswith(("08", "53", "57P")):
        return Trouble(
            503,
            _(
                "The database cannot be reached right now, so nothing was saved. Try again "
                "in a moment; if it keeps happening, tell your administrator."
            ),
        )
    return None


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def wants_json_answer(request: HttpRequest) -> bool:
    """Whether an error for `request` is the JSON envelope: under /api/, or asked for."""
    return is_api(request) or wants_json(request)


def json_error(message: str, status: int) -> JsonResponse:
    """The API's error envelope. `message` is the billing API's key, `error` the
    total-sessions endpoint's (docs/api.md); both carry the same sentence."""
    return JsonResponse({"success": False, "message": message, "error": message}, status=status)


def error_answer(
    request: HttpRequest, status: int, message: str, *, title: str | None = None
) -> HttpResponse:
    """The one error answer for `request`: the JSON envelope, a plain-text message for an
    htmx request, or a stand-alone page (it reads nothing from the database, so it renders
    even when the database is the trouble)."""
    if wants_json_answer(request):
        response: HttpResponse = json_error(message, status)
    elif request.headers.get("HX-Request") == "true":
        response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    else:
        page = loader.get_template("error.html").render(
            {
                "title": title or _("Something went wrong"),
                "message": message,
                "status": status,
                "stylesheet": _stylesheet(),
            }
        )
        response = HttpResponse(page, status=status)
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _stylesheet() -> str:
    """The stylesheet's URL, or "" when static files are not collected (the error page
    must render whatever else is broken)."""
    try:
        return static("rollbook.css")
    except ValueError:
        return ""


def trouble_answer(request: HttpRequest, trouble: Trouble) -> HttpResponse:
    title = _("Try again") if trouble.status == 409 else _("Temporarily unavailable")
    return error_answer(request, trouble.status, trouble.message, title=title)


class DatabaseTrouble:
    """Middleware: a view that fails on a lock or statement timeout, or loses its database,
    answers 409/503 (`database_trouble`) instead of a 500. Logged as a warning."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        trouble = database_trouble(exc)
        if trouble is None:
            return None
        logger.warning("%s %s: database trouble (%s): %s", request.method, request.path,
                       type(exc.__cause__ or exc).__name__, exc)  # fmt: skip
        return trouble_answer(request, trouble)


class ApiAnswersJson:
    """Middleware: any error answer under /api/ that is not JSON yet (a 405 from a
    decorator, a 413 body, another layer's page) becomes the envelope with the status's
    reason as its message."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            is_api(request)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            converted = json_error(response.reason_phrase, response.status_code)
            for header in ("Allow", "Retry-After"):
                if header in response:
                    converted[header] = response[header]
            return converted
        return response


# --- handlers (config/urls.py) -----------------------------------------------------------


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if wants_json_answer(request):
        return json_error(_("The request could not be read."), 400)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if wants_json_answer(request):
        return json_error(_("You do not have access to this page."), 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if wants_json_answer(request):
        return json_error(_("There is nothing at this address."), 404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django calls this while handling the exception, so `sys.exc_info()` names it: a
    database failure outside a view (a session read, a middleware) is 409/503 like one
    inside it; anything else is the 500 page or envelope."""
    trouble = database_trouble(sys.exc_info()[1])
    if trouble is not None:
        return trouble_answer(request, trouble)
    return error_answer(
        request,
        500,
        _("Something went wrong on our side and nothing was saved. It has been logged."),
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF refusal (403), as JSON to an API or JSON client."""
    if wants_json_answer(request):
        return json_error(
            _(
                "CSRF check failed: send the csrftoken cookie's value in the X-CSRFToken "
                "header, over HTTPS with a same-site Referer (docs/api.md)."
            ),
            403,
        )
    return django_csrf_failure(request, reason=reason)
