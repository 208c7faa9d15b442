"""`manage.py promote_students` (docs/design/promotion.md), on the `promotion_school` of
tests/academics/conftest.py: grades 9–12, 2025-2026 and 2026-2027, homerooms 9-A, 9-B,
10-A, 10-B, 11-A and 12-A in both years (one section "A" of 30 seats each), four students
a class with student numbers S001–S024 in class order (9-A: S001–S004 … 12-A: S021–S024).
"""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from academics.management.commands import promote_students
from academics.models import (
    AcademicYear,
    Enrollment,
    Membership,
    PromotionAction,
    PromotionLog,
    PromotionMode,
    PromotionRow,
    PromotionRun,
    Role,
    SchoolClass,
    Section,
    StudentProfile,
)
from academics.services.promotion import PromotionBusy, plan_promotion

from ..factories import GradeFactory, UserFactory

CODE = "PH"
YEARS = ("--school", CODE, "--from", "2025-2026", "--to", "2026-2027")


@pytest.fixture
def ph(promotion_school):
    promotion_school.school.code = CODE
    promotion_school.school.save(update_fields=["code"])
    return promotion_school


def run(*args) -> str:
    """What the command printed."""
    out = StringIO()
    call_command("promote_students", *args, stdout=out)
    return out.getvalue()


def table_counts() -> dict[str, int]:
    return {
        "enrollments": Enrollment.objects.count(),
        "active enrollments": Enrollment.objects.filter(status=Enrollment.Status.ACTIVE).count(),
        "runs": PromotionRun.objects.count(),
        "rows": PromotionRow.objects.count(),
        "logs": PromotionLog.objects.count(),
        "memberships": Membership.objects.count(),
        "years": AcademicYear.objects.count(),
        "classes": SchoolClass.objects.count(),
        "sections": Section.objects.count(),
        "inactive students": StudentProfile.objects.filter(is_active=False).count(),
    }


def new_enrollment(student) -> Enrollment:
    return Enrollment.objects.select_related("grade", "school_class").get(
        student=student, academic_year__name="2026-2027"
    )


def student(code: str) -> StudentProfile:
    return StudentProfile.objects.get(student_number=code)


# --- dry run --------------------------------------------------------------------------------


def test_dry_run_prints_the_preview_and_writes_nothing(ph):
    before = table_counts()

    out = run(*YEARS, "--dry-run")

    assert table_counts() == before
    assert out.splitlines() == [
        "Dry run: nothing will be written.",
        "Promotion High (PH): 2025-2026 → 2026-2027, 24 students.",
        "  Grade 9       8  8 → Grade 10",
        "  Grade 10      8  8 → Grade 11",
        "  Grade 11      4  4 → Grade 12",
        "  Grade 12      4  4 graduating",
        "  Actions: 20 promote, 0 retain, 4 graduate, 0 leave.",
        "Dry run, nothing written.",
    ]


def test_dry_run_with_verbosity_2_lists_every_student_and_target(ph):
    out = run(*YEARS, "--dry-run", "-v", "2")

    assert "    Pupil1 Abbott (S001), Grade 9: promote → Grade 10 / 10-A / A #1" in out
    assert "    Pupil1 Upton (S021), Grade 12: graduate" in out
    assert sum(1 for line in out.splitlines() if line.startswith("    Pupil")) == 24


# --- executing --------------------------------------------------------------------------------


def test_yes_promotes_at_once_and_says_what_it_did_and_where_to_undo_it(ph):
    out = run(*YEARS, "--yes")

    run_ = PromotionRun.objects.get()
    assert run_.status == PromotionRun.Status.EXECUTED
    assert run_.mode == PromotionMode.AUTOMATIC
    assert "Planning the promotion of 24 students …" in out
    assert f"Executing run #{run_.pk} …" in out
    assert "20 promoted, 0 retained, 4 graduated, 0 left (24 students)" in out
    assert f"Run #{run_.pk}, log #{run_.logs.get().pk}." in out
    assert out.rstrip().endswith(f"/promotion/{run_.pk}/")
    abbott = new_enrollment(student("S001"))
    assert (abbott.grade.level, abbott.school_class, abbott.roll_number) == (
        10,
        ph.to_classes["10-A"],
        1,
    )
    assert Enrollment.objects.filter(academic_year=ph.to_year).count() == 20
    graduates = StudentProfile.objects.filter(student_number__in=["S021", "S022", "S023", "S024"])
    assert not graduates.filter(is_active=True).exists()
    assert PromotionLog.objects.get().promoted_by is None


@pytest.mark.parametrize("answer", ["y", "Y", "yes"])
def test_answering_yes_promotes(ph, monkeypatch, answer):
    asked = []
    monkeypatch.setattr("builtins.input", lambda question: asked.append(question) or answer)

    run(*YEARS)

    assert asked == ["Promote 24 students from 2025-2026 to 2026-2027? [y/N] "]
    assert PromotionRun.objects.get().status == PromotionRun.Status.EXECUTED


@pytest.mark.parametrize("answer", ["", "n", "no", "yep", None])
def test_any_other_answer_changes_nothing(ph, monkeypatch, answer):
    def reply(question):
        if answer is None:
            raise EOFError  # stdin closed, as under cron
        return answer

    monkeypatch.setattr("builtins.input", reply)
    before = table_counts()

    out = run(*YEARS)

    assert out.splitlines()[-1] == "Nothing changed."
    assert table_counts() == before


def test_retain_and_leave_name_students_by_number_or_sis_id(ph):
    leaver = student("S005")
    leaver.source_id = "sis-5005"
    leaver.save(update_fields=["source_id"])

    out = run(*YEARS, "--retain", "S001", "S010", "--leave", "sis-5005", "--yes")

    assert "  Grade 9       8  6 → Grade 10, 1 retained, 1 leaving" in out
    assert "  Grade 10      8  7 → Grade 11, 1 retained" in out
    assert "17 promoted, 2 retained, 4 graduated, 1 left (24 students)" in out
    retained = new_enrollment(student("S001"))
    assert (retained.grade.level, retained.school_class) == (9, ph.to_classes["9-A"])
    assert new_enrollment(student("S010")).school_class == ph.to_classes["10-A"]
    leaver.refresh_from_db()
    assert not leaver.is_active
    old = Enrollment.objects.get(pk=ph.enrollments[leaver.pk].pk)
    assert old.status == Enrollment.Status.LEFT
    assert not Enrollment.objects.filter(student=leaver, academic_year=ph.to_year).exists()


# --- refusals: nothing is written -----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--school", "NOPE", "--from", "2025-2026", "--to", "2026-2027"),
            'No school with code "NOPE". School codes: PH.',
        ),
        (
            ("--school", CODE, "--from", "1999-2000", "--to", "2026-2027"),
            'Promotion High has no academic year "1999-2000" (its years: 2025-2026, 2026-2027).',
        ),
        (
            ("--school", CODE, "--from", "2025-2026", "--to", "2027-2028"),
            'Promotion High has no academic year "2027-2028" (its years: 2025-2026, '
            "2026-2027). Create it in step 1 of the promotion wizard, or add --create-year",
        ),
        (
            (*YEARS, "--retain", "S999", "S001", "--leave", "X-1"),
            'no student of Promotion High has the number or SIS id "S999"; no student of '
            'Promotion High has the number or SIS id "X-1". Nothing was changed.',
        ),
        (
            (*YEARS, "--retain", "S001", "--leave", "S001"),
            '"S001" (Pupil1 Abbott) is given to both --retain and --leave. Nothing was changed.',
        ),
        (
            (*YEARS, "--grade", "Grade 3", "eleven"),
            "Promotion High has no grade 'Grade 3', 'eleven'. Its grades: Grade 9, Grade 10, "
            "Grade 11, Grade 12.",
        ),
        (
            (*YEARS, "--by", "promo-teacher"),
            "is not an admin or principal of Promotion High",
        ),
        ((*YEARS, "--by", "nobody"), 'No user "nobody".'),
    ],
)
def test_unknown_names_are_refused_clearly_and_nothing_is_written(ph, args, message):
    UserFactory(school=ph.school, role=Role.TEACHER, username="promo-teacher")
    before = table_counts()

    with pytest.raises(CommandError) as refused:
        run(*args, "--yes")

    assert message in str(refused.value)
    assert table_counts() == before


def test_a_student_outside_the_grades_promoted_is_refused(ph):
    with pytest.raises(CommandError) as refused:
        run(*YEARS, "--grade", "9", "--retain", "S021", "--yes")

    assert str(refused.value).startswith(
        '"S021" (Pupil1 Upton): not among the students to promote (not enrolled in 2025-2026, '
        "already promoted, or outside --grade)."
    )
    assert not PromotionRun.objects.exists()


@pytest.mark.parametrize(
    ("flag", "refused"), [("--dry-run", "would be refused"), ("--yes", "is refused")]
)
def test_a_class_over_capacity_refuses_the_promotion(ph, flag, refused):
    Section.objects.filter(school_class=ph.to_classes["10-A"]).update(capacity=3)
    before = table_counts()
    out = StringIO()

    with pytest.raises(CommandError) as error:
        call_command("promote_students", *YEARS, flag, stdout=out)

    assert "Over capacity (1):\n  10-A is 1 over capacity: 4 students for 3 free seats." in (
        out.getvalue()
    )
    assert str(error.value) == (
        f"The promotion {refused} until the problems above (1 class over capacity) are "
        "resolved: in the wizard, or here with --retain, --leave or --grade. Nothing was "
        "changed."
    )
    assert table_counts() == before


def test_a_class_that_nothing_continues_is_an_alert_that_stops_it(ph):
    """Grade 10 next year has three classes, none named after 9-A or 9-B: the user must
    choose, so the command refuses and says for whom."""
    SchoolClass.objects.filter(pk=ph.to_classes["10-A"].pk).update(name="10-Red", code="")
    SchoolClass.objects.filter(pk=ph.to_classes["10-B"].pk).update(name="10-Blue", code="")
    SchoolClass.objects.create(
        school=ph.school,
        academic_year=ph.to_year,
        grade=ph.grades[10],
        name="10-Green",
        kind=SchoolClass.Kind.HOMEROOM,
    )
    before = table_counts()
    out = StringIO()

    with pytest.raises(CommandError, match=r"\(8 students with an alert\)"):
        call_command("promote_students", *YEARS, "--yes", stdout=out)

    text = out.getvalue()
    assert "Alerts (each stops the promotion): 8 students" in text
    assert (
        "  Choose the Grade 10 class: none of 3 continues 9-A. (4 students: Pupil1 Abbott, "
        "Pupil2 Baker, Pupil3 Carter, Pupil4 Dalton)"
    ) in text
    assert table_counts() == before


def test_long_lists_of_warnings_are_grouped_and_capped(ph, monkeypatch):
    SchoolClass.objects.filter(pk__in=[ph.to_classes["11-A"].pk, ph.to_classes["10-A"].pk,
                                       ph.to_classes["10-B"].pk]).delete()  # fmt: skip
    monkeypatch.setattr(promote_students, "LISTED", 1)

    out = run(*YEARS, "--dry-run")

    lines = out.splitlines()
    start = lines.index("Warnings: 16 students")
    assert lines[start + 1 :] == [
        "  No Grade 10 class in 2026-2027 yet: placed without a class. (8 students: "
        "Pupil1 Abbott, Pupil2 Baker, Pupil3 Carter, Pupil4 Dalton, Pupil1 Evans … and 3 more)",
        "  … and 1 more (all of them with -v 2)",
        "Dry run, nothing written.",
    ]
    assert "No Grade 11 class" in run(*YEARS, "--dry-run", "-v", "2")


# --- creating the next year -----------------------------------------------------------------


def drop_next_year(ph) -> None:
    SchoolClass.objects.filter(academic_year=ph.to_year).delete()
    ph.to_year.delete()


def test_create_year_makes_the_next_year_with_the_homerooms_and_promotes_into_it(ph):
    drop_next_year(ph)

    out = run(*YEARS, "--create-year", "--yes")

    assert out.startswith(
        "2026-2027 does not exist yet: it will be created from 17 Aug 2026 to 30 Jun 2027, "
        "with the homeroom classes of 2025-2026 copied."
    )
    year = AcademicYear.objects.get(school=ph.school, name="2026-2027")
    assert (year.start_date, year.end_date) == (
        datetime.date(2026, 8, 17),
        datetime.date(2027, 6, 30),
    )
    copies = SchoolClass.objects.filter(academic_year=year)
    assert sorted(copies.values_list("name", flat=True)) == sorted(ph.from_classes)
    assert Section.objects.filter(school_class__in=copies, capacity=30).count() == 6
    abbott = new_enrollment(student("S001"))
    assert (abbott.academic_year, abbott.school_class.name) == (year, "10-A")


def test_create_year_on_a_dry_run_writes_nothing(ph):
    drop_next_year(ph)
    before = table_counts()

    out = run(*YEARS, "--create-year", "--dry-run")

    assert "it would be created from 17 Aug 2026" in out
    assert "  Grade 9       8  8 → Grade 10" in out
    assert table_counts() == before


def test_create_year_refuses_a_year_that_would_overlap(ph):
    drop_next_year(ph)
    AcademicYear.objects.create(
        school=ph.school,
        name="Summer 2027",
        start_date=datetime.date(2027, 6, 1),
        end_date=datetime.date(2027, 8, 1),
    )
    before = table_counts()

    with pytest.raises(CommandError, match="2026-2027 would overlap Summer 2027"):
        run(*YEARS, "--create-year", "--yes")

    assert table_counts() == before


# --- grades ---------------------------------------------------------------------------------


@pytest.mark.parametrize("grades", [["Grade 9", "12"], ["grade 9", "Grade 12"], ["9", "12"]])
def test_grade_limits_the_run_by_name_or_level(ph, grades):
    out = run(*YEARS, "--grade", *grades, "--yes")

    assert "8 promoted, 0 retained, 4 graduated, 0 left (12 students)" in out
    untouched = Enrollment.objects.filter(academic_year=ph.from_year, grade__level__in=[10, 11])
    assert set(untouched.values_list("status", flat=True)) == {Enrollment.Status.ACTIVE}
    assert PromotionRun.objects.get().filters["grades"] == sorted(
        [ph.grades[9].pk, ph.grades[12].pk]
    )


def test_k_means_kindergarten(ph):
    GradeFactory(school=ph.school, level=0, name="Kindergarten")

    with pytest.raises(CommandError, match="No student of 2025-2026 matches --grade"):
        run(*YEARS, "--grade", "K", "--yes")


# --- someone else at work -------------------------------------------------------------------


def test_a_plan_being_made_in_the_wizard_blocks_the_command_and_names_its_author(ph):
    ph.admin.first_name, ph.admin.last_name = "Ada", "Lovelace"
    ph.admin.save()
    draft = plan_promotion(
        school=ph.school,
        from_year=ph.from_year,
        to_year=ph.to_year,
        mode=PromotionMode.AUTOMATIC,
        actor=ph.admin,
    )
    before = table_counts()

    with pytest.raises(CommandError) as refused:
        run(*YEARS, "--retain", "S001", "--yes")

    message = str(refused.value)
    assert message.startswith(
        "Ada Lovelace started planning a promotion from 2025-2026 to 2026-2027"
    )
    assert f"(run #{draft.pk}), not executed yet" in message
    assert message.endswith(f"/promotion/{draft.pk}/")
    assert table_counts() == before
    assert not draft.rows.filter(action=PromotionAction.RETAIN).exists()
    # A dry run only warns.
    assert "Warning: Ada Lovelace started planning" in run(*YEARS, "--dry-run")


def test_a_promotion_running_elsewhere_is_refused_and_leaves_no_plan_behind(ph, monkeypatch):
    def busy(**kwargs):
        raise PromotionBusy(
            "Another promotion between 2025-2026 and 2026-2027 is running right now. "
            "Nothing was changed; try again when it has finished."
        )

    monkeypatch.setattr(promote_students, "execute_promotion", busy)
    before = table_counts()

    with pytest.raises(CommandError, match="is running right now. Nothing was changed"):
        run(*YEARS, "--yes")

    assert table_counts() == before  # the plan made just before was rolled back too


def test_by_records_who_promoted(ph):
    principal = UserFactory(school=ph.school, role=Role.PRINCIPAL, username="the-principal")

    run(*YEARS, "--by", "the-principal", "--yes")

    log = PromotionLog.objects.get()
    assert log.promoted_by == principal
    assert PromotionRun.objects.get().executed_by == principal
