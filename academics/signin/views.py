"""The login page (docs/manual/signing-in.md)."""

from __future__ import annotations

from urllib.parse import urlsplit

from allauth.account.views import LoginView
from allauth.socialaccount.adapter import get_adapter
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

# Where each provider's sign-in page lives (its authorize endpoint's origin).
PROVIDER_ORIGINS = {
    "google": "https://accounts.google.com",
    "clever": "https://clever.com",
}


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def identity_provider_origins(request: HttpRequest) -> list[str]:
    """The origins of the configured identity providers' sign-in pages.

    A provider's button posts to Rollbook, which answers with a redirect to the provider;
    browsers hold that redirect to the page's Content-Security-Policy `form-action`, so
    the login page allows exactly these origins besides its own
    (docs/operations/security.md, Content-Security-Policy). Providers come from the
    environment (settings) and from the Django admin's *Social applications* alike.

    Args:
        request: the login page's request (the admin's apps may be per site).

    Returns:
        Origins such as "https://accounts.google.com", each once, in the apps' order.
    """
    origins: list[str] = []
    for app in get_adapter(request).list_apps(request):
        app_settings = app.settings or {}
        if app.provider == "microsoft":
            origin = _origin(app_settings.get("login_url", "https://login.microsoftonline.com"))
        elif app.provider == "openid_connect":
            origin = _origin(app_settings.get("server_url", ""))
        else:
            origin = PROVIDER_ORIGINS.get(app.provider)
        if origin and origin not in origins:
            origins.append(origin)
    return origins


class SignInView(LoginView):
    """django-allauth's login view (username or email, and a button per configured
    provider), whose Content-Security-Policy lets the buttons reach their providers."""

    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = super().dispatch(request, *args, **kwargs)
        origins = identity_provider_origins(request)
        if origins and settings.SECURE_CSP:
            policy = dict(settings.SECURE_CSP)
            policy["form-action"] = [*policy.get("form-action", []), *origins]
            response._csp_config = policy
        return response


def email_addresses(request: HttpRequest) -> HttpResponse:
    """In place of allauth's "manage email addresses" page: a person's address comes from
    the school's records (the roster), and single sign-on trusts it, so nobody changes
    their own (docs/operations/sign-in.md)."""
    raise Http404(_("Email addresses come from your school's records; ask the office."))
