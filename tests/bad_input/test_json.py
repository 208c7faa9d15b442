"""Bad input to the JSON endpoints, property-based.

The endpoints: `POST /attendance/update-total-sessions/` (docs/design/total-sessions.md)
and the billing API under /api/accounting/ (docs/design/billing.md: calculate,
generate-payments, revenue). The credits app takes no JSON (its dialog and booking are
HTML forms: tests/bad_input/test_forms.py).

Each example starts from a valid body and breaks it one way — a wrong type, a negative or
huge number (2**63, 1e308), a float where an integer belongs, NaN/Infinity, a missing or
extra field, unicode with NUL bytes, a malformed date, another school's id — or sends a
body that is no JSON object at all. Every answer must be a 4xx JSON error with a message,
never a 5xx, and the attendance, billing and credits tables must be as they were.

Every example runs inside a savepoint that is rolled back (`tests.snapshots.rolled_back`),
so the world built once per test is the same for every example.
"""

import datetime
import json
import math
from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from academics.models import Role
from attendance.services.total_sessions import TotalSessionsError, parse_total_sessions
from tests.academics.factories import (
    AcademicYearFactory,
    EnrollmentFactory,
    MembershipFactory,
    SchoolClassFactory,
    SchoolFactory,
    TimetableSlotFactory,
    UserFactory,
)
from tests.attendance.factories import AttendanceRecordFactory
from tests.billing.conftest import make_seed_group
from tests.snapshots import all_of, changed_tables, rolled_back, snapshot

from .strategies import unicode_twins

pytestmark = pytest.mark.django_db(transaction=False)

EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- strategies ---------------------------------------------------------------------------

HUGE = st.sampled_from(
    [2**31, 2**31 - 1 + 1, 2**53 + 1, 2**63 - 1, 2**63, 2**64, 10**30, 10**400, -(2**63) - 1]
)
NASTY_TEXT = st.sampled_from(
    ["", " ", "\x00", "1\x00", "\x00\x00", "NaN", "Infinity", "-Infinity", "1e308", "0x10",
     "٣", "１２", "12abc", "null", "true", "[]", "{}", "' OR 1=1 --", "a" * 5000, "\u202e1"]
)  # fmt: skip
ANY_TEXT = st.one_of(NASTY_TEXT, st.text(max_size=40))
FLOATS = st.one_of(
    st.sampled_from([1.5, -0.5, 1e308, -1e308, 5e-324, math.nan, math.inf, -math.inf, 2.0]),
    st.floats(allow_nan=True, allow_infinity=True),
)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), HUGE, FLOATS, ANY_TEXT, st.just([]), st.just({})
)
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3), max_leaves=6)


def bad_ids(foreign: list[int], valid: list[int] = ()) -> st.SearchStrategy:
    """Values that are no id of a row of the user's school: wrong types, zero, negatives,
    numbers past bigint, ids with no row, the other school's ids, and the `valid` ids as
    strings of other scripts' digits ("١٢": a JSON id is an integer, and never "١٢")."""
    return st.one_of(
        unicode_twins(valid),
        st.none(),
        st.booleans(),
        st.integers(max_value=0),
        st.integers(min_value=2**63),
        HUGE,
        st.integers(min_value=10**9, max_value=2**63 - 1),
        FLOATS,
        ANY_TEXT,
        st.lists(st.integers(min_value=1, max_value=5), max_size=2),
        st.sampled_from(foreign),
        st.sampled_from(foreign).map(str),
        st.sampled_from(foreign).map(float),
    )


def _is_iso_date(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.date.fromisoformat(value.strip())
    except ValueError:
        return False
    return len(value.strip()) == 10


BAD_DATES = st.one_of(
    st.sampled_from(
        [
            "2025-02-30",
            "2025-13-01",
            "2025-00-10",
            "0000-01-01",
            "10000-01-01",
            "2025-1-1",
            "01/10/2025",
            "2025-10-01T00:00:00",
            "2025-10-01\x00",
            "20251001",
            "٢٠٢٥-١٠-٠١",
            "2025‐10‐01",
            "yesterday",
            " 2025-10-0 ",
        ]
    ),  # fmt: skip
    st.integers(),
    FLOATS,
    st.booleans(),
    st.just([]),
    st.just({"year": 2025}),
    st.text(min_size=1, max_size=20),
).filter(lambda value: value not in ("", None) and not _is_iso_date(value))

# Real dates, but outside 1900–2999: they would only overflow the due-date arithmetic.
OUT_OF_RANGE_DATES = st.sampled_from(["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"])


def post_json(client, url, body):
    raw = body if isinstance(body, bytes | str) else json.dumps(body)  # NaN → bare NaN
    return client.post(url, raw, content_type="application/json")


def assert_refused(response, key: str):
    """A 4xx JSON answer with `success: false` and a non-empty message under `key`."""
    assert 400 <= response.status_code < 500, (response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    document = response.json()
    assert document["success"] is False
    assert isinstance(document[key], str) and document[key].strip()


TABLES = all_of(["attendance", "billing", "credits"])


# --- POST /attendance/update-total-sessions/ ------------------------------------------------


@pytest.fixture
def homeroom():
    """Maths 9A, the homeroom of Ali Adams (3 countable records: a total below 3 is refused)
    taught by Ms Rivera; and a second school with its own class, student and subject."""
    school = SchoolFactory(name="Hill School")
    teacher = UserFactory(school=school, role=Role.TEACHER, last_name="Rivera")
    school_class = SchoolClassFactory(school=school, name="Maths 9A")
    TimetableSlotFactory(school_class=school_class, teacher=teacher)
    adams = MembershipFactory(
        school_class=school_class,
        student=UserFactory(school=school, role=Role.STUDENT, last_name="Adams").student_profile,
    )
    for period in (1, 2, 3):
        AttendanceRecordFactory(
            membership=adams, date=datetime.date(2026, 9, 7), period_number=period
        )
    year = AcademicYearFactory(school=school, is_current=True)
    EnrollmentFactory(student=adams.student, academic_year=year, school_class=school_class)
    outsider = MembershipFactory()  # another school's student, class and subject
    foreign = [outsider.student_id, outsider.school_class_id, outsider.school_class.subject_id]
    return teacher, adams, foreign


def _valid_total(value) -> bool:
    try:
        return parse_total_sessions(value) >= 3
    except TotalSessionsError:
        return False


@st.composite
def bad_total_sessions_bodies(draw, adams, foreign):
    body = {"student_id": adams.student_id, "total_sessions": 50}
    if draw(st.booleans()):
        body["class_id"] = adams.school_class_id
        if draw(st.booleans()):
            body["subject_id"] = adams.school_class.subject_id
    how = draw(st.sampled_from(["total", "id", "missing", "extra", "not an object"]))
    if how == "total":
        value = draw(st.one_of(SCALARS, st.integers(max_value=2), st.integers(min_value=10_001)))
        assume(not _valid_total(value))
        body["total_sessions"] = value
    elif how == "id":
        field = draw(st.sampled_from(["student_id", "class_id", "subject_id"]))
        valid = {
            "student_id": adams.student_id,
            "class_id": adams.school_class_id,
            "subject_id": adams.school_class.subject_id,
        }[field]
        value = draw(bad_ids(foreign, [valid]))
        assume(value is not None or field == "student_id")  # no class/subject is valid
        body[field] = value
    elif how == "missing":
        del body[draw(st.sampled_from(["student_id", "total_sessions"]))]
    elif how == "extra":
        key = draw(st.one_of(st.sampled_from(["total", "school_id", "id", "\x00"]), st.text()))
        assume(key not in body and key not in ("class_id", "subject_id"))
        body[key] = draw(JSON_VALUES)
    else:
        return draw(
            st.one_of(
                JSON_VALUES.filter(lambda v: not isinstance(v, dict)).map(json.dumps),
                st.binary(max_size=40),
                st.sampled_from([b"", b"{", b'{"student_id": 1,}', b"\xff\xfe{\x00}", b"[" * 5000]),
            )
        )
    return body


@EXAMPLES
@given(data=st.data())
def test_total_sessions_endpoint_refuses_bad_bodies_with_400s_and_writes_nothing(
    client, homeroom, data
):
    teacher, adams, foreign = homeroom
    client.force_login(teacher)
    body = data.draw(bad_total_sessions_bodies(adams, foreign), label="body")

    with rolled_back():
        before = snapshot(*TABLES)
        response = post_json(client, reverse("attendance:update_total_sessions"), body)
        after = snapshot(*TABLES)

    assert_refused(response, "error")
    assert changed_tables(before, after) == []


# --- the billing API ------------------------------------------------------------------------


@pytest.fixture
def billing():
    """The billing example group (3 students, 3 sessions in October 2025) and another
    school's."""
    ours = make_seed_group()
    theirs = make_seed_group(SchoolFactory(name="Delta School"), code="DELTA-1")
    return ours, theirs


GENERATE = "/api/accounting/attendance/generate-payments"


@st.composite
def bad_generate_bodies(draw, group_id, foreign):
    body = {"groupId": group_id, "startDate": "2025-10-01", "endDate": "2025-10-31"}
    if draw(st.booleans()):
        body["updateExisting"] = draw(st.booleans())
    how = draw(st.sampled_from(["groupId", "date", "reversed", "flag", "missing", "extra", "raw"]))
    if how == "groupId":
        body["groupId"] = draw(bad_ids(foreign, [group_id]))
    elif how == "date":
        body[draw(st.sampled_from(["startDate", "endDate"]))] = draw(
            st.one_of(BAD_DATES, OUT_OF_RANGE_DATES)
        )
    elif how == "reversed":
        start = draw(st.dates(min_value=datetime.date(2, 1, 1)))
        end = draw(st.dates(max_value=start - datetime.timedelta(days=1)))
        body["startDate"], body["endDate"] = start.isoformat(), end.isoformat()
    elif how == "flag":
        body["updateExisting"] = draw(
            SCALARS.filter(lambda v: not isinstance(v, bool) and v is not None)
        )
    elif how == "missing":
        del body["groupId"]
    elif how == "extra":
        key = draw(
            st.one_of(st.sampled_from(["amount", "studentId", "groupid", "\x00"]), st.text())
        )
        assume(key not in ("groupId", "startDate", "endDate", "updateExisting"))
        body[key] = draw(JSON_VALUES)
    else:
        return draw(
            st.one_of(
                JSON_VALUES.filter(lambda v: not isinstance(v, dict)).map(json.dumps),
                st.binary(max_size=40),
                st.sampled_from([b"", b"{'groupId': 1}", b'{"groupId": 1e999}', b"{" * 5000]),
            )
        )
    return body


@EXAMPLES
@given(data=st.data())
def test_generate_payments_refuses_bad_bodies_and_bills_nobody(client, billing, data):
    ours, theirs = billing
    client.force_login(ours.accountant)
    body = data.draw(bad_generate_bodies(ours.group.pk, [theirs.group.pk]), label="body")

    with rolled_back():
        before = snapshot(*TABLES)
        response = post_json(client, GENERATE, body)
        after = snapshot(*TABLES)

    assert_refused(response, "message")
    assert changed_tables(before, after) == []


def _group_path_ids(foreign: list[int], valid: list[int]) -> st.SearchStrategy:
    return st.one_of(
        bad_ids(foreign, valid).map(lambda v: json.dumps(v) if not isinstance(v, str) else v),
        st.text(min_size=1, max_size=30),
    ).filter(lambda text: text.strip() not in (".", "..", ""))


@EXAMPLES
@given(data=st.data())
def test_calculate_and_revenue_answer_404_for_any_id_that_is_not_a_group_of_the_school(
    client, billing, data
):
    ours, theirs = billing
    client.force_login(ours.admin)
    raw = data.draw(_group_path_ids([theirs.group.pk], [ours.group.pk]), label="group id")
    kind = data.draw(st.sampled_from(["attendance/calculate/{}", "groups/{}/revenue"]))
    url = "/api/accounting/" + kind.format(quote(raw, safe=""))

    with rolled_back():
        before = snapshot(*TABLES)
        response = client.get(url)
        after = snapshot(*TABLES)

    assert_refused(response, "message")
    assert response.status_code == 404
    assert changed_tables(before, after) == []


@EXAMPLES
@given(data=st.data())
def test_calculate_refuses_malformed_or_reversed_periods_with_400(client, billing, data):
    ours, theirs = billing
    client.force_login(ours.accountant)
    query = {"startDate": "2025-10-01", "endDate": "2025-10-31"}
    if data.draw(st.booleans(), label="reversed"):
        query["startDate"], query["endDate"] = "2025-11-01", "2025-10-31"
    else:
        bad = data.draw(BAD_DATES.map(lambda v: v if isinstance(v, str) else json.dumps(v)))
        query[data.draw(st.sampled_from(["startDate", "endDate"]))] = bad

    with rolled_back():
        before = snapshot(*TABLES)
        url = f"/api/accounting/attendance/calculate/{ours.group.pk}?{urlencode(query)}"
        response = client.get(url)
        after = snapshot(*TABLES)

    assert_refused(response, "message")
    assert response.status_code == 400
    assert changed_tables(before, after) == []


def test_a_valid_generation_still_bills_after_all_the_refusals(client, billing):
    """The control: the same world and body shape do write when nothing is wrong, so the
    properties above cannot pass because the endpoint writes nothing at all."""
    ours, theirs = billing
    client.force_login(ours.accountant)
    body = {"groupId": ours.group.pk, "startDate": "2025-10-01", "endDate": "2025-10-31"}

    response = post_json(client, GENERATE, body)

    assert response.status_code == 200, response.content
    assert response.json()["data"]["summary"]["totalCreated"] == 3
