"""Turn a `Roster` into rows: one read per model, then bulk creates and bulk updates, one
step per kind of row in the order `RosterWriter.write` runs them.

Rows are matched by the SIS's id (`source_id`, unique per school) or, for models without
one, by their natural key (grade level, subject name, student × year, slot period), so a
second import of the same folder finds everything and reports it unchanged. The bulk
create-or-update is `sync.sync`; the people step lives in `people`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from ...models import (
    AcademicYear,
    Enrollment,
    Grade,
    GuardianProfile,
    Guardianship,
    Membership,
    School,
    SchoolClass,
    StudentProfile,
    Subject,
    Term,
    TimetableSlot,
    User,
)
from . import summary as w
from .people import save_people
from .roster import Roster, grade_name
from .summary import ImportSummary
from .sync import clip, index_rows, sync, with_name_fallback


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
        self.guardians: dict[tuple[str, str], GuardianProfile] = {}
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
        self.write_guardian_links()
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
        self.schools = sync(School, self.summary.counts["schools"], existing, wanted)
        self._done("schools")

    def write_years(self) -> None:
        existing_years = list(AcademicYear.objects.filter(school__in=self.school_ids))
        existing = index_rows(existing_years, lambda y: (y.school_id, y.source_id), by_name="name")
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
        existing = with_name_fallback(existing, wanted, "name")
        matched = {existing[key].pk for key in wanted if key in existing}
        # The year containing the school's today becomes current when none is
        # (docs/design/roster.md).
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
        synced = sync(AcademicYear, self.summary.counts["academic years"], existing, wanted)
        self.years = {(self.schools_by_pk[key[0]], key[1]): year for key, year in synced.items()}
        self._done("academic years")

    @property
    def schools_by_pk(self) -> dict[int, str]:
        return {school.pk: source_id for source_id, school in self.schools.items()}

    def write_terms(self) -> None:
        existing = index_rows(
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
        existing = with_name_fallback(existing, wanted, "name", scope="academic_year_id")
        synced = sync(Term, self.summary.counts["terms"], existing, wanted)
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
        synced = sync(
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
        synced = sync(Subject, self.summary.counts["subjects"], existing, wanted)
        by_pk = self.schools_by_pk
        self.subjects = {(by_pk[key[0]], key[1]): s for key, s in synced.items()}
        self._done("subjects")

    # People ---------------------------------------------------------------------------

    def write_people(self) -> None:
        """Users with their StudentProfile, StaffProfile or GuardianProfile
        (`people.save_people`)."""
        self.users, self.students, self.guardians = save_people(
            roster=self.roster, schools=self.schools, summary=self.summary
        )
        self._done("staff")
        self._done("students")
        self._done("guardians")

    def write_guardian_links(self) -> None:
        """A Guardianship per guardian and child the roster links, matched by the pair;
        the relationship follows the roster. Links the roster no longer lists are left
        for the admin to remove (docs/manual/roster-import.md, "Contacts and parents")."""
        existing = {
            (g.guardian_id, g.student_id): g
            for g in Guardianship.objects.filter(school__in=self.school_ids)
        }
        wanted = {}
        for (school_id, guardian_id, student_id), relationship in self.roster.guardianships.items():
            guardian = self.guardians.get((school_id, guardian_id))
            student = self.students.get((school_id, student_id))
            if guardian is None or student is None:  # marked tobedeleted
                continue
            wanted[(guardian.pk, student.pk)] = {
                "school_id": self.schools[school_id].pk,
                "guardian_id": guardian.pk,
                "student_id": student.pk,
                "relationship": clip(Guardianship, "relationship", relationship),
            }
        sync(Guardianship, self.summary.counts["guardian links"], existing, wanted)
        self._done("guardian links")

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
        synced = sync(SchoolClass, counts, existing, wanted)
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
        sync(
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
        sync(Membership, counts, existing, wanted)
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
        sync(TimetableSlot, self.summary.counts["timetable slots"], existing, wanted)
        self._done("timetable slots")
