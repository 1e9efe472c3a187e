"""Users and roles against a real SQLite file, and `childwatch users` through the real command."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from childwatch.errors import InputError, NotFound, PermissionDenied
from childwatch.review.users import (
    add_user,
    authenticate,
    can,
    get_user,
    list_users,
    require,
    set_blur_graphic,
    set_password,
    set_role,
)
from childwatch.store import Store, open_store


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "users.sqlite") as opened:
        yield opened


def childwatch(*args: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "childwatch.cli", *map(str, args)],
                          input=stdin, capture_output=True, text=True, timeout=120)  # fmt: skip


def test_password_is_stored_as_a_salted_scrypt_hash_and_checked(store: Store, tmp_path: Path) -> None:
    user = add_user(store, "amina", "correct horse battery", "analyst")
    assert user.role == "analyst" and user.blur_graphic is True
    stored = sqlite3.connect(tmp_path / "users.sqlite").execute("select password from users").fetchone()[0]
    assert stored.startswith("scrypt$n=") and "correct horse" not in stored
    other = add_user(store, "omar", "correct horse battery", "viewer")
    stored2 = (
        sqlite3.connect(tmp_path / "users.sqlite")
        .execute("select password from users where id = ?", (other.id,))
        .fetchone()[0]
    )
    assert stored2 != stored  # a random salt per user: equal passwords, different hashes
    assert authenticate(store, "amina", "correct horse battery") == user
    assert authenticate(store, "amina", "correct horse batterY") is None
    assert authenticate(store, "nobody", "correct horse battery") is None


def test_bad_names_roles_passwords_and_duplicates_are_refused_with_a_hint(store: Store) -> None:
    add_user(store, "amina", "plenty long enough", "admin")
    with pytest.raises(InputError, match="exists already"):
        add_user(store, "amina", "plenty long enough", "viewer")
    with pytest.raises(InputError, match="at least 12"):
        add_user(store, "bob", "short", "viewer")
    with pytest.raises(InputError, match="choose one of viewer, analyst, admin"):
        add_user(store, "bob", "plenty long enough", "superuser")
    with pytest.raises(InputError, match="not allowed"):
        add_user(store, "bob smith", "plenty long enough", "viewer")
    assert [u.name for u in list_users(store)] == ["amina"]


def test_roles_are_ranked_and_checked_in_the_domain(store: Store) -> None:
    viewer = add_user(store, "v", "plenty long enough", "viewer")
    analyst = add_user(store, "a", "plenty long enough", "analyst")
    admin = add_user(store, "root", "plenty long enough", "admin")
    assert can(viewer, "read") and not can(viewer, "review")
    assert can(analyst, "review") and not can(analyst, "reveal") and not can(analyst, "admin")
    assert can(admin, "reveal") and can(admin, "admin")
    with pytest.raises(PermissionDenied, match="v is a viewer and may not review"):
        require(viewer, "review")
    with pytest.raises(PermissionDenied):
        add_user(store, "x", "plenty long enough", "admin", by=analyst)
    with pytest.raises(PermissionDenied):
        set_role(store, "v", "admin", by=analyst)
    assert set_role(store, "v", "analyst", by=admin).role == "analyst"


def test_a_user_may_change_their_own_password_but_not_anothers(store: Store) -> None:
    viewer = add_user(store, "v", "plenty long enough", "viewer")
    add_user(store, "w", "plenty long enough", "viewer")
    set_password(store, "v", "a new password", by=viewer)
    assert authenticate(store, "v", "a new password") is not None
    assert authenticate(store, "v", "plenty long enough") is None
    with pytest.raises(PermissionDenied):
        set_password(store, "w", "hijacked password", by=viewer)
    with pytest.raises(NotFound, match="no user named 'ghost'"):
        set_password(store, "ghost", "plenty long enough")


def test_blur_setting_defaults_on_and_is_kept_per_user(store: Store) -> None:
    a = add_user(store, "a", "plenty long enough", "analyst")
    b = add_user(store, "b", "plenty long enough", "analyst")
    set_blur_graphic(store, a.id, False)
    assert get_user(store, a.id).blur_graphic is False  # type: ignore[union-attr]
    assert get_user(store, b.id).blur_graphic is True  # type: ignore[union-attr]


def test_users_cli_reads_passwords_from_stdin_never_from_arguments(tmp_path: Path) -> None:
    db = tmp_path / "cli.sqlite"
    result = childwatch("users", "add", "amina", "--role", "admin", "--password-stdin", "--db", db,
                        stdin="a long passphrase\n")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "added amina (admin)" in result.stdout
    result = childwatch("users", "add", "omar", "--role", "viewer", "--password-stdin", "--db", db, stdin="short\n")
    assert result.returncode == 2 and "at least 12" in result.stderr
    result = childwatch("users", "list", "--db", db)
    assert result.returncode == 0 and "amina" in result.stdout and "admin" in result.stdout
    result = childwatch("users", "passwd", "amina", "--password-stdin", "--db", db, stdin="another passphrase\n")
    assert result.returncode == 0, result.stderr
    with open_store(db) as store:
        assert authenticate(store, "amina", "another passphrase") is not None
    result = childwatch("users", "add", "x", "--password", "secret123", "--db", db)
    assert result.returncode == 2  # there is no option that takes a password as an argument
