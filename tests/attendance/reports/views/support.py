"""Helpers for the report pages' tests: dates, builders, URL and export readers."""

import csv
import datetime
import io
import re

import openpyxl
from django.urls import reverse

from academics.models import Role
from tests.academics.factories import (
    MembershipFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory

MONDAY = datetime.date(2026, 9, 7)  # the factories' slots meet on Mondays from 17 Aug 2026


TODAY = datetime.date(2026, 9, 30)  # a Wednesday: "today" for every test here


DAY = datetime.timedelta(days=1)


WEEK = datetime.timedelta(days=7)


def student_in(school_class, last_name, first_name="Sam", **membership):
    user = UserFactory(
        school=school_class.school, role=Role.STUDENT, last_name=last_name, first_name=first_name
    )
    return MembershipFactory(school_class=school_class, student=user.student_profile, **membership)


def record(membership, status, *, day=MONDAY, period_number=1, **kwargs):
    return AttendanceRecordFactory(
        membership=membership, status=status, date=day, period_number=period_number, **kwargs
    )


def report_url(membership, **params):
    url = reverse("attendance:student_report", args=[membership.student_id])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def register_url(school_class, **params):
    query = "&".join(f"{k}={v}" for k, v in {"school_class": school_class.pk, **params}.items())
    return reverse("attendance:register") + "?" + query


def text(response):
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def csv_rows(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response):
    assert "spreadsheetml" in response["Content-Type"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]
