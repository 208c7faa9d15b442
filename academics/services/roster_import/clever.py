"""Clever SIS CSV (schools, teachers, students, sections, enrollments) → `Roster`.

Clever has no academic-session file: a section carries its term's name and dates, so a
term is keyed by school year and name, and the school year (August–July) is built from
the terms in it. A homeroom is a section whose Course_name contains "Homeroom".

A student's contact (Contact_name, Contact_type, Contact_phone, Contact_email) becomes a
guardian: one per distinct email (case-insensitive) per school, keyed by that email and
linked to each student who names it (docs/manual/roster-import.md, "Contacts and parents").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from ...models import Role, SchoolClass
from . import summary as w
from .csvfiles import CsvFile, Row, read_csv
from .roster import (
    HOMEROOM_SUBJECT,
    ClassRow,
    MembershipRow,
    PersonRow,
    Roster,
    SchoolRow,
    TermRow,
    YearRow,
    grade_level,
    period_number,
    split_name,
)
from .summary import ImportSummary

FILES = {
    "schools.csv": ("School_id", "School_name"),
    "teachers.csv": ("School_id", "Teacher_id"),
    "students.csv": ("School_id", "Student_id"),
    "sections.csv": (
        "School_id",
        "Section_id",
        "Teacher_id",
        "Course_name",
        "Period",
        "Term_name",
        "Term_start",
        "Term_end",
    ),
    "enrollments.csv": ("School_id", "Section_id", "Student_id"),
}
CO_TEACHER_COLUMNS = ("Teacher_2_id", "Teacher_3_id", "Teacher_4_id")


def is_clever(folder: Path) -> bool:
    names = {p.name.lower() for p in folder.iterdir()}
    return {"schools.csv", "sections.csv", "students.csv"} <= names


def read_clever(
    folder: Path,
    *,
    shift_years: int,
    summary: ImportSummary,
    progress: Callable[[str], None] | None,
) -> Roster:
    """Read a Clever folder into a `Roster`. Raises RosterImportError for bad input."""
    files = {
        name: read_csv(folder, name, required_columns=columns, progress=progress)
        for name, columns in FILES.items()
    }
    reader = _CleverReader(Roster(summary=summary), shift_years)
    reader.schools(files["schools.csv"])
    reader.teachers(files["teachers.csv"])
    reader.students(files["students.csv"])
    reader.sections(files["sections.csv"])
    reader.enrollments(files["enrollments.csv"])
    reader.roster.add_enrollments()
    return reader.roster


class _CleverReader:
    def __init__(self, roster: Roster, shift_years: int) -> None:
        self.roster = roster
        self.shift = shift_years
        self.first_line: dict[tuple[str, ...], int] = {}
        self.teachers_by_id: dict[str, PersonRow] = {}
        self.sections_by_id: dict[str, list[ClassRow]] = {}
        self.students_by_id: dict[str, list[PersonRow]] = {}
        self.section_info: dict[tuple[str, str], tuple[str, int | None, str | None]] = {}
        self.contact_schools: dict[str, list[str]] = {}  # contact email → its schools

    def _unique(self, row: Row, column: str, key: tuple[str, ...]) -> None:
        if key in self.first_line:
            raise row.error(
                column, f'"{key[-1]}" appears twice (first on line {self.first_line[key]})'
            )
        self.first_line[key] = row.line

    def _school(self, row: Row) -> str:
        school = row.required("School_id")
        if school not in self.roster.schools:
            raise row.error("School_id", f'unknown school "{school}" (not in schools.csv)')
        return school

    def _grade(self, row: Row, column: str, school: str) -> int | None:
        text = row.get(column)
        level = grade_level(text)
        if level is None:
            self.roster.warn(w.UNKNOWN_GRADE, f'{row.file.name} line {row.line}: {column} "{text}"')
        self.roster.add_grade(school, level)
        return level

    def schools(self, table: CsvFile) -> None:
        for row in table:
            source_id = row.required("School_id")
            self._unique(row, "School_id", ("school", source_id))
            school = SchoolRow(
                source_id=source_id,
                name=row.required("School_name"),
                code=row.get("School_number") or source_id,
            )
            self.roster.schools[source_id] = school
            if row.get("Low_grade") and row.get("High_grade"):
                school.low_level = self._grade(row, "Low_grade", source_id)
                school.high_level = self._grade(row, "High_grade", source_id)
                if school.low_level is not None and school.high_level is not None:
                    # The ladder must have every rung in the school's range for promotion.
                    for level in range(school.low_level, school.high_level + 1):
                        self.roster.add_grade(source_id, level)

    def teachers(self, table: CsvFile) -> None:
        for row in table:
            school = self._school(row)
            source_id = row.required("Teacher_id")
            self._unique(row, "Teacher_id", ("teacher", school, source_id))
            email = row.get("Teacher_email")
            person = PersonRow(
                school=school,
                source_id=source_id,
                role=Role.TEACHER,
                username=row.get("Username") or email,
                first_name=row.get("First_name"),
                last_name=row.get("Last_name"),
                email=email,
                title=row.get("Title"),
                employee_number=row.get("Teacher_number"),
            )
            self.roster.people[(school, source_id)] = person
            self.teachers_by_id.setdefault(source_id, person)

    def students(self, table: CsvFile) -> None:
        roster = self.roster
        for row in table:
            school = self._school(row)
            source_id = row.required("Student_id")
            self._unique(row, "Student_id", ("student", school, source_id))
            email = row.get("Student_email")
            person = PersonRow(
                school=school,
                source_id=source_id,
                role=Role.STUDENT,
                username=row.get("Username") or email,
                first_name=row.get("First_name"),
                last_name=row.get("Last_name"),
                email=email,
                student_number=row.get("Student_number"),
                date_of_birth=row.birth_date("Dob", partial(roster.warn, w.BAD_BIRTH_DATE)),
                grade_level=self._grade(row, "Grade", school),
            )
            self.roster.people[(school, source_id)] = person
            self.students_by_id.setdefault(source_id, []).append(person)
            self._contact(row, person)
        for email, schools in self.contact_schools.items():
            if len(schools) > 1:
                roster.warn(w.GUARDIAN_SEVERAL_SCHOOLS, f"{email}: {', '.join(schools)}")

    def _contact(self, row: Row, student: PersonRow) -> None:
        """The student's contact as a guardian of the student's school, keyed by the
        lower-cased email; a contact without an email is reported and skipped (there is
        nothing to tell two such contacts apart by, nor to reach them at)."""
        roster = self.roster
        email = row.get("Contact_email")
        name, phone = row.get("Contact_name"), row.get("Contact_phone")
        if not email:
            if name or phone:
                roster.warn(w.CONTACT_WITHOUT_EMAIL, f"{student.describe()}: {name or phone}")
            return
        source_id = email.lower()
        first, last = split_name(name)
        key = (student.school, source_id)
        guardian = roster.people.get(key)
        if guardian is None:
            roster.people[key] = PersonRow(
                school=student.school,
                source_id=source_id,
                role=Role.GUARDIAN,
                username=email,
                first_name=first,
                last_name=last,
                email=email,
                phone=phone,
            )
            schools = self.contact_schools.setdefault(source_id, [])
            schools.append(student.school)
        elif not guardian.is_guardian:
            raise row.error("Contact_email", f'"{email}" is also the id of a person of the roster')
        elif (guardian.first_name, guardian.last_name, guardian.phone) != (first, last, phone):
            roster.warn(
                w.CONTACT_DIFFERS,
                f"{email} (students.csv line {row.line}): {name or '—'}, {phone or '—'}",
            )
        roster.guardianships[(student.school, source_id, student.source_id)] = row.get(
            "Contact_type"
        )

    def _teacher(self, row: Row, school: str, section: str) -> str | None:
        """The section's teacher as a person of the section's school.

        Clever lists a teacher once per school they work at; one who teaches here but is
        listed only at another school gets a staff account here too, so no slot points
        across schools (every row belongs to one school, DOMAIN.md).
        """
        teacher_id = row.get("Teacher_id")
        if not teacher_id:
            self.roster.warn(w.NO_TEACHER, f"section {section}")
            return None
        if (school, teacher_id) in self.roster.people:
            return teacher_id
        listed = self.teachers_by_id.get(teacher_id)
        if listed is None:
            raise row.error("Teacher_id", f'unknown teacher "{teacher_id}" (not in teachers.csv)')
        self.roster.people[(school, teacher_id)] = replace(listed, school=school)
        self.roster.warn(
            w.TEACHER_OTHER_SCHOOL,
            f"{listed.describe()}, listed at {listed.school}, teaches at {school}",
        )
        return teacher_id

    def sections(self, table: CsvFile) -> None:
        roster = self.roster
        for row in table:
            school = self._school(row)
            source_id = row.required("Section_id")
            self._unique(row, "Section_id", ("section", school, source_id))
            teacher = self._teacher(row, school, source_id)
            co_teachers = [row.get(c) for c in CO_TEACHER_COLUMNS if row.get(c)]
            if co_teachers:
                roster.warn(
                    w.CO_TEACHERS, f"section {source_id}: teachers {', '.join(co_teachers)}"
                )
            course = row.get("Course_name")
            homeroom = "homeroom" in course.lower()
            subject = HOMEROOM_SUBJECT if homeroom else course or row.required("Name")
            roster.add_subject(school, subject)
            year, term = self._term(row, school)
            klass = ClassRow(
                school=school,
                source_id=source_id,
                name=row.get("Name") or f"{subject} ({source_id})",
                code=row.get("Course_number"),
                kind=SchoolClass.Kind.HOMEROOM if homeroom else SchoolClass.Kind.TEACHING,
                year=year,
                term=term,
                grade_level=self._grade(row, "Grade", school) if row.get("Grade") else None,
                subject=subject,
                advisor=teacher if homeroom else None,
            )
            roster.classes[(school, source_id)] = klass
            self.sections_by_id.setdefault(source_id, []).append(klass)
            period = period_number(row.get("Period"))
            if period is None:
                roster.warn(w.BAD_PERIOD, f'section {source_id}: Period "{row.get("Period")}"')
            self.section_info[(school, source_id)] = (term, period, teacher)
        for (school, section), (term_id, period, teacher) in self.section_info.items():
            if period is not None:
                term = roster.terms[(school, term_id)]
                roster.add_slots(
                    roster.classes[(school, section)],
                    period=period,
                    teacher=teacher,
                    valid_from=term.start,
                    valid_to=term.end,
                )

    def _term(self, row: Row, school: str) -> tuple[str, str]:
        start = row.date("Term_start", shift_years=self.shift)
        end = row.date("Term_end", shift_years=self.shift)
        if end < start:
            raise row.error("Term_end", f"{end} is before the term starts ({start})")
        # A school year runs August–July: a term starting before July belongs to the
        # year that began the previous calendar year.
        shifted_label = start.year if start.month >= 7 else start.year - 1
        label = shifted_label - self.shift
        year_id = f"{label}-{label + 1}"
        name = row.get("Term_name") or "Year"
        term_id = f"{year_id}/{name}"
        roster = self.roster
        year = roster.years.get((school, year_id))
        if year is None:
            year = roster.years[(school, year_id)] = YearRow(
                school=school,
                source_id=year_id,
                name=f"{shifted_label}-{shifted_label + 1}",
                start=start,
                end=end,
            )
        year.start, year.end = min(year.start, start), max(year.end, end)
        term = roster.terms.get((school, term_id))
        if term is None:
            roster.terms[(school, term_id)] = TermRow(
                school=school, source_id=term_id, year=year_id, name=name, start=start, end=end
            )
        elif (term.start, term.end) != (start, end):
            roster.warn(
                w.TERM_DATES_DIFFER,
                f"{name} at {school}: {term.start}–{term.end} and {start}–{end} "
                f"(sections.csv line {row.line})",
            )
            term.start, term.end = min(term.start, start), max(term.end, end)
        return year_id, term_id

    def _find(self, by_id: dict, school: str, source_id: str):
        candidates = by_id.get(source_id, [])
        for candidate in candidates:
            if candidate.school == school:
                return candidate
        return candidates[0] if candidates else None

    def enrollments(self, table: CsvFile) -> None:
        roster = self.roster
        clashes: dict[tuple[str, str, str, int], list[ClassRow]] = {}
        for row in table:
            school = row.required("School_id")
            section_id = row.required("Section_id")
            student_id = row.required("Student_id")
            section = self._find(self.sections_by_id, school, section_id)
            if section is None:
                raise row.error("Section_id", f'unknown section "{section_id}"')
            student = self._find(self.students_by_id, school, student_id)
            if student is None:
                raise row.error("Student_id", f'unknown student "{student_id}"')
            if student.school != section.school:
                roster.warn(
                    w.OTHER_SCHOOL_ENROLMENT,
                    f"{student.describe()} of {student.school} in section {section_id} "
                    f"of {section.school}",
                )
                continue
            key = (section.school, f"{section_id}-{student_id}")
            if key in roster.memberships:
                roster.warn(w.DUPLICATE_ROW, f"enrollments.csv line {row.line}")
                continue
            term = roster.terms[(section.school, section.term)]
            roster.memberships[key] = MembershipRow(
                school=section.school,
                source_id=key[1],
                student=student_id,
                school_class=section_id,
                joined_on=term.start,
                left_on=term.end,
            )
            if (
                student.grade_level is not None
                and section.grade_level is not None
                and student.grade_level != section.grade_level
            ):
                roster.warn(
                    w.GRADE_MISMATCH,
                    f"{student.describe()} (grade {student.grade_level}) in section "
                    f"{section_id} {section.name} (grade {section.grade_level})",
                )
            period = self.section_info[(section.school, section_id)][1]
            if period is not None:
                clashes.setdefault((section.school, student_id, term.source_id, period), []).append(
                    section
                )
        for (school, student_id, term_id, period), sections in clashes.items():
            if len(sections) > 1:
                student = roster.people[(school, student_id)]
                roster.warn(
                    w.PERIOD_CLASH,
                    f"{student.describe()}: period {period} of {term_id} in sections "
                    + ", ".join(s.source_id for s in sections),
                )
