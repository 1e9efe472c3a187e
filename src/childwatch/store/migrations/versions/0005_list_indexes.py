"""Indexes for the incident list and its filters over millions of claims (PostgreSQL
and SQLite alike): the default order (newest first, undated last) alone and after a
violation or country filter, the other orders, the period overlap filter, and a
trigram index for the perpetrator substring filter (PostgreSQL's pg_trgm; a plain index
where that extension cannot be created, and on SQLite). See bench/pg_api_bench.py.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the expressions `childwatch.read.queries` sorts and filters by.
WHEN = "coalesce(date_start, date_end, first_published)"
LIST_ORDER: list[str | sa.TextClause] = [sa.text(f"({WHEN} IS NULL)"), sa.text(f"{WHEN} DESC"), "id"]


def upgrade() -> None:
    op.create_index("ix_incidents_list_date", "incidents", LIST_ORDER)
    op.create_index("ix_incidents_violation_list_date", "incidents", ["violation", *LIST_ORDER])
    op.create_index("ix_incidents_country_list_date", "incidents", ["location_country", *LIST_ORDER])
    by_reports: list[str | sa.TextClause] = [sa.text("n_documents DESC"), sa.text(f"{WHEN} DESC"), "id"]
    op.create_index("ix_incidents_n_documents", "incidents", by_reports)
    by_children: list[str | sa.TextClause] = [sa.text("(count_best IS NULL)"), sa.text("count_best DESC"), "id"]
    op.create_index("ix_incidents_count_best", "incidents", by_children)
    op.create_index(
        "ix_incidents_period",
        "incidents",
        [sa.text("coalesce(date_start, date_end)"), sa.text("(coalesce(date_end, date_start) || '~')")],
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and _trigrams(bind):
        op.create_index(
            "ix_incidents_perpetrator_trgm", "incidents", ["perpetrator"],
            postgresql_using="gin", postgresql_ops={"perpetrator": "gin_trgm_ops"},
        )  # fmt: skip
    else:
        op.create_index("ix_incidents_perpetrator_trgm", "incidents", ["perpetrator"])


def _trigrams(bind: sa.Connection) -> bool:
    """Create pg_trgm if this server has it and lets us (a trusted extension since
    PostgreSQL 13: the database owner may); in a savepoint, so a refusal costs nothing.
    Offline (`alembic upgrade --sql`) the script assumes it may."""
    if op.get_context().as_sql:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        return True
    available = bind.exec_driver_sql("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'").first()
    if available is None:
        return False
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError:
        return False
    return True


def downgrade() -> None:
    for name in ("ix_incidents_perpetrator_trgm", "ix_incidents_period", "ix_incidents_count_best",
                 "ix_incidents_n_documents", "ix_incidents_country_list_date", "ix_incidents_violation_list_date",
                 "ix_incidents_list_date"):  # fmt: skip
        op.drop_index(name, "incidents")
