"""Search results with the matching passage (issue 17): the passage is cut from the
report as people see it, names pseudonymised, for every role; over a real SQLite copy of
the web tests' database, through the library, the REST API and the incident list page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from childwatch.read.passages import add_passages, find_passage, folded_with_offsets
from childwatch.read.queries import IncidentFilters, list_incidents
from childwatch.read.search import index_pending
from childwatch.read.shown import shown_reports, shown_texts
from childwatch.run.pipeline import run_pipeline
from childwatch.run.resolution import resolve
from childwatch.serve import create_app
from childwatch.store import Store, open_store
from conftest import WEB_FIXTURES
from pgtest import BACKENDS, database_url
from test_review_bulk import logged_in

# web-004: "One of them, a 14-year-old named Daniel Okoro, escaped."
LEAK = re.compile(r"daniel|okoro|amina|musa", re.IGNORECASE)


@pytest.fixture()
def store(web_db: Path) -> Iterator[Store]:
    with open_store(web_db) as opened:
        yield opened


def test_a_passage_marks_the_match_in_any_case_with_context_cut_at_words() -> None:
    text = "Gunmen abducted 27 schoolgirls from a secondary school in Konduga, Borno State, on 26 February."
    got = find_passage(text, "KONDUGA", margin=20)
    assert got == {"before": "…school in ", "match": "Konduga", "after": ", Borno State, on…"}
    assert find_passage(text, "Maiduguri") is None
    assert find_passage(text, "   ") is None
    whole = find_passage("a short one", "short")
    assert whole == {"before": "a ", "match": "short", "after": " one"}


def test_folding_that_changes_lengths_keeps_the_match_on_the_original_letters() -> None:
    folded, origin = folded_with_offsets("Große Straße")
    assert folded == "grosse strasse" and len(origin) == len(folded)
    got = find_passage("Die Große Straße in Köln", "STRASSE")
    assert got is not None and got["match"] == "Straße" and got["after"] == " in Köln"
    got = find_passage("line one\n\nline   two", "two")
    assert got == {"before": "line one line ", "match": "two", "after": ""}


def test_each_result_has_its_passage_pseudonymised(store: Store) -> None:
    page = list_incidents(store, IncidentFilters(q="escaped"), 1, 25)
    assert len(page.items) == 1
    add_passages(store, page.items, "escaped")
    passage = page.items[0]["passage"]
    assert passage["match"] == "escaped" and passage["field"] == "text" and passage["document"] == "web-004"
    assert "14-year-old named [child " in passage["before"]
    assert not LEAK.search(str(passage))

    page = list_incidents(store, IncidentFilters(q="konduga"), 1, 25)
    add_passages(store, page.items, "konduga")
    assert page.items and all(r["passage"]["match"] == "Konduga" for r in page.items)
    assert not LEAK.search(str([r["passage"] for r in page.items]))


def test_a_match_only_in_the_title_is_shown_from_the_title(store: Store) -> None:
    page = list_incidents(store, IncidentFilters(q="Schoolgirls taken"), 1, 25)
    assert page.items
    add_passages(store, page.items, "Schoolgirls taken")
    passage = page.items[0]["passage"]
    assert passage["field"] == "title" and passage["match"] == "Schoolgirls taken"


def test_the_reports_kept_between_searches_are_those_shown(store: Store) -> None:
    """Passages are cut from reports kept between searches (`shown_texts`, so that a search
    answer computed again after every commit does not pseudonymise them all again): the
    same, from memory too, as the reports every page shows (`shown_reports`)."""
    with store.reading() as conn:
        ids = list(conn.execute(text("SELECT id FROM documents")).scalars())
    assert ids
    shown = shown_reports(store, ids)
    for _ in range(2):  # computed, then kept
        kept = shown_texts(store, ids)
        assert kept.keys() == shown.keys()
        for doc_id, report in shown.items():
            got = kept[doc_id]
            assert (got.id, got.text, got.title) == (report.id, report.text.text, report.title)
            assert got.folded in (None, got.text.casefold())
    assert any("[child " in r.text for r in kept.values()) and not LEAK.search(str(list(kept.values())))


def test_no_passage_without_a_search(store: Store) -> None:
    page = list_incidents(store, None, 1, 25)
    add_passages(store, page.items, None)
    add_passages(store, page.items, "  ")
    assert all("passage" not in r for r in page.items)


@pytest.mark.parametrize("role", ["viewer", "analyst", "admin"])
def test_the_api_and_the_list_page_show_the_passage_and_never_the_name(web_db: Path, role: str) -> None:
    with TestClient(create_app(web_db)) as app:
        logged_in(app, role)
        items = app.get("/api/incidents", params={"q": "ESCAPED"}).json()["items"]
        assert len(items) == 1 and items[0]["passage"]["match"] == "escaped"
        assert "[child " in items[0]["passage"]["before"] and not LEAK.search(str(items))
        for name in ("Daniel", "okoro", "DANIEL OKORO"):  # the name finds nothing, in any case
            assert app.get("/api/incidents", params={"q": name}).json()["items"] == []

        html = app.get("/incidents", params={"q": "named"}).text
        hit = re.search(r'<p class="passage small">.*?</p>', html, re.S)
        assert hit is not None, "the list shows the passage"
        assert '<mark class="hit">named</mark>' in hit.group(0)
        assert "[child " in hit.group(0) and not LEAK.search(html)
        assert '<p class="passage' not in app.get("/incidents").text


@pytest.mark.parametrize("backend", BACKENDS)
def test_passages_before_and_after_the_index_on_each_back_end(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """The passages are read from the reports the search finds, through each back-end's
    index (SQLite FTS5, PostgreSQL pg_trgm) and before the reports are indexed."""
    with open_store(database_url(request, backend, tmp_path)) as store:
        run_pipeline([WEB_FIXTURES], store)
        resolve(store)
        for _ in range(2):  # not indexed yet, then indexed
            page = list_incidents(store, IncidentFilters(q="Escaped"), 1, 25)
            add_passages(store, page.items, "Escaped")
            assert [r["passage"]["match"] for r in page.items] == ["escaped"]
            assert "[child " in page.items[0]["passage"]["before"] and not LEAK.search(str(page.items))
            while index_pending(store, limit=50):
                pass
