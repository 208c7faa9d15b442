"""Reads for make-up credits (docs/design/credits.md): who a user may see, tutors and
their students, balances, a student's lessons and a pair's history. Split by noun; this
package re-exports the public names.
"""

# Role sets live in credits.access; re-exported here because callers outside this app's
# views (credits/demo.py) still import TUTOR_ROLES from credits.selectors.
from ..access import TUTOR_ROLES  # noqa: F401
from .lessons import (
    available_by_student,
    credit_balances,
    credit_changes,
    credit_holders,
    own_student,
    pair_balance,
    school_user,
    student_lesson,
    student_lessons,
    tutors_by_ids,
    visible_credit,
    visible_lesson,
)
from .students import (
    TutorBalance,
    assigned_tutor_ids,
    balances_by_student,
    credits_summary,
    listed_students,
    may_set_credits,
    pair_credits,
    school_tutors,
    tutor_choices,
    tutor_classes,
    tutor_students,
    visible_student,
    visible_students,
)

__all__ = [
    "TutorBalance",
    "assigned_tutor_ids",
    "balances_by_student",
    "credit_balances",
    "credit_changes",
    "available_by_student",
    "credit_holders",
    "credits_summary",
    "listed_students",
    "may_set_credits",
    "own_student",
    "pair_balance",
    "pair_credits",
    "school_tutors",
    "school_user",
    "student_lesson",
    "student_lessons",
    "tutor_choices",
    "tutor_classes",
    "tutor_students",
    "tutors_by_ids",
    "visible_credit",
    "visible_lesson",
    "visible_student",
    "visible_students",
]
