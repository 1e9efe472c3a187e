"""What the server keeps between requests (serve/cache.py) is served only while the store
is as it was: answers of the read routes per role, users and ended sessions, under the
store's change token (store/generation.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from childwatch.read import queries
from childwatch.review import users
from childwatch.serve import api, create_app
from childwatch.serve.server import bind
from childwatch.store import open_store
from childwatch.store.generation import Generation
from conftest import PASSWORD
from pgtest import BACKENDS, database_url


def login(client: TestClient, name: str) -> None:
    r = client.post("/api/session", json={"name": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    client.headers["X-CSRF-Token"] = r.json()["csrf_token"]


@pytest.fixture()
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often the routes computed their answer (rather than the cache giving it)."""
    calls = {"dashboard": 0, "list_incidents": 0}

    def counting(name: str) -> Callable[..., Any]:
        real = getattr(queries, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return real(*args, **kwargs)

        return wrapper

    for name in calls:
        monkeypatch.setattr(api.queries, name, counting(name))
    return calls


@pytest.fixture()
def viewer(web_db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(web_db, secret_key="test-key")) as client:
        login(client, "viewer")
        yield client


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_change_token_moves_with_every_commit_and_only_then(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> None:
    with open_store(database_url(request, backend, tmp_path)) as store, open_store(str(store.engine.url)) as other:
        generation = Generation(store)
        try:
            first = generation.current()
            assert first is not None
            with other.reading() as conn:
                conn.execute(text("SELECT count(*) FROM documents")).scalar_one()
            assert generation.current() == first  # reading changes nothing
            with other.writing() as conn:  # another connection (another process alike) commits
                conn.execute(text("INSERT INTO server_secrets (name, value, created_at) "
                                  "VALUES ('t', 'v', CURRENT_TIMESTAMP)"))  # fmt: skip
            second = generation.current()
            assert second != first
            assert generation.current() == second
        finally:
            generation.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_token_says_since_when_this_process_knows_it(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path
) -> None:
    """Since when a token is known (what another worker's answer is measured against), and
    SQLite's tokens never equal between processes (each connection counts its own)."""
    with open_store(database_url(request, backend, tmp_path)) as store, open_store(str(store.engine.url)) as other:
        one, two = Generation(store), Generation(store)
        try:
            before = time.time()
            first = one.current()
            assert first is not None
            seen = one.since(first)
            assert seen is not None and before <= seen <= time.time()
            if backend == "sqlite":
                assert two.current() != first
            with other.writing() as conn:
                conn.execute(text("INSERT INTO server_secrets (name, value, created_at) "
                                  "VALUES ('t', 'v', CURRENT_TIMESTAMP)"))  # fmt: skip
            committed = time.time()
            second = one.current()
            assert second is not None and second != first
            later = one.since(second)
            assert later is not None and later >= committed  # first seen after the commit
            assert one.since(first) is None  # an older token: no longer the state of the store
        finally:
            one.close()
            two.close()


def test_an_answer_is_computed_once_until_the_store_changes(
    viewer: TestClient, web_db: Path, counted: dict[str, int]
) -> None:
    first = viewer.get("/api/dashboard")
    again = viewer.get("/api/dashboard")
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json() and counted["dashboard"] == 1
    viewer.get("/api/incidents", params={"country": "CD"})
    viewer.get("/api/incidents", params={"country": "CD"})
    assert counted["list_incidents"] == 1
    # An analyst elsewhere (another process: another connection) rejects an incident.
    target = first.json()["totals"]["incidents"]
    incident = viewer.get("/api/incidents", params={"status": "reported"}).json()["items"][0]["id"]
    with open_store(web_db) as store, store.writing() as conn:
        conn.execute(text("UPDATE incidents SET status = 'rejected' WHERE id = :id"), {"id": incident})
    # The kept answer may be served while a newer one is computed (test_serve_stale.py),
    # computed once for all the requests that follow, not once per request.
    deadline = time.monotonic() + 10
    while viewer.get("/api/dashboard").json()["totals"]["incidents"] != target - 1:  # rejected: left out
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert counted["dashboard"] == 2
    assert viewer.get("/api/incidents", params={"status": "rejected"}).json()["total"] >= 1


def test_answers_are_kept_per_role(web_db: Path, counted: dict[str, int]) -> None:
    app = create_app(web_db, secret_key="test-key")
    with TestClient(app) as viewer, TestClient(app) as admin:
        login(viewer, "viewer")
        login(admin, "admin")
        assert admin.get("/api/incidents").status_code == 200
        assert viewer.get("/api/incidents").status_code == 200
        assert counted["list_incidents"] == 2  # the viewer's answer was not the admin's
        assert viewer.get("/api/incidents").status_code == 200
        assert counted["list_incidents"] == 2


def test_no_answer_without_a_session(web_db: Path) -> None:
    app = create_app(web_db, secret_key="test-key")
    with TestClient(app) as viewer, TestClient(app) as stranger:
        login(viewer, "viewer")
        assert viewer.get("/api/dashboard").status_code == 200
        r = stranger.get("/api/dashboard")
        assert r.status_code == 401 and "totals" not in r.text


def test_an_account_switched_off_elsewhere_is_refused_at_once(viewer: TestClient, web_db: Path) -> None:
    assert viewer.get("/api/incidents").status_code == 200
    with open_store(web_db) as store:
        users.disable_user(store, "viewer")
    assert viewer.get("/api/incidents").status_code == 401


def test_a_logout_in_another_worker_ends_the_session_here(web_db: Path) -> None:
    # Two apps over one store, as two worker processes are.
    with TestClient(create_app(web_db)) as here, TestClient(create_app(web_db)) as there:
        login(here, "viewer")
        assert here.get("/api/dashboard").status_code == 200
        there.cookies.update(here.cookies)
        there.headers["X-CSRF-Token"] = here.headers["X-CSRF-Token"]
        assert there.delete("/api/session").status_code == 204
        assert here.get("/api/dashboard").status_code == 401


def test_connections_send_at_once_without_waiting_for_acknowledgements() -> None:
    """The listening socket says it is TCP, so that asyncio sets TCP_NODELAY on each
    connection: an answer written in two parts (head, body) otherwise waited ~40 ms for
    the client's delayed acknowledgement (Nagle)."""
    sock = bind("127.0.0.1", 0)
    delays: list[int] = []

    async def serve_one() -> None:
        def accepted() -> asyncio.Protocol:
            class Check(asyncio.Protocol):
                def connection_made(self, transport: asyncio.BaseTransport) -> None:
                    conn = transport.get_extra_info("socket")
                    delays.append(conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                    transport.close()

            return Check()

        server = await asyncio.get_running_loop().create_server(accepted, sock=sock)
        host, port = sock.getsockname()[:2]
        _, writer = await asyncio.open_connection(host, port)
        for _ in range(100):
            if delays:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()

    asyncio.run(serve_one())
    assert sock.proto == socket.IPPROTO_TCP and delays and delays[0] != 0
