"""Login throttling hooks for django-axes (docs/operations/security.md): which address a
request comes from, and the page a locked-out person sees.

Settings: `AXES_CLIENT_IP_CALLABLE = "academics.throttling.client_ip"`,
`AXES_USERNAME_CALLABLE = "academics.throttling.login_key"` and
`AXES_LOCKOUT_CALLABLE = "academics.throttling.lockout_response"` (config/settings.py).
"""

from axes.helpers import get_cool_off
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_ip(request: HttpRequest) -> str | None:
    """The address of the person signing in, as the trusted reverse proxies saw it.

    Each proxy appends the address it received the request from to X-Forwarded-For
    (nginx: `$proxy_add_x_forwarded_for`), so behind `TRUSTED_PROXY_COUNT` = N proxies the
    client is the Nth entry from the right. Entries further left were written by the
    client and are not trusted: a guesser cannot dodge the lockout by sending a made-up
    X-Forwarded-For. With N = 0 (no proxy, the default) X-Forwarded-For is ignored.

    Args:
        request: the sign-in request.

    Returns:
        The client's address; REMOTE_ADDR when there is no proxy or the header has fewer
        entries than proxies (a request that did not come through them all).

    Rule source: docs/operations/security.md (login throttling behind a reverse proxy).
    """
    remote_addr = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_addr
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote_addr
    return forwarded[-proxies]


def login_key(request: HttpRequest, credentials: dict | None) -> str | None:
    """The name a sign-in attempt is counted under: one key per person, however they type it.

    The login page (django-allauth) posts `login`, which its backend tries as a username
    and as an email; the Django admin's form posts `username`; a successful sign-in
    reports the user's username. Usernames and addresses are compared without case, so
    the key is lower-cased (else "Ann" and "ann" would be two counts for one account),
    and an address that belongs to exactly one user counts as that user's username (so
    a successful sign-in by username clears the tries made by email).

    Args:
        request: the sign-in request.
        credentials: what was submitted ("username", "email", "password"), when known.

    Returns:
        The key, or None when the request names nobody.

    Rule source: docs/operations/security.md (login throttling).
    """
    credentials = credentials or {}
    data = getattr(request, "POST", {}) or {}
    value = (
        credentials.get("username")
        or credentials.get("email")
        or data.get("login")
        or data.get("username")
    )
    if not value:
        return None
    key = str(value).strip().lower()
    if "@" in key:
        from .models import User

        owners = list(User.objects.filter(email__iexact=key).values_list("username", flat=True)[:2])
        if len(owners) == 1:
            key = owners[0].lower()
    return key


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict | None
) -> HttpResponse:
    """The page shown instead of signing in once a username is locked out from an address.

    Args:
        request: the sign-in request that was refused.
        original_response: the response the login view produced (unused: it is replaced).
        credentials: the submitted credentials (unused; the password is never shown).

    Returns:
        The "account locked" page with status `AXES_HTTP_RESPONSE_CODE` (429, Too Many
        Requests) and a Retry-After header; it says how many minutes to wait.

    Rule source: docs/operations/security.md (login throttling: tell the user clearly).
    """
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    response = render(
        request,
        "registration/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
