"""More bad input (issue 8, "Bad input"), property-based: marking a period, correcting a
saved mark, the promotion wizard, and the query strings of the main list pages.

tests/test_bad_input_json.py and tests/test_bad_input_forms.py cover the JSON endpoints
and the billing, credits, total-sessions, leave and staff-absence forms; this file covers:

- marking a period (`POST /attendance/periods/<slot>/<date>/`, one POST for the whole
  roll: there is no single-cell save): statuses that are no status, system statuses (SA,
  NM, H) on an unsaved row, a student's field missing, a reason with NUL bytes or past
  500 characters; extra fields for students of another school, unknown and huge (2**64)
  ids; malformed, impossible and extreme dates and huge slot ids in the URL;
- correcting a saved mark: the reason empty, blank (spaces, tabs, an ideographic space),
  with NUL bytes, or 10,000 characters long;
- the promotion wizard: step 1's years and "Create the next year" (malformed and extreme
  dates, names with NUL bytes or 1,000 characters), step 2's mode, id lists and default
  action, step 3's row editor and bulk form (junk, huge, other-year and other-school
  ids, another run's rows) and step 4's checkbox (missing, or any value but the "on" a
  ticked box sends);
- the query strings of the list pages: attendance list, register, registers not taken,
  a student's report, my periods, corrections, bills (and their export), enrollments,
  credit reports (and their export), the credits student list, promotion steps 1 and 2.

A refused POST must answer a 4xx, or the page (or htmx fragment) again with the error
shown; never a 5xx, never a redirect (the views redirect only after saving); and the
academics (promotion tables included), attendance, billing and credits tables must be as
they were. A GET with a junk query string must never answer a 5xx nor write anything.
Every example runs in a savepoint that is rolled back (`tests.snapshots.rolled_back`),
so the world a test builds once is the same for each example.
"""

import datetime
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django import forms
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from academics.models import (
    AcademicYear,
    Enrollment,
    PromotionAction,
    PromotionMode,
    Role,
    School,
    SchoolClass,
    Section,
)
from academics.services.promotion import plan_promotion
from attendance.models import MARKABLE_STATUSES, AttendanceRecord, Status
from attendance.services import mark_attendance
from tests.academics.conftest import promotion_school  # noqa: F401 (a fixture)
from tests.academics.factories import (
    GradeFactory,
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    SectionFactory,
    StaffProfileFactory,
    StudentProfileFactory,
    TimetableSlotFactory,
    UserFactory,
    consecutive_years,
)
from tests.snapshots import all_of, changed_tables, rolled_back, snapshot

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FEW = settings(EXAMPLES, max_examples=12)
TABLES = all_of(["academics", "attendance", "billing", "credits"])

MONDAY = datetime.date(2026, 9, 7)  # the factories' slots meet on Mondays from 17 Aug 2026

# --- values -------------------------------------------------------------------------------

NUL_TEXT = st.text(max_size=10).map(lambda text: text + "\x00" + text)
NASTY = ["\x00", "1\x00", "NaN", "Infinity", "-Infinity", "1e308", "0x10", "12abc", "--1",
         "1,5", "[]", "{}", "null", "true", "' OR 1=1 --", "²", "١٢", "１２",
         "\u202e1"]  # fmt: skip
HUGE_IDS = ["0", "-1", str(2**31), str(2**63 - 1), str(2**63), str(2**64), "9" * 30, "1.0", "1e3"]
BAD_DATES = ["2026-02-30", "2026-13-01", "0000-01-01", "10000-01-01", "31/12/2026", "20260907",
             "2026-09-07\x00", "tomorrow", "٢٠٢٦-٠٩-٠٧", "2026-9-7"]  # fmt: skip
EXTREME_DATES = ["0001-01-01", "0001-01-02", "9999-12-31", "9999-12-30", "1900-01-01"]


def refused_by(field: forms.Field):
    """A filter keeping the values `field` refuses (so a body meant to be bad is bad)."""

    def refuses(value) -> bool:
        try:
            field.clean(value)
        except forms.ValidationError:
            return True
        return False

    return refuses


def bad_choices(valid, foreign=()) -> st.SearchStrategy:
    """Choice or id values none of which is one of `valid` (nor empty)."""
    valid = {str(value) for value in valid}
    return st.one_of(
        st.sampled_from(NASTY),
        st.sampled_from([str(value) for value in foreign] or ["0"]),
        st.sampled_from(HUGE_IDS),
        NUL_TEXT,
        st.text(max_size=12),
    ).filter(lambda value: value.strip() not in valid and value.strip() != "")


def bad_lists(valid, foreign=()) -> st.SearchStrategy:
    """Lists of ids holding at least one bad value, maybe among good ones."""
    good = [str(value) for value in valid]
    return st.tuples(
        st.lists(bad_choices(valid, foreign), min_size=1, max_size=3),
        st.lists(st.sampled_from(good), max_size=2) if good else st.just([]),
    ).map(lambda parts: parts[1] + parts[0])


LONG_TEXT = st.sampled_from([501, 1000, 10_000]).map(lambda n: "é" * n)
BAD_TEXT = st.one_of(NUL_TEXT, LONG_TEXT)
BAD_DATE = st.one_of(st.sampled_from(BAD_DATES), NUL_TEXT, st.text(max_size=12)).filter(
    refused_by(forms.DateField())
)
JUNK = st.one_of(
    st.sampled_from(NASTY + HUGE_IDS + BAD_DATES + EXTREME_DATES),
    st.sampled_from(["0001-01", "9999-12", "2026-00", "csv", "xlsx", "lowest", "term", " "]),
    NUL_TEXT,
    st.text(max_size=12),
)  # for a query string: anything at all

ERROR_MARKS = ('class="error', 'role="alert"', "pr-row-error", "pr-status-error")


def assert_refused(response, marks=ERROR_MARKS):
    """A 4xx, or 200 with an error shown (one of `marks`); never a 5xx nor a redirect."""
    status = response.status_code
    assert status < 500, status
    assert 400 <= status < 500 or status == 200, (status, response.get("Location"))
    if status == 200:
        html = response.content.decode()
        assert any(mark in html for mark in marks), html[:3000]


def post_unchanged(client, url, body, *, htmx=False):
    """POST `body` in a rolled-back savepoint; return the answer and the changed tables."""
    headers = {"HX-Request": "true"} if htmx else {}
    with rolled_back():
        before = snapshot(*TABLES)
        response = client.post(url, body, headers=headers)
        after = snapshot(*TABLES)
    return response, changed_tables(before, after)


# --- marking a period ---------------------------------------------------------------------


@pytest.fixture
def today(monkeypatch):
    """Every school's today (school-local) is MONDAY."""
    monkeypatch.setattr(School, "today", lambda school: MONDAY)
    return MONDAY


def _staff(school, role, department="Mathematics"):
    user = UserFactory(school=school, role=role)
    StaffProfileFactory(school=school, user=user, department=department)
    return user


@pytest.fixture
def marking(today):
    """Hill School: Maths 9A with two students, period 3 not marked yet and period 4
    marked on MONDAY (Adams present, Young absent) by the teacher; and another school's
    class, slot and student."""
    school = SchoolFactory(name="Hill School", edit_window_days=7)
    teacher = _staff(school, Role.TEACHER)
    admin = _staff(school, Role.ADMIN, "")
    school_class = SchoolClassFactory(school=school, name="Maths 9A")
    fresh = TimetableSlotFactory(school_class=school_class, teacher=teacher, period_number=3)
    marked = TimetableSlotFactory(school_class=school_class, teacher=teacher, period_number=4)
    students = [
        MembershipFactory(
            school_class=school_class,
            student=UserFactory(school=school, role=Role.STUDENT, last_name=name).student_profile,
        ).student_id
        for name in ("Adams", "Young")
    ]
    mark_attendance(
        slot=marked,
        day=MONDAY,
        statuses={students[0]: Status.PRESENT, students[1]: Status.ABSENT},
        actor=teacher,
        today=MONDAY,
    )
    outsider = MembershipFactory(school_class=SchoolClassFactory(name="Elsewhere"))
    foreign_slot = TimetableSlotFactory(school_class=outsider.school_class, period_number=3)
    return SimpleNamespace(
        school=school,
        teacher=teacher,
        admin=admin,
        school_class=school_class,
        fresh=fresh,
        marked=marked,
        students=students,
        outsider=outsider.student_id,
        foreign_slot=foreign_slot,
    )


def mark_url(slot_id, day=MONDAY) -> str:
    day = day.isoformat() if isinstance(day, datetime.date) else day
    return f"/attendance/periods/{quote(str(slot_id))}/{quote(day)}/"


SAVED_MARKS = ("Nothing was saved.",)


@EXAMPLES
@given(data=st.data())
def test_marking_refuses_statuses_missing_rows_and_bad_reasons(client, marking, data):
    client.force_login(marking.teacher)
    body = {f"status_{student}": "P" for student in marking.students}
    statuses = st.one_of(
        bad_choices(MARKABLE_STATUSES),
        st.sampled_from(["SA", "NM", "H", "p", "a", "Present", "P,A", "P\x00"]),
    ).filter(lambda value: value not in MARKABLE_STATUSES)
    breaks = data.draw(
        st.lists(st.sampled_from(["status", "missing", "reason"]), min_size=1, max_size=3),
        label="breaks",
    )
    for kind in breaks:
        student = data.draw(st.sampled_from(marking.students), label="student")
        if kind == "status":
            body[f"status_{student}"] = data.draw(statuses, label="status")
        elif kind == "missing":
            body.pop(f"status_{student}", None)
        else:
            body["reason"] = data.draw(BAD_TEXT, label="reason")
    extra = data.draw(
        st.dictionaries(
            st.sampled_from(
                [
                    f"status_{marking.outsider}",
                    f"status_{2**64}",
                    "status_-1",
                    "status_x",
                    "status_",
                    "date",
                    "period_number",
                    "slot",
                    "school",
                    "marked_by",
                    "\x00",
                ]
            ),  # fmt: skip
            st.one_of(st.just("P"), JUNK),
            max_size=3,
        ),
        label="extra fields",
    )
    body.update(extra)

    response, changed = post_unchanged(client, mark_url(marking.fresh.pk), body)

    assert_refused(response, SAVED_MARKS)
    assert changed == []


@FEW
@given(
    extra=st.lists(
        st.sampled_from(["outsider", str(2**64), str(2**63), "-1", "0", "abc", "١"]),
        min_size=1,
        max_size=4,
        unique=True,
    )
)
def test_status_fields_of_students_not_on_the_roll_are_ignored(client, marking, extra):
    """A valid roll with extra `status_<id>` fields (another school's student, unknown
    and huge ids) saves the roll's two students and nobody else."""
    client.force_login(marking.teacher)
    body = {f"status_{student}": "A" for student in marking.students}
    for key in extra:
        body[f"status_{marking.outsider if key == 'outsider' else key}"] = "P"

    with rolled_back():
        response = client.post(mark_url(marking.fresh.pk), body)
        saved = sorted(
            AttendanceRecord.objects.filter(date=MONDAY, period_number=3).values_list(
                "student_id", "status"
            )
        )

    assert response.status_code == 302
    assert saved == sorted((student, "A") for student in marking.students)


BLANK_REASONS = ["", " ", "   ", "\t\n", "\u3000", "\u00a0 \u2003"]


@EXAMPLES
@given(
    reason=st.one_of(st.sampled_from(BLANK_REASONS), NUL_TEXT, LONG_TEXT),
    who=st.sampled_from(["teacher", "admin"]),
)
def test_a_correction_needs_a_real_reason(client, marking, reason, who):
    client.force_login(getattr(marking, who))
    adams, young = marking.students
    body = {f"status_{adams}": "A", f"status_{young}": "A", "reason": reason}  # Adams: P → A

    response, changed = post_unchanged(client, mark_url(marking.marked.pk), body)

    assert_refused(response, SAVED_MARKS)
    assert changed == []
    reasons = ("give a reason for the correction", "at most 500 characters", "Null characters")
    assert any(text in response.content.decode() for text in reasons)


@EXAMPLES
@given(
    slot=st.sampled_from(["fresh", "foreign", "0", str(2**31), str(2**63), str(2**64), "9" * 25]),
    day=st.one_of(
        st.sampled_from(BAD_DATES + EXTREME_DATES + ["2026-09-08", "2026-09-14", "2025-09-01"]),
        st.text(max_size=12),
    ),
    method=st.sampled_from(["get", "post"]),
)
def test_a_malformed_slot_or_date_in_the_url_is_refused(client, marking, slot, day, method):
    """Unknown, huge or another school's slot ids are a 404; a date that is no date is a
    404, one the slot does not meet (a Tuesday, before the timetable, far future) 400 to
    a POST; nothing is written."""
    assume(not (slot == "fresh" and day == MONDAY.isoformat()))
    client.force_login(marking.teacher)
    slot_id = {"fresh": marking.fresh.pk, "foreign": marking.foreign_slot.pk}.get(slot, slot)
    url = mark_url(slot_id, day)
    body = {f"status_{student}": "P" for student in marking.students}

    with rolled_back():
        before = snapshot(*TABLES)
        response = client.post(url, body) if method == "post" else client.get(url)
        changed = changed_tables(before, snapshot(*TABLES))

    assert response.status_code < 500
    if method == "post":
        assert_refused(response, SAVED_MARKS + ('id="refusal"',))
    assert changed == []


# --- the promotion wizard -----------------------------------------------------------------


def _other_school_run():
    """Another school with two years, a class in each and one student planned: its
    years, classes, section, student and run rows are "other school" ids."""
    school = SchoolFactory(name="Valley High")
    admin = UserFactory(school=school, role=Role.ADMIN)
    first, second = consecutive_years(school)
    grade_9, grade_10 = (GradeFactory(school=school, level=level) for level in (9, 10))
    classes = []
    for year, grade in ((first, grade_9), (second, grade_10)):
        school_class = SchoolClassFactory(
            school=school, academic_year=year, grade=grade, kind=SchoolClass.Kind.HOMEROOM
        )
        SectionFactory(school_class=school_class, name="A")
        classes.append(school_class)
    student = StudentProfileFactory(school=school)
    Enrollment.objects.create(
        school=school,
        student=student,
        academic_year=first,
        grade=grade_9,
        school_class=classes[0],
        section=classes[0].sections.get(),
        roll_number=1,
        enrollment_date=first.start_date,
    )
    run = plan_promotion(
        school=school, from_year=first, to_year=second, mode=PromotionMode.AUTOMATIC, actor=admin
    )
    return SimpleNamespace(
        ids=[
            first.pk,
            second.pk,
            grade_9.pk,
            grade_10.pk,
            *(c.pk for c in classes),
            *Section.objects.filter(school=school).values_list("pk", flat=True),
            student.pk,
        ],
        run=run,
        rows=list(run.rows.values_list("pk", flat=True)),
    )


@pytest.fixture
def wizard(promotion_school):  # noqa: F811 (the fixture imported above)
    """The promotion school with an automatic plan (a draft run of its 24 students), and
    another school's run."""
    p = promotion_school
    run = plan_promotion(
        school=p.school,
        from_year=p.from_year,
        to_year=p.to_year,
        mode=PromotionMode.AUTOMATIC,
        actor=p.admin,
    )
    rows = {
        row.from_enrollment.student_id: row for row in run.rows.select_related("from_enrollment")
    }
    other = _other_school_run()
    own_ids = {
        "grades": [g.pk for g in p.grades.values()],
        "from_classes": [c.pk for c in p.from_classes.values()],
        "to_classes": [c.pk for c in p.to_classes.values()],
        "from_sections": list(
            Section.objects.filter(school_class__academic_year=p.from_year).values_list(
                "pk", flat=True
            )
        ),
        "to_sections": list(
            Section.objects.filter(school_class__academic_year=p.to_year).values_list(
                "pk", flat=True
            )
        ),
        "students": [s.pk for group in p.students.values() for s in group],
    }
    return SimpleNamespace(p=p, run=run, rows=rows, other=other, own=own_ids)


def _row_body(w):
    """A valid edit of the first 9-A student's row: promote to 10-A (section A)."""
    p = w.p
    student = p.students["9-A"][0]
    row = w.rows[student.pk]
    target = p.to_classes["10-A"]
    return row, {
        "action": PromotionAction.PROMOTE,
        "to_grade": p.grades[10].pk,
        "to_class": target.pk,
        "to_section": target.sections.get().pk,
        "notes": "moved",
        "was_to_grade": row.to_grade_id or "",
        "was_to_class": row.to_class_id or "",
        "was_to_section": row.to_section_id or "",
    }


@EXAMPLES
@given(data=st.data())
def test_the_row_editor_refuses_junk_and_other_ids(client, wizard, data):
    w = wizard
    client.force_login(w.p.admin)
    row, body = _row_body(w)
    foreign = w.other.ids + w.own["from_classes"] + w.own["from_sections"]
    bad = {
        "action": bad_choices(PromotionAction.values),
        "to_grade": bad_choices(w.own["grades"], foreign),
        "to_class": bad_choices(w.own["to_classes"], foreign),
        "to_section": bad_choices(w.own["to_sections"], foreign),
        "notes": BAD_TEXT,
        "was_to_grade": bad_choices([]).filter(refused_by(forms.IntegerField(required=False))),
        "was_to_class": bad_choices([]).filter(refused_by(forms.IntegerField(required=False))),
    }
    for key in data.draw(
        st.lists(st.sampled_from(sorted(bad)), min_size=1, max_size=3, unique=True), label="f"
    ):
        body[key] = data.draw(bad[key], label=key)
    if data.draw(st.booleans(), label="extra"):
        body[data.draw(st.sampled_from(["run", "student", "row", "\x00"]))] = "1"
    htmx = data.draw(st.booleans(), label="htmx")

    response, changed = post_unchanged(
        client, f"/promotion/{w.run.pk}/rows/{row.pk}/edit/", body, htmx=htmx
    )

    assert_refused(response, ("pr-row-error",))
    assert changed == []


@FEW
@given(
    where=st.sampled_from(["other run's row", "other run", "huge row", "huge run", "zero"]),
    method=st.sampled_from(["get", "post"]),
)
def test_the_row_editor_of_another_run_or_a_huge_id_is_a_404(client, wizard, where, method):
    w = wizard
    client.force_login(w.p.admin)
    row, body = _row_body(w)
    run_id, row_id = {
        "other run's row": (w.run.pk, w.other.rows[0]),
        "other run": (w.other.run.pk, w.other.rows[0]),
        "huge row": (w.run.pk, 2**64),
        "huge run": (2**63, row.pk),
        "zero": (0, 0),
    }[where]
    url = f"/promotion/{run_id}/rows/{row_id}/edit/"

    with rolled_back():
        before = snapshot(*TABLES)
        response = client.post(url, body) if method == "post" else client.get(url, body)
        changed = changed_tables(before, snapshot(*TABLES))

    assert response.status_code == 404
    assert changed == []


@EXAMPLES
@given(data=st.data())
def test_the_bulk_form_refuses_junk_and_other_runs_rows(client, wizard, data):
    w = wizard
    client.force_login(w.p.admin)
    own_rows = [row.pk for row in w.rows.values()]
    body = {"op": "action", "rows": own_rows[:2], "action": PromotionAction.RETAIN}
    foreign = w.other.ids + w.own["from_classes"]
    bad = {
        "op": bad_choices(["action", "class"]),
        "rows": bad_lists(own_rows, w.other.rows),
        "action": bad_choices(PromotionAction.values),
        "to_class": bad_choices(w.own["to_classes"], foreign),
    }
    for key in data.draw(
        st.lists(st.sampled_from(sorted(bad)), min_size=1, max_size=3, unique=True), label="f"
    ):
        body[key] = data.draw(bad[key], label=key)

    response, changed = post_unchanged(client, f"/promotion/{w.run.pk}/bulk/", body, htmx=True)

    assert_refused(response, ("pr-status-error",))
    assert changed == []


@EXAMPLES
@given(data=st.data())
def test_planning_again_refuses_junk_modes_ids_and_actions(client, wizard, data):
    w = wizard
    client.force_login(w.p.admin)
    body: dict = {"mode": PromotionMode.AUTOMATIC}
    foreign = w.other.ids
    bad = {
        "mode": bad_choices(PromotionMode.values),
        "grades": bad_lists(w.own["grades"], foreign),
        "classes": bad_lists(w.own["from_classes"], foreign + w.own["to_classes"]),
        "sections": bad_lists(w.own["from_sections"], foreign + w.own["to_sections"]),
        "exclude": bad_lists(w.own["students"], foreign),
        "students": bad_lists(w.own["students"], foreign),
        "default_action": bad_choices(PromotionAction.values),
    }
    for key in data.draw(
        st.lists(st.sampled_from(sorted(bad)), min_size=1, max_size=3, unique=True), label="f"
    ):
        body[key] = data.draw(bad[key], label=key)
    if "mode" not in body or data.draw(st.booleans(), label="keep mode"):
        body.setdefault("mode", PromotionMode.AUTOMATIC)

    response, changed = post_unchanged(client, f"/promotion/{w.run.pk}/plan/", body)

    assert_refused(response, ('id="plan-errors"', '<p class="error" role="alert">', "action-error"))
    assert changed == []


def _year_body(w):
    return {
        "source": w.p.to_year.pk,
        "name": "2027-2028",
        "start_date": "2027-08-17",
        "end_date": "2028-06-30",
        "copy_classes": "on",
    }


@EXAMPLES
@given(data=st.data())
def test_creating_a_year_refuses_bad_names_dates_and_sources(client, wizard, data):
    w = wizard
    client.force_login(w.p.admin)
    body = _year_body(w)
    bad = {
        "source": bad_choices([w.p.from_year.pk, w.p.to_year.pk], w.other.ids),
        "name": st.one_of(
            NUL_TEXT,
            st.just("N" * 1000),
            st.sampled_from(["", " ", "\t", "\u3000", "2025-2026", "2026-2027"]),
        ),
        "start_date": st.one_of(BAD_DATE, st.sampled_from(["", "2028-07-01"])),
        "end_date": st.one_of(BAD_DATE, st.sampled_from(["", "2027-08-17", "2027-01-01"])),
    }
    for key in data.draw(
        st.lists(st.sampled_from(sorted(bad)), min_size=1, max_size=3, unique=True), label="f"
    ):
        body[key] = data.draw(bad[key], label=key)
    htmx = data.draw(st.booleans(), label="htmx")

    response, changed = post_unchanged(client, "/promotion/new/year/", body, htmx=htmx)

    assert_refused(
        response, ('<div class="error" role="alert">', 'class="error small" role="alert"')
    )
    assert changed == []


@FEW
@given(
    dates=st.sampled_from(
        [
            ("0001-01-01", "0001-12-31"),
            ("9998-08-17", "9999-12-31"),
            ("9999-01-01", "9999-12-31"),
            ("2900-08-17", "2901-06-30"),
        ]
    )  # fmt: skip
)
def test_a_year_at_the_ends_of_the_calendar_never_answers_5xx(client, wizard, dates):
    """Valid but extreme years: created or refused, and then step 1 opened on them."""
    w = wizard
    client.force_login(w.p.admin)
    body = _year_body(w) | {"start_date": dates[0], "end_date": dates[1], "name": "Far"}
    with rolled_back():
        created = client.post("/promotion/new/year/", body)
        year = AcademicYear.objects.filter(school=w.p.school, name="Far").first()
        pages = [
            client.get("/promotion/new/", {"from_year": year.pk if year else "", "next": "1"}),
            client.get(
                "/promotion/new/", {"from_year": w.p.to_year.pk, "to_year": year.pk if year else ""}
            ),
            client.get("/promotion/", {}),
        ]
    assert created.status_code < 500
    assert [page.status_code < 500 for page in pages] == [True] * 3


CHECKBOX_JUNK = ["", "false", "False", "0", "off", "no", "\x00", "on\x00", "ON", "1", "true",
                 "yes", "×"]  # fmt: skip


@FEW
@given(value=st.one_of(st.none(), st.sampled_from(CHECKBOX_JUNK), st.text(max_size=8)))
def test_executing_needs_the_ticked_box_and_nothing_else(client, wizard, value):
    """Step 4 executes only with the box ticked (a browser posts "on"): missing, empty
    or any other value is refused with the box's message and nothing is promoted."""
    assume(value != "on")
    w = wizard
    client.force_login(w.p.admin)
    body = {} if value is None else {"understood": value}

    response, changed = post_unchanged(client, f"/promotion/{w.run.pk}/confirm/", body)

    assert_refused(response, ('id="understood-error"',))
    assert changed == []


# --- GET query strings of the list pages --------------------------------------------------


@pytest.fixture
def lists(wizard, today):
    """The promotion school, with a teaching slot of 9-A, a marked period, and its roles."""
    p = wizard.p
    teacher = _staff(p.school, Role.TEACHER)
    accountant = UserFactory(school=p.school, role=Role.ACCOUNTANT)
    school_class = p.from_classes["9-A"]
    slot = TimetableSlotFactory(school_class=school_class, teacher=teacher, period_number=2)
    students = [s.pk for s in p.students["9-A"]]
    mark_attendance(
        slot=slot,
        day=MONDAY,
        statuses={pk: Status.PRESENT for pk in students},
        actor=teacher,
        today=MONDAY,
    )
    return SimpleNamespace(
        w=wizard,
        admin=p.admin,
        teacher=teacher,
        accountant=accountant,
        school_class=school_class,
        students=students,
    )


def _pages(env) -> dict[str, tuple]:
    """name → (user, url, its query keys, a valid query)."""
    w, student, group = env.w, env.students[0], env.school_class.pk
    year, to_year = w.p.from_year.pk, w.p.to_year.pk
    period = {"start": "2026-08-01", "end": "2026-09-30"}
    return {
        "attendance list": (
            env.admin, "/attendance/list/", "school_class order page",
            {"school_class": group, "order": "lowest"},
        ),
        "register": (
            env.admin, "/attendance/reports/register/", "school_class month format",
            {"school_class": group, "month": "2026-09"},
        ),
        "not taken": (
            env.admin, "/attendance/reports/not-taken/", "start end teacher format",
            {"start": "2026-09-01", "end": "2026-09-06"},
        ),
        "student report": (
            env.admin, f"/attendance/reports/students/{student}/", "period date format",
            {"period": "week", "date": "2026-09-07"},
        ),
        "my periods": (env.teacher, "/attendance/periods/", "date", {"date": "2026-09-07"}),
        "corrections": (
            env.admin, "/attendance/corrections/",
            "changed_from changed_to school_class changed_by slot_teacher page format",
            {"changed_from": "2026-09-01"},
        ),
        "bills": (
            env.accountant, "/billing/bills/", "status group month q page",
            {"month": "2026-09", "status": "unpaid"},
        ),
        "bills export": (
            env.accountant, "/billing/bills/export.csv", "status group month q",
            {"month": "2026-09"},
        ),
        "enrollments": (
            env.admin, "/enrollments/", "year grade school_class section run status page",
            {"year": year, "run": w.run.pk},
        ),
        "credit reports": (env.admin, "/credits/reports/", "start end all", period),
        "credit reports export": (
            env.admin, "/credits/reports/export.csv", "start end all", period,
        ),
        "credits students": (env.admin, "/credits/", "q page inactive", {"q": "Abbott"}),
        "promotion step 1": (
            env.admin, "/promotion/new/", "from_year to_year next", {"from_year": year},
        ),
        "promotion step 2": (
            env.admin, f"/promotion/{w.run.pk}/plan/",
            "refresh mode grades classes sections exclude students",
            {"refresh": "1", "grades": w.own["grades"][0]},
        ),
        "promotion step 2 (new)": (
            env.admin, "/promotion/new/plan/", "from_year to_year",
            {"from_year": year, "to_year": to_year},
        ),
    }  # fmt: skip


PAGES = [
    "attendance list", "register", "not taken", "student report", "my periods", "corrections",
    "bills", "bills export", "enrollments", "credit reports", "credit reports export",
    "credits students", "promotion step 1", "promotion step 2", "promotion step 2 (new)",
]  # fmt: skip


@pytest.mark.parametrize("name", PAGES)
def test_each_list_page_answers_its_own_query(client, lists, name):
    """The pages below are really reached (not a 403 that would make the junk test
    vacuous): each answers its valid query with a 200 (or the redirect of step 2 to the
    draft already planned)."""
    user, url, _, valid = _pages(lists)[name]
    client.force_login(user)
    response = client.get(url, valid)
    assert response.status_code in ((302,) if name == "promotion step 2 (new)" else (200,))


@pytest.mark.parametrize("name", PAGES)
@FEW
@given(data=st.data())
def test_a_junk_query_string_never_answers_5xx_nor_writes(client, lists, name, data):
    user, url, keys, valid = _pages(lists)[name]
    client.force_login(user)
    query = {key: str(value) for key, value in valid.items()}
    for key in data.draw(
        st.lists(st.sampled_from(keys.split()), min_size=1, max_size=4, unique=True), label="keys"
    ):
        query[key] = data.draw(st.lists(JUNK, min_size=1, max_size=2), label=key)
    htmx = data.draw(st.booleans(), label="htmx")
    headers = {"HX-Request": "true"} if htmx else {}

    with rolled_back():
        before = snapshot(*TABLES)
        response = client.get(url, query, headers=headers)
        changed = changed_tables(before, snapshot(*TABLES))

    assert response.status_code < 500, response.status_code
    assert changed == []
