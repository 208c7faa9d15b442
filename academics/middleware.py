"""Request checks that hold for every page, before any view runs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _

from .access import wants_json


def refuse_nul_in_query_string(get_response: Callable) -> Callable:
    """A NUL byte in a query parameter (name or value) is a 400 before any view runs.

    No filter, id or search means a NUL, and PostgreSQL refuses NUL in a string literal, so
    an admin change list filtered by `?status=%00` was a 500 (docs/operations/security.md,
    "Bad input"). Form posts are left to their forms, which name the field, and so is the
    JSON API (`/api/`), whose forms answer in its own error document.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") and any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            message = _("The address contains a NUL character, which no page accepts.")
            if wants_json(request):
                return JsonResponse(
                    {"success": False, "error": message, "message": message}, status=400
                )
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return get_response(request)

    return middleware
