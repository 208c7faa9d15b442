"""Who may do what in academics, and the role checks every app's views share
(docs/design/roles.md).

A page reached without the right role answers 403 — JSON for a JSON or htmx request,
HTML otherwise — never a 500. Objects of another school are 404 (views fetch them
through school-scoped querysets). Each app keeps its own role sets and `can_*` checks in
its `access` module; this one holds academics' and the shared decorators.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_htmx.http import HttpResponseClientRedirect

from .models import Role, User
from .navigation import NavLink

# Every role that works for the school (not a student): who may be named as staff.
STAFF_ROLES = frozenset({Role.ADMIN, Role.PRINCIPAL, Role.HOD, Role.TEACHER, Role.ACCOUNTANT})
# The promotion wizard and the enrollments list: admins run it, principals read and run it.
PROMOTION_ROLES = (Role.ADMIN, Role.PRINCIPAL)


def can_promote(user: User) -> bool:
    """May `user` open the promotion wizard, its history and the enrollments list."""
    return user.has_role(*PROMOTION_ROLES)


def nav_links(user: User) -> list[NavLink]:
    """The academics pages `user` may open, in top-bar order."""
    if not can_promote(user):
        return []
    return [
        NavLink(
            _("Promotion"), "academics:promotion_history", current_prefixes=("academics:promotion",)
        ),
        NavLink(_("Enrollments"), "academics:enrollments"),
    ]


def wants_json(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return request.content_type == "application/json" or (
        "application/json" in accept and "text/html" not in accept
    )


def forbidden(
    request: HttpRequest, message: str = "You do not have access to this page."
) -> HttpResponse:
    """The one 403 answer: JSON to a JSON client, the 403 page to a browser.

    The JSON carries the message as both `error` (the total-sessions API's key) and
    `message` (the billing API's), so either API's clients read it where they expect it
    (docs/api.md)."""
    if wants_json(request):
        return JsonResponse({"success": False, "error": message, "message": message}, status=403)
    return TemplateResponse(request, "403.html", {"message": message}, status=403)


def role_required(*roles: str) -> Callable:
    """Let through signed-in users of a school whose role is one of `roles`.

    Anonymous visitors go to the login page; a signed-in user with another role, or with
    no school, gets `forbidden`. Superusers count as admins.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                if wants_json(request):
                    return JsonResponse(
                        {"success": False, "error": "Sign in first.", "message": "Sign in first."},
                        status=401,
                    )
                return redirect_to_login(request.get_full_path())
            if user.school_id is None or not user.has_role(*roles):
                return forbidden(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def wants_partial(request: HttpRequest) -> bool:
    """An htmx swap (not a boosted page load or a history restore) gets a partial; every
    other request the whole page, so each URL also works as a link."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def htmx_sign_in_again(fallback: str = "home") -> Callable:
    """Decorator: an htmx request whose session has ended goes to the sign-in page as a
    whole page (HX-Redirect), then back to the page the browser was on (its
    HX-Current-URL, when that is on this site), else to the URL named `fallback`.
    Following `role_required`'s redirect instead would swap the login form into a table
    row or a panel."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if getattr(request, "htmx", False) and not request.user.is_authenticated:
                back = reverse(fallback)
                current_url = request.htmx.current_url or ""
                current = urlsplit(current_url)
                if current.path.startswith("/") and url_has_allowed_host_and_scheme(
                    current_url, allowed_hosts={request.get_host()}
                ):
                    back = current.path + (f"?{current.query}" if current.query else "")
                return HttpResponseClientRedirect(f"{reverse('login')}?{urlencode({'next': back})}")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
