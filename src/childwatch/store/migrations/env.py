"""Alembic environment for the childwatch store.

`childwatch.store.database` runs it programmatically, handing over an open connection in
`config.attributes["connection"]`; no alembic.ini is needed. For offline SQL (``--sql``)
or a developer's own `alembic` call, `sqlalchemy.url` in the config names the database.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from childwatch.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
