"""Helpers shared by the accountant's group page tests."""

import re

from billing.services import generate_bills
from tests.billing.conftest import OCTOBER

HTMX = {"HTTP_HX_REQUEST": "true"}


def html(response) -> str:
    return response.content.decode()


def text(response) -> str:
    """The response's visible text, tags removed and whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html(response)).split())


def row(response, element_id: str) -> str:
    match = re.search(rf'<tr id="{element_id}".*?</tr>', html(response), re.S)
    assert match, f"no row {element_id}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(0)).split())


def generate_october(seed, **kwargs):
    return generate_bills(
        school_class=seed.group, start=OCTOBER[0], end=OCTOBER[1], actor=seed.accountant, **kwargs
    )
