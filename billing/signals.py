"""Billing's part of the demo, connected to attendance's `demo_loaded` signal.

Connected here because billing builds on attendance and attendance never imports billing
(ARCHITECTURE.md): `manage.py load_demo` sends the signal, this adds prices, bills and
payments (`billing.demo`). Likewise a bill in a year stops a promotion into it from being
undone (`academics.signals.promotion_undo_requested`).
"""

from __future__ import annotations

from django.dispatch import receiver

from academics.models import Role
from academics.signals import promotion_undo_requested
from attendance.signals import demo_loaded


@receiver(demo_loaded, dispatch_uid="billing.demo_loaded")
def add_billing_to_the_demo(sender, school, logins=(), **kwargs) -> list[str]:
    from .demo import load_billing_demo  # imported late: the demo code is not needed otherwise

    usernames = {login.role: login.username for login in logins}
    return load_billing_demo(
        school=school,
        accountant_username=usernames.get(Role.ACCOUNTANT),
        student_username=usernames.get(Role.STUDENT),
    )


@receiver(promotion_undo_requested, dispatch_uid="billing.promotion_undo_requested")
def bills_block_undo(sender, student_ids, academic_year, **kwargs) -> list[str]:
    """A promotion can't be undone once one of its students has a bill for a period in the
    year it promoted into (issue 7, "Undo")."""
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
