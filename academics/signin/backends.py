"""The password check behind the login form (settings `AUTHENTICATION_BACKENDS`)."""

from __future__ import annotations

from allauth.account.auth_backends import AuthenticationBackend

from ..models import User


class UsernameOrEmailBackend(AuthenticationBackend):
    """allauth's backend (username or email, docs/manual/signing-in.md), with email
    addresses compared without case: the roster keeps them as the SIS spells them.
    Several people may share an address (a teacher who is also a parent): each one's
    password is tried, and only its owner signs in."""

    def _authenticate_by_email(self, email: str, password: str):
        for user in User.objects.filter(email__iexact=email.strip()):
            if self._check_password(user, password):
                return user
        return None
