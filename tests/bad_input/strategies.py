"""What the bad-input tests share: hypothesis settings, bad values, and the checks that a
refused request changed nothing."""

import datetime

from django import forms
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.academics.conftest import promotion_school  # noqa: F401 (a fixture)
from tests.snapshots import all_of, changed_tables, rolled_back, snapshot

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


# Each script's digits zero to nine: Arabic-Indic, Extended Arabic-Indic (Persian),
# full-width; and the superscripts. `int()` reads the first three ("١٢" is 12) but not
# the superscripts; an id is written in ASCII digits only (docs/operations/security.md).
DIGIT_SCRIPTS = [
    "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",
    "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9",
    "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19",
    "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079",
]


def twins_of(value) -> list[str]:
    """`value` (an id) written in each of DIGIT_SCRIPTS; [] for a value that is no
    number in ASCII digits (a status code, an action)."""
    text = str(value)
    if not (text.isascii() and text.isdigit()):
        return []
    return [text.translate(str.maketrans("0123456789", digits)) for digits in DIGIT_SCRIPTS]


def unicode_twins(valid) -> st.SearchStrategy:
    """The valid ids among `valid` written with other scripts' digits ("١٢", "۱۲", "１２",
    "¹²" for 12): each must be refused like any bad id."""
    twins = [twin for value in valid for twin in twins_of(value)]
    return st.sampled_from(twins) if twins else st.nothing()


def bad_choices(valid, foreign=()) -> st.SearchStrategy:
    """Choice or id values none of which is one of `valid` (nor empty); among them the
    valid ids written with other scripts' digits (`unicode_twins`)."""
    twins = unicode_twins(valid)
    valid = {str(value) for value in valid}
    return st.one_of(
        twins,
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
