"""Turn staff-absent (SA) records nobody resolved in time into NM (docs/design/attendance.md, SA
lifecycle).

Run it once a day (cron, a systemd timer): a record of `day` expires once
`day < today - School.staff_absent_resolution_days`, today being the school's own date.
Safe to run repeatedly: a second run finds nothing.
"""

import argparse
import datetime

from django.core.management.base import BaseCommand, CommandError

from academics.models import School
from attendance.services import expire_staff_absent


class Command(BaseCommand):
    help = (
        "Turn SA (staff absent) records older than each school's resolution window into NM "
        "(not marked), keeping the change in each record's history. Safe to run repeatedly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would expire, change nothing.",
        )
        parser.add_argument(
            "--today",
            type=_iso_date,
            help="Expire as if today were this date (YYYY-MM-DD) in every school; "
            "default: each school's own today.",
        )
        parser.add_argument(
            "--school",
            type=int,
            action="append",
            dest="school_ids",
            help="Only this school id (repeatable); default: every school.",
        )

    def handle(self, *args, dry_run=False, today=None, school_ids=None, **options):
        schools = School.objects.order_by("name", "pk")
        if school_ids:
            schools = schools.filter(pk__in=school_ids)
            missing = set(school_ids) - set(schools.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"No school with id {', '.join(map(str, sorted(missing)))}.")
        results = expire_staff_absent(today=today, dry_run=dry_run, schools=schools)
        verb = "would turn" if dry_run else "turned"
        for result in results:
            self.stdout.write(
                f"{result.school}: {verb} {result.expired} SA record"
                f"{'s' if result.expired != 1 else ''} dated before "
                f"{result.cutoff.isoformat()} into NM"
            )
        total = sum(result.expired for result in results)
        summary = (
            f"{'Dry run: ' if dry_run else ''}{total} SA record{'s' if total != 1 else ''} "
            f"{verb} into NM in {len(results)} school{'s' if len(results) != 1 else ''}."
        )
        self.stdout.write(self.style.SUCCESS(summary) if not dry_run else summary)


def _iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date as YYYY-MM-DD: {value!r}") from exc
