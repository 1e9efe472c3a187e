"""Saved searches (issue 17): each user's named searches of the incident list, shared by
their link; in the library over real SQLite and PostgreSQL stores (migration 0016), the
REST API and the pages, for every role."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from childwatch.errors import InputError, NotFound
from childwatch.read import saved_searches as searches
from childwatch.review.users import add_user
from childwatch.serve import create_app
from childwatch.store import Store, open_store
from conftest import PASSWORD
from pgtest import BACKENDS, database_url
from test_review_bulk import logged_in, user


@pytest.fixture()
def store(web_db: Path) -> Iterator[Store]:
    with open_store(web_db) as opened:
        yield opened


def test_a_query_is_kept_in_one_order_without_pages_empty_values_or_unknown_keys() -> None:
    assert searches.normalise("/incidents?page=3&q=school&violation=abduction&x=1&country=") == (
        "violation=abduction&q=school"
    )
    assert searches.normalise("?sort=date&q=a+b") == "q=a+b"  # the default order is left out
    assert searches.normalise("country=ng&sort=reports") == "country=NG&sort=reports"
    assert searches.normalise("") == ""
    for bad, field in (("violation=arson", "violation"), ("date_from=May", "date_from"), ("sort=random", "sort")):
        with pytest.raises(InputError, match=field):
            searches.normalise(bad)


def test_each_user_saves_lists_replaces_and_deletes_only_their_own(store: Store) -> None:
    analyst, viewer = user(store, "analyst"), user(store, "viewer")
    first = searches.save(store, analyst, "  Borno   abductions ", "q=Konduga&violation=abduction&page=2")
    assert first.name == "Borno abductions" and first.link == "/incidents?violation=abduction&q=Konduga"
    searches.save(store, analyst, "all recruitment", "violation=recruitment_use")
    searches.save(store, viewer, "Borno abductions", "violation=abduction")  # the same name, another user
    assert [s.name for s in searches.list_saved(store, analyst)] == ["all recruitment", "Borno abductions"]
    assert [s.query for s in searches.list_saved(store, viewer)] == ["violation=abduction"]

    again = searches.save(store, analyst, "Borno abductions", "q=Borno")  # replaces it
    assert again.id == first.id and again.query == "q=Borno"
    assert len(searches.list_saved(store, analyst)) == 2

    with pytest.raises(NotFound):  # the viewer cannot delete the analyst's
        searches.delete(store, viewer, first.id)
    assert searches.delete(store, analyst, first.id).name == "Borno abductions"
    assert [s.name for s in searches.list_saved(store, analyst)] == ["all recruitment"]
    with pytest.raises(NotFound):
        searches.delete(store, analyst, first.id)
    for name in ("", "   ", "x" * (searches.MAX_NAME + 1)):
        with pytest.raises(InputError, match="name"):
            searches.save(store, analyst, name, "q=school")
    with pytest.raises(InputError, match="violation"):
        searches.save(store, analyst, "bad", "violation=arson")
    assert len(searches.list_saved(store, analyst)) == 1  # nothing saved by a refusal


@pytest.mark.parametrize("backend", BACKENDS)
def test_saved_searches_on_each_back_end(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    url = database_url(request, backend, tmp_path)
    with open_store(url) as store:
        owner = add_user(store, "owner", PASSWORD, "viewer")
        other = add_user(store, "other", PASSWORD, "analyst")
        saved = searches.save(store, owner, "Goma", "q=Goma")
        searches.save(store, other, "Goma", "q=Goma&country=CD")
        assert [s.query for s in searches.list_saved(store, owner)] == ["q=Goma"]
        # The database itself keeps a name once per user and never empty.
        with pytest.raises(Exception, match=r"(?i)unique"), store.writing() as conn:
            conn.execute(
                text("INSERT INTO saved_searches (created_at, user_id, name, query) VALUES (:at, :u, 'Goma', '')"),
                {"at": saved.created_at, "u": owner.id},
            )
        with pytest.raises(Exception, match=r"(?i)check"), store.writing() as conn:
            conn.execute(
                text("INSERT INTO saved_searches (created_at, user_id, name, query) VALUES (:at, :u, '  ', '')"),
                {"at": saved.created_at, "u": owner.id},
            )
        searches.delete(store, owner, saved.id)
        assert searches.list_saved(store, owner) == [] and len(searches.list_saved(store, other)) == 1


def test_the_api_saves_lists_and_deletes_a_users_own(web_db: Path) -> None:
    with TestClient(create_app(web_db)) as app:
        headers = logged_in(app, "viewer")
        r = app.post("/api/searches", json={"name": "Konduga", "query": "q=Konduga&page=4"}, headers=headers)
        assert r.status_code == 200
        saved = r.json()["search"]
        assert saved["link"] == "/incidents?q=Konduga"
        assert (
            app.post("/api/searches", json={"name": "x", "query": "violation=arson"}, headers=headers).status_code
            == 400
        )
        assert app.post("/api/searches", json={"name": "x", "query": "q=a"}).status_code == 403  # CSRF token
        assert [s["name"] for s in app.get("/api/searches").json()["items"]] == ["Konduga"]
        # The link is the list's own address: it opens the same search.
        assert [r["id"] for r in app.get("/api/incidents?q=Konduga").json()["items"]]
        app.cookies.clear()

        other = logged_in(app, "analyst")
        assert app.get("/api/searches").json()["items"] == []
        assert app.delete(f"/api/searches/{saved['id']}", headers=other).status_code == 404
        app.cookies.clear()

        headers = logged_in(app, "viewer")
        assert app.delete(f"/api/searches/{saved['id']}", headers=headers).json()["deleted"]["name"] == "Konduga"
        assert app.get("/api/searches").json()["items"] == []


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_the_pages_save_from_the_list_and_delete_from_saved_searches(web_db: Path) -> None:
    with TestClient(create_app(web_db)) as app:
        logged_in(app, "viewer")
        assert 'class="save-search"' not in app.get("/incidents").text  # nothing to save without filters
        html = app.get("/incidents", params={"q": "Konduga", "page": "1"}).text
        assert 'name="query" value="q=Konduga"' in html
        r = app.post("/searches", data={"name": "Konduga girls", "query": "q=Konduga", "csrf_token": _token(html)},
                     follow_redirects=False)  # fmt: skip
        assert r.status_code == 303 and r.headers["location"] == "/incidents?q=Konduga"
        assert "Saved as “Konduga girls”" in app.get(r.headers["location"]).text
        page = app.get("/searches").text
        assert 'href="/incidents?q=Konduga"' in page and "Konduga girls" in page
        search_id = app.get("/api/searches").json()["items"][0]["id"]
        r = app.post(f"/searches/{search_id}/delete", data={"csrf_token": _token(page)}, follow_redirects=False)
        assert r.status_code == 303
        after = app.get("/searches").text
        assert "Deleted “Konduga girls”" in after and "You have no saved searches yet" in after
        r = app.post("/searches", data={"name": "", "query": "q=Konduga", "csrf_token": _token(after)})
        assert "Not done: name" in r.text and app.get("/api/searches").json()["items"] == []
