"""Bad input to the main HTML forms, property-based.

Each form is posted with a valid body in which one to three fields are replaced by a
value the field cannot take — text where a number belongs, negative and huge numbers,
NaN/Infinity, floats for whole numbers, malformed dates, NUL bytes (PostgreSQL cannot
store them), text past the field's length, another school's ids — and sometimes an extra
field. The answer must be a 4xx, or the page or fragment again (200) showing an error,
never a 5xx; and the affected tables must be as they were.

Forms covered: billing price edit, record payment, generate bills; the credits dialog
("Make-Up Credits") and make-up lesson booking; total sessions inline edit and bulk
update; student leave; staff absence. A separate property posts valid but extreme dates
(years 1 and 9999) and asks only for "never a 5xx".
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django import forms
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from academics.models import Role
from billing.models import Bill
from billing.services import generate_bills
from credits.services.balances import set_available_credits
from tests.academics.factories import (
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.billing.conftest import OCTOBER, make_seed_group
from tests.credits.conftest import make_studio
from tests.snapshots import all_of, changed_tables, rolled_back, snapshot

from .strategies import unicode_twins

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ERROR_MARKS = ('class="error', "errorlist", 'role="alert"', "has-error", "ts-error")
TABLES = all_of(["academics", "attendance", "billing", "credits"])

# --- values no field of the kind accepts ---------------------------------------------------

NUL_TEXT = st.text(max_size=10).map(lambda text: text + "\x00" + text)
NASTY = ["\x00", "1\x00", "NaN", "nan", "Infinity", "-Infinity", "inf", "1e308", "-1e308",
         "1e-400", "0x10", "12abc", "--1", "1,5", "[]", "{}", "null",
         "' OR 1=1 --"]  # fmt: skip


def _not_a_number(text: str) -> bool:
    try:
        value = Decimal(text.strip())
    except ArithmeticError:
        return True
    return not value.is_finite()


NUMBERS = st.one_of(
    st.sampled_from(NASTY),
    st.sampled_from(
        [
            "-1",
            "-0.01",
            "0.001",
            "2.718281828",
            str(2**63),
            str(2**64),
            "9" * 40,
            "-" + "9" * 40,
            "1e400",
        ]
    ),
    NUL_TEXT,
    st.text(min_size=1, max_size=15).filter(_not_a_number),
)  # money: 1.5 is a price, 0.001 is not
WHOLE_NUMBERS = st.one_of(NUMBERS, st.sampled_from(["1.5", "12.5", "3.01", "100000"]))


def _not_a_date(text: str) -> bool:
    try:
        forms.DateField().clean(text)
    except forms.ValidationError:
        return True
    return False


DATES = st.one_of(
    st.sampled_from(
        [
            "2025-02-30",
            "2025-13-01",
            "0000-01-01",
            "10000-01-01",
            "31/12/2025",
            "2025-10-01\x00",
            "tomorrow",
            "٢٠٢٥-١٠-٠١",
            "20251001",
        ]
    ),  # fmt: skip
    NUL_TEXT,
    st.text(min_size=1, max_size=15),
).filter(_not_a_date)


def _not_a_datetime(text: str) -> bool:
    try:
        forms.DateTimeField(input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]).clean(text)
    except forms.ValidationError:
        return True
    return False


LONG_TEXT = st.integers(min_value=501, max_value=3000).map(lambda n: "é" * n)
TEXTS = st.one_of(NUL_TEXT, LONG_TEXT)


def bad_choices(valid: list[str], foreign: list[int], *, twins: bool = True) -> st.SearchStrategy:
    """Choice or id values none of which is one of `valid`; among them (unless `twins` is
    false) the valid ids written with other scripts' digits, "١٢" for 12."""
    return st.one_of(
        unicode_twins(valid) if twins else st.nothing(),
        st.sampled_from(NASTY),
        st.sampled_from([str(i) for i in foreign] or ["0"]),
        st.sampled_from(["0", "-1", str(2**31), str(2**63), str(2**64), "9" * 30, "1.0"]),
        NUL_TEXT,
        st.text(max_size=12),
    ).filter(lambda value: value.strip() not in valid and value != "")


# --- the forms ----------------------------------------------------------------------------


@dataclass
class Form:
    """A form to post: who, where, a valid body, and per field the values it refuses."""

    user: object
    url: str
    valid: dict
    bad: dict[str, st.SearchStrategy]
    htmx: bool = False
    extra: dict = field(default_factory=dict)


def _billing() -> dict[str, Form]:
    ours = make_seed_group()
    theirs = make_seed_group(SchoolFactory(name="Delta School"), code="DELTA-1")
    generate_bills(school_class=ours.group, start=OCTOBER[0], end=OCTOBER[1], actor=None)
    bill = Bill.objects.filter(school_class=ours.group).order_by("pk").first()
    group = ours.group.pk
    return {
        "billing price": Form(
            ours.accountant,
            f"/billing/groups/{group}/price/",
            {"price_per_session": "120"},
            {"price_per_session": NUMBERS},
        ),
        "record payment": Form(
            ours.accountant,
            f"/billing/bills/{bill.pk}/payments/",
            {"amount": "50", "paid_on": "2025-11-01", "method": "cash", "reference": "R1"},
            {
                "amount": NUMBERS,
                "paid_on": DATES,
                "method": bad_choices(
                    ["cash", "card", "bank_transfer", "cheque", "mobile_wallet", "other"], []
                ),  # fmt: skip
                "reference": TEXTS,
                "note": TEXTS,
            },
        ),
        "generate bills": Form(
            ours.accountant,
            f"/billing/groups/{group}/generate/",
            {"start": "2025-10-01", "end": "2025-10-31", "update_existing": "on"},
            {
                "start": DATES,
                "end": DATES,
                "month": st.one_of(
                    st.sampled_from(["2025-13", "0000-00", "2025-1", "99999-01", "2025-10\x00"]),
                    st.text(max_size=8),
                ).filter(lambda v: v.strip() != ""),
            },
        ),
        "_foreign": theirs,
    }


def _credits() -> dict[str, Form]:
    ours = make_studio()
    theirs = make_studio("Other Studio")
    set_available_credits(students=[ours.sarah], tutor=ours.tutor_a, amount=2, actor=ours.admin)
    students = [str(s.pk) for s in (ours.sarah, ours.omar, ours.lina)]
    tutors = [str(ours.tutor_a.pk), str(ours.tutor_b.pk)]
    foreign = [theirs.sarah.pk, theirs.tutor_a.pk, theirs.admin.pk]
    return {
        "credits dialog": Form(
            ours.admin,
            "/credits/set/",
            {"students": [ours.sarah.pk, ours.omar.pk], "tutor": ours.tutor_a.pk, "amount": "3"},
            {
                "students": bad_choices(students, foreign),
                "tutor": bad_choices(tutors, foreign),
                "amount": WHOLE_NUMBERS,
                "note": TEXTS,
            },
        ),
        "make-up booking": Form(
            ours.admin,
            f"/credits/students/{ours.sarah.pk}/book/",
            {"tutor": ours.tutor_a.pk, "scheduled_for": "2026-09-01T10:00", "note": "x"},
            {
                "tutor": bad_choices(tutors, foreign),
                "scheduled_for": st.one_of(
                    DATES.filter(_not_a_datetime),
                    st.sampled_from(
                        [
                            "2026-09-01T25:00",
                            "2026-02-30T10:00",
                            "10:00",
                            "2026-09-01T10:00\x00",
                            "9999-12-31T24:00",
                        ]
                    ),  # fmt: skip
                ),
                "note": TEXTS,
            },
        ),
    }


def _attendance() -> dict[str, Form]:
    school = SchoolFactory(name="Hill School")
    admin = UserFactory(school=school, role=Role.ADMIN)
    teacher = UserFactory(school=school, role=Role.TEACHER)
    school_class = SchoolClassFactory(school=school, name="Maths 9A")
    TimetableSlotFactory(school_class=school_class, teacher=teacher)
    student = UserFactory(school=school, role=Role.STUDENT).student_profile
    membership = MembershipFactory(school_class=school_class, student=student)
    outsider = MembershipFactory()  # another school's class, student, teacher
    foreign = [outsider.student_id, outsider.school_class_id, outsider.student.user_id]
    return {
        "total sessions edit": Form(
            admin,
            f"/attendance/total-sessions/{membership.pk}/edit/",
            {"total_sessions": "12"},
            {"total_sessions": WHOLE_NUMBERS},
            htmx=True,
        ),
        "total sessions bulk": Form(
            admin,
            "/attendance/total-sessions/bulk/",
            {"school_class": school_class.pk, "total_sessions": "12", "confirmed": "on"},
            {
                "total_sessions": WHOLE_NUMBERS,
                "school_class": bad_choices([str(school_class.pk)], foreign),
            },
        ),
        "student leave": Form(
            admin,
            "/attendance/leave/",
            {
                "student": student.pk,
                "start_date": "2026-09-07",
                "end_date": "2026-09-08",
                "reason": "family",
                "approve": "on",
            },
            {
                "student": bad_choices([str(student.pk)], foreign),
                "start_date": DATES,
                "end_date": DATES,
                "reason": TEXTS,
            },
        ),
        "staff absence": Form(
            admin,
            "/attendance/staff-absence/",
            {"teacher": teacher.pk, "date": "2026-09-07", "reason": "sick"},
            {
                "teacher": bad_choices([str(teacher.pk)], foreign),
                "date": DATES,
                "periods": bad_choices([str(n) for n in range(1, 10)], []),
                "substitute": bad_choices([str(admin.pk), str(teacher.pk)], foreign),
                "reason": TEXTS,
            },
        ),
    }


WORLDS: dict[str, Callable[[], dict[str, Form]]] = {
    "billing price": _billing,
    "record payment": _billing,
    "generate bills": _billing,
    "credits dialog": _credits,
    "make-up booking": _credits,
    "total sessions edit": _attendance,
    "total sessions bulk": _attendance,
    "student leave": _attendance,
    "staff absence": _attendance,
}


def post(client, form: Form, data: dict):
    headers = {"HX-Request": "true"} if form.htmx else {}
    return client.post(form.url, data, headers=headers)


def assert_refused(response):
    """A 4xx, or 200 with the form shown again with an error; never a 5xx or a redirect
    (the views redirect only after saving)."""
    status = response.status_code
    assert status < 500, status
    assert 400 <= status < 500 or status == 200, (status, response.get("Location"))
    if status == 200:
        html = response.content.decode()
        assert any(mark in html for mark in ERROR_MARKS), html[:2000]


@pytest.mark.parametrize("name", list(WORLDS))
@EXAMPLES
@given(data=st.data())
def test_a_form_refuses_bad_values_without_a_5xx_or_a_write(client, name, data, db):
    form = _world(name)
    client.force_login(form.user)
    body = dict(form.valid)
    fields = data.draw(
        st.lists(st.sampled_from(sorted(form.bad)), min_size=1, max_size=3, unique=True),
        label="fields",
    )
    for key in fields:
        body[key] = data.draw(form.bad[key], label=key)
    if data.draw(st.booleans(), label="extra field"):
        body[data.draw(st.sampled_from(["id", "school", "school_id", "\x00"]))] = "1"

    with rolled_back():
        before = snapshot(*TABLES)
        response = post(client, form, body)
        after = snapshot(*TABLES)

    assert_refused(response)
    assert changed_tables(before, after) == []


_built: dict = {}


@pytest.fixture(autouse=True)
def _fresh_worlds():
    _built.clear()
    yield
    _built.clear()


def _world(name: str) -> Form:
    """The form's world, built once per test (hypothesis examples share it)."""
    builder = WORLDS[name]
    if builder not in _built:
        _built[builder] = builder()
    return _built[builder][name]


EXTREME_DATES = st.sampled_from(
    ["0001-01-01", "9999-12-31", "1900-01-01", "2999-12-31", "1000-02-29", "2400-02-29"]
)


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("record payment", ["paid_on"]),
        ("generate bills", ["start", "end"]),
        ("student leave", ["start_date", "end_date"]),
        ("staff absence", ["date"]),
    ],
)
@EXAMPLES
@given(data=st.data())
def test_extreme_but_valid_dates_never_answer_5xx(client, name, fields, data, db):
    form = _world(name)
    client.force_login(form.user)
    body = dict(form.valid)
    for key in fields:
        body[key] = data.draw(EXTREME_DATES, label=key)
    assume(body.get("start", "") <= body.get("end", "~"))

    with rolled_back():
        response = post(client, form, body)

    assert response.status_code < 500
