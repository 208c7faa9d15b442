"""What guardians (and adult students) are told, one row per message
(docs/design/notifications.md).

A Notification is written when something worth telling happens (an absence, a bill, an
overdue bill) and sent by the task worker at `send_after`. Its text is composed at send
time from the data as it is then, so an absence corrected to P before then is never
sent (the row is cancelled). `key` keeps the rules "one absence notice per student per
day" and "one reminder per bill per day" in the database: unique per recipient.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from academics.models import School, StudentProfile
from billing.models import Bill


class Kind(models.TextChoices):
    ABSENCE = "absence", _("Absence")
    BILL_ISSUED = "bill_issued", _("Bill issued")
    BILL_OVERDUE = "bill_overdue", _("Bill overdue")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")


class NotificationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Notification(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="notifications")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    student = models.ForeignKey(
        StudentProfile,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        help_text=_("The child the message is about."),
    )
    bill = models.ForeignKey(
        Bill, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    day = models.DateField(
        help_text=_(
            "School-local: the day of the absence, or the day the bill was issued or reminded."
        )
    )
    key = models.CharField(
        max_length=100,
        help_text=_(
            "One message per recipient per key: absence:student:day, "
            "bill_issued:bill, bill_overdue:bill:day."
        ),
    )
    to_address = models.EmailField(blank=True, help_text=_("Where it was sent."))
    subject = models.CharField(max_length=255, blank=True)
    text_body = models.TextField(blank=True)
    html_body = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    send_after = models.DateTimeField(help_text=_("When the worker sends it."))
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_unique_key"),
        ]
        indexes = [
            models.Index(fields=["school", "-created_at"]),
            models.Index(fields=["bill", "kind"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient} ({self.day})"
