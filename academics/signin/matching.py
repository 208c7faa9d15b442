"""Which Rollbook user a single-sign-on identity is (docs/operations/sign-in.md, "Who an
identity signs in as")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from ..models import User


@dataclass(frozen=True)
class IdentityMatch:
    """The outcome of matching an identity: `user` when exactly one active user matched,
    else `reason` ("none", "inactive" or "several") and what was looked for."""

    user: User | None
    reason: str = ""
    looked_for: str = ""


def match_identity(*, sis_ids: Iterable[str], verified_emails: Iterable[str]) -> IdentityMatch:
    """The one active user an identity provider's account stands for.

    The SIS ids come first (they are the roster's own keys): an id matching the
    `source_id` of a staff, student or guardian profile names that profile's user. Then
    each verified email, compared without case against `User.email`. The first key that
    matches anyone decides: exactly one active user signs in; only inactive users, or
    several users, refuse the identity. An unverified address is never compared.

    Args:
        sis_ids: ids the provider vouches for (Clever's user id and its SIS ids, an OIDC
            claim the deployment names); blanks are ignored.
        verified_emails: addresses the provider vouches for.

    Returns:
        An IdentityMatch: `user` set on success; otherwise `reason` is "none" (no key
        matched), "inactive" (only switched-off users matched) or "several" (more than one
        active user matched), and `looked_for` the key to show the person.
    """
    ids = sorted({i.strip() for i in sis_ids if i and i.strip()})
    emails = [e.strip() for e in verified_emails if e and e.strip()]
    keys: list[tuple[str, Q]] = []
    if ids:
        keys.append(
            (
                ids[0],
                Q(staff_profile__source_id__in=ids)
                | Q(student_profile__source_id__in=ids)
                | Q(guardian_profile__source_id__in=ids),
            )
        )
    keys += [(email, Q(email__iexact=email)) for email in emails]
    for looked_for, condition in keys:
        users = list(User.objects.filter(condition).distinct()[:10])
        if not users:
            continue
        active = [u for u in users if u.is_active]
        if len(active) == 1:
            return IdentityMatch(user=active[0])
        reason = "several" if active else "inactive"
        return IdentityMatch(user=None, reason=reason, looked_for=looked_for)
    shown = emails[0] if emails else (ids[0] if ids else "")
    return IdentityMatch(user=None, reason="none", looked_for=shown)
