"""Signals of academics.

- A student user always has a StudentProfile (seed 000, "Automatic Profile Creation").
- `roster_imported` tells the apps that depend on academics that an import rewrote a
  school's structure in bulk (bulk writes send no model signals), inside the import's
  transaction: a receiver that fails rolls the whole import back.
"""

from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from .models import User
from .services.people import ensure_student_profile

# Sent with `schools=[School, ...]`, the schools the import wrote.
roster_imported = Signal()


@receiver(post_save, sender=User, dispatch_uid="academics.create_student_profile")
def create_student_profile(sender, instance: User, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata: the fixture carries its own profiles
        return
    ensure_student_profile(user=instance)


# Sent by `academics.services.promotion.undo_blockers` with `run` (PromotionRun),
# `student_ids` (its students' StudentProfile ids) and `academic_year` (the year promoted
# into). A receiver returns a list of reasons the undo must be refused (or []): the apps
# that record things against an enrollment (attendance, billing) say so here, as academics
# may not import them.
promotion_undo_requested = Signal()
