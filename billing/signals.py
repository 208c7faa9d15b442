"""A bill in a year stops a promotion into it from being undone
(`academics.signals.promotion_undo_requested`; docs/design/promotion.md).

Connected here because billing builds on academics and academics never imports billing
(ARCHITECTURE.md).
"""

from __future__ import annotations

from django.dispatch import receiver

from academics.signals import promotion_undo_requested


@receiver(promotion_undo_requested, dispatch_uid="billing.promotion_undo_requested")
def bills_block_undo(sender, student_ids, academic_year, **kwargs) -> list[str]:
    """A promotion can't be undone once one of its students has a bill for a period in the
    year it promoted into (docs/design/promotion.md, "Undo")."""
    from .models import Bill

    bills = Bill.objects.filter(
        student__in=student_ids,
        period_start__lte=academic_year.end_date,
        period_end__gte=academic_year.start_date,
    )
    count = bills.count()
    if not count:
        return []
    return [f"{count} bills have been issued in {academic_year} to its students."]
