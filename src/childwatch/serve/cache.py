"""What the server computed, kept until the store changes: whole answers of the read-only
API routes (lists, dashboard, filter values), users and ended sessions.

Everything is kept under the store's change token (`store.generation`), read when the
request comes in: a commit by anyone (another worker, `childwatch run`, a review, a
logout) makes a new token, and nothing kept under an older one is served after it. An
answer is kept per role, path and query (and whether it was compressed): what a viewer
gets is never computed for an admin. Concurrent requests for the same answer compute it
once; the others wait for it.

Per process and in memory, bounded in entries and bytes; a store that cannot tell its
changes (an in-memory SQLite database) is never cached.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from childwatch.review.users import User
from childwatch.store.generation import Generation

__all__ = ["CACHED_PATHS", "ReadCache", "StoreMemo"]

T = TypeVar("T")
# GET routes whose answer depends only on the store, the role and the query.
CACHED_PATHS = frozenset({"/api/incidents", "/api/dashboard", "/api/facets"})
MAX_BODY = 4 << 20  # larger answers (500 incidents a page is ~0.5 MB) are not kept
_TOKEN = "childwatch.generation"


class StoreMemo:
    """Values kept under the store's change token; thread-safe, least recently used out."""

    def __init__(self, generation: Generation, *, max_entries: int = 2048, max_bytes: int = 64 << 20) -> None:
        self.generation = generation
        # SQLite's token costs microseconds; PostgreSQL's a query: read once per request.
        self.cheap = generation.dialect == "sqlite"
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._items: OrderedDict[tuple[Any, ...], tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def token(self, scope: Scope | None = None) -> str | None:
        """The store's token, read once per request (kept in its scope)."""
        if scope is not None and _TOKEN in scope:
            return scope[_TOKEN]  # type: ignore[no-any-return]
        token = self.generation.current()
        if scope is not None:
            scope[_TOKEN] = token
        return token

    def get(self, token: str, key: tuple[Any, ...]) -> Any | None:
        with self._lock:
            found = self._items.get((token, *key))
            if found is None:
                return None
            self._items.move_to_end((token, *key))
            return found[0]

    def put(self, token: str, key: tuple[Any, ...], value: Any, size: int = 1) -> None:
        with self._lock:
            full = (token, *key)
            old = self._items.pop(full, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[full] = (value, size)
            self._bytes += size
            while self._items and (len(self._items) > self.max_entries or self._bytes > self.max_bytes):
                _, (_, gone) = self._items.popitem(last=False)
                self._bytes -= gone

    def kept(self, kind: str, key: Any, compute: Callable[[], T], scope: Scope | None = None) -> T:
        """`compute()`, or what it gave under the store's token: the request's (`scope`),
        read once for all of it; without a request only where the token is cheap
        (SQLite), since elsewhere reading it costs what it would save."""
        token = self.token(scope) if scope is not None or self.cheap else None
        if token is None:
            return compute()
        found = self.get(token, (kind, key))
        if found is not None:
            return found  # type: ignore[no-any-return]
        value = compute()
        if value is not None:
            self.put(token, (kind, key), value)
        return value

    def close(self) -> None:
        self.generation.close()


class ReadCache:
    """ASGI middleware (inside the session middleware, outside compression): answers GET
    requests to `CACHED_PATHS` from `memo` when the same role asked the same thing
    since the store last changed. Only 200 answers are kept; the route runs for
    everything else (a missing login still gets its 401 there)."""

    def __init__(self, app: ASGIApp, *, memo: StoreMemo, user: Callable[[Request], User | None]) -> None:
        self.app = app
        self.memo = memo
        self.user = user
        self._flights: dict[tuple[Any, ...], asyncio.Lock] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in CACHED_PATHS:
            await self.app(scope, receive, send)
            return
        token = self.memo.token(scope)
        user = self.user(Request(scope)) if token is not None else None
        if token is None or user is None:
            await self.app(scope, receive, send)
            return
        query = tuple(sorted(parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)))
        gzip = any(k == b"accept-encoding" and b"gzip" in v for k, v in scope["headers"])
        key = ("answer", user.role, scope["path"], query, gzip)
        if await self._replay(token, key, send):
            return
        flight = self._flights.setdefault((token, *key), asyncio.Lock())
        async with flight:  # the first computes; the others find its answer
            try:
                if await self._replay(token, key, send):
                    return
                await self._compute(scope, receive, send, token, key)
            finally:
                self._flights.pop((token, *key), None)

    async def _replay(self, token: str, key: tuple[Any, ...], send: Send) -> bool:
        found = self.memo.get(token, key)
        if found is None:
            return False
        status, headers, body = found
        await send({"type": "http.response.start", "status": status, "headers": list(headers)})
        await send({"type": "http.response.body", "body": body})
        return True

    async def _compute(self, scope: Scope, receive: Receive, send: Send, token: str, key: tuple[Any, ...]) -> None:
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0

        async def keep(message: Message) -> None:
            nonlocal start, size
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body" and start is not None and size <= MAX_BODY:
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if not message.get("more_body", False) and start["status"] == 200 and size <= MAX_BODY:
                    headers = tuple((k, v) for k, v in start.get("headers", []) if k.lower() != b"set-cookie")
                    self.memo.put(token, key, (200, headers, b"".join(chunks)), size + 512)
            await send(message)

        await self.app(scope, receive, keep)
