"""Sessions, CSRF tokens and security headers: the parts of the web edge that protect
the people in the data and the analysts using it.

Sessions live in a signed, timestamped cookie (itsdangerous): it holds only the user id,
the user's session epoch, the login time, the time of the last request, the time of the
session's last write (cache.py serves it nothing older) and the CSRF token, never a name
or a role, so that a changed role or a disabled user takes effect on
the next request (`deps.current_user` re-reads the user), and a password change ends the
other sessions (the epoch in the cookie is outdated), also across server restarts. A
session ends 12 hours after login, or after `idle_timeout` seconds without a request
(30 minutes by default). The cookie is HttpOnly, SameSite=Lax, and Secure when the
request came over https (the scheme comes from a trusted proxy's headers, see
`proxy.py`) or when the app is configured with `secure_cookies=True`.

CSRF uses the synchronizer-token pattern: one random token per session, sent back in a
hidden form field (`csrf_token`) or, for the API, in the `X-CSRF-Token` header, and
compared in constant time. SameSite=Lax alone would leave same-site subdomains and old
browsers open.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import secrets
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from childwatch.serve.cache import WROTE, StoreMemo
from childwatch.store import Store
from childwatch.store.review import end_session, ended_sessions, session_ended

COOKIE = "childwatch_session"
MAX_AGE = 12 * 3600  # one working day after login; then log in again
IDLE_TIMEOUT = 30 * 60  # a session left alone this long ends (OWASP ASVS 3.3.2)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOGINS = frozenset({"/api/session", "/login"})  # POST: a new session, no change to what it reads

# No inline script or style anywhere: everything comes from /static. data: images only
# for Swagger UI's icons (see DOCS_CSP).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# Swagger UI sets inline styles on its elements; it still runs no inline script.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class EndedSessions:
    """Where sessions ended before their cookies expire are remembered, by CSRF token."""

    def end(self, token: str) -> None:
        raise NotImplementedError

    def ended(self, token: str, scope: Scope | None = None) -> bool:
        """Whether the session of CSRF token `token` has ended; `scope`: the request's."""
        raise NotImplementedError


class EndedInMemory(EndedSessions):
    """In this process's memory, as long as such a cookie could live: for an app that one
    process serves (tests, an embedded app)."""

    MAX_ENDED = 100_000  # remembered at most; the oldest are forgotten first

    def __init__(self) -> None:
        self._ended: dict[str, float] = {}  # token -> when its cookie expires

    def end(self, token: str) -> None:
        now = time.monotonic()
        if len(self._ended) >= self.MAX_ENDED:
            self._ended = {t: until for t, until in self._ended.items() if until > now}
            while len(self._ended) >= self.MAX_ENDED:
                self._ended.pop(next(iter(self._ended)))
        self._ended[token] = now + MAX_AGE

    def ended(self, token: str, scope: Scope | None = None) -> bool:
        return token in self._ended


class EndedInStore(EndedSessions):
    """In the store, by the SHA-256 of the token: shared by every worker process and kept
    across restarts. With `memo`, the ended sessions are read once per store change (a
    logout anywhere is a change), not once per session."""

    def __init__(self, store: Store, memo: StoreMemo | None = None) -> None:
        self.store = store
        self.memo = memo

    @staticmethod
    def _hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def end(self, token: str) -> None:
        end_session(self.store, self._hash(token), datetime.now(UTC) + timedelta(seconds=MAX_AGE))

    def ended(self, token: str, scope: Scope | None = None) -> bool:
        digest = self._hash(token)
        if self.memo is None:
            return session_ended(self.store, digest)
        return digest in self.warm(scope)

    def warm(self, scope: Scope | None = None) -> frozenset[str]:
        """Every ended session, read once per store change (`memo`): looked up per session,
        a hundred sessions made a hundred queries after every commit of a busy writer."""
        assert self.memo is not None
        return self.memo.kept("ended", None, lambda: ended_sessions(self.store), scope)


class SessionMiddleware:
    """Puts the decoded session dict in ``scope["session"]`` (so `request.session`
    works) and writes the cookie back only when the session changed.

    A signed cookie stays valid until it expires, wherever a copy of it is: so a session
    ended here (logout, or a new login replacing it) is remembered by its CSRF token in
    `ended` (the store, for `childwatch serve`: every worker process and every restart
    sees it), and a copy of its cookie is no session from then on."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        secret_key: str,
        secure: bool | None = None,
        idle_timeout: float = IDLE_TIMEOUT,
        ended: EndedSessions | None = None,
    ) -> None:
        self.app = app
        self.serializer = URLSafeTimedSerializer(secret_key, salt="childwatch-session")
        self.secure = secure
        self.idle_timeout = idle_timeout
        # The last request's time is written back at most this often: not a new cookie on
        # every request, yet at most a tenth of the idle timeout early.
        self.refresh = min(60.0, idle_timeout / 10)
        self.ended = ended if ended is not None else EndedInMemory()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        raw = connection.cookies.get(COOKIE)
        session: dict[str, Any] = {}
        if raw:
            try:
                loaded = self.serializer.loads(raw, max_age=MAX_AGE)
                session = loaded if isinstance(loaded, dict) else {}
            except BadSignature:  # expired or tampered: start afresh
                session = {}
        # A snapshot (nested lists may change in place), taken as the cookie came: a session
        # timed out, ended or refreshed below is written back.
        before = json.dumps(session, sort_keys=True)
        session = self._alive(session)
        token = session.get("csrf")
        if isinstance(token, str) and self.ended.ended(token, scope):  # a copy of a cookie whose session ended
            session, token = {}, None
        scope["session"] = session
        secure = self.secure if self.secure is not None else scope.get("scheme") == "https"

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                current = scope["session"]
                if (
                    scope["method"] in WRITES
                    and message["status"] < 400
                    and "uid" in current
                    and scope["path"] not in LOGINS
                ):
                    # When this session last wrote: kept answers older than it are not
                    # served to it (cache.py), so one sees one's own changes at once. A
                    # login changes nothing any answer shows: its first pages may be kept
                    # ones (otherwise each login computed them again, seconds on 1M claims).
                    current[WROTE] = round(time.time(), 3)
                if isinstance(token, str) and current.get("csrf") != token:
                    self.ended.end(token)  # logged out, or replaced by a new login
                if json.dumps(current, sort_keys=True) != before or (raw and not current):
                    headers = MutableHeaders(scope=message)
                    headers.append("Set-Cookie", self._cookie(current, secure))
            await send(message)

        await self.app(scope, receive, send_wrapper)

    def _alive(self, session: dict[str, Any]) -> dict[str, Any]:
        """The session, or {} once it is too old or was left idle too long. Wall-clock
        times, in the signed cookie: they hold across server restarts. The cookie's own
        signing time is no login time, since the cookie is signed again as it changes."""
        if "uid" not in session:
            return session  # no login (the login page's CSRF token): nothing to time out
        now = time.time()
        login, seen = session.get("login"), session.get("seen")
        if not isinstance(login, int | float) or not isinstance(seen, int | float):
            return {}
        if now - login > MAX_AGE or now - seen > self.idle_timeout:
            return {}
        if now - seen >= self.refresh:
            session["seen"] = round(now, 1)
        return session

    def _cookie(self, session: dict[str, Any], secure: bool) -> str:
        flags = "; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
        if not session:
            return f"{COOKIE}=; Max-Age=0{flags}"
        value = self.serializer.dumps(session)
        return f"{COOKIE}={value}; Max-Age={MAX_AGE}{flags}"


class SecurityHeadersMiddleware:
    """CSP and friends on every response; pages are never cached (they show protected data)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in security_headers(path).items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_wrapper)


def security_headers(path: str) -> dict[str, str]:
    """The headers every response gets. The middleware adds them; so does the handler of
    unexpected errors (app.py), because Starlette sends a 500 outside every middleware."""
    headers = {
        "Content-Security-Policy": DOCS_CSP if path == "/docs" else CSP,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if not path.startswith("/static/"):
        headers["Cache-Control"] = "no-store"
    return headers


def csrf_token(session: dict[str, Any]) -> str:
    """The session's CSRF token, created on first use."""
    token = session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_ok(session: dict[str, Any], sent: str | None) -> bool:
    expected = session.get("csrf")
    if not isinstance(expected, str) or not expected or not sent:
        return False
    return hmac.compare_digest(expected.encode(), sent.encode())


class LoginThrottle:
    """Slows online password guessing with delays that grow with failures, and never
    locks an account: the right password from an address that has not been failing
    always gets in. In memory, per process (one server).

    - Per address: after `limit` failed logins within `window` seconds, whatever the
      names tried, the address must wait before its next attempt, `base` seconds after
      its last failure, doubling with each further failure, at most `cap` seconds. Even
      the right password waits there: this is the guesser's own address.
    - Per account: once an account has `account_limit` failed logins within the window,
      from any number of addresses, it is under attack; then every address that has
      failed on it must wait before trying it again, a delay that doubles with the
      account's failures, up to `cap`. An address that has not failed on it is never
      made to wait, so a stranger cannot keep the owner out (the old lockout: 35
      guesses kept an admin out for 10 minutes); guessing spread over many addresses
      gets one try per address per `cap` seconds.

    `wait` says how long; the web answers 429 with Retry-After. A success forgets the
    address's failures (and its failures on that account); the account's count ages out.
    """

    message = "Too many failed logins from this address; wait {seconds} and try again."
    MAX_KEYS = 10_000  # addresses and names remembered; older entries are dropped first when over

    def __init__(
        self, limit: int = 10, window: float = 900.0, account_limit: int = 20, base: float = 1.0, cap: float = 60.0
    ) -> None:
        self.limit = limit
        self.window = window
        self.account_limit = account_limit
        self.base = base
        self.cap = cap
        self._failures: dict[str, list[float]] = {}

    def _recent(self, key: str) -> list[float]:
        now = time.monotonic()
        recent = [t for t in self._failures.get(key, []) if now - t < self.window]
        if recent:
            self._failures[key] = recent
        else:
            self._failures.pop(key, None)
        return recent

    @staticmethod
    def _keys(client: str, name: str | None) -> tuple[str, str | None, str | None]:
        # One dict for all: an account named like an address must not share its count.
        # Names are cut (no real one is longer): a form may send megabytes as a name.
        account = name.strip()[:256] if name and name.strip() else None
        if account is None:
            return f"client:{client}", None, None
        return f"client:{client}", f"account:{account}", f"pair:{client}\x00{account}"

    def _delay(self, over: int) -> float:
        return min(self.cap, self.base * 2.0 ** min(over, 64))

    def wait(self, client: str, name: str | None = None) -> float:
        """Seconds `client` must wait before trying to log in to `name` (0: go ahead)."""
        by_client, by_account, by_pair = self._keys(client, name)
        now = time.monotonic()
        waits = [0.0]
        mine = self._recent(by_client)
        if len(mine) >= self.limit:
            waits.append(mine[-1] + self._delay(len(mine) - self.limit) - now)
        if by_account is not None and by_pair is not None:
            theirs = self._recent(by_account)
            pair = self._recent(by_pair)
            if pair and len(theirs) >= self.account_limit:
                waits.append(pair[-1] + self._delay(len(theirs) - self.account_limit) - now)
        return max(waits)

    def blocked(self, client: str, name: str | None = None) -> bool:
        return self.wait(client, name) > 0

    def refusal(self, client: str, name: str | None = None) -> tuple[str, int] | None:
        """(the message, Retry-After seconds) if the attempt must wait, else None."""
        seconds = self.wait(client, name)
        if seconds <= 0:
            return None
        whole = max(1, math.ceil(seconds))
        return self.message.format(seconds=f"{whole} second{'s' if whole != 1 else ''}"), whole

    def failed(self, client: str, name: str | None = None) -> None:
        if len(self._failures) >= self.MAX_KEYS:  # guessing with ever new names must not grow memory
            for key in list(self._failures):
                self._recent(key)
            while len(self._failures) >= self.MAX_KEYS:
                self._failures.pop(next(iter(self._failures)))
        now = time.monotonic()
        for counted in self._keys(client, name):
            if counted is not None:
                self._failures.setdefault(counted, []).append(now)

    def succeeded(self, client: str, name: str | None = None) -> None:
        """Forgets the address's failures. The account's stay until they age out: a
        login by its owner must not reset the count of someone guessing elsewhere."""
        by_client, _, by_pair = self._keys(client, name)
        self._failures.pop(by_client, None)
        if by_pair is not None:
            self._failures.pop(by_pair, None)
