"""Locks between processes sharing a store. Each is held for as long as a process does
something, and let go by the operating system (SQLite: `flock` on a small file next to
the database, `reports.sqlite-resolve.lock`) or by the server (PostgreSQL: a session
advisory lock) when the process ends, however it ends, `kill -9` included:

- a pipeline run holds its run's lock (`hold_run`) while it goes on, so that the next run
  can tell a run going on in another process (two at once are fine) from one that was
  interrupted (`interrupted`): a `runs` row without an end says nothing about that;
- a resolution holds `exclusive(engine, "resolve")`: two at once would place the same new
  claims twice, and sign the same documents twice.

Where this cannot be done (no `fcntl`, an in-memory database) runs are never said to be
interrupted and nothing waits.
"""

from __future__ import annotations

import contextlib
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, text

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["Lock", "account_writers", "exclusive", "hold_run", "interrupted", "review_writers"]

# PostgreSQL advisory locks keyed (class, id): runs by their id, named locks by a hash of the
# name. (review.lock uses the one-number key space, which is separate.)
PG_RUNS = 4105
PG_NAMED = 4106


class Lock:
    """A lock held; `release` lets go of it (closing the process does too)."""

    def __init__(self, release: Callable[[], None]) -> None:
        self._release: Callable[[], None] | None = release

    def release(self) -> None:
        release, self._release = self._release, None
        if release is not None:
            release()


def _path(engine: Engine, name: str) -> Path | None:
    database = engine.url.database
    if fcntl is None or not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(f"{Path(database).resolve()}-{name}.lock")


def _pg(engine: Engine, key: dict[str, int], wait: bool) -> Lock | None:
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    try:
        if wait:
            conn.execute(text("SELECT pg_advisory_lock(:c, :id)"), key)
        elif not conn.execute(text("SELECT pg_try_advisory_lock(:c, :id)"), key).scalar_one():
            conn.close()
            return None
    except BaseException:
        conn.close()
        raise

    def unlock() -> None:
        with contextlib.suppress(Exception):  # a dropped connection has let go already
            conn.execute(text("SELECT pg_advisory_unlock(:c, :id)"), key)
        conn.close()

    return Lock(unlock)


def _flock(path: Path, wait: bool, *, remove: bool = False) -> Lock | None:
    """The file's lock; None if another holds it (`wait` False). `remove`: delete the file
    on release (only for files no one waits on: a waiter would hold a deleted file)."""
    handle = path.open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        handle.close()
        return None
    except BaseException:
        handle.close()
        raise

    def let_go() -> None:
        if remove:
            path.unlink(missing_ok=True)
        handle.close()

    return Lock(let_go)


@contextlib.contextmanager
def exclusive(engine: Engine, name: str, *, waiting: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the store's lock `name` inside the block; if another process holds it, call
    `waiting()` and wait for it."""
    lock: Lock | None = None
    if engine.dialect.name == "postgresql":
        key = {"c": PG_NAMED, "id": zlib.crc32(name.encode()) & 0x7FFFFFFF}
        lock = _pg(engine, key, wait=False)
        if lock is None:
            if waiting is not None:
                waiting()
            lock = _pg(engine, key, wait=True)
    elif (path := _path(engine, name)) is not None:
        try:
            lock = _flock(path, wait=False)
            if lock is None:
                if waiting is not None:
                    waiting()
                lock = _flock(path, wait=True)
        except OSError:  # e.g. a read-only folder: whoever can't write there can't resolve either
            lock = None
    try:
        yield
    finally:
        if lock is not None:
            lock.release()


def hold_run(engine: Engine, run_id: int) -> Lock | None:
    """Take the lock of run `run_id`. Call it in the transaction inserting the run's row,
    so that no other process sees the row before its lock is held."""
    if engine.dialect.name == "postgresql":
        return _pg(engine, {"c": PG_RUNS, "id": run_id}, wait=True)
    path = _path(engine, f"run-{run_id}")
    if path is None:
        return None
    try:
        return _flock(path, wait=False, remove=True)
    except OSError:  # a read-only folder, say: the run goes on, its liveness unknown
        return None


def interrupted(conn: Connection, run_id: int) -> bool:
    """Whether unfinished run `run_id` has no process any more (its lock is free). Call it
    in the write transaction that records it: that keeps the answer true until then."""
    if conn.dialect.name == "postgresql":
        # Held until the caller's transaction ends: meanwhile no other process takes it.
        free = conn.execute(text("SELECT pg_try_advisory_xact_lock(:c, :id)"), {"c": PG_RUNS, "id": run_id})
        return bool(free.scalar_one())
    path = _path(conn.engine, f"run-{run_id}")
    if path is None:
        return False
    try:
        handle = path.open("r")
    except FileNotFoundError:  # killed before runs took locks, or the database was moved
        return True
    except OSError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        path.unlink(missing_ok=True)  # the dead run's leftover
        return True


def review_writers(conn: Connection) -> None:
    """Serialise review writers: SQLite already does (BEGIN IMMEDIATE); PostgreSQL needs
    a lock, since each action reads the state it then changes."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(4104)"))


def account_writers(conn: Connection) -> None:
    """Serialise account changes: "is this the last active admin?" is read, then acted on.
    SQLite already does (BEGIN IMMEDIATE); PostgreSQL needs a lock."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(4105)"))
