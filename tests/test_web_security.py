"""Web security over the real app in-process (TestClient) and one real browser: who may
call which route (from a table that must name every route the app has), CSRF on every
unsafe route, login throttling, the security headers of every kind of response, hostile
text shown inert everywhere people can put it, and SQL built only with bound parameters.

The route table is the point: `ACCESS` names the least role of each route the app serves,
read from the app itself, so a route added without an entry (or with the wrong guard)
fails here instead of shipping unprotected.
"""

from __future__ import annotations

import ast
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from markupsafe import escape
from sqlalchemy import text
from starlette.routing import Mount

from childwatch.errors import InputError
from childwatch.review.users import add_user
from childwatch.serve import create_app
from childwatch.serve.security import LoginThrottle
from childwatch.store import open_store
from conftest import HOSTILE_IMG, HOSTILE_SCRIPT, PASSWORD, Server
from test_web_browser import browser  # noqa: F401  (the fixture)

SECRET = "test-key"  # one key for every app here: a session cookie works on each copy
SRC = Path(__file__).resolve().parents[1] / "src" / "childwatch"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

PUBLIC, VIEWER, ANALYST, ADMIN = "public", "viewer", "analyst", "admin"
RANK = {VIEWER: 0, ANALYST: 1, ADMIN: 2}

# The least role of every route. A route missing here fails `test_every_route_is_in_the_access_table`.
ACCESS: dict[tuple[str, str], str] = {
    # Public, each for a reason: nothing in them is data.
    ("GET", "/login"): PUBLIC,  # the way in
    ("POST", "/login"): PUBLIC,  # needs the login page's CSRF token (no login CSRF)
    ("POST", "/api/session"): PUBLIC,  # JSON only, which no cross-site form can send
    ("POST", "/logout"): PUBLIC,  # ends whatever session there is; needs the CSRF token
    ("GET", "/favicon.ico"): PUBLIC,  # a redirect to a static file
    ("GET", "/docs"): PUBLIC,  # the API described (Swagger UI); data needs a login
    ("GET", "/openapi.json"): PUBLIC,  # the same description, for clients before they log in
    # Every logged-in user: reading, exporting, their own account.
    ("DELETE", "/api/session"): VIEWER,
    ("GET", "/api/me"): VIEWER,
    ("PATCH", "/api/me"): VIEWER,
    ("GET", "/api/facets"): VIEWER,
    ("GET", "/api/fields"): VIEWER,
    ("GET", "/api/dashboard"): VIEWER,
    ("GET", "/api/incidents"): VIEWER,
    ("GET", "/api/incidents/{incident_id}"): VIEWER,
    ("GET", "/api/incidents/{incident_id}/history"): VIEWER,
    ("GET", "/api/export"): VIEWER,
    ("GET", "/api/sources"): VIEWER,
    ("GET", "/api/claims/newest"): VIEWER,
    ("GET", "/api/documents"): VIEWER,
    ("GET", "/api/places"): VIEWER,  # the offline gazetteer: public place names
    ("GET", "/api/pick/incidents"): VIEWER,  # what the incident list shows too
    ("GET", "/api/queue"): VIEWER,  # incidents assigned to me: a viewer's is always empty
    ("GET", "/queue"): VIEWER,
    # Saved searches: each user's own (issue 17).
    ("GET", "/api/searches"): VIEWER,
    ("POST", "/api/searches"): VIEWER,
    ("DELETE", "/api/searches/{search_id}"): VIEWER,
    ("GET", "/searches"): VIEWER,
    ("POST", "/searches"): VIEWER,
    ("POST", "/searches/{search_id}/delete"): VIEWER,
    ("GET", "/"): VIEWER,
    ("GET", "/incidents"): VIEWER,
    ("GET", "/incidents/{incident_id}"): VIEWER,
    ("GET", "/settings"): VIEWER,
    ("GET", "/export"): VIEWER,
    ("GET", "/sources"): VIEWER,
    ("POST", "/settings"): VIEWER,
    ("POST", "/settings/password"): VIEWER,
    # Analysts: review actions (append-only events).
    ("POST", "/api/incidents/{incident_id}/confirm"): ANALYST,
    ("POST", "/api/incidents/{incident_id}/reject"): ANALYST,
    ("POST", "/api/incidents/{incident_id}/reopen"): ANALYST,
    ("POST", "/api/incidents/{incident_id}/merge"): ANALYST,
    ("POST", "/api/incidents/{incident_id}/split"): ANALYST,
    ("POST", "/api/claims/{claim_id}/correct"): ANALYST,
    ("POST", "/api/claims/{claim_id}/reject"): ANALYST,
    ("POST", "/api/claims/{claim_id}/restore"): ANALYST,
    ("POST", "/api/claims/{claim_id}/move"): ANALYST,
    ("POST", "/incidents/{incident_id}/status"): ANALYST,
    ("POST", "/incidents/{incident_id}/merge"): ANALYST,
    ("POST", "/incidents/{incident_id}/split"): ANALYST,
    ("POST", "/claims/{claim_id}/correct"): ANALYST,
    ("POST", "/claims/{claim_id}/status"): ANALYST,
    ("POST", "/claims/{claim_id}/move"): ANALYST,
    ("POST", "/api/claims/{claim_id}/fields"): ANALYST,
    ("POST", "/api/claims/{claim_id}/confirm"): ANALYST,
    ("POST", "/api/bulk"): ANALYST,
    ("POST", "/api/bulk/undo"): ANALYST,
    ("POST", "/claims/{claim_id}/fields"): ANALYST,
    ("POST", "/incidents/bulk"): ANALYST,
    ("POST", "/incidents/bulk/undo"): ANALYST,
    # Analysts: comments and assignment (append-only rows; viewers read the comments).
    ("POST", "/api/incidents/{incident_id}/comments"): ANALYST,
    ("POST", "/api/incidents/{incident_id}/assign"): ANALYST,
    ("POST", "/incidents/{incident_id}/comments"): ANALYST,
    ("POST", "/incidents/{incident_id}/assign"): ANALYST,
    # Admins: children's names shown (logged with the reason).
    ("POST", "/api/incidents/{incident_id}/reveal"): ADMIN,
    ("POST", "/incidents/{incident_id}/reveal"): ADMIN,
    # Admins: accounts (the same rules as `childwatch users`, each change audited).
    ("GET", "/admin/accounts"): ADMIN,
    ("POST", "/admin/accounts"): ADMIN,
    ("POST", "/admin/accounts/{name}/role"): ADMIN,
    ("POST", "/admin/accounts/{name}/status"): ADMIN,
    ("POST", "/admin/accounts/{name}/password"): ADMIN,
    ("POST", "/admin/accounts/{name}/remove"): ADMIN,
    ("DELETE", "/api/accounts/{name}"): ADMIN,
}
# Mounted file trees are served to anyone: each with the reason it holds no data.
MOUNTS = {
    "/static": "the UI's own CSS, JavaScript and icons, from the package",
    "/static/swagger": "Swagger UI's files (fastapi-offline package), for /docs",
}

# Bodies that make each unsafe call succeed for a user who may make it. {target}, {other}
# and {claim} are filled from the data; API bodies are JSON, the others forms.
BODIES: dict[str, dict[str, Any]] = {
    "/api/session": {"name": "viewer", "password": PASSWORD},
    "/api/me": {"blur_graphic": False},
    "/api/incidents/{incident_id}/merge": {"other_id": "{other}", "reason": "same event"},
    "/api/incidents/{incident_id}/split": {"claim_ids": ["{claim}"], "reason": "two events"},
    "/api/claims/{claim_id}/correct": {"field": "victims.count", "value": 5, "reason": "annex, table 2"},
    "/api/claims/{claim_id}/move": {"incident_id": "{other}", "reason": "wrong incident"},
    "/login": {"name": "viewer", "password": PASSWORD, "next": "/incidents"},
    "/settings": {"blur_graphic": "on"},
    "/settings/password": {"current": PASSWORD, "new": PASSWORD},
    "/incidents/{incident_id}/status": {"action": "confirm", "reason": "two sources"},
    "/incidents/{incident_id}/merge": {"other_id": "{other}", "reason": "same event"},
    "/incidents/{incident_id}/split": {"claim_ids": ["{claim}"], "reason": "two events"},
    "/claims/{claim_id}/correct": {"field": "victims.count", "value": "5", "back": "{target}", "reason": "annex"},
    "/claims/{claim_id}/status": {"action": "reject", "back": "{target}", "reason": "not about children"},
    "/claims/{claim_id}/move": {"incident_id": "{other}", "back": "{target}", "reason": "wrong incident"},
    "/api/claims/{claim_id}/fields": {"changes": {"kind": "pattern", "location": "gn:54225"}, "reason": "para 2"},
    "/claims/{claim_id}/fields": {"kind": "pattern", "place": "Marka", "back": "{target}", "reason": "para 2"},
    "/api/bulk": {"incident_ids": ["{target}", "{other}"], "action": "reject", "reason": "not about children"},
    "/admin/accounts": {"name": "newcomer", "role": "viewer", "password": "another long passphrase"},
    "/admin/accounts/{name}/role": {"role": "analyst"},
    "/admin/accounts/{name}/status": {"action": "disable"},
    "/admin/accounts/{name}/password": {"password": "another long passphrase"},
    "/admin/accounts/{name}/remove": {"confirm": "viewer"},  # {name} is the viewer
    "/incidents/bulk": {"incident_ids": ["{target}", "{other}"], "action": "reject", "reason": "not about children"},
    "/api/incidents/{incident_id}/comments": {"text": "check the annex"},
    "/api/incidents/{incident_id}/assign": {"assignee": "analyst", "note": "yours"},
    "/incidents/{incident_id}/comments": {"text": "check the annex"},
    "/incidents/{incident_id}/assign": {"assignee": "@me"},
    "/api/searches": {"name": "Konduga abductions", "query": "violation=abduction&q=Konduga"},
    "/searches": {"name": "Konduga abductions", "query": "violation=abduction&q=Konduga"},
}
DEFAULT_BODY = {"reason": "checked against two sources"}
# Calls that only make sense after another one (a claim is restored after its rejection).
BEFORE = {
    "/api/claims/{claim_id}/restore": "/api/claims/{claim_id}/reject",
    "/api/incidents/{incident_id}/reopen": "/api/incidents/{incident_id}/confirm",
    "/api/bulk/undo": "/api/bulk",
    "/api/searches/{search_id}": "/api/searches",  # search 1, the first saved in a fresh copy
    "/searches/{search_id}/delete": "/api/searches",
}
QUERIES = {"/api/export": {"format": "csv"}, "/export": {"format": "csv"}, "/api/places": {"q": "Goma"},
           "/api/pick/incidents": {"q": "Goma"}}  # fmt: skip


# --- the app, its routes, and calling them ------------------------------------------------------


def app_routes(app: FastAPI) -> tuple[list[tuple[str, str]], list[str]]:
    """(method, path) of every route the app serves, and the paths of its mounts, read the
    way the app itself resolves them (routers included with their prefixes)."""
    try:  # FastAPI >= 0.16x keeps included routers as branches; this flattens them
        from fastapi.routing import iter_route_contexts

        found = [(c.original_route, c.path, c.methods) for c in iter_route_contexts(app.routes)]
    except ImportError:  # older FastAPI: the routes are already flat
        found = [(r, getattr(r, "path", None), getattr(r, "methods", None)) for r in app.routes]
    routes, mounts = [], []
    for route, path, methods in found:
        assert path is not None, route
        if isinstance(route, Mount):
            mounts.append(path)
            continue
        routes += [(m, path) for m in sorted(set(methods or ()) - {"HEAD"})]
    return routes, mounts


@dataclass(frozen=True)
class Ids:
    target: str  # an incident with two claims (Konduga abduction)
    other: str  # another abduction (Goma), so that a merge or a move is allowed
    claim: int  # a claim of `target`


def fill(value: Any, ids: Ids) -> Any:
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if value == "{claim}":
        return ids.claim
    if isinstance(value, str):
        return value.replace("{target}", ids.target).replace("{other}", ids.other)
    return value


def call(client: TestClient, method: str, path: str, ids: Ids, token: str | None) -> Response:
    """The route called as the UI would: JSON and the CSRF header for the API, a form with
    the token field for the pages."""
    url = path.replace("{incident_id}", ids.target).replace("{claim_id}", str(ids.claim)).replace("{name}", "viewer")
    url = url.replace("{search_id}", "1")
    params = QUERIES.get(path)
    if method not in UNSAFE:
        return client.request(method, url, params=params, follow_redirects=False)
    body = {k: fill(v, ids) for k, v in BODIES.get(path, DEFAULT_BODY).items()}
    if path.startswith("/api/"):
        headers = {"X-CSRF-Token": token} if token else {}
        return client.request(method, url, json=body, headers=headers, follow_redirects=False)
    form = {**body, **({"csrf_token": token} if token else {})}
    return client.request(method, url, data=form, follow_redirects=False)


def to_login(r: Response) -> bool:
    return r.status_code == 303 and r.headers["location"].startswith("/login?next=")


def fresh(template: Path, tmp_path: Path, name: str) -> TestClient:
    """A client on its own copy of the web database (for calls that change it)."""
    db = tmp_path / f"{name}.sqlite"
    shutil.copyfile(template, db)
    return TestClient(create_app(db, secret_key=SECRET))


def page_token(client: TestClient, path: str = "/login") -> str:
    """The CSRF token of the client's session, from a page's login form."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, path
    return found.group(1)


def log_in(client: TestClient, name: str) -> str:
    r = client.post("/api/session", json={"name": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    token: str = r.json()["csrf_token"]
    return token


@pytest.fixture()
def app(web_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(web_db, secret_key=SECRET)) as client:
        yield client


def find_ids(client: TestClient) -> Ids:
    def first(**filters: str) -> str:
        items = client.get("/api/incidents", params=filters).json()["items"]
        assert items, filters
        return str(items[0]["id"])

    target = first(q="Konduga", violation="abduction")
    claims = client.get(f"/api/incidents/{target}").json()["claims"]
    assert len(claims) >= 2  # split and move need a claim to take away and one to stay
    return Ids(target, first(q="written on the wall", violation="abduction"), int(claims[0]["id"]))


@pytest.fixture()
def ids(app: TestClient) -> Ids:
    log_in(app, "viewer")
    found = find_ids(app)
    app.cookies.clear()
    return found


# --- which routes exist, and who may call them ------------------------------------------------


def test_every_route_is_in_the_access_table(app: TestClient) -> None:
    routes, mounts = app_routes(app.app)  # type: ignore[arg-type]
    missing = [r for r in routes if r not in ACCESS]
    assert missing == [], f"new routes: add each to ACCESS in {__file__} with the least role that may call it"
    gone = [r for r in ACCESS if r not in routes]
    assert gone == [], "routes in ACCESS that the app no longer has: remove them"
    assert sorted(mounts) == sorted(MOUNTS), "a mounted file tree is served to anyone: add it to MOUNTS with a reason"
    assert len(routes) >= 40  # the table really is read from the app


def test_anonymous_callers_get_only_the_public_routes(app: TestClient, ids: Ids) -> None:
    # With no session at all, and then with a session that has a CSRF token but no user
    # (as after opening the login page): the token must not stand in for a login.
    for with_token in (False, True):
        app.cookies.clear()
        token = None
        if with_token:
            token = page_token(app)
        for method, path in ACCESS:
            if ACCESS[method, path] == PUBLIC:
                continue
            r = call(app, method, path, ids, token)
            if method in UNSAFE and not with_token:
                assert r.status_code == 403, (method, path, r.status_code)  # CSRF refused first
            elif path.startswith("/api/"):
                assert r.status_code == 401, (method, path, r.status_code, r.text[:200])
                assert r.json()["error"]["message"].startswith("log in")
            else:
                assert to_login(r), (method, path, r.status_code, r.headers.get("location"))
            assert "Konduga" not in r.text and "Amina" not in r.text  # no data in a refusal


def test_public_routes_and_static_files_answer_without_a_login(app: TestClient, ids: Ids) -> None:
    expected = {
        ("GET", "/login"): 200, ("GET", "/docs"): 200, ("GET", "/openapi.json"): 200, ("GET", "/favicon.ico"): 301,
        ("POST", "/api/session"): 200, ("POST", "/login"): 303, ("POST", "/logout"): 303,
    }  # fmt: skip
    assert set(expected) == {r for r, role in ACCESS.items() if role == PUBLIC}
    for (method, path), status in expected.items():
        app.cookies.clear()
        token = None
        if method in UNSAFE and not path.startswith("/api/"):
            token = page_token(app)
        r = call(app, method, path, ids, token)
        assert r.status_code == status, (method, path, r.status_code, r.text[:200])
    app.cookies.clear()
    for asset in ("/static/style.css", "/static/app.js", "/static/favicon.svg", "/static/swagger/swagger-ui.css"):
        assert app.get(asset).status_code == 200, asset


@pytest.mark.parametrize("role", [VIEWER, ANALYST, ADMIN])
def test_each_role_may_call_exactly_the_routes_of_its_rank(
    role: str, app: TestClient, ids: Ids, web_db_template: Path, tmp_path: Path
) -> None:
    """Allowed calls succeed (on a fresh copy of the data when they change it); a role
    below the route's gets 403 and nothing is recorded."""
    token = log_in(app, role)
    cookie = app.cookies.get("childwatch_session")
    allowed, refused = [], []
    for n, ((method, path), least) in enumerate(sorted(ACCESS.items())):
        if least == PUBLIC:
            continue
        may = RANK[role] >= RANK[least]
        if method in UNSAFE and may:
            client = fresh(web_db_template, tmp_path, f"{role}-{n}")
            client.cookies.set("childwatch_session", cookie or "")
            if path in BEFORE:
                assert call(client, "POST", BEFORE[path], ids, token).status_code == 200
            r = call(client, method, path, ids, token)
            if r.status_code == 303 and not path.startswith("/api/"):  # a form: see what the page says
                assert not to_login(r), (method, path)
                page = client.get(r.headers["location"])
                assert page.status_code == 200 and "Not done" not in page.text, (method, path, page.text[:500])
        else:
            r = call(app, method, path, ids, token)
        if may:
            assert r.status_code in (200, 204, 301, 303), (role, method, path, r.status_code, r.text[:300])
            allowed.append((method, path))
        else:
            assert r.status_code == 403, (role, method, path, r.status_code, r.text[:300])
            refused.append((method, path))
    assert app.get(f"/api/incidents/{ids.target}/history").json()["history"] == []  # refusals recorded nothing
    assert allowed and (role == ADMIN or refused)


# --- CSRF ---------------------------------------------------------------------------------------


def test_every_unsafe_route_refuses_a_missing_or_wrong_csrf_token(app: TestClient, ids: Ids) -> None:
    """As an admin, so that only the token can be what refuses; the API login is the one
    unsafe route without a token (it has no session yet), and it takes JSON only."""
    token = log_in(app, "admin")
    other = TestClient(app.app)
    other_token = log_in(other, "admin")  # a valid token, of another session
    assert other_token != token
    checked = []
    for method, path in sorted(ACCESS):
        if method not in UNSAFE or (method, path) == ("POST", "/api/session"):
            continue
        for sent in (None, "forged", other_token, ""):
            r = call(app, method, path, ids, sent)
            assert r.status_code == 403, (method, path, sent, r.status_code, r.text[:200])
            assert "CSRF" in r.text
        checked.append(path)
    assert len(checked) >= 20 and "/login" in checked and "/logout" in checked
    # Nothing happened: still logged in (logout refused), nothing recorded, settings unchanged.
    me = app.get("/api/me")
    assert me.status_code == 200 and me.json()["user"]["blur_graphic"] is True
    assert app.get(f"/api/incidents/{ids.target}/history").json()["history"] == []
    assert app.get(f"/api/incidents/{ids.other}").status_code == 200  # not merged away


def test_login_csrf_the_api_login_takes_only_json(app: TestClient) -> None:
    """A cross-site form can post urlencoded, multipart or text/plain bodies, never JSON:
    each is refused before the password is looked at, so no one can be logged in to
    someone else's account from another site."""
    body = f'{{"name": "viewer", "password": "{PASSWORD}"}}'
    for content_type in ("application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x", ""):
        r = app.post("/api/session", content=body, headers={"Content-Type": content_type})
        assert r.status_code == 415, (content_type, r.status_code)
        assert "Set-Cookie" not in r.headers or "childwatch_session=;" in r.headers["set-cookie"]
    assert app.get("/api/me").status_code == 401
    r = app.post("/login", data={"name": "viewer", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403 and app.get("/api/me").status_code == 401  # the page login needs the token


def test_a_login_starts_a_new_session_and_token(app: TestClient) -> None:
    """Session fixation: a token (or session) planted before login must not survive it."""
    before = page_token(app)
    r = app.post("/login", data={"name": "viewer", "password": PASSWORD, "csrf_token": before}, follow_redirects=False)
    assert r.status_code == 303
    after = app.get("/api/me").json()["csrf_token"]
    assert after != before
    assert app.patch("/api/me", json={"blur_graphic": False}, headers={"X-CSRF-Token": before}).status_code == 403


def test_a_copy_of_the_cookie_is_no_session_after_logout(app: TestClient) -> None:
    """A signed cookie would stay valid until it expires: once its session ends (API or
    page logout, or a new login over it) a stolen copy must not work either."""
    for logout in ("api", "page", "login again"):
        app.cookies.clear()
        token = log_in(app, "analyst")
        stolen = TestClient(app.app)
        stolen.cookies.set("childwatch_session", app.cookies.get("childwatch_session") or "")
        assert stolen.get("/api/me").status_code == 200
        if logout == "api":
            assert app.delete("/api/session", headers={"X-CSRF-Token": token}).status_code == 204
        elif logout == "page":
            assert app.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
        else:
            log_in(app, "viewer")
            assert app.get("/api/me").json()["user"]["name"] == "viewer"  # the new session works
        assert stolen.get("/api/me").status_code == 401, logout
        assert to_login(stolen.get("/incidents", follow_redirects=False)), logout


# --- bad input is a 4xx in the one error shape (found by tests/test_schemathesis.py) ----------------


def test_nul_characters_are_refused_before_they_reach_the_database(app: TestClient, ids: Ids) -> None:
    """SQLite cuts text at a NUL (a reason of "\\x00..." broke the CHECK on reasons: 503)
    and PostgreSQL refuses it; it is refused at the edge, naming where it was."""
    token = log_in(app, "admin")
    headers = {"X-CSRF-Token": token}
    r = app.post(f"/api/incidents/{ids.target}/reveal", json={"reason": "\x00family tracing"}, headers=headers)
    assert r.status_code == 400 and "NUL" in r.json()["error"]["message"] and "body" in r.json()["error"]["message"]
    r = app.post(f"/incidents/{ids.target}/status", data={"action": "confirm", "reason": "a\x00b", "csrf_token": token})
    assert r.status_code == 400 and "the form" in r.text
    assert app.get("/api/incidents", params={"q": "Kon\x00duga"}).status_code == 400
    assert app.get("/api/incidents/inc%00x").json()["error"]["message"].startswith("the address")
    r = app.post(f"/api/incidents/{ids.target}/confirm", json={"reason": "a \\u0000 written out"}, headers=headers)
    assert r.status_code == 200  # an escaped backslash is not a NUL
    history = app.get(f"/api/incidents/{ids.target}/history").json()["history"]
    assert [e["action"] for e in history] == ["confirm"]


def test_numbers_too_large_for_the_database_are_refused(app: TestClient) -> None:
    token = log_in(app, "analyst")
    r = app.post(f"/api/claims/{10**20}/restore", json={"reason": "x"}, headers={"X-CSRF-Token": token})
    assert r.status_code == 422 and "claim_id" in r.json()["error"]["message"]
    r = app.post("/api/incidents/inc-x/split", json={"claim_ids": [10**20], "reason": "x"},
                 headers={"X-CSRF-Token": token})  # fmt: skip
    assert r.status_code == 422 and "claim_ids" in r.json()["error"]["message"]
    for path, params in (("/api/incidents", {"page": 10**20}), ("/api/claims/newest", {"offset": 10**25})):
        r = app.get(path, params=params)
        assert r.status_code == 400 and "too large" in r.json()["error"]["message"], path
    r = app.get("/incidents", params={"page": 10**20})
    assert r.status_code == 400 and "too large" in r.text
    r = app.post(f"/claims/{10**20}/status", data={"action": "reject", "back": "x", "reason": "x", "csrf_token": token})
    assert r.status_code == 422


def test_unreadable_bodies_and_wrong_methods_answer_in_the_error_shape(app: TestClient) -> None:
    token = log_in(app, "analyst")
    headers = {"X-CSRF-Token": token, "Content-Type": "application/json"}
    r = app.post("/api/incidents/inc-x/confirm", content=b"\xfc{", headers=headers)
    assert r.status_code in (400, 422) and r.json()["error"]["status"] == r.status_code
    r = app.put("/api/incidents")
    assert r.status_code == 405 and r.json()["error"]["status"] == 405 and r.headers["allow"] == "GET"


# --- login throttling ---------------------------------------------------------------------------


def test_failed_logins_slow_down_one_address_but_not_others(app: TestClient) -> None:
    # base=30: the wait outlasts the test, however slow the machine (each failure costs a hash).
    app.app.state.throttle = LoginThrottle(limit=4, base=30)  # type: ignore[attr-defined]
    here = TestClient(app.app, client=("203.0.113.7", 4000))
    for i in range(4):  # a different name each time: the count is the address's
        assert here.post("/api/session", json={"name": f"guess{i}", "password": "x" * 12}).status_code == 401
    r = here.post("/api/session", json={"name": "viewer", "password": PASSWORD})
    assert r.status_code == 429 and "wait" in r.json()["error"]["message"]  # even the right password waits
    assert 1 <= int(r.headers["retry-after"]) <= 30
    r = here.post("/login", data={"name": "viewer", "password": PASSWORD, "csrf_token": page_token(here)})
    assert r.status_code == 429 and "wait" in r.text and "retry-after" in r.headers  # the page login shares the count
    there = TestClient(app.app, client=("198.51.100.9", 4000))
    assert there.post("/api/session", json={"name": "viewer", "password": PASSWORD}).status_code == 200


def test_failed_logins_to_one_account_from_many_addresses_slow_that_account(app: TestClient) -> None:
    """Guessing spread over many addresses: each address that failed on the account waits
    before trying it again, but the right password from an address that did not fail is
    never refused (35 guesses used to keep an admin out for 10 minutes)."""
    assert LoginThrottle().account_limit > LoginThrottle().limit  # one address alone is stopped first
    app.app.state.throttle = LoginThrottle(limit=4, account_limit=6, base=30)  # type: ignore[attr-defined]
    guessers = [TestClient(app.app, client=(f"192.0.2.{i + 1}", 5000)) for i in range(6)]
    for i, guesser in enumerate(guessers):  # each address fails once: no address reaches its limit
        assert guesser.post("/api/session", json={"name": "admin", "password": f"guess {i:04d}"}).status_code == 401
    r = guessers[0].post("/api/session", json={"name": "admin", "password": f"guess {99:04d}"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1  # a failed address waits on this account
    form = {"name": " admin ", "password": "guess 0098", "csrf_token": page_token(guessers[1])}
    assert guessers[1].post("/login", data=form).status_code == 429  # the page login too, spaces or not
    assert guessers[2].post("/api/session", json={"name": "viewer", "password": PASSWORD}).status_code == 200
    newcomer = TestClient(app.app, client=("198.51.100.20", 5000))
    r = newcomer.post("/api/session", json={"name": "admin", "password": PASSWORD})
    assert r.status_code == 200  # the owner, from an address that never failed, gets in


def test_a_successful_login_forgets_the_addresses_failures(app: TestClient) -> None:
    app.app.state.throttle = LoginThrottle(limit=4, account_limit=100)  # type: ignore[attr-defined]
    here = TestClient(app.app, client=("203.0.113.50", 4000))
    for _ in range(2):
        for _ in range(3):
            assert here.post("/api/session", json={"name": "viewer", "password": "wrong pass"}).status_code == 401
        assert here.post("/api/session", json={"name": "viewer", "password": PASSWORD}).status_code == 200


# --- security headers ---------------------------------------------------------------------------


def check_headers(r: Response, path: str) -> None:
    h = r.headers
    where = (path, r.status_code)
    csp = {d.split()[0]: d.split()[1:] for d in (p.strip() for p in h["content-security-policy"].split(";")) if d}
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts == ["'self'"], where  # no inline script, no eval, no other origin
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"], where
    assert csp["frame-ancestors"] == ["'none'"] and csp["base-uri"] == ["'none'"], where
    assert csp["form-action"] == ["'self'"], where
    if path != "/docs":  # Swagger UI sets inline styles (never scripts)
        assert csp["style-src"] == ["'self'"], where
    assert h["x-frame-options"] == "DENY", where
    assert h["x-content-type-options"] == "nosniff", where
    assert h["referrer-policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin"), where
    if not path.startswith("/static/"):
        assert "no-store" in h["cache-control"], where


def test_security_headers_on_pages_api_errors_redirects_and_static_files(app: TestClient, ids: Ids) -> None:
    anonymous = ["/login", "/api/me", "/", "/nope", "/api/nope", "/static/style.css", "/static/nope.css",
                 "/static/swagger/swagger-ui.css", "/docs", "/openapi.json", "/favicon.ico"]  # fmt: skip
    seen = set()
    for path in anonymous:
        r = app.get(path, follow_redirects=False)
        check_headers(r, path)
        seen.add(r.status_code)
    log_in(app, "viewer")
    for path in ["/", "/incidents", f"/incidents/{ids.target}", "/settings", "/sources", "/api/incidents",
                 f"/api/incidents/{ids.target}", "/export?format=csv", "/api/export?format=geojson",
                 "/api/incidents?date_from=never", "/incidents/inc-nope", "/api/incidents/inc-nope"]:  # fmt: skip
        r = app.get(path, follow_redirects=False)
        check_headers(r, path)
        seen.add(r.status_code)
    r = app.post(f"/api/incidents/{ids.target}/confirm", json={"reason": "x"})  # 403 (CSRF)
    check_headers(r, "/api/incidents/x/confirm")
    seen.add(r.status_code)
    assert {200, 301, 303, 400, 401, 403, 404} <= seen


def test_security_headers_on_unexpected_errors(web_db: Path) -> None:
    """A bug answers 500 with the same headers and the one error shape, not a bare text."""
    app = create_app(web_db, secret_key=SECRET)

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/broken-for-test", broken)
    app.add_api_route("/broken-for-test", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/api/broken-for-test")
        assert r.status_code == 500 and r.json()["error"]["status"] == 500
        assert "a bug" not in r.text  # no internals shown
        check_headers(r, "/api/broken-for-test")
        r = client.get("/broken-for-test")
        assert r.status_code == 500 and "text/html" in r.headers["content-type"] and "a bug" not in r.text
        check_headers(r, "/broken-for-test")


def test_templates_hold_no_inline_script_handler_or_style() -> None:
    """The CSP would block them: an inline script, an on* attribute or a style attribute
    in a template is a broken page (and a hole if the CSP were ever loosened)."""
    for template in sorted((SRC / "serve" / "templates").glob("*.html")):
        source = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", source), template.name
        assert not re.search(r"\son[a-z]+\s*=", source, re.IGNORECASE), template.name
        assert not re.search(r"\sstyle\s*=", source, re.IGNORECASE), template.name
        assert not re.search(r"\|\s*safe\b", source) and "Markup" not in source, template.name
        assert "javascript:" not in source.lower(), template.name


# --- hostile text -------------------------------------------------------------------------------

# Each tries another way out of the text it is put in: an element, an attribute (double
# and single quoted), a textarea, a javascript: URL, and template syntax run twice.
HOSTILE = {
    "script": "<script>window.__pwned = 11</script>",
    "attribute": '"><img src=x onerror="window.__pwned = 12">',
    "single": "' onmouseover='window.__pwned = 13' x='",
    "textarea": "</textarea><script>window.__pwned = 14</script>",
    "url": "javascript:window.__pwned = 15",
    "template": "{{7*7}} ${7*7} {%raw%}",
}
HOSTILE_USER = '<b onclick="window.__pwned = 16">eve</b>'


class Elements(HTMLParser):
    """What a browser would make of the page: every element and attribute."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def assert_inert(html: str, where: str) -> None:
    parser = Elements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag != "script" or (attrs.get("src") or "").startswith("/static/"), (where, tag, attrs)
        assert not any(name.startswith("on") for name in attrs), (where, tag, attrs)
        for name in ("href", "src", "action", "formaction"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (where, tag, attrs)
        assert tag not in ("img", "iframe", "object", "embed", "base"), (where, tag, attrs)  # none in our pages
    for value in (*HOSTILE.values(), HOSTILE_USER, HOSTILE_SCRIPT, HOSTILE_IMG):
        if any(c in value for c in "<>\"'"):
            assert value not in html, (where, value)


def hostile_data(db: Path) -> tuple[Ids, str]:
    """The web database with hostile text wherever people can put it: corrected fields,
    review reasons, a merge target, and a user name (written directly: the CLI refuses it).
    Returns the ids and the hostile user's login name."""
    client = TestClient(create_app(db, secret_key=SECRET))
    token = log_in(client, "analyst")
    found = find_ids(client)
    h = HOSTILE
    fields = {"perpetrator": h["script"], "location.name": h["attribute"], "source": h["single"],
              "victims.group": h["textarea"], "location.admin1": h["url"]}  # fmt: skip
    for field, value in fields.items():
        r = client.post(f"/api/claims/{found.claim}/correct",
                        json={"field": field, "value": value, "reason": h["template"] + " " + h["attribute"]},
                        headers={"X-CSRF-Token": token})  # fmt: skip
        assert r.status_code == 200, (field, r.text)
    r = client.post(f"/incidents/{found.target}/status",
                    data={"action": "confirm", "reason": h["textarea"] + h["single"], "csrf_token": token},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303
    with open_store(db) as store, store.writing() as conn:
        conn.execute(text("UPDATE users SET name = :hostile WHERE name = 'analyst'"), {"hostile": HOSTILE_USER})
    return found, HOSTILE_USER


def quoted(value: str) -> str:
    return quote(value, safe="")


def hostile_pages(ids: Ids) -> dict[str, str]:
    """Pages that show each hostile value (stored, or reflected from the URL), by name."""
    h = HOSTILE
    return {
        "incident": f"/incidents/{ids.target}",
        "report with markup": f"/incidents/{ids.other}",  # conftest's hostile report, markup in its text
        "dashboard": "/",
        "list": "/incidents",
        "sources": "/sources",
        "settings": "/settings",
        "search": f"/incidents?q={quoted(h['script'])}",
        "dashboard search": f"/?q={quoted(h['attribute'])}&perpetrator={quoted(h['single'])}",
        "list filters": f"/incidents?perpetrator={quoted(h['script'])}&sort={quoted(h['textarea'])}",
        "bad date": f"/incidents?date_from={quoted(h['attribute'])}",
        "no such incident": f"/incidents/{quoted(h['attribute'])}",  # no "/" in it: one path segment
        "login next": f"/login?next=/{quoted(h['attribute'])}",
        "template search": f"/incidents?q={quoted(h['template'])}",
    }


def test_hostile_text_is_shown_escaped_wherever_it_was_put(web_db: Path) -> None:
    ids, hostile_user = hostile_data(web_db)
    with open_store(web_db) as store, pytest.raises(InputError):  # the front door refuses such a name
        add_user(store, HOSTILE_USER.replace("eve", "mallory"), PASSWORD, "viewer")
    with TestClient(create_app(web_db, secret_key=SECRET)) as app:
        log_in(app, hostile_user)
        shown: dict[str, str] = {}
        for name, path in hostile_pages(ids).items():
            r = app.get(path)
            assert r.status_code in (200, 404), (name, r.status_code)
            assert_inert(r.text, name)
            shown[name] = r.text
        incident = shown["incident"]
        for key in ("script", "attribute", "single", "textarea", "url"):
            assert str(escape(HOSTILE[key])) in incident, key  # shown, as text
        assert HOSTILE["template"] in incident  # literally: never evaluated
        assert str(escape(hostile_user)) in incident  # in the history and the header
        assert str(escape(HOSTILE_SCRIPT)) in shown["report with markup"]  # the report's own text
        assert str(escape(HOSTILE["script"])) in shown["search"]  # the search box and the filter list
        assert str(escape(HOSTILE["attribute"])) in shown["bad date"]  # the date box, and the message
        assert str(escape(HOSTILE["attribute"])) in shown["no such incident"]  # the 404 names the id
        assert HOSTILE["template"] in shown["template search"]
        # The login form reflects the name typed, and where to go next (same-site only).
        app.cookies.clear()
        token = page_token(app, hostile_pages(ids)["login next"])
        r = app.post("/login", data={"name": HOSTILE["attribute"], "password": "wrong password",
                                     "next": HOSTILE["url"], "csrf_token": token})  # fmt: skip
        assert r.status_code == 401
        assert_inert(r.text, "failed login")
        assert str(escape(HOSTILE["attribute"])) in r.text and HOSTILE["url"] not in r.text
        # JSON is never sniffed as a page.
        log_in(app, "viewer")
        r = app.get(f"/api/incidents/{quoted(HOSTILE['script'])}")
        assert r.headers["content-type"] == "application/json" and r.headers["x-content-type-options"] == "nosniff"


# --- the same in a real browser ---------------------------------------------------------------

# The browser fixture of the browser tests (it fails instead of skipping when CI=true).


def test_hostile_text_never_runs_in_a_browser(browser: Any, web_db: Path) -> None:  # noqa: F811
    """Every page that shows hostile text, opened in chromium: no script of it runs (the
    markers stay unset), no dialog opens, and the text is on the page as text."""
    ids, hostile_user = hostile_data(web_db)
    server = Server(web_db)
    try:
        checked = 0
        for user in ("admin", hostile_user):
            context = browser.new_context()
            page = context.new_page()
            page.set_default_timeout(15_000)
            dialogs: list[str] = []
            page.on("dialog", lambda d, seen=dialogs: (seen.append(d.message), d.dismiss()))
            page.goto(f"{server.url}/login?next=/{HOSTILE['attribute']}")
            page.fill("#name", user)
            page.fill("#password", PASSWORD)
            page.click("form[action='/login'] button[type=submit]")
            page.wait_for_load_state("load")
            for name, path in hostile_pages(ids).items():
                page.goto(f"{server.url}{path}")
                page.wait_for_load_state("load")
                page.mouse.move(200, 300)
                page.mouse.move(600, 500)  # hover over the page, for onmouseover
                assert page.evaluate("typeof window.__pwned") == "undefined", (user, name)
                checked += 1
            page.goto(f"{server.url}/incidents/{ids.target}")
            body = page.locator("main").inner_text()
            assert HOSTILE["script"] in body and HOSTILE["template"] in body
            assert dialogs == [] and page.evaluate("typeof window.__pwned") == "undefined"
            context.close()
        assert checked == 2 * len(hostile_pages(ids))
    finally:
        server.stop()


# --- SQL only through bound parameters ---------------------------------------------------------

# SQL text built with string formatting, by file and function, each reviewed: the values
# put in are identifiers or constants from code, never input. Anything else found fails.
SQL_FORMATTING_REVIEWED = {
    ("codebook/gazetteer.py", "<module>"): "the column list _COLUMNS, a code constant; values are bound (?)",
    ("codebook/gazetteer.py", "Gazetteer.get"): "the column list _COLUMNS; the id is bound (?)",
    ("store/restore.py", "_rows"): "a table name from the database's own catalogue, quoted by the dialect",
    ("store/database.py", "make_engine"): "PRAGMA busy_timeout from the constant BUSY_TIMEOUT_MS",
    ("store/models/watched.py", "SourceRow"): "a CHECK constraint listing the code constant SOURCE_KINDS",
    ("store/migrations/versions/0004_sources.py", "upgrade"): "the same CHECK constraint (SOURCE_KINDS)",
    ("store/migrations/versions/0005_list_indexes.py", "<module>"): "index expressions from code constants",
    ("store/migrations/versions/0005_list_indexes.py", "upgrade"): "index expressions from code constants",
    ("store/migrations/versions/0006_evidence.py", "_changed"): "column names from EVIDENCE_COLUMNS",
    ("store/migrations/versions/0006_evidence.py", "_triggers"): "column names from EVIDENCE_COLUMNS",
    ("store/migrations/versions/0006_evidence.py", "_upgrade_sqlite"): "trigger names and messages from code",
    ("store/migrations/versions/0006_evidence.py", "_upgrade_postgresql"): "trigger names and messages from code",
    ("store/migrations/versions/0006_evidence.py", "downgrade"): "trigger, function and table names from code",
    ("store/bulk.py", "insert_rows"): "a Table's name and its own column names (checked by _known); values bound",
    ("store/bulk.py", "update_rows"): "a Table's name and its own column names (checked by _known); values bound",
}
_SQL_WORDS = re.compile(
    r"\b(?:SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA|VACUUM|WHERE|FROM|VALUES|INTO|SET|"
    r"ORDER BY|GROUP BY|LIMIT|JOIN|MATCH|LIKE|IS NULL|IS NOT|DESC|ASC|BEGIN|TRIGGER)\b"
)
_SQL_SINKS = {"text", "exec_driver_sql", "execute", "executemany", "executescript", "literal_column"}


def _formatted(node: ast.AST) -> str | None:
    """The literal text of a string built by formatting (f-string, .format, %, +), else None."""
    if isinstance(node, ast.JoinedStr) and any(not isinstance(v, ast.Constant) for v in node.values):
        return "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in node.values)
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"
            and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str)):  # fmt: skip
        return node.func.value.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        parts = [n.value for n in (node.left, node.right) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        if parts and not all(isinstance(n, ast.Constant) for n in (node.left, node.right)):
            return " ".join(parts)
    return None


def _scopes(tree: ast.AST) -> dict[int, str]:
    """id(node) -> the dotted name of the function or class it is in ("<module>" outside)."""
    scopes: dict[int, str] = {}
    stack: list[tuple[ast.AST, str]] = [(tree, "<module>")]
    while stack:
        node, scope = stack.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            scope = node.name if scope == "<module>" else f"{scope}.{node.name}"
        scopes[id(node)] = scope
        stack += [(child, scope) for child in ast.iter_child_nodes(node)]
    return scopes


def sql_built_by_formatting(root: Path) -> list[tuple[str, str, int, str]]:
    """(file, function, line, text) of every formatted string that reads as SQL, and of every
    formatted string handed to an SQL call (text(), execute(), exec_driver_sql()...)."""
    found = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        scopes = _scopes(tree)
        sink_args = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and node.args:
                name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if name in _SQL_SINKS:
                    sink_args.add(id(node.args[0]))
        for node in ast.walk(tree):
            literal = _formatted(node)
            if literal is not None and (_SQL_WORDS.search(literal) or id(node) in sink_args):
                scope = scopes[id(node)].split(".")
                # Methods are named Class.method; nested helpers by their outer function.
                owner = ".".join(scope[:2]) if scope[0][:1].isupper() else scope[0]
                found.append((path.relative_to(root).as_posix(), owner, node.lineno, literal))  # type: ignore[attr-defined]
    return found


def test_sql_is_built_only_with_bound_parameters() -> None:
    found = sql_built_by_formatting(SRC)
    unreviewed = [f"{f}:{line} in {scope}: {sql[:90]!r}" for f, scope, line, sql in found
                  if (f, scope) not in SQL_FORMATTING_REVIEWED]  # fmt: skip
    assert unreviewed == [], (
        "SQL built by string formatting: pass values as bound parameters (text(...) with :name, or "
        "SQLAlchemy expressions); if only identifiers from code constants go in, add the place to "
        "SQL_FORMATTING_REVIEWED with the reason"
    )
    stale = set(SQL_FORMATTING_REVIEWED) - {(f, scope) for f, scope, _, _ in found}
    assert not stale, f"reviewed places that no longer format SQL: remove them: {sorted(stale)}"


def test_the_sql_scan_finds_formatted_sql(tmp_path: Path) -> None:
    """The scan itself can fail: each way of formatting a value into SQL is found."""
    (tmp_path / "bad.py").write_text(
        "def f(conn, name, ids):\n"
        "    conn.execute(text(f\"SELECT * FROM users WHERE name = '{name}'\"))\n"
        '    conn.exec_driver_sql("DELETE FROM claims WHERE id IN (%s)" % ids)\n'
        "    conn.execute(\"UPDATE users SET role = '{}'\".format(name))\n"
        "    q = 'SELECT * FROM documents WHERE title = ' + name\n"
        "    conn.execute(text(name + ' DESC'))\n"
        "    conn.execute(text('SELECT 1 WHERE :x'), {'x': name})\n",
        encoding="utf-8",
    )
    found = sql_built_by_formatting(tmp_path)
    assert sorted(line for _, _, line, _ in found) == [2, 3, 4, 5, 6]
