"""Junk query strings on the list pages, property-based.

The attendance list, register, registers not taken, a student's report, my periods,
corrections, bills (and their export), enrollments, credit reports (and their export),
the credits student list, promotion steps 1 and 2: a GET with a junk query string (the
junk includes valid ids in other scripts' digits, "١٢") must never answer a 5xx nor
write anything.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.snapshots import changed_tables, rolled_back, snapshot

from .strategies import FEW, JUNK, TABLES, unicode_twins

pytestmark = pytest.mark.django_db


# --- GET query strings of the list pages --------------------------------------------------


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


def _ids(env) -> list[int]:
    """The ids a list page's filters take, valid ones: "١٢" for one of them is junk."""
    w = env.w
    return [
        env.school_class.pk, env.teacher.pk, env.admin.pk, *env.students, w.run.pk,
        w.p.from_year.pk, w.p.to_year.pk, *w.own["grades"], *w.own["from_classes"],
        *w.own["from_sections"],
    ]  # fmt: skip


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
    junk = st.one_of(JUNK, unicode_twins(_ids(lists)))
    for key in data.draw(
        st.lists(st.sampled_from(keys.split()), min_size=1, max_size=4, unique=True), label="keys"
    ):
        query[key] = data.draw(st.lists(junk, min_size=1, max_size=2), label=key)
    htmx = data.draw(st.booleans(), label="htmx")
    headers = {"HX-Request": "true"} if htmx else {}

    with rolled_back():
        before = snapshot(*TABLES)
        response = client.get(url, query, headers=headers)
        changed = changed_tables(before, snapshot(*TABLES))

    assert response.status_code < 500, response.status_code
    assert changed == []
