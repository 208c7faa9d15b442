"""Single sign-on providers from the environment (docs/operations/sign-in.md).

`config/settings.py` turns the `SSO_*` variables into django-allauth's
`SOCIALACCOUNT_PROVIDERS`, each provider with its app ("APPS"), so a deployment needs no
database rows; apps added in the Django admin (*Social applications*) work beside them.
A provider whose variables are absent is not configured, and the login page shows no
button for it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.core.exceptions import ImproperlyConfigured

# A generic OpenID Connect server: SSO_OIDC_<NAME>_SERVER_URL and friends; <NAME> becomes
# the provider id in the redirect URI (/accounts/oidc/<name>/login/callback/).
OIDC_SERVER_URL = re.compile(r"^SSO_OIDC_(?P<name>[A-Z0-9]+)_SERVER_URL$")
# Tenants that let any Microsoft account in: their email claims are not the school's.
MICROSOFT_SHARED_TENANTS = {"common", "organizations", "consumers"}


def _client(environ: Mapping[str, str], prefix: str) -> tuple[str, str] | None:
    """The (client id, secret) pair of `prefix`, None when neither is set."""
    client_id = environ.get(f"{prefix}_CLIENT_ID", "").strip()
    secret = environ.get(f"{prefix}_SECRET", "").strip()
    if not client_id and not secret:
        return None
    if not client_id or not secret:
        raise ImproperlyConfigured(
            f"{prefix}_CLIENT_ID and {prefix}_SECRET must be set together "
            "(docs/operations/sign-in.md)."
        )
    return client_id, secret


def sso_providers(environ: Mapping[str, str]) -> dict[str, dict]:
    """django-allauth's `SOCIALACCOUNT_PROVIDERS` for the providers `environ` configures.

    Args:
        environ: the process environment (or a test's mapping).

    Returns:
        {provider: {"APPS": [...], ...}} with only the configured providers: Google
        (`SSO_GOOGLE_CLIENT_ID`/`_SECRET`, optional `_HOSTED_DOMAIN`), Microsoft Entra ID
        (`SSO_MICROSOFT_CLIENT_ID`/`_SECRET`/`_TENANT`), Clever (`SSO_CLEVER_CLIENT_ID`/
        `_SECRET`) and any number of OpenID Connect servers (`SSO_OIDC_<NAME>_SERVER_URL`,
        `_CLIENT_ID`, `_SECRET`, optional `_LABEL` and `_SIS_ID_CLAIM`).

    Raises:
        ImproperlyConfigured: a provider is half configured (an id without its secret, a
            Microsoft app without its tenant).

    Rule source: docs/operations/sign-in.md.
    """
    providers: dict[str, dict] = {}

    if google := _client(environ, "SSO_GOOGLE"):
        hosted_domain = environ.get("SSO_GOOGLE_HOSTED_DOMAIN", "").strip()
        providers["google"] = {
            "APPS": [{"client_id": google[0], "secret": google[1], "settings": {}}],
            "SCOPE": ["profile", "email"],
            "AUTH_PARAMS": {"hd": hosted_domain} if hosted_domain else {},
            "OAUTH_PKCE_ENABLED": True,
        }

    if microsoft := _client(environ, "SSO_MICROSOFT"):
        tenant = environ.get("SSO_MICROSOFT_TENANT", "").strip()
        if not tenant:
            raise ImproperlyConfigured(
                "SSO_MICROSOFT_TENANT is required with SSO_MICROSOFT_CLIENT_ID: the school's "
                "Entra ID tenant id or domain (docs/operations/sign-in.md)."
            )
        providers["microsoft"] = {
            "APPS": [
                {
                    "client_id": microsoft[0],
                    "secret": microsoft[1],
                    # Only the school's own tenant vouches for the addresses it hands out;
                    # a shared tenant lets anyone pick any mail attribute.
                    "settings": {
                        "tenant": tenant,
                        "verified_email": tenant.lower() not in MICROSOFT_SHARED_TENANTS,
                    },
                }
            ],
            "OAUTH_PKCE_ENABLED": True,
        }

    if clever := _client(environ, "SSO_CLEVER"):
        # Clever's addresses come from the district's SIS, as our roster's do.
        providers["clever"] = {
            "APPS": [
                {"client_id": clever[0], "secret": clever[1], "settings": {"verified_email": True}}
            ],
        }

    oidc_apps = []
    for key in sorted(environ):
        match = OIDC_SERVER_URL.match(key)
        if not match:
            continue
        name = match["name"]
        prefix = f"SSO_OIDC_{name}"
        client = _client(environ, prefix)
        if client is None:
            raise ImproperlyConfigured(f"{key} is set but {prefix}_CLIENT_ID is not.")
        app_settings = {"server_url": environ[key].strip(), "oauth_pkce_enabled": True}
        if claim := environ.get(f"{prefix}_SIS_ID_CLAIM", "").strip():
            app_settings["sis_id_claim"] = claim
        oidc_apps.append(
            {
                "provider_id": name.lower(),
                "name": environ.get(f"{prefix}_LABEL", "").strip() or name.title(),
                "client_id": client[0],
                "secret": client[1],
                "settings": app_settings,
            }
        )
    if oidc_apps:
        providers["openid_connect"] = {"APPS": oidc_apps}
    return providers
