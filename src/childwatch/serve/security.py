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
    works) and writes the cookie back only when the session changed."""

    def __init__(self, app: ASGIApp, *, secret_key: str, secure: bool | None = None) -> None:
        self.app = app
        self.serializer = URLSafeTimedSerializer(secret_key, salt="childwatch-session")
        self.secure = secure

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
        scope["session"] = session
        before = json.dumps(session, sort_keys=True)  # a snapshot: nested lists may change in place
        secure = self.secure if self.secure is not None else scope.get("scheme") == "https"

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                current = scope["session"]
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
                headers["Content-Security-Policy"] = DOCS_CSP if path == "/docs" else CSP
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "same-origin"
                headers["Cross-Origin-Opener-Policy"] = "same-origin"
                if not path.startswith("/static/"):
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_wrapper)


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
    """Slows password guessing: after `limit` failed logins from one address within
    `window` seconds, that address must wait. In memory, per process (one server)."""

    message = "Too many failed logins from this computer; wait a few minutes and try again."

    def __init__(self, limit: int = 10, window: float = 600.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, list[float]] = {}

    def _recent(self, client: str) -> list[float]:
        now = time.monotonic()
        recent = [t for t in self._failures.get(client, []) if now - t < self.window]
        if recent:
            self._failures[client] = recent
        else:
            self._failures.pop(client, None)
        return recent

    def blocked(self, client: str) -> bool:
        return len(self._recent(client)) >= self.limit

    def failed(self, client: str) -> None:
        self._failures.setdefault(client, []).append(time.monotonic())

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)


def new_secret_key() -> str:
    return secrets.token_urlsafe(48)
