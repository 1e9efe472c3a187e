"""Counts by violation, perpetrator, country and month: of incidents (the default) or of
claims.

Counting incidents, not claims, is the point of resolution: one abduction reported by
twenty articles is one incident. The counting rules (the README's "How totals are
counted"), so that no child is counted twice:

- Children affected are summed over *incidents* (kind "incident": one event) from each
  one's best, lowest and highest figure. An incident whose number of children is not
  stated is counted as such, never as zero.
- Reported totals (kind "aggregate": "3,600 children killed since October") are never
  added to incidents, nor to each other: they overlap (a running toll is reported again
  as it grows; two bodies count the same children). Each table gives how many there are
  and the largest figure among them, which supersedes the smaller ones.
- Patterns ("the group recruits children") have no figure to add.

Counting happens in the database (GROUP BY), so it stays cheap on millions of claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, case, func, select

from childwatch.store import Store
from childwatch.store.models import ClaimRow, DocumentRow, IncidentRow
from childwatch.vocab import VIOLATIONS

CLAIMS = cast(Table, ClaimRow.__table__)
INCIDENTS = cast(Table, IncidentRow.__table__)

UNKNOWN = "unknown"


def child_measures(table: Table) -> tuple[ColumnElement[Any], ...]:
    """The children counted over `incidents` rows by the rules above, as labelled SQL
    aggregates: `events` (incidents proper), `children_best`, `children_low` and
    `children_high` (summed over events), `children_unknown` (events whose number is not
    stated), `totals_reported` (aggregates), `largest_total` (their largest figure, None
    if none has one) and `patterns`."""
    c = table.c
    event = c.kind == "incident"
    return (
        func.coalesce(func.sum(case((event, 1), else_=0)), 0).label("events"),
        func.coalesce(func.sum(case((event, c.count_best), else_=0)), 0).label("children_best"),
        func.coalesce(func.sum(case((event, func.coalesce(c.count_low, c.count_best)), else_=0)), 0).label(
            "children_low"
        ),
        func.coalesce(func.sum(case((event, func.coalesce(c.count_high, c.count_best)), else_=0)), 0).label(
            "children_high"
        ),
        func.coalesce(func.sum(case((and_(event, c.count_best.is_(None)), 1), else_=0)), 0).label("children_unknown"),
        func.coalesce(func.sum(case((c.kind == "aggregate", 1), else_=0)), 0).label("totals_reported"),
        func.max(case((c.kind == "aggregate", c.count_best), else_=None)).label("largest_total"),
        func.coalesce(func.sum(case((c.kind == "pattern", 1), else_=0)), 0).label("patterns"),
    )


@dataclass(frozen=True, slots=True)
class Counted:
    """The children counted for one violation (see `child_measures`)."""

    events: int = 0
    best: int = 0
    low: int = 0
    high: int = 0
    unknown: int = 0  # events whose number of children is not stated
    totals_reported: int = 0  # aggregates: never added
    largest_total: int | None = None
    patterns: int = 0


@dataclass(frozen=True, slots=True)
class Stats:
    """Claim counts. Keys are violation keys, perpetrator names, ISO country codes and
    months (``2015-06``; a year-only date counts under ``2015``), with "unknown" for
    claims that have no value.

    `by_violation` lists every violation key (zero included) in codebook order; the
    others are ordered by count, largest first, except `by_month`, which is chronological.
    """

    documents: int
    claims: int  # what is counted: claims, or incidents when `unit` is "incidents"
    by_violation: dict[str, int] = field(default_factory=dict)
    by_perpetrator: dict[str, int] = field(default_factory=dict)
    by_country: dict[str, int] = field(default_factory=dict)
    by_month: dict[str, int] = field(default_factory=dict)
    unit: str = "claims"
    # incidents only: children affected per violation (see the counting rules above)
    children: dict[str, Counted] = field(default_factory=dict)
    unresolved: int = 0  # incidents only: claims not yet resolved (not counted)


def _grouped(store: Store, key: ColumnElement[Any], table: Table) -> dict[str, int]:
    stmt = select(key, func.count()).select_from(table).group_by(key)
    counts: dict[str, int] = {}
    with store.engine.connect() as conn:
        for value, n in conn.execute(stmt):
            label = value if value else UNKNOWN
            counts[label] = counts.get(label, 0) + n
    return counts


def _by_count(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] == UNKNOWN, kv[0])))


def _counted(store: Store, table: Table, **extra: Any) -> Stats:
    """Count the rows of `claims` or `incidents`, which share the grouped columns."""
    c = table.c
    with store.engine.connect() as conn:
        n_docs = conn.execute(select(func.count()).select_from(DocumentRow.__table__)).scalar_one()
    by_violation = _grouped(store, c.violation, table)
    # An undated incident is bounded by its report: it counts in the month it was reported.
    months = _grouped(store, func.substr(func.coalesce(c.date_start, c.date_end), 1, 7), table)
    unknown_month = months.pop(UNKNOWN, 0)
    by_month = dict(sorted(months.items()))
    if unknown_month:
        by_month[UNKNOWN] = unknown_month
    return Stats(
        documents=n_docs,
        claims=sum(by_violation.values()),
        by_violation={v: by_violation.get(v, 0) for v in VIOLATIONS},
        by_perpetrator=_by_count(_grouped(store, c.perpetrator, table)),
        by_country=_by_count(_grouped(store, c.location_country, table)),
        by_month=by_month,
        **extra,
    )


def claim_stats(store: Store) -> Stats:
    """Count the stored claims."""
    return _counted(store, CLAIMS)


_COUNTED = ("events", "children_best", "children_low", "children_high", "children_unknown", "totals_reported",
            "largest_total", "patterns")  # fmt: skip


def incident_stats(store: Store) -> Stats:
    """Count the stored incidents (the merged view resolution keeps)."""
    inc = INCIDENTS.c
    with store.engine.connect() as conn:
        unresolved = conn.execute(
            select(func.count()).select_from(CLAIMS).where(CLAIMS.c.incident_id.is_(None))
        ).scalar_one()
        rows = conn.execute(select(inc.violation, *child_measures(INCIDENTS)).group_by(inc.violation)).mappings()
        children = {r["violation"]: Counted(*(r[k] for k in _COUNTED)) for r in rows}
    return _counted(
        store,
        INCIDENTS,
        unit="incidents",
        children={v: children.get(v, Counted()) for v in VIOLATIONS},
        unresolved=unresolved,
    )


def _table(
    title: str,
    counts: dict[str, int],
    total: int,
    limit: int | None,
    unit: str = "claims",
    children: dict[str, Counted] | None = None,
) -> list[str]:
    rows = list(counts.items())
    hidden = rows[limit:] if limit is not None else []
    rows = rows[:limit] if limit is not None else rows
    if hidden:
        rows.append((f"({len(hidden)} more)", sum(n for _, n in hidden)))
    width = max([len(title), *(len(k) for k, _ in rows)])
    digits = max([len(unit), *(len(str(n)) for _, n in rows)])
    head = f"{title:<{width}}  {unit:>{digits}}  share"
    rule = f"{'-' * width}  {'-' * digits}  -----"
    if children is not None:
        head += "  children in incidents: best (low-high), not stated  |  reported totals: largest"
        rule += "  " + "-" * 80
    lines = [head, rule]
    for key, n in rows:
        share = f"{100 * n / total:4.0f}%" if total else "    -"
        line = f"{key:<{width}}  {n:>{digits}}  {share}"
        if children is not None and key in children and n:
            line += "  " + _children_cell(children[key])
        lines.append(line.rstrip())
    return lines


def _children_cell(k: Counted) -> str:
    events = f"{k.events} incident{'s' if k.events != 1 else ''}"
    if k.events:
        events += f": {k.best} ({k.low}-{k.high})" if k.events > k.unknown else ": number not stated"
        if k.unknown and k.events > k.unknown:
            events += f", {k.unknown} not stated"
    totals = f"{k.totals_reported} reported total{'s' if k.totals_reported != 1 else ''}"
    if k.totals_reported:
        totals += f": largest {k.largest_total}" if k.largest_total is not None else ": no figure"
    patterns = f"  |  {k.patterns} pattern{'s' if k.patterns != 1 else ''}" if k.patterns else ""
    return f"{events}  |  {totals}{patterns}"


def format_stats(stats: Stats, *, limit: int | None = 20) -> str:
    """A plain-text report for the terminal; `limit` caps the perpetrator and country rows."""
    parts = [f"{stats.claims} {stats.unit} in {stats.documents} documents"]
    if stats.unresolved:
        parts.append(f"({stats.unresolved} claims not yet resolved into incidents: run `childwatch resolve`)")
    parts.append("")
    if stats.unit == "incidents" and stats.claims:
        parts += [
            "Children are summed over incidents (one event each) only. Reported totals are never",
            "added, to incidents or to each other: they overlap; the largest supersedes the rest.",
            "",
        ]
    if stats.claims:
        for title, counts, cap in (
            ("violation", stats.by_violation, None),
            ("perpetrator", stats.by_perpetrator, limit),
            ("country", stats.by_country, limit),
            ("month", stats.by_month, None),
        ):
            children = stats.children if title == "violation" and stats.unit == "incidents" else None
            parts += [*_table(title, counts, stats.claims, cap, stats.unit, children), ""]
    return "\n".join(parts).rstrip() + "\n"
