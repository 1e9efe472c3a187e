"""The real app in-process (FastAPI's TestClient) over a real SQLite file made by the real
pipeline: login and sessions, roles, CSRF, filters, detail, review, exports, protection,
security headers and the offline API docs."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from childwatch.serve import api, create_app, forms
from conftest import HOSTILE_ID, HOSTILE_SCRIPT, PASSWORD

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Unsafe routes every logged-in user may call: their own session and settings.
OWN_ACCOUNT = {
    ("POST", "/api/session"), ("DELETE", "/api/session"), ("PATCH", "/api/me"),
    ("POST", "/login"), ("POST", "/logout"), ("POST", "/settings"), ("POST", "/settings/password"),
}  # fmt: skip


@pytest.fixture()
def app(web_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(web_db, secret_key="test-key")) as client:
        yield client


def login(client: TestClient, name: str) -> str:
    """Log in through the API; returns the CSRF token and sets it as a default header."""
    r = client.post("/api/session", json={"name": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    token: str = r.json()["csrf_token"]
    client.headers["X-CSRF-Token"] = token
    return token


def incident_id(client: TestClient, **filters: str) -> str:
    items = client.get("/api/incidents", params=filters).json()["items"]
    assert items, filters
    return str(items[0]["id"])


def write_routes() -> list[tuple[str, str]]:
    """Every unsafe route of the API and the page forms, read from the routers themselves
    so that a route added later is checked too."""
    routes = []
    for route in [*api.router.routes, *forms.router.routes]:
        if isinstance(route, APIRoute):
            routes += [(m, route.path) for m in sorted(route.methods & UNSAFE)]
    return routes


def fill(path: str, incident: str, claim: int) -> str:
    return path.replace("{incident_id}", incident).replace("{claim_id}", str(claim))


# --- sessions ---------------------------------------------------------------------------------


def test_everything_needs_a_login(app: TestClient) -> None:
    r = app.get("/api/incidents")
    assert r.status_code == 401 and "log in" in r.json()["error"]["message"]
    r = app.get("/incidents?country=NG", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fincidents%3Fcountry%3DNG"


def test_wrong_password_is_refused_and_repeated_failures_are_slowed(app: TestClient) -> None:
    for _ in range(10):
        r = app.post("/api/session", json={"name": "analyst", "password": "wrong password"})
        assert r.status_code == 401
    r = app.post("/api/session", json={"name": "analyst", "password": PASSWORD})
    assert r.status_code == 429  # even the right password waits


def test_session_cookie_is_httponly_samesite_and_secure_over_https(web_db: Path) -> None:
    with TestClient(create_app(web_db, secret_key="k")) as client:
        r = client.post("/api/session", json={"name": "viewer", "password": PASSWORD})
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    with TestClient(create_app(web_db, secret_key="k"), base_url="https://testserver") as client:
        r = client.post("/api/session", json={"name": "viewer", "password": PASSWORD})
        assert "; Secure" in r.headers["set-cookie"]
    with TestClient(create_app(web_db, secret_key="k", secure_cookies=True)) as client:
        r = client.post("/api/session", json={"name": "viewer", "password": PASSWORD})
        assert "; Secure" in r.headers["set-cookie"]


def test_a_forged_cookie_is_no_session(web_db: Path) -> None:
    with TestClient(create_app(web_db, secret_key="one")) as client:
        login(client, "admin")
        stolen = client.cookies.get("childwatch_session")
    with TestClient(create_app(web_db, secret_key="another")) as client:
        client.cookies.set("childwatch_session", stolen or "")
        assert client.get("/api/me").status_code == 401


def test_logout_ends_the_session(app: TestClient) -> None:
    login(app, "analyst")
    assert app.get("/api/me").json()["user"]["role"] == "analyst"
    assert app.delete("/api/session").status_code == 204
    assert app.get("/api/me").status_code == 401


def test_page_login_and_logout_with_csrf(app: TestClient) -> None:
    page = app.get("/login?next=/incidents")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    r = app.post("/login", data={"name": "viewer", "password": PASSWORD, "next": "/incidents"},
                 follow_redirects=False)  # fmt: skip
    assert r.status_code == 403  # no CSRF token: refused before the password is checked
    r = app.post("/login", data={"name": "viewer", "password": PASSWORD, "next": "https://evil.example/",
                                 "csrf_token": token.group(1)}, follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/"  # never off-site
    assert "viewer" in app.get("/").text
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', app.get("/").text)
    assert csrf
    r = app.post("/logout", data={"csrf_token": csrf.group(1)}, follow_redirects=False)
    assert r.status_code == 303 and app.get("/", follow_redirects=False).status_code == 303


# --- roles and CSRF ---------------------------------------------------------------------------


def test_every_write_route_is_forbidden_to_viewers(app: TestClient) -> None:
    login(app, "viewer")
    target = incident_id(app, country="NG")
    claim = app.get(f"/api/incidents/{target}").json()["claims"][0]["id"]
    checked = []
    for method, path in write_routes():
        if (method, path) in OWN_ACCOUNT:
            continue
        url = fill(path, target, claim)
        body = {"reason": "test", "other_id": target, "claim_ids": [claim], "field": "kind", "value": "pattern",
                "incident_id": target}  # fmt: skip
        if path.startswith("/api/"):
            r = app.request(method, url, json=body)
        else:
            form = {k: v for k, v in body.items() if k != "claim_ids"} | {"action": "confirm", "back": target,
                                                                           "csrf_token": app.headers["X-CSRF-Token"]}
            r = app.request(method, url, data=form, follow_redirects=False)
        assert r.status_code == 403, (method, path, r.status_code, r.text[:200])
        checked.append(path)
    api_routes = [p for p in checked if p.startswith("/api/")]
    assert len(api_routes) >= 10 and any("/claims/" in p for p in checked)
    assert app.get(f"/api/incidents/{target}/history").json()["history"] == []  # nothing was recorded


def test_unsafe_calls_need_the_csrf_token(app: TestClient) -> None:
    login(app, "analyst")
    target = incident_id(app, country="NG")
    del app.headers["X-CSRF-Token"]
    r = app.post(f"/api/incidents/{target}/confirm", json={"reason": "seen"})
    assert r.status_code == 403 and "CSRF" in r.json()["error"]["message"]
    r = app.post(f"/api/incidents/{target}/confirm", json={"reason": "seen"}, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403
    assert app.get(f"/api/incidents/{target}/history").json()["history"] == []


def test_reveal_is_for_admins_needs_a_reason_and_is_recorded(app: TestClient) -> None:
    login(app, "analyst")
    target = incident_id(app, q="Konduga", violation="abduction")
    text = json.dumps(app.get(f"/api/incidents/{target}").json())
    assert "Amina" not in text and "[child" in text  # pseudonymised for analysts too
    assert app.post(f"/api/incidents/{target}/reveal", json={"reason": "family tracing"}).status_code == 403
    app.cookies.clear()
    login(app, "admin")
    assert app.post(f"/api/incidents/{target}/reveal", json={"reason": " "}).status_code == 400
    r = app.post(f"/api/incidents/{target}/reveal", json={"reason": "family tracing request"})
    assert r.status_code == 200 and "Amina Musa" in json.dumps(r.json())
    history = app.get(f"/api/incidents/{target}/history").json()["history"]
    assert [(e["action"], e["user"], e["reason"]) for e in history] == [("reveal", "admin", "family tracing request")]


# --- reading ----------------------------------------------------------------------------------


def test_filters_search_and_pages(app: TestClient) -> None:
    login(app, "viewer")
    everything = app.get("/api/incidents").json()
    assert everything["total"] >= 8
    nigeria = app.get("/api/incidents", params={"country": "NG"}).json()
    assert nigeria["total"] >= 2 and {i["location_country"] for i in nigeria["items"]} == {"NG"}
    assert nigeria["filters"] == {"country": "NG"}
    found = app.get("/api/incidents", params={"q": "Lower Shabelle"}).json()
    assert [i["perpetrator"] for i in found["items"]] == ["al-Shabaab"]
    page2 = app.get("/api/incidents", params={"per_page": 3, "page": 2}).json()
    assert page2["page"] == 2 and len(page2["items"]) == 3 and page2["pages"] >= 3
    r = app.get("/api/incidents", params={"date_from": "2021-13"})
    assert r.status_code == 400 and "date_from" in r.json()["error"]["message"]


def test_incident_detail_has_sources_claims_spans_and_documents(app: TestClient) -> None:
    login(app, "viewer")
    target = incident_id(app, q="Konduga", violation="abduction")
    detail = app.get(f"/api/incidents/{target}").json()
    assert detail["incident"]["status"] == "corroborated"
    assert {s["name"] for s in detail["sources"]} >= {"UNICEF"}
    assert len(detail["outlets"]) == 2
    for claim in detail["claims"]:
        text = claim["document"]["text"]
        for span in claim["spans"]:
            assert text[span["start"]:span["end"]] == span["text"]
        assert {s["field"] for s in claim["spans"]} >= {"evidence", "perpetrator", "victims.count", "location"}
    assert app.get("/api/incidents/inc-nope").status_code == 404


def test_dashboard_and_facets(app: TestClient) -> None:
    login(app, "viewer")
    data = app.get("/api/dashboard").json()
    assert data["totals"]["incidents"] >= 8
    assert {r["key"] for r in data["by_country"]} >= {"NG", "YE", "CD", "AF", "SO"}
    assert data["report_volume"]["documents"] >= 7
    only = app.get("/api/dashboard", params={"violation": "abduction"}).json()
    assert {r["key"] for r in only["by_violation"] if r["incidents"]} == {"abduction"}
    facets = app.get("/api/facets").json()
    assert {c["key"] for c in facets["countries"]} >= {"NG", "CD"}
    assert "victims.count" in app.get("/api/fields").json()["fields"]


# --- review -----------------------------------------------------------------------------------


def test_an_analyst_corrects_a_field_and_the_history_shows_it(app: TestClient) -> None:
    login(app, "analyst")
    target = incident_id(app, q="Lower Shabelle")
    claim = app.get(f"/api/incidents/{target}").json()["claims"][0]
    r = app.post(f"/api/claims/{claim['id']}/correct", json={"field": "victims.count", "value": 41, "reason": ""})
    assert r.status_code == 400  # a reason is required; nothing recorded
    r = app.post(f"/api/claims/{claim['id']}/correct",
                 json={"field": "victims.count", "value": 41, "reason": "HRW report, table 2"})  # fmt: skip
    assert r.status_code == 200, r.text
    detail = app.get(f"/api/incidents/{target}").json()
    assert detail["claims"][0]["victims"]["count"] == 41
    (event,) = detail["history"]
    assert (event["action"], event["user"], event["field"], event["reason"]) == (
        "correct", "analyst", "victims.count", "HRW report, table 2")
    assert app.post(f"/api/claims/{claim['id']}/correct",
                    json={"field": "no.such", "value": 1, "reason": "x"}).status_code == 400  # fmt: skip


def test_confirm_reject_merge_and_split(app: TestClient) -> None:
    login(app, "analyst")
    nigeria = app.get("/api/incidents", params={"country": "NG", "violation": "attack_school_hospital"}).json()
    target = nigeria["items"][0]["id"]
    assert app.post(f"/api/incidents/{target}/confirm", json={"reason": "two sources"}).status_code == 200
    assert app.get(f"/api/incidents/{target}").json()["incident"]["status"] == "verified"
    claims = [c["id"] for c in app.get(f"/api/incidents/{target}").json()["claims"]]
    r = app.post(f"/api/incidents/{target}/split", json={"claim_ids": claims[:1], "reason": "different school"})
    assert r.status_code == 200
    new_id = r.json()["incident_id"]
    assert [c["id"] for c in app.get(f"/api/incidents/{new_id}").json()["claims"]] == claims[:1]
    r = app.post(f"/api/incidents/{target}/merge", json={"other_id": new_id, "reason": "same school after all"})
    assert r.status_code == 200
    assert app.get(f"/api/incidents/{new_id}").status_code == 404
    actions = [e["action"] for e in app.get(f"/api/incidents/{target}/history").json()["history"]]
    assert actions[:1] == ["confirm"] and "merge" in actions
    assert app.post("/api/incidents/inc-nope/confirm", json={"reason": "x"}).status_code == 404


# --- exports ----------------------------------------------------------------------------------


def test_exports_of_the_filtered_view(app: TestClient) -> None:
    login(app, "viewer")
    from childwatch.export import INCIDENT_FORMATS

    assert {"csv", "json", "geojson", "hxl", "jsonl"} <= set(INCIDENT_FORMATS)
    r = app.get("/api/export", params={"format": "csv", "country": "NG"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows and all("NG" in json.dumps(row) for row in rows)
    hxl = list(csv.reader(io.StringIO(app.get("/api/export", params={"format": "hxl"}).text)))
    assert hxl[1][0].startswith("#")  # the HXL hashtag row under the header
    geo = app.get("/api/export", params={"format": "geojson"}).json()
    assert geo["type"] == "FeatureCollection" and geo["features"][0]["geometry"]["type"] == "Point"
    assert isinstance(app.get("/api/export", params={"format": "json"}).json(), dict | list)
    lines = app.get("/api/export", params={"format": "jsonl", "country": "NG"}).text.splitlines()
    claims = [json.loads(line) for line in lines]
    assert claims and {c["location"]["country"] for c in claims} == {"NG"}
    assert {"doc_id", "violation", "kind", "perpetrator", "victims", "location", "date", "source", "evidence",
            "incident_id", "confidence"} <= set(claims[0])  # the GUIDELINES prediction format
    everything = "".join(app.get("/api/export", params={"format": f}).text for f in INCIDENT_FORMATS)
    assert "Amina" not in everything and "Okoro" not in everything  # pseudonymised in exports
    assert app.get("/api/export", params={"format": "xls"}).status_code == 400
    page = app.get("/export", params={"format": "csv", "violation": "abduction"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/csv")


# --- hostile text, headers, docs --------------------------------------------------------------


def test_hostile_text_is_escaped_and_no_inline_script_is_served(app: TestClient) -> None:
    login(app, "analyst")
    items = app.get("/api/incidents", params={"q": "written on the wall"}).json()["items"]
    page = app.get(f"/incidents/{items[0]['id']}")
    assert page.status_code == 200
    assert HOSTILE_SCRIPT not in page.text and "onerror=\"window" not in page.text
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in page.text
    assert "&lt;img src=x onerror=&#34;window.__pwned = 2&#34;&gt;" in page.text
    for html in (page.text, app.get("/").text, app.get("/incidents").text):
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # every script is a file
        assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html.replace(
            'href="https://example.org', ""))  # no asset from elsewhere (report links aside)
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "object-src 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert HOSTILE_ID in json.dumps(app.get(f"/api/incidents/{items[0]['id']}").json())


def test_openapi_schema_and_offline_docs(app: TestClient) -> None:
    schema = app.get("/openapi.json").json()
    assert {"/api/incidents", "/api/incidents/{incident_id}", "/api/dashboard", "/api/export",
            "/api/claims/{claim_id}/correct", "/api/session", "/api/me"} <= set(schema["paths"])  # fmt: skip
    assert not any(p.startswith(("/incidents", "/login")) for p in schema["paths"])  # pages stay out
    docs = app.get("/docs")
    assert docs.status_code == 200 and "cdn" not in docs.text.lower()
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', docs.text):
        assert app.get(asset).status_code == 200, asset


def test_dashboard_page_draws_the_map_and_charts(app: TestClient) -> None:
    login(app, "viewer")
    html = app.get("/").text
    assert 'class="worldmap"' in html and 'class="land level-' in html
    assert html.count('class="point"') >= 5  # located incidents
    assert "Reports per month" in html and 'class="bar bar-reports"' in html
    bad = app.get("/?date_from=never")
    assert bad.status_code == 200 and "is not a date" in bad.text  # the form explains, the page stays


def test_settings_change_the_blur_setting_and_the_password(app: TestClient) -> None:
    token = login(app, "viewer")
    assert app.patch("/api/me", json={"blur_graphic": False}).json()["user"]["blur_graphic"] is False
    r = app.post("/settings/password", data={"current": "wrong one", "new": "a new passphrase", "csrf_token": token})
    assert "current password is wrong" in r.text
    r = app.post("/settings/password", data={"current": PASSWORD, "new": "short", "csrf_token": token})
    assert "not changed" in r.text.lower()
    r = app.post("/settings/password", data={"current": PASSWORD, "new": "a new passphrase", "csrf_token": token})
    assert "Password changed." in r.text
    app.cookies.clear()
    assert app.post("/api/session", json={"name": "viewer", "password": PASSWORD}).status_code == 401
    assert app.post("/api/session", json={"name": "viewer", "password": "a new passphrase"}).status_code == 200
