"""What a roster import did: rows per kind and the data-quality warnings it let through."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = (
    "schools",
    "academic years",
    "terms",
    "grades",
    "subjects",
    "classes",
    "staff",
    "students",
    "guardians",
    "guardian links",
    "enrollments",
    "memberships",
    "timetable slots",
)

MAX_EXAMPLES = 5

# Warning kinds: found in the roster, imported anyway (docs/design/roster.md).
PERIOD_CLASH = "student booked into two sections in the same period of the same term"
GRADE_MISMATCH = "student's grade differs from the section's grade"
CO_TEACHERS = "co-teachers not imported as slot teachers"
UNLINKED_TERM = "term not linked to a school year (attached to the year containing its dates)"
UNKNOWN_GRADE = "unknown grade (left without a grade)"
USERNAME_TAKEN = "username already taken (made unique)"
TEACHER_OTHER_SCHOOL = (
    "teacher teaches at a school they are not listed at (given a staff account there)"
)
SEVERAL_HOMEROOMS = "student in several homerooms (the first one is used)"
NO_HOMEROOM = "student without a homeroom"
NO_ENROLLMENT = "student without a grade or year (no enrollment)"
BAD_PERIOD = "period is not a number (no timetable slots)"
NO_TEACHER = "section without a teacher (slots have no teacher)"
UNSUPPORTED_ROLE = "user role not imported"
NO_SCHOOL = "row without a school in the roster (skipped)"
DUPLICATE_ROW = "duplicate row (the first one is used)"
OTHER_SCHOOL_ENROLMENT = "enrolment in another school's section (skipped)"
TERM_DATES_DIFFER = "one term with different dates in different sections (widest range used)"
BAD_BIRTH_DATE = "date of birth is not a date (left empty)"
DELETED_SCHOOL = "school marked tobedeleted (left in place)"
# Guardians (docs/manual/roster-import.md, "Contacts and parents"):
CONTACT_WITHOUT_EMAIL = "contact without an email (no guardian imported)"
CONTACT_DIFFERS = "one contact email with different names or phones (the first row's are kept)"
GUARDIAN_SEVERAL_SCHOOLS = "guardian with children at several schools (an account at each)"
UNKNOWN_AGENT = "agentSourcedIds names no guardian or student of the roster (link skipped)"
GUARDIAN_WITHOUT_CHILD = "guardian without a child or school in the roster (skipped)"


@dataclass
class KindCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class WarningGroup:
    count: int = 0
    examples: list[str] = field(default_factory=list)


@dataclass
class ImportSummary:
    """The outcome of `import_roster`.

    `counts[kind]` has created/updated/unchanged/removed rows for each kind in `KINDS`
    ("removed" = deleted or deactivated because the roster marks it `tobedeleted`);
    `warnings[kind]` has how often a data-quality problem occurred and up to five examples.
    """

    format: str
    source: str = ""
    version: str = ""
    seconds: float = 0.0
    counts: dict[str, KindCounts] = field(default_factory=lambda: {k: KindCounts() for k in KINDS})
    warnings: dict[str, WarningGroup] = field(default_factory=dict)

    def warn(self, kind: str, example: str) -> None:
        group = self.warnings.setdefault(kind, WarningGroup())
        group.count += 1
        if len(group.examples) < MAX_EXAMPLES:
            group.examples.append(example)

    def warning_count(self, kind: str) -> int:
        group = self.warnings.get(kind)
        return group.count if group else 0

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated or c.removed for c in self.counts.values())

    def render(self) -> str:
        """A plain-text report for the management command."""
        label = {"clever": "Clever SIS CSV", "oneroster": "OneRoster bulk CSV"}.get(
            self.format, self.format
        )
        if self.version:
            label += f" {self.version}"
        lines = [f"Imported {label} from {self.source} in {self.seconds:.1f} s"]
        width = max(len(k) for k in KINDS)
        lines.append(
            f"  {'':{width}}  {'created':>8} {'updated':>8} {'unchanged':>10} {'removed':>8}"
        )
        for kind in KINDS:
            c = self.counts[kind]
            numbers = f"{c.created:>8,} {c.updated:>8,} {c.unchanged:>10,} {c.removed:>8,}"
            lines.append(f"  {kind:{width}}  {numbers}")
        if not self.changed:
            lines.append("Nothing changed: every row was already up to date (all unchanged).")
        if self.warnings:
            lines.append("Data-quality warnings (imported anyway):")
            for kind, group in self.warnings.items():
                lines.append(f"  {kind}: {group.count:,}")
                lines.extend(f"    - {example}" for example in group.examples)
                if group.count > len(group.examples):
                    lines.append(f"    … and {group.count - len(group.examples):,} more")
        else:
            lines.append("No data-quality warnings.")
        return "\n".join(lines)
