"""The shared id parser (academics.validators.parse_id): what is no id of any row is None,
so a page answers 404 or a form error instead of a 500."""

import pytest

from academics.validators import MAX_ID, id_from, parse_id


@pytest.mark.parametrize(("text", "expected"), [("1", 1), ("42", 42), (str(MAX_ID), MAX_ID)])
def test_ascii_digits_within_a_bigint_are_an_id(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [None, "", "0", "-3", " 7", "7.0", "²", "٣", "۱۲", "１２", str(MAX_ID + 1), "9" * 5000],
)
def test_anything_else_is_no_id(text):
    """5,000 digits too: `int()` refuses text past 4,300 digits with a ValueError."""
    assert parse_id(text) is None


def test_leading_zeros_still_spell_the_id():
    assert parse_id("0" * 30 + "12") == 12


@pytest.mark.parametrize(("value", "expected"), [(12, 12), (" 12 ", 12), ("12", 12)])
def test_id_from_takes_ints_and_ascii_digit_text(value, expected):
    assert id_from(value) == expected


@pytest.mark.parametrize(
    "value", [True, 0, -1, MAX_ID + 1, 12.0, "١٢", "۱۲", "１２", "¹²", None, []]
)
def test_id_from_refuses_the_rest(value):
    assert id_from(value) is None
