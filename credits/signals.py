"""Make-up credits' part of the demo, connected to attendance's `demo_loaded` signal.

Connected here because credits builds on attendance and attendance never imports credits
(ARCHITECTURE.md): `manage.py load_demo` sends the signal, this adds credits, make-up
lessons and a departed tutor (`credits.demo`).
"""

from __future__ import annotations

from django.dispatch import receiver

from academics.models import Role
from attendance.signals import demo_loaded


@receiver(demo_loaded, dispatch_uid="credits.demo_loaded")
def add_credits_to_the_demo(sender, school, logins=(), **kwargs) -> list[str]:
    from .demo import load_credits_demo  # imported late: the demo code is not needed otherwise

    usernames = {login.role: login.username for login in logins}
    return load_credits_demo(
        school=school,
        admin_username=usernames.get(Role.ADMIN),
        teacher_username=usernames.get(Role.TEACHER),
        student_username=usernames.get(Role.STUDENT),
    )
