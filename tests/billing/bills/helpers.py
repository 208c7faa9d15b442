"""Helpers shared by the bills page tests."""

import datetime
import re
from decimal import Decimal

from django.urls import reverse

from billing.models import Bill
from billing.services import generate_bills, record_payment
from tests.billing.conftest import OCTOBER

TODAY = datetime.date(2025, 11, 10)  # after October's bills are made, before they are due


AFTER_DUE = datetime.date(2025, 12, 5)  # October's bills are due on 30 Nov 2025


def generate(seed, start=OCTOBER[0], end=OCTOBER[1], **kwargs):
    return generate_bills(
        school_class=seed.group, start=start, end=end, actor=seed.accountant, **kwargs
    )


def bill_of(seed, index) -> Bill:
    return Bill.objects.get(student=seed.students[index], school_class=seed.group)


def pay(seed, bill, amount, day=TODAY):
    return record_payment(
        bill=bill, amount=Decimal(amount), paid_on=day, method="cash", received_by=seed.accountant
    )


def numbers_listed(html) -> list[str]:
    return re.findall(r">(INV-\d{6})</a>", html)


def list_html(client, **params) -> str:
    response = client.get(reverse("billing:bills"), params)
    assert response.status_code == 200
    return response.content.decode()
