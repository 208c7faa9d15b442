"""Helpers of the promotion service tests (docs/design/promotion.md): planning and
executing on `promotion_school`, finding its students and rows, and `state()`, everything
a promotion writes, to compare before and after."""

import datetime

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
from academics.services.promotion import (
    create_academic_year,
    execute_promotion,
    plan_promotion,
    preview_promotion,
)

from ..factories import (
    UserFactory,
)

PROMOTE, RETAIN = PromotionAction.PROMOTE, PromotionAction.RETAIN
GRADUATE, LEAVE = PromotionAction.GRADUATE, PromotionAction.LEAVE


def plan(s, *, mode=PromotionMode.AUTOMATIC, filters=None, actions=None, to_year=None, actor=None):
    return plan_promotion(
        school=s.school,
        from_year=s.from_year,
        to_year=to_year or s.to_year,
        mode=mode,
        filters=filters,
        actions=actions,
        actor=actor or s.admin,
    )


def execute(s, run):
    return execute_promotion(run=run, actor=s.admin)


def preview(s, **kwargs):
    return preview_promotion(school=s.school, from_year=s.from_year, to_year=s.to_year, **kwargs)


def student(s, surname: str) -> StudentProfile:
    return next(st for group in s.students.values() for st in group if st.user.last_name == surname)


def row_of(run, surname: str) -> PromotionRow:
    return run.rows.get(student__user__last_name=surname)


def class_list(year, class_name: str) -> list[tuple[str, str, int]]:
    """(surname, section, roll number) of the class's enrollments in `year`, by roll number."""
    return [
        (e.student.user.last_name, e.section.name if e.section else "", e.roll_number)
        for e in Enrollment.objects.filter(academic_year=year, school_class__name=class_name)
        .select_related("student__user", "section")
        .order_by("roll_number")
    ]


def enrollment_in(year, st: StudentProfile) -> Enrollment | None:
    return Enrollment.objects.filter(academic_year=year, student=st).first()


def state() -> dict:
    """Everything a promotion writes, to compare before and after."""
    return {
        "enrollments": sorted(
            Enrollment.objects.values_list(
                "pk",
                "student",
                "academic_year",
                "grade",
                "school_class",
                "section",
                "roll_number",
                "status",
                "notes",
            )
        ),
        "students": sorted(StudentProfile.objects.values_list("pk", "is_active")),
        "memberships": sorted(
            Membership.objects.values_list("pk", "student", "school_class", "joined_on")
        ),
        "runs": sorted(PromotionRun.objects.values_list("pk", "status", "executed_at")),
        "rows": sorted(
            PromotionRow.objects.values_list(
                "pk",
                "action",
                "to_grade",
                "to_class",
                "to_section",
                "section_chosen",
                "class_chosen",
                "roll_number",
                "alert",
                "notes",
                "new_enrollment",
                "new_membership",
                "previous_status",
                "previous_student_active",
            )
        ),
        "logs": sorted(PromotionLog.objects.values_list("pk", "event")),
    }


def add_homeroom(s, year, level: int, name: str, capacity: int | None = 30) -> SchoolClass:
    school_class = SchoolClass.objects.create(
        school=s.school,
        academic_year=year,
        grade=s.grades[level],
        name=name,
        code=name,
        kind=SchoolClass.Kind.HOMEROOM,
    )
    Section.objects.create(school=s.school, school_class=school_class, name="A", capacity=capacity)
    return school_class


def enroll(s, year, school_class, *, surname: str, section=None, roll_number=None) -> Enrollment:
    """A student the office enrolled by hand (a transfer), with no enrollment before."""
    user = UserFactory(school=s.school, role=Role.STUDENT, first_name="New", last_name=surname)
    return Enrollment.objects.create(
        school=s.school,
        student=user.student_profile,
        academic_year=year,
        grade=school_class.grade,
        school_class=school_class,
        section=section,
        roll_number=roll_number,
        enrollment_date=year.start_date,
    )


def next_year(s) -> AcademicYear:
    return create_academic_year(
        school=s.school,
        name="2027-2028",
        start_date=datetime.date(2027, 8, 16),
        end_date=datetime.date(2028, 6, 30),
        copy_classes_from=s.to_year,
        actor=s.admin,
    )


def plan_onward(s, third: AcademicYear) -> PromotionRun:
    return plan_promotion(
        school=s.school,
        from_year=s.to_year,
        to_year=third,
        mode=PromotionMode.AUTOMATIC,
        actor=s.admin,
    )
