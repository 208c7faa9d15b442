"""Two-factor authentication the school requires (docs/operations/sign-in.md,
"Requiring two-factor").

When a school sets `School.require_two_factor`, its admins and accountants — who can
change marks, bills and people — must use an authenticator app (allauth's TOTP). One
who has none is sent to set it up after signing in and can open no other page until
they have; the sign-in pages themselves (/accounts/…) stay open, so they can also sign
out. Everyone else may turn two-factor on for themselves.
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from ..access import wants_json
from ..models import Role, User

# The roles a school's "require two-factor" switch applies to.
TWO_FACTOR_ROLES = (Role.ADMIN, Role.ACCOUNTANT)
# Paths a user who still has to set up two-factor may open.
OPEN_PREFIXES = ("/accounts/", "/static/", "/healthz")


def two_factor_required(user: User) -> bool:
    """Must `user` use two-factor: an admin or accountant of a school that requires it.

    Args:
        user: a signed-in user.

    Returns:
        True when the school's `require_two_factor` is on and the role is admin (a
        superuser of the school counts) or accountant.
    """
    school = user.school
    return bool(school and school.require_two_factor and user.has_role(*TWO_FACTOR_ROLES))


def has_two_factor(user: User) -> bool:
    """Has `user` set up an authenticator app (TOTP)."""
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def require_two_factor(get_response: Callable) -> Callable:
    """Middleware: send a user who must use two-factor and has none to its set-up page.

    A page load is redirected there (with a message saying why); an htmx request gets an
    HX-Redirect; a JSON client a 403 with the same message. Runs after allauth's
    AccountMiddleware and Django's authentication and messages middleware.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and two_factor_required(user)
            and not has_two_factor(user)
        ):
            message = _(
                "Your school requires two-factor authentication for your account. Set up "
                "an authenticator app to continue."
            )
            setup = reverse("mfa_activate_totp")
            if wants_json(request):
                return JsonResponse(
                    {"success": False, "error": message, "message": message}, status=403
                )
            if getattr(request, "htmx", False):
                return HttpResponseClientRedirect(setup)
            messages.warning(request, message)
            return HttpResponseRedirect(setup)
        return get_response(request)

    return middleware
