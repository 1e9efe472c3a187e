"""How far the store has changed: a token that is different after any commit, by any
process, so that the web server can keep what it computed (a dashboard, a page of
incidents, a user) for as long as the store stays as it was.

    gen = Generation(store)
    token = gen.current()      # None: this store cannot tell; compute every time

Read the token *before* computing from the store, and keep the result under it: the
result then shows the store as it was at that token or later, never earlier, so nobody
who reads the same token is served anything older than what the token stands for.

    gen.since(token)           # when this process first saw `token` (wall clock), if current

A result another process computed (its token is its own) shows the store as of `token`
too if its computation began at or after `since(token)`: every commit that `token`
stands for was made before this process first read it.

- SQLite: ``PRAGMA data_version`` on a connection of our own that never writes. It
  changes when any other connection (another process, or this one's pool) commits, and
  costs about 10 µs. Writers need no change and pay nothing. Its numbers are the
  connection's own (two processes may both be at 7 over different stores' states), so
  the token carries a mark of this `Generation`: never equal to another process's.
- PostgreSQL: the current snapshot (``pg_current_snapshot()``: the oldest running
  transaction, the next transaction id and those in progress). It changes only when a
  transaction that wrote something ends; read-only requests leave it as it is. Writes
  elsewhere on the same server change it too, which costs only a recomputation. Read on
  a connection of our own in autocommit: one round trip, where a pooled one cost three
  (the pool's liveness ping, the query, the rollback on return), every request.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from contextlib import suppress
from pathlib import Path

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from childwatch.errors import StoreError
from childwatch.store.database import Store, explain

__all__ = ["Generation"]


class Generation:
    """The store's change token (see the module doc); thread-safe. `close` releases the
    SQLite connection."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._sqlite: sqlite3.Connection | None = None
        self._server: Connection | None = None  # PostgreSQL: opened at the first token
        self._mark = secrets.token_hex(4)  # SQLite: what makes our tokens ours (module doc)
        self._last: str | None = None  # the newest token read, and since when (wall clock)
        self._since = 0.0
        url = store.engine.url
        self.dialect = store.engine.dialect.name
        if self.dialect == "sqlite" and url.database and url.database != ":memory:" and Path(url.database).is_file():
            # Its own connection, outside the pool: data_version only counts commits made
            # by *other* connections, and this one never writes.
            self._sqlite = sqlite3.connect(url.database, check_same_thread=False, isolation_level=None)

    def current(self) -> str | None:
        """The token now, or None when this store cannot tell (an in-memory database)."""
        if self._sqlite is not None:
            with self._lock:
                row = self._sqlite.execute("PRAGMA data_version").fetchone()
                return self._seen(f"v{row[0]}.{self._mark}")
        if self.dialect == "postgresql":
            with self._lock:
                return self._seen(self._snapshot())
        return None

    def _seen(self, token: str) -> str:
        # Taken after the read: the commits the token stands for were all made before it.
        if token != self._last:
            self._last, self._since = token, time.time()
        return token

    def since(self, token: str) -> float | None:
        """When this process first read `token` (wall clock), if it is the newest read;
        None for an older one."""
        with self._lock:
            return self._since if token == self._last else None

    def _snapshot(self) -> str:
        for attempt in (1, 2):  # a connection the server dropped is opened again, once
            try:
                if self._server is None:
                    self._server = self.store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
                return str(self._server.exec_driver_sql("SELECT pg_current_snapshot()::text").scalar_one())
            except DBAPIError as exc:
                self._drop()
                if attempt == 2:
                    raise StoreError(explain(exc, self.store.name)) from exc
        raise AssertionError("unreachable")

    def _drop(self) -> None:
        if self._server is not None:
            with suppress(DBAPIError):
                self._server.invalidate()
                self._server.close()
            self._server = None

    def close(self) -> None:
        with self._lock:
            if self._sqlite is not None:
                self._sqlite.close()
                self._sqlite = None
            self._drop()
