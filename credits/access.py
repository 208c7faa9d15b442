"""Who may do what with make-up credits: this app's role sets and `can_*` checks, and its
links in the top bar (docs/design/roles.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from academics.models import Role, User
from academics.navigation import NavLink

# Tutors are the school's teaching staff.
TUTOR_ROLES = (Role.TEACHER, Role.HOD)
# Set credits: a tutor (for their own students, as themselves) or an admin.
CREDIT_SETTERS = (*TUTOR_ROLES, Role.ADMIN)
# Read every pair's balances and the reports: admins and principals.
CREDIT_READERS = (Role.ADMIN, Role.PRINCIPAL)
# Open the student list, a student's credits and the reports.
PAGE_READERS = (*CREDIT_READERS, *TUTOR_ROLES)
# Book, complete and cancel make-up lessons.
LESSON_ACTORS = (Role.ADMIN, *TUTOR_ROLES, Role.STUDENT)
# Manage lessons for any tutor's students.
LESSON_STAFF = (Role.ADMIN, *TUTOR_ROLES)


def is_student(user: User) -> bool:
    """A student (not a superuser, who counts as an admin): their own credits only."""
    return user.role == Role.STUDENT and not user.is_superuser


def is_tutor(user: User) -> bool:
    return user.has_role(*TUTOR_ROLES)


def can_read_all_credits(user: User) -> bool:
    return user.has_role(*CREDIT_READERS)


def can_set_credits(user: User) -> bool:
    """May `user` open the "Make-Up Credits" dialog (a tutor for their own students, as
    themself; an admin for anyone: the services check the pair)."""
    return user.has_role(*CREDIT_SETTERS)


def sets_own_students_only(user: User) -> bool:
    """A tutor sets credits for their own students only, as themself; an admin for anyone."""
    return not user.has_role(Role.ADMIN)


def reads_only(user: User) -> bool:
    """A principal reads every student's credits and changes nothing (no buttons)."""
    return user.has_role(Role.PRINCIPAL) and not user.has_role(Role.ADMIN)


def can_clear_departed_tutors(user: User) -> bool:
    """May `user` clear what a departed tutor still owes (admins only)."""
    return user.has_role(Role.ADMIN)


def nav_links(user: User) -> list[NavLink]:
    """The make-up credit pages `user` may open, in top-bar order."""
    if user.has_role(Role.STUDENT):
        return [NavLink(_("My credits"), "credits:my_credits")]
    if user.has_role(*PAGE_READERS):
        return [
            NavLink(
                _("Make-up credits"),
                "credits:students",
                (
                    "credits:student",
                    "credits:history",
                    "credits:dialog",
                    "credits:set",
                    "credits:book",
                    "credits:complete",
                    "credits:cancel",
                ),
            ),
            NavLink(_("Credit reports"), "credits:reports", ("credits:clear_tutor",)),
        ]
    return []
