"""Two-factor authentication the school requires (docs/operations/sign-in.md,
"Requiring two-factor").

When a school sets `School.require_two_factor`, its admins and accountants — who can
change marks, bills and people — must use an authenticator app (allauth's TOTP). One
who has none is sent to set it up after signing in and can open no other page until
they have; the sign-in pages themselves (/accounts/…) stay open, so they can also sign
out. Everyone else may turn two-factor on for themselves.

The check is made once, when someone signs in (`note_two_factor_at_sign_in`), and kept
in the session, so pages pay no query for it; a session that still owes the set-up checks
again on each request until it is done. A school that switches the rule on reaches each
person at their next sign-in.
"""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
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
# Session key: True while the signed-in user still owes the set-up.
PENDING = "rollbook_two_factor_pending"


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


def owes_two_factor(user: User) -> bool:
    """Must `user` still set up two-factor (required for them, and none yet)."""
    return two_factor_required(user) and not has_two_factor(user)


@receiver(user_logged_in, dispatch_uid="rollbook_note_two_factor_at_sign_in")
def note_two_factor_at_sign_in(sender, request, user, **kwargs) -> None:
    """Record in the new session whether its user still owes the two-factor set-up."""
    if request is not None and hasattr(request, "session"):
        request.session[PENDING] = owes_two_factor(user)


def require_two_factor(get_response: Callable) -> Callable:
    """Middleware: send a user who must use two-factor and has none to its set-up page.

    A page load is redirected there (with a message saying why); an htmx request gets an
    HX-Redirect; a JSON client a 403 with the same message. Runs after allauth's
    AccountMiddleware and Django's authentication and messages middleware.
    """

    def still_owed(request: HttpRequest, user: User) -> bool:
        pending = request.session.get(PENDING)
        if pending is False:
            return False
        # Pending, or a session from before this rule: look again, and remember.
        pending = owes_two_factor(user)
        request.session[PENDING] = pending
        return pending

    def middleware(request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and still_owed(request, user)
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
