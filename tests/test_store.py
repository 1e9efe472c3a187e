"""The store against a real SQLite file and a real PostgreSQL server (started by the tests,
see pgtest.py): every test taking `store` or `db_url` runs on both back-ends."""

from __future__ import annotations

import hashlib
import io
import sqlite3
import threading
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from childwatch.errors import InputError, StoreError
from childwatch.records import Claim, DateRange, Document, Location, Span, Victims
from childwatch.store import RunCounts, Store, open_store
from childwatch.store.migrations import alembic_config, head
from childwatch.store.models import Base
from pgtest import BACKENDS, database_url

TEXT = (
    "Islamic State militants abducted at least 500 children from Anbar and Diyala in June, "
    "Iraqi authorities said. Boys as young as 12 were taken to training camps."
)


def make_doc(doc_id: str = "doc-1", text: str = TEXT, **extra: object) -> Document:
    raw = text.encode("utf-8")
    return Document(
        id=doc_id,
        text=text,
        raw=raw,
        sha256=hashlib.sha256(raw).hexdigest(),
        origin=f"reports.jsonl:{doc_id}",
        media_type="text/plain",
        **extra,  # type: ignore[arg-type]
    )


def span(text: str, part: str) -> Span:
    start = text.index(part)
    return Span(start, start + len(part), part)


def full_claim(doc_id: str = "doc-1", text: str = TEXT) -> Claim:
    """A claim with every field and every span set."""
    return Claim(
        doc_id=doc_id,
        violation="abduction",
        kind="aggregate",
        evidence=span(text, "Islamic State militants abducted at least 500 children"),
        perpetrator="Islamic State",
        perpetrator_id="islamic_state",
        perpetrator_span=span(text, "Islamic State"),
        victims=Victims(
            count=500,
            count_low=500,
            count_high=None,
            qualifier="at least",
            age_min=12,
            age_max=17,
            sex="male",
            group="Yazidi",
            count_span=span(text, "at least 500"),
            age_span=span(text, "as young as 12"),
            sex_span=span(text, "Boys"),
            group_span=span(text, "children"),
        ),
        location=Location(
            name="Anbar",
            admin1="Anbar",
            country="IQ",
            lat=33.4,
            lon=43.3,
            precision="admin1",
            place_id="gn:91540",
            span=span(text, "Anbar"),
        ),
        date=DateRange(start="2015-06", end="2015-06", precision="month", span=span(text, "in June")),
        source="Iraqi authorities",
        source_id="iraqi_government",
        source_span=span(text, "Iraqi authorities"),
        graphic=True,
        confidence=0.87,
        trigger=span(text, "abducted"),
        mentions=[span(text, "Boys as young as 12 were taken"), span(text, "training camps")],
        incident_id="inc-42",
    )


def simple_claim(doc_id: str, violation: str = "killing_maiming", country: str | None = None) -> Claim:
    return Claim(
        doc_id=doc_id,
        violation=violation,  # type: ignore[arg-type]
        kind="incident",
        evidence=Span(0, 10, TEXT[:10]),
        location=Location(country=country),
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "childwatch.sqlite"


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh database: a SQLite file, then a new database on the test PostgreSQL server."""
    return database_url(request, request.param, tmp_path)


@pytest.fixture
def store(db_url: str):
    with open_store(db_url) as opened:
        yield opened


# --- opening and migrating ---------------------------------------------------------------


def test_open_creates_every_table_at_the_newest_revision(store: Store) -> None:
    with store.engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert {"documents", "claims", "runs", "ingest_errors"} <= tables
    assert version == head()


# SQLite's reflection cannot read indexes on expressions (migration 0005's); their names
# are checked from sqlite_master below instead.
EXPRESSION_INDEXES = "ignore:Skipped unsupported reflection of expression-based index"


@pytest.mark.filterwarnings(EXPRESSION_INDEXES)
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_models_and_migrations_agree(store: Store) -> None:
    # The search index (migration 0014) is no model: on SQLite it is an FTS5 virtual table
    # with its shadow tables, and it is rebuilt from the documents (store/search.py).
    def ours(name: str | None, kind: str, _: object) -> bool:
        return not (kind == "table" and name is not None and name.startswith("search_"))

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": ours})
        assert compare_metadata(context, Base.metadata) == []


@pytest.mark.filterwarnings(EXPRESSION_INDEXES)
def test_constraint_names_match_the_models(store: Store) -> None:
    # compare_metadata ignores CHECK constraints and some names; compare those here.
    with store.engine.connect() as conn:
        db = inspect(conn)
        for table in Base.metadata.sorted_tables:
            want = {c.name for c in table.constraints if c.name and not c.name.startswith("pk_")}
            have = {c["name"] for c in db.get_check_constraints(table.name)}
            have |= {c["name"] for c in db.get_foreign_keys(table.name)}
            have |= {c["name"] for c in db.get_unique_constraints(table.name)}
            assert have == want, table.name
            assert db.get_pk_constraint(table.name)["name"] == f"pk_{table.name}"
            if conn.dialect.name == "sqlite":  # its reflection skips indexes on expressions
                sql = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t AND sql IS NOT NULL"
                indexes = set(conn.execute(text(sql), {"t": table.name}).scalars())
            else:
                indexes = {i["name"] for i in db.get_indexes(table.name) if not i.get("duplicates_constraint")}
            assert indexes == {i.name for i in table.indexes}


def test_migration_renders_for_postgresql() -> None:
    buffer = io.StringIO()
    config = alembic_config("postgresql+psycopg://user@localhost/childwatch")
    config.output_buffer = buffer
    command.upgrade(config, "head", sql=True)
    sql = buffer.getvalue()
    assert "CREATE TABLE claims" in sql
    assert "BYTEA" in sql and "JSON" in sql and "TIMESTAMP WITH TIME ZONE" in sql


def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(db_path: Path) -> None:
    with open_store(db_path) as store, store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000


def test_reopening_keeps_the_data(db_url: str) -> None:
    with open_store(db_url) as store:
        store.write_batch([(make_doc(), [full_claim()])])
    with open_store(str(db_url)) as store:
        assert store.counts().documents == 1
        assert [s.claim for s in store.iter_claims()] == [full_claim()]


def test_a_file_that_is_not_a_database_is_refused_by_name(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("these are my notes, not a database\n" * 200)
    with pytest.raises(StoreError, match=r"notes\.txt is not a SQLite database"):
        open_store(notes)
    assert notes.read_text().startswith("these are my notes")


def _execute(db_url: str, sql: str) -> None:
    """Run `sql` on the database behind the side of childwatch (sqlite3 or the server)."""
    if "://" not in db_url:
        with sqlite3.connect(db_url) as conn:
            conn.execute(sql)
        return
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text(sql))
    engine.dispose()


def test_a_database_from_a_newer_childwatch_is_refused(db_url: str) -> None:
    open_store(db_url).close()
    _execute(db_url, "UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(StoreError, match=r"(childwatch\.sqlite|childwatch_test_\w+) .*newer version"):
        open_store(db_url)


def test_a_foreign_database_with_our_table_names_is_refused(db_url: str) -> None:
    _execute(db_url, "CREATE TABLE documents (name TEXT)")
    with pytest.raises(StoreError, match="not made by childwatch"):
        open_store(db_url)


def test_a_missing_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        open_store(tmp_path / "nowhere" / "db.sqlite")


# --- documents ---------------------------------------------------------------------------


def test_adding_the_same_document_twice_is_a_no_op(store: Store) -> None:
    doc = make_doc(title="Children abducted", published="2015-07-06", metadata={"feed": "x", "n": 3})
    assert store.add_document(doc, extractor_version="0.1.0") is True
    assert store.add_document(doc) is False
    assert store.counts().documents == 1
    assert store.document("doc-1") == doc
    assert store.document("missing") is None
    assert store.document_hashes(["doc-1", "missing"]) == {"doc-1": doc.sha256}


def test_same_id_with_other_content_is_refused_and_the_stored_one_kept(store: Store) -> None:
    original = make_doc()
    store.add_document(original)
    with pytest.raises(InputError, match=r"doc-1.*already stored with other content"):
        store.add_document(make_doc(text=TEXT + " Updated."))
    assert store.document("doc-1") == original


def test_raw_bytes_are_kept_exactly(store: Store) -> None:
    doc = make_doc()
    doc.raw = b"\xef\xbb\xbf<html>\x00\xff caf\xc3\xa9</html>"
    store.add_document(doc)
    stored = store.document("doc-1")
    assert stored is not None and stored.raw == doc.raw


# --- claims ------------------------------------------------------------------------------


def test_a_claim_with_every_field_survives_the_round_trip(store: Store) -> None:
    claim = full_claim()
    store.write_batch([(make_doc(), [claim])])
    (stored,) = list(store.iter_claims())
    assert stored.claim == claim
    assert isinstance(stored.id, int)


def test_a_minimal_claim_survives_the_round_trip(store: Store) -> None:
    claim = simple_claim("doc-1")
    store.write_batch([(make_doc(), [claim])])
    assert [s.claim for s in store.iter_claims()] == [claim]


def test_replace_claims_swaps_them_atomically(store: Store) -> None:
    store.write_batch([(make_doc(), [simple_claim("doc-1"), simple_claim("doc-1")])])
    assert store.replace_claims("doc-1", [full_claim()], extractor_version="0.2.0") == 1
    assert [s.claim for s in store.iter_claims()] == [full_claim()]

    with pytest.raises(StoreError, match="'other'"):
        store.replace_claims("doc-1", [full_claim(), simple_claim("other")])
    with pytest.raises(StoreError, match="violation"):
        store.replace_claims("doc-1", [simple_claim("doc-1", violation="genocide")])
    assert [s.claim for s in store.iter_claims()] == [full_claim()]

    with pytest.raises(StoreError, match="no document 'nope'"):
        store.replace_claims("nope", [])


def test_iter_claims_filters_and_orders(store: Store) -> None:
    store.write_batch(
        [
            (make_doc("b"), [simple_claim("b", "abduction", "SY"), simple_claim("b", country="IQ")]),
            (make_doc("a"), [simple_claim("a", "abduction", "IQ")]),
        ]
    )
    assert [(s.claim.doc_id, s.claim.violation) for s in store.iter_claims()] == [
        ("a", "abduction"),
        ("b", "abduction"),
        ("b", "killing_maiming"),
    ]
    assert [s.claim.doc_id for s in store.iter_claims(violation="abduction", country="IQ")] == ["a"]
    assert [s.claim.location.country for s in store.iter_claims(doc_id="b", batch_size=1)] == ["SY", "IQ"]


# --- batches -----------------------------------------------------------------------------


def test_write_batch_reports_new_unchanged_and_conflicting_documents(store: Store) -> None:
    store.write_batch([(make_doc("old"), [simple_claim("old")])])
    result = store.write_batch(
        [
            (make_doc("new"), [simple_claim("new"), full_claim("new")]),
            (make_doc("old"), [simple_claim("old"), simple_claim("old")]),
            (make_doc("new", text="changed"), []),
        ]
    )
    assert result.new == ["new"]
    assert result.unchanged == ["old"]
    assert [e.where for e in result.conflicts] == ["reports.jsonl:new"]
    assert result.claims == 2
    assert store.counts().claims == 3  # the unchanged document kept its one claim


def _snapshot(store: Store) -> tuple[list[Document | None], list[Claim]]:
    return [store.document(i) for i in ("before", "first", "second")], [s.claim for s in store.iter_claims()]


def test_a_batch_failing_midway_leaves_nothing_half_written(store: Store) -> None:
    store.write_batch([(make_doc("before"), [full_claim("before")])])
    before = _snapshot(store)
    bad = [
        (make_doc("first"), [full_claim("first")]),
        (make_doc("second"), [simple_claim("second"), simple_claim("second", violation="genocide")]),
    ]
    # The documents are inserted before the claims; the check constraint fails on the last.
    with pytest.raises(StoreError, match="nothing of this write was stored"):
        store.write_batch(bad)
    assert _snapshot(store) == before
    assert store.counts().documents == 1


def test_a_batch_with_unstorable_metadata_leaves_nothing_written(store: Store) -> None:
    store.write_batch([(make_doc("before"), [])])
    bad: list[tuple[Document, list[Claim]]] = [
        (make_doc("first"), []),
        (make_doc("second", metadata={"parsed": object()}), []),
    ]
    with pytest.raises(StoreError):
        store.write_batch(bad)
    assert store.counts().documents == 1


def test_concurrent_writers_wait_their_turn(db_url: str) -> None:
    open_store(db_url).close()
    failures: list[BaseException] = []

    def writer(prefix: str) -> None:
        try:
            with open_store(db_url) as own:
                for i in range(15):
                    doc_id = f"{prefix}-{i}"
                    own.write_batch([(make_doc(doc_id), [simple_claim(doc_id)])])
                    own.document_hashes([doc_id])
        except BaseException as exc:  # reported below, in the test's thread
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(p,)) for p in "abc"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with open_store(db_url) as store:
        assert store.counts().claims == 45


# --- runs --------------------------------------------------------------------------------


def test_a_run_records_its_counts_and_errors(store: Store) -> None:
    run_id = store.begin_run(extractor_version="0.1.0")
    store.record_error(run_id, "feed.jsonl:7", "not valid JSON: Expecting ',' delimiter")
    counts = RunCounts(docs_read=10, docs_new=8, docs_skipped=1, docs_failed=1, claims=12)
    counts.errors["InputError"] = 1
    store.finish_run(run_id, counts)

    run = store.run(run_id)
    assert run is not None
    assert run.counts == counts
    assert run.extractor_version == "0.1.0"
    assert run.finished_at is not None and run.finished_at >= run.started_at
    assert run.started_at.tzinfo is not None
    (error,) = store.errors(run_id)
    assert (error.where, error.message) == ("feed.jsonl:7", "not valid JSON: Expecting ',' delimiter")
    assert store.run(run_id + 1) is None
    with pytest.raises(StoreError, match="no run"):
        store.finish_run(run_id + 1, RunCounts())
    assert store.counts().runs == 1 and store.counts().ingest_errors == 1


# --- PostgreSQL ----------------------------------------------------------------------------


def test_postgresql_urls_without_a_driver_use_psycopg() -> None:
    from childwatch.store.database import to_url

    assert to_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert to_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert to_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"


def test_an_unreachable_server_is_named_without_its_password() -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(StoreError) as caught:
        open_store(f"postgresql://analyst:s3cret-pw@127.0.0.1:{port}/childwatch")
    message = str(caught.value)
    assert f"cannot connect to postgresql+psycopg://analyst:***@127.0.0.1:{port}/childwatch" in message
    assert "is the server running" in message
    assert "s3cret-pw" not in message


def test_a_missing_postgresql_database_says_to_create_it(postgres_databases) -> None:
    from sqlalchemy.engine import make_url

    url = make_url(postgres_databases.new()).set(database="no_such_db").render_as_string(hide_password=False)
    with pytest.raises(StoreError, match=r"cannot connect to .*no_such_db: the database or user does not exist"):
        open_store(url)


def test_postgresql_engine_pools_connections(postgres_databases) -> None:
    from childwatch.store.database import POOL_SIZE

    with open_store(postgres_databases.new()) as store:
        assert store.engine.pool.size() == POOL_SIZE  # type: ignore[attr-defined]
        assert store.engine.dialect.driver == "psycopg"


def test_migration_0010_finds_the_names_of_reports_stored_before(tmp_path: Path) -> None:
    """Reports stored before names were kept at ingest get theirs when the store is upgraded."""
    db = tmp_path / "old.sqlite"
    url = f"sqlite:///{db}"
    command.upgrade(alembic_config(url), "0009")
    raw = sqlite3.connect(db)
    raw.execute(
        "INSERT INTO documents (id, sha256, origin, media_type, title, text, raw, metadata, captured_at) "
        "VALUES ('old-1', 'x', 'old.json', 'application/json', 'SCHOOLGIRL AMINA YUSUF FREED', "
        "'A 12-year-old schoolgirl, Amina Yusuf, was freed on Monday.', x'00', '{}', '2024-01-01 00:00:00')"
    )
    raw.commit()
    raw.close()
    with open_store(db) as store, store.engine.connect() as conn:
        stored = conn.execute(text("SELECT child_names FROM documents WHERE id = 'old-1'")).scalar_one()
    assert stored == '["Amina Yusuf"]'
