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
