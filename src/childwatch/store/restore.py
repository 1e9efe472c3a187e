"""Restoring a backup (`childwatch.store.backup`) into an empty database, SQLite or PostgreSQL,
whichever back-end the backup came from.

    summary = restore_store(Path("childwatch-2026-12-04.cwbackup"), "postgresql://db.example/childwatch")

One transaction: the schema is created at the backup's revision, every table is loaded in
foreign-key order, PostgreSQL's id sequences are moved past the restored ids, newer
migrations (if this childwatch has any) are applied, and only then is anything committed.
A damaged or truncated archive (a table whose rows or sha256 differ from the manifest, a
zip whose checksums fail) stops the restore with nothing written; so does a target that
already holds rows.
"""

from __future__ import annotations

import hashlib
import json
import time
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Table, Text, bindparam, cast, func, insert, inspect, select, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from childwatch.errors import ChildwatchError, StoreError
from childwatch.store.backup import (
    BATCH_BYTES,
    CHUNK,
    FORMAT,
    MANIFEST,
    PROGRESS_EVERY_S,
    SKIP,
    VERSION,
    decode,
    reflect,
)
from childwatch.store.database import WRITE, display_name, explain, make_engine, to_url
from childwatch.store.migrations import _ALEMBIC, alembic_config, upgrade

__all__ = ["RestoreSummary", "restore_store"]


@dataclass(slots=True)
class RestoreSummary:
    database: str
    revision: str
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def line(self) -> str:
        return (f"{sum(self.rows.values()):,} rows of {len(self.rows)} tables restored into {self.database} "
                f"(schema {self.revision}) in {self.seconds:.1f}s")  # fmt: skip


class _Damaged(ChildwatchError):
    pass


def restore_store(
    archive: Path, url_or_path: str | Path, *, progress: Callable[[str], None] | None = None
) -> RestoreSummary:
    """Load the backup `archive` into the empty database `url_or_path` (created if it is a
    new SQLite file). ChildwatchError, with nothing restored, for a damaged archive or a
    target that holds rows."""
    started = time.monotonic()
    name_of_archive = str(archive)
    try:
        bundle = zipfile.ZipFile(archive.expanduser())
    except FileNotFoundError:
        raise ChildwatchError(f"{name_of_archive}: no such backup file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise ChildwatchError(f"{name_of_archive} is not a complete backup (damaged or truncated: {exc})") from None
    with bundle:
        manifest = _manifest(bundle, name_of_archive)
        url = to_url(url_or_path)
        name = display_name(url)
        new_file = url.get_backend_name() == "sqlite" and not Path(url.database or "").exists()
        engine = make_engine(url)
        summary = RestoreSummary(name, manifest["schema_revision"])
        try:
            with engine.connect() as conn, conn.execution_options(**WRITE).begin():
                _load(conn, bundle, manifest, name_of_archive, name, summary, progress)
        except BaseException as exc:
            engine.dispose()
            _remove_if_new(new_file, url.database)
            if isinstance(exc, _Damaged):
                raise ChildwatchError(f"{exc}; nothing was restored into {name}") from None
            if isinstance(exc, DBAPIError):
                raise StoreError(f"{explain(exc, name)} (nothing was restored)") from exc
            if isinstance(exc, SQLAlchemyError):
                raise StoreError(f"{name}: could not restore, nothing was restored: {exc}") from exc
            raise
        engine.dispose()
    summary.seconds = time.monotonic() - started
    return summary


def _remove_if_new(new_file: bool, database: str | None) -> None:
    """A SQLite file this restore created and failed to fill is not left behind."""
    if new_file and database:
        for suffix in ("", "-wal", "-shm"):
            Path(database + suffix).unlink(missing_ok=True)


def _manifest(bundle: zipfile.ZipFile, where: str) -> dict[str, Any]:
    try:
        manifest = json.loads(bundle.read(MANIFEST))
    except KeyError:
        raise ChildwatchError(f"{where} is not a childwatch backup (it has no {MANIFEST})") from None
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ChildwatchError(f"{where}: {MANIFEST} is damaged ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ChildwatchError(f"{where} is not a childwatch backup ({MANIFEST} names another format)")
    if manifest.get("version") != VERSION:
        raise ChildwatchError(
            f"{where} is a version {manifest.get('version')} backup; this childwatch reads version {VERSION}"
        )
    names = set(bundle.namelist())
    missing = [t["file"] for t in manifest["tables"] if t["file"] not in names]
    if missing:
        raise ChildwatchError(f"{where} is incomplete: {', '.join(missing)} missing; nothing was restored")
    return manifest


def _load(
    conn: Connection, bundle: zipfile.ZipFile, manifest: dict[str, Any], where: str, name: str,
    summary: RestoreSummary, progress: Callable[[str], None] | None,
) -> None:  # fmt: skip
    revision = manifest["schema_revision"]
    _prepare_schema(conn, revision, name)
    tables = {t.name: t for t in reflect(conn)}
    for entry in manifest["tables"]:
        table = tables.get(entry["name"])
        if table is None:
            raise _Damaged(f"{where}: table {entry['name']!r} is not in the schema at revision {revision}")
        missing = [c["name"] for c in entry["columns"] if c["name"] not in table.c]
        if missing:
            raise _Damaged(f"{where}: {entry['name']} has columns {', '.join(missing)} the schema lacks")
        summary.rows[entry["name"]] = _load_table(conn, bundle, entry, table, where, progress)
    if conn.dialect.name == "postgresql":
        _move_sequences(conn, [tables[e["name"]] for e in manifest["tables"]])
    upgrade(conn, name)  # to this childwatch's newest revision, over the restored rows


def _prepare_schema(conn: Connection, revision: str, name: str) -> None:
    """An empty database gets the schema at the backup's revision; one that has a schema
    must be at that revision and hold no rows."""
    config = alembic_config(conn.engine.url, conn)
    if revision not in {r.revision for r in ScriptDirectory.from_config(config).walk_revisions()}:
        raise _Damaged(f"the backup has schema revision {revision!r}, which this childwatch does not know "
                       "(it was made by a newer version; upgrade childwatch to restore it)")  # fmt: skip
    tables = [t for t in inspect(conn).get_table_names() if t not in SKIP]
    full = [f"{t} ({n:,} rows)" for t in sorted(tables) if (n := _rows(conn, t))]
    if full:
        raise ChildwatchError(
            f"{name} is not empty: {', '.join(full)}; restore into a new, empty database (nothing was changed)"
        )
    current = MigrationContext.configure(conn).get_current_heads()
    if tables and tuple(current) != (revision,):
        raise ChildwatchError(
            f"{name} has an (empty) schema at revision {', '.join(current) or 'none'} and the backup is at "
            f"{revision}; restore into a new database, or one made by the same childwatch version"
        )
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(7420031)"))  # as migrations.upgrade does
    if not tables:
        with _ALEMBIC:
            command.upgrade(config, revision)


def _rows(conn: Connection, table: str) -> int:
    quoted = conn.dialect.identifier_preparer.quote(table)
    return int(conn.execute(text(f"SELECT count(*) FROM {quoted}")).scalar_one())


def _load_table(
    conn: Connection, bundle: zipfile.ZipFile, entry: dict[str, Any], table: Table, where: str,
    progress: Callable[[str], None] | None,
) -> int:  # fmt: skip
    names = [c["name"] for c in entry["columns"]]
    kinds = [c["kind"] for c in entry["columns"]]
    # JSON arrives as its stored text: bound as text, cast by the server (SQLite keeps text).
    values: dict[str, Any] = {}
    for column, kind in zip(names, kinds, strict=True):
        param = bindparam(f"p_{column}", type_=table.c[column].type)
        if kind == "json":
            param = bindparam(f"p_{column}", type_=Text())  # not the column's type: that would encode again
            if conn.dialect.name != "sqlite":
                values[column] = cast(param, table.c[column].type)
                continue
        values[column] = param
    stmt = insert(table).values(values)
    digest = hashlib.sha256()
    rows = 0
    shown = time.monotonic()
    batch: list[dict[str, Any]] = []
    batch_bytes = 0
    lines = _lines(bundle, entry["file"], where)
    try:
        for line in lines:
            digest.update(line)
            batch_bytes += len(line)
            try:
                row = json.loads(line)
                batch.append({f"p_{c}": decode(k, v) for c, k, v in zip(names, kinds, row, strict=True)})
            except (ValueError, TypeError) as exc:
                raise _Damaged(f"{where}: {entry['file']} line {rows + 1} is damaged ({exc})") from None
            rows += 1
            if len(batch) >= CHUNK or batch_bytes >= BATCH_BYTES:
                conn.execute(stmt, batch)
                batch, batch_bytes = [], 0
                if progress is not None and time.monotonic() - shown >= PROGRESS_EVERY_S:
                    shown = time.monotonic()
                    progress(f"restore: {entry['name']}: {rows:,} of {entry['rows']:,} rows")
        if batch:
            conn.execute(stmt, batch)
    except DBAPIError:
        # A changed row can break a constraint before the checksum is known: if the rest of
        # the file shows the archive damaged, say that rather than the database's complaint.
        for line in lines:
            digest.update(line)
            rows += 1
        if digest.hexdigest() != entry["sha256"]:
            raise _Damaged(_mismatch(where, entry, rows)) from None
        raise
    if rows != entry["rows"] or digest.hexdigest() != entry["sha256"]:
        raise _Damaged(_mismatch(where, entry, rows))
    return rows


def _mismatch(where: str, entry: dict[str, Any], rows: int) -> str:
    return (f"{where}: {entry['file']} does not match the manifest ({rows:,} rows read, {entry['rows']:,} "
            "listed; or its sha256 differs): the backup is damaged or truncated")  # fmt: skip


def _lines(bundle: zipfile.ZipFile, member: str, where: str) -> Iterator[bytes]:
    try:
        with bundle.open(member) as stream:
            yield from stream
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:  # a failed CRC, a cut-off member
        raise _Damaged(f"{where}: {member} is damaged or truncated ({exc})") from None


def _move_sequences(conn: Connection, tables: list[Table]) -> None:
    """Explicit ids were inserted: the serial columns' sequences must continue after them."""
    for table in tables:
        for column in table.primary_key.columns:
            sequence = conn.execute(select(func.pg_get_serial_sequence(table.name, column.name))).scalar_one_or_none()
            if sequence is None:
                continue
            top = conn.execute(select(func.max(column))).scalar_one()
            conn.execute(select(func.setval(sequence, top if top is not None else 1, top is not None)))
