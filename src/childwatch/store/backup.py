"""Backups: every table of a store in one portable archive, for SQLite and PostgreSQL alike
(and across them); `childwatch.store.restore` reads it back into an empty database.

    summary = backup_store(store, Path("childwatch-2026-12-04.cwbackup"))

The archive is a zip::

    backup.json            format, version, creation time, schema revision, and per table
                           its file, columns (name and kind), row count and sha256
    tables/<table>.jsonl   one JSON array per row, columns in the listed order

Values are written by kind, so that they mean the same on either back-end: "bytes" as
base64, "datetime" as ISO 8601 in UTC, "json" as the column's JSON text exactly as stored
(a SQL NULL stays null, a JSON null stays "null"), anything else (text, numbers, booleans)
as JSON values. Rows are in primary-key order (byte order for text, whatever the server's
collation), so backing up a restored store gives the same table files again.

Tables are read in one snapshot (a read transaction; REPEATABLE READ on PostgreSQL) and
streamed a chunk at a time: memory stays bounded however large the store. The archive is
written beside its target and renamed into place when complete.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import time
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    cast,
    inspect,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import SAWarning

from childwatch.errors import ChildwatchError
from childwatch.store import Store
from childwatch.store.models import Base, utcnow
from childwatch.version import __version__

__all__ = ["BackupSummary", "backup_store"]

FORMAT = "childwatch-backup"
VERSION = 1
MANIFEST = "backup.json"
SKIP = frozenset({"alembic_version"})  # the revision is recorded in the manifest instead
CHUNK = 500  # rows per fetch and per insert
# Tables with binary columns hold originals (PDFs of megabytes): fewer rows at a time, and
# an insert batch is also cut at BATCH_BYTES of archive lines.
BLOB_CHUNK = 16
BATCH_BYTES = 8 * 1024 * 1024
PROGRESS_EVERY_S = 2.0


@dataclass(slots=True)
class BackupSummary:
    path: Path
    revision: str
    rows: dict[str, int] = field(default_factory=dict)
    bytes: int = 0  # of the archive
    seconds: float = 0.0

    def line(self) -> str:
        total = sum(self.rows.values())
        counts = ", ".join(f"{n:,} {t}" for t, n in self.rows.items() if n)
        return (f"{total:,} rows of {len(self.rows)} tables ({counts}) written to {self.path} "
                f"({self.bytes:,} bytes, schema {self.revision}) in {self.seconds:.1f}s")  # fmt: skip


# --- shared with childwatch.store.restore ----------------------------------------------------------


def kind_of(column: Column[Any]) -> str:
    """How a column's values are written: bytes, datetime, json or value."""
    if isinstance(column.type, LargeBinary):
        return "bytes"
    if isinstance(column.type, DateTime):
        return "datetime"
    if isinstance(column.type, JSON):
        return "json"
    return "value"


def encode(kind: str, value: Any) -> Any:
    if value is None or kind in ("value", "json"):
        return value
    if kind == "bytes":
        return base64.b64encode(bytes(value)).decode("ascii")
    moment: datetime = value if value.tzinfo is not None else value.replace(tzinfo=UTC)  # SQLite: naive UTC
    return moment.astimezone(UTC).isoformat()


def decode(kind: str, value: Any) -> Any:
    if value is None or kind in ("value", "json"):
        return value
    if kind == "bytes":
        return base64.b64decode(value, validate=True)
    return datetime.fromisoformat(value)


def line_of(values: list[Any]) -> bytes:
    # allow_nan: a float column may hold NaN or infinities, which must come back as they were.
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"), allow_nan=True).encode("utf-8") + b"\n"


def member(name: str) -> zipfile.ZipInfo:
    """A member with a fixed date, so that equal content gives equal members."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def reflect(conn: Connection) -> list[Table]:
    """childwatch's tables as the database has them (its columns at its own revision), in
    foreign-key order (parents first). Tables of other applications sharing the database
    are left out, as is SKIP."""
    ours = [name for name in inspect(conn).get_table_names() if name in Base.metadata.tables]
    metadata = MetaData()
    with warnings.catch_warnings():
        # Expression indexes (migration 0005) are not reflected; only tables and columns matter here.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", SAWarning)
        metadata.reflect(conn, only=ours)
    return [t for t in metadata.sorted_tables if t.name not in SKIP]


# --- backup ------------------------------------------------------------------------------------


def backup_store(store: Store, out: Path, *, progress: Callable[[str], None] | None = None) -> BackupSummary:
    """Write every table of `store` to the archive `out`; StoreError if it can't be read."""
    target = out.expanduser()
    if not target.parent.is_dir():
        raise ChildwatchError(f"{out}: folder {target.parent} does not exist (create it first)")
    started = time.monotonic()
    temp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    try:
        with store.reading() as plain:
            conn = plain.execution_options(isolation_level="REPEATABLE READ") if _server(plain) else plain
            with conn.begin():
                heads = MigrationContext.configure(conn).get_current_heads()
                summary = BackupSummary(target, ",".join(heads))
                tables = []
                with zipfile.ZipFile(temp, "x", allowZip64=True) as archive:
                    for table in reflect(conn):
                        tables.append(_write_table(conn, table, archive, summary, progress))
                    manifest = {
                        "format": FORMAT,
                        "version": VERSION,
                        "created_at": utcnow().isoformat(),
                        "childwatch_version": __version__,
                        "schema_revision": summary.revision,
                        "source_backend": conn.dialect.name,
                        "tables": tables,
                    }
                    archive.writestr(member(MANIFEST), json.dumps(manifest, indent=2) + "\n")
        with temp.open("rb") as written:  # durable before it replaces anything
            os.fsync(written.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    summary.bytes = target.stat().st_size
    summary.seconds = time.monotonic() - started
    return summary


def _server(conn: Connection) -> bool:
    return conn.dialect.name != "sqlite"


def _write_table(
    conn: Connection, table: Table, archive: zipfile.ZipFile, summary: BackupSummary,
    progress: Callable[[str], None] | None,
) -> dict[str, Any]:  # fmt: skip
    columns = list(table.columns)
    kinds = [kind_of(c) for c in columns]
    # JSON is read as its stored text, so that it comes back byte for byte.
    selected = [cast(c, Text).label(c.name) if k == "json" else c for c, k in zip(columns, kinds, strict=True)]
    stmt = select(*selected).order_by(*_order(conn, table))
    name = f"tables/{table.name}.jsonl"
    digest = hashlib.sha256()
    rows = 0
    shown = time.monotonic()
    with archive.open(member(name), "w", force_zip64=True) as stream:
        chunk = BLOB_CHUNK if "bytes" in kinds else CHUNK
        for row in conn.execution_options(yield_per=chunk).execute(stmt):
            line = line_of([encode(k, v) for k, v in zip(kinds, row, strict=True)])
            stream.write(line)
            digest.update(line)
            rows += 1
            if progress is not None and time.monotonic() - shown >= PROGRESS_EVERY_S:
                shown = time.monotonic()
                progress(f"backup: {table.name}: {rows:,} rows")
    summary.rows[table.name] = rows
    return {
        "name": table.name,
        "file": name,
        "columns": [{"name": c.name, "kind": k} for c, k in zip(columns, kinds, strict=True)],
        "rows": rows,
        "sha256": digest.hexdigest(),
    }


def _order(conn: Connection, table: Table) -> list[Any]:
    """Primary key order (every column where there is none); text in byte order on
    PostgreSQL too (collation "C"), so that the order is the same on both back-ends."""
    keys = list(table.primary_key.columns) or list(table.columns)
    if conn.dialect.name != "postgresql":
        return keys
    return [k.collate("C") if isinstance(k.type, String) and not isinstance(k.type, postgresql.ENUM) else k
            for k in keys]  # fmt: skip
