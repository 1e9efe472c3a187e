"""A private PostgreSQL server for the tests, started by the tests themselves.

One server per test session, in a temporary folder, on a free port on 127.0.0.1 (its unix
socket in that folder too), stopped and deleted at the end of the session. Each test (or
test module) asks `new_database` for a database of its own, so tests never see each
other's rows.

The server binaries are Debian's `postgresql` package (`initdb`, `pg_ctl`, found on PATH
or under /usr/lib/postgresql/*/bin). PostgreSQL refuses to run as root, so when the tests
run as root (as CI does) the server runs as the `postgres` user the package creates.

Where the binaries are missing the PostgreSQL tests skip, saying how to enable them, except
under CI (`CI=true`), where they fail: a CI run must not pass by silently testing one
back-end. `CHILDWATCH_TEST_POSTGRES_URL=postgresql://user:pw@host/db` uses an existing
server instead (the user needs the CREATEDB privilege).
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ENABLE_HINT = (
    "install the PostgreSQL server (Debian: apt-get install postgresql) or set "
    "CHILDWATCH_TEST_POSTGRES_URL=postgresql://USER:PASSWORD@HOST/DB to a server where USER may create databases"
)


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl, newest Debian version first, else PATH."""
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: _version(p.parent.name), reverse=True)
    for folder in debian:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl and Path(initdb).parent == Path(pg_ctl).parent:
        return Path(initdb).parent
    return None


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(p) for p in name.split(".") if p.isdigit())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """initdb + pg_ctl in a temporary folder; `url(db)` names a database on it."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        # Under /tmp, not $TMPDIR: a unix socket's path must stay under ~100 bytes, and as
        # root the postgres user must be able to reach the folder.
        self.folder = Path(tempfile.mkdtemp(prefix="childwatch-pg-", dir="/tmp" if Path("/tmp").is_dir() else None))
        self.data = self.folder / "data"
        self.port = 0
        # PostgreSQL will not run as root; as root, hand the folder to the postgres user.
        self.user: str | None = None
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root and there is no 'postgres' user to run the server as") from None
            self.user = "postgres"
            os.chown(self.folder, account.pw_uid, account.pw_gid)

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "HOME": str(self.folder), "LC_ALL": "C.UTF-8"}
        return subprocess.run(
            list(args), cwd=self.folder, env=env, user=self.user, capture_output=True, text=True, timeout=120
        )

    def start(self, *, durable: bool = False) -> None:
        """initdb and start; `durable` keeps PostgreSQL's default fsync and commit settings
        (the benchmarks want them; the tests, which throw their data away, do not)."""
        result = self._run(
            str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--no-sync",
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{result.stdout}\n{result.stderr}")
        # Durability settings off: this server holds only throw-away test data.
        options = "-c listen_addresses=127.0.0.1"
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        for _attempt in range(5):  # a port found free can be taken before the server binds it
            self.port = _free_port()
            result = self._run(
                str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w",
                "-o", f"-p {self.port} -k {self.folder} {options}", "start",
            )  # fmt: skip
            if result.returncode == 0:
                atexit.register(self.stop)
                return
        log = (self.folder / "server.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"pg_ctl start failed:\n{result.stdout}\n{result.stderr}\n{log}")

    def stop(self) -> None:
        if self.data.exists():
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"


class Databases:
    """Creates a fresh database per call on the server at `admin_url`."""

    _names = itertools.count(1)

    def __init__(self, admin_url: str) -> None:
        from sqlalchemy.engine import make_url

        self.admin = make_url(admin_url)
        self.created: list[str] = []

    def new(self) -> str:
        import psycopg

        name = f"childwatch_test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(**self._params(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return self.admin.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        import psycopg

        with contextlib.suppress(psycopg.Error), psycopg.connect(**self._params(), autocommit=True) as conn:
            for name in self.created:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _params(self) -> dict[str, object]:
        url = self.admin
        params: dict[str, object] = {"dbname": url.database or "postgres", "user": url.username or "postgres"}
        for key, value in (("host", url.host), ("port", url.port), ("password", url.password)):
            if value:
                params[key] = value
        return params


def _unavailable(reason: str) -> None:
    message = f"PostgreSQL tests need a server: {reason}; {ENABLE_HINT}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} (CI=true: failing instead of skipping)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[Databases]:
    """The session's PostgreSQL server (started here, or CHILDWATCH_TEST_POSTGRES_URL's)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("the psycopg driver is not installed (pip install -e '.[dev]')")
    external = os.environ.get("CHILDWATCH_TEST_POSTGRES_URL")
    if external:
        databases = Databases(external)
        yield databases
        databases.drop_all()
        return
    bindir = find_bindir()
    if bindir is None:
        _unavailable("initdb and pg_ctl were not found")
        return
    server = PostgresServer(bindir)
    try:
        server.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        server.stop()
        _unavailable(f"the test server did not start ({exc})")
    try:
        yield Databases(server.url())
    finally:
        server.stop()


BACKENDS = ("sqlite", "postgresql")


def database_url(request: pytest.FixtureRequest, backend: str, folder: Path) -> str:
    """A fresh, empty database of `backend`: a file in `folder`, or a new PostgreSQL database."""
    if backend == "sqlite":
        return str(folder / "childwatch.sqlite")
    databases: Databases = request.getfixturevalue("postgres_databases")
    return databases.new()


def database_maker(request: pytest.FixtureRequest, backend: str, folder: Path) -> Callable[[], str]:
    """A function giving a fresh, empty database of `backend` at each call (each SQLite
    file in its own subfolder of `folder`), for tests that need several."""
    made = itertools.count()

    def make() -> str:
        sub = folder / f"db{next(made)}"
        sub.mkdir()
        return database_url(request, backend, sub)

    return make
