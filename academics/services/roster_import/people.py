"""The people step of the roster writer: users with their student, staff or guardian
profile, and the usernames they sign in with."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import models
from django.utils import timezone

from ...models import GuardianProfile, School, StaffProfile, StudentProfile, User
from . import summary as w
from .roster import PersonRow, Roster
from .summary import ImportSummary
from .sync import BATCH, apply_values, clip

_USERNAME_JUNK = re.compile(r"[^\w.@+-]+")

Key = tuple[str, str]  # (the roster's school id, the roster's person id)


def save_people(
    *, roster: Roster, schools: dict[str, School], summary: ImportSummary
) -> tuple[dict[Key, User], dict[Key, StudentProfile], dict[Key, GuardianProfile]]:
    """Users with their StudentProfile, StaffProfile or GuardianProfile, in bulk.

    bulk_create sends no post_save, so the profile the signal would add is created
    here (every student user has one: docs/design/total-sessions.md; every guardian
    user too: docs/manual/guardians.md). Passwords in the roster are never stored: new
    users get an unusable password. Counts each person in `summary` under "students",
    "staff" or "guardians". A guardian entered in the admin without an SIS id is adopted
    by their email (case-insensitive) in the same school, and gets the roster's id.

    Args:
        roster: the roster read; its people and the people it marks deleted.
        schools: the roster's school id → the school saved for it.
        summary: the import's summary, counted into.

    Returns:
        (users, students, guardians): roster key → the user of every person in the
        roster, roster key → the StudentProfile of every student, and roster key → the
        GuardianProfile of every guardian.
    """
    users: dict[Key, User] = {}
    student_profiles: dict[Key, StudentProfile] = {}
    guardian_profiles: dict[Key, GuardianProfile] = {}
    school_ids = [school.pk for school in schools.values()]
    source_ids = {key[1] for key in roster.people} | {key[1] for key in roster.deleted_people}
    students = {
        (p.school_id, p.source_id): p
        for p in StudentProfile.objects.filter(
            school__in=school_ids, source_id__in=source_ids
        ).select_related("user")
    }
    staff = {
        (p.school_id, p.source_id): p
        for p in StaffProfile.objects.filter(
            school__in=school_ids, source_id__in=source_ids
        ).select_related("user")
    }
    guardians = {
        (p.school_id, p.source_id): p
        for p in GuardianProfile.objects.filter(
            school__in=school_ids, source_id__in=source_ids
        ).select_related("user")
    }
    by_kind = {"students": students, "staff": staff, "guardians": guardians}
    # Guardians the office entered by hand (no SIS id) are adopted by their email.
    by_email = {}
    if any(person.is_guardian for person in roster.people.values()):
        by_email = {
            (p.school_id, p.user.email.lower()): p
            for p in GuardianProfile.objects.filter(school__in=school_ids, source_id="")
            .exclude(user__email="")
            .select_related("user")
        }
    names = UsernamePicker(roster.people.values(), schools, summary)
    new_users: list[tuple[User, PersonRow]] = []
    users_to_update: dict[int, User] = {}
    profiles_to_update: list[models.Model] = []
    now = timezone.now()
    for key, person in roster.people.items():
        if key in roster.deleted_people:
            continue
        school = schools[person.school]
        counts = summary.counts[person.kind]
        profile = by_kind[person.kind].get((school.pk, person.source_id))
        if profile is None and person.is_guardian and person.email:
            profile = by_email.pop((school.pk, person.email.lower()), None)
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
            users[key] = user
            continue
        user = profile.user
        users[key] = user
        if not person.enabled:  # the roster may switch a login off, never back on
            user_values["is_active"] = False
        # A guardian keeps the username they have: Clever gives them none (the email
        # stands in), and one entered in the admin was named by the office.
        username = user.username if person.is_guardian else names.pick(person, user.username)
        if username != user.username:
            user_values["username"] = username
        user_diff = apply_values(user, user_values)
        profile_diff = apply_values(profile, _profile_values(person))
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
            student_profiles[key] = profile
        elif person.is_guardian:
            guardian_profiles[key] = profile
    for key in roster.deleted_people:
        _deactivate(key, schools[key[0]], summary, by_kind, users_to_update, profiles_to_update)
    User.objects.bulk_create([user for user, _ in new_users], batch_size=BATCH)
    new_students, new_staff, new_guardians = [], [], []
    for user, person in new_users:
        values = {"school_id": user.school_id, "user": user, **_profile_values(person)}
        if person.is_student:
            profile = StudentProfile(**values)
            new_students.append(profile)
            student_profiles[(person.school, person.source_id)] = profile
        elif person.is_guardian:
            profile = GuardianProfile(**values)
            new_guardians.append(profile)
            guardian_profiles[(person.school, person.source_id)] = profile
        else:
            new_staff.append(StaffProfile(**values))
    StudentProfile.objects.bulk_create(new_students, batch_size=BATCH)
    StaffProfile.objects.bulk_create(new_staff, batch_size=BATCH)
    GuardianProfile.objects.bulk_create(new_guardians, batch_size=BATCH)
    if users_to_update:
        User.objects.bulk_update(
            users_to_update.values(),
            ["username", "first_name", "last_name", "email", "role", "school", "is_active"],
            batch_size=BATCH,
        )
    for model in (StudentProfile, StaffProfile, GuardianProfile):
        changed = [p for p in profiles_to_update if isinstance(p, model)]
        if changed:
            fields = {
                StudentProfile: ["student_number", "date_of_birth", "is_active"],
                StaffProfile: ["title", "employee_number"],
                GuardianProfile: ["source_id", "phone"],
            }[model]
            model.objects.bulk_update(changed, [*fields, "updated_at"], batch_size=BATCH)
    return users, student_profiles, guardian_profiles


def _deactivate(
    key: Key,
    school: School,
    summary: ImportSummary,
    by_kind: dict[str, dict[tuple[int, str], models.Model]],
    users_to_update: dict[int, User],
    profiles_to_update: list[models.Model],
) -> None:
    """A person marked tobedeleted: their login and student record are switched off."""
    for kind, profiles in by_kind.items():
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
            summary.counts[kind].removed += 1


def _profile_values(person: PersonRow) -> dict[str, Any]:
    if person.is_guardian:
        phone = clip(GuardianProfile, "phone", person.phone)
        return {"source_id": person.source_id, "phone": phone}
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


class UsernamePicker:
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
