"""Running the app: bind first, then say where, then serve.

The socket is bound before the address is printed, so the printed address is one that
works (and `--port 0` prints the port the system chose, which tests use).
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import uvicorn

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
    sock = socket.socket(family, socket.SOCK_STREAM)
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


def serve(
    db: str,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    trusted_proxies: Sequence[str] = (),
    idle_timeout: float | None = None,
    out: TextIO = sys.stdout,
) -> None:
    """Serve the UI and API over `db` until interrupted. Forwarded headers are believed
    only from `trusted_proxies`; sessions end after `idle_timeout` idle seconds."""
    check_database(db)
    app = create_app(db, trusted_proxies=trusted_proxies, idle_timeout=idle_timeout or IDLE_TIMEOUT)
    sock = bind(host, port)
    print(f"childwatch is serving {db} at {address(sock)} (API docs: {address(sock)}docs; Ctrl+C stops)",
          file=out, flush=True)  # fmt: skip
    # uvicorn's own proxy handling stays off: it trusts loopback by default, and the app
    # reads forwarded headers itself, from the --trusted-proxy peers only (proxy.py).
    config = uvicorn.Config(app, log_level="warning", proxy_headers=False, server_header=False)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
