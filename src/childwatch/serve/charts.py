"""Server-rendered SVG charts: geometry computed here, drawn by the templates.

Charts are SVG (no JavaScript, no chart library), sized in a fixed viewBox and scaled
by CSS. Incidents and report volume are drawn one above the other on purpose: a month
with twice the reports is not a month with twice the violations, and a monitor should
see both before reading a trend.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

WIDTH = 720
HEIGHT = 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 12, 12, 40


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: str  # css key: "incidents" | "reports"
    label: str  # for <title>: "2015-06: 12 incidents"


@dataclass(frozen=True, slots=True)
class Tick:
    pos: float
    text: str


@dataclass(slots=True)
class BarChart:
    width: int = WIDTH
    height: int = HEIGHT
    bars: list[Bar] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    series: list[tuple[str, str]] = field(default_factory=list)  # (css key, legend label)
    empty: bool = True
    baseline: float = HEIGHT - PAD_BOTTOM
    left: float = PAD_LEFT
    right: float = WIDTH - PAD_RIGHT


def _nice_max(value: float) -> float:
    """1, 2, 2.5 or 5 times a power of ten, at least `value` (axis tops people can read)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return float(step * power)
    return float(10 * power)


def _fmt(value: float) -> str:
    return f"{value:g}" if value < 10_000 else f"{value / 1000:g}k"


def bar_chart(keys: list[str], values: Mapping[str, int], css: str, label: str, *, max_labels: int = 8) -> BarChart:
    """One bar per key (e.g. month), on its own axis starting at zero.

    Incidents and reports get one chart each, stacked on the same x positions: reports
    usually outnumber incidents many times, and one shared axis would flatten the
    incidents, while two axes in one chart invite misreading.
    """
    chart = BarChart(series=[(css, label)])
    if not keys:
        return chart
    chart.empty = False
    plot_w = chart.right - chart.left
    plot_h = chart.baseline - PAD_TOP
    slot = plot_w / len(keys)
    bar_w = max(1.0, slot * 0.8)
    top = _nice_max(max((values.get(k, 0) for k in keys), default=0))
    for i, key in enumerate(keys):
        n = values.get(key, 0)
        h = plot_h * n / top
        x = chart.left + i * slot + slot * 0.1
        chart.bars.append(
            Bar(round(x, 1), round(chart.baseline - h, 1), round(bar_w, 1), round(h, 1), css, f"{key}: {n} {label}")
        )
    step = max(1, math.ceil(len(keys) / max_labels))
    chart.x_ticks = [Tick(round(chart.left + (i + 0.5) * slot, 1), key) for i, key in enumerate(keys) if i % step == 0]
    # Counts are whole: a middle tick only where it is a whole number.
    fractions = (0, 0.5, 1) if (top / 2) == int(top / 2) else (0, 1)
    chart.y_ticks = [Tick(round(chart.baseline - plot_h * f, 1), _fmt(top * f)) for f in fractions]
    return chart


def months_between(months: list[str]) -> list[str]:
    """Every YYYY-MM from the first to the last given (gaps shown as zero, not skipped);
    keys that are not months (a bare year, "unknown") are left out."""
    real = sorted(m for m in months if len(m) == 7 and m[4] == "-" and m[:4].isdigit() and m[5:].isdigit())
    if not real:
        return []
    year, month = int(real[0][:4]), int(real[0][5:])
    last = (int(real[-1][:4]), int(real[-1][5:]))
    out: list[str] = []
    while (year, month) <= last and len(out) < 600:  # cap: 50 years of months
        out.append(f"{year:04d}-{month:02d}")
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return out


MAX_MONTHS = 48  # longer spans are drawn by year: 100+ hairline bars say nothing


def timeline(*series: Mapping[str, int]) -> tuple[list[str], list[dict[str, int]], str]:
    """Common keys for month-keyed series, and the series re-keyed to them.

    Months with nothing are shown as zero. Over MAX_MONTHS the unit becomes the year, and
    year-only keys ("2015") count in their year; at month level they cannot be placed
    and are left out (the caller says how many)."""
    keys = [k for s in series for k in s]
    months = months_between(keys)
    years_seen = sorted({k[:4] for k in keys if k[:4].isdigit()})
    if (months and len(months) <= MAX_MONTHS) or not years_seen:
        return months, [{m: s.get(m, 0) for m in months} for s in series], "month"
    years = [str(y) for y in range(int(years_seen[0]), int(years_seen[-1]) + 1)]
    binned = []
    for s in series:
        by_year: dict[str, int] = dict.fromkeys(years, 0)
        for k, v in s.items():
            if k[:4] in by_year:
                by_year[k[:4]] += v
        binned.append(by_year)
    return years, binned, "year"


@dataclass(frozen=True, slots=True)
class RowBar:
    """A horizontal bar inside a table cell (an SVG of fixed width)."""

    width: float  # 0..100, in the cell's viewBox units


def row_bars(values: Mapping[str, int]) -> dict[str, RowBar]:
    top = max(values.values(), default=0)
    return {k: RowBar(round(100 * v / top, 1) if top else 0.0) for k, v in values.items()}
