"""Sending a notification: the task the worker runs (docs/design/notifications.md,
"Sending").

The row is locked while it is composed, so two workers never both send it; the email
goes out through the `delivery` mailer directly (this already runs in the worker, so
there is nothing to queue). A failed send is tried again after `academics.mail.
retry_delay` until `EMAIL_DELIVERY_ATTEMPTS` tries, then the row is `failed` with the
error; each attempt's error is also on its task result.
"""

from __future__ import annotations

import logging

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from academics.mail import DELIVERY_MAILER, delivery_attempts, retry_delay

from ..models import Notification, NotificationStatus
from .compose import compose

logger = logging.getLogger("rollbook.notifications")


@task()
def send_notification(notification_id: int) -> str:
    """Compose and send one queued notification; returns what happened ("sent",
    "cancelled", "not queued (sent)"…). Raises the delivery error after recording it."""
    return deliver(notification_id=notification_id)


def deliver(*, notification_id: int) -> str:
    """See `send_notification`. A notification that is not queued (sent, failed,
    cancelled, or deleted) is left alone, so a repeated task sends nothing twice."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "student__user", "school")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None:
            return "gone"
        if notification.status != NotificationStatus.QUEUED:
            return f"not queued ({notification.status})"
        composed = compose(notification)
        if composed is None:
            notification.status = NotificationStatus.CANCELLED
            notification.save(update_fields=["status"])
            return "cancelled"
        notification.subject = composed.subject[:255]
        notification.text_body = composed.text
        notification.html_body = composed.html
        notification.to_address = notification.recipient.email
        if not notification.to_address:
            notification.status = NotificationStatus.FAILED
            notification.last_error = "The recipient has no email address."
            notification.save()
            return "failed: no address"
        # Claimed: a second task for the same row now finds it not queued.
        notification.status = NotificationStatus.SENT
        notification.save()

    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.text_body,
        to=[notification.to_address],
    )
    message.attach_alternative(notification.html_body, "text/html")
    try:
        message.send(using=DELIVERY_MAILER)
    except Exception as exc:
        _record_failure(notification, exc)
        raise
    notification.attempts += 1
    notification.sent_at = timezone.now()
    notification.last_error = ""
    notification.save(update_fields=["attempts", "sent_at", "last_error"])
    return "sent"


def _record_failure(notification: Notification, exc: Exception) -> None:
    notification.attempts += 1
    notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    total = delivery_attempts()
    if notification.attempts < total:
        notification.status = NotificationStatus.QUEUED
        notification.send_after = timezone.now() + retry_delay(notification.attempts)
        logger.warning(
            "Notification %s to %s failed (attempt %d of %d): %s",
            notification.pk,
            notification.to_address,
            notification.attempts,
            total,
            exc,
        )
        send_notification.using(run_after=notification.send_after).enqueue(notification.pk)
    else:
        notification.status = NotificationStatus.FAILED
        logger.error(
            "Notification %s to %s failed after %d attempts: %s",
            notification.pk,
            notification.to_address,
            total,
            exc,
        )
    notification.save(update_fields=["attempts", "last_error", "status", "send_after"])
