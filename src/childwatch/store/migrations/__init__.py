"""Alembic migrations of the store's schema, configured in code (no alembic.ini).

`upgrade(conn, name)` is what `open_store` runs. To write a new migration after changing
`store/models.py`::

    from alembic import command
    from childwatch.store.migrations import alembic_config
    command.revision(alembic_config("sqlite:///dev.sqlite"), "add incidents", autogenerate=True)

then give the file a readable revision id (0002, 0003, ...) and check it by hand.
"""

from __future__ import annotations

import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect
from sqlalchemy.engine import URL

from childwatch.errors import StoreError

HERE = Path(__file__).parent
# alembic.command runs env.py through module-level proxies (alembic.context, alembic.op):
# two threads migrating at once would see each other's. One migration at a time, then.
_ALEMBIC = threading.Lock()
# Tables the initial migration creates; finding one without a schema version means the
# database belongs to something else.
OURS = frozenset({"documents", "claims", "runs", "ingest_errors"})


def alembic_config(url: str | URL, connection: Connection | None = None) -> Config:
    """An Alembic config for these migrations; with `connection`, env.py uses it as is."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    rendered = url if isinstance(url, str) else url.render_as_string(hide_password=False)
    # ConfigParser interpolation would choke on a '%' in a password.
    config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head() -> str:
    """The newest revision these migrations know."""
    revision = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert revision is not None
    return revision


def upgrade(conn: Connection, name: str) -> None:
    """Migrate the database behind `conn` (in a transaction) to the newest revision.

    Refuses, with StoreError naming the database, one written by a newer childwatch and
    one that has childwatch's table names but no schema version.
    """
    if conn.dialect.name == "postgresql":
        # Several processes may open one server's database at once (workers, the web
        # server): the first migrates, the others wait here and then find nothing to do.
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7420031)")
    config = alembic_config(conn.engine.url, conn)
    scripts = ScriptDirectory.from_config(config)
    known = {r.revision for r in scripts.walk_revisions()}
    tables = set(inspect(conn).get_table_names())
    if "alembic_version" not in tables and tables & OURS:
        raise StoreError(
            f"{name} has tables named like childwatch's ({', '.join(sorted(tables & OURS))}) "
            "but no schema version: it was not made by childwatch; use another database"
        )
    current = MigrationContext.configure(conn).get_current_heads()
    for revision in current:
        if revision not in known:
            raise StoreError(
                f"{name} has schema revision {revision!r}, which this childwatch does not know: "
                "it was written by a newer version; upgrade childwatch to open it"
            )
    if set(current) == set(scripts.get_heads()):
        return  # up to date: the common case, and alembic's command API is not thread-safe
    with _ALEMBIC:
        command.upgrade(config, "head")
