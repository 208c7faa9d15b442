"""Check the data after a load run (`loadtest/run.sh`).

Each check is one function returning the violations it finds, as lines of text; the
command runs them all, prints what it checked and every violation, and exits non-zero
when there is any. The database's own constraints already forbid some of these (a
second record under the same key, a second line for one record, a negative balance);
they are checked all the same, because a migration that dropped a constraint would
otherwise go unnoticed under load, which is where it would matter.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, F, Q
from django.utils import timezone

from academics.models import Membership, TimetableSlot
from attendance.models import AttendanceRecord
from billing.models import Bill, BillLine
from credits.models import CreditChange, MakeupCredit
from devtools.demo import marking_day

SHOWN = 20  # violations listed per check; the rest are counted
CENT = Decimal("0.01")


@dataclass
class Check:
    """One check's outcome: what it looked at and what it found wrong."""

    name: str
    checked: str
    violations: list[str] = field(default_factory=list)


def duplicate_records() -> Check:
    """Two records under one key (student, date, period, subject —
    docs/design/attendance.md, EC-ATT-03), or two records of one student for one
    timetable slot on one date."""
    check = Check("one record per student per period", "")
    by_key = (
        AttendanceRecord.objects.values("student_id", "date", "period_number", "subject_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("date", "period_number", "student_id")
    )
    for row in by_key:
        check.violations.append(
            f"student {row['student_id']} has {row['n']} records on {row['date']} period "
            f"{row['period_number']} subject {row['subject_id']}"
        )
    by_slot = (
        AttendanceRecord.objects.filter(slot__isnull=False)
        .values("student_id", "date", "slot_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("date", "slot_id", "student_id")
    )
    for row in by_slot:
        check.violations.append(
            f"student {row['student_id']} has {row['n']} records for slot {row['slot_id']} "
            f"on {row['date']}"
        )
    check.checked = f"{AttendanceRecord.objects.count():,} records"
    return check


def incomplete_periods(days: list[datetime.date]) -> Check:
    """Every period marked on one of `days` (a slot with at least one record that date)
    has a record for every student of its class that day under the slot's key (marked
    there or, for a student booked in two sections, in the other one)."""
    check = Check("every marked period complete", "")
    marked = set(
        AttendanceRecord.objects.filter(date__in=days, slot__isnull=False)
        .values_list("slot_id", "date")
        .distinct()
    )
    slots = TimetableSlot.objects.in_bulk({slot_id for slot_id, _ in marked})
    class_ids = {slot.school_class_id for slot in slots.values()}
    members: dict[int, list[tuple[int, datetime.date, datetime.date | None]]] = defaultdict(list)
    for class_id, student_id, joined, left in Membership.objects.filter(
        school_class_id__in=class_ids
    ).values_list("school_class_id", "student_id", "joined_on", "left_on"):
        members[class_id].append((student_id, joined, left))
    keys = Counter(
        AttendanceRecord.objects.filter(date__in=days).values_list(
            "student_id", "date", "period_number", "subject_id"
        )
    )
    students = 0
    for slot_id, day in sorted(marked, key=lambda pair: (pair[1], pair[0])):
        slot = slots[slot_id]
        on_roll = {
            student_id
            for student_id, joined, left in members[slot.school_class_id]
            if joined <= day and (left is None or left >= day)
        }
        students += len(on_roll)
        missing = sorted(
            s for s in on_roll if not keys[(s, day, slot.period_number, slot.subject_id)]
        )
        if missing:
            check.violations.append(
                f"slot {slot_id} on {day} (class {slot.school_class_id}, period "
                f"{slot.period_number}): no record for student(s) {', '.join(map(str, missing))}"
            )
    check.checked = (
        f"{len(marked):,} marked periods on {', '.join(d.isoformat() for d in days)}, "
        f"{students:,} places on their rolls"
    )
    return check


def double_billing() -> Check:
    """No attendance record on two bill lines, no two bills of one student for one group
    and period, and every line's record is the bill's student's, in the bill's group,
    dated inside its period."""
    check = Check("no session billed twice", "")
    for row in (
        BillLine.objects.values("attendance_record_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("attendance_record_id")
    ):
        check.violations.append(f"record {row['attendance_record_id']} is on {row['n']} bill lines")
    for row in (
        Bill.objects.values("student_id", "school_class_id", "period_start", "period_end")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("school_class_id", "student_id")
    ):
        check.violations.append(
            f"student {row['student_id']} has {row['n']} bills for group "
            f"{row['school_class_id']} {row['period_start']}..{row['period_end']}"
        )
    stray = BillLine.objects.exclude(
        Q(attendance_record__student_id=F("bill__student_id"))
        & Q(attendance_record__school_class_id=F("bill__school_class_id"))
        & Q(attendance_record__date__gte=F("bill__period_start"))
        & Q(attendance_record__date__lte=F("bill__period_end"))
    ).values_list("bill_id", "attendance_record_id")
    for bill_id, record_id in stray.order_by("bill_id", "attendance_record_id"):
        check.violations.append(
            f"bill {bill_id} charges record {record_id} of another student, group or period"
        )
    check.checked = f"{Bill.objects.count():,} bills, {BillLine.objects.count():,} lines"
    return check


def bill_amounts() -> Check:
    """Each bill's sessions are its lines, and its amount is sessions × price."""
    check = Check("bill amount = sessions × price", "")
    bills = Bill.objects.annotate(lines_n=Count("lines")).values_list(
        "pk", "sessions_attended", "lines_n", "price_per_session", "amount"
    )
    total = 0
    for pk, sessions, lines, price, amount in bills.order_by("pk"):
        total += 1
        if sessions != lines:
            check.violations.append(f"bill {pk} says {sessions} sessions but has {lines} lines")
        expected = (price * sessions).quantize(CENT)
        if amount != expected:
            check.violations.append(
                f"bill {pk}: amount {amount} ≠ {sessions} sessions × {price} = {expected}"
            )
    check.checked = f"{total:,} bills"
    return check


def negative_credits() -> Check:
    """No make-up credit balance below zero, now or in any line of its history."""
    check = Check("no negative make-up credit balance", "")
    negative = Q(available__lt=0) | Q(booked__lt=0) | Q(used__lt=0)
    for pk, available, booked, used in (
        MakeupCredit.objects.filter(negative)
        .order_by("pk")
        .values_list("pk", "available", "booked", "used")
    ):
        check.violations.append(f"credit {pk}: available {available}, booked {booked}, used {used}")
    logged = (
        Q(previous_available__lt=0)
        | Q(new_available__lt=0)
        | Q(booked_after__lt=0)
        | Q(used_after__lt=0)
    )
    for pk, credit_id, new, booked, used in (
        CreditChange.objects.filter(logged)
        .order_by("pk")
        .values_list("pk", "credit_id", "new_available", "booked_after", "used_after")
    ):
        check.violations.append(
            f"credit {credit_id}, history line {pk}: available {new}, booked {booked}, "
            f"used {used} after the change"
        )
    check.checked = (
        f"{MakeupCredit.objects.count():,} credits, {CreditChange.objects.count():,} changes"
    )
    return check


def verify_load(*, days: list[datetime.date]) -> list[Check]:
    """Run every check: one record per student per period, marked periods
    complete on `days`, no session billed twice, bill amounts, no negative credits.

    Args:
        days: the dates whose marked periods must be complete (the load's marking day;
            older days hold the demo's generated roll, which skips students booked into
            two sections at once).

    Returns the checks in order; the data is sound when none has a violation.
    """
    return [
        duplicate_records(),
        incomplete_periods(days),
        double_billing(),
        bill_amounts(),
        negative_credits(),
    ]


class Command(BaseCommand):
    help = (
        "Check the data after loadtest/run.sh: one record per student per marked period, "
        "every period marked that day complete, no session billed twice, bills equal "
        "sessions × price, no negative make-up credit. Exits non-zero on any violation."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--logins",
            type=Path,
            help="The plan prepare_load wrote: its marking day is the one checked.",
        )
        parser.add_argument(
            "--day",
            type=datetime.date.fromisoformat,
            action="append",
            help="A date (YYYY-MM-DD) whose marked periods must be complete; repeatable. "
            "Default: the plan's marking day, else the demo's (the latest school day).",
        )

    def handle(self, *args, logins: Path | None = None, day=None, **options):
        days = list(day or [])
        if not days and logins is not None:
            days = [datetime.date.fromisoformat(json.loads(logins.read_text())["day"])]
        if not days:
            days = [marking_day(timezone.localdate())]
        checks = verify_load(days=days)
        failed = 0
        for check in checks:
            mark = self.style.SUCCESS("ok  ") if not check.violations else self.style.ERROR("FAIL")
            self.stdout.write(f"{mark} {check.name} ({check.checked})")
            for line in check.violations[:SHOWN]:
                self.stdout.write(f"       {line}")
            if len(check.violations) > SHOWN:
                self.stdout.write(f"       … and {len(check.violations) - SHOWN:,} more")
            failed += len(check.violations)
        if failed:
            raise CommandError(f"{failed:,} violation(s) found: the data is not sound.")
        self.stdout.write(self.style.SUCCESS("The data is sound: no violation."))
