"""The signals academics sends to the apps built on it, which it may not import.

- `roster_imported` tells them that an import rewrote a school's structure in bulk (bulk
  writes send no model signals), inside the import's transaction: a receiver that fails
  rolls the whole import back.
- `promotion_undo_requested` asks them whether a promotion may still be undone.

Academics' own receivers are in `receivers.py`: this module imports nothing of academics,
so services can send these signals without an import circle.
"""

from django.dispatch import Signal

# Sent with `schools=[School, ...]`, the schools the import wrote.
roster_imported = Signal()

# Sent by `academics.services.promotion.undo_blockers` with `run` (PromotionRun),
# `student_ids` (its students' StudentProfile ids) and `academic_year` (the year promoted
# into). A receiver returns a list of reasons the undo must be refused (or []): the apps
# that record things against an enrollment (attendance, billing) say so here, as academics
# may not import them (docs/design/promotion.md).
promotion_undo_requested = Signal()
