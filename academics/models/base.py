"""What every academics row shares: who created and last changed it, and the SIS-id key."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Stamped(models.Model):
    """created/updated at and by, filled in by services and by the admin (`StampedAdmin`)."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    class Meta:
        abstract = True


def unique_source_id(model_name: str) -> models.UniqueConstraint:
    """Roster rows are keyed by the SIS's id, unique per school where one is given."""
    return models.UniqueConstraint(
        fields=["school", "source_id"],
        condition=~Q(source_id=""),
        name=f"{model_name}_unique_source_id_per_school",
    )
