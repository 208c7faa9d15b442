"""The roster as Rollbook sees it, whatever format it came in.

The Clever and OneRoster readers fill a `Roster`; `writer.RosterWriter` turns it into
rows. Everything is keyed by the SIS's ids, scoped by the school's id: `(school, id)`.
Dates are already moved by `shift_years`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from ...models import Role, SchoolClass
from .summary import NO_ENROLLMENT, NO_HOMEROOM, SEVERAL_HOMEROOMS, ImportSummary

Key = tuple[str, str]  # (school source id, row source id)

WEEKDAYS = range(5)  # Monday–Friday: the school week a roster's period runs on

HOMEROOM_SUBJECT = "Homeroom"

_PRE_K = {"pk", "prek", "pre-k", "prekindergarten", "pre-kindergarten", "pre kindergarten"}
_KINDERGARTEN = {"k", "kg", "kindergarten", "0", "00"}
_NUMBERED = re.compile(r"^(?:grade\s*)?0?(\d{1,2})(?:st|nd|rd|th)?(?:\s*grade)?$")


def grade_level(text: str) -> int | None:
    """The Grade ladder level of a roster grade: PreK -1, Kindergarten 0, Grade n n (1–12).

    Accepts Clever's "Kindergarten"/"0"/"7" and OneRoster's "PK"/"KG"/"09"; None for
    anything else (Ungraded, Postgraduate, Other…), which the caller reports.
    """
    value = text.strip().lower()
    if value in _PRE_K:
        return -1
    if value in _KINDERGARTEN:
        return 0
    if match := _NUMBERED.match(value):
        level = int(match.group(1))
        if 1 <= level <= 12:
            return level
    return None


def grade_name(level: int) -> str:
    if level == -1:
        return "Pre-Kindergarten"
    if level == 0:
        return "Kindergarten"
    return f"Grade {level}"


def period_number(text: str) -> int | None:
    """A section's period as a number ("3", "P3", "3rd" → 3); None if it has none."""
    match = re.search(r"\d+", text)
    return int(match.group()) if match else None


def shift_year_numbers(text: str, years: int) -> str:
    """Move the four-digit years in a name ("2020-2021 Fall" → "2031-2032 Fall")."""
    if not years:
        return text
    return re.sub(r"(?<!\d)(19|20)(\d\d)(?!\d)", lambda m: str(int(m.group()) + years), text)


@dataclass
class SchoolRow:
    source_id: str
    name: str
    code: str
    low_level: int | None = None
    high_level: int | None = None


@dataclass
class YearRow:
    school: str
    source_id: str
    name: str
    start: datetime.date
    end: datetime.date


@dataclass
class TermRow:
    school: str
    source_id: str
    year: str
    name: str
    start: datetime.date
    end: datetime.date


@dataclass
class PersonRow:
    school: str
    source_id: str
    role: Role
    username: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    enabled: bool = True
    title: str = ""
    employee_number: str = ""
    student_number: str = ""
    date_of_birth: datetime.date | None = None
    grade_level: int | None = None
    phone: str = ""

    @property
    def is_student(self) -> bool:
        return self.role == Role.STUDENT

    @property
    def is_guardian(self) -> bool:
        return self.role == Role.GUARDIAN

    @property
    def kind(self) -> str:
        """The summary kind this person is counted under."""
        if self.is_student:
            return "students"
        return "guardians" if self.is_guardian else "staff"

    @property
    def sort_name(self) -> tuple[str, str, str]:
        return (self.last_name.lower(), self.first_name.lower(), self.source_id)

    def describe(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return f"{name} ({self.source_id})" if name else self.source_id


@dataclass
class ClassRow:
    school: str
    source_id: str
    name: str
    code: str
    kind: SchoolClass.Kind
    year: str
    term: str | None
    grade_level: int | None
    subject: str
    advisor: str | None = None


@dataclass
class MembershipRow:
    school: str
    source_id: str
    student: str
    school_class: str
    joined_on: datetime.date
    left_on: datetime.date | None


@dataclass
class EnrollmentRow:
    school: str
    student: str
    year: str
    grade_level: int
    homeroom: str | None


@dataclass
class SlotRow:
    school: str
    school_class: str
    subject: str
    teacher: str | None
    weekday: int
    period: int
    valid_from: datetime.date
    valid_to: datetime.date | None


@dataclass
class Roster:
    """Everything one roster folder says, in Rollbook's terms."""

    summary: ImportSummary
    schools: dict[str, SchoolRow] = field(default_factory=dict)
    years: dict[Key, YearRow] = field(default_factory=dict)
    terms: dict[Key, TermRow] = field(default_factory=dict)
    grade_levels: dict[str, set[int]] = field(default_factory=dict)
    subjects: dict[tuple[str, str], str] = field(default_factory=dict)  # → code
    people: dict[Key, PersonRow] = field(default_factory=dict)
    classes: dict[Key, ClassRow] = field(default_factory=dict)
    memberships: dict[Key, MembershipRow] = field(default_factory=dict)
    # keyed (school, student, year)
    enrollments: dict[tuple[str, str, str], EnrollmentRow] = field(default_factory=dict)
    slots: list[SlotRow] = field(default_factory=list)
    # (school, guardian id, student id) → relationship ("Mother", "parent"…): a guardian
    # (a person of role guardian in `people`) follows a student of the same school.
    guardianships: dict[tuple[str, str, str], str] = field(default_factory=dict)
    # Rows the roster marks `tobedeleted`: deactivated or removed, never imported as live.
    deleted_people: set[Key] = field(default_factory=set)
    deleted_classes: set[Key] = field(default_factory=set)
    deleted_memberships: set[Key] = field(default_factory=set)

    def warn(self, kind: str, example: str) -> None:
        self.summary.warn(kind, example)

    def add_grade(self, school: str, level: int | None) -> None:
        if level is not None:
            self.grade_levels.setdefault(school, set()).add(level)

    def add_subject(self, school: str, name: str, code: str = "") -> None:
        key = (school, name)
        if not self.subjects.get(key):
            self.subjects[key] = code

    def add_slots(
        self,
        school_class: ClassRow,
        *,
        period: int,
        teacher: str | None,
        valid_from: datetime.date,
        valid_to: datetime.date | None,
    ) -> None:
        """The class meets in `period` on every school weekday between the two dates."""
        for weekday in WEEKDAYS:
            self.slots.append(
                SlotRow(
                    school=school_class.school,
                    school_class=school_class.source_id,
                    subject=school_class.subject,
                    teacher=teacher,
                    weekday=weekday,
                    period=period,
                    valid_from=valid_from,
                    valid_to=valid_to,
                )
            )

    def add_enrollments(self) -> None:
        """One Enrollment per student for the year of their homeroom, else of their classes.

        A student with no homeroom (all of OneRoster Grand Bend) is still placed in the
        year with their grade and no class; one with no class at all goes in the
        school's latest year.
        """
        latest_year: dict[str, YearRow] = {}
        for year in self.years.values():
            if year.school not in latest_year or year.start > latest_year[year.school].start:
                latest_year[year.school] = year
        homerooms: dict[Key, list[ClassRow]] = {}
        class_years: dict[Key, list[str]] = {}
        for membership in self.memberships.values():
            klass = self.classes[(membership.school, membership.school_class)]
            student_key = (membership.school, membership.student)
            if klass.kind == SchoolClass.Kind.HOMEROOM:
                rooms = homerooms.setdefault(student_key, [])
                if klass not in rooms:
                    rooms.append(klass)
            years = class_years.setdefault(student_key, [])
            if klass.year not in years:
                years.append(klass.year)
        roster_has_homerooms = bool(homerooms)
        for key, person in self.people.items():
            if not person.is_student or key in self.deleted_people:
                continue
            rooms = homerooms.get(key, [])
            if len(rooms) > 1:
                self.warn(
                    SEVERAL_HOMEROOMS,
                    f"{person.describe()}: " + ", ".join(r.source_id for r in rooms),
                )
            elif not rooms and roster_has_homerooms:
                self.warn(NO_HOMEROOM, person.describe())
            if rooms:
                years = [rooms[0].year]
            elif key in class_years:
                years = class_years[key]
            elif person.school in latest_year:
                years = [latest_year[person.school].source_id]
            else:
                years = []
            if person.grade_level is None or not years:
                self.warn(NO_ENROLLMENT, person.describe())
                continue
            for year in years:
                homeroom = rooms[0].source_id if rooms and rooms[0].year == year else None
                self.enrollments[(person.school, person.source_id, year)] = EnrollmentRow(
                    school=person.school,
                    student=person.source_id,
                    year=year,
                    grade_level=person.grade_level,
                    homeroom=homeroom,
                )


# Surname particles that belong to the last name: "Anna van der Berg" → "van der Berg".
_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "da", "di", "du", "la", "le", "st."}


def split_name(text: str) -> tuple[str, str]:
    """(first name, last name) of a whole name as a SIS writes it in one column.

    "Wanell Schmeler" → ("Wanell", "Schmeler"); "Mary Ann Smith" → ("Mary Ann", "Smith");
    "Anna van der Berg" → ("Anna", "van der Berg"); "Smith, Mary Ann" → ("Mary Ann",
    "Smith"); a single word is a first name; "" → ("", "") (docs/manual/roster-import.md).
    """
    text = " ".join(text.split())
    if "," in text:
        last, first = (part.strip() for part in text.split(",", 1))
        return first, last
    words = text.split(" ") if text else []
    if len(words) < 2:
        return text, ""
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return " ".join(words[:start]), " ".join(words[start:])
