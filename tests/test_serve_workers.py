"""`childwatch serve --workers N`: several processes share one socket and one store, and
a session is the same in all of them and across restarts, with no key configured."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from childwatch.serve.security import COOKIE
from childwatch.store import open_store
from childwatch.store.review import server_secret
from conftest import PASSWORD, Server

REQUESTS = 40


def log_in(url: str, name: str) -> tuple[str, str]:
    """A session's cookie and its CSRF token."""
    r = httpx.post(f"{url}/api/session", json={"name": name, "password": PASSWORD}, timeout=30)
    assert r.status_code == 200, r.text
    return r.cookies[COOKIE], r.json()["csrf_token"]


def log_out(url: str, cookie: str, csrf: str) -> None:
    r = httpx.delete(f"{url}/api/session", cookies={COOKIE: cookie}, headers={"X-CSRF-Token": csrf}, timeout=30)
    assert r.status_code == 204, r.text


def statuses(url: str, cookie: str) -> set[int]:
    # A new connection each time, so that the requests are spread over the workers.
    return {
        httpx.get(f"{url}/api/me", cookies={COOKIE: cookie}, headers={"Connection": "close"}, timeout=30).status_code
        for _ in range(REQUESTS)
    }


def workers_of(server: Server, expected: int) -> int:
    """The processes `childwatch serve` started, once `expected` of them run (or 30 s)."""
    deadline = time.monotonic() + 30
    while True:
        found = subprocess.run(["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True)
        n = len(found.stdout.split())
        if n >= expected or time.monotonic() > deadline:
            return n
        time.sleep(0.2)


def test_every_worker_honours_a_session_and_its_logout(web_db: Path) -> None:
    server = Server(web_db, "--workers", "3", secret_key=None)
    try:
        assert workers_of(server, 3) >= 3
        (kept, _), (ended, csrf) = log_in(server.url, "analyst"), log_in(server.url, "analyst")
        assert statuses(server.url, kept) == {200} and statuses(server.url, ended) == {200}
        log_out(server.url, ended, csrf)
        assert statuses(server.url, kept) == {200}
        # A logged-out cookie is refused by every worker, not only the one that logged it out.
        assert statuses(server.url, ended) == {401}
    finally:
        server.stop()


def test_a_restart_keeps_sessions_without_a_configured_key(web_db: Path) -> None:
    server = Server(web_db, secret_key=None)
    try:
        cookie, _ = log_in(server.url, "viewer")
        other, csrf = log_in(server.url, "viewer")
        log_out(server.url, other, csrf)
        server.stop()
        server = Server(web_db, "--workers", "2", secret_key=None)
        assert statuses(server.url, cookie) == {200}
        assert statuses(server.url, other) == {401}  # logged out before the restart
    finally:
        server.stop()
    with open_store(web_db) as store:
        assert len(server_secret(store)) >= 48  # the key both servers signed with, made once


def test_the_number_of_workers_is_checked(web_db: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "childwatch.cli", "serve", "--db", str(web_db), "--workers", "0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "--workers" in result.stderr


@pytest.mark.parametrize("name", ["session"])
def test_the_stored_secret_is_made_once(tmp_path: Path, name: str) -> None:
    with open_store(tmp_path / "s.sqlite") as store:
        first = server_secret(store, name)
        assert server_secret(store, name) == first
        assert server_secret(store, "other") != first
