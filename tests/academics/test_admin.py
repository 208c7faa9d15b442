"""The Django admin: every screen loads, each school admin stays inside their school,
created/updated-by are filled in, and change lists don't run a query per row."""

import datetime

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from academics.admin import PromotionRowInline, ReadOnlyAdminMixin
from academics.models import (
    AcademicYear,
    Enrollment,
    Grade,
    Holiday,
    Membership,
    PromotionAction,
    PromotionLog,
    PromotionMode,
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
from academics.services.promotion import execute_promotion, plan_promotion
from attendance.models import (
    AttendanceRecord,
    StaffAbsence,
    Status,
    StudentLeave,
    TotalSessionsOverride,
)
from tests.academics.factories import (
    AcademicYearFactory,
    EnrollmentFactory,
    GradeFactory,
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    SectionFactory,
    StaffProfileFactory,
    StudentProfileFactory,
    SubjectFactory,
    TermFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory, TotalSessionsOverrideFactory

pytestmark = pytest.mark.django_db


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
    return {
        School: school,
        User: teacher,
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


@pytest.fixture
def school():
    return SchoolFactory(name="Nile Academy")


@pytest.fixture
def rows(school):
    return populate(school)


@pytest.fixture
def other_rows():
    return populate(SchoolFactory(name="Other School"))


@pytest.fixture
def school_admin(school):
    return UserFactory(school=school, role=Role.ADMIN, is_staff=True, username="office")


@pytest.fixture
def superuser():
    return UserFactory(
        school=None, role=Role.ADMIN, is_staff=True, is_superuser=True, username="root"
    )


def change_list_rows(response) -> list:
    return list(response.context["cl"].result_list)


# --- every screen loads ------------------------------------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_superuser_opens_every_change_list_add_and_change_form(
    client, superuser, rows, other_rows, model
):
    client.force_login(superuser)
    listing = client.get(url(model, "changelist"))
    assert listing.status_code == 200
    assert {rows[model].pk, other_rows[model].pk} <= {o.pk for o in change_list_rows(listing)}
    assert client.get(url(model, "change", rows[model].pk)).status_code == 200
    assert client.get(url(model, "add")).status_code == (403 if model in READ_ONLY else 200)


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_school_admin_opens_every_change_list_and_change_form_of_their_school(
    client, school_admin, rows, other_rows, model
):
    client.force_login(school_admin)
    listing = client.get(url(model, "changelist"))
    assert listing.status_code == 200
    listed = {o.pk for o in change_list_rows(listing)}
    assert rows[model].pk in listed
    assert other_rows[model].pk not in listed
    assert client.get(url(model, "change", rows[model].pk)).status_code == 200


@pytest.mark.parametrize("model", EDITABLE, ids=[m._meta.label for m in EDITABLE])
def test_school_admin_opens_every_add_form_without_a_school_field_to_pick(
    client, school_admin, rows, model
):
    client.force_login(school_admin)
    response = client.get(url(model, "add"))
    assert response.status_code == 200
    school_field = response.context["adminform"].form.fields.get("school")
    assert school_field is not None and school_field.widget.is_hidden
    assert list(school_field.queryset) == [rows[School]]


def test_history_of_an_attendance_record_is_browsable(client, school_admin, rows):
    client.force_login(school_admin)
    response = client.get(url(AttendanceRecord, "history", rows[AttendanceRecord].pk))
    assert response.status_code == 200


# --- one school's admin never reaches another school -------------------------------------


@pytest.mark.parametrize("model", MODELS, ids=MODEL_IDS)
def test_school_admin_cannot_open_another_schools_row(
    client, school_admin, rows, other_rows, model
):
    client.force_login(school_admin)
    response = client.get(url(model, "change", other_rows[model].pk))
    # The admin answers a row outside the queryset as a missing one: back to the index.
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    # (School: 403, as a school admin may delete no school at all.)
    assert client.get(url(model, "delete", other_rows[model].pk)).status_code in (302, 403)


def test_school_admin_cannot_read_another_schools_attendance_history(
    client, school_admin, rows, other_rows
):
    client.force_login(school_admin)
    response = client.get(url(AttendanceRecord, "history", other_rows[AttendanceRecord].pk))
    assert response.status_code in (403, 404)


def test_school_admin_autocomplete_offers_only_their_schools_students(
    client, school_admin, rows, other_rows
):
    client.force_login(school_admin)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "academics",
            "model_name": "enrollment",
            "field_name": "student",
            "term": "",
        },
    )
    assert response.status_code == 200
    offered = {int(r["id"]) for r in response.json()["results"]}
    assert offered == {rows[StudentProfile].pk}


def test_school_admin_cannot_point_a_row_at_another_schools_grade(
    client, school_admin, rows, other_rows
):
    client.force_login(school_admin)
    response = client.post(
        url(SchoolClass, "add"),
        {
            "name": "Grade 7 – B",
            "kind": SchoolClass.Kind.HOMEROOM,
            "grade": other_rows[Grade].pk,
            "is_active": "on",
            **empty_inline("sections"),
        },
    )
    assert response.status_code == 200
    assert "grade" in response.context["adminform"].form.errors
    assert not SchoolClass.objects.filter(name="Grade 7 – B").exists()


def test_school_admin_cannot_move_a_row_to_another_school(client, school_admin, rows, other_rows):
    client.force_login(school_admin)
    response = client.post(
        url(Subject, "add"), {"name": "Geology", "code": "GEO", "school": other_rows[School].pk}
    )
    assert response.status_code == 302
    assert Subject.objects.get(name="Geology").school == rows[School]


def test_school_admin_sees_only_their_own_school_and_cannot_add_or_delete_schools(
    client, school_admin, rows, other_rows
):
    client.force_login(school_admin)
    listing = client.get(url(School, "changelist"))
    assert [s.pk for s in change_list_rows(listing)] == [rows[School].pk]
    assert client.get(url(School, "add")).status_code == 403
    assert client.get(url(School, "delete", rows[School].pk)).status_code == 403
    response = client.post(
        url(School, "change", rows[School].pk),
        {
            "name": "Nile Academy (Giza)",
            "currency": "EGP",
            "timezone": "Africa/Cairo",
            "edit_window_days": 7,
            "staff_absent_resolution_days": 3,
            "payment_terms_days": 14,
            "low_attendance_threshold": "75",
        },
    )
    assert response.status_code == 302
    rows[School].refresh_from_db()
    assert rows[School].name == "Nile Academy (Giza)"
    assert rows[School].payment_terms_days == 14


def test_superuser_cannot_link_rows_of_two_schools(client, superuser, rows, other_rows):
    client.force_login(superuser)
    response = client.post(
        url(Section, "add"),
        {
            "school": rows[School].pk,
            "school_class": other_rows[SchoolClass].pk,
            "name": "Z",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["school_class"] == [
        "This belongs to another school."
    ]


# --- created/updated by ----------------------------------------------------------------


def test_created_and_updated_by_are_filled_on_add_and_change(client, school_admin, superuser, rows):
    client.force_login(school_admin)
    response = client.post(url(Grade, "add"), {"name": "Grade 12", "level": 12})
    assert response.status_code == 302
    grade = Grade.objects.get(school=rows[School], level=12)
    assert (grade.created_by, grade.updated_by) == (school_admin, school_admin)

    client.force_login(superuser)
    response = client.post(
        url(Grade, "change", grade.pk),
        {"school": rows[School].pk, "name": "Grade 12 (final)", "level": 12},
    )
    assert response.status_code == 302
    grade.refresh_from_db()
    assert (grade.created_by, grade.updated_by) == (school_admin, superuser)


def test_inline_rows_get_the_parents_school_and_the_editor(client, school_admin, rows):
    client.force_login(school_admin)
    response = client.post(
        url(SchoolClass, "add"),
        {
            "name": "Robotics club",
            "kind": SchoolClass.Kind.TEACHING,
            "is_active": "on",
            **empty_inline("sections", total=1),
            "sections-0-name": "Morning",
            "sections-0-capacity": "12",
            "sections-0-is_active": "on",
        },
    )
    assert response.status_code == 302
    section = Section.objects.get(school_class__name="Robotics club")
    assert section.school == rows[School]
    assert section.created_by == school_admin


def empty_inline(prefix: str, total: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


# --- users ---------------------------------------------------------------------------


def test_a_user_given_the_admin_role_in_the_admin_can_sign_in_to_it(client, school_admin, rows):
    client.force_login(school_admin)
    response = client.post(
        url(User, "add"),
        {
            "username": "deputy",
            "usable_password": "true",
            "password1": "a-long-demo-password-1",
            "password2": "a-long-demo-password-1",
            "role": Role.ADMIN,
            "first_name": "Dana",
            "last_name": "Deputy",
            "email": "",
            # A school admin may not hand out superuser status: the field is not theirs.
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302
    deputy = User.objects.get(username="deputy")
    assert deputy.is_staff and not deputy.is_superuser
    assert deputy.school == rows[School]
    # Through the sign-in form (django-axes's backend needs the request client.login lacks).
    signed_in = client.post(
        reverse("login"), {"username": "deputy", "password": "a-long-demo-password-1"}
    )
    assert signed_in.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_school_admin_does_not_see_superusers(client, school_admin, superuser, rows):
    superuser.school = rows[School]
    superuser.save()
    client.force_login(school_admin)
    listed = change_list_rows(client.get(url(User, "changelist")))
    assert superuser not in listed and school_admin in listed


# --- other roles -----------------------------------------------------------------------


def test_a_teacher_gets_no_admin_access(client, rows):
    teacher = rows[User]
    client.force_login(teacher)
    assert client.get(reverse("admin:index")).status_code == 302  # to the admin login

    teacher.is_staff = True  # even marked as staff by mistake
    teacher.save()
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200 and index.context["app_list"] == []
    assert client.get(url(AttendanceRecord, "changelist")).status_code == 403
    assert client.get(url(Subject, "change", rows[Subject].pk)).status_code == 403


def test_a_principal_may_view_but_not_change(client, rows):
    principal = UserFactory(school=rows[School], role=Role.PRINCIPAL, is_staff=True)
    client.force_login(principal)
    assert client.get(url(AttendanceRecord, "changelist")).status_code == 200
    assert client.get(url(Subject, "change", rows[Subject].pk)).status_code == 200
    assert client.get(url(Subject, "add")).status_code == 403
    response = client.post(url(Subject, "change", rows[Subject].pk), {"name": "Renamed"})
    assert response.status_code == 403
    rows[Subject].refresh_from_db()
    assert rows[Subject].name != "Renamed"


# --- attendance rules in the admin -------------------------------------------------------


def record_form(record: AttendanceRecord, **changes) -> dict[str, str]:
    data = {
        "student": record.student_id,
        "school_class": record.school_class_id,
        "subject": record.subject_id,
        "slot": record.slot_id or "",
        "date": record.date.isoformat(),
        "period_number": record.period_number,
        "status": record.status,
        "modification_reason": record.modification_reason,
    }
    return {**data, **changes}


def test_changing_a_status_in_the_admin_needs_a_reason_and_records_who(client, school_admin, rows):
    record = rows[AttendanceRecord]
    client.force_login(school_admin)
    change = url(AttendanceRecord, "change", record.pk)
    response = client.post(change, record_form(record, status=Status.ABSENT))
    assert response.status_code == 200
    assert "modification_reason" in response.context["adminform"].form.errors

    response = client.post(
        change, record_form(record, status=Status.ABSENT, modification_reason="Left at 10:00")
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.status, record.modified_by) == (Status.ABSENT, school_admin)
    latest = record.history.first()
    assert (latest.status, latest.history_user) == (Status.ABSENT, school_admin)


def test_total_sessions_below_the_marked_records_is_refused(client, school_admin, rows):
    override = rows[TotalSessionsOverride]
    client.force_login(school_admin)
    response = client.post(
        url(TotalSessionsOverride, "change", override.pk),
        {
            "student": override.student_id,
            "school_class": override.school_class_id,
            "subject": "",
            "total_sessions": 0,  # the student has one countable record in the class
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["total_sessions"] == [
        "Total sessions cannot be less than actual records (1)"
    ]


# --- query counts ------------------------------------------------------------------------


def add_attendance(rows: dict, count: int) -> None:
    membership_kwargs = {"school_class": rows[SchoolClass]}
    for _ in range(count):
        AttendanceRecordFactory(
            membership=MembershipFactory(**membership_kwargs),
            slot=rows[TimetableSlot],
            period_number=rows[TimetableSlot].period_number,
            marked_by=rows[User],
            modified_by=rows[User],
        )


@pytest.mark.parametrize("extra_rows", [0, 12])
def test_attendance_change_list_queries_do_not_grow_with_rows(
    client, school_admin, rows, django_assert_num_queries, extra_rows
):
    add_attendance(rows, extra_rows)
    client.force_login(school_admin)
    # 1 session, 2 user, 3 subject filter choices, 4 count, 5-6 user and group permissions
    # (the sidebar asks Django's own Group admin), 7 the page of records with student+user,
    # class, subject, marked_by, modified_by and school joined in, 8-9 date hierarchy
    # (min/max, then the days). No full count: show_full_result_count is off.
    with django_assert_num_queries(9):
        response = client.get(url(AttendanceRecord, "changelist"))
    assert len(change_list_rows(response)) == 1 + extra_rows


@pytest.mark.parametrize("extra_rows", [0, 12])
def test_enrollment_change_list_queries_do_not_grow_with_rows(
    client, school_admin, rows, django_assert_num_queries, extra_rows
):
    for roll_number in range(2, 2 + extra_rows):
        EnrollmentFactory(
            student=StudentProfileFactory(school=rows[School]),
            academic_year=rows[AcademicYear],
            grade=rows[Grade],
            school_class=rows[SchoolClass],
            section=rows[Section],
            roll_number=roll_number,
        )
    client.force_login(school_admin)
    # 1 session, 2 user, 3-4 academic-year and grade filter choices, 5-6 filtered and full
    # count, 7-8 user and group permissions (the sidebar asks Django's own Group admin),
    # 9 the page with student+user, year, grade, class, section+class and school joined in,
    # 10-11 date hierarchy (min/max, then the days).
    with django_assert_num_queries(11):
        response = client.get(url(Enrollment, "changelist"))
    assert len(change_list_rows(response)) == 1 + extra_rows


# --- promotion runs and their log (read-only) ------------------------------------------------


def test_models_shown_inline_appear_on_their_parents_page(client, school_admin, rows, other_rows):
    client.force_login(school_admin)
    for model, (parent, inline) in SHOWN_INLINE.items():
        assert inline.model is model and inline in admin.site._registry[parent].inlines
        response = client.get(url(parent, "change", rows[parent].pk))
        assert response.status_code == 200
        shown = [
            form.instance
            for formset in response.context["inline_admin_formsets"]
            if formset.formset.model is model
            for form in formset.formset.forms
        ]
        assert shown == [rows[model]]


@pytest.fixture
def promoted(promotion_school):
    """The promotion school promoted into 2026-2027, Baker retained."""
    s = promotion_school
    baker = StudentProfile.objects.get(school=s.school, user__last_name="Baker")
    run = plan_promotion(
        school=s.school,
        from_year=s.from_year,
        to_year=s.to_year,
        mode=PromotionMode.AUTOMATIC,
        actions={baker.pk: PromotionAction.RETAIN},
        actor=s.admin,
    )
    execute_promotion(run=run, actor=s.admin)
    return s, run


@pytest.mark.parametrize("model", [PromotionRun, PromotionLog], ids=lambda m: m.__name__)
@pytest.mark.parametrize("who", ["superuser", "school's admin"])
def test_nobody_adds_changes_or_deletes_promotion_runs_or_their_log(
    client, superuser, promoted, model, who
):
    s, run = promoted
    client.force_login(superuser if who == "superuser" else s.admin)
    row = run if model is PromotionRun else run.logs.get()
    before = (
        PromotionRun.objects.count(),
        PromotionRow.objects.count(),
        PromotionLog.objects.count(),
    )

    assert client.get(url(model, "add")).status_code == 403
    assert client.post(url(model, "add"), {}).status_code == 403
    assert client.get(url(model, "delete", row.pk)).status_code == 403
    assert client.post(url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    assert client.post(url(model, "change", row.pk), {"notes": "edited"}).status_code == 403

    listing = client.get(url(model, "changelist"))
    assert listing.status_code == 200
    assert b"delete_selected" not in listing.content
    assert f'href="{url(model, "add")}"'.encode() not in listing.content
    after = (
        PromotionRun.objects.count(),
        PromotionRow.objects.count(),
        PromotionLog.objects.count(),
    )
    assert after == before
    row.refresh_from_db()
    assert row.notes != "edited"


def test_a_run_shows_each_student_where_from_and_where_to(client, promoted):
    s, run = promoted
    client.force_login(s.admin)

    response = client.get(url(PromotionRun, "change", run.pk))

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="_save"' not in page  # a view, not a form
    [students] = response.context["inline_admin_formsets"]
    assert len(students.formset.forms) == 24
    assert not students.has_add_permission and not students.has_delete_permission
    baker = next(f for f in students.formset.forms if f.instance.student.user.last_name == "Baker")
    assert (baker.instance.action, baker.instance.to_class) == ("retain", s.to_classes["9-A"])
    assert "Grade 9 · 9-A · A" in page  # where the 9-A students came from
    log_list = f"{url(PromotionLog, 'changelist')}?run__id__exact={run.pk}"
    assert log_list.replace("&", "&amp;") in page

    logs = client.get(log_list)
    assert [log.run for log in change_list_rows(logs)] == [run]


def test_the_run_list_counts_each_runs_students(client, promoted):
    s, run = promoted
    client.force_login(s.admin)
    listed = change_list_rows(client.get(url(PromotionRun, "changelist")))
    assert [(r.pk, r.student_count, r.status) for r in listed] == [(run.pk, 24, "executed")]


def test_a_school_admin_sees_only_their_schools_promotions(client, school_admin, rows, promoted):
    s, run = promoted
    client.force_login(s.admin)
    for model, ours in ((PromotionRun, run), (PromotionLog, run.logs.get())):
        assert change_list_rows(client.get(url(model, "changelist"))) == [ours]
    # The other school's run: neither opened nor listed among its rows.
    response = client.get(url(PromotionRun, "change", rows[PromotionRun].pk))
    assert response.status_code == 302


def count_queries(client, path: str) -> int:
    client.get(path)  # warm up: the first request also caches content types
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_promotion_screens_run_no_query_per_row(client, promotion_school):
    """A run of 2 students and one of 22 open with as many queries; the run and log lists
    with one run as with two."""
    s = promotion_school
    client.force_login(s.admin)

    def run_of(students):
        run = plan_promotion(
            school=s.school,
            from_year=s.from_year,
            to_year=s.to_year,
            mode=PromotionMode.MANUAL,
            filters={"students": [st.pk for st in students]},
            actor=s.admin,
        )
        execute_promotion(run=run, actor=s.admin)
        return run

    everyone = [st for group in s.students.values() for st in group]
    small = run_of(everyone[:2])
    lists = {m: count_queries(client, url(m, "changelist")) for m in (PromotionRun, PromotionLog)}
    small_page = count_queries(client, url(PromotionRun, "change", small.pk))

    large = run_of(everyone[2:])

    assert large.rows.count() == 22
    assert count_queries(client, url(PromotionRun, "change", large.pk)) == small_page
    for model, few in lists.items():
        assert count_queries(client, url(model, "changelist")) == few, model
