"""Indexes for the date filter over millions of claims (PostgreSQL and SQLite alike).

The filter selects incidents whose period overlaps [date_from, date_to]: they start by
date_to and end by date_from (see `childwatch.read.queries`). Two indexes serve it:

- ix_incidents_period_covering replaces 0005's ix_incidents_period (the same leading
  columns) and adds the date columns themselves, so that counting the matches is an
  index-only scan: PostgreSQL considers one only when every column a query names is in
  the index, even columns it only uses inside indexed expressions. A year of a
  million-claim store is counted from ~300 index pages instead of the whole table. Kind
  and status ride along (few values, so PostgreSQL's deduplication keeps the index
  small): "incidents, not aggregates, over five years" is counted there too.
- ix_incidents_straddling holds only true periods (an end unlike the start), by end and
  start: those that begin before date_from and run into it. With the first index (those
  that begin within the range) it bounds the filter on both sides, so that the planner
  sees how few incidents a short period holds, e.g. one day with one violation, and
  reads those instead of every incident of the violation. See bench/pg_api_bench.py.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the expressions `childwatch.read.queries` filters by.
START = sa.text("coalesce(date_start, date_end)")
END = sa.text("(coalesce(date_end, date_start) || '~')")
# IS NOT NULL says no more than <> does, but PostgreSQL's planner can count it (it cannot
# estimate <> between two columns, and would take every row for a period).
PERIOD = sa.text("date_end IS NOT NULL AND date_end <> date_start")


def upgrade() -> None:
    op.drop_index("ix_incidents_period", "incidents")
    covering: list[str | sa.TextClause] = [START, END, "date_start", "date_end", "kind", "status"]
    op.create_index("ix_incidents_period_covering", "incidents", covering)
    op.create_index("ix_incidents_straddling", "incidents", [END, START], postgresql_where=PERIOD, sqlite_where=PERIOD)
    if op.get_context().dialect.name == "postgresql":
        # Statistics on the new expressions now, not whenever autovacuum next analyzes: the
        # planner needs them to see how few incidents a date range holds.
        op.execute("ANALYZE incidents")


def downgrade() -> None:
    op.drop_index("ix_incidents_straddling", "incidents")
    op.drop_index("ix_incidents_period_covering", "incidents")
    op.create_index("ix_incidents_period", "incidents", [START, END])
