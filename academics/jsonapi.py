"""Reading the JSON body of an API request, shared by every app's JSON endpoints.

Each endpoint answers a bad body with its own error document (`error` for total sessions,
docs/design/total-sessions.md; `message` for billing, docs/design/billing.md); this
module only decides what is wrong and says so in one sentence.
"""

from __future__ import annotations

import json

from django.http import HttpRequest


class JsonBodyError(ValueError):
    """The request body is not a JSON object; the message says why, for the client."""


def json_object_body(request: HttpRequest, *, example: str) -> dict:
    """The request's body decoded as a JSON object.

    `example` is a short JSON object shown when the body is another JSON value, e.g.
    `{"groupId": 1, ...}`. Raises JsonBodyError when the Content-Type is not
    `application/json`, the body is not valid JSON (bad UTF-8, too deeply nested, an
    integer of 4,300+ digits included), or it decodes to something other than an object.
    """
    if request.content_type != "application/json":
        raise JsonBodyError("Send a JSON body with Content-Type: application/json.")
    try:
        payload = json.loads(request.body)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError, …
        raise JsonBodyError(f"Malformed JSON: {getattr(exc, 'msg', exc)}") from None
    if not isinstance(payload, dict):
        raise JsonBodyError(f"The body must be a JSON object like {example}.")
    return payload
