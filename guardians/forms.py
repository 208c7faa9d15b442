"""The guardian's own forms (docs/manual/guardians.md)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class EmailSettingsForm(forms.Form):
    """Which emails a guardian wants; both on unless they switch one off."""

    notify_absences = forms.BooleanField(
        required=False,
        label=_("Email me when one of my children is marked absent (at most once a day)"),
    )
    notify_bills = forms.BooleanField(
        required=False,
        label=_("Email me when a bill is issued or falls overdue"),
    )
