"""What every attendance screen shares."""

from django.http import HttpRequest


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request that is not a boosted page load or a history restore gets the
    screen's partial; everything else the full page, so each screen works as a link."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request
