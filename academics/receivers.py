"""Academics' own receivers: a student user always has a StudentProfile and a guardian
user a GuardianProfile, whichever path saved the user (docs/design/roles.md)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import User
from .services.people import ensure_guardian_profile, ensure_student_profile


@receiver(post_save, sender=User, dispatch_uid="academics.create_student_profile")
def create_student_profile(sender, instance: User, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata: the fixture carries its own profiles
        return
    ensure_student_profile(user=instance)


@receiver(post_save, sender=User, dispatch_uid="academics.create_guardian_profile")
def create_guardian_profile(sender, instance: User, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata: the fixture carries its own profiles
        return
    ensure_guardian_profile(user=instance)
