"""Test helpers for mail that leaves the request (academics/mail.py): the queued mailer
switched on, and the real task worker run until the queue is empty.

pytest-django (Django's test set-up) makes every mailer the locmem backend, so a test of
the queue names its mailers itself: `default` queues, `delivery` is locmem (the outbox)
or a backend that fails.
"""

from __future__ import annotations

import smtplib
from io import StringIO

import pytest
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def queued_mailers(delivery: str = LOCMEM) -> dict:
    return {
        "default": {"BACKEND": "academics.mail.QueuedEmailBackend"},
        "delivery": {"BACKEND": delivery},
    }


@pytest.fixture
def queued_mail(settings):
    """The production arrangement: the default mailer queues, the worker delivers to the
    test outbox; retries wait 0 s so one batch run of the worker tries them all."""
    settings.MAILERS = queued_mailers()
    settings.EMAIL_RETRY_DELAY = 0
    settings.EMAIL_DELIVERY_ATTEMPTS = 3
    return settings


def run_worker() -> str:
    """django-tasks-db's worker, as `manage.py db_worker --batch`: runs every task that is
    due, then exits. Needs a test with real commits (transactional_db): the worker closes
    and reopens the connection between tasks, as in production."""
    out = StringIO()
    call_command(
        "db_worker",
        batch=True,
        reload=False,
        startup_delay=False,
        interval=0,
        verbosity=1,
        stdout=out,
    )
    return out.getvalue()


class FailingBackend(LocmemBackend):
    """A delivery mailer whose server refuses every message."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class FailingOnceBackend(LocmemBackend):
    """A delivery mailer whose server refuses the first message, then recovers."""

    failures_left = 0

    def send_messages(self, messages):
        if FailingOnceBackend.failures_left > 0:
            FailingOnceBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
