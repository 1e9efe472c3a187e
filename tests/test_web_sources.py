"""The sources page and its API over a store the real watcher filled from real feeds on a
local HTTP server (tests/monitor_server.py): each source's health with the right counts
and errors, the newest claims first, pseudonymised titles, roles, hostile text shown
inert, and the page in a real browser.

The watched store starts as a copy of the web tests' database (conftest.py), so older
claims made by `childwatch run` sit behind the ones the watcher brought in.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from fastapi.testclient import TestClient

from childwatch.ingest.fetch import FetchSettings
from childwatch.read import watched as watched_read
from childwatch.review.users import add_user, list_users
from childwatch.run.watch import SourceSpec, WatchSettings, watch
from childwatch.serve import create_app
from childwatch.store import open_store
from conftest import PASSWORD, Server
from monitor_server import MonitorServer, page, rss
from pgtest import BACKENDS, database_url
from test_web_api import login
from test_web_browser import CHROMIUM, IN_CI, browser, new_page  # noqa: F401  (the browser fixture)

SETTINGS = WatchSettings(fetch=FetchSettings(connect_timeout=2, read_timeout=0.5, backoff=0.05, retries=1))
HOSTILE_TITLE = 'Sahel <script>window.__pwned = 3</script> <img src=x onerror="window.__pwned = 4"> Wire'
HOSTILE_IMG = '<img src=x onerror="window.__pwned = 5">'
HOSTILE_LOCATION = f"javascript:/{HOSTILE_IMG}"  # the "/" gets it past httpx's URL parser into our error
CHILD = "Tanko Bala"
# Our own report, naming a child in its title and text (the pages must not).
NAMED_ARTICLE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{CHILD}, 12, among three children abducted near Gusau</title>
<meta name="date" content="2024-03-05"></head>
<body><article><h1>{CHILD}, 12, among three children abducted near Gusau</h1>
<p>Gunmen abducted schoolboy {CHILD}, 12, and two other children from a village near Gusau, Zamfara State,
on 4 March 2024, police said. {CHILD} was taken from his family's farm, a relative said.</p>
</article></body></html>
"""


@dataclass
class Watched:
    db: Path
    urls: dict[str, str]  # name -> source URL


def _item(server: MonitorServer, slug: str) -> dict[str, str]:
    return {"title": slug, "link": server.url(f"/news/{slug}"), "pubDate": "Tue, 12 Mar 2024 08:00:00 +0000"}


def fill_with_watcher(db: Path | str) -> dict[str, str]:
    """Watch real feeds into `db`: a healthy feed (with a duplicate and a failing item), a
    feed answering 404, one redirecting to a javascript: URL, one dropped from the list
    (inactive), one added later (newest claims) and one never polled."""
    with MonitorServer() as server, open_store(db) as store:
        server.route("/news/abduction", page("article-abduction.html"))
        server.route("/news/abduction-copy", page("article-abduction.html"))  # same bytes: a duplicate
        server.route("/news/named", NAMED_ARTICLE)
        server.route("/news/missing", b"gone", status=404)
        server.route("/news/recruitment", page("article-recruitment.html"))
        items = [_item(server, s) for s in ("abduction", "abduction-copy", "named", "missing")]
        server.route("/good.xml", rss(HOSTILE_TITLE, items), "application/rss+xml", etag='"v1"')
        server.route("/down.xml", b"no feed here", status=404)
        server.route("/evil.xml", b"", status=302, headers={"Location": HOSTILE_LOCATION})
        server.route("/old.xml", rss("Old Wire", []), "application/rss+xml")
        server.route("/later.xml", rss("Levant Wire", [_item(server, "recruitment")]), "application/rss+xml")
        urls = {name: server.url(f"/{name}.xml") for name in ("good", "down", "evil", "old", "later", "waiting")}
        lines: list[str] = []
        first = [SourceSpec(urls[n]) for n in ("good", "down", "evil", "old")]
        watch(store, first, SETTINGS, once=True, log=lines.append)
        time.sleep(0.05)  # the second poll's claims are stored strictly later
        second = [SourceSpec(urls[n]) for n in ("later", "good", "down", "evil")]
        watch(store, second, SETTINGS, once=True, log=lines.append)
        # Listed, but the watcher stops before polling it.
        stopped = threading.Event()
        stopped.set()
        watch(store, [*second, SourceSpec(urls["waiting"])], SETTINGS, stop=stopped, log=lines.append)
    assert len(lines) == 8, lines
    return urls


@pytest.fixture(scope="module")
def watched(web_db_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Watched:
    db = tmp_path_factory.mktemp("sources") / "web.sqlite"
    shutil.copyfile(web_db_template, db)
    return Watched(db, fill_with_watcher(db))


@pytest.fixture()
def app(watched: Watched) -> Iterator[TestClient]:
    with TestClient(create_app(watched.db, secret_key="test-key")) as client:
        yield client


def by_url(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["url"]: r for r in rows}


def has(name: str) -> str:
    """XPath: the element has this class."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def one(element: Any, xpath: str) -> Any:
    found = element.xpath(xpath)
    assert found, xpath
    return found[0]


def source_rows(html: str) -> dict[str, Any]:
    """The health table's rows by source URL (the row's elements, for reading cells)."""
    tree = lxml.html.fromstring(html)
    out = {}
    for tr in tree.xpath(f"//table[{has('sources-health')}]/tbody/tr[{has('source-row')}]"):
        url = one(tr, f"./th[{has('source-url')}]/span[{has('small')}]").text_content().strip()
        out[url] = tr
    return out


def claim_rows(html: str) -> list[Any]:
    return list(lxml.html.fromstring(html).xpath(f"//table[{has('claims-newest')}]/tbody/tr"))


def error_text(html: str, tr: Any) -> str:
    """The "last error" row under a source's row ("" if it has none)."""
    found = lxml.html.fromstring(html).xpath(f"//tr[{has('error-row')}][@data-source-id='{tr.get('data-source-id')}']")
    return str(found[0].text_content()) if found else ""


def numbers(tr: Any) -> list[str]:
    """The numeric cells of a health row: seen, taken in, duplicate, failed, pending."""
    return [td.text_content().strip() for td in tr.xpath(f"./td[{has('n')}]")]


# --- the page --------------------------------------------------------------------------------


def test_the_page_shows_each_source_with_its_state_counts_and_last_error(app: TestClient, watched: Watched) -> None:
    login(app, "viewer")
    r = app.get("/sources")
    assert r.status_code == 200
    rows = source_rows(r.text)
    urls = watched.urls
    assert set(rows) == set(urls.values())
    state = {name: one(rows[u], f".//*[{has('source-state')}]") for name, u in urls.items()}
    assert {n: s.text_content() for n, s in state.items()} == {
        "good": "healthy", "later": "healthy", "down": "failing", "evil": "failing",
        "old": "inactive", "waiting": "not yet polled",
    }  # fmt: skip
    # The state is a class too (colour), never colour alone.
    assert "state-failing" in state["down"].get("class") and "state-healthy" in state["good"].get("class")
    good = rows[urls["good"]]
    assert numbers(good) == ["4", "2", "1", "1", "0"]  # seen, taken in, duplicate, failed, pending
    assert "every 15m" in good.text_content() and "feed" in good.text_content()
    assert one(good, f".//*[{has('source-title')}]").text_content() == HOSTILE_TITLE  # shown as text
    assert "none in a row" in one(good, f"./td[{has('errors')}]").text_content()
    assert error_text(r.text, good) == ""
    down = one(rows[urls["down"]], f"./td[{has('errors')}]").text_content()
    assert "2 in a row" in down and "2 of 2 polls failed" in down
    assert "Last error: server answered 404" in error_text(r.text, rows[urls["down"]])
    assert HOSTILE_IMG in error_text(r.text, rows[urls["evil"]])  # as text
    assert numbers(rows[urls["down"]]) == ["0"] * 5
    assert numbers(rows[urls["later"]]) == ["1", "1", "0", "0", "0"]
    assert "never" in rows[urls["waiting"]].text_content()
    assert "no longer listed" in rows[urls["old"]].text_content()
    # Active sources first, in the order the backend gives.
    order = list(rows)
    assert order.index(urls["old"]) > max(order.index(urls[n]) for n in ("good", "down", "evil", "later", "waiting"))
    # The source URLs link out only over http(s), without leaking the page or opener.
    link = one(good, "./th//a")
    assert link.get("href") == urls["good"] and link.get("rel") == "noopener noreferrer"


def test_the_newest_claims_come_first_and_link_to_their_incidents(app: TestClient, watched: Watched) -> None:
    login(app, "viewer")
    newest = app.get("/api/claims/newest", params={"limit": 200}).json()
    items = newest["items"]
    assert newest["total"] == len(items) > 5
    keys = [(c["created_at"], c["id"]) for c in items]
    assert keys == sorted(keys, reverse=True)
    # The later feed's report first; then the first poll's; the older `childwatch run` claims last.
    assert items[0]["document"]["feed"] == watched.urls["later"]
    feeds = [c["document"]["feed"] for c in items]
    watched_count = sum(f is not None for f in feeds)
    assert watched_count >= 3 and all(f is not None for f in feeds[:watched_count])
    assert {f for f in feeds if f} == {watched.urls["later"], watched.urls["good"]}
    first = items[0]
    assert first["document"]["captured_at"] and first["document"]["url"].endswith("/news/recruitment")
    assert first["incident_id"] and first["violation"] == "recruitment_use"
    # The page lists the same claims in the same order, each with its incident.
    rows = claim_rows(app.get("/sources").text)
    shown = [int(tr.get("data-claim-id")) for tr in rows]
    assert shown and shown == [c["id"] for c in items[: len(shown)]]
    row = rows[0]
    assert one(row, ".//a[starts-with(@href, '/incidents/')]").get("href") == f"/incidents/{first['incident_id']}"
    assert "Recruitment and use" in row.text_content() and "via " + watched.urls["later"] in row.text_content()
    assert app.get(f"/incidents/{first['incident_id']}").status_code == 200
    # Pages of the API are windows of the same order.
    window = app.get("/api/claims/newest", params={"limit": 2, "offset": 1}).json()["items"]
    assert [c["id"] for c in window] == [c["id"] for c in items[1:3]]
    beyond = app.get("/sources", params={"page": 99}).text
    assert "No claims on this page" in beyond


def test_titles_are_pseudonymised_like_the_incident_pages(app: TestClient) -> None:
    login(app, "admin")  # even an admin: this view never reveals
    newest = app.get("/api/claims/newest").json()
    named = [c for c in newest["items"] if (c["document"]["url"] or "").endswith("/news/named")]
    assert named, "the named report gave no claim"
    title = named[0]["document"]["title"]
    assert "[child " in title and "Tanko" not in title and "Gusau" in title
    assert "Tanko" not in json.dumps(newest)
    html = app.get("/sources").text
    assert "[child " in html and "Tanko" not in html
    # The incident page shows the same pseudonym for the same report.
    detail = app.get(f"/api/incidents/{named[0]['incident_id']}").json()
    titles = {c["document"]["title"] for c in detail["claims"]}
    assert title in titles


def test_the_api_gives_the_health_rows_with_their_state(app: TestClient, watched: Watched) -> None:
    login(app, "viewer")
    rows = by_url(app.get("/api/sources").json()["sources"])
    urls = watched.urls
    good, down, evil = rows[urls["good"]], rows[urls["down"]], rows[urls["evil"]]
    assert good["state"] == "healthy" and good["healthy"] and good["kind"] == "feed"
    assert good["title"] == HOSTILE_TITLE and good["polls"] == 2 and good["errors"] == 0
    assert (good["items_seen"], good["items_ingested"], good["items_duplicate"], good["items_failed"]) == (4, 2, 1, 1)
    assert good["newest_item_at"] and good["last_success_at"] and good["next_poll_at"]
    assert down["state"] == "failing" and not down["healthy"] and down["kind"] is None
    assert (down["polls"], down["errors"], down["consecutive_errors"]) == (2, 2, 2)
    assert "server answered 404" in down["last_error"] and down["last_success_at"] is None
    assert evil["state"] == "failing" and HOSTILE_IMG in evil["last_error"]
    assert rows[urls["old"]]["state"] == "inactive" and rows[urls["old"]]["active"] is False
    waiting = rows[urls["waiting"]]
    assert waiting["state"] == "waiting" and waiting["polls"] == 0 and waiting["last_poll_at"] is None


def test_out_of_range_windows_are_refused_with_a_message(app: TestClient) -> None:
    login(app, "viewer")
    for params in ({"limit": 0}, {"limit": watched_read.MAX_LIMIT + 1}, {"offset": -1}, {"limit": "many"}):
        r = app.get("/api/claims/newest", params=params)
        assert r.status_code == 422, params
        assert "limit" in r.json()["error"]["message"] or "offset" in r.json()["error"]["message"]
    for bad in (0, 10**19, "last"):
        assert app.get("/sources", params={"page": bad}).status_code == 422, bad


# --- who may see it ----------------------------------------------------------------------------


def test_anyone_logged_in_may_read_it_and_nobody_else(app: TestClient) -> None:
    r = app.get("/sources", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fsources"
    for path in ("/api/sources", "/api/claims/newest"):
        r = app.get(path)
        assert r.status_code == 401 and "log in" in r.json()["error"]["message"], path
    for name in ("viewer", "analyst", "admin"):
        login(app, name)
        page_ = app.get("/sources")
        assert page_.status_code == 200
        nav = one(lxml.html.fromstring(page_.text), "//nav[@aria-label='Main']/a[@href='/sources']")
        assert nav.text_content() == "Sources" and nav.get("aria-current") == "page"
        assert app.get("/api/sources").status_code == app.get("/api/claims/newest").status_code == 200
        app.delete("/api/session")
        app.headers.pop("X-CSRF-Token", None)
    # Read only: no write method is routed on these paths.
    for method in ("post", "put", "patch", "delete"):
        login(app, "admin")
        assert getattr(app, method)("/api/sources").status_code == 405


def test_hostile_feed_titles_and_errors_are_shown_as_text(app: TestClient) -> None:
    login(app, "analyst")
    html = app.get("/sources").text
    assert "<script>window.__pwned" not in html and 'onerror="window' not in html
    assert "&lt;script&gt;window.__pwned = 3&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&#34;window.__pwned = 5&#34;&gt;" in html  # the error, escaped
    assert not re.search(r"""href=["']?\s*javascript:""", html, re.IGNORECASE)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # every script is a file (CSP)


def test_an_empty_store_says_how_to_start(tmp_path: Path) -> None:
    db = tmp_path / "empty.sqlite"
    with open_store(db) as store:
        add_user(store, "viewer", PASSWORD, "viewer")
    with TestClient(create_app(db, secret_key="k")) as client:
        login(client, "viewer")
        html = client.get("/sources").text
        assert "No sources are watched yet" in html and "childwatch watch SOURCES" in html
        assert "No claims yet" in html
        assert client.get("/api/sources").json() == {"sources": []}
        assert client.get("/api/claims/newest").json() == {"items": [], "total": 0, "limit": 50, "offset": 0}


# --- the domain functions on both back-ends ------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_states_and_newest_claims_on_each_backend(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    url = database_url(request, backend, tmp_path)
    with open_store(url) as store:
        add_user(store, "viewer", PASSWORD, "viewer")
    urls = fill_with_watcher(url)
    with open_store(url) as store:
        states = {r["url"]: r["state"] for r in watched_read.source_rows(store)}
        assert states == {
            urls["good"]: "healthy", urls["later"]: "healthy", urls["down"]: "failing", urls["evil"]: "failing",
            urls["old"]: "inactive", urls["waiting"]: "waiting",
        }  # fmt: skip
        (viewer,) = list_users(store)
        newest = watched_read.newest_claims(store, viewer=viewer, limit=watched_read.MAX_LIMIT)
        items = newest["items"]
        assert newest["total"] == len(items) >= 3
        assert [(c["created_at"], c["id"]) for c in items] == sorted(
            ((c["created_at"], c["id"]) for c in items), reverse=True
        )
        assert items[0]["document"]["feed"] == urls["later"]
        assert all("Tanko" not in (c["document"]["title"] or "") for c in items)


# --- in a real browser ------------------------------------------------------------------------


@pytest.mark.skipif(not CHROMIUM.exists() and not IN_CI, reason=f"no chromium at {CHROMIUM}")
def test_the_sources_page_in_a_browser(browser: Any, watched: Watched, tmp_path: Path) -> None:  # noqa: F811
    db = tmp_path / "browser.sqlite"
    shutil.copyfile(watched.db, db)
    server = Server(db)
    try:
        page_ = new_page(browser, server, "viewer")
        dialogs: list[str] = []
        page_.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page_.click("nav >> text=Sources")
        page_.wait_for_url(f"{server.url}/sources")
        table = page_.locator("table.sources-health")
        assert table.is_visible()
        assert page_.locator("table.sources-health tr.source-row").count() == len(watched.urls)
        assert page_.locator("tr.source-row.row-failing").count() == 2
        assert "server answered 404" in page_.locator("tr.error-row").first.inner_text()
        assert page_.locator("table.claims-newest tbody tr").count() >= 3
        assert "[child " in page_.locator("table.claims-newest").inner_text()
        assert page_.evaluate("typeof window.__pwned") == "undefined" and dialogs == []
        out = Path(os.environ.get("CHILDWATCH_SCREENSHOTS") or tmp_path)
        out.mkdir(parents=True, exist_ok=True)
        page_.screenshot(path=str(out / "sources.png"), full_page=True)
        assert (out / "sources.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        page_.context.close()
    finally:
        server.stop()
