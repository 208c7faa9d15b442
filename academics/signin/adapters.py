"""django-allauth adapters: Rollbook's people come from the roster, never from a sign-up
form or an identity provider (docs/operations/sign-in.md).

Settings: `ACCOUNT_ADAPTER = "academics.signin.adapters.AccountAdapter"` and
`SOCIALACCOUNT_ADAPTER = "academics.signin.adapters.SocialAccountAdapter"`.
"""

from __future__ import annotations

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.http import Http404, HttpRequest
from django.shortcuts import render
from django.utils.translation import gettext as _

from .matching import match_identity

# The top bar already says who is signed in; a "Successfully signed in" line on the first
# page would only crowd the status messages that page's own actions write.
QUIET_MESSAGES = {"account/messages/logged_in.txt", "account/messages/logged_out.txt"}


class AccountAdapter(DefaultAccountAdapter):
    """No self-sign-up: every account is imported or made in the Django admin."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def add_message(self, request, level, message_template=None, *args, **kwargs) -> None:
        if message_template in QUIET_MESSAGES:
            return
        super().add_message(request, level, message_template, *args, **kwargs)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A sign-in of the last few minutes counts as having confirmed it is you.

        allauth asks for the password again before sensitive steps (setting up two-factor,
        its recovery codes), counting only an explicit re-entry. Right after signing in —
        where a school that requires two-factor sends its admins — that asks twice in a
        row, and someone who signs in only through single sign-on has no password to
        give and could not set two-factor up at all. So the sign-in itself counts for
        ACCOUNT_REAUTHENTICATION_TIMEOUT seconds (5 minutes); after that allauth asks.
        """
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = self.request
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return True
        records = get_authentication_records(request, user)
        if not records:
            return True
        signed_in_at = records[-1].get("at", 0)
        return time.time() - signed_in_at >= account_settings.REAUTHENTICATION_TIMEOUT


def sis_ids_of(sociallogin) -> list[str]:
    """The SIS ids an identity provider vouches for: Clever's user id and the `sis_id` of
    each of its roles; for an OpenID Connect server, the claim its app's `sis_id_claim`
    names (SSO_OIDC_<NAME>_SIS_ID_CLAIM). Other providers give none."""
    account = sociallogin.account
    data = account.extra_data or {}
    ids: list[str] = []
    if account.provider == "clever":
        person = data.get("data") or {}
        ids.append(str(person.get("id") or ""))
        for role in (person.get("roles") or {}).values():
            if isinstance(role, dict):
                ids.append(str(role.get("sis_id") or ""))
    app = getattr(sociallogin.provider, "app", None)
    claim = (app.settings or {}).get("sis_id_claim") if app is not None else None
    if claim:
        for part in ("userinfo", "id_token"):
            value = (data.get(part) or {}).get(claim)
            if value:
                ids.append(str(value))
    return [i for i in ids if i]


def refusal_message(reason: str, looked_for: str) -> str:
    """What the refusal page tells a person whose identity matches no one usable."""
    if reason == "inactive":
        return _("The Rollbook account for %(who)s is switched off; ask your school office.") % {
            "who": looked_for
        }
    if reason == "several":
        return _(
            "Several Rollbook accounts match %(who)s, so Rollbook cannot tell which one is "
            "yours; ask your school office."
        ) % {"who": looked_for}
    if not looked_for:
        return _(
            "The sign-in service did not give Rollbook a verified email address, so it "
            "cannot tell who you are; ask your school office."
        )
    return _("No Rollbook account matches %(who)s; ask your school office.") % {"who": looked_for}


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """An identity signs in as the imported user it matches (`matching.match_identity`) —
    or is refused with a page saying why; it never creates a user."""

    def is_open_for_signup(self, request: HttpRequest, sociallogin) -> bool:
        return False

    def get_app(self, request: HttpRequest, provider, client_id=None):
        """The provider's app; a provider this deployment has not configured is a 404
        (its sign-in and callback addresses exist for every deployment), not a 500."""
        from allauth.socialaccount.models import SocialApp

        try:
            return super().get_app(request, provider, client_id=client_id)
        except SocialApp.DoesNotExist:
            raise Http404(_("This sign-in service is not set up here.")) from None

    def pre_social_login(self, request: HttpRequest, sociallogin) -> None:
        """Connect a first-time identity to the user it matches, or refuse it.

        An identity already connected (an earlier sign-in) signs in as its user; allauth
        then refuses a user switched off since.

        Raises:
            ImmediateHttpResponse: the refusal page (HTTP 403) when the identity matches
                no active user, only inactive ones, or several.
        """
        if sociallogin.is_existing:
            return
        if sociallogin.state.get("process") == "connect":
            # A signed-in person adding a sign-in service to their own account (the
            # *Account connections* page): allauth connects it to them.
            return
        emails = [address.email for address in sociallogin.email_addresses if address.verified]
        found = match_identity(sis_ids=sis_ids_of(sociallogin), verified_emails=emails)
        if found.user is None:
            raise ImmediateHttpResponse(
                render(
                    request,
                    "account/sso_refused.html",
                    {
                        "message": refusal_message(found.reason, found.looked_for),
                        "provider": sociallogin.provider.name,
                    },
                    status=403,
                )
            )
        sociallogin.connect(request, found.user)


class MFAAdapter(DefaultMFAAdapter):
    """Two-factor (docs/operations/sign-in.md, "Requiring two-factor"): someone whose
    school requires it cannot remove their authenticator app, only replace it through a
    superuser (who deletes it in the Django admin)."""

    def can_delete_authenticator(self, authenticator) -> bool:
        from allauth.mfa.models import Authenticator

        from .two_factor import two_factor_required

        if authenticator.type == Authenticator.Type.TOTP and two_factor_required(
            authenticator.user
        ):
            return False
        return super().can_delete_authenticator(authenticator)
