"""The top bar: one list of links, built from each app's access module.

`academics` imports no other app, so each app registers a function that answers the links
its pages offer a user (`register`, called from the app's `AppConfig.ready`); the context
processor `navigation` asks them all, in the order of their positions, and
`templates/base.html` only loops over what it gets. Whether a user may see a link is the
access module's answer, never a role comparison in a template (docs/design/roles.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class NavLink:
    """One link of the top bar.

    `url_name` is reversed without arguments; the link is the current page when the
    request's view name is `url_name` or one of `current_for` (names like
    "billing:bill"), or starts with one of `current_prefixes`.
    """

    label: str
    url_name: str
    current_for: tuple[str, ...] = ()
    current_prefixes: tuple[str, ...] = ()

    def is_current(self, view_name: str) -> bool:
        return (
            view_name == self.url_name
            or view_name in self.current_for
            or any(view_name.startswith(prefix) for prefix in self.current_prefixes)
        )


@dataclass(frozen=True)
class ResolvedLink:
    label: str
    url: str
    current: bool


NavProvider = Callable[[object], Iterable[NavLink]]
# (position, provider): the top bar reads the daily pages first, the office's last.
_providers: list[tuple[int, NavProvider]] = []


def register(provider: NavProvider, *, position: int) -> None:
    """Add an app's `nav_links(user)` to the top bar at `position` (smaller comes first).
    Idempotent, as `AppConfig.ready` may run twice."""
    if all(existing is not provider for _, existing in _providers):
        _providers.append((position, provider))
        _providers.sort(key=lambda entry: entry[0])


def nav_links(user) -> list[NavLink]:
    """Every link `user` (a signed-in `academics.models.User`) may follow from the top bar,
    by position. A user of no school gets none."""
    if not user.is_authenticated or user.school_id is None:
        return []
    return [link for _, provider in _providers for link in provider(user)]


def navigation(request: HttpRequest) -> dict:
    """Context processor: `nav_links`, each with its URL and whether it is this page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_links": []}
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else ""
    return {
        "nav_links": [
            ResolvedLink(link.label, reverse(link.url_name), link.is_current(view_name))
            for link in nav_links(user)
        ]
    }
