"""Counts of stored claims by violation, perpetrator, country and month.

Counting happens in the database (GROUP BY), so it stays cheap on millions of claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, select

from childwatch.records import VIOLATIONS
from childwatch.store import Store
from childwatch.store.models import ClaimRow, DocumentRow

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
    claims: int
    by_violation: dict[str, int] = field(default_factory=dict)
    by_perpetrator: dict[str, int] = field(default_factory=dict)
    by_country: dict[str, int] = field(default_factory=dict)
    by_month: dict[str, int] = field(default_factory=dict)


def _grouped(store: Store, key: ColumnElement[Any]) -> dict[str, int]:
    stmt = select(key, func.count()).select_from(ClaimRow.__table__).group_by(key)
    counts: dict[str, int] = {}
    with store.engine.connect() as conn:
        for value, n in conn.execute(stmt):
            label = value if value else UNKNOWN
            counts[label] = counts.get(label, 0) + n
    return counts


def _by_count(counts: dict[str, int]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] == UNKNOWN, kv[0])))


def claim_stats(store: Store) -> Stats:
    """Count the stored claims."""
    claims = ClaimRow.__table__.c
    with store.engine.connect() as conn:
        n_docs = conn.execute(select(func.count()).select_from(DocumentRow.__table__)).scalar_one()
    by_violation = _grouped(store, claims.violation)
    # An undated incident is bounded by its report: it counts in the month it was reported.
    months = _grouped(store, func.substr(func.coalesce(claims.date_start, claims.date_end), 1, 7))
    unknown_month = months.pop(UNKNOWN, 0)
    by_month = dict(sorted(months.items()))
    if unknown_month:
        by_month[UNKNOWN] = unknown_month
    return Stats(
        documents=n_docs,
        claims=sum(by_violation.values()),
        by_violation={v: by_violation.get(v, 0) for v in VIOLATIONS},
        by_perpetrator=_by_count(_grouped(store, claims.perpetrator)),
        by_country=_by_count(_grouped(store, claims.location_country)),
        by_month=by_month,
    )


def _table(title: str, counts: dict[str, int], total: int, limit: int | None) -> list[str]:
    rows = list(counts.items())
    hidden = rows[limit:] if limit is not None else []
    rows = rows[:limit] if limit is not None else rows
    if hidden:
        rows.append((f"({len(hidden)} more)", sum(n for _, n in hidden)))
    width = max([len(title), *(len(k) for k, _ in rows)])
    digits = max([len("claims"), *(len(str(n)) for _, n in rows)])
    lines = [f"{title:<{width}}  {'claims':>{digits}}  share", f"{'-' * width}  {'-' * digits}  -----"]
    for key, n in rows:
        share = f"{100 * n / total:4.0f}%" if total else "    -"
        lines.append(f"{key:<{width}}  {n:>{digits}}  {share}")
    return lines


def format_stats(stats: Stats, *, limit: int | None = 20) -> str:
    """A plain-text report for the terminal; `limit` caps the perpetrator and country rows."""
    parts = [f"{stats.claims} claims in {stats.documents} documents", ""]
    if stats.claims:
        for title, counts, cap in (
            ("violation", stats.by_violation, None),
            ("perpetrator", stats.by_perpetrator, limit),
            ("country", stats.by_country, limit),
            ("month", stats.by_month, None),
        ):
            parts += [*_table(title, counts, stats.claims, cap), ""]
    return "\n".join(parts).rstrip() + "\n"
