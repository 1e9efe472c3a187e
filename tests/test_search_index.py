"""The search index (migration 0014, read/search.py, store/search.py): reports as people
see them, names pseudonymised, searched through FTS5 on SQLite and pg_trgm on
PostgreSQL with the same results, and the same results before a report is indexed
(read directly) as after."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select

from childwatch.read.search import Matches, find, index_pending
from childwatch.records import Document
from childwatch.store import Store, open_store
from childwatch.store import search as index
from childwatch.store.migrations import alembic_config
from pgtest import BACKENDS, database_url
from test_pseudonymised_outputs import (  # noqa: F401  (fixtures, and the test run again over the index)
    DataSet,
    data,
    named_db,
    samples_db,
)
from test_pseudonymised_outputs import test_searching_for_a_childs_name_finds_nothing as no_child_found

# Our own reports (fictional), with the children's names found at ingest stored with them.
REPORTS = [
    ("r-amina", "Schoolgirl Amina Yusuf freed",
     "Amina Yusuf, 12, was freed on Monday in Konduga. Her school reopened; 30% of pupils returned.",
     ["Amina Yusuf"]),
    ("r-konduga", "Attack near Konduga",
     "Gunmen abducted children near Konduga. Aminata, a nurse, said the road_block was gone, \"a disgrace\".", []),
    ("r-ecole", "ÉCOLE FERMÉE À GAO",
     "L'École des filles de Gao est fermée depuis mars; les élèves sont à la maison.", []),
    ("r-ali", "Boy shot in Kharkiv",
     "Ali Hassan, 9, was wounded in Kharkiv. Governor Ali Hassan Omar visited the hospital.", ["Ali Hassan"]),
]  # fmt: skip
QUERIES = ["amina", "Amina Yusuf", "yusuf", "konduga", "KONDUGA", "aminata", "école", "ÉLÈVES", "gao",
           "30%", "road_block", "[child", "ali hassan", "governor ali", "hospital", "zz", "a", "no such words",
           "*", "?", "[", "fermée à", '"a disgrace"', 'gone, "a', '"']  # fmt: skip


def report(doc_id: str, title: str, text: str, names: list[str]) -> Document:
    return Document(id=doc_id, text=text, raw=text.encode(), sha256=hashlib.sha256(text.encode()).hexdigest(),
                    origin="test", media_type="text/plain", title=title, child_names=names)  # fmt: skip


def indexed(store: Store, q: str) -> set[str]:
    """The reports the index alone finds for `q`."""
    with store.reading() as conn:
        return set(conn.execute(index.matching(q.strip().casefold(), store.engine.dialect.name)).scalars())


def found(store: Store, q: str) -> set[str]:
    """The reports a search for `q` finds, as the incident list asks for them
    (`queries._text_matches`): through the index, and those not indexed yet."""
    matches: Matches = find(store, q)
    dialect = store.engine.dialect.name
    with store.reading() as conn:
        hits = set(conn.execute(matches.indexed(dialect)).scalars())
        if matches.pending is None:
            hits |= set(conn.execute(matches.unindexed(dialect)).scalars())
    return hits | set(matches.pending or ())


def pending(store: Store) -> int:
    with store.reading() as conn:
        return int(conn.execute(select(func.count()).select_from(index.PENDING)).scalar_one())


def index_all(store: Store) -> None:
    while index_pending(store, limit=2):
        pass
    assert pending(store) == 0


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    with open_store(database_url(request, request.param, tmp_path)) as store:
        store.write_batch([(report(*r), []) for r in REPORTS])
        yield store


def test_new_reports_wait_for_the_index_and_are_found_before_and_after(store: Store) -> None:
    assert pending(store) == len(REPORTS)  # the trigger listed each new report
    assert all(indexed(store, q) == set() for q in QUERIES)
    before = {q: found(store, q) for q in QUERIES}
    index_all(store)
    after = {q: found(store, q) for q in QUERIES}
    # A report not indexed yet is matched in its stored text, as before the index: which
    # differs only where a letter outside ASCII is in another case (SQLite's LIKE) and
    # where the query matches what replaced a name (the index holds what people see).
    changed = {q for q in QUERIES if before[q] != after[q]}
    assert changed <= {"école", "ÉLÈVES", "fermée à", "[child", "["}
    assert after["ÉLÈVES"] == after["école"] == after["fermée à"] == {"r-ecole"}  # any case, any letter
    assert after["konduga"] == after["KONDUGA"] == {"r-amina", "r-konduga"}
    assert after["30%"] == {"r-amina"} and after["road_block"] == {"r-konduga"}  # wildcards are literal
    assert after["*"] == after["?"] == after["zz"] == after["no such words"] == set()
    assert after['"a disgrace"'] == after['gone, "a'] == after['"'] == {"r-konduga"}  # quotes are text
    # The index itself: what people see, pseudonyms included, wildcards literal.
    assert after["[child"] == indexed(store, "[child") == indexed(store, "[") == {"r-amina", "r-ali"}
    assert indexed(store, "KONDUGA") == {"r-amina", "r-konduga"} and indexed(store, "*") == set()
    assert indexed(store, "30%") == indexed(store, "%") == {"r-amina"} and indexed(store, "_") == {"r-konduga"}


def test_the_index_holds_no_childs_name(store: Store) -> None:
    index_all(store)
    with store.reading() as conn:
        bodies = dict(conn.execute(select(index.SEARCH.c.doc_id, index.SEARCH.c.body)).all())
    assert set(bodies) == {r[0] for r in REPORTS}
    assert "amina" not in bodies["r-amina"] and "yusuf" not in bodies["r-amina"]
    assert "[child " in bodies["r-amina"] and "konduga" in bodies["r-amina"]
    for q in ("Amina", "Amina Yusuf", "YUSUF", "amina yusuf freed"):
        assert "r-amina" not in found(store, q) and "r-amina" not in indexed(store, q), q
    assert found(store, "aminata") == {"r-konduga"}  # a word that only starts like the name
    assert "r-ali" not in found(store, "ali hassan, 9")


def test_both_back_ends_find_the_same_reports(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    results = []
    for backend in BACKENDS:
        folder = tmp_path / backend
        folder.mkdir()
        with open_store(database_url(request, backend, folder)) as store:
            store.write_batch([(report(*r), []) for r in REPORTS])
            index_all(store)
            results.append({q: (found(store, q), indexed(store, q)) for q in QUERIES})
    assert results[0] == results[1]


def test_the_migration_lists_every_report_already_stored(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    with open_store(db) as store:
        store.write_batch([(report(*r), []) for r in REPORTS])
        index_all(store)
        command.downgrade(alembic_config(store.engine.url), "0013")  # a store from before the index
    with open_store(db) as store:  # opening migrates it again
        assert pending(store) == len(REPORTS)
        assert found(store, "konduga") == {"r-amina", "r-konduga"}
        index_all(store)
        assert found(store, "konduga") == {"r-amina", "r-konduga"} and found(store, "amina") == {"r-konduga"}


@pytest.mark.parametrize("user", ["viewer"])
def test_a_childs_name_finds_nothing_through_the_index(data: DataSet, user: str) -> None:  # noqa: F811
    with open_store(data.db) as store:
        index_all(store)
    no_child_found(data, user)


def test_a_hyphenated_name_is_pseudonymised_and_indexed_like_any_other(tmp_path: Path) -> None:
    # Found in the corpus: a mention of "X Goldberg-Polin" failed to find its owner (the
    # hyphen was read as a space on one side only), which stopped the indexing of a store.
    text = "Dana Cohen-Levi, 8, was freed. Relatives of dana cohen levi, and of Cohen-Levi, waited."
    with open_store(tmp_path / "h.sqlite") as store:
        store.write_batch([(report("r-hyphen", "Dana Cohen-Levi freed", text, ["Dana Cohen-Levi"]), [])])
        index_all(store)
        assert indexed(store, "freed") == {"r-hyphen"}
        for q in ("cohen", "levi", "cohen-levi", "dana cohen levi"):
            assert indexed(store, q) == set() and found(store, q) == set(), q
