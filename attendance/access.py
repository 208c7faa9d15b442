"""Who may do what with attendance: the role sets and `can_*` checks of this app, and the
links its pages add to the top bar (docs/design/roles.md).

Views, selectors and services ask this module; templates ask the view's context. The
decorators and the 403 answer are shared: `academics.access`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from academics.models import Role, User
from academics.navigation import NavLink

# Mark and correct the roll of one's own timetable slots (an admin everyone's).
MARKING_ROLES = (Role.ADMIN, Role.HOD, Role.TEACHER)
# Read the whole school's attendance.
SCHOOL_WIDE_READERS = (Role.ADMIN, Role.PRINCIPAL, Role.HOD, Role.ACCOUNTANT)
# Read the class register: every staff role that reads attendance (a teacher only the
# classes they teach or advise); students never.
REGISTER_READERS = (Role.ADMIN, Role.PRINCIPAL, Role.HOD, Role.TEACHER, Role.ACCOUNTANT)
# See every teacher's missing registers; a teacher sees only their own.
NOT_TAKEN_SCHOOL_WIDE = (Role.ADMIN, Role.PRINCIPAL, Role.HOD)
NOT_TAKEN_ROLES = (*NOT_TAKEN_SCHOOL_WIDE, Role.TEACHER)
# The audit trail of corrections is the principal's and the admin's.
AUDIT_READERS = (Role.ADMIN, Role.PRINCIPAL)
# Set a student's total sessions: admins, and teachers of that class.
TOTAL_SESSIONS_EDITORS = (Role.ADMIN, Role.TEACHER)
# Mark a teacher absent and edit the substitute (a head of department; an admin).
STAFF_ABSENCE_MANAGERS = (Role.ADMIN, Role.HOD)
# Open "Periods to resolve": the school-wide readers see every period of the school; a
# teacher those they may resolve (advisor or substitute).
TO_RESOLVE_READERS = (Role.ADMIN, Role.PRINCIPAL, Role.HOD, Role.TEACHER)
TO_RESOLVE_SCHOOL_WIDE = (Role.ADMIN, Role.PRINCIPAL, Role.HOD)
# Who may stand in for an absent teacher (they can open the marking screen).
SUBSTITUTE_ROLES = (Role.ADMIN, Role.HOD, Role.TEACHER)


def can_mark(user: User) -> bool:
    """May `user` open "My periods" and the marking screen at all."""
    return user.has_role(*MARKING_ROLES)


def can_read_school_wide(user: User) -> bool:
    return user.has_role(*SCHOOL_WIDE_READERS)


def can_read_audit(user: User) -> bool:
    return user.has_role(*AUDIT_READERS)


def can_read_registers(user: User) -> bool:
    """May `user` open the class register (a teacher only of classes they teach or
    advise: `selectors.visible_classes`)."""
    return user.has_role(*REGISTER_READERS)


def can_read_not_taken(user: User) -> bool:
    """May `user` open "Registers not taken" (a teacher sees only their own)."""
    return user.has_role(*NOT_TAKEN_ROLES)


def can_see_all_not_taken(user: User) -> bool:
    """Does `user` see every teacher's missing registers (and may pick a teacher)?"""
    return user.has_role(*NOT_TAKEN_SCHOOL_WIDE)


def can_edit_total_sessions_somewhere(user: User) -> bool:
    """Does `user`'s role set totals at all? Which classes is
    `selectors.can_edit_total_sessions` (a teacher only the classes they teach or advise)."""
    return user.has_role(*TOTAL_SESSIONS_EDITORS)


def can_manage_staff_absence(user: User) -> bool:
    return user.has_role(*STAFF_ABSENCE_MANAGERS)


def can_read_to_resolve(user: User) -> bool:
    """May `user` open "Periods to resolve"."""
    return user.has_role(*TO_RESOLVE_READERS)


def can_see_all_periods_to_resolve(user: User) -> bool:
    """Does "Periods to resolve" show `user` every period of the school (not only those
    they may resolve themselves)?"""
    return user.has_role(*TO_RESOLVE_SCHOOL_WIDE)


def can_substitute(user: User) -> bool:
    """May `user` stand in for an absent teacher (their role marks periods)?"""
    return user.has_role(*SUBSTITUTE_ROLES)


def nav_links(user: User) -> list[NavLink]:
    """The attendance pages `user` may open, in top-bar order."""
    links = []
    if can_mark(user):
        links.append(NavLink(_("My periods"), "attendance:my_periods", ("attendance:mark",)))
    links.append(NavLink(_("Attendance list"), "attendance:list"))
    if can_manage_staff_absence(user):
        links.append(NavLink(_("Staff absence"), "attendance:staff_absence"))
    if can_read_to_resolve(user):
        links.append(NavLink(_("Periods to resolve"), "attendance:to_resolve"))
    if can_manage_staff_absence(user):
        links.append(NavLink(_("Student leave"), "attendance:student_leave"))
    if user.has_role(Role.STUDENT):
        links.append(
            NavLink(_("My attendance"), "attendance:my_report", ("attendance:student_report",))
        )
    if can_read_registers(user):
        links.append(NavLink(_("Registers"), "attendance:register"))
    if can_read_not_taken(user):
        links.append(NavLink(_("Not taken"), "attendance:not_taken"))
    if can_read_audit(user):
        links.append(
            NavLink(_("Corrections"), "attendance:corrections", ("attendance:record_history",))
        )
    return links
