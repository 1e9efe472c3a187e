"""The FastAPI application: pages, the REST API under /api/, static files and offline
API docs, with one translation of domain errors into HTTP.

    from childwatch.serve import create_app
    app = create_app("reports.sqlite")          # or a Store, or a database URL

Errors: the API answers ``{"error": {"status": 403, "message": "..."}}``; pages show
the same message in the page layout. PermissionDenied is 403, NotFound 404, other
ReviewError and InputError 400 (nothing was recorded), StoreError 503; a number too large
for the database 400; a bug 500, in the same shape and with the same security headers.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from childwatch.errors import ChildwatchError, InputError, NotFound, PermissionDenied, ReviewError, StoreError
from childwatch.serve import api, forms, pages
from childwatch.serve.cache import ReadCache, StoreMemo, TokenFirst
from childwatch.serve.deps import MAX_INT, LoginRequired, optional_user, refuse_nul
from childwatch.serve.indexing import SearchIndexer
from childwatch.serve.proxy import TrustedProxyMiddleware, parse_networks
from childwatch.serve.security import (
    IDLE_TIMEOUT,
    EndedInStore,
    LoginThrottle,
    SecurityHeadersMiddleware,
    SessionMiddleware,
    security_headers,
)
from childwatch.serve.shared import SharedAnswers
from childwatch.serve.templating import render, url_with
from childwatch.store import Store, open_store
from childwatch.store.generation import Generation
from childwatch.store.review import server_secret
from childwatch.version import __version__

STATIC = Path(__file__).with_name("static")
SECRET_ENV = "CHILDWATCH_SECRET_KEY"
SECURE_ENV = "CHILDWATCH_SECURE_COOKIES"

DESCRIPTION = """Incidents of grave violations against children, resolved from reports.

Log in with `POST /api/session` (JSON `{"name", "password"}`); the session cookie it sets
authenticates later calls. Every POST, PATCH and DELETE must also send the header
`X-CSRF-Token` with the `csrf_token` that login and `GET /api/me` return. Viewers may
read; analysts may also review; admins may also reveal protected details.
"""


def _status(exc: ChildwatchError) -> int:
    if isinstance(exc, PermissionDenied):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, ReviewError | InputError):
        return 400
    if isinstance(exc, StoreError):
        return 503
    return 400


def _error(request: Request, status: int, message: str, extra: dict[str, Any] | None = None) -> Response:
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        body: dict[str, Any] = {"error": {"status": status, "message": message, **(extra or {})}}
        return JSONResponse(body, status_code=status)
    user = optional_user(request)
    return render(request, "error.html", {"user": user, "status": status, "message": message}, status_code=status)


def create_app(
    db: str | Path | Store,
    *,
    secret_key: str | None = None,
    secure_cookies: bool | None = None,
    trusted_proxies: Sequence[str] = (),
    idle_timeout: float = IDLE_TIMEOUT,
    shared_answers: str | Path | None = None,
) -> FastAPI:
    """The web app over one store (opened here from a path or URL unless given).

    `secret_key` signs session cookies; without it, ``$CHILDWATCH_SECRET_KEY``, else the
    key kept in the store (made on first use), which every worker process and every
    restart shares. `secure_cookies` forces
    the cookie's Secure flag on or off (``$CHILDWATCH_SECURE_COOKIES=1`` forces it on);
    by default it is set on requests that came over https. `trusted_proxies` (addresses
    or CIDR ranges) are the only peers whose Forwarded / X-Forwarded-For /
    X-Forwarded-Proto headers are believed. A session ends after `idle_timeout` seconds
    without a request. `shared_answers`: the folder in which the worker processes of one
    server share the answers they computed (see shared.py).
    """
    networks = parse_networks(trusted_proxies)  # a bad address is refused before the store is opened
    if idle_timeout <= 0:
        raise InputError("idle timeout", f"must be more than 0 seconds, not {idle_timeout}")
    store = db if isinstance(db, Store) else open_store(db)
    key = secret_key or os.environ.get(SECRET_ENV) or server_secret(store)
    if secure_cookies is None and os.environ.get(SECURE_ENV, "").lower() in ("1", "true", "yes"):
        secure_cookies = True

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        indexer.start()
        yield
        indexer.stop()
        memo.close()
        if not isinstance(db, Store):  # a store passed in belongs to the caller
            store.close()

    app = FastAPI(
        lifespan=lifespan,
        title="childwatch",
        version=__version__,
        description=DESCRIPTION,
        dependencies=[Depends(refuse_nul)],
        docs_url=None,  # FastAPI's default /docs loads Swagger UI from a CDN; ours is local
        redoc_url=None,
        openapi_tags=[
            {"name": "session", "description": "log in and out, the current user"},
            {"name": "incidents", "description": "lists, details, dashboard counts"},
            {"name": "review", "description": "analysts' actions (append-only review events)"},
            {"name": "export", "description": "the filtered view as CSV, JSON, GeoJSON, HXL or claims JSONL"},
        ],
    )
    # What was computed from the store, kept until it changes (cache.py).
    memo = StoreMemo(Generation(store))
    indexer = SearchIndexer(store, memo.generation)  # new reports into the search index (indexing.py)
    app.state.store = store
    app.state.memo = memo
    app.state.throttle = LoginThrottle()
    # Added innermost first: headers on every response, including errors and static files.
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    shared = SharedAnswers(shared_answers) if shared_answers else None
    app.add_middleware(ReadCache, memo=memo, user=optional_user, shared=shared)  # keeps compressed answers
    ended = EndedInStore(store, memo)
    app.add_middleware(
        SessionMiddleware,
        secret_key=key,
        secure=secure_cookies,
        idle_timeout=idle_timeout,
        ended=ended,
    )
    app.add_middleware(TokenFirst, memo=memo, warm=ended.warm)  # the store's token, off the event loop
    app.add_middleware(SecurityHeadersMiddleware)
    # Outermost: the client address and scheme every other part sees (throttle, cookies, audit).
    app.add_middleware(TrustedProxyMiddleware, trusted=networks)

    # Swagger UI's files from the fastapi-offline package (a registry package, on disk);
    # mounted before /static, which would otherwise take its paths.
    app.mount("/static/swagger", StaticFiles(directory=str(files("fastapi_offline") / "static")), name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(forms.router)

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired) -> Response:
        if request.url.path.startswith("/api/"):
            return _error(request, 401, "log in first: POST /api/session with your name and password")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(url_with("/login", next=target), status_code=303)

    @app.exception_handler(ChildwatchError)
    async def _domain_error(request: Request, exc: ChildwatchError) -> Response:
        return _error(request, _status(exc), str(exc))

    # Starlette's class, not FastAPI's subclass: routing and body parsing raise it too
    # (405, "error parsing the body"), and they must answer in the one error shape.
    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        response = _error(request, exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})  # e.g. Allow, on a 405
        return response

    @app.exception_handler(404)
    async def _not_found(request: Request, exc: Exception) -> Response:
        return _error(request, 404, "no such page")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")} for e in exc.errors()
        ]
        text = "; ".join(f"{p['where']}: {p['problem']}" for p in problems)
        return _error(request, 422, f"invalid request: {text}", {"problems": problems})

    @app.exception_handler(OverflowError)
    async def _too_large(request: Request, exc: OverflowError) -> Response:
        # A number beyond what the database stores (an id, a page) reached the driver.
        return _error(request, 400, f"a number in the request is too large: at most {MAX_INT}")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # A bug, not the user's input. Starlette sends this response outside every
        # middleware (then re-raises, so the server logs the traceback): the security
        # headers are set here, and the page does not touch the store, which may be
        # what failed.
        message = "internal error: the request failed; try again, and report it if it persists"
        response: Response = JSONResponse({"error": {"status": 500, "message": message}}, status_code=500)
        if not (request.url.path.startswith("/api/") or request.url.path == "/openapi.json"):
            with suppress(Exception):  # if the page fails too (no session?), the JSON answer stays
                response = render(request, "error.html", {"user": None, "status": 500, "message": message}, 500)
        response.headers.update(security_headers(request.url.path))
        return response

    return app
