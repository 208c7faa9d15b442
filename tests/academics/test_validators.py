"""The shared id parser (academics.validators.parse_id): what is no id of any row is None,
so a page answers 404 or a form error instead of a 500."""

import pytest

from academics.validators import MAX_ID, parse_id


@pytest.mark.parametrize(("text", "expected"), [("1", 1), ("42", 42), (str(MAX_ID), MAX_ID)])
def test_ascii_digits_within_a_bigint_are_an_id(text, expected):
    assert parse_id(text) == expected


@pytest.mark.parametrize("text", [None, "", "0", "-3", " 7", "7.0", "²", "٣", str(MAX_ID + 1)])
def test_anything_else_is_no_id(text):
    assert parse_id(text) is None
