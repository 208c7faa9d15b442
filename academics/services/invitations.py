"""Invitations: a person gets an email with a one-time link to set their own password
(docs/operations/sign-in.md, "Invitations")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from ..models import User


@dataclass
class InvitationResult:
    """How many people were invited and how many were skipped, and why."""

    sent: int = 0
    without_email: int = 0
    inactive: int = 0


def invitation_link(*, user: User, base_url: str) -> str:
    """The one-time "set your password" link for `user`.

    It is django-allauth's password-reset link (Django's token generator: it stops working
    once the password changes, i.e. after one use, or after PASSWORD_RESET_TIMEOUT
    seconds), so following it and setting a password is the same page as "Forgot
    password?".

    Args:
        user: the person invited.
        base_url: the site's address, e.g. "https://rollbook.example" (no trailing slash).
    """
    key = default_token_generator.make_token(user)
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
    )
    return f"{base_url.rstrip('/')}{path}"


def send_invitations(*, users: Iterable[User], base_url: str) -> InvitationResult:
    """Email each active person with an address a link to set their own password.

    People without an email address, and switched-off accounts, are skipped and counted.
    The messages go through Django's mail (EMAIL_BACKEND), one per person, in plain text,
    after all links are made.

    Args:
        users: the people to invite (the admin's selection, already scoped to a school).
        base_url: the site's address the links point to (see `invitation_link`).

    Returns:
        An InvitationResult: sent, skipped without an email address, skipped inactive.
    """
    result = InvitationResult()
    messages = []
    days = max(1, round(settings.PASSWORD_RESET_TIMEOUT / 86400))
    for user in users:
        if not user.is_active:
            result.inactive += 1
            continue
        if not (user.email or "").strip():
            result.without_email += 1
            continue
        context = {
            "user": user,
            "school": user.school,
            "link": invitation_link(user=user, base_url=base_url),
            "days": days,
            "login_url": f"{base_url.rstrip('/')}{reverse('login')}",
        }
        subject = render_to_string("account/email/invitation_subject.txt", context).strip()
        body = render_to_string("account/email/invitation_message.txt", context)
        messages.append(EmailMessage(subject=subject, body=body, to=[user.email.strip()]))
        result.sent += 1
    for message in messages:
        message.send()
    return result
