"""What every screen of the promotion wizard shares (docs/design/promotion.md): the role
check, the templates, and the messages several steps show.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from ...access import PROMOTION_ROLES, htmx_sign_in_again, role_required
from ...models import PromotionAction, PromotionRun, User

START_TEMPLATE = "academics/promotion/start.html"
PLAN_TEMPLATE = "academics/promotion/plan.html"
PREVIEW_TEMPLATE = "academics/promotion/preview.html"
CONFIRM_TEMPLATE = "academics/promotion/confirm.html"
DETAIL_TEMPLATE = "academics/promotion/detail.html"
HISTORY_TEMPLATE = "academics/promotion/history.html"
TARGETED = (PromotionAction.PROMOTE, PromotionAction.RETAIN)


def promotion_view(view: Callable) -> Callable:
    """Admins and principals only; a signed-out htmx request signs in as a whole page."""
    return htmx_sign_in_again("academics:promotion_history")(role_required(*PROMOTION_ROLES)(view))


def humane_seconds(seconds: float) -> str:
    """A duration as a person would say it: "less than a second", "about 2 seconds",
    "about 3 minutes"."""
    if seconds < 1:
        return "less than a second"
    if seconds < 90:
        n = round(seconds)
        return f"about {n} second{'s' if n != 1 else ''}"
    n = round(seconds / 60)
    return f"about {n} minutes"


def started_message(run: PromotionRun, user: User) -> str:
    """Who started a draft and when, for the admin who opens it next."""
    who = "You" if run.created_by_id == user.pk else str(run.created_by or "Someone")
    when = timezone.localtime(run.created_at)
    return f"{who} started this promotion on {when:%-d %b %Y at %H:%M}; you are continuing it."


def _counts_text(counts: dict) -> str:
    parts = [
        f"{counts.get(PromotionAction.PROMOTE, 0)} promoted",
        f"{counts.get(PromotionAction.RETAIN, 0)} retained",
        f"{counts.get(PromotionAction.GRADUATE, 0)} graduated",
        f"{counts.get(PromotionAction.LEAVE, 0)} left",
    ]
    return ", ".join(parts)


def _not_a_draft(request: HttpRequest, run: PromotionRun) -> HttpResponse:
    """A step that changes the plan, opened on a run that is no longer being planned."""
    status = run.get_status_display().lower()
    messages.info(request, f"This promotion was already {status}; its plan can't be changed.")
    url = reverse("academics:promotion_detail", args=[run.pk])
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)
