"""Setting, expiring and clearing available make-up credits (docs/design/credits.md)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from academics.models import Role, School, StudentProfile, User

from ..access import TUTOR_ROLES
from ..models import CreditChange, MakeupCredit, MakeupLesson
from ..selectors import may_set_credits

MAX_CREDITS = 1000
NOT_A_WHOLE_NUMBER = "Credit amount must be zero or a positive whole number (0, 1, 2, 3 …)."


class CreditError(ValueError):
    """A credit change was refused; nothing was written."""


class CreditPermissionError(CreditError):
    """The user may not change these credits (docs/design/credits.md: "permission to edit
    credits")."""


def parse_credit_amount(value: object) -> int:
    """A credit amount as typed or sent: a whole number 0..1000 (an int, or a string of
    digits); anything else raises CreditError with the seed's rule (docs/design/credits.md,
    rules 3, 4)."""
    if isinstance(value, bool):
        raise CreditError(NOT_A_WHOLE_NUMBER)
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()):
            raise CreditError(NOT_A_WHOLE_NUMBER)
        value = int(text)
    if not isinstance(value, int) or value < 0:
        raise CreditError(NOT_A_WHOLE_NUMBER)
    if value > MAX_CREDITS:
        raise CreditError(f"Credit amount can be at most {MAX_CREDITS}.")
    return value


@dataclass(frozen=True)
class CreditsSet:
    amount: int
    tutor: User
    credits: list[MakeupCredit]

    @property
    def message(self) -> str:
        """Step 5 of docs/design/credits.md, word for word."""
        return (
            f"Make-up credits set to {self.amount} for {len(self.credits)} student(s) with "
            f"{self.tutor}"
        )


def lock_credits(
    *, school_id: int, tutor: User, students: list[StudentProfile]
) -> dict[int, MakeupCredit]:
    """The pairs' credit rows, created at zero where missing and locked FOR UPDATE (call
    inside a transaction): StudentProfile pk → MakeupCredit. Two writers creating the same
    pair at once both end up locking the one row."""
    MakeupCredit.objects.bulk_create(
        [MakeupCredit(school_id=school_id, student=s, tutor=tutor) for s in students],
        ignore_conflicts=True,
    )
    rows = MakeupCredit.objects.select_for_update().filter(
        tutor=tutor, student_id__in=[s.pk for s in students]
    )
    return {row.student_id: row for row in rows.order_by("pk")}


def log_change(
    credit: MakeupCredit,
    *,
    kind: str,
    previous_available: int,
    actor: User | None,
    now: datetime.datetime,
    note: str = "",
    lesson=None,
) -> CreditChange:
    """A CreditChange row for `credit` as it now stands (not saved)."""
    return CreditChange(
        school_id=credit.school_id,
        credit=credit,
        student_id=credit.student_id,
        tutor_id=credit.tutor_id,
        kind=kind,
        previous_available=previous_available,
        new_available=credit.available,
        booked_after=credit.booked,
        used_after=credit.used,
        lesson=lesson,
        changed_by=actor,
        changed_at=now,
        note=note,
    )


def set_available_credits(
    *,
    students: list[StudentProfile],
    tutor: User,
    amount: object,
    actor: User,
    note: str = "",
) -> CreditsSet:
    """Set the available make-up credits of each student with `tutor` to `amount` (seed
    003, "Edit Make-Up Credits": set, not add; booked and used are untouched).

    Args:
        students: one or more students of the actor's school (seed: "at least one").
        tutor: a teacher or hod of the school, active.
        amount: a whole number 0..1000 (int or digit string; `parse_credit_amount`).
        actor: an admin (any tutor's credits) or the tutor themself for their own students.
        note: optional, kept in the change log.

    Returns CreditsSet (its `message` is the seed's success message). Writes one
    CreditChange per student, all in one transaction under row locks. Raises CreditError
    (no student, no tutor, bad amount) or CreditPermissionError; nothing is written then.
    """
    value = parse_credit_amount(amount)
    if not students:
        raise CreditError("Select at least one student.")
    if tutor is None:
        raise CreditError("Select a tutor.")
    if not tutor.has_role(*TUTOR_ROLES) or not tutor.is_active:
        raise CreditError(f"{tutor} is not an active tutor of the school.")
    unique = list({s.pk: s for s in students}.values())
    if not may_set_credits(user=actor, tutor=tutor, students=unique):
        raise CreditPermissionError(
            "A tutor may set make-up credits only for their own students, as themself; "
            "an admin may set anyone's."
        )
    with transaction.atomic():
        locked = lock_credits(school_id=actor.school_id, tutor=tutor, students=unique)
        # The time is read once the rows are ours: a change that waited for the lock is
        # later than the one it waited for, so the history (by time) chains.
        now = timezone.now()
        changes = []
        for credit in locked.values():
            previous = credit.available
            credit.available = value
            credit.available_since = now
            credit.updated_by = actor
            credit.updated_at = now
            changes.append(
                log_change(
                    credit,
                    kind=CreditChange.Kind.SET,
                    previous_available=previous,
                    actor=actor,
                    now=now,
                    note=note.strip(),
                )
            )
        MakeupCredit.objects.bulk_update(
            locked.values(), ["available", "available_since", "updated_by", "updated_at"]
        )
        CreditChange.objects.bulk_create(changes)
    return CreditsSet(amount=value, tutor=tutor, credits=list(locked.values()))


@dataclass(frozen=True)
class ExpiryResult:
    school: School
    credits: int  # pairs whose available credits expired
    amount: int  # credits expired in all


def expire_makeup_credits(
    *, school: School, now: datetime.datetime | None = None, dry_run: bool = False
) -> ExpiryResult:
    """Expire available credits set more than `school.makeup_credit_expiry_days` days
    before `now` (docs/design/credits.md: optional expiry per school; none when the setting is
    empty): their available amount becomes 0, logged as "Expired" by the system. Booked and used
    credits never expire. One transaction with the rows locked; `dry_run` writes nothing.
    """
    now = now or timezone.now()
    days = school.makeup_credit_expiry_days
    if days is None:
        return ExpiryResult(school=school, credits=0, amount=0)
    cutoff = now - datetime.timedelta(days=days)
    with transaction.atomic():
        due = MakeupCredit.objects.filter(
            school=school, available__gt=0, available_since__lt=cutoff
        )
        rows = list((due if dry_run else due.select_for_update()).order_by("pk"))
        amount = sum(row.available for row in rows)
        if not dry_run and rows:
            changes = []
            for credit in rows:
                previous = credit.available
                credit.available = 0
                credit.updated_at = now
                changes.append(
                    log_change(
                        credit,
                        kind=CreditChange.Kind.EXPIRED,
                        previous_available=previous,
                        actor=None,
                        now=now,
                        note=f"Unused for more than {days} days",
                    )
                )
            MakeupCredit.objects.bulk_update(rows, ["available", "updated_at"])
            CreditChange.objects.bulk_create(changes)
    return ExpiryResult(school=school, credits=len(rows), amount=amount)


def clear_departed_tutor_credits(*, tutor: User, actor: User, note: str = "") -> int:
    """Clear what a deactivated tutor still owes (docs/design/credits.md): their booked lessons are
    cancelled and every available credit of theirs set to 0, each change logged as
    "Cleared (tutor left)". Only an admin of the tutor's school; the tutor must be
    deactivated. Returns the number of credits cleared (available + booked). Raises
    CreditPermissionError or CreditError; nothing is written then.
    """
    if not actor.has_role(Role.ADMIN) or actor.school_id != tutor.school_id:
        raise CreditPermissionError("Only an admin of the school may clear a tutor's credits.")
    if tutor.is_active:
        raise CreditError(
            f"{tutor} is still active: deactivate the account before clearing their credits."
        )
    cleared = 0
    with transaction.atomic():
        credits = list(
            MakeupCredit.objects.select_for_update()
            .filter(tutor=tutor)
            .exclude(available=0, booked=0)
            .order_by("pk")
        )
        now = timezone.now()  # once the rows are locked, as in set_available_credits
        MakeupLesson.objects.filter(tutor=tutor, status=MakeupLesson.Status.BOOKED).update(
            status=MakeupLesson.Status.CANCELLED, finished_at=now, finished_by=actor
        )
        changes = []
        for credit in credits:
            previous = credit.available
            cleared += credit.available + credit.booked
            credit.available = 0
            credit.booked = 0
            credit.updated_by = actor
            credit.updated_at = now
            changes.append(
                log_change(
                    credit,
                    kind=CreditChange.Kind.CLEARED,
                    previous_available=previous,
                    actor=actor,
                    now=now,
                    note=note.strip() or f"{tutor} left the school",
                )
            )
        MakeupCredit.objects.bulk_update(
            credits, ["available", "booked", "updated_by", "updated_at"]
        )
        CreditChange.objects.bulk_create(changes)
    return cleared
