"""A bill in a year stops a promotion into it from being undone
(`academics.signals.promotion_undo_requested`; docs/design/promotion.md).

Connected here because billing builds on academics and academics never imports billing
(ARCHITECTURE.md).

Billing's own signal, for the apps built on it:

- `bills_generated` is sent after the transaction of `generate_bills` commits, with
  `created=[Bill, ...]` (new bills) and `updated=[Bill, ...]` (recalculated ones).
  Receivers are called robustly: one that fails is logged and never undoes the bills
  (notifications use it: docs/design/notifications.md).
"""

from __future__ import annotations

from django.dispatch import Signal, receiver

from academics.signals import promotion_undo_requested

# Sent with `created` and `updated` (lists of Bill) after their transaction commits.
bills_generated = Signal()


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
