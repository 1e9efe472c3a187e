"""Concurrent writers: two `childwatch run` processes over different folders and a running
`childwatch serve` taking analysts' review actions, all writing one store at once. Nobody
sees "database is locked" (or any failure), and afterwards every document, every claim
and every review action is there, with its effect. On SQLite and PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from childwatch import review
from childwatch.run.pipeline import run_pipeline
from childwatch.run.resolution import resolve
from childwatch.store import locks, open_store
from conftest import Server
from pgtest import BACKENDS, database_url
from test_crash_safety import (
    CLAIM_COLUMNS,
    PASSWORD,
    SAMPLES,
    analyst,
    check_store,
    number,
    query,
    resolved,
    rows,
    start_cli,
    write_reports,
)

BATCH = "10"  # many small transactions: many chances to collide


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store holding the samples, resolved, with an analyst."""
    folder = tmp_path / "db"
    folder.mkdir()
    url = database_url(request, str(request.param), folder)
    with open_store(url) as store:
        run_pipeline([SAMPLES], store)
        resolve(store)
        analyst(store)
    return url


def claims_by_document(db: str) -> dict[str, list[tuple[Any, ...]]]:
    found: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows(db, f"SELECT {CLAIM_COLUMNS} FROM claims ORDER BY doc_id, ordinal"):
        found.setdefault(row[0], []).append(row[1:])
    return found


class Analyst:
    """An analyst at work in the browser's stead: review actions over the REST API, each
    kept with its answer."""

    def __init__(self, url: str, incidents: list[str], claims: list[int]) -> None:
        self.client = httpx.Client(base_url=url, timeout=60)
        r = self.client.post("/api/session", json={"name": "analyst", "password": PASSWORD})
        assert r.status_code == 200, r.text
        self.client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
        self.incidents, self.claims = incidents, claims
        self.done: list[tuple[str, str, int, dict[str, Any]]] = []  # (action, target, status, body)
        self.status: dict[str, str] = {}  # incident -> what the last confirm/reopen made it

    def act(self, i: int) -> None:
        if i % 2 == 0:
            incident = self.incidents[(i // 2) % len(self.incidents)]
            action = "reopen" if self.status.get(incident) == "verified" else "confirm"
            r = self.client.post(f"/api/incidents/{incident}/{action}", json={"reason": f"call {i}"})
            target = incident
            if r.status_code == 200:
                self.status[incident] = "verified" if action == "confirm" else "reopened"
        else:
            claim = self.claims[(i // 2) % len(self.claims)]
            action, target = "correct", str(claim)
            body = {"field": "victims.group", "value": f"group {i}", "reason": f"call {i}"}
            r = self.client.post(f"/api/claims/{claim}/correct", json=body)
        self.done.append((action, target, r.status_code, r.json() if r.content else {}))
        if i % 5 == 0:  # and reads, which must not fail either
            listed = self.client.get("/api/incidents", params={"per_page": 20})
            self.done.append(("list", "", listed.status_code, {}))

    def close(self) -> None:
        self.client.close()


def test_two_runs_and_the_web_server_write_one_store_at_once(db: str, tmp_path: Path) -> None:
    # Reports about the samples' events, so that resolving them rewrites the incidents the
    # analyst is reviewing meanwhile.
    folders = [tmp_path / "one", tmp_path / "two"]
    total = sum(write_reports(folder, 3) for folder in folders)
    before = claims_by_document(db)
    incidents = [r[0] for r in query(db, "SELECT id FROM incidents ORDER BY n_claims DESC, id LIMIT 6")]
    claims = [r[0] for r in query(db, "SELECT id FROM claims WHERE incident_id IS NOT NULL ORDER BY id LIMIT 6")]

    server = Server(db)  # type: ignore[arg-type]  # a path or a URL, as `--db` takes
    logs = [tmp_path / "one.log", tmp_path / "two.log"]
    runs: list[Any] = []
    person = Analyst(server.url, incidents, claims)
    try:
        runs = [
            start_cli(log, "run", folder, "--db", db, "--batch-size", BATCH)
            for folder, log in zip(folders, logs, strict=True)
        ]
        i = 0
        while any(run.poll() is None for run in runs) or i < 40:
            person.act(i)
            i += 1
            time.sleep(0.01)
        for run in runs:
            run.wait(300)
    finally:
        person.close()
        for run in runs:
            if run.poll() is None:
                run.kill()
                run.wait(30)
        server.stop()
        served = server.proc.stderr.read() if server.proc.stderr else ""

    # Nobody saw the store locked, or failing.
    for run, log in zip(runs, logs, strict=True):
        output = log.read_text()
        assert run.returncode == 0, output
        assert "locked" not in output.lower(), output
    failed = [(a, t, s, b) for a, t, s, b in person.done if s != 200]
    assert not failed, f"{len(failed)} of {len(person.done)} web calls failed, e.g. {failed[:3]}"
    assert "locked" not in served.lower(), served

    # Every document is there once, with its claims: those of the sample it copies.
    check_store(db)
    stored = claims_by_document(db)
    assert number(db, "SELECT count(*) FROM documents") == len(before) + total
    copies = {doc_id: claims for doc_id, claims in stored.items() if doc_id not in before}
    assert len(copies) == total
    for doc_id, found in copies.items():
        assert found == before[doc_id.rsplit("-", 2)[0]], doc_id
    assert number(db, "SELECT count(*) FROM claims WHERE incident_id IS NULL") == 0
    stale = number(db, "SELECT count(*) FROM incidents i WHERE n_claims <> "
                       "(SELECT count(*) FROM claims c WHERE c.incident_id = i.id)")  # fmt: skip
    assert stale == 0, f"{stale} incidents whose view counts other claims than they hold"
    # Both runs finished, neither taken for an interrupted one while the other went on.
    assert query(db, "SELECT count(*), count(finished_at) FROM runs") == [(3, 3)]
    assert number(db, "SELECT count(*) FROM ingest_errors") == 0

    # Every review action is there, whole, with its effect.
    reviewed = [(a, t, b) for a, t, s, b in person.done if a != "list"]
    events = query(db, "SELECT id, action, target_id FROM review_events ORDER BY id")
    assert [(e[1], e[2]) for e in events] == [(a, t) for a, t, _ in reviewed]
    assert [e[0] for e in events] == [b["event"]["id"] for _, _, b in reviewed]
    for incident, made in person.status.items():
        status = query(db, f"SELECT status FROM incidents WHERE id = '{incident}'")
        assert status and (status[0][0] == "verified") == (made == "verified"), (incident, made, status)
    at_end = resolved(db)
    with open_store(db) as store:
        review.reapply(store)
    after = resolved(db)
    assert after["placed"] == at_end["placed"] and after["incidents"] == at_end["incidents"]


def test_a_second_resolution_waits_for_the_first(db: str, tmp_path: Path) -> None:
    # Two at once would sign the same documents and place the same claims twice (two runs
    # finishing together did: "UNIQUE constraint failed: doc_bands").
    write_reports(tmp_path / "new", 1)
    with open_store(db) as store:
        run_pipeline([tmp_path / "new"], store)
        with locks.exclusive(store.engine, "resolve"):  # as a resolution in another process
            log = tmp_path / "resolve.log"
            second = start_cli(log, "resolve", "--db", db)
            try:
                deadline = time.monotonic() + 60
                while "waiting for another process" not in log.read_text() and time.monotonic() < deadline:
                    assert second.poll() is None, log.read_text()
                    time.sleep(0.05)
                assert "waiting for another process resolving this store" in log.read_text()
                time.sleep(0.5)
                assert second.poll() is None, "the second resolution did not wait"
                assert number(db, "SELECT count(*) FROM claims WHERE incident_id IS NULL") > 0
            except BaseException:
                second.kill()
                raise
    assert second.wait(120) == 0, log.read_text()
    assert number(db, "SELECT count(*) FROM claims WHERE incident_id IS NULL") == 0
