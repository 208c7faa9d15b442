"""Writes about people: users and their profiles."""

from __future__ import annotations

from ..models import GuardianProfile, Role, StudentProfile, User


def ensure_student_profile(*, user: User) -> tuple[StudentProfile | None, bool]:
    """Give a student user the StudentProfile every student must have
    (docs/design/total-sessions.md).

    Args:
        user: any user; users whose role is not student are left alone.

    Returns:
        (profile, created): the student's profile and whether it was created now;
        (None, False) for a non-student, or for a student with no school (a profile
        belongs to a school, so such a user is reported by `fix_student_profiles`).
    """
    if user.role != Role.STUDENT or user.school_id is None:
        return None, False
    profile = StudentProfile.objects.filter(user=user).first()
    if profile is not None:
        return profile, False
    return StudentProfile.objects.create(user=user, school_id=user.school_id), True


def ensure_guardian_profile(*, user: User) -> tuple[GuardianProfile | None, bool]:
    """Give a guardian user the GuardianProfile every guardian must have
    (docs/design/roles.md, "Guardians"; docs/manual/guardians.md).

    Args:
        user: any user; users whose role is not guardian are left alone.

    Returns:
        (profile, created): the guardian's profile and whether it was created now;
        (None, False) for a non-guardian, or for a guardian with no school (a profile
        belongs to a school).
    """
    if user.role != Role.GUARDIAN or user.school_id is None:
        return None, False
    profile = GuardianProfile.objects.filter(user=user).first()
    if profile is not None:
        return profile, False
    return GuardianProfile.objects.create(user=user, school_id=user.school_id), True


def set_guardian_notifications(
    *, profile: GuardianProfile, absences: bool, bills: bool, actor: User
) -> GuardianProfile:
    """Say which emails a guardian wants (docs/manual/notifications.md, "Opting out").

    Args:
        profile: the guardian's profile.
        absences: email when one of their children is marked absent (once a day at most).
        bills: email when a child's bill is issued or falls overdue.
        actor: who changes it: the guardian themself, or an admin of their school.

    Returns the saved profile. Raises PermissionError for any other actor. Notices already
    queued are not withdrawn; the choice applies to the next ones.
    """
    if not (
        actor.pk == profile.user_id
        or (actor.is_school_admin and actor.school_id == profile.school_id)
    ):
        raise PermissionError("Only the guardian or their school's admin may change this.")
    profile.notify_absences = absences
    profile.notify_bills = bills
    profile.updated_by = actor
    profile.save(update_fields=["notify_absences", "notify_bills", "updated_by", "updated_at"])
    return profile
