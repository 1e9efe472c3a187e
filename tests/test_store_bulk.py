"""Bulk writes (`store.bulk`): rows written through the driver land as SQLAlchemy would
write them, in a real SQLite file, and a name that is not one of the table's columns is
refused before any SQL text is built with it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, String, Table, create_engine, select

from childwatch.store.bulk import insert_rows, update_rows

METADATA = MetaData()
NOTES = Table("notes", METADATA, Column("id", Integer, primary_key=True), Column("body", String),
              Column("tags", JSON))  # fmt: skip


def test_rows_written_in_bulk_read_back_and_unknown_columns_are_refused(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'bulk.sqlite'}")
    METADATA.create_all(engine)
    with engine.begin() as conn:
        insert_rows(conn, NOTES, ["id", "body", "tags"], [(1, "first", ["a"]), (2, "second", {"k": 1})])
        update_rows(conn, NOTES, ["body"], "id", [("changed", 2)])
    with engine.connect() as conn:
        rows = conn.execute(select(NOTES).order_by(NOTES.c.id)).all()
    assert [tuple(r) for r in rows] == [(1, "first", ["a"]), (2, "changed", {"k": 1})]
    with engine.begin() as conn, pytest.raises(ValueError, match="no column body; DROP"):
        insert_rows(conn, NOTES, ["id", "body; DROP"], [(3, "x")])
    with engine.begin() as conn, pytest.raises(ValueError, match="no column nope"):
        update_rows(conn, NOTES, ["body"], "nope", [("x", 1)])
