"""Decimal zero and the output field of money sums, shared by the billing selectors."""

from decimal import Decimal

from django.db.models import DecimalField

ZERO = Decimal("0")
# Sums of amounts: money is Decimal in the school's currency, two places.
MONEY = DecimalField(max_digits=14, decimal_places=2)
