"""Accounts as OWASP ASVS L2 asks (issue 13): password rules, sessions that end when they
must (also across a real server restart), forwarded headers only from trusted proxies, a
login throttle that slows guessing but never locks the owner out, account management from
the command line, and the audit log with its export.

Real SQLite files (and PostgreSQL where the database does the work), the real app
in-process, and the real `childwatch serve` and `childwatch` commands in subprocesses.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import time
import tomllib
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from childwatch.errors import InputError, PermissionDenied, ReviewError
from childwatch.export import audit as export_audit
from childwatch.review import audit, users
from childwatch.review.passwords import PATH as PASSWORDS_TOML
from childwatch.review.passwords import check_password
from childwatch.serve import create_app
from childwatch.serve.security import COOKIE, LoginThrottle
from childwatch.store import Store, open_store
from conftest import PASSWORD, Server
from pgtest import BACKENDS, database_url

SECRET = "accounts-test-key"
NEW_PASSWORD = "violet harbour sixty lanterns"
DEMO_PASSWORD = "childwatch-demo"  # the Makefile's


# --- helpers ------------------------------------------------------------------------------------


def childwatch(*args: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "childwatch.cli", *map(str, args)],
                          input=stdin, capture_output=True, text=True, timeout=120)  # fmt: skip


def client(db: Path | Store, *, address: str = "192.0.2.10", **options: Any) -> TestClient:
    app = create_app(db, secret_key=SECRET, **options)
    return TestClient(app, client=(address, 50000))


def log_in(c: TestClient, name: str, password: str = PASSWORD, **kw: Any) -> httpx.Response:
    return c.post("/api/session", json={"name": name, "password": password}, **kw)


def token(c: TestClient, path: str = "/settings") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', c.get(path).text)
    assert found, path
    return found.group(1)


def change_password(c: TestClient, current: str, new: str) -> str:
    """Through the settings form, as a person would; returns the page shown after."""
    r = c.post("/settings/password", data={"current": current, "new": new, "csrf_token": token(c)},
               follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/settings"
    return c.get("/settings").text


def events(db: Path | str, *actions: str) -> list[dict[str, Any]]:
    """The security events in the store, oldest first (optionally only some actions)."""
    with open_store(db) as store:
        found = [r for r in audit.iter_audit(store) if r["log"] == "security"]
    return [r for r in found if not actions or r["action"] in actions]


def serve(db: Path, *args: str) -> Server:
    """`childwatch serve` on `db` with a secret key of its own, kept across restarts."""
    return Server(db, *args, secret_key="accounts-serve-key")


def http_login(url: str, name: str, password: str = PASSWORD, **headers: str) -> str:
    """Log in to a real server; returns the session cookie's value."""
    r = httpx.post(f"{url}/api/session", json={"name": name, "password": password}, headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    return r.cookies[COOKIE]


def me(url: str, cookie: str) -> int:
    return httpx.get(f"{url}/api/me", cookies={COOKIE: cookie}, timeout=30).status_code


@pytest.fixture()
def store_db(tmp_path: Path) -> Path:
    """An empty store with an admin and an analyst."""
    db = tmp_path / "accounts.sqlite"
    with open_store(db) as store:
        users.add_user(store, "root", PASSWORD, "admin")
        users.add_user(store, "amina", PASSWORD, "analyst")
    return db


# --- password rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("password", "too short"),
        ("Tr0ub4dor&3", "too short"),  # 11 characters
        ("password1234", "most common"),
        ("Password2024!", "most common"),
        ("P@ssw0rd1234", "most common"),  # letter swaps
        ("PASSWORD PASSWORD", "most common"),  # case and separators ignored
        ("iloveyou2024", "most common"),
        ("administrator", "most common"),
        ("Childwatch2025", "most common"),
        ("qwertyuiopasdf", "run along"),
        ("123456789012", "run along"),
        ("zyxwvutsrqpo", "run along"),  # backwards too
        ("abcabcabcabc", "repeats"),
        ("aaaabbbbcccc", "fewer than 5"),
        ("amina-and-her-cat", "user name"),
        ("my name is AMINA ok", "user name"),
    ],
)
def test_weak_passwords_are_refused_saying_why_and_what_to_do(password: str, why: str) -> None:
    with pytest.raises(InputError, match=why) as refused:
        check_password(password, "amina")
    message = str(refused.value)
    assert message.startswith("password:") and ("use at least 12" in message or "choose" in message)
    assert password == "password" or password not in message  # the refusal never echoes the password


@pytest.mark.parametrize(
    "password",
    [PASSWORD, NEW_PASSWORD, "correct horse battery", "839201746352", "Zebra kettle 9 orbit", "ängstlich über"],
)
def test_long_uncommon_passwords_are_accepted(password: str) -> None:
    check_password(password, "amina")


def test_the_demo_password_passes_for_the_demo_accounts(tmp_path: Path) -> None:
    """`make demo` adds demo-admin, demo-analyst and demo-viewer with `childwatch-demo`."""
    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text(encoding="utf-8")
    assert f"DEMO_PASSWORD = {DEMO_PASSWORD}" in makefile or f"DEMO_PASSWORD := {DEMO_PASSWORD}" in makefile
    db = tmp_path / "demo.sqlite"
    for name, role in (("demo-admin", "admin"), ("demo-analyst", "analyst"), ("demo-viewer", "viewer")):
        result = childwatch("users", "add", name, "--role", role, "--password-stdin", "--db", db,
                            stdin=DEMO_PASSWORD + "\n")  # fmt: skip
        assert result.returncode == 0, result.stderr
    with open_store(db) as store:
        assert users.authenticate(store, "demo-admin", DEMO_PASSWORD) is not None


def test_the_common_password_list_is_shipped_with_the_package_and_well_formed() -> None:
    data = tomllib.loads(PASSWORDS_TOML.read_text(encoding="utf-8"))
    common = data["common"]
    assert len(common) >= 300 and len(set(common)) == len(common)
    assert all(isinstance(w, str) and w == w.lower() and w for w in common)
    assert {"password", "123456", "qwerty", "letmein", "iloveyou", "admin", "welcome", "childwatch"} <= set(common)
    assert DEMO_PASSWORD not in common and "childwatchdemo" not in common
    import childwatch

    assert PASSWORDS_TOML.is_relative_to(Path(childwatch.__file__).parent)  # in the package, not fetched


def test_every_way_to_set_a_password_applies_the_rules(store_db: Path) -> None:
    with open_store(store_db) as store:
        with pytest.raises(InputError, match="most common"):
            users.add_user(store, "omar", "letmein12345", "viewer")
        with pytest.raises(InputError, match="too short"):
            users.set_password(store, "amina", "short one")
    result = childwatch("users", "passwd", "amina", "--password-stdin", "--db", store_db, stdin="qwerty123456\n")
    assert result.returncode == 2 and "most common" in result.stderr and "qwerty123456" not in result.stderr
    with client(store_db) as c:
        assert log_in(c, "amina").status_code == 200
        page = change_password(c, PASSWORD, "Password2024!")
        assert "Password not changed" in page and "most common" in page
        assert log_in(c, "amina").status_code == 200  # nothing changed
        settings = c.get("/settings").text
        assert 'minlength="12"' in settings and "at least 12 characters" in settings


# --- sessions: password changes, disabling, removal, roles ------------------------------------------------


def test_a_password_change_ends_the_other_sessions_but_not_its_own(store_db: Path) -> None:
    with client(store_db) as mine, client(store_db, address="198.51.100.4") as other:
        assert log_in(mine, "amina").status_code == 200
        assert log_in(other, "amina").status_code == 200
        page = change_password(mine, PASSWORD, NEW_PASSWORD)
        assert "Password changed" in page and "other sessions have ended" in page
        assert mine.get("/api/me").status_code == 200  # re-issued with the new epoch
        assert other.get("/api/me").status_code == 401
        assert other.get("/incidents", follow_redirects=False).headers["location"].startswith("/login")
        assert log_in(other, "amina").status_code == 401  # the old password is gone
        assert log_in(other, "amina", NEW_PASSWORD).status_code == 200


def test_a_password_reset_from_the_command_line_ends_every_web_session(store_db: Path) -> None:
    with client(store_db) as c:
        assert log_in(c, "amina").status_code == 200
        result = childwatch("users", "passwd", "amina", "--password-stdin", "--db", store_db, stdin=NEW_PASSWORD + "\n")
        assert result.returncode == 0 and "sessions have ended" in result.stdout
        assert c.get("/api/me").status_code == 401


def test_sessions_end_across_a_real_server_restart(web_db: Path) -> None:
    """Two sessions of one user on the real `childwatch serve`; the password is changed in
    one; after a restart (same secret key) the other cookie is still refused, the changer's
    still works. Before the change, both cookies survive a restart: the refusal is the
    revocation, not the restart."""
    server = serve(web_db)
    try:
        first, second = http_login(server.url, "analyst"), http_login(server.url, "analyst")
        server.stop()
        server = serve(web_db)
        assert me(server.url, first) == 200 and me(server.url, second) == 200
        settings = httpx.get(f"{server.url}/settings", cookies={COOKIE: first}, timeout=30)
        found = re.search(r'name="csrf_token" value="([^"]+)"', settings.text)
        assert found
        r = httpx.post(f"{server.url}/settings/password", cookies={COOKIE: first}, timeout=30,
                       data={"current": PASSWORD, "new": NEW_PASSWORD, "csrf_token": found.group(1)})  # fmt: skip
        assert r.status_code == 303
        first = r.cookies.get(COOKIE) or first  # the session that changed it, re-issued
        assert me(server.url, second) == 401
        server.stop()
        server = serve(web_db)
        assert me(server.url, second) == 401  # still refused after the restart
        assert me(server.url, first) == 200
        assert me(server.url, http_login(server.url, "analyst", NEW_PASSWORD)) == 200
    finally:
        server.stop()


def test_disabling_ends_sessions_and_logins_until_enabled(store_db: Path) -> None:
    with client(store_db) as c:
        assert log_in(c, "amina").status_code == 200
        with open_store(store_db) as store:
            assert users.disable_user(store, "amina").status == "disabled"
        assert c.get("/api/me").status_code == 401
        r = log_in(c, "amina")
        assert r.status_code == 401 and r.json()["error"]["message"] == "wrong user name or password"  # says no more
        with open_store(store_db) as store:
            users.enable_user(store, "amina")
        assert log_in(c, "amina").status_code == 200
    assert [e["details"]["reason"] for e in events(store_db, "login_failed")] == ["account disabled"]


def test_removal_keeps_the_row_and_name_for_the_history_but_ends_everything(store_db: Path) -> None:
    with client(store_db) as c:
        assert log_in(c, "amina").status_code == 200
        with open_store(store_db) as store:
            removed = users.remove_user(store, "amina")
            assert removed.status == "removed" and not removed.active
            with pytest.raises(ReviewError, match="cannot be undone"):
                users.enable_user(store, "amina")
            with pytest.raises(ReviewError, match="cannot be undone"):
                users.set_password(store, "amina", NEW_PASSWORD)
            with pytest.raises(InputError, match="exists already"):
                users.add_user(store, "amina", NEW_PASSWORD, "viewer")  # the name stays taken
            with store.engine.connect() as conn:
                stored = conn.execute(text("SELECT name, password FROM users WHERE id = :i"), {"i": removed.id}).one()
            assert stored.name == "amina" and not stored.password.startswith("scrypt$")  # the hash is wiped
        assert c.get("/api/me").status_code == 401
        assert log_in(c, "amina").status_code == 401


def test_a_role_change_takes_effect_at_the_next_request(web_db: Path) -> None:
    with client(web_db) as c:
        csrf = log_in(c, "analyst").json()["csrf_token"]
        incident = c.get("/api/incidents").json()["items"][0]["id"]
        with open_store(web_db) as store:
            users.set_role(store, "analyst", "viewer")
        r = c.post(f"/api/incidents/{incident}/confirm", json={"reason": "two sources"}, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 403 and "viewer" in r.json()["error"]["message"]
        assert c.get("/api/me").json()["user"]["role"] == "viewer"  # same session, new role


def test_the_last_active_admin_cannot_be_disabled_removed_or_demoted(store_db: Path) -> None:
    with open_store(store_db) as store:
        for change in (
            lambda: users.disable_user(store, "root"),
            lambda: users.remove_user(store, "root"),
            lambda: users.set_role(store, "root", "analyst"),
        ):
            with pytest.raises(ReviewError, match="last active admin") as refused:
                change()
            assert "make another admin first" in str(refused.value)
        users.set_role(store, "amina", "admin")
        users.disable_user(store, "amina")  # a disabled admin does not count
        with pytest.raises(ReviewError, match="last active admin"):
            users.remove_user(store, "root")
        users.enable_user(store, "amina")
        users.remove_user(store, "root")  # now there is another
        assert [u.status for u in users.list_users(store)] == ["active", "removed"]
        analyst = users.add_user(store, "omar", PASSWORD, "analyst")
        with pytest.raises(PermissionDenied):
            users.disable_user(store, "amina", by=analyst)


def test_the_api_removes_an_account_as_the_cli_does_and_only_for_admins(store_db: Path) -> None:
    """DELETE /api/accounts/NAME calls the CLI's `users.remove_user`: the same refusals
    (the last active admin, an unknown or already removed name), an audit event naming
    the admin and the API, and a viewer or analyst gets 403 with nothing changed."""
    with open_store(store_db) as store:
        users.add_user(store, "vera", PASSWORD, "viewer")
    for name in ("vera", "amina"):  # a viewer, then an analyst
        with client(store_db) as c:
            csrf = log_in(c, name).json()["csrf_token"]
            r = c.delete("/api/accounts/root", headers={"X-CSRF-Token": csrf})
            assert r.status_code == 403 and "manage users" in r.json()["error"]["message"], (name, r.text)
    with client(store_db) as c:
        csrf = log_in(c, "root").json()["csrf_token"]
        last = c.delete("/api/accounts/root", headers={"X-CSRF-Token": csrf})
        assert last.status_code == 400 and "last active admin" in last.json()["error"]["message"]
        assert c.delete("/api/accounts/ghost", headers={"X-CSRF-Token": csrf}).status_code == 404
        with client(store_db) as hers:
            assert log_in(hers, "amina").status_code == 200
            done = c.delete("/api/accounts/amina", headers={"X-CSRF-Token": csrf})
            assert done.status_code == 200 and done.json() == {"name": "amina", "role": "analyst", "status": "removed"}
            assert hers.get("/api/me").status_code == 401  # her session ended at once
            assert log_in(hers, "amina").status_code == 401
        again = c.delete("/api/accounts/amina", headers={"X-CSRF-Token": csrf})
        assert again.status_code == 400 and "cannot be undone" in again.json()["error"]["message"]
        assert c.get("/api/me").status_code == 200  # the admin's own session goes on
    with open_store(store_db) as store:
        statuses = {u.name: u.status for u in users.list_users(store)}
        assert statuses == {"amina": "removed", "root": "active", "vera": "active"}  # the row and the name stay
        with store.engine.connect() as conn:
            wiped = conn.execute(text("SELECT password FROM users WHERE name = 'amina'")).scalar_one()
        assert not wiped.startswith("scrypt$")
    removals = [(e["action"], e["target"], e["via"], e["user"]) for e in events(store_db, "user_remove")]
    assert removals == [("user_remove", "amina", "api", "root")]


# --- the command line ------------------------------------------------------------------------


def test_users_cli_disables_enables_changes_roles_and_removes(store_db: Path) -> None:
    ok = childwatch("users", "role", "amina", "admin", "--db", store_db)
    assert ok.returncode == 0 and "amina now has the role admin" in ok.stdout
    ok = childwatch("users", "disable", "amina", "--db", store_db)
    assert ok.returncode == 0 and "disabled" in ok.stdout
    listed = childwatch("users", "list", "--db", store_db).stdout
    assert re.search(r"amina\s+admin\s+disabled", listed) and re.search(r"root\s+admin\s+active", listed)
    refused = childwatch("users", "remove", "root", "--db", store_db)  # amina is disabled: root is the last
    assert refused.returncode == 2 and "last active admin" in refused.stderr and "make another admin" in refused.stderr
    again = childwatch("users", "disable", "amina", "--db", store_db)
    assert again.returncode == 2 and "disabled already" in again.stderr
    assert childwatch("users", "enable", "amina", "--db", store_db).returncode == 0
    removed = childwatch("users", "remove", "root", "--db", store_db)
    assert removed.returncode == 0 and "removed" in removed.stdout
    ghost = childwatch("users", "role", "ghost", "viewer", "--db", store_db)
    assert ghost.returncode == 2 and "no user named 'ghost'" in ghost.stderr
    demote = childwatch("users", "role", "amina", "viewer", "--db", store_db)
    assert demote.returncode == 2 and "last active admin" in demote.stderr
    bad = childwatch("users", "role", "amina", "superuser", "--db", store_db)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    done = [(e["action"], e["target"], e["via"]) for e in events(store_db) if e["action"] != "user_add"]
    assert done == [
        ("role_change", "amina", "cli"), ("user_disable", "amina", "cli"),
        ("user_enable", "amina", "cli"), ("user_remove", "root", "cli"),
    ]  # fmt: skip
    assert all(e["user"].endswith("(command line)") and e["address"] is None for e in events(store_db))


# --- forwarded headers ----------------------------------------------------------------------------


def test_forwarded_headers_are_ignored_without_a_trusted_proxy(store_db: Path) -> None:
    """The tester's bypass: a new X-Forwarded-For per guess from loopback. Without
    --trusted-proxy every guess counts against the peer's own address."""
    with client(store_db, address="127.0.0.1") as c:
        c.app.state.throttle = LoginThrottle(limit=3, base=30)  # type: ignore[attr-defined]
        for i in range(3):
            headers = {"X-Forwarded-For": f"203.0.113.{i}", "Forwarded": f"for=198.51.100.{i}"}
            assert log_in(c, "root", f"guess number {i}", headers=headers).status_code == 401
        r = log_in(c, "root", headers={"X-Forwarded-For": "203.0.113.99"})
        assert r.status_code == 429 and "retry-after" in r.headers
        r = log_in(c, "amina", headers={"X-Forwarded-Proto": "https"})
        assert r.status_code == 429  # the address waits whatever name it tries
    assert {e["address"] for e in events(store_db, "login_failed")} == {"127.0.0.1"}
    with client(store_db, address="127.0.0.1") as c:  # a fresh throttle
        r = log_in(c, "amina", headers={"X-Forwarded-Proto": "https"})
        assert r.status_code == 200 and "Secure" not in r.headers["set-cookie"]  # the scheme is not believed either


def test_a_trusted_proxy_supplies_the_client_address_and_scheme(store_db: Path) -> None:
    with client(store_db, address="127.0.0.1", trusted_proxies=["127.0.0.1", "10.0.0.0/8"]) as c:
        c.app.state.throttle = LoginThrottle(limit=2, base=30)  # type: ignore[attr-defined]
        for i in range(2):  # two guesses from each of two clients behind the proxy
            for who in ("203.0.113.5", "203.0.113.6"):
                assert log_in(c, "root", f"wrong guess {i}", headers={"X-Forwarded-For": who}).status_code == 401
        assert log_in(c, "root", headers={"X-Forwarded-For": "203.0.113.5"}).status_code == 429
        # A client that writes its own X-Forwarded-For is still known by what our proxy saw:
        # the right-most entry that is not a trusted proxy.
        r = log_in(c, "root", headers={"X-Forwarded-For": "192.0.2.77, 203.0.113.5, 10.1.2.3"})
        assert r.status_code == 429
        r = log_in(c, "amina", headers={"X-Forwarded-For": "198.51.100.8", "X-Forwarded-Proto": "https"})
        assert r.status_code == 200 and "; Secure" in r.headers["set-cookie"]
        c.cookies.clear()
        r = log_in(c, "amina", headers={"Forwarded": 'for="[2001:db8::7]:4711";proto=https, for=10.0.0.9'})
        assert r.status_code == 200 and "; Secure" in r.headers["set-cookie"]
    with client(store_db, address="192.0.2.200", trusted_proxies=["10.0.0.0/8"]) as c:
        assert log_in(c, "amina", headers={"X-Forwarded-For": "203.0.113.44"}).status_code == 200  # not a proxy
    addresses = [e["address"] for e in events(store_db, "login", "login_failed")]
    assert addresses[:4] == ["203.0.113.5", "203.0.113.6", "203.0.113.5", "203.0.113.6"]
    assert addresses[4:] == ["198.51.100.8", "2001:db8::7", "192.0.2.200"]


def test_serve_believes_forwarded_headers_only_from_its_trusted_proxies(web_db: Path) -> None:
    server = serve(web_db)
    try:
        for i in range(10):  # the default throttle: 10 failures per address, then waits
            r = httpx.post(f"{server.url}/api/session", json={"name": "admin", "password": f"guess number {i}"},
                           headers={"X-Forwarded-For": f"203.0.113.{i}"}, timeout=30)  # fmt: skip
            assert r.status_code == 401
        r = httpx.post(f"{server.url}/api/session", json={"name": "viewer", "password": PASSWORD},
                       headers={"X-Forwarded-For": "203.0.113.200"}, timeout=30)  # fmt: skip
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    finally:
        server.stop()
    server = serve(web_db, "--trusted-proxy", "127.0.0.1", "--trusted-proxy", "::1/128")
    try:
        http_login(server.url, "viewer", **{"X-Forwarded-For": "198.51.100.61"})
    finally:
        server.stop()
    logins = events(web_db, "login", "login_failed")
    assert {e["address"] for e in logins[:10]} == {"127.0.0.1"}
    assert logins[-1]["action"] == "login" and logins[-1]["address"] == "198.51.100.61"
    bad = childwatch("serve", "--db", web_db, "--port", "0", "--trusted-proxy", "my-proxy")
    assert bad.returncode == 2 and "--trusted-proxy 'my-proxy'" in bad.stderr and "10.0.0.0/8" in bad.stderr


# --- throttling without lockouts ------------------------------------------------------------------


def test_guessing_never_locks_the_owner_out_from_another_address(store_db: Path) -> None:
    """The tester's lockout: 35 wrong guesses on an admin from a few addresses, and more
    from many. The owner, from an address that did not fail, logs in at once; so does a
    guessing address once its (bounded) wait is over."""
    with client(store_db) as c:
        throttle = LoginThrottle(limit=3, account_limit=6, base=0.5, cap=5.0)
        c.app.state.throttle = throttle  # type: ignore[attr-defined]
        attackers = [TestClient(c.app, client=(f"203.0.113.{i}", 4000)) for i in range(12)]
        refused = 0
        for n in range(35):
            r = log_in(attackers[n % len(attackers)], "root", f"guess number {n}")
            assert r.status_code in (401, 429)
            refused += r.status_code == 429
        assert refused > 0  # the guessing was slowed
        owner = TestClient(c.app, client=("198.51.100.1", 4000))
        assert log_in(owner, "root").status_code == 200
        r = log_in(attackers[0], "root")
        if r.status_code == 429:  # a guessing address waits a bounded time, then may try again
            assert int(r.headers["retry-after"]) <= 5
            time.sleep(float(r.headers["retry-after"]) + 0.1)
            r = log_in(attackers[0], "root")
        assert r.status_code == 200


def test_throttle_waits_are_capped_and_the_account_count_never_blocks_a_new_address() -> None:
    throttle = LoginThrottle(limit=5, account_limit=10, base=1.0, cap=60.0)
    for i in range(1000):
        throttle.failed(f"203.0.113.{i % 50}", "root")
        throttle.failed("192.0.2.1", "root")
    assert 0 < throttle.wait("192.0.2.1", "root") <= 60.0
    assert 0 < throttle.wait("203.0.113.7", "root") <= 60.0
    assert throttle.wait("198.51.100.1", "root") == 0  # a fresh address is never made to wait
    assert throttle.wait("203.0.113.7", "amina") <= 60.0
    refusal = throttle.refusal("192.0.2.1", "root")
    assert refusal is not None and 1 <= refusal[1] <= 60 and "wait" in refusal[0]


def test_the_password_form_shares_the_throttle(store_db: Path) -> None:
    """The current-password check of the settings form is a login check too: it must not
    be a way to guess without being slowed down."""
    with client(store_db) as c:
        c.app.state.throttle = LoginThrottle(limit=2, base=30)  # type: ignore[attr-defined]
        assert log_in(c, "amina").status_code == 200
        for i in range(2):
            assert "current password is wrong" in change_password(c, f"wrong guess {i}", NEW_PASSWORD)
        page = change_password(c, PASSWORD, NEW_PASSWORD)
        assert "Password not changed" in page and "wait" in page
    with open_store(store_db) as store:
        assert users.authenticate(store, "amina", PASSWORD) is not None


# --- idle timeout and lifetime ----------------------------------------------------------------------


def test_an_idle_session_ends_and_activity_keeps_it_alive(store_db: Path) -> None:
    with client(store_db, idle_timeout=1.5) as c:
        assert log_in(c, "amina").status_code == 200
        for _ in range(6):  # 3 seconds, a request every half second
            time.sleep(0.5)
            assert c.get("/api/me").status_code == 200
        time.sleep(2.0)
        r = c.get("/api/me")
        assert r.status_code == 401 and "childwatch_session=;" in r.headers["set-cookie"]  # the cookie is dropped
        assert log_in(c, "amina").status_code == 200


def test_a_session_ends_twelve_hours_after_login_however_active(store_db: Path) -> None:
    """A cookie signed with the app's key, as the app would have issued it 13 hours ago
    and kept refreshing: its login time ends it, not its signing time."""
    with open_store(store_db) as store:
        amina = users.get_user_by_name(store, "amina")
    assert amina is not None
    signer = URLSafeTimedSerializer(SECRET, salt="childwatch-session")
    now = time.time()
    with client(store_db) as c:
        fresh = {"uid": amina.id, "epoch": amina.session_epoch, "login": now - 60, "seen": now - 5, "csrf": "x" * 43}
        c.cookies.set(COOKIE, signer.dumps(fresh))
        assert c.get("/api/me").status_code == 200
        c.cookies.set(COOKIE, signer.dumps({**fresh, "login": now - 13 * 3600, "csrf": "y" * 43}))
        assert c.get("/api/me").status_code == 401
        c.cookies.set(COOKIE, signer.dumps({**fresh, "epoch": amina.session_epoch - 1, "csrf": "z" * 43}))
        assert c.get("/api/me").status_code == 401  # an outdated epoch


def test_serve_takes_an_idle_timeout(web_db: Path) -> None:
    server = serve(web_db, "--idle-timeout", "2s")
    try:
        cookie = http_login(server.url, "viewer")
        assert me(server.url, cookie) == 200
        time.sleep(3.0)
        assert me(server.url, cookie) == 401
    finally:
        server.stop()
    bad = childwatch("serve", "--db", web_db, "--port", "0", "--idle-timeout", "soon")
    assert bad.returncode == 2 and "--idle-timeout" in bad.stderr and "15m" in bad.stderr


# --- the audit log ------------------------------------------------------------------------------------


def test_logins_failures_logouts_password_changes_and_exports_are_audited(web_db: Path) -> None:
    wrong = "not the password at all"
    with client(web_db, address="198.51.100.23") as c:
        assert log_in(c, "viewer", wrong).status_code == 401
        assert log_in(c, "nobody-such", wrong).status_code == 401
        csrf = log_in(c, "viewer").json()["csrf_token"]
        assert c.get("/api/export", params={"format": "csv", "country": "NG"}).status_code == 200
        assert c.get("/export", params={"format": "geojson"}).status_code == 200
        change_password(c, PASSWORD, NEW_PASSWORD)
        csrf = c.get("/api/me").json()["csrf_token"]
        assert c.delete("/api/session", headers={"X-CSRF-Token": csrf}).status_code == 204
        c.get("/login")
        r = c.post("/login", data={"name": "admin", "password": PASSWORD, "csrf_token": token(c, "/login")},
                   follow_redirects=False)  # fmt: skip
        assert r.status_code == 303
        incident = c.get("/api/incidents").json()["items"][0]["id"]
        csrf = c.get("/api/me").json()["csrf_token"]
        r = c.post(f"/api/incidents/{incident}/reveal", json={"reason": "family tracing request"},
                   headers={"X-CSRF-Token": csrf})  # fmt: skip
        assert r.status_code == 200
        assert c.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    result = childwatch("export", "--db", web_db, "--what", "incidents", "--country", "NG", "--out", "-")
    assert result.returncode == 0
    found = events(web_db)
    seen = [(e["action"], e["user"], e["via"]) for e in found if e["action"] != "user_add"]
    assert seen == [
        ("login_failed", "viewer", "api"), ("login_failed", "nobody-such", "api"), ("login", "viewer", "api"),
        ("export", "viewer", "api"), ("export", "viewer", "web"), ("password_change", "viewer", "web"),
        ("logout", "viewer", "api"), ("login", "admin", "web"), ("logout", "admin", "web"),
        ("export", seen[-1][1], "cli"),
    ]  # fmt: skip
    web = [e for e in found if e["via"] != "cli"]
    assert {e["address"] for e in web} == {"198.51.100.23"}
    failed = [e for e in found if e["action"] == "login_failed"]
    assert [e["details"]["reason"] for e in failed] == ["wrong password", "unknown user"]
    assert failed[0]["details"]["target_user_id"] is not None and "target_user_id" not in failed[1]["details"]
    api_export = next(e for e in found if e["action"] == "export")
    assert api_export["target"] == "incidents csv" and api_export["details"]["filters"] == {"country": "NG"}
    cli_export = found[-1]
    assert cli_export["target"] == "incidents csv" and cli_export["details"]["filters"] == {"country": "NG"}
    assert cli_export["user"].endswith("(command line)") and cli_export["address"] is None
    # The reveal is in the review log, which the audit export merges in.
    result = childwatch("audit", "--db", web_db, "--out", "-")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    reveal = [r for r in rows if r["log"] == "review" and r["action"] == "reveal"]
    assert len(reveal) == 1 and reveal[0]["user"] == "admin"
    assert reveal[0]["details"]["reason"] == "family tracing request"
    assert [r["at"] for r in rows] == sorted(r["at"] for r in rows)
    # Never a password, right or wrong: not in the export, not anywhere in the database files.
    stored = b"".join(p.read_bytes() for p in web_db.parent.glob(web_db.name + "*"))
    for secret in (wrong, PASSWORD, NEW_PASSWORD):
        assert secret not in result.stdout
        assert secret.encode() not in stored


def test_audit_export_as_csv_and_jsonl_to_a_file_is_itself_audited(store_db: Path, tmp_path: Path) -> None:
    formula = '=HYPERLINK("http://evil.example","x")'
    with client(store_db, address="203.0.113.9") as c:
        assert log_in(c, formula, "some wrong password").status_code == 401
    out = tmp_path / "audit.csv"
    result = childwatch("audit", "--db", store_db, "--out", out, "--format", "csv")
    assert result.returncode == 0 and f"audit events written to {out}" in result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert list(rows[0]) == list(export_audit.AUDIT_COLUMNS)
    failed = next(r for r in rows if r["action"] == "login_failed")
    assert failed["user"] == "'" + formula and failed["address"] == "203.0.113.9"  # inert in a spreadsheet
    assert json.loads(failed["details"]) == {"reason": "unknown user"}
    assert [r["action"] for r in rows] == ["user_add", "user_add", "login_failed"]
    result = childwatch("audit", "--db", store_db, "--out", tmp_path / "audit.jsonl")
    assert result.returncode == 0
    lines = (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["action"] for line in lines][-1] == "audit_export"  # the csv export, recorded
    assert events(store_db)[-1]["action"] == "audit_export"
    bad = childwatch("audit", "--db", store_db, "--out", "-", "--format", "xml")
    assert bad.returncode == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_audit_log_is_append_only_and_users_are_never_deleted(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    url = database_url(request, backend, tmp_path)
    with open_store(url) as store:
        admin = users.add_user(store, "root", PASSWORD, "admin")
        users.add_user(store, "amina", PASSWORD, "analyst")
        users.log_in(store, "amina", "a wrong password here", via="api", address="192.0.2.1")
        users.remove_user(store, "amina", by=admin)
        before = [r for r in audit.iter_audit(store)]
        assert [r["action"] for r in before] == ["user_add", "user_add", "login_failed", "user_remove"]
        assert before[-1]["via"] == "web" and before[-1]["user"] == "root"  # `by` without an actor: the web
        for sql in ("UPDATE audit_events SET user_name = 'someone else'", "DELETE FROM audit_events",
                    "DELETE FROM users WHERE name = 'amina'"):  # fmt: skip
            with pytest.raises(DBAPIError) as refused, store.engine.begin() as conn:
                conn.execute(text(sql))
            assert "childwatch:" in str(refused.value.orig), sql
        if store.engine.dialect.name == "postgresql":
            for table in ("audit_events", "users"):
                with pytest.raises(DBAPIError), store.engine.begin() as conn:
                    conn.execute(text(f"TRUNCATE {table} CASCADE"))
        assert [r for r in audit.iter_audit(store)] == before
        assert [u.name for u in users.list_users(store)] == ["amina", "root"]
