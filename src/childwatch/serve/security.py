"""Sessions, CSRF tokens and security headers: the parts of the web edge that protect
the people in the data and the analysts using it.

Sessions live in a signed, timestamped cookie (itsdangerous): it holds only the user id,
the CSRF token and short-lived admin reveal grants, never a name or a role, so that a
changed role or a removed user takes effect on the next request (`deps.current_user`
re-reads the user). The cookie is HttpOnly, SameSite=Lax, and Secure when the request
came over https (uvicorn sets the scheme from trusted proxy headers) or when the app is
configured with `secure_cookies=True`.

CSRF uses the synchronizer-token pattern: one random token per session, sent back in a
hidden form field (`csrf_token`) or, for the API, in the `X-CSRF-Token` header, and
compared in constant time. SameSite=Lax alone would leave same-site subdomains and old
browsers open.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "childwatch_session"
MAX_AGE = 12 * 3600  # one working day; then log in again
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

# No inline script or style anywhere: everything comes from /static. data: images only
# for Swagger UI's icons (see DOCS_CSP).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# Swagger UI sets inline styles on its elements; it still runs no inline script.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


class SessionMiddleware:
    """Puts the decoded session dict in ``scope["session"]`` (so `request.session`
    works) and writes the cookie back only when the session changed.

    A signed cookie stays valid until it expires, wherever a copy of it is: so a session
    ended here (logout, or a new login replacing it) is remembered by its CSRF token, and
    a copy of its cookie is no session from then on. In memory, per process, as long as
    such a cookie could live (one server, like the login throttle)."""

    MAX_ENDED = 100_000  # remembered at most; the oldest are forgotten first

    def __init__(self, app: ASGIApp, *, secret_key: str, secure: bool | None = None) -> None:
        self.app = app
        self.serializer = URLSafeTimedSerializer(secret_key, salt="childwatch-session")
        self.secure = secure
        self._ended: dict[str, float] = {}  # CSRF token of an ended session -> when its cookie expires

    def _end(self, token: str) -> None:
        now = time.monotonic()
        if len(self._ended) >= self.MAX_ENDED:
            self._ended = {t: until for t, until in self._ended.items() if until > now}
            while len(self._ended) >= self.MAX_ENDED:
                self._ended.pop(next(iter(self._ended)))
        self._ended[token] = now + MAX_AGE

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
        token = session.get("csrf")
        if isinstance(token, str) and token in self._ended:  # a copy of a cookie whose session ended
            session, token = {}, None
        scope["session"] = session
        before = json.dumps(session, sort_keys=True)  # a snapshot: nested lists may change in place
        secure = self.secure if self.secure is not None else scope.get("scheme") == "https"

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                current = scope["session"]
                if isinstance(token, str) and current.get("csrf") != token:
                    self._end(token)  # logged out, or replaced by a new login
                if json.dumps(current, sort_keys=True) != before or (raw and not current):
                    headers = MutableHeaders(scope=message)
                    headers.append("Set-Cookie", self._cookie(current, secure))
            await send(message)

        await self.app(scope, receive, send_wrapper)

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
    """Slows password guessing two ways, within `window` seconds: after `limit` failed
    logins from one address, that address must wait; after `account_limit` failed logins
    to one account name, from any number of addresses, that account must wait too, so
    that guessing spread over many addresses is slowed as well. The price of the second
    is that a stranger can keep one account waiting, a window at a time: hence its higher
    limit. Even the right password waits. In memory, per process (one server)."""

    message = "Too many failed logins from this computer or for this account; wait a few minutes and try again."
    MAX_KEYS = 10_000  # addresses and names remembered; older entries are dropped first when over

    def __init__(self, limit: int = 10, window: float = 600.0, account_limit: int = 30) -> None:
        self.limit = limit
        self.window = window
        self.account_limit = account_limit
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
    def _keys(client: str, name: str | None) -> tuple[str, str | None]:
        # One dict for both: an account named like an address must not share its count.
        return f"client:{client}", (f"account:{name.strip()}" if name and name.strip() else None)

    def blocked(self, client: str, name: str | None = None) -> bool:
        by_client, by_account = self._keys(client, name)
        if len(self._recent(by_client)) >= self.limit:
            return True
        return by_account is not None and len(self._recent(by_account)) >= self.account_limit

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
        self._failures.pop(self._keys(client, name)[0], None)


def new_secret_key() -> str:
    return secrets.token_urlsafe(48)
