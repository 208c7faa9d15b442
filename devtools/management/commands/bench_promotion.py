"""Time the academic-year promotion on a school of 2,000 students (docs/design/promotion.md).

Builds a Promotion Benchmark School (grades K–12, homerooms of ~30 with two sections, the
next year's classes copied) in the configured database, then times the preview, planning,
execution and undo of its promotion, with students per second and the number of queries
each step runs. Everything is rolled back at the end. See `devtools.benchmarks.promotion`.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools.benchmarks.promotion import (
    DEFAULT_REPEAT,
    DEFAULT_STUDENTS,
    LEVELS,
    BenchmarkError,
    run_promotion_benchmark,
)


class Command(BaseCommand):
    help = (
        "Build a Promotion Benchmark School (2,000 students in grades K–12) and time "
        "preview_promotion, plan_promotion, execute_promotion and undo_promotion on it: "
        "median time, students per second and queries per step. One transaction, rolled "
        "back at the end: nothing is left in the database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--students",
            type=int,
            default=DEFAULT_STUDENTS,
            help=f"Students in the school (default {DEFAULT_STUDENTS:,}; at least {len(LEVELS)}).",
        )
        parser.add_argument(
            "--repeat",
            type=int,
            default=DEFAULT_REPEAT,
            help=f"Timed rounds after one warm-up; the median is shown (default {DEFAULT_REPEAT}).",
        )

    def handle(self, *args, students, repeat, **options):
        if students < len(LEVELS):
            raise CommandError(f"--students must be at least {len(LEVELS)} (one a grade).")
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        self._describe_database()
        try:
            report = run_promotion_benchmark(
                students=students,
                repeat=repeat,
                progress=lambda line: self.stdout.write(f"  {line}"),
            )
        except BenchmarkError as exc:
            raise CommandError(f"The promotion went wrong — {exc}") from exc
        counts = ", ".join(f"{n:,} {what}" for what, n in report.counts.items())
        actions = ", ".join(f"{n:,} {action}" for action, n in report.actions.items())
        self.stdout.write(f"School: {counts}; built in {report.build_seconds:.1f} s.")
        self.stdout.write(f"Each round: {actions}.")
        self.stdout.write(
            f"Median of {report.repeat} round{'s' if report.repeat != 1 else ''} after a "
            "warm-up; queries counted on the warm-up:"
        )
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write("Rolled back: nothing was left in the database.")

    def _describe_database(self) -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                version = f"PostgreSQL {cursor.fetchone()[0]}"
        elif connection.vendor == "sqlite":
            import sqlite3

            version = f"SQLite {sqlite3.sqlite_version}"
        else:
            version = connection.vendor
        self.stdout.write(f"Database: {connection.settings_dict['NAME']} ({version})")
        if settings.DEBUG:
            self.stdout.write(
                self.style.WARNING(
                    "Warning: DEBUG is on, so Django records every query: the times include "
                    "that. Run with DEBUG=false for figures to publish."
                )
            )
