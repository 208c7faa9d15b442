"""OneRoster 1.1 / 1.2 bulk CSV → `Roster`.

Files read: manifest.csv (version; optional), orgs.csv, academicSessions.csv, courses.csv
(optional), classes.csv, users.csv (+ roles.csv in 1.2, where users lost their role and
org columns), enrollments.csv, demographics.csv (optional, for birth dates).

`status=tobedeleted` rows are never imported as live: users and classes already imported
are deactivated, enrolments removed, anything else skipped.

Users of role parent, guardian or relative become guardians, linked to students through
`agentSourcedIds` on either side (the student's row naming the guardian, or the
guardian's row naming the student); a guardian belongs to each school of their children
(docs/manual/roster-import.md, "Contacts and parents").
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from ...models import Role, SchoolClass
from . import summary as w
from .csvfiles import Row, find_file, read_csv, split_list
from .errors import RosterImportError
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
    shift_year_numbers,
)
from .summary import ImportSummary

ROLES = {
    "student": Role.STUDENT,
    "teacher": Role.TEACHER,
    "aide": Role.TEACHER,
    "counselor": Role.TEACHER,
    "administrator": Role.ADMIN,
    "siteadministrator": Role.ADMIN,
    "districtadministrator": Role.ADMIN,
    "systemadministrator": Role.ADMIN,
    "principal": Role.PRINCIPAL,
    "parent": Role.GUARDIAN,
    "guardian": Role.GUARDIAN,
    "relative": Role.GUARDIAN,
}
YEAR_TYPE = "schoolyear"
TERM_TYPES = {"semester", "term", "gradingperiod"}
DELETED = "tobedeleted"


def is_oneroster(folder: Path) -> bool:
    names = {p.name.lower() for p in folder.iterdir()}
    return "manifest.csv" in names or {"orgs.csv", "users.csv"} <= names


@dataclass
class _Session:
    source_id: str
    kind: str  # "year" or "term"
    title: str
    start: datetime.date
    end: datetime.date
    parent: str
    row: Row
    schools: list[str] = field(default_factory=list)
    year: str = ""  # a term's school year


@dataclass
class _Guardian:
    """A parent/guardian/relative row of users.csv, until their children are known."""

    person: PersonRow
    relationship: str  # the OneRoster role, lower-cased
    orgs: list[str]
    agents: list[str]
    live: bool


@dataclass
class _Class:
    row: ClassRow
    sessions: list[_Session]
    periods: list[int]
    teachers: list[tuple[bool, datetime.date | None, datetime.date | None, str]] = field(
        default_factory=list
    )


def read_oneroster(
    folder: Path,
    *,
    shift_years: int,
    summary: ImportSummary,
    progress: Callable[[str], None] | None,
) -> Roster:
    """Read a OneRoster folder into a `Roster`. Raises RosterImportError for bad input."""
    reader = _OneRosterReader(folder, Roster(summary=summary), shift_years, progress)
    reader.manifest()
    reader.orgs()
    reader.sessions()
    reader.courses()
    reader.classes()
    reader.users()
    reader.guardians()
    reader.enrollments()
    reader.slots()
    reader.roster.add_enrollments()
    return reader.roster


class _OneRosterReader:
    def __init__(
        self,
        folder: Path,
        roster: Roster,
        shift_years: int,
        progress: Callable[[str], None] | None,
    ) -> None:
        self.folder = folder
        self.roster = roster
        self.shift = shift_years
        self.progress = progress
        self.absent: set[str] = set()
        # sourcedIds marked tobedeleted, per file (ids of different files may coincide)
        self.deleted: dict[str, set[str]] = {}
        self.sessions_by_id: dict[str, _Session] = {}
        self.courses_by_id: dict[str, tuple[str, str]] = {}
        self.classes_by_id: dict[str, _Class] = {}
        self.people_by_id: dict[str, list[PersonRow]] = {}
        self.skipped_users: set[str] = set()  # a role or school Rollbook does not import
        self.guardian_rows: dict[str, _Guardian] = {}
        self.student_agents: dict[str, list[str]] = {}  # student id → agentSourcedIds
        self.has_courses = False

    def _read(self, name: str, columns: tuple[str, ...], *, optional: bool = False):
        if optional and (name in self.absent or find_file(self.folder, name) is None):
            return None
        return read_csv(self.folder, name, required_columns=columns, progress=self.progress)

    def _live(self, row: Row) -> bool:
        if row.get("status").lower() == DELETED:
            self._mark_deleted(row.file.name, row.get("sourcedId"))
            return False
        return True

    def _mark_deleted(self, file: str, source_id: str) -> None:
        self.deleted.setdefault(file.lower(), set()).add(source_id)

    def _is_deleted(self, file: str, source_id: str) -> bool:
        return source_id in self.deleted.get(file.lower(), set())

    def manifest(self) -> None:
        table = self._read("manifest.csv", ("propertyName", "value"), optional=True)
        for row in table or ():
            prop, value = row.get("propertyName"), row.get("value").lower()
            if prop == "oneroster.version":
                self.roster.summary.version = row.get("value")
            elif prop.startswith("file.") and value == "absent":
                self.absent.add(prop.removeprefix("file.") + ".csv")

    def orgs(self) -> None:
        for row in self._read("orgs.csv", ("sourcedId", "name", "type")):
            if row.get("type").lower() != "school":
                continue
            source_id = row.required("sourcedId")
            if not self._live(row):
                self.roster.warn(w.DELETED_SCHOOL, f"{row.get('name')} ({source_id})")
                continue
            self.roster.schools[source_id] = SchoolRow(
                source_id=source_id,
                name=row.required("name"),
                code=row.get("identifier") or source_id,
            )
        if not self.roster.schools:
            raise RosterImportError("orgs.csv", None, "type", "no live org of type school")

    def sessions(self) -> None:
        table = self._read(
            "academicSessions.csv", ("sourcedId", "title", "type", "startDate", "endDate")
        )
        for row in table:
            if not self._live(row):
                continue
            source_id = row.required("sourcedId")
            kind = row.get("type").lower()
            if kind not in TERM_TYPES | {YEAR_TYPE}:
                raise row.error("type", f'unknown session type "{row.get("type")}"')
            start = row.date("startDate", shift_years=self.shift)
            end = row.date("endDate", shift_years=self.shift)
            if end < start or (kind == YEAR_TYPE and end == start):
                raise row.error("endDate", f"{end} is not after the start ({start})")
            org = row.get("orgSourcedId")
            schools = [org] if org in self.roster.schools else list(self.roster.schools)
            self.sessions_by_id[source_id] = _Session(
                source_id=source_id,
                kind="year" if kind == YEAR_TYPE else "term",
                title=shift_year_numbers(row.get("title") or source_id, self.shift),
                start=start,
                end=end,
                parent=row.get("parentSourcedId"),
                row=row,
                schools=schools,
            )
        years = [s for s in self.sessions_by_id.values() if s.kind == "year"]
        for session in self.sessions_by_id.values():
            if session.kind == "term":
                session.year = self._year_of(session, years)
        for year in years:
            for school in year.schools:
                self._add_year(school, year)
        for term in (s for s in self.sessions_by_id.values() if s.kind == "term"):
            for school in term.schools:
                if (school, term.year) not in self.roster.years:
                    continue
                names = {
                    t.name
                    for t in self.roster.terms.values()
                    if (t.school, t.year) == (school, term.year)
                }
                name = term.title if term.title not in names else f"{term.title} ({term.source_id})"
                self.roster.terms[(school, term.source_id)] = TermRow(
                    school=school,
                    source_id=term.source_id,
                    year=term.year,
                    name=name,
                    start=term.start,
                    end=term.end,
                )

    def _add_year(self, school: str, year: _Session) -> None:
        name = f"{year.start.year}-{year.end.year}"
        taken = {y.name for y in self.roster.years.values() if y.school == school}
        if year.start.year == year.end.year or name in taken:
            name = year.title
        self.roster.years[(school, year.source_id)] = YearRow(
            school=school, source_id=year.source_id, name=name, start=year.start, end=year.end
        )

    def _year_of(self, term: _Session, years: list[_Session]) -> str:
        """The school year a term belongs to: its parent chain, else the year containing it."""
        parent, seen = term.parent, set()
        while parent and parent in self.sessions_by_id and parent not in seen:
            seen.add(parent)
            session = self.sessions_by_id[parent]
            if session.kind == "year":
                return session.source_id
            parent = session.parent
        if parent and not self._is_deleted("academicsessions.csv", parent):
            raise term.row.error("parentSourcedId", f'unknown session "{parent}"')
        containing = [y for y in years if y.start <= term.start and term.end <= y.end]
        if not containing:
            raise term.row.error(
                "parentSourcedId",
                "the term has no school year: no parent and no schoolYear session contains "
                f"{term.start}–{term.end}",
            )
        self.roster.warn(
            w.UNLINKED_TERM, f"{term.title} ({term.source_id}) → {containing[0].title}"
        )
        return containing[0].source_id

    def courses(self) -> None:
        table = self._read("courses.csv", ("sourcedId", "title"), optional=True)
        for row in table or ():
            if self._live(row):
                self.courses_by_id[row.required("sourcedId")] = (
                    row.required("title"),
                    row.get("courseCode"),
                )
        self.has_courses = table is not None

    def _grade(self, row: Row, column: str, school: str) -> int | None:
        """The single grade of a grades list; None for none or several (a mixed class)."""
        levels = set()
        for text in split_list(row.get(column)):
            level = grade_level(text)
            if level is None:
                self.roster.warn(
                    w.UNKNOWN_GRADE, f'{row.file.name} line {row.line}: {column} "{text}"'
                )
            else:
                levels.add(level)
                self.roster.add_grade(school, level)
        return levels.pop() if len(levels) == 1 else None

    def classes(self) -> None:
        table = self._read(
            "classes.csv",
            ("sourcedId", "title", "courseSourcedId", "schoolSourcedId", "termSourcedIds"),
        )
        for row in table:
            source_id = row.required("sourcedId")
            school = row.required("schoolSourcedId")
            course_id = row.get("courseSourcedId")
            if not self._live(row) or self._is_deleted("courses.csv", course_id):
                self.roster.deleted_classes.add((school, source_id))
                self._mark_deleted("classes.csv", source_id)
                continue
            if school not in self.roster.schools:
                if self._is_deleted("orgs.csv", school):
                    self._mark_deleted("classes.csv", source_id)
                    continue
                raise row.error("schoolSourcedId", f'unknown school "{school}"')
            sessions = []
            for session_id in split_list(row.get("termSourcedIds")):
                if self._is_deleted("academicsessions.csv", session_id):
                    continue
                if session_id not in self.sessions_by_id:
                    raise row.error("termSourcedIds", f'unknown academic session "{session_id}"')
                sessions.append(self.sessions_by_id[session_id])
            if not sessions:
                raise row.error("termSourcedIds", "the class has no live academic session")
            course = self.courses_by_id.get(course_id)
            if course is None and self.has_courses:
                raise row.error("courseSourcedId", f'unknown course "{course_id}"')
            homeroom = row.get("classType").lower() == "homeroom"
            if homeroom:
                subject, subject_code = HOMEROOM_SUBJECT, ""
            else:
                subject, subject_code = course or (row.required("title"), "")
            self.roster.add_subject(school, subject, subject_code)
            terms = [s for s in sessions if s.kind == "term"]
            year = terms[0].year if terms else sessions[0].source_id
            missing = [s.source_id for s in terms if (school, s.source_id) not in self.roster.terms]
            if (school, year) not in self.roster.years or missing:
                raise row.error(
                    "termSourcedIds", f"academic session of another school: {missing or year}"
                )
            periods = []
            for text in split_list(row.get("periods")):
                period = period_number(text)
                if period is None:
                    self.roster.warn(w.BAD_PERIOD, f'class {source_id}: period "{text}"')
                elif period not in periods:
                    periods.append(period)
            klass = ClassRow(
                school=school,
                source_id=source_id,
                name=row.required("title"),
                code=row.get("classCode"),
                kind=SchoolClass.Kind.HOMEROOM if homeroom else SchoolClass.Kind.TEACHING,
                year=year,
                term=terms[0].source_id if len(terms) == 1 else None,
                grade_level=self._grade(row, "grades", school),
                subject=subject,
            )
            self.roster.classes[(school, source_id)] = klass
            self.classes_by_id[source_id] = _Class(row=klass, sessions=sessions, periods=periods)

    def _roles(self) -> dict[str, tuple[str, list[str]]]:
        """OneRoster 1.2 keeps roles apart: userSourcedId → (primary role, its orgs)."""
        table = self._read("roles.csv", ("userSourcedId", "role", "orgSourcedId"), optional=True)
        roles: dict[str, tuple[str, list[str]]] = {}
        for row in table or ():
            if not self._live(row):
                continue
            user = row.get("userSourcedId")
            role, orgs = roles.get(user, (row.get("role"), []))
            if row.get("roleType").lower() == "primary":
                role = row.get("role")
            orgs.append(row.get("orgSourcedId"))
            roles[user] = (role, orgs)
        return roles

    def users(self) -> None:
        table = self._read("users.csv", ("sourcedId",))
        roles = {} if table.has_column("role") else self._roles()
        birth_dates = self._birth_dates()
        for row in table:
            source_id = row.required("sourcedId")
            if table.has_column("role"):
                role_text = row.get("role")
                orgs = split_list(row.get("orgSourcedIds") or row.get("primaryOrgSourcedId"))
            else:
                role_text, orgs = roles.get(source_id, ("", []))
            role = ROLES.get(role_text.lower())
            if role is None:
                self.roster.warn(w.UNSUPPORTED_ROLE, f'{source_id}: role "{role_text}"')
                self.skipped_users.add(source_id)
                continue
            if role == Role.GUARDIAN:
                # Their school is their children's, known once every user is read.
                self.guardian_rows[source_id] = _Guardian(
                    person=PersonRow(
                        school="",
                        source_id=source_id,
                        role=role,
                        username=row.get("username") or row.get("email") or source_id,
                        first_name=row.get("givenName"),
                        last_name=row.get("familyName"),
                        email=row.get("email"),
                        enabled=row.get("enabledUser").lower() != "false",
                        phone=row.get("phone") or row.get("sms"),
                    ),
                    relationship=role_text.lower(),
                    orgs=orgs,
                    agents=split_list(row.get("agentSourcedIds")),
                    live=row.get("status").lower() != DELETED,
                )
                continue
            schools = [o for o in orgs if o in self.roster.schools]
            if not schools:
                self.roster.warn(w.NO_SCHOOL, f"users.csv line {row.line}: {source_id}")
                self.skipped_users.add(source_id)
                continue
            if role == Role.STUDENT:
                schools = schools[:1]  # a student is placed at one school
            if not self._live(row):
                self.roster.deleted_people.update((school, source_id) for school in schools)
                self._mark_deleted("users.csv", source_id)
                continue
            person = PersonRow(
                school=schools[0],
                source_id=source_id,
                role=role,
                username=row.get("username") or row.get("email") or source_id,
                first_name=row.get("givenName"),
                last_name=row.get("familyName"),
                email=row.get("email"),
                enabled=row.get("enabledUser").lower() != "false",
                student_number=row.get("identifier") or _first_user_id(row.get("userIds")),
                date_of_birth=birth_dates.get(source_id),
            )
            if role == Role.STUDENT:
                person.grade_level = self._grade(row, "grades", schools[0])
                self.student_agents[source_id] = split_list(row.get("agentSourcedIds"))
            # A member of staff at several schools gets an account at each (one school
            # per user); the same sourcedId keys them, scoped by school.
            people = [person] + [replace(person, school=s) for s in schools[1:]]
            for one in people:
                self.roster.people[(one.school, source_id)] = one
            self.people_by_id[source_id] = people

    def guardians(self) -> None:
        """Each parent/guardian/relative with the students linked to them by
        `agentSourcedIds` on either side, as a guardian at each of those students'
        schools; one without a child in the roster at their own school (orgSourcedIds),
        else skipped. An agent id that is neither a guardian nor a student is reported."""
        roster = self.roster
        children: dict[str, list[PersonRow]] = {g: [] for g in self.guardian_rows}

        def link(guardian_id: str, student: PersonRow) -> None:
            if all(c is not student for c in children[guardian_id]):
                children[guardian_id].append(student)

        def known_elsewhere(source_id: str) -> bool:
            return source_id in self.skipped_users or self._is_deleted("users.csv", source_id)

        for student_id, agents in self.student_agents.items():
            student = self._student(student_id)
            for agent in agents:
                if agent in self.guardian_rows:
                    if student is not None:
                        link(agent, student)
                elif not known_elsewhere(agent):
                    roster.warn(w.UNKNOWN_AGENT, f"student {student_id}: {agent}")
        for guardian_id, guardian in self.guardian_rows.items():
            for agent in guardian.agents:
                student = self._student(agent)
                if student is not None:
                    link(guardian_id, student)
                elif agent not in self.guardian_rows and not known_elsewhere(agent):
                    roster.warn(w.UNKNOWN_AGENT, f"guardian {guardian_id}: {agent}")
        for guardian_id, guardian in self.guardian_rows.items():
            if not guardian.live:
                self._mark_deleted("users.csv", guardian_id)
                roster.deleted_people.update((school, guardian_id) for school in roster.schools)
                continue
            schools = []
            for child in children[guardian_id]:
                if child.school not in schools:
                    schools.append(child.school)
            if not schools:
                schools = [o for o in guardian.orgs if o in roster.schools][:1]
            if not schools:
                roster.warn(w.GUARDIAN_WITHOUT_CHILD, f"{guardian.person.describe()}")
                continue
            if len(schools) > 1:
                roster.warn(
                    w.GUARDIAN_SEVERAL_SCHOOLS,
                    f"{guardian.person.describe()}: {', '.join(schools)}",
                )
            for school in schools:
                roster.people[(school, guardian_id)] = replace(guardian.person, school=school)
            for child in children[guardian_id]:
                roster.guardianships[(child.school, guardian_id, child.source_id)] = (
                    guardian.relationship
                )

    def _student(self, source_id: str) -> PersonRow | None:
        """The live student `source_id` of the roster, or None."""
        people = self.people_by_id.get(source_id, [])
        return next((p for p in people if p.is_student), None)

    def _birth_dates(self) -> dict[str, datetime.date]:
        table = self._read("demographics.csv", ("sourcedId", "birthDate"), optional=True)
        warn = partial(self.roster.warn, w.BAD_BIRTH_DATE)
        return {
            row.get("sourcedId"): row.birth_date("birthDate", warn)
            for row in table or ()
            if row.get("birthDate") and self._live(row)
        }

    def _person(self, source_id: str, school: str) -> PersonRow | None:
        people = self.people_by_id.get(source_id, [])
        return next((p for p in people if p.school == school), None)

    def enrollments(self) -> None:
        table = self._read(
            "enrollments.csv", ("sourcedId", "classSourcedId", "userSourcedId", "role")
        )
        clashes: dict[tuple[str, str, str, int], list[str]] = {}
        for row in table:
            source_id = row.required("sourcedId")
            class_id = row.required("classSourcedId")
            klass = self.classes_by_id.get(class_id)
            if not self._live(row):
                school = klass.row.school if klass else row.get("schoolSourcedId")
                self.roster.deleted_memberships.add((school, source_id))
                continue
            if self._is_deleted("classes.csv", class_id):
                continue  # the class is switched off; its past memberships stay as history
            if klass is None:
                raise row.error("classSourcedId", f'unknown class "{class_id}"')
            user_id = row.required("userSourcedId")
            if (
                user_id in self.skipped_users
                or user_id in self.guardian_rows
                or self._is_deleted("users.csv", user_id)
            ):
                continue
            if user_id not in self.people_by_id:
                raise row.error("userSourcedId", f'unknown user "{user_id}"')
            school = klass.row.school
            person = self._person(user_id, school)
            begin = row.date("beginDate", shift_years=self.shift, required=False)
            end = row.date("endDate", shift_years=self.shift, required=False)
            if begin and end and end < begin:
                raise row.error("endDate", f"{end} is before the enrolment begins ({begin})")
            role = row.get("role").lower()
            if role == "student":
                if person is None or not person.is_student:
                    raise row.error("userSourcedId", f'"{user_id}" is not a student of {school}')
                self._membership(row, klass, person, source_id, begin, end, clashes)
            elif role in {"teacher", "aide"}:
                if person is None:
                    person = self._staff_elsewhere(user_id, school)
                if person is None or person.is_student:
                    raise row.error("userSourcedId", f'"{user_id}" is not a member of staff')
                primary = row.get("primary").lower() == "true" and role == "teacher"
                klass.teachers.append((primary, begin, end, user_id))
        for (school, student_id, term, period), class_ids in clashes.items():
            if len(class_ids) > 1:
                student = self.roster.people[(school, student_id)]
                self.roster.warn(
                    w.PERIOD_CLASH,
                    f"{student.describe()}: period {period} of {term} in classes "
                    + ", ".join(class_ids),
                )

    def _staff_elsewhere(self, user_id: str, school: str) -> PersonRow | None:
        listed = self.people_by_id.get(user_id, [])
        staff = next((p for p in listed if not p.is_student), None)
        if staff is None:
            return None
        person = replace(staff, school=school)
        self.roster.people[(school, user_id)] = person
        listed.append(person)
        self.roster.warn(
            w.TEACHER_OTHER_SCHOOL,
            f"{staff.describe()}, listed at {staff.school}, teaches at {school}",
        )
        return person

    def _membership(self, row, klass, person, source_id, begin, end, clashes) -> None:
        first = min(s.start for s in klass.sessions)
        last = max(s.end for s in klass.sessions)
        joined, left = begin or first, end or last
        if left < joined:
            raise row.error("beginDate", f"{joined} is after the class ends ({left})")
        key = (klass.row.school, source_id)
        self.roster.memberships[key] = MembershipRow(
            school=klass.row.school,
            source_id=source_id,
            student=person.source_id,
            school_class=klass.row.source_id,
            joined_on=joined,
            left_on=left,
        )
        if (
            person.grade_level is not None
            and klass.row.grade_level is not None
            and person.grade_level != klass.row.grade_level
        ):
            self.roster.warn(
                w.GRADE_MISMATCH,
                f"{person.describe()} (grade {person.grade_level}) in class "
                f"{klass.row.source_id} {klass.row.name} (grade {klass.row.grade_level})",
            )
        for session in klass.sessions:
            if session.start <= left and joined <= session.end:
                for period in klass.periods:
                    ids = clashes.setdefault(
                        (klass.row.school, person.source_id, session.source_id, period), []
                    )
                    if klass.row.source_id not in ids:
                        ids.append(klass.row.source_id)

    def slots(self) -> None:
        """Each class meets in its periods on every weekday of each of its terms, taught by
        the (primary) teacher enrolled over that term; other teachers are reported."""
        for klass in self.classes_by_id.values():
            teachers = {t[3] for t in klass.teachers}
            if len(teachers) > 1:
                self.roster.warn(
                    w.CO_TEACHERS,
                    f"class {klass.row.source_id}: teachers {', '.join(sorted(teachers))}",
                )
            if klass.row.kind == SchoolClass.Kind.HOMEROOM:
                klass.row.advisor = self._teacher_over(klass, None)
            for session in klass.sessions:
                teacher = self._teacher_over(klass, session)
                if teacher is None and klass.periods:
                    self.roster.warn(
                        w.NO_TEACHER, f"class {klass.row.source_id} in {session.title}"
                    )
                for period in klass.periods:
                    self.roster.add_slots(
                        klass.row,
                        period=period,
                        teacher=teacher,
                        valid_from=session.start,
                        valid_to=session.end,
                    )

    def _teacher_over(self, klass: _Class, session: _Session | None) -> str | None:
        def overlaps(begin, end) -> bool:
            if session is None:
                return True
            return (begin is None or begin <= session.end) and (end is None or session.start <= end)

        matching = [t for t in klass.teachers if overlaps(t[1], t[2])]
        matching.sort(key=lambda t: not t[0])  # primary first, then file order
        return matching[0][3] if matching else None


def _first_user_id(text: str) -> str:
    """The id in OneRoster's userIds "{type:id},{type:id}" (e.g. "{Local:863}" → "863")."""
    for part in text.strip("{}").split("},{"):
        if ":" in part:
            return part.split(":", 1)[1].strip()
    return ""
