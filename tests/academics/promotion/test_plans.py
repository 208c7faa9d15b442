"""The stored plan (docs/design/promotion.md): one draft per pair of years, a plan that
survives a reload, edits that fit and those refused, discarding; and the service's
functions from prerequisites to execution. The school is `promotion_school`
(tests/academics/conftest.py).
"""

import pytest
from django.db import IntegrityError, transaction

from academics.models import (
    Enrollment,
    PromotionMode,
    PromotionRow,
    PromotionRun,
    Role,
)
from academics.services.promotion import (
    PromotionError,
    calculate_promotion_targets,
    discard_run,
    execute_promotion,
    get_eligible_students,
    open_run,
    plan_promotion,
    summarise_run,
    update_promotion_rows,
    validate_prerequisites,
)

from ..factories import (
    SchoolFactory,
    UserFactory,
)
from .helpers import (
    GRADUATE,
    RETAIN,
    enrollment_in,
    execute,
    next_year,
    plan,
    preview,
    row_of,
    state,
    student,
)

pytestmark = pytest.mark.django_db


def test_a_second_plan_for_the_same_years_opens_the_run_in_progress(promotion_school):
    s = promotion_school
    first = plan(s)
    colleague = UserFactory(school=s.school, role=Role.ADMIN)
    assert open_run(school=s.school, from_year=s.from_year, to_year=s.to_year) == first

    second = plan(
        s,
        mode=PromotionMode.MANUAL,
        filters={"students": [student(s, "Abbott").pk]},
        actor=colleague,
    )

    assert second.pk == first.pk
    assert PromotionRun.objects.count() == 1
    assert [r.student.user.last_name for r in summarise_run(second).rows] == ["Abbott"]
    # The database itself refuses a second draft for the same years.
    with pytest.raises(IntegrityError), transaction.atomic():
        PromotionRun.objects.create(school=s.school, from_year=s.from_year, to_year=s.to_year)


# --- the stored plan ---------------------------------------------------------------------------


def test_the_stored_plan_survives_a_reload(promotion_school):
    s = promotion_school
    run = plan(s)
    baker = row_of(run, "Baker")
    update_promotion_rows(
        run=run, row_ids=[baker.pk], actor=s.admin, action=RETAIN, notes="Missed the spring term"
    )

    reloaded = summarise_run(PromotionRun.objects.get(pk=run.pk))  # as a new request would

    assert reloaded.counts == {"promote": 19, "retain": 1, "graduate": 4, "leave": 0}
    previews = {p.student_name: p for p in reloaded.previews()}
    shown = previews["Pupil2 Baker"]
    assert (
        shown.action,
        shown.current_class,
        shown.target_grade,
        shown.target_class,
        shown.target_section,
        shown.roll_number,
        shown.notes,
    ) == ("retain", "9-A", "Grade 9", "9-A", "A", 1, "Missed the spring term")
    # 10-A's roll numbers were given again without Baker.
    assert [
        (p.student_name, p.roll_number) for p in previews.values() if p.target_class == "10-A"
    ] == [
        ("Pupil1 Abbott", 1),
        ("Pupil3 Carter", 2),
        ("Pupil4 Dalton", 3),
    ]
    execute(s, run)
    assert enrollment_in(s.to_year, student(s, "Baker")).notes == "Missed the spring term"


def wrong_class_grade(s, run):
    return {"row_ids": [row_of(run, "Abbott").pk], "to_class": s.to_classes["11-A"]}


def class_of_the_old_year(s, run):
    return {"row_ids": [row_of(run, "Abbott").pk], "to_class": s.from_classes["10-A"]}


def section_of_another_class(s, run):
    return {
        "row_ids": [row_of(run, "Abbott").pk],
        "to_class": s.to_classes["10-A"],
        "to_section": s.to_classes["10-B"].sections.get(),
    }


def class_for_a_graduate(s, run):
    return {"row_ids": [row_of(run, "Upton").pk], "to_class": s.to_classes["12-A"]}


def another_runs_row(s, run):
    other = plan_promotion(
        school=s.school,
        from_year=s.from_year,
        to_year=next_year(s),
        mode=PromotionMode.AUTOMATIC,
        actor=s.admin,
    )
    return {"row_ids": [row_of(run, "Baker").pk, row_of(other, "Abbott").pk], "action": RETAIN}


def not_an_action(s, run):
    return {"row_ids": [row_of(run, "Abbott").pk], "action": "skip"}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (wrong_class_grade, "11-A is not a class of Grade 10 (the grade Pupil1 Abbott goes into)."),
        (class_of_the_old_year, "Choose a class of 2026-2027."),
        (section_of_another_class, "Choose a section of the chosen class."),
        (
            class_for_a_graduate,
            "Pupil1 Upton is set to graduate: a class applies only to promoted or retained "
            "students.",
        ),
        (another_runs_row, "Choose rows of this promotion."),
        (not_an_action, '"skip" is not an action.'),
    ],
    ids=lambda v: getattr(v, "__name__", "message"),
)
def test_edits_that_do_not_fit_are_refused_and_change_nothing(promotion_school, edit, message):
    s = promotion_school
    run = plan(s)
    kwargs = edit(s, run)
    before = state()

    with pytest.raises(PromotionError) as refused:
        update_promotion_rows(run=run, actor=s.admin, **kwargs)

    assert refused.value.messages == [message]
    assert state() == before


def test_an_executed_runs_plan_cannot_be_edited(promotion_school):
    s = promotion_school
    run = plan(s)
    execute(s, run)
    with pytest.raises(PromotionError, match="its plan can't be changed"):
        update_promotion_rows(
            run=run, row_ids=[row_of(run, "Abbott").pk], actor=s.admin, action=RETAIN
        )


def test_a_discarded_plan_is_gone_and_a_new_one_can_start(promotion_school):
    s = promotion_school
    run = plan(s)

    discard_run(run=run, actor=s.admin)

    run.refresh_from_db()
    assert run.status == PromotionRun.Status.DISCARDED
    assert not run.rows.exists()
    assert open_run(school=s.school, from_year=s.from_year, to_year=s.to_year) is None
    with pytest.raises(PromotionError, match="is already discarded"):
        execute(s, run)
    with pytest.raises(PromotionError, match="can't be changed"):
        discard_run(run=run, actor=s.admin)
    assert not Enrollment.objects.filter(academic_year=s.to_year).exists()
    fresh = plan(s)
    assert fresh.pk != run.pk and fresh.status == PromotionRun.Status.DRAFT


# --- the service's functions, step by step ---------------------------------------------------


def test_the_service_functions_from_prerequisites_to_execution(promotion_school):
    s = promotion_school
    validate_prerequisites(school=s.school, from_year=s.from_year, to_year=s.to_year)
    eligible = get_eligible_students(academic_year=s.from_year, to_year=s.to_year).filter(
        school=s.school
    )
    assert eligible.count() == 24
    targets = calculate_promotion_targets(
        school=s.school, from_year=s.from_year, to_year=s.to_year, enrollments=list(eligible)
    )
    assert sum(t.action == GRADUATE for t in targets) == 4
    assert not PromotionRow.objects.exists()  # calculated, not stored
    abbott = student(s, "Abbott")
    summary = preview(s, filters={"students": [abbott.pk]})
    assert [(p.student_name, p.target_class) for p in summary.previews()] == [
        ("Pupil1 Abbott", "10-A")
    ]
    run = plan(s)
    with pytest.raises(PromotionError, match="belongs to another school"):
        execute_promotion(run=run, actor=UserFactory(role=Role.ADMIN), school=SchoolFactory())
    assert execute_promotion(run=run, actor=s.admin, school=s.school).total == 24
