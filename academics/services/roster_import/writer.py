"""Turn a `Roster` into rows: one read per model, then bulk creates and bulk updates.

Rows are matched by the SIS's id (`source_id`, unique per school) or, for models without
one, by their natural key (grade level, subject name, student × year, slot period), so a
second import of the same folder finds everything and reports it unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models
from django.utils import timezone

from ...models import (
    AcademicYear,
    Enrollment,
    Grade,
    Membership,
    School,
    SchoolClass,
    StaffProfile,
    StudentProfile,
    Subject,
    Term,
    TimetableSlot,
    User,
)
from . import summary as w
from .roster import PersonRow, Roster, grade_name
from .summary import ImportSummary, KindCounts

BATCH = 1000
_USERNAME_JUNK = re.compile(r"[^\w.@+-]+")


def clip(model: type[models.Model], name: str, value: str) -> str:
    """`value` cut to the column's max_length (SIS names can be longer than ours)."""
    return value[: model._meta.get_field(name).max_length]


def _sync(
    model: type[models.Model],
    counts: KindCounts,
    existing: dict[Hashable, models.Model],
    wanted: dict[Hashable, dict[str, Any]],
    *,
    on_create: Callable[[Hashable], dict[str, Any]] | None = None,
) -> dict[Hashable, models.Model]:
    """Create the wanted rows that are missing and update those whose values differ.

    `wanted[key]` holds attnames (`grade_id`, not `grade`) → value; `on_create(key)`
    adds values used only when the row is new. Counts each row in `counts` and returns
    key → saved instance for every wanted row.
    """
    now = timezone.now()
    result, to_create, to_update, changed = {}, [], [], set()
    for key, values in wanted.items():
        obj = existing.get(key)
        if obj is None:
            obj = model(**values, **(on_create(key) if on_create else {}))
            to_create.append(obj)
            counts.created += 1
        else:
            diff = _apply(obj, values)
            if diff:
                obj.updated_at = now
                to_update.append(obj)
                changed.update(diff)
                counts.updated += 1
            else:
                counts.unchanged += 1
        result[key] = obj
    # PostgreSQL and SQLite ≥ 3.35 return the new primary keys from bulk_create.
    model.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        model.objects.bulk_update(to_update, [*sorted(changed), "updated_at"], batch_size=BATCH)
    return result


class RosterWriter:
    """Writes one `Roster`; call `write()` inside a transaction."""

    def __init__(self, roster: Roster, progress: Callable[[str], None] | None) -> None:
        self.roster = roster
        self.summary: ImportSummary = roster.summary
        self.progress = progress
        self.schools: dict[str, School] = {}
        self.years: dict[tuple[str, str], AcademicYear] = {}
        self.terms: dict[tuple[str, str], Term] = {}
        self.grades: dict[tuple[str, int], Grade] = {}
        self.subjects: dict[tuple[str, str], Subject] = {}
        self.users: dict[tuple[str, str], User] = {}
        self.students: dict[tuple[str, str], StudentProfile] = {}
        self.classes: dict[tuple[str, str], SchoolClass] = {}

    def _done(self, kind: str) -> None:
        if self.progress:
            c = self.summary.counts[kind]
            self.progress(
                f"Saved {kind}: {c.created:,} created, {c.updated:,} updated, "
                f"{c.unchanged:,} unchanged" + (f", {c.removed:,} removed" if c.removed else "")
            )

    def write(self) -> None:
        self.write_schools()
        self.write_years()
        self.write_terms()
        self.write_grades()
        self.write_subjects()
        self.write_people()
        self.write_classes()
        self.write_enrollments()
        self.write_memberships()
        self.write_slots()

    @property
    def school_ids(self) -> list[int]:
        return [school.pk for school in self.schools.values()]

    def write_schools(self) -> None:
        wanted = {}
        for source_id, row in self.roster.schools.items():
            values = {
                "source_id": source_id,
                "name": clip(School, "name", row.name),
                "code": clip(School, "code", row.code),
            }
            # OneRoster has no grade range: leave whatever the school already has.
            if row.low_level is not None:
                values["low_grade"] = grade_name(row.low_level)
            if row.high_level is not None:
                values["high_grade"] = grade_name(row.high_level)
            wanted[source_id] = values
        existing = {s.source_id: s for s in School.objects.filter(source_id__in=wanted)}
        self.schools = _sync(School, self.summary.counts["schools"], existing, wanted)
        self._done("schools")

    def write_years(self) -> None:
        existing_years = list(AcademicYear.objects.filter(school__in=self.school_ids))
        existing = _index(existing_years, lambda y: (y.school_id, y.source_id), by_name="name")
        has_current = {y.school_id for y in existing_years if y.is_current}
        wanted = {}
        for (school_id, source_id), row in self.roster.years.items():
            school = self.schools[school_id]
            wanted[(school.pk, source_id)] = {
                "school_id": school.pk,
                "source_id": source_id,
                "name": clip(AcademicYear, "name", row.name),
                "start_date": row.start,
                "end_date": row.end,
            }
        existing = _with_name_fallback(existing, wanted, "name")
        matched = {existing[key].pk for key in wanted if key in existing}
        # The year containing the school's today becomes current when none is (issue 2).
        for school in self.schools.values():
            if school.pk in has_current:
                continue
            today = school.today()
            for key, values in wanted.items():
                if key[0] == school.pk and values["start_date"] <= today <= values["end_date"]:
                    values["is_current"] = True
                    break
            else:
                for year in existing_years:
                    if (
                        year.school_id == school.pk
                        and year.pk not in matched
                        and year.start_date <= today <= year.end_date
                    ):
                        year.is_current = True
                        year.save(update_fields=["is_current", "updated_at"])
                        self.summary.counts["academic years"].updated += 1
                        break
        synced = _sync(AcademicYear, self.summary.counts["academic years"], existing, wanted)
        self.years = {(self.schools_by_pk[key[0]], key[1]): year for key, year in synced.items()}
        self._done("academic years")

    @property
    def schools_by_pk(self) -> dict[int, str]:
        return {school.pk: source_id for source_id, school in self.schools.items()}

    def write_terms(self) -> None:
        existing = _index(
            Term.objects.filter(school__in=self.school_ids),
            lambda t: (t.school_id, t.source_id),
            by_name="name",
            name_scope="academic_year_id",
        )
        wanted = {}
        for (school_id, source_id), row in self.roster.terms.items():
            school = self.schools[school_id]
            wanted[(school.pk, source_id)] = {
                "school_id": school.pk,
                "academic_year_id": self.years[(school_id, row.year)].pk,
                "source_id": source_id,
                "name": clip(Term, "name", row.name),
                "start_date": row.start,
                "end_date": row.end,
            }
        existing = _with_name_fallback(existing, wanted, "name", scope="academic_year_id")
        synced = _sync(Term, self.summary.counts["terms"], existing, wanted)
        by_pk = self.schools_by_pk
        self.terms = {(by_pk[key[0]], key[1]): term for key, term in synced.items()}
        self._done("terms")

    def write_grades(self) -> None:
        existing = {
            (g.school_id, g.level): g for g in Grade.objects.filter(school__in=self.school_ids)
        }
        wanted = {}
        for school_id, levels in self.roster.grade_levels.items():
            for level in sorted(levels):
                wanted[(self.schools[school_id].pk, level)] = {
                    "school_id": self.schools[school_id].pk,
                    "level": level,
                }
        # A school may have renamed its grades: the name is only given to new rungs.
        synced = _sync(
            Grade,
            self.summary.counts["grades"],
            existing,
            wanted,
            on_create=lambda key: {"name": grade_name(key[1])},
        )
        by_pk = self.schools_by_pk
        self.grades = {(by_pk[key[0]], key[1]): grade for key, grade in synced.items()}
        self._done("grades")

    def write_subjects(self) -> None:
        existing = {
            (s.school_id, s.name): s for s in Subject.objects.filter(school__in=self.school_ids)
        }
        wanted = {}
        for (school_id, name), code in self.roster.subjects.items():
            pk = self.schools[school_id].pk
            values = {"school_id": pk, "name": clip(Subject, "name", name)}
            if code:
                values["code"] = clip(Subject, "code", code)
            wanted[(pk, values["name"])] = values
        synced = _sync(Subject, self.summary.counts["subjects"], existing, wanted)
        by_pk = self.schools_by_pk
        self.subjects = {(by_pk[key[0]], key[1]): s for key, s in synced.items()}
        self._done("subjects")

    # People ---------------------------------------------------------------------------

    def write_people(self) -> None:
        """Users with their StudentProfile or StaffProfile, in bulk.

        bulk_create sends no post_save, so the profile the signal would add is created
        here (seed 000: every student user has one). Passwords in the roster are never
        stored: new users get an unusable password.
        """
        roster = self.roster
        source_ids = {key[1] for key in roster.people} | {key[1] for key in roster.deleted_people}
        students = {
            (p.school_id, p.source_id): p
            for p in StudentProfile.objects.filter(
                school__in=self.school_ids, source_id__in=source_ids
            ).select_related("user")
        }
        staff = {
            (p.school_id, p.source_id): p
            for p in StaffProfile.objects.filter(
                school__in=self.school_ids, source_id__in=source_ids
            ).select_related("user")
        }
        names = _UsernamePicker(roster.people.values(), self.schools, self.summary)
        new_users: list[tuple[User, PersonRow]] = []
        users_to_update: dict[int, User] = {}
        profiles_to_update: list[models.Model] = []
        now = timezone.now()
        for key, person in roster.people.items():
            if key in roster.deleted_people:
                continue
            school = self.schools[person.school]
            counts = self.summary.counts["students" if person.is_student else "staff"]
            profiles = students if person.is_student else staff
            profile = profiles.get((school.pk, person.source_id))
            user_values = {
                "first_name": clip(User, "first_name", person.first_name),
                "last_name": clip(User, "last_name", person.last_name),
                "email": clip(User, "email", person.email),
                "role": person.role,
                "school_id": school.pk,
            }
            if profile is None:
                user = User(
                    username=names.pick(person, None),
                    password=make_password(None),
                    is_active=person.enabled,
                    **user_values,
                )
                new_users.append((user, person))
                counts.created += 1
                self.users[key] = user
                continue
            user = profile.user
            self.users[key] = user
            if not person.enabled:  # the roster may switch a login off, never back on
                user_values["is_active"] = False
            username = names.pick(person, user.username)
            if username != user.username:
                user_values["username"] = username
            user_diff = _apply(user, user_values)
            profile_diff = _apply(profile, self._profile_values(person))
            if user_diff:
                users_to_update[user.pk] = user
            if profile_diff:
                profile.updated_at = now
                profiles_to_update.append(profile)
            if user_diff or profile_diff:
                counts.updated += 1
            else:
                counts.unchanged += 1
            if person.is_student:
                self.students[key] = profile
        for key in roster.deleted_people:
            self._deactivate(key, students, staff, users_to_update, profiles_to_update)
        User.objects.bulk_create([user for user, _ in new_users], batch_size=BATCH)
        new_students, new_staff = [], []
        for user, person in new_users:
            values = {"school_id": user.school_id, "user": user, **self._profile_values(person)}
            if person.is_student:
                profile = StudentProfile(**values)
                new_students.append(profile)
                self.students[(person.school, person.source_id)] = profile
            else:
                new_staff.append(StaffProfile(**values))
        StudentProfile.objects.bulk_create(new_students, batch_size=BATCH)
        StaffProfile.objects.bulk_create(new_staff, batch_size=BATCH)
        if users_to_update:
            User.objects.bulk_update(
                users_to_update.values(),
                ["username", "first_name", "last_name", "email", "role", "school", "is_active"],
                batch_size=BATCH,
            )
        for model in (StudentProfile, StaffProfile):
            changed = [p for p in profiles_to_update if isinstance(p, model)]
            if changed:
                fields = {
                    StudentProfile: ["student_number", "date_of_birth", "is_active"],
                    StaffProfile: ["title", "employee_number"],
                }[model]
                model.objects.bulk_update(changed, [*fields, "updated_at"], batch_size=BATCH)
        self._done("staff")
        self._done("students")

    def _deactivate(
        self,
        key: tuple[str, str],
        students: dict[tuple[int, str], StudentProfile],
        staff: dict[tuple[int, str], StaffProfile],
        users_to_update: dict[int, User],
        profiles_to_update: list[models.Model],
    ) -> None:
        """A person marked tobedeleted: their login and student record are switched off."""
        school = self.schools[key[0]]
        for profiles, kind in ((students, "students"), (staff, "staff")):
            profile = profiles.get((school.pk, key[1]))
            if profile is None:
                continue
            changed = False
            if profile.user.is_active:
                profile.user.is_active = False
                users_to_update[profile.user.pk] = profile.user
                changed = True
            if isinstance(profile, StudentProfile) and profile.is_active:
                profile.is_active = False
                profile.updated_at = timezone.now()
                profiles_to_update.append(profile)
                changed = True
            if changed:
                self.summary.counts[kind].removed += 1

    def _profile_values(self, person: PersonRow) -> dict[str, Any]:
        if person.is_student:
            return {
                "source_id": person.source_id,
                "student_number": clip(StudentProfile, "student_number", person.student_number),
                "date_of_birth": person.date_of_birth,
            }
        return {
            "source_id": person.source_id,
            "title": clip(StaffProfile, "title", person.title),
            "employee_number": clip(StaffProfile, "employee_number", person.employee_number),
        }

    # Classes and placements -----------------------------------------------------------

    def write_classes(self) -> None:
        roster = self.roster
        existing = {
            (c.school_id, c.source_id): c
            for c in SchoolClass.objects.filter(school__in=self.school_ids).exclude(source_id="")
        }
        wanted = {}
        for row in roster.classes.values():
            school = self.schools[row.school]
            grade = self.grades.get((row.school, row.grade_level))
            advisor = self.users.get((row.school, row.advisor)) if row.advisor else None
            wanted[(school.pk, row.source_id)] = {
                "school_id": school.pk,
                "source_id": row.source_id,
                "name": clip(SchoolClass, "name", row.name),
                "code": clip(SchoolClass, "code", row.code),
                "kind": row.kind,
                "academic_year_id": self.years[(row.school, row.year)].pk,
                "term_id": self.terms[(row.school, row.term)].pk if row.term else None,
                "grade_id": grade.pk if grade else None,
                "subject_id": self.subjects[(row.school, row.subject)].pk,
                "advisor_id": advisor.pk if advisor else None,
                "is_active": True,
            }
        counts = self.summary.counts["classes"]
        synced = _sync(SchoolClass, counts, existing, wanted)
        by_pk = self.schools_by_pk
        self.classes = {(by_pk[key[0]], key[1]): c for key, c in synced.items()}
        deactivate = []
        for school_id, source_id in roster.deleted_classes:
            school = self.schools.get(school_id)
            klass = existing.get((school.pk, source_id)) if school else None
            if klass is not None and klass.is_active:
                klass.is_active = False
                klass.updated_at = timezone.now()
                deactivate.append(klass)
        SchoolClass.objects.bulk_update(deactivate, ["is_active", "updated_at"])
        counts.removed += len(deactivate)
        self._done("classes")

    def write_enrollments(self) -> None:
        """One Enrollment per student per year; homeroom roll numbers 1..N by name.

        Roll numbers already given are kept on re-import; a student new to a homeroom
        gets the next number after every number used there, so no two collide.
        """
        roster = self.roster
        year_ids = {self.years[(row.school, row.year)].pk for row in roster.enrollments.values()}
        existing_rows = list(Enrollment.objects.filter(academic_year__in=year_ids))
        existing = {(e.student_id, e.academic_year_id): e for e in existing_rows}
        highest_roll: dict[tuple[int, int], int] = {}
        for e in existing_rows:
            if e.school_class_id and e.roll_number:
                key = (e.school_class_id, e.academic_year_id)
                highest_roll[key] = max(highest_roll.get(key, 0), e.roll_number)
        wanted = {}
        starts = {}
        rows = sorted(
            roster.enrollments.values(),
            key=lambda r: roster.people[(r.school, r.student)].sort_name,
        )
        for row in rows:
            student = self.students[(row.school, row.student)]
            year = self.years[(row.school, row.year)]
            homeroom = self.classes[(row.school, row.homeroom)] if row.homeroom else None
            values: dict[str, Any] = {"grade_id": self.grades[(row.school, row.grade_level)].pk}
            current = existing.get((student.pk, year.pk))
            # No homeroom in the roster: a class the school gave the student stays.
            if homeroom is not None:
                values["school_class_id"] = homeroom.pk
                if (
                    current is None
                    or current.school_class_id != homeroom.pk
                    or not current.roll_number
                ):
                    roll_key = (homeroom.pk, year.pk)
                    highest_roll[roll_key] = highest_roll.get(roll_key, 0) + 1
                    values["roll_number"] = highest_roll[roll_key]
            wanted[(student.pk, year.pk)] = values
            starts[(student.pk, year.pk)] = (row.school, year)
        _sync(
            Enrollment,
            self.summary.counts["enrollments"],
            existing,
            wanted,
            on_create=lambda key: {
                "school_id": self.schools[starts[key][0]].pk,
                "student_id": key[0],
                "academic_year_id": key[1],
                "status": Enrollment.Status.ACTIVE,
                "enrollment_date": starts[key][1].start_date,
            },
        )
        self._done("enrollments")

    def write_memberships(self) -> None:
        roster = self.roster
        existing_rows = list(Membership.objects.filter(school__in=self.school_ids))
        existing = {(m.school_id, m.source_id): m for m in existing_rows if m.source_id}
        by_place = {(m.student_id, m.school_class_id, m.joined_on): m for m in existing_rows}
        wanted, places = {}, set()
        for (school_id, source_id), row in roster.memberships.items():
            school = self.schools[school_id]
            student = self.students[(school_id, row.student)]
            klass = self.classes[(school_id, row.school_class)]
            place = (student.pk, klass.pk, row.joined_on)
            if place in places:  # the unique start: one student, class and join date
                self.summary.warn(w.DUPLICATE_ROW, f"enrolment {source_id}")
                continue
            places.add(place)
            key = (school.pk, source_id)
            if key not in existing and place in by_place and not by_place[place].source_id:
                existing[key] = by_place[place]  # a membership entered by hand: adopt it
            wanted[key] = {
                "school_id": school.pk,
                "source_id": source_id,
                "student_id": student.pk,
                "school_class_id": klass.pk,
                "joined_on": row.joined_on,
                "left_on": row.left_on,
            }
        counts = self.summary.counts["memberships"]
        _sync(Membership, counts, existing, wanted)
        removed = [
            existing[(self.schools[s].pk, source_id)].pk
            for s, source_id in roster.deleted_memberships
            if s in self.schools and (self.schools[s].pk, source_id) in existing
        ]
        if removed:
            Membership.objects.filter(pk__in=removed).delete()
        counts.removed += len(removed)
        self._done("memberships")

    def write_slots(self) -> None:
        existing = {
            (s.school_class_id, s.subject_id, s.weekday, s.period_number, s.valid_from): s
            for s in TimetableSlot.objects.filter(school__in=self.school_ids)
        }
        wanted = {}
        for row in self.roster.slots:
            klass = self.classes[(row.school, row.school_class)]
            subject = self.subjects[(row.school, row.subject)]
            teacher = self.users.get((row.school, row.teacher)) if row.teacher else None
            wanted[(klass.pk, subject.pk, row.weekday, row.period, row.valid_from)] = {
                "school_id": klass.school_id,
                "school_class_id": klass.pk,
                "subject_id": subject.pk,
                "weekday": row.weekday,
                "period_number": row.period,
                "valid_from": row.valid_from,
                "valid_to": row.valid_to,
                "teacher_id": teacher.pk if teacher else None,
            }
        _sync(TimetableSlot, self.summary.counts["timetable slots"], existing, wanted)
        self._done("timetable slots")


def _apply(obj: models.Model, values: dict[str, Any]) -> list[str]:
    diff = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in diff:
        setattr(obj, name, values[name])
    return diff


def _index(rows: Iterable, key: Callable, *, by_name: str, name_scope: str = "school_id") -> dict:
    """Rows by (school, source_id); rows without a source id under ("name", scope, name)."""
    index = {}
    for row in rows:
        if row.source_id:
            index[key(row)] = row
        else:
            index[("name", getattr(row, name_scope), getattr(row, by_name))] = row
    return index


def _with_name_fallback(existing: dict, wanted: dict, name: str, scope: str = "school_id") -> dict:
    """Let a wanted row adopt an existing one of the same name that has no source id
    (a year or term typed in by hand before the first import)."""
    for key, values in wanted.items():
        if key not in existing:
            by_name = existing.get(("name", values[scope], values[name]))
            if by_name is not None:
                existing[key] = by_name
    return existing


class _UsernamePicker:
    """Usernames from the roster, made unique deterministically when taken.

    Tries the roster's username (characters a username may not hold become "."), then
    `<name>-<school code>`, then `<name>-<school code>-<source id>`, then numbered. A user
    who already has the name or a suffixed form of it keeps it, so a re-import renames
    nobody. Taken names are fetched in a few queries, not one per person.
    """

    def __init__(
        self, people: Iterable[PersonRow], schools: dict[str, School], summary: ImportSummary
    ) -> None:
        self.schools = schools
        self.summary = summary
        candidates = sorted({name for p in people for name in self._candidates(p)})
        self.taken: set[str] = set()
        for start in range(0, len(candidates), 500):
            chunk = candidates[start : start + 500]
            self.taken.update(
                User.objects.filter(username__in=chunk).values_list("username", flat=True)
            )

    @staticmethod
    def base(person: PersonRow) -> str:
        for text in (person.username, f"{person.first_name}.{person.last_name}", person.source_id):
            name = _USERNAME_JUNK.sub(".", text).strip(".")
            if name:
                return name[:100]
        return "user"

    def _candidates(self, person: PersonRow) -> list[str]:
        base = self.base(person)
        code = _USERNAME_JUNK.sub(".", self.schools[person.school].code or person.school)
        return [base, f"{base}-{code}", f"{base}-{code}-{person.source_id}"[:150]]

    def pick(self, person: PersonRow, current: str | None) -> str:
        base = self.base(person)
        if current is not None and (current == base or current.startswith(base + "-")):
            return current
        name = next((n for n in self._candidates(person) if n not in self.taken), None)
        number = 2
        while name is None:  # rare: every prefetched form is taken, so ask the database
            candidate = f"{base}-{number}"
            if candidate not in self.taken and not User.objects.filter(username=candidate).exists():
                name = candidate
            number += 1
        self.taken.add(name)
        if name != base:
            self.summary.warn(w.USERNAME_TAKEN, f'{person.describe()}: "{base}" → "{name}"')
        return name
