"""What the server computed, kept until the store changes: whole answers of the read-only
API routes (lists, dashboard, filter values), users and ended sessions.

Everything is kept under the store's change token (`store.generation`), read when the
request comes in: a commit by anyone (another worker, `childwatch run`, a review, a
logout) makes a new token. Users and ended sessions kept under an older token are never
used after it. An answer is kept per role, path and query (and whether it was
compressed): what a viewer gets is never computed for an admin. Concurrent requests for
the same answer compute it once; the others wait for it.

Answers may be served a little behind the store, never far and never silently: while a
writer commits every few hundred milliseconds, computing each answer again in the
requests that follow every commit made them wait for it (a dashboard over 400,000
incidents is seconds of work). So an answer computed under an older token is still
served for up to `MAX_STALE` seconds after its computation began, while one newer
computation runs in the background (one per answer and process, and not more often than
its last one took, so that refreshing never takes more than about half the time);
every answer says since when it shows the store (`as_of` in the JSON body, `Age` in
seconds as a header). A session that wrote (any successful POST, PATCH or DELETE, see
`security.SessionMiddleware`) never gets an answer older than its write: analysts see
their own reviews at once. Once writes stop, the next request starts the refresh that
brings every answer level with the store.

Per process and in memory, bounded in entries and bytes; a store that cannot tell its
changes (an in-memory SQLite database) is never cached. The worker processes of one
server also share their answers (shared.py): one computes an answer, the others serve it.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from childwatch.review.users import User
from childwatch.serve.shared import SharedAnswers
from childwatch.store.generation import Generation

__all__ = ["CACHED_PATHS", "MAX_STALE", "WROTE", "ReadCache", "StoreMemo", "TokenFirst"]

T = TypeVar("T")
V = TypeVar("V")
# GET routes whose answer depends only on the store, the role and the query.
CACHED_PATHS = frozenset({"/api/incidents", "/api/dashboard", "/api/facets"})
MAX_BODY = 4 << 20  # larger answers (500 incidents a page is ~0.5 MB) are not kept
MAX_STALE = 30.0  # seconds: the oldest answer served while a newer one is computed
MIN_GAP = 0.5  # seconds between the end of one background refresh of an answer and the next
WAIT_FOR_OTHERS = 60.0  # seconds a request waits for the answer another worker is computing
WROTE = "wrote"  # session key: when the session last wrote (wall-clock seconds)
_TOKEN = "childwatch.generation"
log = logging.getLogger(__name__)


class _Bounded(Generic[V]):
    """Values by key, newest last, up to `max_entries` of them and `max_bytes` in all (each
    with the size it is given): the oldest go first. Not thread-safe on its own."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._items: OrderedDict[tuple[Any, ...], tuple[V, int]] = OrderedDict()
        self._bytes = 0

    def get(self, key: tuple[Any, ...], *, touch: bool = False) -> V | None:
        """The value kept for `key`; with `touch`, it counts as the newest from now on."""
        found = self._items.get(key)
        if found is None:
            return None
        if touch:
            self._items.move_to_end(key)
        return found[0]

    def put(self, key: tuple[Any, ...], value: V, size: int) -> None:
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= old[1]
        self._items[key] = (value, size)
        self._bytes += size
        while self._items and (len(self._items) > self.max_entries or self._bytes > self.max_bytes):
            _, (_, gone) = self._items.popitem(last=False)
            self._bytes -= gone


class StoreMemo:
    """Values kept under the store's change token; thread-safe, least recently used out."""

    def __init__(self, generation: Generation, *, max_entries: int = 2048, max_bytes: int = 64 << 20) -> None:
        self.generation = generation
        # SQLite's token costs microseconds; PostgreSQL's a query: read once per request.
        self.cheap = generation.dialect == "sqlite"
        self._kept: _Bounded[Any] = _Bounded(max_entries, max_bytes)
        self._lock = threading.Lock()
        self._waiting: asyncio.Future[str | None] | None = None  # the requests the next read serves
        self._reading = False
        self._reader: asyncio.Task[None] | None = None

    def token(self, scope: Scope | None = None) -> str | None:
        """The store's token, read once per request (kept in its scope)."""
        if scope is not None and _TOKEN in scope:
            return scope[_TOKEN]  # type: ignore[no-any-return]
        token = self.generation.current()
        if scope is not None:
            scope[_TOKEN] = token
        return token

    async def read_token(self, scope: Scope) -> str | None:
        """`token(scope)` without holding up the event loop where it costs a query
        (PostgreSQL: a round trip, 2 ms a request on a busy machine, during which the
        process served no one): read in a thread, one read for all the requests waiting
        when it starts, so that each still sees every commit made before it came."""
        if self.cheap or _TOKEN in scope:
            return self.token(scope)
        loop = asyncio.get_running_loop()
        if self._waiting is None:
            self._waiting = loop.create_future()
        waiting = self._waiting
        if not self._reading:
            self._reading = True
            self._reader = loop.create_task(self._read_for_waiting())
        scope[_TOKEN] = await asyncio.shield(waiting)
        return scope[_TOKEN]  # type: ignore[no-any-return]

    async def _read_for_waiting(self) -> None:
        try:
            while self._waiting is not None:
                batch, self._waiting = self._waiting, None  # who came after this starts waits for the next
                try:
                    batch.set_result(await asyncio.to_thread(self.generation.current))
                except Exception as exc:  # each waiting request fails as a read of its own would
                    batch.set_exception(exc)
        finally:
            self._reading = False

    def get(self, token: str, key: tuple[Any, ...]) -> Any | None:
        with self._lock:
            return self._kept.get((token, *key), touch=True)

    def put(self, token: str, key: tuple[Any, ...], value: Any, size: int = 1) -> None:
        with self._lock:
            self._kept.put((token, *key), value, size)

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


@dataclass(frozen=True, slots=True)
class Answer:
    """One kept answer: computed under `token`, showing the store as of `as_of` (wall
    clock, when its computation began), in `took` seconds, finished at `done` (monotonic)."""

    token: str
    as_of: float
    took: float
    done: float
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


class ReadCache:
    """ASGI middleware (inside the session middleware, outside compression): answers GET
    requests to `CACHED_PATHS` from what it kept when the same role asked the same thing,
    fresh (same store token) or, within `MAX_STALE`, a little behind the store while a
    newer answer is computed in the background (see the module doc). Only 200 answers are
    kept; the route runs for everything else (a missing login still gets its 401 there)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        memo: StoreMemo,
        user: Callable[[Request], User | None],
        max_stale: float | None = None,
        max_entries: int = 2048,
        max_bytes: int = 64 << 20,
        shared: SharedAnswers | None = None,
    ) -> None:
        self.app = app
        self.shared = shared  # other workers' answers (--workers N: shared.py)
        self.memo = memo
        self.user = user
        self.max_stale = MAX_STALE if max_stale is None else max_stale
        self.max_entries = max_entries
        self._answers: _Bounded[Answer] = _Bounded(max_entries, max_bytes)  # the newest per key
        self._flights: dict[tuple[Any, ...], asyncio.Lock] = {}
        self._refreshing: dict[tuple[Any, ...], asyncio.Task[None]] = {}

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
        found = self._answers.get(key)
        if self.shared is not None and (found is None or found.token != token):
            found = self._adopt(key, token) or found
        if found is not None and found.token == token:
            await self._replay(found, send)
            return
        if found is not None and self._may_serve_stale(found, scope):
            self._refresh(key, scope)
            await self._replay(found, send)
            return
        # One computation per answer at a time, whatever the token: while a writer commits
        # every few milliseconds, one per token would be one per request.
        if len(self._flights) > self.max_entries:
            self._flights = {k: v for k, v in self._flights.items() if v.locked()}
        flight = self._flights.setdefault(key, asyncio.Lock())
        async with flight:  # the first computes; the others take its answer if they may
            lock = self.shared.claim(key) if self.shared is not None else None
            deadline = time.monotonic() + WAIT_FOR_OTHERS
            while True:
                found = self._answers.get(key)
                if found is not None and (found.token == token or self._may_serve_stale(found, scope)):
                    if lock is not None and self.shared is not None:
                        self.shared.release(lock)
                    await self._replay(found, send)
                    return
                if self.shared is None or lock is not None or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.02)  # another worker is computing it: take its answer
                self._adopt(key, token)
                lock = self.shared.claim(key)
            try:
                await self._compute(scope, receive, send, token, key)
            finally:
                if lock is not None and self.shared is not None:
                    self.shared.release(lock)

    def _adopt(self, key: tuple[Any, ...], token: str) -> Answer | None:
        """The newest answer to `key`, this worker's or one another worker saved since.
        Another worker's token is its own where it is SQLite's (store/generation.py): its
        answer is taken as of this worker's `token` when its computation began after this
        worker first saw `token`, and otherwise served only as an answer behind the store."""
        assert self.shared is not None
        newer = self.shared.load(key)
        if isinstance(newer, Answer):
            since = self.memo.generation.since(token)
            if newer.token != token and since is not None and newer.as_of >= since:
                newer = replace(newer, token=token)
            # Counted as done here and now: no refresh of it for as long as it took.
            self._keep(key, replace(newer, done=time.monotonic()))
        return self._answers.get(key)

    def _may_serve_stale(self, found: Answer, scope: Scope) -> bool:
        """Within the bound, and not older than this session's own last write."""
        wrote = scope.get("session", {}).get(WROTE)
        if isinstance(wrote, int | float) and wrote >= found.as_of:
            return False
        return time.time() - found.as_of <= self.max_stale

    def _refresh(self, key: tuple[Any, ...], scope: Scope) -> None:
        """Computes `key`'s answer again in the background, unless that is under way or
        the last computation ended too recently (see MIN_GAP and the module doc)."""
        found = self._answers.get(key)
        if key in self._refreshing or (found and time.monotonic() - found.done < max(MIN_GAP, found.took)):
            return
        lock = self.shared.claim(key) if self.shared is not None else None
        if self.shared is not None and lock is None:
            return  # another worker is computing it; its answer is taken when saved
        # The request as it came, without its token (the refresh reads the store's own)
        # and with a session of its own (nothing the route does to it reaches a cookie).
        background = {k: v for k, v in scope.items() if k != _TOKEN}
        background["session"] = dict(scope.get("session", {}))

        async def nothing() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def discard(message: Message) -> None:
            return None

        async def run() -> None:
            try:
                token = self.memo.token(background)
                if token is not None:
                    await self._compute(background, nothing, discard, token, key)
            except Exception:  # the next request computes it in the request instead
                log.exception("refreshing %s failed", key[2])
            finally:
                self._refreshing.pop(key, None)
                if lock is not None and self.shared is not None:
                    self.shared.release(lock)

        self._refreshing[key] = asyncio.get_running_loop().create_task(run())

    async def _replay(self, found: Answer, send: Send) -> None:
        age = str(max(0, int(time.time() - found.as_of))).encode()
        await send({"type": "http.response.start", "status": 200, "headers": [*found.headers, (b"age", age)]})
        await send({"type": "http.response.body", "body": found.body})

    def _keep(self, key: tuple[Any, ...], answer: Answer) -> None:
        old = self._answers.get(key)
        if old is not None and old.as_of > answer.as_of:  # a slower computation that began earlier: keep the newer
            answer = old
        self._answers.put(key, answer, len(answer.body) + 512)

    async def _compute(self, scope: Scope, receive: Receive, send: Send, token: str, key: tuple[Any, ...]) -> None:
        start: Message | None = None
        chunks: list[bytes] = []
        size = 0
        as_of, began = time.time(), time.monotonic()

        async def keep(message: Message) -> None:
            nonlocal start, size
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body" and start is not None and size <= MAX_BODY:
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                if not message.get("more_body", False) and start["status"] == 200 and size <= MAX_BODY:
                    headers = tuple((k, v) for k, v in start.get("headers", []) if k.lower() != b"set-cookie")
                    now = time.monotonic()
                    answer = Answer(token, as_of, now - began, now, headers, b"".join(chunks))
                    self._keep(key, answer)
                    if self.shared is not None:
                        self.shared.save(key, answer)
            await send(message)

        await self.app(scope, receive, keep)


class TokenFirst:
    """ASGI middleware (outside the session middleware): reads the store's change token for
    each request off the event loop (`StoreMemo.read_token`), then, once per token, what
    every request checks under it (`warm`: the ended sessions) in a thread as well, so
    that neither holds up the other requests of the process."""

    def __init__(self, app: ASGIApp, *, memo: StoreMemo, warm: Callable[[Scope], object] | None = None) -> None:
        self.app = app
        self.memo = memo
        self.warm = warm
        self._warmed: str | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self.memo.cheap and not scope["path"].startswith("/static/"):
            token = await self.memo.read_token(scope)
            if self.warm is not None and token is not None and token != self._warmed:
                await asyncio.to_thread(self.warm, scope)
                self._warmed = token
        await self.app(scope, receive, send)
