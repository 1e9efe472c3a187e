"""Evidence preservation on SQLite and PostgreSQL (see pgtest.py): the database refuses to
change stored originals and the audit log (migration 0006), `childwatch verify` finds an
original changed behind its back, and `childwatch bundle` hands originals over byte for
byte with their hashes and capture records.

`build_rich_store` fills a store with every kind of row (also used by test_backup.py).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from childwatch import cli, review
from childwatch.extract import Extractor
from childwatch.ingest.fetch import Capture
from childwatch.ingest.pdf import pdf_document
from childwatch.ingest.remote import document_from_capture
from childwatch.read import saved_searches
from childwatch.records import Document
from childwatch.resolve import near_dupes
from childwatch.review import discussion
from childwatch.review.users import add_user
from childwatch.run.pipeline import run_pipeline
from childwatch.run.resolution import resolve
from childwatch.store import Store, open_store, signatures, watched
from childwatch.store import discussion as discussed
from childwatch.store.review import end_session, server_secret
from pdf_maker import Page, wrap, write_pdf
from pgtest import BACKENDS, database_url

REPORTS = Path(__file__).parent / "fixtures" / "review" / "reports"
PAGE_URL = "http://reports.example.org/2024/kivu-school"
# A page as a server in a Windows code page would send it: the bytes are not UTF-8.
PAGE_HTML = (
    b"<html><head><title>Attack on a school near Goma</title></head><body><article>"
    b"<p>On 3 March 2024 fighters of M23 attacked the \x93Espoir\x94 primary school near Goma, "
    b"killing two children and wounding five, a teacher told reporters.</p>"
    b"<p>The school had been used as a shelter by displaced families since January.</p>"
    b"</article></body></html>"
)
PDF_TEXT = (
    "Armed men abducted 14 children from a village in Borno State in February 2023, "
    "according to a local official. Six of them were later released."
)


def fetched_page() -> Document:
    """A page as `childwatch run https://...` stores it: the real capture record."""
    capture = Capture(
        url=PAGE_URL,
        final_url=PAGE_URL + "/",
        status=200,
        reason="OK",
        headers=[("Content-Type", "text/html; charset=windows-1252"), ("ETag", '"abc123"'), ("Server", "test")],
        body=PAGE_HTML,
        captured_at=datetime(2024, 3, 5, 9, 30, tzinfo=UTC),
        redirects=[PAGE_URL],
    )
    doc = document_from_capture(capture, max_chars=100_000, user_agent="childwatch-test")
    assert isinstance(doc, Document), doc
    return doc


def pdf_report() -> Document:
    data = write_pdf([Page(columns=[wrap(PDF_TEXT)], title="Field report")])
    doc = pdf_document(data, where="tests/field-report.pdf", doc_id="field-report-pdf", max_chars=100_000)
    assert isinstance(doc, Document), doc
    return doc


def build_rich_store(store: Store) -> dict[str, Any]:
    """Every table gets rows: documents (JSON reports, a fetched cp1252 page with its capture
    record, a PDF), claims, runs and an ingest error, incidents, resolution log and bands,
    users, review events of several kinds with their claims, comments and assignments, a
    saved search, sources and items."""
    run_pipeline([REPORTS], store)
    extractor = Extractor()
    extra = [fetched_page(), pdf_report()]
    store.write_batch([(doc, extractor.extract(doc)) for doc in extra], extractor_version="test")
    run_id = store.begin_run(extractor_version="test")
    store.record_error(run_id, "tests/broken.json:3", "not JSON: expecting ','")
    store.finish_run(run_id, store.run(run_id).counts)  # type: ignore[union-attr]
    resolve(store)
    people = {role: add_user(store, role, "a long passphrase", role) for role in ("viewer", "analyst", "admin")}
    analyst, admin = people["analyst"], people["admin"]
    claims = list(store.iter_claims())
    incident = claims[0].claim.incident_id
    assert incident is not None
    review.confirm_incident(store, analyst, incident, "two independent sources")
    review.correct_claim(store, analyst, claims[1].id, "victims.count", 7, "the report says seven")
    review.reject_claim(store, analyst, claims[2].id, "not about children")
    review.record_reveal(store, admin, f"incident:{incident}", "family tracing request")
    discussion.comment(store, analyst, incident, "Checked against the ministry's statement")
    discussion.assign(store, admin, incident, analyst.name, "please verify the count")
    saved_searches.save(store, analyst, "Abductions this year", "violation=abduction&date_from=2024")
    # What a resolution run that merged an incident away leaves (migration 0017): the gone
    # id's comments and assignments lead to the incident holding its claims now.
    with store.writing() as conn:
        assert discussed.carry(conn, {"inc-merged-away": {claims[0].id}}, "full") == 1
    source = watched.sync_sources(store, [("http://feeds.example.org/news.xml", 900)])[0]
    at = datetime(2024, 3, 5, 10, 0, tzinfo=UTC)
    watched.record_poll(store, source.id, at=at, next_poll_at=at, status=200, kind="feed", title="News",
                        etag='"v1"', validators=True)  # fmt: skip
    watched.save_item(store, source.id, "item-1", url=PAGE_URL, status="ingested", doc_id=extra[0].id,
                      sha256=extra[0].sha256, attempts=1)  # fmt: skip
    # A report signed by a resolution that stopped before grouping: its band keys wait,
    # staged. (Stored without claims, so that the incidents stay as above.)
    data = write_pdf([Page(columns=[wrap(PDF_TEXT + " A later edition.")], title="Field report, revised")])
    late = pdf_document(data, where="tests/field-report-2.pdf", doc_id="field-report-pdf-2", max_chars=100_000)
    assert isinstance(late, Document), late
    store.write_batch([(late, [])], extractor_version="test")
    sig = near_dupes.signature(late.text)
    assert sig is not None
    signatures.save_signatures(store, [(late.id, sig, near_dupes.band_keys(sig), [])])
    # What the web server keeps: its session key, and a session ended by a logout.
    server_secret(store)
    end_session(store, "0" * 64, datetime(2099, 1, 1, tzinfo=UTC))
    return {"people": people, "incident": incident, "page": extra[0], "pdf": extra[1]}


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(request, request.param, tmp_path)


@pytest.fixture
def rich(db_url: str) -> Iterator[tuple[Store, dict[str, Any]]]:
    with open_store(db_url) as store:
        yield store, build_rich_store(store)


def execute(store: Store, sql: str, **params: Any) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(sql), params)


def refused(store: Store, sql: str, **params: Any) -> str:
    """The database's refusal of `sql` (the test fails if it is accepted)."""
    with pytest.raises(DBAPIError) as caught:
        execute(store, sql, **params)
    return str(caught.value.orig)


def audit_rows(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the append-only tables, JSON as its stored text, by id."""
    out = {}
    with store.engine.connect() as conn:
        for table in ("review_events", "review_claims", "resolution_log"):
            columns = [c for c in _columns(conn, table)]
            listed = ", ".join(f"CAST({c} AS TEXT)" if c in ("before", "after", "why") else c for c in columns)
            out[table] = [tuple(r) for r in conn.execute(text(f"SELECT {listed} FROM {table} ORDER BY id"))]
    return out


def _columns(conn: Any, table: str) -> list[str]:
    from sqlalchemy import inspect

    return [c["name"] for c in inspect(conn).get_columns(table)]


def kept(before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]) -> None:
    """Every row there was before is still there, unchanged (new rows may follow)."""
    for table, rows in before.items():
        assert after[table][: len(rows)] == rows, table


# --- the database refuses ------------------------------------------------------------------------


def test_database_refuses_to_change_originals_and_the_audit_log(rich: tuple[Store, dict[str, Any]]) -> None:
    store, made = rich
    page = made["page"].id
    before = audit_rows(store)
    assert all(before.values()), {t: len(r) for t, r in before.items()}
    for sql in (
        "UPDATE documents SET raw = :raw WHERE id = :id",
        "UPDATE documents SET sha256 = 'f00d' WHERE id = :id",
        "UPDATE documents SET text = 'rewritten' WHERE id = :id",
        "UPDATE documents SET url = 'http://elsewhere.example/' WHERE id = :id",
        "UPDATE documents SET metadata = '{}' WHERE id = :id",
        "UPDATE documents SET captured_at = :moment WHERE id = :id",
        "UPDATE documents SET id = 'renamed' WHERE id = :id",
        "DELETE FROM documents WHERE id = :id",
    ):  # fmt: skip
        moment = datetime(2000, 1, 1, tzinfo=UTC)
        assert "stored documents are evidence" in refused(store, sql, id=page, raw=b"forged", moment=moment), sql
    for table in ("review_events", "review_claims", "resolution_log"):
        assert "append-only" in refused(store, f"UPDATE {table} SET id = id + 1000"), table
        assert "append-only" in refused(store, f"DELETE FROM {table}"), table
    if store.engine.dialect.name == "postgresql":
        for table in ("documents", "review_events", "review_claims", "resolution_log"):
            refused(store, f"TRUNCATE {table} CASCADE")
    assert store.document(page) == made["page"]  # nothing changed
    kept(before, audit_rows(store))
    assert audit_rows(store) == before
    # What the pipeline fills in later stays writable, as does setting a column to itself.
    execute(store, "UPDATE documents SET extractor_version = 'v2', title = 'retitled', sha256 = sha256 WHERE id = :id",
            id=page)  # fmt: skip
    assert store.document(page).title == "retitled"  # type: ignore[union-attr]


def test_reruns_reresolution_and_review_still_work_under_the_triggers(rich: tuple[Store, dict[str, Any]]) -> None:
    store, made = rich
    before = audit_rows(store)
    run_pipeline([REPORTS], store)  # a re-run: everything already stored
    resolve(store, full=True)
    review.reapply(store)
    claims = list(store.iter_claims(doc_id="rv-001"))
    store.replace_claims("rv-001", [c.claim for c in claims], extractor_version="v2")  # re-extraction
    resolve(store)
    review.reject_incident(store, made["people"]["analyst"], made["incident"], "duplicate of another record")
    kept(before, audit_rows(store))


# --- verify ----------------------------------------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def tamper(store: Store, doc_id: str) -> None:
    """Change an original as someone with the database owner's rights could: drop the
    trigger of migration 0006, write, and put the trigger back exactly as it was. Also
    shift the evidence offsets of rv-002's claims (claims are not protected)."""
    pg = store.engine.dialect.name == "postgresql"
    name = "documents_evidence_no_update"
    definition = (
        f"SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgname = '{name}'"
        if pg else f"SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = '{name}'"
    )  # fmt: skip
    with store.engine.begin() as conn:
        ddl = conn.execute(text(definition)).scalar_one()
        conn.execute(text(f"DROP TRIGGER {name}" + (" ON documents" if pg else "")))
        conn.execute(text("UPDATE documents SET raw = :raw WHERE id = :id"), {"raw": b"forged bytes", "id": doc_id})
        conn.execute(text("UPDATE claims SET evidence_start = evidence_start + 3 WHERE doc_id = 'rv-002'"))
        conn.exec_driver_sql(ddl)
    assert "stored documents are evidence" in refused(store, "UPDATE documents SET raw = :raw", raw=b"x")


def test_verify_finds_a_changed_original_and_exits_non_zero(
    rich: tuple[Store, dict[str, Any]], db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store, made = rich
    code, out, _ = run_cli(capsys, "verify", "--db", db_url)
    assert code == 0, out
    assert "OK" in out and "0 hash mismatch" in out
    page = made["page"]
    tamper(store, page.id)
    code, out, _ = run_cli(capsys, "verify", "--db", db_url)
    assert code == 1
    assert f"hash mismatch: document {page.id!r} ({page.url})" in out
    assert "evidence mismatch: document 'rv-002'" in out
    code, out, _ = run_cli(capsys, "verify", "--db", db_url, "--json")
    report = json.loads(out)
    assert code == 1 and not report["ok"]
    assert report["mismatches"]["hash"] == 1 and report["mismatches"]["evidence"] >= 1
    hashed = [p for p in report["problems"] if p["kind"] == "hash"]
    assert hashed[0]["doc_id"] == page.id and hashlib.sha256(b"forged bytes").hexdigest() in hashed[0]["detail"]
    assert report["documents"] == store.counts().documents


def test_verify_reports_progress_on_a_large_store(tmp_path: Path) -> None:
    from childwatch.store.verify import verify_store

    with open_store(tmp_path / "many.sqlite") as store:
        docs = []
        for i in range(1200):
            raw = f"Report {i}: nothing to extract here.".encode()
            docs.append((Document(id=f"d{i:05d}", text=raw.decode(), raw=raw, sha256=hashlib.sha256(raw).hexdigest(),
                                  origin="generated", media_type="text/plain"), []))  # fmt: skip
        store.write_batch(docs)
        lines: list[str] = []
        import childwatch.store.verify as verify

        every = verify.PROGRESS_EVERY_S
        verify.PROGRESS_EVERY_S = 0.0
        try:
            report = verify_store(store, progress=lines.append)
        finally:
            verify.PROGRESS_EVERY_S = every
    assert report.ok and report.documents == 1200
    assert lines and lines[-1].startswith("verify: 1,200 of 1,200 documents (100%)")


# --- bundle ----------------------------------------------------------------------------------------


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_bundle_holds_every_original_exactly_with_its_hash_and_capture_record(
    rich: tuple[Store, dict[str, Any]], db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, made = rich
    out = tmp_path / "evidence.zip"
    code, printed, _ = run_cli(capsys, "bundle", "--db", db_url, "--out", str(out))
    assert code == 0, printed
    with zipfile.ZipFile(out) as bundle:
        manifest_bytes = bundle.read("manifest.json")
        manifest = json.loads(manifest_bytes)
        assert bundle.read("manifest.json.sha256").decode() == f"{sha(manifest_bytes)}  manifest.json\n"
        sums = dict(line.split("  ")[::-1] for line in bundle.read("SHA256SUMS").decode().splitlines())
        assert sums["manifest.json"] == sha(manifest_bytes)
        entries = manifest["documents"]
        assert len(entries) == store.counts().documents
        for entry in entries:
            data = bundle.read(entry["file"])
            stored = store.document(entry["id"])
            assert stored is not None
            assert data == stored.raw  # byte for byte
            assert sha(data) == entry["sha256"] == entry["stored_sha256"] == stored.sha256 == sums[entry["file"]]
            assert entry["algorithm"] == "sha256" and entry["hash_verified"] and entry["bytes"] == len(data)
            assert entry["ingested_at"]
            # Written by the pipeline's run 1, or directly by this test (no run).
            direct = (made["page"].id, "field-report-pdf", "field-report-pdf-2")
            assert entry["run_ids"] == ([] if entry["id"] in direct else [1])
    page = next(e for e in entries if e["id"] == made["page"].id)
    assert page["url"] == PAGE_URL + "/" and page["origin"] == PAGE_URL
    capture = page["capture"]
    assert capture["final_url"] == PAGE_URL + "/" and capture["status"] == 200
    assert ["ETag", '"abc123"'] in capture["headers"] and capture["captured_at"].startswith("2024-03-05T09:30")
    assert page["file"].endswith(".html") and b"\x93Espoir\x94" in PAGE_HTML
    pdf = next(e for e in entries if e["id"] == "field-report-pdf")
    assert pdf["file"].endswith(".pdf") and pdf["media_type"] == "application/pdf"
    assert "children's names" in manifest["note"]


def test_bundle_selects_by_document_incident_and_run_and_refuses_unknown_names(
    rich: tuple[Store, dict[str, Any]], db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, made = rich
    out = tmp_path / "one.zip"
    code, _, _ = run_cli(capsys, "bundle", "--db", db_url, "--out", str(out), "--doc", "field-report-pdf",
                         "--incident", made["incident"])  # fmt: skip
    assert code == 0
    in_incident = {c.claim.doc_id for c in store.iter_claims() if c.claim.incident_id == made["incident"]}
    with zipfile.ZipFile(out) as bundle:
        ids = {e["id"] for e in json.loads(bundle.read("manifest.json"))["documents"]}
    assert ids == in_incident | {"field-report-pdf"}
    code, _, _ = run_cli(capsys, "bundle", "--db", db_url, "--out", str(tmp_path / "run.zip"), "--run", "1")
    with zipfile.ZipFile(tmp_path / "run.zip") as bundle:
        run_ids = {e["id"] for e in json.loads(bundle.read("manifest.json"))["documents"]}
    assert code == 0 and run_ids == {p.stem for p in REPORTS.glob("*.json")}  # run 1 read the JSON reports
    code, _, err = run_cli(capsys, "bundle", "--db", db_url, "--out", str(tmp_path / "no.zip"), "--doc", "nope")
    assert code == 2 and "no document 'nope'" in err and not (tmp_path / "no.zip").exists()


def test_bundle_flags_an_original_that_fails_its_hash(
    rich: tuple[Store, dict[str, Any]], db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, made = rich
    tamper(store, made["page"].id)
    out = tmp_path / "flagged.zip"
    code, printed, _ = run_cli(capsys, "bundle", "--db", db_url, "--out", str(out), "--doc", made["page"].id)
    assert code == 1 and "FAIL their stored hash" in printed
    with zipfile.ZipFile(out) as bundle:
        entry = json.loads(bundle.read("manifest.json"))["documents"][0]
        assert bundle.read(entry["file"]) == b"forged bytes"
    assert entry["hash_verified"] is False and entry["stored_sha256"] == made["page"].sha256


# --- no command or route edits the audit log ------------------------------------------------------

# Commands that never open a database, and `serve`, whose routes are exercised in-process below.
NO_DATABASE = {"gazetteer", "codebook", "serve"}


def exercise_cli(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> set[str]:
    """Run every database command once; returns the names run."""
    from monitor_server import MonitorServer, page, rss

    server = MonitorServer().__enter__()
    server.route("/news/abduction", page("article-abduction.html"))
    link = server.url("/news/abduction")
    feed = rss("Monitor", [{"title": "abduction", "link": link, "pubDate": "Tue, 12 Mar 2024 08:00:00 +0000"}])
    server.route("/feed.xml", feed, "application/rss+xml")
    sources = tmp_path / "sources.txt"
    sources.write_text(f"{server.url('/feed.xml')}\n")
    monkeypatch.setattr("sys.stdin", io.StringIO("another long passphrase\n"))
    runs = [
        ["run", str(REPORTS), "--db", db],
        ["resolve", "--db", db, "--full"],
        ["export", "--db", db, "--out", str(tmp_path / "claims.jsonl")],
        ["export", "--db", db, "--what", "incidents", "--format", "json", "--out", str(tmp_path / "inc.json")],
        ["stats", "--db", db],
        ["incidents", "--db", db],
        ["users", "add", "newcomer", "--role", "analyst", "--password-stdin", "--db", db],
        ["users", "passwd", "newcomer", "--password-stdin", "--db", db],
        ["users", "list", "--db", db],
        ["audit", "--db", db, "--out", str(tmp_path / "audit.jsonl")],
        ["watch", str(sources), "--db", db, "--once"],
        ["sources", "--db", db],
        ["verify", "--db", db],
        ["bundle", "--db", db, "--out", str(tmp_path / "bundle.zip")],
        ["backup", "--db", db, "--out", str(tmp_path / "backup.cwbackup")],
        ["restore", str(tmp_path / "backup.cwbackup"), "--db", str(tmp_path / "restored.sqlite")],
    ]
    try:
        for args in runs:
            if args[0] == "users" and args[1] == "passwd":
                monkeypatch.setattr("sys.stdin", io.StringIO("yet another passphrase\n"))
            code = cli.main(args)
            _, err = capsys.readouterr()
            assert code == 0, (args, err)
    finally:
        server.__exit__(None, None, None)
    assert server.hits.get("/news/abduction") == 1
    return {args[0] for args in runs}


def test_no_cli_command_or_web_route_changes_earlier_audit_rows(
    rich: tuple[Store, dict[str, Any]], db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import argparse

    from fastapi.routing import APIRoute
    from fastapi.testclient import TestClient

    from childwatch.serve import api, create_app, forms

    store, _ = rich
    before = audit_rows(store)
    # Every command that opens a database, run once (a new one must be added here).
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    ran = exercise_cli(db_url, tmp_path, capsys, monkeypatch)
    assert set(sub.choices) == ran | NO_DATABASE
    kept(before, audit_rows(store))
    # Every unsafe web route, called by an admin (who may do everything) with a body that
    # makes it succeed; targets are picked afresh for each call, since merges and splits
    # change the incidents.
    routes = [(m, r.path) for r in [*api.router.routes, *forms.router.routes] if isinstance(r, APIRoute)
              for m in sorted(r.methods & {"POST", "PUT", "PATCH", "DELETE"})]  # fmt: skip
    sessions = [mp for mp in routes if mp[1] in ("/api/session", "/login", "/logout")]
    called: dict[tuple[str, str], int] = {}
    with TestClient(create_app(store, secret_key="k")) as client:
        login = {"name": "admin", "password": "a long passphrase"}
        client.headers["X-CSRF-Token"] = client.post("/api/session", json=login).json()["csrf_token"]
        for method, path in [mp for mp in routes if mp not in sessions]:
            incident, other, claim = targets(store)
            body = {"reason": "audit test", **_route_body(path, other, claim)}
            url = path.replace("{incident_id}", incident).replace("{claim_id}", str(claim))
            if path.startswith("/api/"):
                r = client.request(method, url, json=body)
                assert r.status_code == 200, (method, path, r.text[:300])
            else:
                form = {**body, "back": incident, "csrf_token": client.headers["X-CSRF-Token"]}
                r = client.request(method, url, data=form, follow_redirects=False)
                assert r.status_code in (200, 303), (method, path, r.text[:300])
            called[(method, path)] = r.status_code
        # Sessions last: they log the admin out and in again.
        r = client.post("/api/session", json=login)
        client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        called[("POST", "/api/session")] = r.status_code
        called[("DELETE", "/api/session")] = client.delete("/api/session").status_code
        del client.headers["X-CSRF-Token"]  # the pages send their token in the form
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert token
        r = client.post("/login", data={**login, "csrf_token": token.group(1)}, follow_redirects=False)
        called[("POST", "/login")] = r.status_code
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/settings").text)  # a new session's
        assert token
        r = client.post("/logout", data={"csrf_token": token.group(1)}, follow_redirects=False)
        called[("POST", "/logout")] = r.status_code
    assert set(called) == set(routes) and len(routes) >= 20
    assert {k: v for k, v in called.items() if v not in (200, 204, 303)} == {}
    after = audit_rows(store)
    kept(before, after)
    assert len(after["review_events"]) >= len(before["review_events"]) + 12  # the actions were recorded, as new rows


def targets(store: Store) -> tuple[str, str, int]:
    """(an incident of two or more claims, another incident of the same violation, a claim
    of the first) in the store as it is now."""
    members: dict[tuple[str, str], list[int]] = {}
    for c in store.iter_claims():
        if c.claim.incident_id:
            members.setdefault((c.claim.violation, c.claim.incident_id), []).append(c.id)
    for (violation, incident), ids in sorted(members.items()):
        others = sorted(i for v, i in members if v == violation and i != incident)
        if len(ids) >= 2 and others:
            return incident, others[0], ids[0]
    raise AssertionError(f"no incident with two claims and a sibling: {members}")


def _route_body(path: str, other: str, claim: int) -> dict[str, Any]:
    action = path.rsplit("/", 1)[-1]
    if path == "/api/me":
        return {"blur_graphic": False}
    if path == "/settings":
        return {"blur_graphic": "on"}
    if path == "/settings/password":
        return {"current": "a long passphrase", "new": "a long passphrase"}
    if path.startswith("/incidents/") and action == "status":
        return {"action": "confirm"}
    if path.startswith("/claims/") and action == "status":
        return {"action": "reject"}
    return {
        "merge": {"other_id": other}, "split": {"claim_ids": [claim]}, "move": {"incident_id": other},
        "correct": {"field": "victims.count", "value": 3},
    }.get(action, {})  # fmt: skip


def test_a_bundle_is_recorded_in_the_audit_log(
    rich: tuple[Store, dict[str, Any]], db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Originals name children: taking them out is an export like any other."""
    code, _, _ = run_cli(capsys, "bundle", "--db", db_url, "--out", str(tmp_path / "b.zip"))
    assert code == 0
    code, out, _ = run_cli(capsys, "audit", "--db", db_url, "--out", "-")
    rows = [json.loads(line) for line in out.splitlines()]
    bundles = [r for r in rows if r["action"] == "export" and r["target"] == "bundle"]
    assert len(bundles) == 1 and bundles[0]["via"] == "cli" and bundles[0]["details"]["out"].endswith("b.zip")
