"""Billing's part of the demo, connected to attendance's `demo_loaded` signal.

Connected here because billing builds on attendance and attendance never imports billing
(ARCHITECTURE.md): `manage.py load_demo` sends the signal, this adds prices, bills and
payments (`billing.demo`).
"""

from __future__ import annotations

from django.dispatch import receiver

from academics.models import Role
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
