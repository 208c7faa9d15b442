"""The revenue page's bar chart: expected vs collected by month, laid out for the inline
SVG in `templates/billing/_revenue_chart.svg` (no script)."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from .templatetags.billing import money


@dataclass(frozen=True)
class MonthBars:
    month: datetime.date
    expected: Decimal
    collected: Decimal
    x_expected: float
    x_collected: float
    y_expected: float
    y_collected: float
    h_expected: float
    h_collected: float
    width: float
    label_x: float
    show_label: bool
    currency: str

    @property
    def expected_title(self) -> str:
        return f"{self.month:%B %Y}: expected {money(self.expected, self.currency)}"

    @property
    def collected_title(self) -> str:
        return f"{self.month:%B %Y}: collected {money(self.collected, self.currency)}"


@dataclass(frozen=True)
class RevenueChart:
    """Geometry of the expected-vs-collected bar chart, for `billing/_revenue_chart.svg`."""

    months: list[MonthBars]
    gridlines: list[tuple[str, float]]
    currency: str
    group: str
    width: int
    height: int
    left: int
    plot_bottom: int

    @property
    def title(self) -> str:
        return f"Expected and collected by month, {self.group}"

    @property
    def description(self) -> str:
        parts = [
            f"{m.month:%B %Y}: expected {money(m.expected, self.currency)}, "
            f"collected {money(m.collected, self.currency)}"
            for m in self.months
        ]
        return "Bills by the month their period starts. " + "; ".join(parts) + "."


def _nice_ceiling(value: Decimal) -> Decimal:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above `value` (the chart's top line)."""
    if value <= 0:
        return Decimal("1")
    exponent = math.floor(math.log10(float(value)))
    for step in (Decimal("1"), Decimal("2"), Decimal("2.5"), Decimal("5"), Decimal("10")):
        top = step * Decimal(10) ** exponent
        if top >= value:
            return top
    return Decimal(10) ** (exponent + 1)  # pragma: no cover (10 × 10^k always fits)


def revenue_chart(*, months: list[dict], currency: str, group: str) -> RevenueChart:
    """Lay out two bars a month (expected, collected) from `revenue_by_month` rows."""
    width, height, left, right, top, bottom = 640, 200, 72, 8, 12, 26
    plot_width, plot_height = width - left - right, height - top - bottom
    peak = max((max(m["expected"], m["collected"]) for m in months), default=Decimal("0"))
    ceiling = _nice_ceiling(peak)

    def y(amount: Decimal) -> float:
        return round(top + plot_height * (1 - float(amount / ceiling)), 1)

    slot = min(plot_width / max(len(months), 1), 90)  # a few months: bars stay slim
    bar = slot * 0.34
    every = max(1, math.ceil(len(months) / 12))
    bars = []
    for index, month in enumerate(months):
        x0 = left + index * slot + slot * 0.14
        y_e, y_c = y(month["expected"]), y(month["collected"])
        bars.append(
            MonthBars(
                month=month["month"],
                expected=month["expected"],
                collected=month["collected"],
                x_expected=round(x0, 1),
                x_collected=round(x0 + bar + slot * 0.04, 1),
                y_expected=y_e,
                y_collected=y_c,
                h_expected=round(top + plot_height - y_e, 1),
                h_collected=round(top + plot_height - y_c, 1),
                width=round(bar, 1),
                label_x=round(left + index * slot + slot / 2, 1),
                show_label=index % every == 0,
                currency=currency,
            )
        )
    gridlines = [(money(amount, ""), y(amount)) for amount in (Decimal("0"), ceiling / 2, ceiling)]
    return RevenueChart(
        months=bars,
        gridlines=gridlines,
        currency=currency,
        group=group,
        width=width,
        height=height,
        left=left,
        plot_bottom=top + plot_height,
    )
