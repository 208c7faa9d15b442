"""Guardians from the roster (docs/manual/roster-import.md, "Contacts and parents"):
Clever's contact columns and OneRoster's parent/guardian/relative users linked by
`agentSourcedIds`, imported idempotently and counted in the summary.

The expected numbers are read from the CSV files with the csv module, not from the
importer.
"""

from __future__ import annotations

import pytest

from academics.models import GuardianProfile, Guardianship, Role, StudentProfile, User
from academics.services.roster_import import import_roster
from academics.services.roster_import import summary as w
from academics.services.roster_import.roster import split_name

from .helpers import CLEVER, GRAND_BEND, clever_contacts, copy_roster, replace_in

pytestmark = pytest.mark.django_db


def _links_in_db() -> set[tuple[str, str, str]]:
    """(school source id, guardian source id, student source id) of every Guardianship."""
    return set(
        Guardianship.objects.values_list(
            "school__source_id", "guardian__source_id", "student__source_id"
        )
    )


def _links_from(contacts: dict[tuple[str, str], set[str]]) -> set[tuple[str, str, str]]:
    return {
        (school, email, student)
        for (school, email), students in contacts.items()
        for student in students
    }


# Clever ------------------------------------------------------------------------------------


def test_clever_district_creates_one_guardian_per_contact_email_linked_to_each_child(
    autumn_2026,
):
    contacts = clever_contacts(CLEVER)
    links = _links_from(contacts)
    assert len(contacts) == 1003  # what the file holds, for the reader of this test
    assert len(links) == 1004  # every student names a contact; one contact has two children

    summary = import_roster(CLEVER, shift_years=11)

    assert GuardianProfile.objects.count() == len(contacts)
    assert summary.counts["guardians"].created == len(contacts)
    assert summary.counts["guardian links"].created == len(links)
    assert _links_in_db() == links
    report = summary.render()
    assert "guardians" in report and "guardian links" in report

    users = User.objects.filter(role=Role.GUARDIAN)
    assert users.count() == len(contacts)
    assert not any(user.has_usable_password() for user in users)
    assert all(user.guardian_profile.school_id == user.school_id for user in users)

    # students.csv: Diane Schmeler (738733110) at 02M800, contact "Wanell Schmeler",
    # Uncle, (336)533-1632 x218, wanell_schmeler@example.net.
    wanell = GuardianProfile.objects.select_related("user").get(
        source_id="wanell_schmeler@example.net"
    )
    assert (wanell.user.first_name, wanell.user.last_name) == ("Wanell", "Schmeler")
    assert wanell.user.email == "wanell_schmeler@example.net"
    assert wanell.phone == "(336)533-1632 x218"
    (link,) = wanell.guardianships.select_related("student")
    assert (link.student.source_id, link.relationship) == ("738733110", "Uncle")

    # dicki.jonathan@example.com is the contact of two children at 13K123: one guardian.
    family = GuardianProfile.objects.get(source_id="dicki.jonathan@example.com")
    assert family.guardianships.count() == 2
    assert summary.warning_count(w.CONTACT_DIFFERS) == 1  # the two rows give other phones

    # upton.kari@example.net has children at 02M800 and 27Q321: an account at each school.
    kari = GuardianProfile.objects.filter(source_id="upton.kari@example.net")
    assert sorted(kari.values_list("school__source_id", flat=True)) == ["02M800", "27Q321"]
    assert summary.warning_count(w.GUARDIAN_SEVERAL_SCHOOLS) == 1

    again = import_roster(CLEVER, shift_years=11)

    assert GuardianProfile.objects.count() == len(contacts)
    assert _links_in_db() == links
    assert again.counts["guardians"].created == again.counts["guardians"].updated == 0
    assert again.counts["guardians"].unchanged == len(contacts)
    assert again.counts["guardian links"].created == 0
    assert again.counts["guardian links"].unchanged == len(links)
    assert not again.changed


def test_clever_contact_changes_update_the_guardian_and_emails_match_in_any_case(
    autumn_2026, tmp_path
):
    folder = copy_roster(CLEVER, tmp_path / "clever")
    import_roster(folder, shift_years=11)
    students = folder / "students.csv"
    # Diane's contact: a new name and phone, the email in capitals.
    replace_in(
        students,
        "Wanell Schmeler,Uncle,(336)533-1632 x218,wanell_schmeler@example.net",
        "Wanell Schmeler-Ortiz,Uncle,336-533-1632,WANELL_SCHMELER@Example.net",
    )
    # Martha's contact row loses its email: reported, nothing imported for it.
    replace_in(
        students,
        "Austin Greenholt,Brother,839.543.4396 x372,greenholt_austin@example.org",
        "Austin Greenholt,Brother,839.543.4396 x372,",
    )

    summary = import_roster(folder, shift_years=11)

    assert summary.counts["guardians"].created == 0
    assert summary.counts["guardians"].updated == 1
    assert summary.counts["guardian links"].created == 0
    wanell = GuardianProfile.objects.select_related("user").get(
        source_id="wanell_schmeler@example.net"
    )
    assert (wanell.user.first_name, wanell.user.last_name) == ("Wanell", "Schmeler-Ortiz")
    assert wanell.phone == "336-533-1632"
    assert summary.warning_count(w.CONTACT_WITHOUT_EMAIL) == 1
    # Austin stays, linked as before: the file no longer names him, the admin decides.
    assert GuardianProfile.objects.filter(source_id="greenholt_austin@example.org").exists()


def test_a_contact_row_without_email_on_a_fresh_database_imports_no_guardian(autumn_2026, tmp_path):
    folder = copy_roster(CLEVER, tmp_path / "clever")
    replace_in(
        folder / "students.csv",
        "Austin Greenholt,Brother,839.543.4396 x372,greenholt_austin@example.org",
        "Austin Greenholt,Brother,839.543.4396 x372,",
    )

    summary = import_roster(folder, shift_years=11)

    assert GuardianProfile.objects.count() == len(clever_contacts(folder))
    assert not GuardianProfile.objects.filter(source_id="greenholt_austin@example.org").exists()
    martha = StudentProfile.objects.get(source_id="913113920")
    assert not martha.guardianships.exists()
    group = summary.warnings[w.CONTACT_WITHOUT_EMAIL]
    assert group.count == 1 and "Austin Greenholt" in group.examples[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wanell Schmeler", ("Wanell", "Schmeler")),
        ("Mary Ann  Smith", ("Mary Ann", "Smith")),
        ("Anna van der Berg", ("Anna", "van der Berg")),
        ("Smith, Mary Ann", ("Mary Ann", "Smith")),
        ("Cher", ("Cher", "")),
        ("", ("", "")),
    ],
)
def test_contact_names_are_split_into_first_and_last(text, expected):
    assert split_name(text) == expected


# OneRoster ---------------------------------------------------------------------------------

# users.csv columns: sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,
# username,userIds,givenName,familyName,middleName,identifier,email,sms,phone,
# agentSourcedIds,grades,password
PARENTS = (
    # names two students on its own row
    "P1,,,true,255901001,parent,,,Pat,Archer,,,pat.archer@example.org,,(950) 111 1111,"
    '"604863,604874",,secret\n'
    # named by Kyle Hughes's row (604874) only; no school of their own
    "P2,,,true,255901,guardian,,,Gale,Hughes,,,gale.hughes@example.org,,,,,\n"
    # OneRoster 1.2's relative, linked from both sides
    "R1,,,true,255901001,relative,,,Robin,Nash,,,robin.nash@example.org,,,604918,,"
)


def _grand_bend_with_parents(folder):
    folder = copy_roster(GRAND_BEND, folder)
    users = folder / "users.csv"
    replace_in(users, ",(950) 413 3235,,09,", ',(950) 413 3235,"P2",09,')
    replace_in(users, ",(950) 434 7904,,09,", ',(950) 434 7904,"R1,X9",09,')
    users.write_text(users.read_text() + "\n" + PARENTS)
    return folder


def test_the_grand_bend_sample_has_no_parents_and_imports_no_guardian(autumn_2026):
    summary = import_roster(
        GRAND_BEND,
    )

    assert GuardianProfile.objects.count() == 0
    assert summary.counts["guardians"].created == 0
    assert not any(kind.startswith("guardian") for kind in summary.warnings)


def test_oneroster_parents_and_relatives_are_linked_by_agent_ids_both_ways(autumn_2026, tmp_path):
    folder = _grand_bend_with_parents(tmp_path / "gb")

    summary = import_roster(
        folder,
    )

    assert _links_in_db() == {
        ("255901001", "P1", "604863"),
        ("255901001", "P1", "604874"),
        ("255901001", "P2", "604874"),
        ("255901001", "R1", "604918"),
    }
    assert summary.counts["guardians"].created == 3
    assert summary.counts["guardian links"].created == 4
    assert summary.counts["students"].created == 8  # parents are not students nor staff
    assert summary.counts["staff"].created == 2
    pat = GuardianProfile.objects.select_related("user").get(source_id="P1")
    assert (pat.user.first_name, pat.user.last_name, pat.phone) == (
        "Pat",
        "Archer",
        "(950) 111 1111",
    )
    assert pat.user.role == Role.GUARDIAN and not pat.user.has_usable_password()
    assert not pat.user.check_password("secret")
    relationships = dict(Guardianship.objects.values_list("guardian__source_id", "relationship"))
    assert relationships["P2"] == "guardian" and relationships["R1"] == "relative"
    # Peter Nash's row also names X9, who is nobody in the roster.
    assert summary.warnings[w.UNKNOWN_AGENT].examples == ["student 604918: X9"]

    again = import_roster(
        folder,
    )

    assert again.counts["guardians"].created == 0
    assert again.counts["guardian links"].created == 0
    assert again.counts["guardians"].unchanged == 3
    assert not again.changed

    # A changed phone updates; tobedeleted switches the login off.
    users = folder / "users.csv"
    replace_in(users, "(950) 111 1111", "(950) 222 2222")
    replace_in(users, "P2,,,true", "P2,tobedeleted,,true")
    third = import_roster(
        folder,
    )

    assert third.counts["guardians"].created == 0
    assert third.counts["guardians"].updated == 1
    assert third.counts["guardians"].removed == 1
    assert GuardianProfile.objects.get(source_id="P1").phone == "(950) 222 2222"
    assert not User.objects.get(guardian_profile__source_id="P2").is_active


def test_a_guardian_entered_in_the_admin_is_adopted_by_email_not_duplicated(autumn_2026, tmp_path):
    folder = _grand_bend_with_parents(tmp_path / "gb")
    import_roster(folder)
    school = GuardianProfile.objects.get(source_id="P1").school
    GuardianProfile.objects.all().delete()
    User.objects.filter(role=Role.GUARDIAN).delete()
    # The office entered Pat by hand before the SIS listed them.
    pat = User.objects.create(
        username="pat.mum", school=school, role=Role.GUARDIAN, email="Pat.Archer@Example.org"
    )

    summary = import_roster(folder)

    assert summary.counts["guardians"].created == 2  # Gale and Robin; Pat adopted
    assert summary.counts["guardians"].updated == 1
    profile = GuardianProfile.objects.select_related("user").get(source_id="P1")
    assert profile.user == pat
    assert profile.user.username == "pat.mum"  # kept
    assert profile.user.first_name == "Pat" and profile.phone == "(950) 111 1111"
    assert profile.guardianships.count() == 2
