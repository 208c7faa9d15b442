"""Bad input to the promotion wizard, property-based.

Step 1's years and "Create the next year" (malformed and extreme dates, names with NUL
bytes or 1,000 characters), step 2's mode, id lists and default action, step 3's row
editor and bulk form (junk, huge, other-year and other-school ids, another run's rows)
and step 4's checkbox (missing, or any value but the "on" a ticked box sends). (The rules
every bad-input test keeps: tests/bad_input/__init__.py.)
"""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from academics.forms import IdField
from academics.models import AcademicYear, PromotionAction, PromotionMode
from tests.snapshots import changed_tables, rolled_back, snapshot

from .strategies import (
    BAD_DATE,
    BAD_TEXT,
    EXAMPLES,
    FEW,
    NUL_TEXT,
    TABLES,
    assert_refused,
    bad_choices,
    bad_lists,
    post_unchanged,
    refused_by,
    unicode_twins,
)

pytestmark = pytest.mark.django_db


# --- the promotion wizard -----------------------------------------------------------------


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


def _bad_was(ids) -> st.SearchStrategy:
    """Values a `was_*` field (an id sent back as shown) refuses: junk, and `ids` in
    other scripts' digits."""
    return st.one_of(bad_choices([]), unicode_twins(ids)).filter(
        refused_by(IdField(required=False))
    )


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
        # The ids the editor showed: any id, but in ASCII digits.
        "was_to_grade": _bad_was(w.own["grades"]),
        "was_to_class": _bad_was(w.own["to_classes"]),
        "was_to_section": _bad_was(w.own["to_sections"]),
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
