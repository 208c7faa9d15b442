"""Total-sessions overrides: the denominator of a student's attendance percentage
(docs/design/total-sessions.md, "Dynamic total sessions").

Every write goes through here: the teacher's inline edit, the bulk update, the JSON
endpoint and the Django admin, so the rules and messages are the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from academics.models import Membership, SchoolClass, StudentProfile, Subject, User

from ..models import TotalSessionsOverride
from ..selectors.total_sessions import countable_records_by_student, countable_records_covered

# The two documented messages (docs/design/total-sessions.md, "Validation Errors").
BELOW_ACTUAL = "Total sessions cannot be less than actual records"
NOT_A_NUMBER = "Must be a valid positive number"
# A year of daily periods is a few hundred; anything past this is a typing slip.
MAX_TOTAL_SESSIONS = 10_000


class TotalSessionsError(ValueError):
    """An override was refused; nothing was written. `str()` is the message to show."""


class InvalidTotal(TotalSessionsError):
    def __init__(self, message: str = NOT_A_NUMBER):
        super().__init__(message)


class TotalBelowActual(TotalSessionsError):
    def __init__(self, actual: int):
        self.actual = actual
        super().__init__(f"{BELOW_ACTUAL} ({actual})")


class NotAMember(TotalSessionsError):
    def __init__(self, student: StudentProfile, school_class: SchoolClass):
        super().__init__(f"{student} is not in {school_class}")


@dataclass(frozen=True)
class Offender:
    student: StudentProfile
    reason: str


class BulkTotalRejected(TotalSessionsError):
    """Some students can't take the total; nothing was applied to anyone.

    `lowest_valid` is the smallest total every listed member could take (the most actual
    records any of them has), or None when some student is not in the class at all.
    """

    def __init__(self, offenders: list[Offender], lowest_valid: int | None = None):
        self.offenders = offenders
        self.lowest_valid = lowest_valid
        count = len(offenders)
        super().__init__(
            f"Nothing was changed: the total does not fit {count} student"
            f"{'s' if count != 1 else ''}."
        )


def parse_total_sessions(value: object) -> int:
    """A total from a form or JSON: a whole number 0 ≤ n ≤ MAX_TOTAL_SESSIONS.

    Accepts ints and strings of digits ("50", " 50 ", "50.0"); refuses booleans, other
    fractions, exponent notation ("1e3"), negatives, blanks and anything else with
    InvalidTotal ("Must be a valid positive number", docs/design/total-sessions.md).
    """
    if isinstance(value, bool) or value is None:
        raise InvalidTotal()
    if isinstance(value, int):
        number = Decimal(value)
    else:
        text = str(value).strip()
        if "e" in text.lower():  # "1e3" is a float's notation, not a count of sessions
            raise InvalidTotal()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise InvalidTotal() from None
    if not number.is_finite() or number != number.to_integral_value() or number < 0:
        raise InvalidTotal()
    if number > MAX_TOTAL_SESSIONS:
        raise InvalidTotal(f"Must be at most {MAX_TOTAL_SESSIONS:,}")
    return int(number)


@transaction.atomic
def set_total_sessions(
    *,
    student: StudentProfile,
    school_class: SchoolClass,
    subject: Subject | None = None,
    total: int,
    actor: User,
) -> TotalSessionsOverride:
    """Set the percentage denominator for one student in one class (docs/design/total-sessions.md).

    Args:
        student, school_class: the student must be (or have been) a member of the class.
        subject: None for "all subjects of this class" (the attendance list's figure).
        total: whole number of sessions ≥ the countable records it covers
            (`countable_records_covered`); call `parse_total_sessions` on raw input first.
        actor: becomes updated_by (and created_by of a new override) and the history user.

    Returns the saved override; its history (django-simple-history) keeps old and new.

    Raises (nothing written): InvalidTotal, TotalBelowActual, NotAMember.
    """
    total = parse_total_sessions(total)
    _check_member(student=student, school_class=school_class)
    # Lock the student's override row (if any) so two editors can't interleave their
    # check and write; a first insert races on the unique constraint instead.
    existing = (
        TotalSessionsOverride.objects.select_for_update()
        .filter(student=student, school_class=school_class, subject=subject)
        .first()
    )
    actual = countable_records_covered(student=student, school_class=school_class, subject=subject)
    if total < actual:
        raise TotalBelowActual(actual)
    if existing is not None:
        return _save_total(existing, total=total, actor=actor)
    try:
        # A savepoint: two first saves at once both find no row; the loser's insert hits
        # the unique constraint and becomes an update of the winner's row instead of a 500.
        with transaction.atomic():
            return _save_total(
                TotalSessionsOverride(
                    school_id=school_class.school_id,
                    student=student,
                    school_class=school_class,
                    subject=subject,
                    created_by=actor,
                ),
                total=total,
                actor=actor,
            )
    except IntegrityError:
        winner = TotalSessionsOverride.objects.select_for_update().get(
            student=student, school_class=school_class, subject=subject
        )
        return _save_total(winner, total=total, actor=actor)


def _save_total(override: TotalSessionsOverride, *, total: int, actor: User):
    override.total_sessions = total
    override.updated_by = actor
    override._history_user = actor
    override.save()
    return override


@transaction.atomic
def clear_total_sessions(
    *,
    student: StudentProfile,
    school_class: SchoolClass,
    subject: Subject | None = None,
    actor: User,
) -> bool:
    """Remove the override, so the percentage is measured against the actual records again.

    Returns True if there was one to remove (its deletion stays in the history).
    """
    override = (
        TotalSessionsOverride.objects.select_for_update()
        .filter(student=student, school_class=school_class, subject=subject)
        .first()
    )
    if override is None:
        return False
    override._history_user = actor
    override.delete()
    return True


@transaction.atomic
def bulk_set_total_sessions(
    *,
    students: list[StudentProfile],
    school_class: SchoolClass,
    subject: Subject | None = None,
    total: int,
    actor: User,
) -> list[TotalSessionsOverride]:
    """ "Bulk Update Sessions" (docs/design/total-sessions.md): one total for every listed student
    of a class.

    All or nothing: if the total is below any student's countable records, or a student
    is not in the class, raises BulkTotalRejected listing every offender with the reason,
    and writes nothing. Queries: a fixed number, whatever the number of students.

    Returns the saved overrides, in the order of `students` (a student listed twice — two
    memberships of the class after leaving and rejoining — is written and returned once).
    """
    total = parse_total_sessions(total)
    students = list({s.pk: s for s in students}.values())
    student_ids = [s.pk for s in students]
    check_bulk_total(students=students, school_class=school_class, subject=subject, total=total)

    existing = {
        o.student_id: o
        for o in TotalSessionsOverride.objects.select_for_update().filter(
            school_class=school_class, subject=subject, student_id__in=student_ids
        )
    }
    now = timezone.now()
    to_create, to_update = [], []
    for student in students:
        override = existing.get(student.pk)
        if override is None:
            override = TotalSessionsOverride(
                school_id=school_class.school_id,
                student=student,
                school_class=school_class,
                subject=subject,
                created_by=actor,
            )
            to_create.append(override)
        else:
            to_update.append(override)
        override.total_sessions = total
        override.updated_by = actor
        override.updated_at = now  # bulk_update skips auto_now
    # simple-history's bulk helpers write a history row per override (who, when, new
    # value; the old value is the previous history row).
    if to_create:
        bulk_create_with_history(
            to_create, TotalSessionsOverride, default_user=actor, default_date=now
        )
    if to_update:
        bulk_update_with_history(
            to_update,
            TotalSessionsOverride,
            ["total_sessions", "updated_by", "updated_at"],
            default_user=actor,
            default_date=now,
        )
    by_student = {o.student_id: o for o in to_create + to_update}
    return [by_student[s.pk] for s in students]


def check_bulk_total(
    *,
    students: list[StudentProfile],
    school_class: SchoolClass,
    subject: Subject | None = None,
    total: int,
) -> None:
    """Check that every listed student can take `total`, without writing anything — the
    bulk update runs it before asking to confirm, and again when it writes
    (docs/design/total-sessions.md, "A whole class at once").

    Args:
        students: the students the list shows for the class.
        total: an already parsed whole number of sessions.

    Raises:
        BulkTotalRejected: listing every student who is not in the class or whose countable
            records pass `total`, with `lowest_valid` — the largest count of actual records
            among the members, the lowest total all of them can take (None if some student
            is not in the class).

    Queries: two, whatever the number of students.
    """
    student_ids = [s.pk for s in students]
    members = set(
        Membership.objects.filter(
            school_class=school_class, student_id__in=student_ids
        ).values_list("student_id", flat=True)
    )
    actual = countable_records_by_student(
        school_class=school_class, subject=subject, student_ids=student_ids
    )
    offenders = []
    for student in students:
        if student.pk not in members:
            offenders.append(Offender(student, f"not in {school_class}"))
        elif total < actual.get(student.pk, 0):
            offenders.append(Offender(student, f"{BELOW_ACTUAL} ({actual[student.pk]})"))
    if offenders:
        everyone_member = all(s.pk in members for s in students)
        lowest = max((actual.get(pk, 0) for pk in student_ids), default=0)
        raise BulkTotalRejected(offenders, lowest if everyone_member else None)


def _check_member(*, student: StudentProfile, school_class: SchoolClass) -> None:
    if not Membership.objects.filter(student=student, school_class=school_class).exists():
        raise NotAMember(student, school_class)
