"""Many rows written at once through the driver's `executemany`, for resolution's large
writes (20 band keys a document, a row per claim and per log entry).

SQLAlchemy's Core `execute(insert(table), [dicts])` builds each row's parameters through
the compiled statement, about 5 µs a row: at a million claims, a minute of a run that must
take five. Here the statement is written once and each value goes through its column
type's own bind processor (JSON serialised, dates formatted as SQLAlchemy would), so the
rows stored are the same; only the per-row bookkeeping is gone.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from sqlalchemy import Column, Connection, Table

# Rows per executemany: the parameters of a large transaction, a batch at a time.
BATCH = 10_000


@contextmanager
def foreign_keys(conn: Connection, checked: bool) -> Iterator[None]:
    """Foreign keys checked (by default) or not, in SQLite, until the block ends: set
    outside a transaction, for rows copied from a table whose own keys checked them (a
    check per row of millions of band keys, each a lookup among all documents' ids, was
    two thirds of filing them)."""
    raw = None if checked or conn.dialect.name != "sqlite" else conn.connection.driver_connection
    if raw is not None:
        raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        if raw is not None:
            raw.execute("PRAGMA foreign_keys=ON")


def _known(table: Table, columns: Sequence[str]) -> None:
    """The names put into the SQL text are the table's own columns, never anything else."""
    unknown = [c for c in columns if c not in table.c]
    if unknown:
        raise ValueError(f"{table.name} has no column {', '.join(unknown)}")


def _marker(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def processor(conn: Connection, column: Column[Any]) -> Callable[[Any], Any]:
    """What turns a value of the column into the driver's (JSON serialised, say): to
    process a value once that goes into two tables (see `processed`)."""
    dialect = conn.dialect
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return process if process is not None else _same


def _same(value: Any) -> Any:
    return value


def _processors(
    conn: Connection, table: Table, columns: Sequence[str], processed: Collection[str] = ()
) -> list[Callable[[Any], Any] | None]:
    dialect = conn.dialect
    return [
        None if name in processed else table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        for name in columns
    ]


def _run(
    conn: Connection, sql: str, processors: list[Callable[[Any], Any] | None], rows: Iterable[Sequence[Any]]
) -> None:
    convert = [(n, p) for n, p in enumerate(processors) if p is not None]
    if convert:
        rows = (_processed(row, convert) for row in rows)
    rows = iter(rows)
    while batch := list(islice(rows, BATCH)):
        conn.exec_driver_sql(sql, batch)


def _processed(row: Sequence[Any], convert: list[tuple[int, Callable[[Any], Any]]]) -> tuple[Any, ...]:
    values = list(row)
    for n, process in convert:
        values[n] = process(values[n])
    return tuple(values)


def insert_rows(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    processed: Collection[str] = (),
) -> None:
    """INSERT each row (a tuple of values in the order of `columns`; those of `processed`
    columns already in the driver's form, see `processor`)."""
    _known(table, columns)
    marks = ", ".join([_marker(conn)] * len(columns))
    sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
    _run(conn, sql, _processors(conn, table, columns, processed), rows)


def update_rows(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    key: str,
    rows: Iterable[Sequence[Any]],
    *,
    processed: Collection[str] = (),
) -> None:
    """UPDATE `columns` of the row whose `key` is each row's last value (a tuple of values
    in the order of `columns`, then the key; as in `insert_rows` for `processed`)."""
    _known(table, [*columns, key])
    mark = _marker(conn)
    sql = f"UPDATE {table.name} SET {', '.join(f'{c} = {mark}' for c in columns)} WHERE {key} = {mark}"
    _run(conn, sql, _processors(conn, table, [*columns, key], processed), rows)
