"""Answers kept while the store changes (serve/cache.py): served a little behind the store
only within `MAX_STALE`, saying since when, never behind the session's own writes, and
equal to a fresh computation once writes stop; on a real SQLite file and on the real
PostgreSQL server of the tests (pgtest.py), with another connection writing as
`childwatch run` would."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from childwatch.read import queries
from childwatch.review.users import add_user
from childwatch.run.pipeline import run_pipeline
from childwatch.run.resolution import resolve
from childwatch.serve import api, cache, create_app
from childwatch.store import open_store
from conftest import PASSWORD, ROLES, WEB_FIXTURES
from pgtest import BACKENDS, database_url

PATHS = (
    "/api/dashboard",
    "/api/dashboard?country=CD",
    "/api/incidents?per_page=50",
    "/api/incidents?violation=abduction",
    "/api/incidents?q=school",
    "/api/facets",
)
SETTLE = cache.MAX_STALE + 5  # seconds: every answer is the store's by then, writes stopped


def filled(url: str) -> str:
    """`url`'s store with our web reports, resolved, and an account of each role."""
    with open_store(url) as store:
        run_pipeline([WEB_FIXTURES], store)
        resolve(store)
        for name, role in ROLES.items():
            add_user(store, name, PASSWORD, role)
    return url


@pytest.fixture(params=BACKENDS)
def served(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return filled(database_url(request, request.param, tmp_path))


def login(client: TestClient, name: str) -> TestClient:
    r = client.post("/api/session", json={"name": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]
    return client


def answer(client: TestClient, path: str) -> dict[str, Any]:
    """The answer without its time (`as_of`), which two computations never share."""
    r = client.get(path)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert datetime.fromisoformat(body.pop("as_of")) <= datetime.now(UTC)
    return body


def settled(client: TestClient, path: str, done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """Asks again until `done` holds of the answer; fails past SETTLE seconds."""
    deadline = time.monotonic() + SETTLE
    while True:
        body = answer(client, path)
        if done(body):
            return body
        assert time.monotonic() < deadline, f"{path} still not level with the store after {SETTLE} s"
        time.sleep(0.05)


@contextmanager
def writing(url: str) -> Iterator[list[int]]:
    """Another connection (another process alike) committing over and over: incidents
    rejected and back, so that counts, lists and the dashboard change with every commit."""
    stop = threading.Event()
    commits = [0]

    def loop() -> None:
        with open_store(url) as store:
            ids = [r[0] for r in store.engine.connect().execute(text("SELECT id FROM incidents ORDER BY id"))]
            while not stop.is_set():
                target = ids[commits[0] % len(ids)]
                status = "rejected" if commits[0] % 2 == 0 else "reported"
                with store.writing() as conn:
                    conn.execute(text("UPDATE incidents SET status = :s WHERE id = :id"), {"s": status, "id": target})
                commits[0] += 1
                time.sleep(0.005)

    thread = threading.Thread(target=loop)
    thread.start()
    try:
        yield commits
    finally:
        stop.set()
        thread.join()


def test_answers_equal_a_fresh_computation_once_writes_stop(served: str) -> None:
    with TestClient(create_app(served, secret_key="k")) as viewer:
        login(viewer, "viewer")
        for path in PATHS:
            answer(viewer, path)
        with writing(served) as commits:
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline:
                for path in PATHS:
                    r = viewer.get(path)
                    assert r.status_code == 200
                    # Behind the store at most MAX_STALE, and saying so.
                    assert int(r.headers.get("age", "0")) <= cache.MAX_STALE
                    as_of = datetime.fromisoformat(r.json()["as_of"])
                    assert datetime.now(UTC) - as_of <= timedelta(seconds=cache.MAX_STALE + 1)
        assert commits[0] > 10
        # A server that never kept anything computes the store as it now is.
        with TestClient(create_app(served, secret_key="k")) as fresh:
            login(fresh, "viewer")
            expected = {path: answer(fresh, path) for path in PATHS}
        for path in PATHS:
            settled(viewer, path, lambda body, path=path: body == expected[path])  # type: ignore[misc]
        assert {path: answer(viewer, path) for path in PATHS} == expected  # and it stays so


def test_an_answer_behind_the_store_says_since_when_and_catches_up(served: str) -> None:
    with TestClient(create_app(served, secret_key="k")) as viewer:
        login(viewer, "viewer")
        before = viewer.get("/api/dashboard").json()
        with open_store(served) as other, other.writing() as conn:  # another process rejects one
            target = conn.execute(text("SELECT id FROM incidents WHERE status != 'rejected' LIMIT 1")).scalar_one()
            conn.execute(text("UPDATE incidents SET status = 'rejected' WHERE id = :id"), {"id": target})
        written = datetime.now(UTC)
        r = viewer.get("/api/dashboard")
        body = r.json()
        if body["totals"] == before["totals"]:  # the kept answer, while a newer one is computed
            assert datetime.fromisoformat(body["as_of"]) < written and "age" in r.headers
        after = settled(viewer, "/api/dashboard", lambda b: b["totals"] != before["totals"])
        assert after["totals"]["incidents"] == before["totals"]["incidents"] - 1


def test_a_session_sees_its_own_writes_at_once(served: str) -> None:
    app = create_app(served, secret_key="k")
    with TestClient(app) as analyst:
        login(analyst, "analyst")
        before = answer(analyst, "/api/dashboard")["totals"]["incidents"]
        listed = answer(analyst, "/api/incidents?per_page=50")
        with open_store(served) as other, other.writing() as conn:  # the kept answers are now behind
            conn.execute(text("UPDATE users SET blur_graphic = NOT blur_graphic WHERE name = 'admin'"))
        target = listed["items"][0]["id"]
        r = analyst.post(f"/api/incidents/{target}/reject", json={"reason": "a duplicate of a known raid"})
        assert r.status_code == 200, r.text
        # The very next answers show the rejection, in this worker and in a new one.
        assert answer(analyst, "/api/dashboard")["totals"]["incidents"] == before - 1
        statuses = {i["id"]: i["status"] for i in answer(analyst, "/api/incidents?per_page=50")["items"]}
        assert statuses.get(target, "rejected") == "rejected"


def test_past_the_bound_an_answer_is_computed_in_the_request(served: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "MAX_STALE", 0.0)
    with TestClient(create_app(served, secret_key="k")) as viewer:
        login(viewer, "viewer")
        before = answer(viewer, "/api/dashboard")["totals"]["incidents"]
        time.sleep(0.01)
        with open_store(served) as other, other.writing() as conn:
            target = conn.execute(text("SELECT id FROM incidents WHERE status != 'rejected' LIMIT 1")).scalar_one()
            conn.execute(text("UPDATE incidents SET status = 'rejected' WHERE id = :id"), {"id": target})
        assert answer(viewer, "/api/dashboard")["totals"]["incidents"] == before - 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_workers_compute_an_answer_once_for_all(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over SQLite too, where each process's change token is its own: another worker's
    answer counts as this one's when it was computed after this one saw the store's state."""
    url = filled(database_url(request, backend, tmp_path))
    calls = [0]
    real = queries.dashboard

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(api.queries, "dashboard", counting)
    folder = tmp_path / "answers"  # what `serve --workers N` makes for its workers
    folder.mkdir()
    # Two apps over one store and one folder, as two worker processes are.
    with (
        TestClient(create_app(url, secret_key="k", shared_answers=folder)) as one,
        TestClient(create_app(url, secret_key="k", shared_answers=folder)) as two,
    ):
        login(one, "viewer")
        login(two, "viewer")
        for worker in (one, two):  # each reads the store's state since the logins (a request does)
            assert worker.get("/api/me").status_code == 200
        first = answer(one, "/api/dashboard")
        assert answer(two, "/api/dashboard") == first and calls[0] == 1  # the other's answer
        with open_store(url) as other, other.writing() as conn:
            target = conn.execute(text("SELECT id FROM incidents WHERE status != 'rejected' LIMIT 1")).scalar_one()
            conn.execute(text("UPDATE incidents SET status = 'rejected' WHERE id = :id"), {"id": target})
        assert two.get("/api/me").status_code == 200  # the second worker sees the commit first
        after = settled(one, "/api/dashboard", lambda b: b["totals"] != first["totals"])
        assert settled(two, "/api/dashboard", lambda b: b["totals"] != first["totals"]) == after
        assert calls[0] == 2  # once more for both


def test_a_session_sees_its_own_writes_in_every_worker(served: str, tmp_path: Path) -> None:
    folder = tmp_path / "answers"
    folder.mkdir()
    with (
        TestClient(create_app(served, secret_key="k", shared_answers=folder)) as one,
        TestClient(create_app(served, secret_key="k", shared_answers=folder)) as two,
    ):
        login(one, "analyst")
        two.headers["X-CSRF-Token"] = one.headers["X-CSRF-Token"]
        two.cookies.update(one.cookies)  # the same session, in another worker
        before = answer(two, "/api/dashboard")["totals"]["incidents"]  # kept there, and shared
        listed = answer(one, "/api/incidents?per_page=50")
        r = one.post(f"/api/incidents/{listed['items'][0]['id']}/reject", json={"reason": "a duplicate raid"})
        assert r.status_code == 200, r.text
        two.cookies.update(one.cookies)  # the cookie now says when the session wrote
        assert answer(two, "/api/dashboard")["totals"]["incidents"] == before - 1
        assert answer(one, "/api/dashboard")["totals"]["incidents"] == before - 1
