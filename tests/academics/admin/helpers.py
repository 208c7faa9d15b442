"""What the admin tests share: the models shown, their URLs, and one row of every model in a
school."""

import datetime

from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from academics.admin import PromotionRowInline, ReadOnlyAdminMixin
from academics.models import (
    AcademicYear,
    Enrollment,
    Grade,
    GuardianProfile,
    Guardianship,
    Holiday,
    Membership,
    PromotionAction,
    PromotionLog,
    PromotionRow,
    PromotionRun,
    Role,
    School,
    SchoolClass,
    Section,
    StaffProfile,
    StudentProfile,
    Subject,
    Term,
    TimetableSlot,
    User,
)
from attendance.models import AttendanceRecord, StaffAbsence, StudentLeave, TotalSessionsOverride
from tests.academics.factories import (
    AcademicYearFactory,
    EnrollmentFactory,
    GradeFactory,
    GuardianshipFactory,
    MembershipFactory,
    SchoolClassFactory,
    SectionFactory,
    StaffProfileFactory,
    StudentProfileFactory,
    SubjectFactory,
    TermFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory, TotalSessionsOverrideFactory

# Models shown only inside another model's change page, with the inline that shows them.
SHOWN_INLINE = {PromotionRow: (PromotionRun, PromotionRowInline)}

# Every model of the two apps, from the registry, so a new model without an admin fails.
MODELS = sorted(
    (
        model
        for app in ("academics", "attendance")
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical") and model not in SHOWN_INLINE
    ),
    # School first: some tests take MODELS[1:] as "all but School".
    key=lambda model: (model is not School, model._meta.label),
)
MODEL_IDS = [m._meta.label for m in MODELS]
# Written only by their services (promotion runs and their log): nobody adds or changes.
READ_ONLY = {m for m in MODELS if isinstance(admin.site._registry.get(m), ReadOnlyAdminMixin)}
EDITABLE = [m for m in MODELS[1:] if m not in READ_ONLY]  # all but School and the read-only


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def populate(school: School) -> dict[type, object]:
    """One row of every model in `school`, linked as a real school's would be."""
    year = AcademicYearFactory(school=school)
    grade = GradeFactory(school=school)
    subject = SubjectFactory(school=school)
    school_class = SchoolClassFactory(
        school=school, subject=subject, grade=grade, academic_year=year
    )
    section = SectionFactory(school_class=school_class)
    teacher = UserFactory(school=school, role=Role.TEACHER)
    student = StudentProfileFactory(school=school)
    membership = MembershipFactory(student=student, school_class=school_class)
    slot = TimetableSlotFactory(school_class=school_class, subject=subject, teacher=teacher)
    enrollment = EnrollmentFactory(
        student=student,
        academic_year=year,
        grade=grade,
        school_class=school_class,
        section=section,
        roll_number=1,
    )
    next_year = AcademicYearFactory(
        school=school,
        start_date=datetime.date(2027, 8, 16),
        end_date=datetime.date(2028, 6, 30),
        is_current=False,
    )
    run = PromotionRun.objects.create(
        school=school,
        from_year=year,
        to_year=next_year,
        status=PromotionRun.Status.EXECUTED,
        created_by=teacher,
    )
    promotion_row = PromotionRow.objects.create(
        run=run,
        student=student,
        from_enrollment=enrollment,
        action=PromotionAction.PROMOTE,
        to_grade=grade,
        roll_number=1,
        previous_status=Enrollment.Status.ACTIVE,
    )
    guardianship = GuardianshipFactory(student=student)
    return {
        School: school,
        User: teacher,
        GuardianProfile: guardianship.guardian,
        Guardianship: guardianship,
        AcademicYear: year,
        Term: TermFactory(academic_year=year),
        Grade: grade,
        Subject: subject,
        SchoolClass: school_class,
        Section: section,
        StudentProfile: student,
        StaffProfile: StaffProfileFactory(school=school, user=teacher),
        Enrollment: enrollment,
        Membership: membership,
        TimetableSlot: slot,
        AttendanceRecord: AttendanceRecordFactory(
            membership=membership, slot=slot, period_number=slot.period_number, marked_by=teacher
        ),
        TotalSessionsOverride: TotalSessionsOverrideFactory(membership=membership),
        Holiday: Holiday.objects.create(
            school=school,
            name="Winter break",
            start_date=datetime.date(2026, 12, 21),
            end_date=datetime.date(2027, 1, 1),
        ),
        StaffAbsence: StaffAbsence.objects.create(
            school=school, teacher=teacher, date=datetime.date(2026, 9, 7), periods=[1, 2]
        ),
        StudentLeave: StudentLeave.objects.create(
            school=school,
            student=student,
            start_date=datetime.date(2026, 9, 7),
            end_date=datetime.date(2026, 9, 8),
            reason="Family wedding",
        ),
        PromotionRun: run,
        PromotionRow: promotion_row,
        PromotionLog: PromotionLog.objects.create(
            school=school,
            run=run,
            from_academic_year=year,
            to_academic_year=next_year,
            promoted_by=teacher,
            promotion_type=run.mode,
            total_students=1,
            promoted_count=1,
            retained_count=0,
            graduated_count=0,
            left_count=0,
        ),
    }


def change_list_rows(response) -> list:
    return list(response.context["cl"].result_list)


def empty_inline(prefix: str, total: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
