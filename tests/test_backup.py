"""`childwatch backup` / `restore` on SQLite and PostgreSQL (see pgtest.py), and across
them: every table comes back row for row, a backup of the restored database has the same
table files, and damaged archives and non-empty targets are refused with nothing written."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tracemalloc
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Text, cast, create_engine, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from childwatch import cli, review
from childwatch.records import Document
from childwatch.review.users import add_user, get_user_by_name
from childwatch.store import open_store
from childwatch.store.backup import backup_store, reflect
from childwatch.store.database import to_url
from childwatch.store.restore import restore_store
from childwatch.store.verify import verify_store
from pgtest import database_url
from test_evidence import build_rich_store

PAIRS = [("sqlite", "sqlite"), ("sqlite", "postgresql"), ("postgresql", "sqlite"), ("postgresql", "postgresql")]


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in primary-key order (text in byte order), values as the
    application sees them: datetimes in UTC, JSON as its stored text, binary as bytes."""
    engine = create_engine(to_url(url))
    try:
        with engine.connect() as conn:
            out = {table.name: _rows(conn, table) for table in reflect(conn)}
            out["alembic_version"] = [tuple(r) for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]
    finally:
        engine.dispose()
    return out


def _rows(conn: Connection, table: Any) -> list[tuple[Any, ...]]:
    from sqlalchemy import JSON, DateTime, LargeBinary, String

    pg = conn.dialect.name == "postgresql"
    columns = [cast(c, Text) if isinstance(c.type, JSON) else c for c in table.columns]
    order = [k.collate("C") if pg and isinstance(k.type, String) else k for k in table.primary_key.columns]
    rows = []
    for row in conn.execute(select(*columns).order_by(*order)):
        values = []
        for column, value in zip(table.columns, row, strict=True):
            if isinstance(column.type, DateTime) and value is not None:
                value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
            elif isinstance(column.type, LargeBinary) and value is not None:
                value = bytes(value)
            values.append(value)
        rows.append(tuple(values))
    return rows


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def rich_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A store of the parametrised source back-end with rows in every table."""
    backend = request.param
    (tmp_path / "source").mkdir()
    url = database_url(request, backend, tmp_path / "source")
    with open_store(url) as store:
        build_rich_store(store)
    yield url


@pytest.mark.parametrize(("rich_db", "target"), PAIRS, indirect=["rich_db"], ids=[f"{a}-to-{b}" for a, b in PAIRS])
def test_backup_and_restore_round_trip_every_table_exactly(
    rich_db: str, target: str, request: pytest.FixtureRequest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "first.cwbackup", tmp_path / "second.cwbackup"
    original = snapshot(rich_db)  # before the backup, which is then recorded in the audit log
    code, out, _ = run_cli(capsys, "backup", "--db", rich_db, "--out", str(first))
    assert code == 0 and "written to" in out
    recorded = snapshot(rich_db)["audit_events"][len(original["audit_events"]) :]
    assert [(r[2], r[8]) for r in recorded] == [("export", "backup")], recorded
    (tmp_path / "target").mkdir()
    restored = database_url(request, target, tmp_path / "target")
    code, out, err = run_cli(capsys, "restore", str(first), "--db", restored)
    assert code == 0, err
    assert "restored into" in out

    copy = snapshot(restored)
    assert set(copy) == set(original)
    for table, rows in original.items():
        assert rows, f"the rich store should have rows in {table}"
        assert copy[table] == rows, table

    code, _, _ = run_cli(capsys, "backup", "--db", restored, "--out", str(second))
    assert code == 0
    a, b = members(first), members(second)
    assert set(a) == set(b)
    for name in a:
        if name != "backup.json":
            assert a[name] == b[name], name
    manifests = [json.loads(m["backup.json"]) for m in (a, b)]
    for m in manifests:
        del m["created_at"], m["source_backend"]
    assert manifests[0] == manifests[1]

    # The restored store is a working store: hashes check, and new rows get new ids.
    with open_store(restored) as store:
        assert verify_store(store).ok
        top = max(r[0] for r in original["review_events"])
        newcomer = add_user(store, "newcomer", "a long passphrase", "analyst")
        assert newcomer.id > max(r[0] for r in original["users"])
        analyst = get_user_by_name(store, "analyst")
        assert analyst is not None
        incident = next(c.claim.incident_id for c in store.iter_claims() if c.claim.incident_id)
        event = review.reject_incident(store, analyst, incident, "after the restore")
        assert event.id > top


@pytest.mark.parametrize("rich_db", ["sqlite", "postgresql"], indirect=True)
def test_restore_refuses_a_database_that_holds_rows(
    rich_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "b.cwbackup"
    assert run_cli(capsys, "backup", "--db", rich_db, "--out", str(archive))[0] == 0
    before = snapshot(rich_db)
    code, _, err = run_cli(capsys, "restore", str(archive), "--db", rich_db)
    assert code == 2
    assert "is not empty: " in err and "claims (" in err and "restore into a new, empty database" in err
    assert snapshot(rich_db) == before


def damaged_copies(archive: Path, folder: Path) -> dict[str, tuple[Path, str]]:
    """{how: (damaged archive, what the message must say)}."""
    data = archive.read_bytes()
    truncated = folder / "truncated.cwbackup"
    truncated.write_bytes(data[: len(data) // 2])
    # One byte of the documents' compressed data flipped: the zip's own checks fail.
    flipped = folder / "flipped.cwbackup"
    with zipfile.ZipFile(archive) as z:
        info = z.getinfo("tables/documents.jsonl")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    spoiled = bytearray(data)
    spoiled[start + info.compress_size // 2] ^= 0xFF
    flipped.write_bytes(bytes(spoiled))
    # A row changed and the zip rebuilt around it: only the manifest's sha256 can tell. The
    # viewer made an admin; or renamed "admin", which the database refuses before the end
    # of the file (the message must still be about the archive).
    edited, renamed = folder / "edited.cwbackup", folder / "renamed.cwbackup"
    for path, old, new in ((edited, b'"viewer",true', b'"admin",true'), (renamed, b'"viewer"', b'"admin"')):
        with zipfile.ZipFile(archive) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for name in source.namelist():
                content = source.read(name)
                if name == "tables/users.jsonl":
                    assert old in content
                    content = content.replace(old, new, 1)
                out.writestr(name, content)
    cut = folder / "cut.cwbackup"  # a table file ending early, consistently zipped
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(cut, "w", zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            content = source.read(name)
            if name == "tables/claims.jsonl":
                content = b"".join(content.splitlines(keepends=True)[:-2])
            out.writestr(name, content)
    not_backup = folder / "bundle.zip"
    with zipfile.ZipFile(not_backup, "w") as out:
        out.writestr("manifest.json", "{}")
    return {
        "truncated": (truncated, "is not a complete backup (damaged or truncated"),
        "flipped": (flipped, "tables/documents.jsonl"),
        "edited": (edited, "tables/users.jsonl does not match the manifest"),
        "renamed": (renamed, "tables/users.jsonl does not match the manifest"),
        "cut": (cut, "tables/claims.jsonl does not match the manifest"),
        "not a backup": (not_backup, "is not a childwatch backup (it has no backup.json)"),
    }


@pytest.mark.parametrize("target", ["sqlite", "postgresql"])
def test_restore_refuses_a_damaged_or_truncated_archive_and_writes_nothing(
    target: str, request: pytest.FixtureRequest, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(tmp_path / "source.sqlite") as store:
        build_rich_store(store)
        archive = tmp_path / "good.cwbackup"
        backup_store(store, archive)
    for how, (damaged, says) in damaged_copies(archive, tmp_path).items():
        folder = tmp_path / how.replace(" ", "-")
        folder.mkdir()
        url = database_url(request, target, folder)
        code, _, err = run_cli(capsys, "restore", str(damaged), "--db", url)
        assert code == 2, how
        assert str(damaged) in err and says in err and "damaged" in err, (how, err)
        if target == "sqlite":
            assert not Path(url).exists(), how  # the new file is not left behind
        else:
            engine = create_engine(to_url(url))
            with engine.connect() as conn:
                assert inspect(conn).get_table_names() == [], how  # the schema was rolled back too
            engine.dispose()
    # The good archive still restores.
    (tmp_path / "good").mkdir()
    assert run_cli(capsys, "restore", str(archive), "--db", database_url(request, target, tmp_path / "good"))[0] == 0


def test_backup_and_restore_hold_a_few_originals_in_memory_not_the_store(tmp_path: Path) -> None:
    """150 originals of 400 KB (60 MB, text as much again): backup and restore hold a chunk
    at a time (about 16 documents), not the store."""
    size, count = 400_000, 150
    with open_store(tmp_path / "big.sqlite") as store:
        for first in range(0, count, 25):
            docs = []
            for i in range(first, first + 25):
                raw = (f"report {i:04d} " * (size // 12 + 1))[:size].encode()
                doc = Document(id=f"big-{i:04d}", text=raw.decode(), raw=raw, sha256=hashlib.sha256(raw).hexdigest(),
                               origin="generated", media_type="text/plain")  # fmt: skip
                docs.append((doc, []))
            store.write_batch(docs)
        del docs, doc, raw
        archive = tmp_path / "big.cwbackup"
        tracemalloc.start()
        try:
            backup_store(store, archive)
            backup_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
            restore_store(archive, tmp_path / "restored.sqlite")
            restore_peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    total = size * count
    print(f"peak traced memory: backup {backup_peak:,}, restore {restore_peak:,}, originals {total:,} bytes")
    assert backup_peak < total / 2, f"backup peaked at {backup_peak:,} bytes for {total:,} bytes of originals"
    assert restore_peak < total / 2, f"restore peaked at {restore_peak:,} bytes for {total:,} bytes of originals"
    with open_store(tmp_path / "restored.sqlite") as copy:
        report = verify_store(copy)
        assert report.ok and report.documents == count and report.bytes == total


def test_backup_of_an_empty_store_restores_to_an_empty_store(tmp_path: Path) -> None:
    with open_store(tmp_path / "empty.sqlite") as store:
        summary = backup_store(store, tmp_path / "empty.cwbackup")
    assert sum(summary.rows.values()) == 0
    restored = restore_store(tmp_path / "empty.cwbackup", tmp_path / "copy.sqlite")
    assert sum(restored.rows.values()) == 0 and restored.revision == summary.revision
    assert snapshot(str(tmp_path / "copy.sqlite")) == snapshot(str(tmp_path / "empty.sqlite"))


def test_created_at_is_recorded_in_utc(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.sqlite") as store:
        backup_store(store, tmp_path / "s.cwbackup")
    manifest = json.loads(members(tmp_path / "s.cwbackup")["backup.json"])
    created = datetime.fromisoformat(manifest["created_at"])
    assert created.utcoffset() is not None and abs((datetime.now(UTC) - created).total_seconds()) < 60


def test_a_backup_of_an_older_schema_is_restored_and_then_migrated(tmp_path: Path) -> None:
    """A backup made before later migrations: restore builds its schema, loads it, then
    brings it up to date (here from 0005, before the evidence triggers)."""
    from alembic import command
    from sqlalchemy import insert

    from childwatch.store import Store
    from childwatch.store.database import DOCS, make_engine
    from childwatch.store.migrations import alembic_config, head
    from childwatch.store.models import document_row

    url = to_url(tmp_path / "old.sqlite")
    engine = make_engine(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(url, conn), "0005")
        raw = b"Gunmen abducted 4 children near Gao."
        doc = Document(id="old-1", text=raw.decode(), raw=raw, sha256=hashlib.sha256(raw).hexdigest(),
                       origin="old.json", media_type="text/plain", metadata={"note": None})  # fmt: skip
        row = document_row(doc, "0.0.9", datetime(2025, 1, 2, tzinfo=UTC))
        del row["child_names"]  # a column of 0010
        conn.execute(insert(DOCS), [row])
    summary = backup_store(Store(engine, "old.sqlite"), tmp_path / "old.cwbackup")
    engine.dispose()
    assert summary.revision == "0005"
    restored = restore_store(tmp_path / "old.cwbackup", tmp_path / "new.sqlite")
    assert restored.revision == "0005"
    copy = snapshot(str(tmp_path / "new.sqlite"))
    assert copy["alembic_version"] == [(head(),)]
    # The same rows, with the children's names that migration 0010 found (none here).
    assert [r[:-1] for r in copy["documents"]] == snapshot(str(tmp_path / "old.sqlite"))["documents"]
    assert [r[-1] for r in copy["documents"]] == ["[]"]
    with open_store(tmp_path / "new.sqlite") as store:
        assert store.document("old-1") == dataclasses.replace(doc, child_names=[])
        # Migration 0006 was applied after the load: the document is protected now.
        with pytest.raises(DBAPIError, match="stored documents are evidence"), store.engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM documents")
