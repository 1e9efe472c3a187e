"""Counts by violation, perpetrator, country and month: of incidents (the default) or of
claims.

Counting incidents, not claims, is the point of resolution: one abduction reported by
twenty articles is one incident. Children affected are summed over incidents from each
incident's best, lowest and highest figure, so no report is counted twice.

Counting happens in the database (GROUP BY), so it stays cheap on millions of claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, func, select

from childwatch.store import Store
from childwatch.store.models import ClaimRow, DocumentRow, IncidentRow
from childwatch.vocab import VIOLATIONS

CLAIMS = cast(Table, ClaimRow.__table__)
INCIDENTS = cast(Table, IncidentRow.__table__)

UNKNOWN = "unknown"


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
    # incidents only: children affected per violation, (best, low, high) summed over incidents
    children: dict[str, tuple[int, int, int]] = field(default_factory=dict)
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


def incident_stats(store: Store) -> Stats:
    """Count the stored incidents (the merged view resolution keeps)."""
    inc = INCIDENTS.c
    with store.engine.connect() as conn:
        unresolved = conn.execute(
            select(func.count()).select_from(CLAIMS).where(CLAIMS.c.incident_id.is_(None))
        ).scalar_one()
        children = {
            v: (int(best or 0), int(low or 0), int(high or 0))
            for v, best, low, high in conn.execute(
                select(inc.violation, func.sum(inc.count_best), func.sum(inc.count_low), func.sum(inc.count_high))
                .group_by(inc.violation)
            )
        }
    return _counted(
        store,
        INCIDENTS,
        unit="incidents",
        children={v: children.get(v, (0, 0, 0)) for v in VIOLATIONS},
        unresolved=unresolved,
    )


def _table(
    title: str, counts: dict[str, int], total: int, limit: int | None, unit: str = "claims",
    children: dict[str, tuple[int, int, int]] | None = None,
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
        head += "  children best (low-high)"
        rule += "  ------------------------"
    lines = [head, rule]
    for key, n in rows:
        share = f"{100 * n / total:4.0f}%" if total else "    -"
        line = f"{key:<{width}}  {n:>{digits}}  {share}"
        if children is not None and key in children:
            best, low, high = children[key]
            line += f"  {best} ({low}-{high})" if n else ""
        lines.append(line.rstrip())
    return lines


def format_stats(stats: Stats, *, limit: int | None = 20) -> str:
    """A plain-text report for the terminal; `limit` caps the perpetrator and country rows."""
    parts = [f"{stats.claims} {stats.unit} in {stats.documents} documents"]
    if stats.unresolved:
        parts.append(f"({stats.unresolved} claims not yet resolved into incidents: run `childwatch resolve`)")
    parts.append("")
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
