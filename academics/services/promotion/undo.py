"""Promotion step 5, undoing an executed run (docs/design/promotion.md) while nothing
has been recorded against its new enrollments.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict

from django.db import transaction
from django.utils import timezone

from ...models import (
    Enrollment,
    Membership,
    PromotionLog,
    PromotionRun,
    StudentProfile,
    User,
)
from ...signals import promotion_undo_requested
from .execution import _log
from .locks import _lock_years, _locked
from .shapes import PromotionError


def undo_blockers(run: PromotionRun) -> list[str]:
    """Why `run` can't be undone now, or [] when it can.

    Only an executed run can be undone, and only while nothing has been recorded against
    its new enrollments: they must still be active (not promoted on by a later run), and
    no app may object — attendance refuses once a record exists in the target year for
    one of the students, billing once a bill does (`academics.signals.
    promotion_undo_requested`).
    """
    run.refresh_from_db(fields=["status"])
    if run.status != PromotionRun.Status.EXECUTED:
        status = run.get_status_display().lower()
        return [f"Run #{run.pk} is {status}: only an executed run can be undone."]
    rows = run.rows.all()
    new_ids = [pk for pk in rows.values_list("new_enrollment", flat=True) if pk]
    reasons = []
    changed = Enrollment.objects.filter(pk__in=new_ids).exclude(status=Enrollment.Status.ACTIVE)
    if changed.exists():
        reasons.append(
            f"{changed.count()} of its new enrollments in {run.to_year} have changed status "
            "since (promoted on, or marked as left): undo the later change first."
        )
    student_ids = list(rows.values_list("student", flat=True))
    for _receiver, response in promotion_undo_requested.send(
        sender=PromotionRun, run=run, student_ids=student_ids, academic_year=run.to_year
    ):
        reasons.extend(response or [])
    return reasons


def undo_promotion(*, run: PromotionRun, actor: User) -> PromotionLog:
    """Take an executed run back (docs/design/promotion.md): its new enrollments and memberships are
    deleted, the old enrollments get their statuses back and the students their active
    flags, the run is marked undone and the undo logged. One transaction, with the same
    year locks as execution.

    Returns the PromotionLog of the undo. Raises PromotionError (nothing written) when
    `undo_blockers` gives a reason, or PromotionBusy.
    """
    started = time.perf_counter()
    with transaction.atomic():
        _lock_years(run)
        run = _locked(run)
        reasons = undo_blockers(run)
        if reasons:
            raise PromotionError(reasons)
        rows = list(run.rows.select_related("from_enrollment", "student"))
        Membership.objects.filter(
            pk__in=[r.new_membership_id for r in rows if r.new_membership_id]
        ).delete()
        Enrollment.objects.filter(
            pk__in=[r.new_enrollment_id for r in rows if r.new_enrollment_id]
        ).delete()
        now = timezone.now()
        # By value, not bulk_update (see `_apply`): an UPDATE per old status and flag.
        statuses: dict[str, list[int]] = defaultdict(list)
        flags: dict[bool, list[int]] = defaultdict(list)
        for row in rows:
            statuses[row.previous_status or Enrollment.Status.ACTIVE].append(row.from_enrollment_id)
            if row.previous_student_active is not None:
                flags[row.previous_student_active].append(row.student_id)
        for status, ids in statuses.items():
            Enrollment.objects.filter(pk__in=ids).update(
                status=status, updated_by=actor, updated_at=now
            )
        for active, ids in flags.items():
            StudentProfile.objects.filter(pk__in=ids).update(
                is_active=active, updated_by=actor, updated_at=now
            )
        counts = Counter(row.action for row in rows)
        run.status = PromotionRun.Status.REVERTED
        run.reverted_at, run.reverted_by, run.updated_by = now, actor, actor
        run.save(update_fields=["status", "reverted_at", "reverted_by", "updated_by", "updated_at"])
        return _log(
            run,
            PromotionLog.Event.REVERTED,
            counts,
            actor=actor,
            seconds=time.perf_counter() - started,
            notes=f"Undid run #{run.pk}.",
        )
