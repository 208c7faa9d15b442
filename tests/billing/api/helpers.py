"""Helpers shared by the billing JSON API tests: the endpoints' addresses and calls."""

import datetime
import json
from decimal import Decimal

from django.urls import reverse

from billing.models import Bill
from billing.services import record_payment

GENERATE = reverse("billing_api:generate")


OCT = {"startDate": "2025-10-01", "endDate": "2025-10-31"}


MISSING = object()


NOT_PRICED = "Math Level 1 has no price per session, so it cannot be billed."


def calculate_url(group_id) -> str:
    return reverse("billing_api:calculate", args=[str(group_id)])


def revenue_url(group_id) -> str:
    return reverse("billing_api:revenue", args=[str(group_id)])


def post_json(client, body, **kwargs):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(GENERATE, data, content_type="application/json", **kwargs)


def generate(client, seed, headers=None, **body):
    return post_json(client, {"groupId": seed.group.pk, **OCT, **body}, headers=headers)


def by_name(items) -> dict:
    return {item["student"]["fullName"]: item for item in items}


def record_ids(seed, student: int, *sessions: int) -> list[int]:
    return [seed.record(student, session).pk for session in sessions]


def pay(seed, student: int, amount: str, on=datetime.date(2025, 11, 2)):
    bill = Bill.objects.get(school_class=seed.group, student=seed.students[student])
    record_payment(
        bill=bill, amount=Decimal(amount), paid_on=on, method="cash", received_by=seed.accountant
    )
    return bill
