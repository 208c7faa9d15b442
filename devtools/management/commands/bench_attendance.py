"""Time the attendance pages on a school of 2,000 students and a year of records.

Builds (or reuses) the Benchmark School in the configured database, then prints, for the
class attendance list, the monthly register, the school-wide percentages and marking one
period, the application's median time beside that of one SQL statement computing the same
numbers, and their ratio. Meant for PostgreSQL; see `devtools.benchmarks`.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools.benchmarks.attendance_plan import DEFAULT_STUDENTS, BenchmarkSchool
from devtools.benchmarks.attendance_school import (
    build_benchmark_school,
    count_records,
    delete_benchmark_school,
    find_benchmark_school,
    load_benchmark_school,
)
from devtools.benchmarks.attendance_timings import BenchmarkMismatch, Timing, run_benchmarks


class Command(BaseCommand):
    help = (
        "Build a Benchmark School (2,000 students, a year of per-period attendance: ~2.9 "
        "million records) in the configured database and time the class attendance list, "
        "the monthly register, the school-wide percentages and marking one period against "
        "single SQL statements computing the same numbers. Deletes the school at the end "
        "unless --keep or --reuse."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--students",
            type=int,
            default=DEFAULT_STUDENTS,
            help=f"Students in the school (default {DEFAULT_STUDENTS:,}; homerooms of ~29).",
        )
        parser.add_argument(
            "--keep", action="store_true", help="Keep the school afterwards (for --reuse)."
        )
        parser.add_argument(
            "--reuse",
            action="store_true",
            help="Time the school a previous --keep run left (and keep it again).",
        )
        parser.add_argument(
            "--repeat",
            type=int,
            default=5,
            help="Timed runs per operation after one warm-up; the median is shown (default 5).",
        )
        parser.add_argument(
            "--drop", action="store_true", help="Only delete a kept Benchmark School."
        )

    def handle(self, *args, students, keep, reuse, repeat, drop, **options):
        if students < 2:
            raise CommandError("--students must be at least 2.")
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        kept = find_benchmark_school()
        if drop:
            if kept is None:
                self.stdout.write("No Benchmark School to delete.")
            else:
                self._delete(kept)
            return
        self._describe_database(students=students)
        if reuse:
            if kept is None:
                raise CommandError(
                    "No Benchmark School was kept in this database: run once with --keep."
                )
            bench = load_benchmark_school(kept)
            bench.counts["attendance records"] = count_records(kept)
            self.stdout.write(f"Reusing the kept {kept} (id {kept.pk}).")
        else:
            if kept is not None:
                self.stdout.write("Deleting the Benchmark School a previous run kept …")
                self._delete(kept)
            self.stdout.write(f"Building the Benchmark School ({students:,} students) …")
            bench = build_benchmark_school(students=students, progress=self._progress)
            self.stdout.write(f"Built in {bench.build_seconds:.1f} s.")
        self._write_counts(bench)
        try:
            timings = run_benchmarks(bench, repeat=repeat, progress=self._progress)
        except BenchmarkMismatch as exc:
            raise CommandError(f"The numbers differ — {exc}") from exc
        finally:
            if not (keep or reuse):
                self._delete(bench.school)
            else:
                self.stdout.write(
                    f"Kept the {bench.school}: time it again with --reuse, delete it with --drop."
                )
        self._write_table(timings, repeat=repeat)

    def _progress(self, line: str) -> None:
        self.stdout.write(f"  {line}")

    def _describe_database(self, *, students: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT 1")
            version = cursor.fetchone()[0] if connection.vendor == "postgresql" else ""
        if connection.vendor == "sqlite":
            import sqlite3

            version = f"SQLite {sqlite3.sqlite_version}"
            self.stdout.write(
                self.style.WARNING(
                    "Warning: this is SQLite. The full size (2,000 students, ~2.9 million "
                    "records) is meant for PostgreSQL: set DATABASE_URL=postgres://…; on "
                    "SQLite the build uses bulk_create and takes many minutes."
                    if students >= 500
                    else "Warning: this is SQLite; the benchmark's figures are meant for "
                    "PostgreSQL (set DATABASE_URL=postgres://…)."
                )
            )
        self.stdout.write(f"Database: {connection.settings_dict['NAME']} ({version.split(',')[0]})")
        if settings.DEBUG:
            self.stdout.write(
                self.style.WARNING(
                    "Warning: DEBUG is on, so Django records every query: the application's "
                    "times include that. Run with DEBUG=false for figures to publish."
                )
            )

    def _write_counts(self, bench: BenchmarkSchool) -> None:
        counts = ", ".join(f"{n:,} {what}" for what, n in bench.counts.items())
        self.stdout.write(f"{bench.school}: {counts}.")
        self.stdout.write(
            f"Timed class: {bench.school_class} (advisor {bench.class_teacher}); register month "
            f"{bench.register_month:%B %Y}; marking {bench.marking_slot} on "
            f"{bench.marking_day:%a %d %b %Y} as {bench.marking_actor}."
        )

    def _delete(self, school) -> None:
        started = time.perf_counter()
        delete_benchmark_school(school)
        self.stdout.write(f"Deleted the {school} in {time.perf_counter() - started:.1f} s.")

    def _write_table(self, timings: list[Timing], *, repeat: int) -> None:
        self.stdout.write("")
        self.stdout.write(
            f"Median of {repeat} run{'s' if repeat != 1 else ''} after one warm-up; "
            "both sides gave the same numbers."
        )
        header = ("operation", "size", "app ms", "sql ms", "ratio")
        lines = [header]
        for timing in timings:
            if timing.skipped:
                continue
            lines.append(
                (
                    timing.operation,
                    timing.size,
                    f"{timing.app_ms:.1f}",
                    f"{timing.sql_ms:.1f}",
                    f"{timing.ratio:.1f}×",
                )
            )
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        for line in lines:
            cells = [
                cell.ljust(width) if i < 2 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(line, widths, strict=True))
            ]
            self.stdout.write("  ".join(cells))
        for timing in timings:
            if timing.skipped:
                self.stdout.write(f"{timing.operation}: skipped ({timing.skipped})")
