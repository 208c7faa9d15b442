"""Email leaves the request: every message sent through Django's mail API (sign-in and
password emails, invitations, anything else) goes to the `default` mailer, which is
`QueuedEmailBackend`; it turns each message into a background task enqueued when the
current transaction commits, and the task worker (`manage.py db_worker`) delivers it with
the `delivery` mailer, the real backend configured by `EMAIL_URL`
(docs/operations/email.md). Notifications are already composed and sent by a task of
their own, so they use the `delivery` mailer directly, with the same retry rule.

- Nothing is enqueued for a transaction that rolls back, so a refused marking or billing
  sends nothing.
- A delivery that fails is tried again later (`EMAIL_DELIVERY_ATTEMPTS` tries in all,
  waiting `retry_delay` between them) and the failure is logged and kept on the task's
  result row; the request that sent the message never sees it.

Django's tasks framework has no retry of its own: a failed attempt enqueues the next one
with `run_after`, then raises, so each attempt's result row records its error.
"""

from __future__ import annotations

import base64
import datetime
import logging
from collections.abc import Sequence
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger("rollbook.mail")

# The MAILERS alias that really sends (config/settings.py, "Email and background tasks").
DELIVERY_MAILER = "delivery"


def delivery_attempts() -> int:
    """How many times a message is tried in all before it is recorded as failed."""
    return max(1, int(getattr(settings, "EMAIL_DELIVERY_ATTEMPTS", 5)))


def retry_delay(attempt: int) -> datetime.timedelta:
    """The wait after failed attempt number `attempt` (1-based): `EMAIL_RETRY_DELAY`
    seconds, multiplied by 4 after each further failure (1, 4, 16, 64 minutes with the
    default of 60 s)."""
    base = float(getattr(settings, "EMAIL_RETRY_DELAY", 60))
    return datetime.timedelta(seconds=base * 4 ** max(0, attempt - 1))


def serialize_message(message: EmailMessage) -> dict:
    """A JSON-ready copy of `message`: what a task argument may hold.

    Raises TypeError for an attachment given as a ready-made MIME part, which cannot be
    carried through JSON (Rollbook attaches files by name, content and type only)."""
    attachments = []
    for attachment in message.attachments:
        if not isinstance(attachment, tuple):
            raise TypeError("MIME-part attachments cannot be queued; attach name, content, type.")
        filename, content, mimetype = attachment
        raw = content.encode() if isinstance(content, str) else bytes(content)
        attachments.append([filename, base64.b64encode(raw).decode("ascii"), mimetype])
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": str(message.from_email),
        "to": [str(a) for a in message.to],
        "cc": [str(a) for a in message.cc],
        "bcc": [str(a) for a in message.bcc],
        "reply_to": [str(a) for a in message.reply_to],
        "headers": {str(k): str(v) for k, v in message.extra_headers.items()},
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": attachments,
        "content_subtype": message.content_subtype,
    }


def deserialize_message(data: dict) -> EmailMultiAlternatives:
    """The message `serialize_message` copied."""
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    message.content_subtype = data.get("content_subtype", "plain")
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    for filename, content, mimetype in data["attachments"]:
        raw = base64.b64decode(content)
        message.attach(filename, raw.decode() if mimetype.startswith("text/") else raw, mimetype)
    return message


def describe(data: dict) -> str:
    """For the log: subject and recipients, never the body."""
    return f"“{data['subject']}” to {', '.join(data['to'] + data['cc'] + data['bcc'])}"


class QueuedEmailBackend(BaseEmailBackend):
    """The `default` mailer: queues each message for the worker instead of sending it.

    The task is enqueued when the current transaction commits (`transaction.on_commit`,
    robust: a failure to enqueue is logged, never raised into the request); outside a
    transaction at once. `deliver_using` names the mailer the worker sends with."""

    def __init__(self, *, deliver_using: str = DELIVERY_MAILER, **kwargs):
        super().__init__(**kwargs)
        self.deliver_using = deliver_using

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            message.message()  # Bad headers raise here, in the caller, as with SMTP.
            data = serialize_message(message)
            transaction.on_commit(partial(_enqueue, data, self.deliver_using), robust=True)
            count += 1
        return count


def _enqueue(data: dict, using: str) -> None:
    deliver_email.enqueue(data, using=using, attempt=1)


@task()
def deliver_email(message: dict, *, using: str = DELIVERY_MAILER, attempt: int = 1) -> str:
    """Send one queued message with the `using` mailer (the worker runs this).

    A failure enqueues the next attempt after `retry_delay(attempt)` while attempts remain,
    and raises, so this attempt's task result is FAILED with the error; after the last
    attempt it logs an error and raises. Returns what was sent, for the task result."""
    email = deserialize_message(message)
    try:
        sent = email.send(using=using)
    except Exception as exc:
        total = delivery_attempts()
        if attempt < total:
            delay = retry_delay(attempt)
            logger.warning(
                "Email %s failed (attempt %d of %d: %s); trying again in %s.",
                describe(message),
                attempt,
                total,
                exc,
                delay,
            )
            deliver_email.using(run_after=timezone.now() + delay).enqueue(
                message, using=using, attempt=attempt + 1
            )
        else:
            logger.error(
                "Email %s failed after %d attempts, giving up: %s",
                describe(message),
                total,
                exc,
            )
        raise
    return f"sent {sent} message to {len(email.recipients())} recipients"
