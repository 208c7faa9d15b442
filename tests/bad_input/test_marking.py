"""Bad input to marking a period, property-based.

Marking a period (`POST /attendance/periods/<slot>/<date>/`, one POST for the whole roll:
there is no single-cell save): statuses that are no status, system statuses (SA, NM, H)
on an unsaved row, a student's field missing, a reason with NUL bytes or past 500
characters; extra fields for students of another school, unknown and huge (2**64) ids;
malformed, impossible and extreme dates and huge slot ids in the URL. Correcting a saved
mark: the reason empty, blank (spaces, tabs, an ideographic space), with NUL bytes, or
10,000 characters long. (The rules every bad-input test keeps: tests/bad_input/__init__.py.)
"""

import datetime
from urllib.parse import quote

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from attendance.models import MARKABLE_STATUSES, AttendanceRecord
from tests.snapshots import changed_tables, rolled_back, snapshot

from .strategies import (
    BAD_DATES,
    BAD_TEXT,
    EXAMPLES,
    EXTREME_DATES,
    FEW,
    JUNK,
    LONG_TEXT,
    MONDAY,
    NUL_TEXT,
    TABLES,
    assert_refused,
    bad_choices,
    post_unchanged,
    twins_of,
)

pytestmark = pytest.mark.django_db


# --- marking a period ---------------------------------------------------------------------


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
                    # a roll student's id in other digits is no student on the roll
                    *(f"status_{twin}" for pk in marking.students for twin in twins_of(pk)),
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


TWIN_KEYS = [f"twin {script} of {student}" for script in range(4) for student in range(2)]


@FEW
@given(
    extra=st.lists(
        st.sampled_from(["outsider", str(2**64), str(2**63), "-1", "0", "abc", "١", *TWIN_KEYS]),
        min_size=1,
        max_size=4,
        unique=True,
    )
)
def test_status_fields_of_students_not_on_the_roll_are_ignored(client, marking, extra):
    """A valid roll with extra `status_<id>` fields (another school's student, unknown
    and huge ids, a roll student's id in other scripts' digits) saves the roll's two
    students, as "A", and nobody else."""
    client.force_login(marking.teacher)
    body = {f"status_{student}": "A" for student in marking.students}
    for key in extra:
        if key in TWIN_KEYS:  # "twin 2 of 1": the second student's id in the third script
            _, script, _, student = key.split()
            key = twins_of(marking.students[int(student)])[int(script)]
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
    slot=st.sampled_from(
        ["fresh", "foreign", "0", str(2**31), str(2**63), str(2**64), "9" * 25]
        + [f"twin {script}" for script in range(4)]  # the fresh slot's id in other digits
    ),
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
    slot_id = {
        "fresh": marking.fresh.pk,
        "foreign": marking.foreign_slot.pk,
        **{f"twin {i}": twin for i, twin in enumerate(twins_of(marking.fresh.pk))},
    }.get(slot, slot)
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
