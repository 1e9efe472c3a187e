"""The real `childwatch serve` command in a subprocess: it prints a working address, serves
pages, API and static files, and refuses a database that does not exist."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from conftest import Server


def fetch(url: str) -> tuple[int, str, dict[str, str]]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode("utf-8"), {k.lower(): v for k, v in r.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8"), {k.lower(): v for k, v in exc.headers.items()}


def test_serve_prints_its_address_and_answers(web_db: Path) -> None:
    server = Server(web_db)
    try:
        assert server.url.startswith("http://127.0.0.1:")
        status, body, headers = fetch(f"{server.url}/login")
        assert status == 200 and "Log in" in body and "content-security-policy" in headers and "server" not in headers
        status, body, _ = fetch(f"{server.url}/api/me")
        assert status == 401 and json.loads(body)["error"]["status"] == 401
        assert fetch(f"{server.url}/static/style.css")[0] == 200
        assert fetch(f"{server.url}/static/swagger/swagger-ui-bundle.js")[0] == 200
        assert "/api/incidents" in json.loads(fetch(f"{server.url}/openapi.json")[1])["paths"]
    finally:
        server.stop()


def test_serve_refuses_a_missing_database(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "childwatch.cli", "serve", "--db", str(tmp_path / "nope.sqlite"), "--port", "0"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "no database at" in result.stderr and "childwatch run" in result.stderr
    assert not (tmp_path / "nope.sqlite").exists()
