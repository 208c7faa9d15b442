"""Putting notifications on the worker's queue, and resending (docs/design/notifications.md)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.db import transaction
from django.utils import timezone

from ..models import Notification, NotificationStatus
from .delivery import send_notification

_muted: ContextVar[bool] = ContextVar("notifications_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    """Within this block (the commits inside it included) attendance and bills notify
    nobody: the demo's thousands of generated marks and bills are not news to anyone."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def is_muted() -> bool:
    return _muted.get()


def schedule(notification: Notification) -> None:
    """Enqueue the sending of `notification` at its `send_after`, once the current
    transaction commits (nothing if it rolls back; a failure to enqueue is logged)."""
    transaction.on_commit(partial(_enqueue, notification.pk, notification.send_after), robust=True)


def _enqueue(notification_id: int, send_after) -> None:
    send_notification.using(run_after=send_after).enqueue(notification_id)


def resend(notifications: Iterable[Notification]) -> int:
    """Queue each of `notifications` again, to be composed afresh and sent now, whatever
    its status (a sent one is sent again; a cancelled absence notice is sent if absences
    remain, else cancelled again). Returns how many were queued."""
    count = 0
    now = timezone.now()
    with transaction.atomic():
        for notification in notifications:
            notification.status = NotificationStatus.QUEUED
            notification.attempts = 0
            notification.last_error = ""
            notification.send_after = now
            notification.save(update_fields=["status", "attempts", "last_error", "send_after"])
            schedule(notification)
            count += 1
    return count
