"""Running the app: bind first, then say where, then serve.

The socket is bound before the address is printed, so the printed address is one that
works (and `--port 0` prints the port the system chose, which tests use).

With `workers` > 1, that socket is shared by as many worker processes (uvicorn's
supervisor restarts one that dies). Each opens the store itself; they share the session
key kept in the store and each user's session epoch, so a cookie made by one worker is
valid in every other, and a logout or password change ends it in all of them. The
schema is migrated once, by the parent, before any worker starts. They also share the
answers they compute (shared.py), in a private folder the parent makes and removes.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import uvicorn
from fastapi import FastAPI
from uvicorn.supervisors import Multiprocess

from childwatch.errors import ChildwatchError
from childwatch.serve.app import create_app
from childwatch.serve.security import IDLE_TIMEOUT


def check_database(db: str) -> None:
    """A SQLite path must name an existing file: serving would otherwise create an empty
    database and show nothing, which looks like lost data."""
    if "://" in db:
        return
    path = Path(db).expanduser()
    if not path.is_file():
        raise ChildwatchError(
            f"no database at {db}: load reports first with `childwatch run REPORTS --db {db}` (or give the right --db)"
        )


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP said, not left 0: asyncio sets TCP_NODELAY on a connection only when
    # its socket says it is TCP. Without it every answer sent in two writes (head, then
    # body) waited ~40 ms for the client's delayed acknowledgement (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ChildwatchError(f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port") from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


# How the parent tells its workers what to serve (they are started afresh, not forked).
WORKER_ENV = "CHILDWATCH_SERVE_WORKER"
MAX_WORKERS = 64


def worker_app() -> FastAPI:
    """The app of one worker process, from the settings its parent left in the environment."""
    settings = json.loads(os.environ[WORKER_ENV])
    return create_app(settings["db"], trusted_proxies=settings["trusted"], idle_timeout=settings["idle"],
                      shared_answers=settings.get("shared"))  # fmt: skip


def serve(
    db: str,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    trusted_proxies: Sequence[str] = (),
    idle_timeout: float | None = None,
    workers: int = 1,
    out: TextIO = sys.stdout,
) -> None:
    """Serve the UI and API over `db` until interrupted, in `workers` processes. Forwarded
    headers are believed only from `trusted_proxies`; sessions end after `idle_timeout`
    idle seconds."""
    if not 1 <= workers <= MAX_WORKERS:
        raise ChildwatchError(f"--workers must be between 1 and {MAX_WORKERS}, not {workers}")
    check_database(db)
    idle = idle_timeout or IDLE_TIMEOUT
    # Made here even for workers: it checks the options, migrates the store and makes the
    # session key once, before any worker opens the store.
    app = create_app(db, trusted_proxies=trusted_proxies, idle_timeout=idle)
    if workers > 1:
        app.state.store.close()
    sock = bind(host, port)
    shared: str | None = None
    print(f"childwatch is serving {db} at {address(sock)} (API docs: {address(sock)}docs; Ctrl+C stops)",
          file=out, flush=True)  # fmt: skip
    # uvicorn's own proxy handling stays off: it trusts loopback by default, and the app
    # reads forwarded headers itself, from the --trusted-proxy peers only (proxy.py).
    try:
        if workers == 1:
            config = uvicorn.Config(app, log_level="warning", proxy_headers=False, server_header=False)
            uvicorn.Server(config).run(sockets=[sock])
        else:
            # The workers share their answers in a folder of their own (shared.py).
            shared = tempfile.mkdtemp(prefix="childwatch-answers-")
            os.environ[WORKER_ENV] = json.dumps({"db": db, "trusted": list(trusted_proxies), "idle": idle,
                                                 "shared": shared})  # fmt: skip
            config = uvicorn.Config(
                "childwatch.serve.server:worker_app",
                factory=True,
                workers=workers,
                log_level="warning",
                proxy_headers=False,
                server_header=False,
            )
            Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()
        if shared is not None:
            shutil.rmtree(shared, ignore_errors=True)
