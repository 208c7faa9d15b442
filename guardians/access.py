"""Who may open the guardian pages, and their link in the top bar (docs/design/roles.md,
"guardian"; docs/manual/guardians.md).

Only a guardian opens these pages (403 for every other role, a superuser included: an
admin reads the same data on the staff pages). Which child a guardian may see is not a
role question but a row question: `selectors.child_of` finds the child through the
guardian's own guardianships, so anyone else's child is a 404.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from academics.models import Role, User
from academics.navigation import NavLink

GUARDIAN_ROLES = (Role.GUARDIAN,)


def is_guardian(user: User) -> bool:
    """Is `user` a guardian (role guardian, not a superuser acting as admin)?"""
    return user.role == Role.GUARDIAN and not user.is_superuser


def nav_links(user: User) -> list[NavLink]:
    """The guardian pages `user` may open, in top-bar order."""
    if not is_guardian(user):
        return []
    return [NavLink(_("My children"), "guardians:children", current_prefixes=("guardians:",))]
