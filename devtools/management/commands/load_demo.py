"""Load the demo: the Clever district (or a generated school), logins, a few weeks of roll.

Idempotent: once the demo is loaded, a second run says so, prints the logins and stops.
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from academics.services.roster_import import RosterImportError
from devtools.demo import DEFAULT_SCHOOL_DAYS, DEMO_PASSWORD, DemoResult, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo: import the roster at settings.ROLLBOOK_DEMO_ROSTER (dates moved to "
        "this school year) or generate a small school, create a login for every role, and "
        "generate attendance for the school days before today. Safe to run repeatedly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--roster",
            type=Path,
            help="Roster folder to import (default: settings.ROLLBOOK_DEMO_ROSTER).",
        )
        parser.add_argument(
            "--generate",
            action="store_true",
            help="Generate a small school even if the roster folder exists.",
        )
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_SCHOOL_DAYS,
            help=f"School days before today to mark (default {DEFAULT_SCHOOL_DAYS}).",
        )

    def handle(self, *args, roster=None, generate=False, days=DEFAULT_SCHOOL_DAYS, **options):
        if days < 1:
            raise CommandError("--days must be at least 1.")
        folder = None
        if not generate:
            folder = Path(roster or settings.ROLLBOOK_DEMO_ROSTER).resolve()
            if not folder.is_dir():
                if roster:
                    raise CommandError(f"No roster folder at {folder}.")
                self.stdout.write(f"No roster folder at {folder}: generating a demo school.")
                folder = None
        if folder is not None:
            self.stdout.write(f"Loading the demo from {folder} …")
        started = time.perf_counter()
        try:
            result = load_demo(roster=folder, school_days=days, progress=self._progress)
        except (RosterImportError, ValueError) as exc:
            raise CommandError(f"The demo was not loaded (nothing was written): {exc}") from exc
        self._report(result, seconds=time.perf_counter() - started)

    def _progress(self, line: str) -> None:
        self.stdout.write(f"  {line}")

    def _report(self, result: DemoResult, *, seconds: float) -> None:
        if result.already_loaded:
            self.stdout.write(
                self.style.SUCCESS(f"The demo is already loaded ({result.school}): nothing to do.")
            )
        else:
            self.stdout.write(result.loaded)
            for note in result.notes:
                self.stdout.write(self.style.WARNING(note))
            if result.attendance is not None:
                self.stdout.write(result.attendance.render())
            self.stdout.write(self.style.SUCCESS(f"Demo loaded in {seconds:.1f} s."))
        self.stdout.write("")
        self.stdout.write(
            f'Demo logins at {result.school} — every password is "{DEMO_PASSWORD}" (demo only):'
        )
        rows = [("role", "username", "password", "name", "")] + [
            (login.role, login.username, DEMO_PASSWORD, login.name, login.note)
            for login in result.logins
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
            self.stdout.write(("  " + "  ".join(cells) + "  " + row[4]).rstrip())
        self.stdout.write("The admin login also opens the Django admin at /admin/.")
