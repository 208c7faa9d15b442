"""Who may do what with bills and payments: this app's role sets and `can_*` checks, and
its links in the top bar (docs/design/roles.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from academics.models import Role, User
from academics.navigation import NavLink

# Billing is the accountant's; an admin may do everything an accountant does.
BILLING_ROLES = (Role.ADMIN, Role.ACCOUNTANT)
# A principal reads everything in the school: bills and revenue, no writes.
BILLING_READERS = (*BILLING_ROLES, Role.PRINCIPAL)
# A bill's page and invoice: the readers, and a student their own bills.
BILL_READERS = (*BILLING_READERS, Role.STUDENT)


def can_bill(user: User) -> bool:
    """May `user` preview and generate bills, set prices and record payments."""
    return user.has_role(*BILLING_ROLES)


def can_read_bills(user: User) -> bool:
    """May `user` read every bill of the school and the revenue."""
    return user.has_role(*BILLING_READERS)


def nav_links(user: User) -> list[NavLink]:
    """The billing pages `user` may open, in top-bar order."""
    if can_bill(user):
        return [
            NavLink(
                _("Billing"),
                "billing:groups",
                ("billing:group", "billing:revenue", "billing:edit_price"),
            ),
            NavLink(_("Bills"), "billing:bills", ("billing:bill", "billing:invoice")),
        ]
    if can_read_bills(user):
        return [NavLink(_("Bills"), "billing:bills", current_prefixes=("billing:",))]
    if user.has_role(Role.STUDENT):
        return [NavLink(_("My bills"), "billing:my_bills")]
    return []
