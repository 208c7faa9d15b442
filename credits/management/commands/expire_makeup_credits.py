"""`manage.py expire_makeup_credits [--school CODE] [--dry-run]` (docs/design/credits.md,
optional expiry).

Run it on a schedule (daily is plenty). For every school with an expiry setting
(`School.makeup_credit_expiry_days`), available credits last set more than that many days
ago become 0, each logged as "Expired" by System (`credits.services.expire_makeup_credits`);
booked and used credits never expire. Schools without a setting are listed as "no expiry
set". Safe to run twice: a second run finds nothing left to expire.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from academics.commands import plural, schools_for_code
from credits.services import expire_makeup_credits


class Command(BaseCommand):
    help = (
        "Expire available make-up credits older than each school's expiry setting "
        "(School.makeup_credit_expiry_days); logged, safe to run twice, --dry-run writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--school",
            metavar="CODE",
            help="Only the school with this code (see the School admin). Default: every school.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Show what would expire; write nothing.",
        )

    def handle(self, *args, school=None, dry_run=False, **options):
        schools = schools_for_code(school)
        now = timezone.now()
        if dry_run:
            self.stdout.write("Dry run: nothing will be written.")
        would = "would expire" if dry_run else "expired"
        pairs = amount = with_setting = 0
        for each in schools:
            label = f"{each} ({each.code or 'no code'})"
            days = each.makeup_credit_expiry_days
            if days is None:
                self.stdout.write(f"{label}: no expiry set.")
                continue
            with_setting += 1
            result = expire_makeup_credits(school=each, now=now, dry_run=dry_run)
            pairs += result.credits
            amount += result.amount
            self.stdout.write(
                f"{label}: {plural(result.amount, 'credit')} {would} "
                f"({plural(result.credits, 'student–tutor pair')}; set more than "
                f"{plural(days, 'day')} ago)."
            )
        prefix = "Dry run, nothing written. " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{plural(amount, 'credit')} {would} in "
                f"{plural(pairs, 'student–tutor pair')}, over "
                f"{plural(with_setting, 'school')} with an expiry setting "
                f"(of {plural(len(schools), 'school')})."
            )
        )
