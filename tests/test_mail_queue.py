"""Email leaves the request (academics/mail.py, docs/operations/email.md): sent through
Django's mail API, enqueued when the transaction commits, delivered by the worker, retried
when the mail server fails, and never raised into the code that sent it."""

import logging

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.db import transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from academics.mail import deserialize_message, retry_delay, serialize_message
from tests.mailqueue import FailingOnceBackend, queued_mail, queued_mailers, run_worker
from tests.test_deploy import run_in_production

__all__ = ["queued_mail"]  # the fixture


def _send(subject="Welcome"):
    return send_mail(subject, "Hello.", None, ["parent@example.com"])


@pytest.mark.django_db(transaction=True)
def test_mail_sent_in_a_committed_transaction_is_delivered_by_the_worker(queued_mail):
    with transaction.atomic():
        assert _send() == 1
        assert DBTaskResult.objects.count() == 0  # not before the commit

    assert mail.outbox == []  # the request itself sent nothing
    assert DBTaskResult.objects.get().status == TaskResultStatus.READY
    run_worker()

    [message] = mail.outbox
    assert message.subject == "Welcome"
    assert message.to == ["parent@example.com"]
    assert message.sent_using == "delivery"
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


@pytest.mark.django_db(transaction=True)
def test_mail_of_a_rolled_back_transaction_is_never_sent(queued_mail):
    with pytest.raises(RuntimeError), transaction.atomic():
        _send()
        raise RuntimeError("the marking was refused")

    run_worker()

    assert DBTaskResult.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_failing_mail_server_is_retried_then_recorded_as_failed(queued_mail, caplog):
    queued_mail.MAILERS = queued_mailers("tests.mailqueue.FailingBackend")

    assert _send() == 1  # the sender hears nothing of the failure
    with caplog.at_level(logging.WARNING, logger="rollbook.mail"):
        run_worker()

    attempts = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [a.status for a in attempts] == [TaskResultStatus.FAILED] * 3  # 3 attempts, no more
    assert [a.args_kwargs["kwargs"]["attempt"] for a in attempts] == [1, 2, 3]
    assert all(a.exception_class_path.endswith("SMTPServerDisconnected") for a in attempts)
    assert "failed after 3 attempts, giving up" in caplog.text
    assert "“Welcome” to parent@example.com" in caplog.text
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_message_that_fails_once_is_delivered_on_the_next_attempt(queued_mail):
    queued_mail.MAILERS = queued_mailers("tests.mailqueue.FailingOnceBackend")
    FailingOnceBackend.failures_left = 1

    _send()
    run_worker()

    statuses = list(DBTaskResult.objects.order_by("enqueued_at").values_list("status", flat=True))
    assert statuses == [TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL]
    assert [m.subject for m in mail.outbox] == ["Welcome"]


def test_a_retry_waits_longer_after_each_failure(settings):
    settings.EMAIL_RETRY_DELAY = 60
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3)] == [60, 240, 960]


def test_html_alternative_attachment_and_headers_survive_the_queue():
    message = EmailMultiAlternatives(
        "Bill",
        "Text",
        "office@school.example",
        ["a@example.com"],
        cc=["b@example.com"],
        reply_to=["office@school.example"],
        headers={"X-Rollbook": "1"},
    )
    message.attach_alternative("<p>HTML</p>", "text/html")
    message.attach("bill.csv", "a,b\n1,2\n", "text/csv")
    message.attach("logo.png", b"\x89PNG\x00", "image/png")

    copy = deserialize_message(serialize_message(message))

    assert (copy.subject, copy.body, copy.from_email) == ("Bill", "Text", "office@school.example")
    assert (copy.to, copy.cc, copy.reply_to) == (message.to, message.cc, message.reply_to)
    assert copy.extra_headers == {"X-Rollbook": "1"}
    assert copy.alternatives == [("<p>HTML</p>", "text/html")]
    assert [tuple(a) for a in copy.attachments] == [
        ("bill.csv", "a,b\n1,2\n", "text/csv"),
        ("logo.png", b"\x89PNG\x00", "image/png"),
    ]


def test_email_url_sets_the_delivery_mailer_and_everything_is_queued(tmp_path):
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.MAILERS['default']['BACKEND']); "
        "print(settings.MAILERS['delivery']); print(settings.DEFAULT_FROM_EMAIL); "
        "print(settings.TASKS['default']['BACKEND'])"
    )
    result = run_in_production(
        "-c",
        script,
        tmp_path=tmp_path,
        extra_env={
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "EMAIL_URL": "smtp+tls://mailer:s3cret@smtp.example.com:587",
            "DEFAULT_FROM_EMAIL": "Nile Academy <office@nile.example>",
        },
    )
    assert result.returncode == 0, result.stderr
    queued, delivery, sender, tasks = result.stdout.splitlines()
    assert queued == "academics.mail.QueuedEmailBackend"
    assert delivery == str(
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": "smtp.example.com",
                "port": 587,
                "username": "mailer",
                "password": "s3cret",
                "use_tls": True,
                "timeout": 20,
            },
        }
    )
    assert sender == "Nile Academy <office@nile.example>"
    assert tasks == "django_tasks_db.DatabaseBackend"
