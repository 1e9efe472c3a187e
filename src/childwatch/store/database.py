"""The store: engine set-up (SQLite pragmas), `open_store`, and the `Store` itself.

`open_store` is the only way in: it accepts a file path (SQLite) or an SQLAlchemy URL
(e.g. ``postgresql+psycopg://user@host/db``), and returns a `Store` whose schema is at
the newest migration (see `childwatch.store.migrations`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError, StatementError

from childwatch.errors import InputError, StoreError
from childwatch.records import Claim, Document
from childwatch.store import locks
from childwatch.store.bulk import foreign_keys
from childwatch.store.migrations import upgrade
from childwatch.store.models.base import utcnow
from childwatch.store.models.reports import ClaimRow, DocumentRow, IngestErrorRow, RunRow
from childwatch.store.models.rows import (
    INTERRUPTED,
    BatchResult,
    IngestErrorRecord,
    RunCounts,
    RunRecord,
    StoreCounts,
    StoredClaim,
    aware,
    claim_from_row,
    claim_row,
    document_from_row,
    document_row,
)

BUSY_TIMEOUT_MS = 10_000
# Execution option asking for a write transaction up front (SQLite `BEGIN IMMEDIATE`):
# a deferred transaction that reads first and writes later fails at once with "database
# is locked" when another writer got in between; an immediate one waits its turn.
WRITE = {"childwatch_write": True}


def to_url(url_or_path: str | Path) -> URL:
    """A file path becomes a SQLite URL; anything containing '://' is parsed as a URL.

    `postgresql://` and `postgres://` (as hosting services print them) mean psycopg 3,
    the driver the `postgres` extra installs; SQLAlchemy alone would pick psycopg2.
    """
    text = str(url_or_path)
    if isinstance(url_or_path, str) and "://" in text:
        try:
            url = make_url(text)
        except Exception as exc:  # sqlalchemy raises ArgumentError or ValueError
            raise StoreError(f"{text.split('@')[-1]!r} is not a database URL or path ({exc})") from exc
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername="postgresql+psycopg")
        return url
    return URL.create("sqlite+pysqlite", database=str(Path(text).expanduser()))


def display_name(url: URL) -> str:
    """How a database is named in messages: the file for SQLite, the URL sans password."""
    if url.get_backend_name() == "sqlite":
        return url.database or ":memory:"
    return url.render_as_string(hide_password=True)


# A server is shared by a team: a few pooled connections per process (the pipeline's
# writer, the web server's requests), checked before use so that a server restart costs a
# reconnect rather than a failed batch, and recycled before idle-connection timeouts.
POOL_SIZE = 5
POOL_MAX_OVERFLOW = 10
POOL_RECYCLE_S = 1800
CONNECT_TIMEOUT_S = 10


def make_engine(url: URL, echo: bool = False) -> Engine:
    """An engine; for SQLite with WAL, foreign keys, a busy timeout and real transactions;
    for a server, a connection pool (see POOL_SIZE)."""
    if url.get_backend_name() != "sqlite":
        return _server_engine(url, echo)
    if url.database and url.database != ":memory:":
        folder = Path(url.database).parent
        if not folder.is_dir():
            raise StoreError(f"{url.database}: folder {folder} does not exist (create it first)")
        if Path(url.database).is_dir():
            raise StoreError(f"{url.database} is a folder, not a database file")
    engine = create_engine(
        url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, json_serializer=_to_json
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so
        # that DDL (migrations) and batches are atomic.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; much faster
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        if conn.get_execution_options().get("childwatch_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")

    return engine


def _to_json(value: Any) -> str:
    """JSON columns' serializer: one for both back-ends, refusing what JSON can't hold by
    name (psycopg would otherwise raise a bare TypeError from deep in the driver)."""
    return json.dumps(value, default=_unstorable)


def _unstorable(value: Any) -> Any:
    raise StoreError(f"a value of type {type(value).__name__} cannot be stored as JSON (in metadata or spans)")


def _server_engine(url: URL, echo: bool) -> Engine:
    name = display_name(url)
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        connect_args = {"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "childwatch"}
    try:
        return create_engine(
            url,
            echo=echo,
            pool_size=POOL_SIZE,
            max_overflow=POOL_MAX_OVERFLOW,
            pool_recycle=POOL_RECYCLE_S,
            pool_pre_ping=True,
            connect_args=connect_args,
            json_serializer=_to_json,
        )
    except ModuleNotFoundError as exc:
        hint = " (pip install 'childwatch[postgres]')" if url.get_backend_name() == "postgresql" else ""
        raise StoreError(f"{name}: the database driver {exc.name!r} is not installed{hint}") from exc
    except Exception as exc:  # NoSuchModuleError, ArgumentError: an unknown dialect or bad options
        raise StoreError(f"{name}: cannot use this database URL ({exc})") from exc


# Connection failures, as libpq words them, and what to do about each.
_CONNECT_PROBLEMS = (
    ("password authentication failed", "the user name or password is wrong"),
    ("no password supplied", "the server wants a password: put it in the URL (user:password@host)"),
    ("does not exist", "the database or user does not exist: create it (createdb) or fix the URL"),
    ("connection refused", "is the server running, and listening on that host and port?"),
    ("timeout expired", "the server did not answer: check the host, port and firewall"),
    ("could not translate host name", "the host name is unknown: check it"),
    ("failed to resolve host", "the host name is unknown: check it"),
    ("no pg_hba.conf entry", "the server does not accept this user from this host (pg_hba.conf)"),
)


def explain(exc: DBAPIError, name: str) -> str:
    """A message for a driver error that names the database and what to do."""
    text = str(exc.orig).strip() if exc.orig is not None else str(exc)
    lowered = text.lower()
    if "file is not a database" in lowered:
        return f"{name} is not a SQLite database (or is encrypted or damaged); give another path"
    if "unable to open database file" in lowered:
        return f"{name}: cannot open or create this file (check the path and its permissions)"
    if "readonly" in lowered or "read-only" in lowered:
        return f"{name} is read-only; childwatch needs to write to it"
    if "locked" in lowered or "busy" in lowered:
        return f"{name} is locked by another process; try again when it is done"
    # A server's connection failure (psycopg: "connection failed: ... FATAL: ...").
    server = type(exc.orig).__module__.startswith("psycopg") if exc.orig is not None else False
    if server and isinstance(exc, OperationalError):
        for words, what in _CONNECT_PROBLEMS:
            if words in lowered:
                return f"cannot connect to {name}: {what}"
        if "connect" in lowered:
            return f"cannot connect to {name}: {text.splitlines()[0]}"
    return f"{name}: {text}"


def open_store(url_or_path: str | Path, *, echo: bool = False) -> Store:
    """Open (creating if needed) a store and migrate it to the newest schema.

    >>> with open_store("reports.sqlite") as store:  # doctest: +SKIP
    ...     store.add_document(doc)
    """
    url = to_url(url_or_path)
    name = display_name(url)
    engine = make_engine(url, echo=echo)
    try:
        with engine.connect() as conn, conn.execution_options(**WRITE).begin():
            upgrade(conn, name)
    except DBAPIError as exc:
        engine.dispose()
        raise StoreError(explain(exc, name)) from exc
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"{name}: could not prepare the database: {exc}") from exc
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, name)


class Store:
    """Documents, claims and runs in one database. Made by `open_store`; thread-safe."""

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self._run_locks: dict[int, locks.Lock | None] = {}  # runs going on in this process

    def close(self) -> None:
        for lock in self._run_locks.values():
            if lock is not None:
                lock.release()
        self._run_locks.clear()
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.name!r})"

    @contextmanager
    def writing(self, *, checked: bool = True) -> Iterator[Connection]:
        """One write transaction, for the store's own modules and the layers above:
        ``with store.writing() as conn: ...``. Any database failure rolls it back and
        becomes StoreError. `checked=False`: SQLite does not check foreign keys in it (for
        rows copied from a table that checked them, see `signatures.file_staged_bands`)."""
        try:
            with self.engine.connect() as conn, foreign_keys(conn, checked), conn.execution_options(**WRITE).begin():
                yield conn
        except DBAPIError as exc:
            raise StoreError(f"{explain(exc, self.name)} (nothing of this write was stored)") from exc
        except StatementError as exc:  # e.g. a value the driver cannot take
            raise StoreError(f"{self.name}: could not write, nothing was stored: {exc.orig}") from exc
        except SQLAlchemyError as exc:
            raise StoreError(f"{self.name}: could not write, nothing was stored: {exc}") from exc

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reading: ``with store.reading() as conn: ...``; a database
        failure becomes StoreError."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except DBAPIError as exc:
            raise StoreError(explain(exc, self.name)) from exc

    # documents and claims

    def add_document(self, doc: Document, *, extractor_version: str | None = None) -> bool:
        """Store a document (without claims). False if it is already stored unchanged.

        Raises InputError if a document with this id but other content (sha256) is stored:
        stored documents are evidence and are never overwritten; give a new version its
        own id.
        """
        result = self.write_batch([(doc, [])], extractor_version=extractor_version)
        if result.conflicts:
            raise result.conflicts[0]
        return bool(result.new)

    def document(self, doc_id: str) -> Document | None:
        """The stored document with this id, or None."""
        with self.reading() as conn:
            row = conn.execute(select(DOCS).where(DOCS.c.id == doc_id)).mappings().first()
        return document_from_row(row) if row is not None else None

    def document_hashes(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """{id: sha256} of those of `doc_ids` that are stored (to skip known inputs)."""
        return self._hashes(None, list(doc_ids))

    def _hashes(self, conn: Connection | None, ids: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for i in range(0, len(ids), 500):  # stay under bound-parameter limits
            stmt = select(DOCS.c.id, DOCS.c.sha256).where(DOCS.c.id.in_(ids[i : i + 500]))
            if conn is None:
                with self.reading() as own:
                    found.update((i, sha) for i, sha in own.execute(stmt))
            else:
                found.update((i, sha) for i, sha in conn.execute(stmt))
        return found

    def write_batch(
        self, items: Sequence[tuple[Document, Sequence[Claim]]], *, extractor_version: str | None = None
    ) -> BatchResult:
        """Store new documents with their claims in ONE transaction: all or nothing.

        A document already stored with the same content is left alone (claims included);
        one stored with other content is a conflict, reported and not written. Any other
        failure rolls the whole batch back and raises StoreError.
        """
        result = BatchResult()
        if not items:
            return result
        for doc, claims in items:
            _check_claims(doc.id, claims)
        now = utcnow()
        with self.writing() as conn:
            seen = self._hashes(conn, [doc.id for doc, _ in items])
            doc_rows: list[dict[str, Any]] = []
            claim_rows: list[dict[str, Any]] = []
            for doc, claims in items:
                stored = seen.get(doc.id)
                if stored == doc.sha256:
                    result.unchanged.append(doc.id)
                    continue
                if stored is not None:
                    result.conflicts.append(_conflict(doc, stored))
                    continue
                seen[doc.id] = doc.sha256
                doc_rows.append(document_row(doc, extractor_version, now))
                claim_rows.extend(claim_row(c, i, now) for i, c in enumerate(claims))
                result.new.append(doc.id)
            if doc_rows:
                conn.execute(insert(DOCS), doc_rows)
            if claim_rows:
                conn.execute(insert(CLAIMS), claim_rows)
            result.claims = len(claim_rows)
        return result

    def replace_claims(
        self, doc_id: str, claims: Sequence[Claim], *, extractor_version: str | None = None
    ) -> int:
        """Atomically swap a stored document's claims for `claims` (re-extraction)."""
        _check_claims(doc_id, claims)
        now = utcnow()
        with self.writing() as conn:
            found = conn.execute(select(DOCS.c.id).where(DOCS.c.id == doc_id)).first()
            if found is None:
                raise StoreError(f"{self.name}: no document {doc_id!r}; add the document first")
            conn.execute(delete(CLAIMS).where(CLAIMS.c.doc_id == doc_id))
            if claims:
                conn.execute(insert(CLAIMS), [claim_row(c, i, now) for i, c in enumerate(claims)])
            if extractor_version is not None:
                conn.execute(
                    update(DOCS).where(DOCS.c.id == doc_id).values(extractor_version=extractor_version)
                )
        return len(claims)

    def iter_claims(
        self,
        *,
        doc_id: str | None = None,
        violation: str | None = None,
        country: str | None = None,
        batch_size: int = 1000,
    ) -> Iterator[StoredClaim]:
        """Stream stored claims, by document id then order of extraction; filters AND."""
        stmt = select(CLAIMS).order_by(CLAIMS.c.doc_id, CLAIMS.c.ordinal)
        if doc_id is not None:
            stmt = stmt.where(CLAIMS.c.doc_id == doc_id)
        if violation is not None:
            stmt = stmt.where(CLAIMS.c.violation == violation)
        if country is not None:
            stmt = stmt.where(CLAIMS.c.location_country == country)
        with self.reading() as conn:
            try:
                for row in conn.execution_options(yield_per=batch_size).execute(stmt):
                    yield StoredClaim(row.id, claim_from_row(row))
            except (ValueError, TypeError) as exc:  # JSON or a span that won't decode
                raise StoreError(
                    f"{self.name}: a stored claim cannot be read ({exc}); is it damaged?"
                ) from exc

    # runs

    def begin_run(self, *, extractor_version: str | None = None) -> int:
        """Record the start of a pipeline run; returns its id. Earlier runs that never
        finished and whose process is gone are recorded as interrupted (see `locks`)."""
        counts = RunCounts()
        with self.writing() as conn:
            self._record_interrupted(conn)
            values = {**_counts_row(counts), "started_at": utcnow(), "extractor_version": extractor_version}
            run_id = int(conn.execute(insert(RUNS).values(values).returning(RUNS.c.id)).scalar_one())
            self._run_locks[run_id] = locks.hold_run(self.engine, run_id)
        return run_id

    def finish_run(self, run_id: int, counts: RunCounts) -> None:
        """Record the end of a run and its final tallies."""
        try:
            with self.writing() as conn:
                values = {**_counts_row(counts), "finished_at": utcnow()}
                if conn.execute(update(RUNS).where(RUNS.c.id == run_id).values(values)).rowcount != 1:
                    raise StoreError(f"{self.name}: no run {run_id}")
        finally:
            lock = self._run_locks.pop(run_id, None)
            if lock is not None:
                lock.release()

    def _record_interrupted(self, conn: Connection) -> None:
        # The tallies of such a run stay as they were at its start; its documents are stored
        # (a batch at a time) and running the same inputs again skips them.
        unfinished = conn.execute(select(RUNS.c.id, RUNS.c.errors).where(RUNS.c.finished_at.is_(None))).all()
        for run_id, errors in unfinished:
            if INTERRUPTED in (errors or {}) or run_id in self._run_locks or not locks.interrupted(conn, run_id):
                continue
            mark = update(RUNS).where(RUNS.c.id == run_id, RUNS.c.finished_at.is_(None))
            if conn.execute(mark.values(errors={**(errors or {}), INTERRUPTED: 1})).rowcount:
                message = (f"run {run_id} was interrupted before it finished (its process was killed or stopped); "
                           "what it stored is kept, and running the same inputs again completes it")  # fmt: skip
                conn.execute(insert(ERRORS).values(run_id=run_id, origin=f"run {run_id}", message=message,
                                                   created_at=utcnow()))  # fmt: skip

    def run(self, run_id: int) -> RunRecord | None:
        with self.reading() as conn:
            row = conn.execute(select(RUNS).where(RUNS.c.id == run_id)).first()
        if row is None:
            return None
        counts = RunCounts(
            row.docs_read, row.docs_new, row.docs_skipped, row.docs_failed, row.claims, dict(row.errors),
            dict(row.not_extracted or {}),
        )
        return RunRecord(row.id, aware(row.started_at), aware(row.finished_at), row.extractor_version, counts)

    def record_error(self, run_id: int, where: str, message: str) -> None:
        """Keep one input's failure (where: path, path:line or URL)."""
        with self.writing() as conn:
            values = {"run_id": run_id, "origin": where, "message": message, "created_at": utcnow()}
            conn.execute(insert(ERRORS).values(values))

    def errors(self, run_id: int) -> list[IngestErrorRecord]:
        stmt = select(ERRORS).where(ERRORS.c.run_id == run_id).order_by(ERRORS.c.id)
        with self.reading() as conn:
            rows = conn.execute(stmt).all()
        return [IngestErrorRecord(r.run_id, r.origin, r.message, aware(r.created_at)) for r in rows]

    def counts(self) -> StoreCounts:
        with self.reading() as conn:
            n = [conn.execute(select(func.count()).select_from(t)).scalar_one() for t in TABLES]
        return StoreCounts(*n)


DOCS = cast(Table, DocumentRow.__table__)
CLAIMS = cast(Table, ClaimRow.__table__)
RUNS = cast(Table, RunRow.__table__)
ERRORS = cast(Table, IngestErrorRow.__table__)
TABLES = (DOCS, CLAIMS, RUNS, ERRORS)


def _check_claims(doc_id: str, claims: Sequence[Claim]) -> None:
    for claim in claims:
        if claim.doc_id != doc_id:
            raise StoreError(f"a claim of document {claim.doc_id!r} was given with document {doc_id!r}")


def _conflict(doc: Document, stored_sha: str) -> InputError:
    return InputError(
        doc.origin,
        f"document id {doc.id!r} is already stored with other content "
        f"(sha256 {stored_sha[:12]}…, this one {doc.sha256[:12]}…); it was not stored",
        "stored documents are never overwritten: give the new version its own id",
    )


def _counts_row(counts: RunCounts) -> dict[str, Any]:
    return {
        "docs_read": counts.docs_read,
        "docs_new": counts.docs_new,
        "docs_skipped": counts.docs_skipped,
        "docs_failed": counts.docs_failed,
        "claims": counts.claims,
        "errors": dict(counts.errors),
        "not_extracted": dict(counts.not_extracted),
    }
