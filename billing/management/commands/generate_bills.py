"""`manage.py generate_bills`: the monthly run of session billing (docs/design/billing.md).

Bills every priced group (SchoolClass with a price per session) for one calendar month
through `billing.services.generate_bills`, one group at a time — each in its own
transaction, so a group that fails leaves the others billed. Safe to run twice: the
second run finds the bills and creates nothing (with `--update-existing` it brings them
up to date with corrected and late attendance instead).

    manage.py generate_bills --month 2025-10                  # every school, every group
    manage.py generate_bills --month 2025-10 --school NILE    # one school
    manage.py generate_bills --month 2025-10 --school NILE --group MTH-L1-A --dry-run

Without `--month`, each school's last month that has ended (its own today), for a cron
job on the first of the month. Exits non-zero when a group failed.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q, QuerySet

from academics.commands import plural, schools_for_code
from academics.models import School, SchoolClass
from attendance.models import AttendanceRecord, Status
from billing.forms import parse_month
from billing.models import Bill
from billing.selectors import last_ended_month
from billing.services import BillingError, GenerationResult, GroupNotPriced, generate_bills

# Above this many groups an interactive run shows a counter on stderr as it goes.
COUNTER_FROM = 20
# Unpriced groups with attendance are named, up to this many per school (all with -v 2).
UNPRICED_LISTED = 10


@dataclass
class Totals:
    """What a run did, per school or overall."""

    groups: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    amount: defaultdict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    unpriced: int = 0
    idle: int = 0
    failed: list[str] = field(default_factory=list)

    def add(self, result: GenerationResult, currency: str) -> None:
        self.groups += 1
        self.created += len(result.created)
        self.updated += len(result.updated)
        self.skipped += len(result.skipped)
        self.amount[currency] += result.amount

    def merge(self, other: Totals) -> None:
        self.groups += other.groups
        self.created += other.created
        self.updated += other.updated
        self.skipped += other.skipped
        for currency, amount in other.amount.items():
            self.amount[currency] += amount
        self.unpriced += other.unpriced
        self.idle += other.idle
        self.failed += other.failed


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


def group_label(group: SchoolClass) -> str:
    return f"{group.name} [{group.code}]" if group.code else f"{group.name} [id {group.pk}]"


class Command(BaseCommand):
    help = (
        "Generate the session bills of a calendar month for every priced group: "
        "one transaction per group, safe to run twice, --dry-run writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--month",
            metavar="YYYY-MM",
            help="The calendar month to bill, e.g. 2025-10. Default: each school's last "
            "month that has ended.",
        )
        parser.add_argument(
            "--school",
            metavar="CODE",
            help="Only the school with this code (see the School admin). Default: every school.",
        )
        groups = parser.add_mutually_exclusive_group()
        groups.add_argument(
            "--group",
            metavar="CODE",
            help="Only the group (class) with this code, e.g. MTH-L1-A.",
        )
        groups.add_argument(
            "--group-id",
            type=int,
            metavar="ID",
            help="Only the group with this id (when several groups share a code).",
        )
        parser.add_argument(
            "--update-existing",
            action="store_true",
            help="Recalculate bills of the month that new or corrected attendance changed "
            "(the billing API's updateExisting). Without it they are skipped.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what would be created and updated; write nothing.",
        )

    def handle(
        self,
        *args,
        month=None,
        school=None,
        group=None,
        group_id=None,
        update_existing=False,
        dry_run=False,
        verbosity=1,
        **options,
    ):
        self.verbosity = verbosity
        self.dry_run = dry_run
        self.update_existing = update_existing
        period = None
        if month is not None:
            try:
                period = parse_month(month)
            except ValueError as exc:
                raise CommandError(f"--month {month}: {exc}") from None
        schools = schools_for_code(school)
        only = self._only_group(schools, code=group, pk=group_id)
        if only is not None:
            schools = [only.school]
            if only.price_per_session is None:
                raise CommandError(str(GroupNotPriced(only)))

        if dry_run:
            self.stdout.write("Dry run: nothing will be written.")
        overall = Totals()
        for each in schools:
            start, end = period or last_ended_month(each.today())
            overall.merge(self._bill_school(each, start, end, only=only))
        self._report(overall, schools=len(schools))
        if overall.failed:
            raise CommandError(
                f"{plural(len(overall.failed), 'group')} failed (the others were billed): "
                + "; ".join(overall.failed)
            )

    # --- what to bill ------------------------------------------------------------------

    def _only_group(
        self, schools: list[School], *, code: str | None, pk: int | None
    ) -> SchoolClass | None:
        if code is None and pk is None:
            return None
        groups = SchoolClass.objects.filter(school__in=schools).select_related("school")
        where = f" in {schools[0]}" if len(schools) == 1 else ""
        if pk is not None:
            found = groups.filter(pk=pk).first()
            if found is None:
                raise CommandError(f"No group with id {pk}{where}.")
            return found
        matches = list(groups.filter(code=code).order_by("school__name", "name", "pk"))
        if not matches:
            raise CommandError(f'No group with code "{code}"{where}.')
        if len(matches) > 1:
            listed = "\n".join(f"  id {g.pk}: {g.name} ({g.school})" for g in matches)
            raise CommandError(
                f'{len(matches)} groups have the code "{code}"{where}; '
                f"pick one with --group-id:\n{listed}"
            )
        return matches[0]

    def _bill_school(
        self, school: School, start: datetime.date, end: datetime.date, *, only
    ) -> Totals:
        totals = Totals()
        totals.amount[school.currency] += 0  # "0.00 EGP", not a bare "0.00", when nothing is billed
        groups = (
            [only]
            if only is not None
            else list(
                SchoolClass.objects.filter(school=school)
                .select_related("school")
                .order_by("name", "pk")
            )
        )
        attended = self._sessions_attended(school, start, end)
        billed = set(
            Bill.objects.filter(school=school, period_start=start, period_end=end)
            .order_by()
            .values_list("school_class_id", flat=True)
            .distinct()
        )
        if self.verbosity >= 1:
            self.stdout.write(
                f"{school} ({school.code or 'no code'}): {start:%B %Y} "
                f"({start.isoformat()} – {end.isoformat()}), {school.currency}"
            )
        if end >= school.today():
            self.stdout.write(
                self.style.WARNING(
                    f"  {start:%B %Y} has not ended in {school} (today is "
                    f"{school.today().isoformat()}): sessions still to come are not billed; "
                    "run again with --update-existing when the month is over."
                )
            )
        priced, unpriced = [], []
        for group in groups:
            if only is None and group.pk not in attended and group.pk not in billed:
                totals.idle += 1  # nobody attended: nothing to bill, nothing to recalculate
            elif group.price_per_session is None:
                unpriced.append(group)
            else:
                priced.append(group)

        counter = self.stderr.isatty() and len(priced) > COUNTER_FROM
        for index, group in enumerate(priced, start=1):
            if counter:
                self.stderr.write(f"\r  [{index}/{len(priced)}] {group.name[:60]:<60}", ending="")
            try:
                result = generate_bills(
                    school_class=group,
                    start=start,
                    end=end,
                    update_existing=self.update_existing,
                    actor=None,  # System: the monthly run is nobody's click
                    dry_run=self.dry_run,
                )
            except BillingError as exc:
                self._failed(totals, group, str(exc), counter)
            except Exception as exc:  # noqa: BLE001 — one broken group must not stop the run
                self._failed(totals, group, f"{type(exc).__name__}: {exc}", counter)
            else:
                totals.add(result, school.currency)
                self._group_line(group, result, school.currency, counter)
        if counter:
            self.stderr.write("\r" + " " * 70 + "\r", ending="")

        totals.unpriced = len(unpriced)
        listed = {0: [], 1: unpriced[:UNPRICED_LISTED]}.get(self.verbosity, unpriced)
        for group in listed:
            self.stdout.write(
                f"  skipped {group_label(group)}: no price per session "
                f"({plural(attended.get(group.pk, 0), 'session')} attended, not billed)"
            )
        if self.verbosity >= 1 and len(unpriced) > len(listed):
            self.stdout.write(
                f"  … and {len(unpriced) - len(listed)} more groups with attendance but no "
                "price per session (-v 2 lists them)"
            )
        self._school_line(school, totals)
        return totals

    @staticmethod
    def _sessions_attended(
        school: School, start: datetime.date, end: datetime.date
    ) -> dict[int, int]:
        """Group id → present (P), not orphaned records in the period, in one query."""
        records: QuerySet = AttendanceRecord.objects.filter(school=school, date__range=(start, end))
        return dict(
            records.order_by()
            .values("school_class_id")
            .annotate(n=Count("pk", filter=Q(status=Status.PRESENT, is_orphaned=False)))
            .filter(n__gt=0)
            .values_list("school_class_id", "n")
        )

    # --- what it says ------------------------------------------------------------------

    def _group_line(
        self, group: SchoolClass, result: GenerationResult, currency: str, counter: bool
    ) -> None:
        if self.verbosity < 1:
            return
        if counter and not (result.created or result.updated) and self.verbosity < 2:
            return  # a long interactive run names only the groups where something changed
        would = "would " if self.dry_run else ""
        reasons = Counter(
            "no sessions" if skip.bill is None else "already billed" for skip in result.skipped
        )
        skipped = f"skipped {len(result.skipped)}"
        if reasons:
            skipped += " (" + ", ".join(f"{n} {why}" for why, n in sorted(reasons.items())) + ")"
        self._clear_counter(counter)
        self.stdout.write(
            f"  {group_label(group)}: {would}create {len(result.created)}, "
            f"{would}update {len(result.updated)}, {skipped} — {money(result.amount, currency)}"
        )
        if self.verbosity >= 2:
            for bill in [*result.created, *result.updated]:
                self.stdout.write(
                    f"      {bill.student}: {bill.sessions_attended} × "
                    f"{bill.price_per_session} = {money(bill.amount, currency)}"
                )
            for skip in result.skipped:
                self.stdout.write(f"      {skip.student}: {skip.reason}")

    def _failed(self, totals: Totals, group: SchoolClass, why: str, counter: bool) -> None:
        totals.failed.append(f"{group_label(group)}: {why}")
        self._clear_counter(counter)
        self.stderr.write(self.style.ERROR(f"  FAILED {group_label(group)}: {why}"))

    def _clear_counter(self, counter: bool) -> None:
        if counter:
            self.stderr.write("\r" + " " * 70 + "\r", ending="")

    def _summary(self, totals: Totals) -> str:
        would = "would be " if self.dry_run else ""
        amount = " + ".join(money(a, c) for c, a in sorted(totals.amount.items())) or "0.00"
        text = (
            f"{plural(totals.groups, 'priced group')}: {plural(totals.created, 'bill')} "
            f"{would}created, {totals.updated:,} {would}updated, {totals.skipped:,} skipped "
            f"— {amount}"
        )
        if totals.unpriced:
            text += f"; {plural(totals.unpriced, 'group')} skipped (no price per session)"
        if totals.idle:
            text += f"; {plural(totals.idle, 'group')} with nothing attended in the month"
        if totals.failed:
            text += f"; {len(totals.failed)} FAILED"
        return text

    def _school_line(self, school: School, totals: Totals) -> None:
        if self.verbosity >= 1:
            self.stdout.write(f"  {school}: {self._summary(totals)}.")

    def _report(self, overall: Totals, *, schools: int) -> None:
        prefix = "Dry run, nothing written. " if self.dry_run else ""
        line = f"{prefix}Total over {plural(schools, 'school')}: {self._summary(overall)}."
        if overall.failed:
            self.stdout.write(self.style.WARNING(line))
        else:
            self.stdout.write(self.style.SUCCESS(line))
