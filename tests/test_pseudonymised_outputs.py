"""Children's names never leave the app: every page, every API answer and every incident
export, for a viewer, an analyst and an admin who has not revealed, is searched for the
names of the children in our data; a search for a name finds nothing; an admin's reveal
shows the names in that one answer only.

Three data sets, each built by the real pipeline: the web tests' reports (tests/fixtures/web),
the sample reports bundled for `make demo` (src/childwatch/samples), and reports written to
be hard (tests/fixtures/named): each names a child in its text and again in its title, its
address and its metadata, the title in one of fifteen headline forms (a capitalised word
before the name, title case, all capitals, lower case, a possessive, quotes, a first or
last name alone, a name only in a title in capitals), searched for in any case. The names are
data here, read from the reports by a person, not by `protect` (which is what is tested);
a test checks first that each really is in its reports, so that the search can fail.

Not covered, by design: `childwatch export --what claims` (the CLI's default) writes the
stored claims verbatim in the benchmark's prediction format, whose scoring needs the
evidence exactly as in the document; it is an operator's export from the database file
itself, like a backup. Incident exports (`--what incidents`) are checked here.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from fastapi.testclient import TestClient

from childwatch import cli
from childwatch.export import INCIDENT_FORMATS
from childwatch.review.users import add_user
from childwatch.run.pipeline import run_pipeline
from childwatch.run.resolution import resolve
from childwatch.serve import create_app
from childwatch.store import open_store
from conftest import PASSWORD, ROLES, WEB_FIXTURES
from pgtest import database_url
from test_web_security import app_routes

SAMPLES = Path(__file__).resolve().parents[1] / "src" / "childwatch" / "samples"


@dataclass(frozen=True)
class Children:
    """The children named in a set of reports: each name (as searched for), the report it
    is in, and patterns that must not match any output (a word of the name alone too,
    unless an adult in the same reports shares it)."""

    names: dict[str, str]  # name -> id of the report that names the child
    leaks: tuple[str, ...]  # regular expressions


WEB_CHILDREN = Children(
    names={"Amina Musa": "web-001", "Daniel Okoro": "web-004"},
    leaks=(r"\bAmina\b", r"\bMusa\b", r"\bDaniel\b", r"\bOkoro\b"),
)
SAMPLE_CHILDREN = Children(
    names={
        "Amina Yusuf": "sample-002",
        "Abdirahman": "sample-007",
        "Salem": "sample-008",
        "Jean": "sample-016",
        "Omar Khalil": "sample-019",
        "Musa Abubakar": "sample-020",
    },
    # Musa Garba, a police spokesman, and Jean-Paul Kasereka, a civil society leader, are
    # adults whose names stay.
    leaks=(
        r"\bAmina\b",
        r"\bYusuf\b",
        r"\bAbdirahman\b",
        r"\bSalem\b",
        r"\bJean\b(?!-Paul)",
        r"\bOmar\b",
        r"\bKhalil\b",
        r"\bAbubakar\b",
        r"\bMusa\b(?! Garba)",
    ),
)
NAMED = Path(__file__).resolve().parent / "fixtures" / "named"
_NAMED_REPORTS = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(NAMED.glob("*.json"))}
# The child of each report, as a reader finds it in the title (named-15 names her there only).
_NAMED = {
    "named-01": "Amina Yusuf", "named-02": "Dmytro Kovalenko", "named-03": "Hawa Adamu", "named-04": "Bilal Haddad",
    "named-05": "Esther Wanjiku", "named-06": "Tariq Mansour", "named-07": "Zainab Kolo", "named-08": "Yerlan Sadykov",
    "named-09": "Nadia Karimova", "named-10": "Kwame Boateng", "named-11": "Ruth Achieng", "named-12": "Samir Khatib",
    "named-13": "Halima Garba", "named-14": "Oleksiy Bondar", "named-15": "Maryam Dauda",
}  # fmt: skip
NAMED_CHILDREN = Children(
    names={name: doc_id for doc_id, name in _NAMED.items()},
    # Every word of every name, in any case: "AMINA", "amina", "amina-yusuf" in an address.
    leaks=tuple(rf"(?i)(?<![^\W_]){word}(?![^\W_])" for name in _NAMED.values() for word in name.split()),
)
# Query parameters for GET routes that take more than ids, so that each shows everything.
LIST_PARAMS: dict[str, list[dict[str, str]]] = {
    "/api/incidents": [{"per_page": "500"}],
    "/api/claims/newest": [{"limit": "200"}],
    "/api/export": [{"format": f} for f in INCIDENT_FORMATS],
    "/export": [{"format": f} for f in INCIDENT_FORMATS],
}


@dataclass(frozen=True)
class DataSet:
    db: Path
    reports: Path
    children: Children


def _with_users(db: Path | str) -> None:
    with open_store(db) as store:
        for name, role in ROLES.items():
            add_user(store, name, PASSWORD, role)


@pytest.fixture(scope="module")
def samples_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("samples") / "samples.sqlite"
    done = subprocess.run([sys.executable, "-m", "childwatch.cli", "run", str(SAMPLES), "--db", str(db)],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    _with_users(db)
    return db


@pytest.fixture(scope="module")
def named_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("named") / "named.sqlite"
    done = subprocess.run([sys.executable, "-m", "childwatch.cli", "run", str(NAMED), "--db", str(db)],
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    _with_users(db)
    return db


@pytest.fixture(params=["web", "samples", "named"])
def data(request: pytest.FixtureRequest, tmp_path: Path) -> DataSet:
    if request.param == "web":
        template, reports, children = request.getfixturevalue("web_db_template"), WEB_FIXTURES, WEB_CHILDREN
    elif request.param == "named":
        template, reports, children = request.getfixturevalue("named_db"), NAMED, NAMED_CHILDREN
    else:
        template, reports, children = request.getfixturevalue("samples_db"), SAMPLES, SAMPLE_CHILDREN
    db = tmp_path / "data.sqlite"
    shutil.copyfile(template, db)
    return DataSet(db, reports, children)


def client_for(db: Path, user: str) -> TestClient:
    client = TestClient(create_app(db, secret_key="pseudonyms"))
    r = client.post("/api/session", json={"name": user, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


def leaks_in(text: str, children: Children) -> list[str]:
    # A search's passage marks the words matched (<mark class="hit">…</mark>): read the
    # words without the marks, so that a name cut by them is still found ("Dan</mark>iel")
    # and an adult's is still told apart ("<mark>Jean</mark>-Paul").
    text = re.sub(r"</?mark\b[^>]*>", "", text)
    found = []
    for pattern in children.leaks:
        for m in re.finditer(pattern, text):
            found.append(repr(text[max(0, m.start() - 60) : m.end() + 30]))
    return found


def without(text: str, q: str) -> str:
    """`text` without the search text itself, which pages and exports echo back."""
    for form in (q, quote_plus(q), quote(q), json.dumps(q)[1:-1]):
        text = text.replace(form, "")
    return text


def docs_of(client: TestClient, incidents: list[dict[str, Any]]) -> set[str]:
    """The ids of the reports behind these incidents."""
    return {c["doc_id"] for i in incidents for c in client.get(f"/api/incidents/{i['id']}").json()["claims"]}


def every_output(client: TestClient) -> Iterator[tuple[str, str]]:
    """(what, text) of every GET route the app has, pages and API, for every incident and
    claim, every list page and every export format. A GET route that needs parameters
    this does not know fails here, so that a new route is not silently left unchecked."""
    incidents = client.get("/api/incidents", params={"per_page": "500"}).json()["items"]
    assert incidents
    incident_ids = [str(i["id"]) for i in incidents]
    claim_ids: list[int] = []
    for incident_id in incident_ids:
        claim_ids += [int(c["id"]) for c in client.get(f"/api/incidents/{incident_id}").json()["claims"]]
    routes, _ = app_routes(client.app)  # type: ignore[arg-type]
    gets = sorted(path for method, path in routes if method == "GET")
    assert "/api/incidents/{incident_id}" in gets and "/incidents/{incident_id}" in gets
    for path in gets:
        if path in ("/login", "/docs", "/openapi.json", "/favicon.ico", "/admin/accounts"):
            continue  # no data: nothing of a report is in them (the accounts page: names of users)
        if "{incident_id}" in path:
            urls = [path.replace("{incident_id}", i) for i in incident_ids]
        elif "{claim_id}" in path:
            urls = [path.replace("{claim_id}", str(c)) for c in claim_ids]
        else:
            assert "{" not in path, f"{path}: tell every_output how to fill its parameters"
            urls = [path]
        for url in urls:
            for params in LIST_PARAMS.get(path, [{}]):
                r = client.get(url, params=params)
                assert r.status_code == 200, (url, params, r.status_code, r.text[:200])
                yield f"GET {url} {params or ''}", r.text
    # Every page of the paged lists, not only the first.
    for path, size in (("/incidents", 25), ("/sources", 50)):
        for page in range(2, len(incidents) // size + 2):
            r = client.get(path, params={"page": str(page)})
            if r.status_code == 200:
                yield f"GET {path}?page={page}", r.text


def test_the_names_are_in_the_reports(data: DataSet) -> None:
    """The search below can fail: each child's name is in its report, and each leak
    pattern finds something in the reports as written."""
    texts = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in data.reports.glob("*.json")}
    for name, doc_id in data.children.names.items():
        report = texts[doc_id]["text"] + " " + texts[doc_id].get("title", "")
        assert name.casefold() in report.casefold(), (name, doc_id)
    everything = " ".join(t["text"] + " " + t.get("title", "") for t in texts.values())
    for pattern in data.children.leaks:
        assert re.search(pattern, everything), pattern


@pytest.mark.parametrize("user", ["viewer", "analyst", "admin"])
def test_no_page_api_answer_or_export_names_a_child(data: DataSet, user: str) -> None:
    """The admin has not revealed anything: a reveal is asked for, one incident at a time."""
    client = client_for(data.db, user)
    seen, leaks = 0, []
    for what, text in every_output(client):
        seen += 1
        leaks += [f"{what}: {found}" for found in leaks_in(text, data.children)]
    assert leaks == [], "\n".join(leaks[:20])
    assert seen > 20


@pytest.mark.parametrize("user", ["viewer", "admin"])  # the same for every role: all see pseudonyms
def test_searching_for_a_childs_name_finds_nothing(data: DataSet, user: str) -> None:
    """Search matches what people see: a report that has the name only in the child's
    name is not found, in the list, the dashboard or an export, by the name or a word of it."""
    client = client_for(data.db, user)
    for name, doc_id in data.children.names.items():
        for q in (name, *name.split(), name.lower(), name.upper()):
            found = client.get("/api/incidents", params={"q": q, "per_page": "500"}).json()["items"]
            assert doc_id not in docs_of(client, found), (q, doc_id)
            for path in ("/incidents", "/"):
                page = client.get(path, params={"q": q})
                assert page.status_code == 200 and not leaks_in(without(page.text, q), data.children), (path, q)
            export = client.get("/api/export", params={"q": q, "format": "json"}).text
            assert not leaks_in(without(export, q), data.children) and doc_id not in export, q
    # The search still finds what people see, in the same reports.
    place = {"web-001": "Konduga", "sample-002": "Damboa"}
    for doc_id, word in place.items():
        if doc_id in data.children.names.values():
            found = client.get("/api/incidents", params={"q": word}).json()["items"]
            assert doc_id in docs_of(client, found), word


def test_incident_exports_of_the_cli_name_no_child(data: DataSet, tmp_path: Path) -> None:
    for fmt in INCIDENT_FORMATS:
        out = tmp_path / f"incidents.{fmt}"
        args = ["export", "--db", str(data.db), "--what", "incidents", "--format", fmt, "--out", str(out)]
        assert cli.main(args) == 0
        text = out.read_text(encoding="utf-8")
        assert text.strip() and not leaks_in(text, data.children), (fmt, leaks_in(text, data.children)[:3])
    for fmt in ("jsonl", "csv"):  # claims, for a file to share
        out = tmp_path / f"claims.{fmt}"
        args = ["export", "--db", str(data.db), "--pseudonymise", "--format", fmt, "--out", str(out)]
        assert cli.main(args) == 0
        text = out.read_text(encoding="utf-8")
        assert text.strip() and not leaks_in(text, data.children), (fmt, leaks_in(text, data.children)[:3])
    out = tmp_path / "default.csv"  # the incident export's default format
    assert cli.main(["export", "--db", str(data.db), "--what", "incidents", "--out", str(out)]) == 0
    assert not leaks_in(out.read_text(encoding="utf-8"), data.children)


def test_an_admins_reveal_shows_the_names_in_that_answer_only(data: DataSet) -> None:
    admin = client_for(data.db, "admin")
    shown = []
    for name, doc_id in data.children.names.items():
        incidents = admin.get("/api/incidents", params={"per_page": "500"}).json()["items"]
        target = next(i["id"] for i in incidents if doc_id in docs_of(admin, [i]))
        revealed = admin.post(f"/api/incidents/{target}/reveal", json={"reason": "family tracing request"})
        assert revealed.status_code == 200 and name.casefold() in revealed.text.casefold(), name
        page = admin.post(f"/incidents/{target}/reveal", data={"reason": "family tracing request"})
        assert page.status_code == 200 and name.casefold() in page.text.casefold(), name
        assert "no-store" in page.headers["cache-control"]  # the revealed page is not kept
        shown.append(target)
        # Nothing else changed: the same incident, read again, is pseudonymised.
        again = admin.get(f"/api/incidents/{target}").text + admin.get(f"/incidents/{target}").text
        assert not leaks_in(again, data.children), name
    history = admin.get(f"/api/incidents/{shown[0]}/history").json()["history"]
    assert [e["action"] for e in history].count("reveal") >= 2  # both reveals recorded
    viewer = client_for(data.db, "viewer")
    for target in shown:  # and for everyone else, after the reveals
        assert not leaks_in(viewer.get(f"/incidents/{target}").text, data.children)


def test_the_same_on_postgresql(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """The search checks what people see with ILIKE and hands the query ids: the same
    outputs and searches over a real PostgreSQL server."""
    url = database_url(request, "postgresql", tmp_path)
    with open_store(url) as store:
        run_pipeline([WEB_FIXTURES], store)
        resolve(store)
    _with_users(url)
    data = DataSet(Path(), WEB_FIXTURES, WEB_CHILDREN)
    client = TestClient(create_app(url, secret_key="pseudonyms"))
    client.post("/api/session", json={"name": "viewer", "password": PASSWORD}).raise_for_status()
    leaks = [f"{what}: {found}" for what, text in every_output(client) for found in leaks_in(text, data.children)]
    assert leaks == [], "\n".join(leaks[:20])
    for name, doc_id in data.children.names.items():
        for q in (name, *name.split()):
            found = client.get("/api/incidents", params={"q": q}).json()["items"]
            assert doc_id not in docs_of(client, found), (q, doc_id)
    assert "web-001" in docs_of(client, client.get("/api/incidents", params={"q": "konduga"}).json()["items"])


def test_what_an_analyst_writes_about_a_child_is_pseudonymised_for_everyone_else(
    named_db: Path, tmp_path: Path
) -> None:
    """Reasons are kept verbatim in the audit log, but shown with the report's pseudonyms;
    a correction that would make a child's name a place (shown on every list and map) is refused."""
    db = tmp_path / "named.sqlite"
    shutil.copyfile(named_db, db)
    analyst = client_for(db, "analyst")
    incidents = analyst.get("/api/incidents", params={"per_page": "500"}).json()["items"]
    target = next(i["id"] for i in incidents if "named-01" in docs_of(analyst, [i]))
    claim = next(c for c in analyst.get(f"/api/incidents/{target}").json()["claims"] if c["doc_id"] == "named-01")
    done = analyst.post(f"/api/incidents/{target}/confirm", json={"reason": "AMINA YUSUF's mother confirmed it"})
    assert done.status_code == 200, done.text
    refused = analyst.post(f"/api/claims/{claim['id']}/correct",
                           json={"field": "location.name", "value": "Amina Yusuf", "reason": "typo"})  # fmt: skip
    assert refused.status_code in (400, 422) and "names a child" in refused.text, refused.text
    with open_store(db) as store:  # the audit log keeps what was written
        history = store.engine.connect().exec_driver_sql("SELECT reason FROM review_events").all()
    assert any("AMINA YUSUF" in r[0] for r in history)
    viewer = client_for(db, "viewer")
    for what, text in every_output(viewer):
        assert not leaks_in(text, NAMED_CHILDREN), (what, leaks_in(text, NAMED_CHILDREN)[:2])
    shown = viewer.get(f"/api/incidents/{target}/history").json()["history"]
    assert any("[child" in e["reason"] and "mother confirmed" in e["reason"] for e in shown)


def test_a_report_whose_id_and_address_name_the_child_is_shown_by_pseudonym(tmp_path: Path) -> None:
    """Reports fetched from the web take their address as id ("site/path@hash"), and news
    addresses often carry the headline: the id is pseudonymised like the address."""
    folder = tmp_path / "reports"
    folder.mkdir()
    doc_id = "news.example.org/2024/05/teen-idris-lawan-recruited-by-militia@3fa9c1d2e4b5"
    report = {
        "id": doc_id,
        "url": "https://" + doc_id.split("@")[0],
        "title": "Teen Idris Lawan Recruited By Militia",
        "text": "Armed men recruited 30 boys in Zamfara State on 3 May 2024, residents said. Among them was a "
        "15-year-old boy, Idris Lawan, whose mother said he was taken from the market.",
        "published": "2024-05-05",
    }
    (folder / "report.json").write_text(json.dumps(report), encoding="utf-8")
    db = tmp_path / "slug.sqlite"
    assert cli.main(["run", str(folder), "--db", str(db)]) == 0
    _with_users(db)
    leaks = Children(names={"Idris Lawan": doc_id}, leaks=(r"(?i)\bidris\b", r"(?i)\blawan\b"))
    viewer = client_for(db, "viewer")
    outputs = list(every_output(viewer))
    assert any(doc_id.split("/")[0] in text for _, text in outputs)  # the report is there, by its site
    assert [(what, found) for what, text in outputs for found in leaks_in(text, leaks)] == []
    out = tmp_path / "claims.jsonl"
    assert cli.main(["export", "--db", str(db), "--pseudonymise", "--out", str(out)]) == 0
    assert not leaks_in(out.read_text(encoding="utf-8"), leaks)
    admin = client_for(db, "admin")
    incident = viewer.get("/api/incidents").json()["items"][0]["id"]
    revealed = admin.post(f"/api/incidents/{incident}/reveal", json={"reason": "checking the source"}).json()
    assert {c["doc_id"] for c in revealed["claims"]} == {doc_id}
