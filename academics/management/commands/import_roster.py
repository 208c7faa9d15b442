"""Import a Clever SIS CSV or OneRoster bulk CSV folder (docs/design/roster.md). Safe
to re-run."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from academics.services.roster_import import RosterImportError, import_roster


class Command(BaseCommand):
    help = (
        "Import a roster folder (OneRoster 1.1/1.2 bulk CSV or Clever SIS CSV, detected "
        "from its files). One transaction: a bad file changes nothing. Re-importing the "
        "same folder creates no duplicates."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The folder holding the CSV files.")
        parser.add_argument(
            "--shift-years",
            type=int,
            default=0,
            help="Move every roster date except birth dates this many years forward.",
        )

    def handle(self, *args, path: Path, shift_years: int = 0, **options):
        try:
            summary = import_roster(
                path, shift_years=shift_years, progress=lambda line: self.stdout.write(line)
            )
        except RosterImportError as exc:
            raise CommandError(f"Nothing was imported: {exc}") from exc
        self.stdout.write(summary.render())
