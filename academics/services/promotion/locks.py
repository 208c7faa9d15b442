"""The row locks of promotion's writes (docs/design/promotion.md): an execution or
undo locks both academic years at once or is refused; a run is read again under a lock
before it changes.
"""

from __future__ import annotations

from django.db import DatabaseError, transaction

from ...models import (
    AcademicYear,
    PromotionRun,
)
from .shapes import PromotionBusy


def _lock_years(run: PromotionRun) -> None:
    """Lock both academic years, or refuse at once: a second execution (or undo) between
    the same years must not wait and then run on a plan the first has made stale
    (docs/design/promotion.md). Must run inside the caller's transaction; NOWAIT is
    ignored on SQLite, which allows one writer at a time anyway."""
    try:
        # A savepoint: after a refused lock the transaction stays usable (the message below
        # may still have to read the years' names).
        with transaction.atomic():
            list(
                AcademicYear.objects.select_for_update(nowait=True)
                .filter(pk__in=[run.from_year_id, run.to_year_id])
                .order_by("pk")
            )
    except DatabaseError as exc:
        raise PromotionBusy(
            f"Another promotion between {run.from_year} and {run.to_year} is running right "
            "now. Nothing was changed; try again when it has finished."
        ) from exc


def _locked(run: PromotionRun) -> PromotionRun:
    """The run read again under a row lock, with its school and years."""
    return (
        PromotionRun.objects.select_for_update()
        .select_related("school", "from_year", "to_year")
        .get(pk=run.pk)
    )
