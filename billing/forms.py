"""Parsing and validating billing input: the accountant's pages and the JSON API
(docs/design/billing.md).

Forms decide every 4xx; services get typed values (dates school-local, money Decimal).
"""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _l

from academics.forms import IdField
from academics.validators import EARLIEST_DATE, LATEST_DATE, OUT_OF_RANGE
from attendance.forms import JsonIdField

from .models import BillStatus, PaymentMethod
from .selectors import last_ended_month, month_bounds

REVERSED = "The end date is before the start date."
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})")
# A period far outside any school year only overflows the due-date arithmetic (date.max +
# payment terms): refuse it like any unreadable date.


class IsoDateField(forms.Field):
    """A date written YYYY-MM-DD, as the seed's API sends it; a JSON number, a boolean or
    any other spelling is refused with a message, never a 500."""

    default_error_messages = {
        "invalid": "must be a date written YYYY-MM-DD, e.g. 2025-10-01",
        "out_of_range": f"must be a date between {EARLIEST_DATE} and {LATEST_DATE}",
    }

    def to_python(self, value):
        if value is None or value == "":  # not [] or {}: a list is no date
            return None
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            day = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range")
        return day


class MonthField(forms.Field):
    """A calendar month written YYYY-MM (an `<input type="month">`); cleans to its first
    day."""

    default_error_messages = {"invalid": "Enter a month as YYYY-MM, e.g. 2025-10."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        match = _ISO_MONTH.fullmatch(str(value).strip())
        if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return datetime.date(int(match[1]), int(match[2]), 1)


def parse_month(value: str) -> tuple[datetime.date, datetime.date]:
    """First and last day of a YYYY-MM month; ValueError with the message otherwise (used
    by `generate_bills --month`)."""
    try:
        first = MonthField().clean(value)
    except forms.ValidationError as exc:
        raise ValueError(exc.messages[0]) from None
    if first is None:
        raise ValueError(MonthField.default_error_messages["invalid"])
    return month_bounds(first.year, first.month)


class PeriodForm(forms.Form):
    """The accountant's period picker: a month (the default: the last month that has
    ended), or a date range when `start` or `end` is given (both needed then).

    Pass `today` (the school's date). After `is_valid()`, `period()` is (start, end).
    """

    month = MonthField(required=False, widget=forms.TextInput(attrs={"type": "month"}))
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        default_start, _ = last_ended_month(today)
        self.fields["month"].initial = default_start.strftime("%Y-%m")

    def clean(self):
        cleaned = super().clean()
        for name in ("month", "start", "end"):
            value = cleaned.get(name)
            if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
                self.add_error(name, OUT_OF_RANGE)
        start, end = cleaned.get("start"), cleaned.get("end")
        if "start" in self.errors or "end" in self.errors:
            return cleaned
        if start or end:
            if not start:
                self.add_error("start", "Enter the first day of the period.")
            elif not end:
                self.add_error("end", "Enter the last day of the period.")
            elif end < start:
                self.add_error("end", REVERSED)
        return cleaned

    def period(self) -> tuple[datetime.date, datetime.date]:
        data = self.cleaned_data
        if data.get("start") and data.get("end"):
            return data["start"], data["end"]
        if data.get("month"):
            return month_bounds(data["month"].year, data["month"].month)
        return last_ended_month(self.today)


FUTURE_PERIOD = _l(
    "Bills are for sessions that have taken place: this period starts after today "
    "(%(today)s). Choose a period that has started."
)


class GenerateForm(PeriodForm):
    """The period to bill, which must have started (a preview of the future is fine, a
    bill for it is not: docs/manual/billing.md)."""

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            start, _end = self.period()
            if start > self.today:
                raise forms.ValidationError(
                    FUTURE_PERIOD, code="future", params={"today": self.today.strftime("%-d %b %Y")}
                )
        return cleaned

    update_existing = forms.BooleanField(
        required=False,
        label="Recalculate existing bills",
        help_text="Bring bills of this exact period up to date with new and corrected "
        "attendance. Without it they are skipped.",
    )


PRICE_EXAMPLE = "Enter a price such as 100 or 99.50."


class PriceForm(forms.Form):
    """A group's price per session (blank clears it). The messages are the ones
    `academics.services.classes.set_price_per_session` gives for the same faults."""

    price_per_session = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        label="Price per session",
        error_messages={
            "invalid": PRICE_EXAMPLE,
            "min_value": "A price per session cannot be negative.",
            "max_decimal_places": "Enter the price to the cent, e.g. 100 or 99.50.",
            "max_digits": "A price per session can be at most 99,999,999.99.",
            "max_whole_digits": "A price per session can be at most 99,999,999.99.",
        },
    )


class GroupFilterForm(forms.Form):
    """The billing groups list's search box: name or code, and whether to include
    inactive groups (active ones only by default)."""

    q = forms.CharField(required=False, max_length=100, label="Search groups")
    inactive = forms.BooleanField(required=False, label="Include inactive groups")


class PaymentForm(forms.Form):
    """Money received against a bill (docs/design/billing.md): the amount, when, how."""

    amount = forms.DecimalField(min_value=0.01, max_digits=12, decimal_places=2)
    paid_on = forms.DateField(label="Received on", widget=forms.DateInput(attrs={"type": "date"}))
    method = forms.ChoiceField(choices=PaymentMethod.choices, initial=PaymentMethod.CASH)
    reference = forms.CharField(
        required=False, max_length=100, help_text="Receipt, cheque or transfer number."
    )
    note = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["paid_on"].initial = today
        self.fields["paid_on"].widget.attrs["max"] = today.isoformat()

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > self.today:
            raise forms.ValidationError("The payment date cannot be in the future.")
        return paid_on


class VoidPaymentForm(forms.Form):
    """Void a payment entered by mistake: why (docs/design/billing.md, "Voids and refunds")."""

    reason = forms.CharField(
        max_length=500,
        label=_l("Why void it"),
        error_messages={
            "required": _l("Say why the payment is voided, e.g. “entered twice”."),
            "max_length": _l("Keep the reason to 500 characters."),
        },
    )


class RefundForm(forms.Form):
    """Give back money paid beyond the bill's amount (docs/design/billing.md, "Voids and
    refunds"); at most the bill's credit (the service checks it under the bill's lock)."""

    amount = forms.DecimalField(
        max_digits=12,
        decimal_places=2,
        label=_l("Amount refunded"),
        error_messages={
            "required": _l("Enter the amount given back."),
            "invalid": _l("Enter the amount as a number, e.g. 150.50."),
            "max_decimal_places": _l("Enter the amount to the cent, e.g. 150.50."),
            "max_digits": _l("That amount is too large."),
            "max_whole_digits": _l("That amount is too large."),
        },
    )
    paid_on = forms.DateField(
        label=_l("Refunded on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _l("Enter the date the money was given back."),
            "invalid": _l("Enter the date as a date, e.g. 2026-12-03."),
        },
    )
    method = forms.ChoiceField(
        choices=PaymentMethod.choices,
        initial=PaymentMethod.CASH,
        error_messages={"invalid_choice": _l("Choose how the money was given back.")},
    )
    reason = forms.CharField(
        max_length=500,
        label=_l("Why"),
        error_messages={
            "required": _l("Say why the money is given back."),
            "max_length": _l("Keep the reason to 500 characters."),
        },
    )

    def __init__(self, *args, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["paid_on"].initial = today
        self.fields["paid_on"].widget.attrs["max"] = today.isoformat()

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount <= 0:
            raise forms.ValidationError(_l("Enter an amount greater than zero."))
        return amount

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > self.today:
            raise forms.ValidationError(_l("The refund date cannot be in the future."))
        return paid_on


class BillFilterForm(forms.Form):
    """Filters of the bills list and its exports: status, group, period month."""

    status = forms.ChoiceField(choices=[("", "Any status"), *BillStatus.choices], required=False)
    group = IdField(required=False, widget=forms.HiddenInput)
    month = MonthField(required=False, widget=forms.TextInput(attrs={"type": "month"}))
    q = forms.CharField(required=False, max_length=100, label="Student")


# --- the JSON API ----------------------------------------------------------------------------


class _JsonForm(forms.Form):
    """A form over a decoded JSON object or a query string: unknown keys are refused
    (`strict`), and `error_message()` gives every problem on one line."""

    strict = True

    def clean(self):
        cleaned = super().clean()
        if self.strict:
            unknown = sorted(set(self.data) - set(self.fields))
            if unknown:
                raise forms.ValidationError(
                    f"unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}"
                )
        start, end = cleaned.get("startDate"), cleaned.get("endDate")
        if start and end and end < start:
            self.add_error("endDate", "is before startDate")
        return cleaned

    def error_message(self) -> str:
        parts = []
        for name, errors in self.errors.items():
            for error in errors:
                parts.append(error if name == NON_FIELD_ERRORS else f"{name}: {error}")
        return "; ".join(parts)


class CalculateQueryForm(_JsonForm):
    """`?startDate=YYYY-MM-DD&endDate=YYYY-MM-DD` of the calculate endpoint (both
    optional, docs/design/billing.md); other query parameters are ignored."""

    strict = False
    startDate = IsoDateField(required=False)  # noqa: N815 (the seed's key)
    endDate = IsoDateField(required=False)  # noqa: N815


class StrictBooleanField(forms.Field):
    """A JSON boolean: true or false, not "true" or 1. A missing key or null is false
    (the seed's default)."""

    default_error_messages = {"invalid": "must be true or false"}

    def to_python(self, value):
        if value is None and not self.required:
            return False
        if not isinstance(value, bool):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return value

    def validate(self, value):  # False is a value, not an empty one
        pass


class GeneratePayloadForm(_JsonForm):
    """The JSON body of `POST /api/accounting/attendance/generate-payments`
    (docs/design/billing.md): `{"groupId": int, "startDate": "YYYY-MM-DD"?, "endDate":
    "YYYY-MM-DD"?, "updateExisting": bool?}`; any other key is refused."""

    groupId = JsonIdField(error_messages={"required": "is required"})  # noqa: N815
    startDate = IsoDateField(required=False)  # noqa: N815
    endDate = IsoDateField(required=False)  # noqa: N815
    updateExisting = StrictBooleanField(required=False)  # noqa: N815
