"""Roster import: a Clever SIS CSV or OneRoster bulk CSV folder into Rollbook
(docs/design/roster.md).

from academics.services.roster_import import import_roster
summary = import_roster(Path("/data/clever-district"), shift_years=11, progress=print)
print(summary.render())
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from django.db import IntegrityError, transaction

from ...signals import roster_imported
from .clever import is_clever, read_clever
from .errors import RosterImportError
from .oneroster import is_oneroster, read_oneroster
from .summary import KINDS, ImportSummary
from .writer import RosterWriter

__all__ = ["KINDS", "ImportSummary", "RosterImportError", "detect_format", "import_roster"]


def detect_format(path: Path) -> str:
    """ "oneroster" or "clever" for a roster folder; raises RosterImportError otherwise."""
    if not path.is_dir():
        raise RosterImportError(str(path), None, None, "is not a folder")
    if is_oneroster(path):
        return "oneroster"
    if is_clever(path):
        return "clever"
    raise RosterImportError(
        str(path),
        None,
        None,
        "neither OneRoster (manifest.csv or orgs.csv + users.csv) nor Clever "
        "(schools.csv, students.csv, sections.csv)",
    )


def import_roster(
    path: Path,
    *,
    shift_years: int = 0,
    progress: Callable[[str], None] | None = None,
) -> ImportSummary:
    """Import a roster folder, creating or updating schools, years, terms, the grade
    ladder, subjects, staff and students (with profiles), classes, enrollments,
    memberships and timetable slots, keyed by the roster's ids.

    Args:
        path: a folder holding OneRoster 1.1/1.2 bulk CSV or Clever SIS CSV files; the
            format is detected from the file names.
        shift_years: move every roster date except birth dates this many years forward
            (terms, years, memberships, slots); year names follow (2015-2016 → 2026-2027).
        progress: called with a line per file read and per kind saved, and every ~2,000
            rows of a large file.

    Returns:
        An `ImportSummary`: rows created/updated/unchanged/removed per kind and the
        data-quality warnings found but imported anyway. After the import, the year that
        contains a school's own today becomes its current year if it has none.

    Raises:
        RosterImportError: bad input, naming file, physical line (header = 1) and field.
            Everything runs in one transaction, so nothing at all is written then.
    """
    path = Path(path)
    started = time.monotonic()
    format_name = detect_format(path)
    summary = ImportSummary(format=format_name, source=str(path))
    read = read_oneroster if format_name == "oneroster" else read_clever
    try:
        with transaction.atomic():
            roster = read(path, shift_years=shift_years, summary=summary, progress=progress)
            writer = RosterWriter(roster, progress)
            writer.write()
            # Inside the transaction: what other apps derive from the timetable (orphaned
            # attendance records) changes with it or not at all.
            roster_imported.send(sender=RosterWriter, schools=list(writer.schools.values()))
    except IntegrityError as exc:
        raise RosterImportError(
            path.name, None, None, f"the roster clashes with rows already in Rollbook ({exc})"
        ) from exc
    summary.seconds = time.monotonic() - started
    return summary
