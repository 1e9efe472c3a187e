"""Sessions shared by worker processes: the key that signs session cookies and the
sessions ended before their cookies expire, kept in the store.

Several `childwatch serve` worker processes, and the same server after a restart, must
sign and check cookies with one key; a random key per process logged people out at each
restart and would refuse every other request with two workers. The key is made on first
use (`store.review.server_secret`); $CHILDWATCH_SECRET_KEY still overrides it. A logout
was remembered in the memory of the process that served it: another worker, or the same
server restarted, took a copy of the logged-out cookie; `ended_sessions` holds them.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "server_secrets",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_server_secrets")),
    )
    op.create_table(
        "ended_sessions",
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_ended_sessions")),
    )
    op.create_index("ix_ended_sessions_expires_at", "ended_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_ended_sessions_expires_at", table_name="ended_sessions")
    op.drop_table("ended_sessions")
    op.drop_table("server_secrets")
