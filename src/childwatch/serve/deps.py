"""Request dependencies shared by pages and API: the store, the logged-in user, role
checks, CSRF checks and the incident filters.

The user is read from the database on every request from the id in the session, so a
role change, a disabled or removed account, or a password change elsewhere (a newer
session epoch than the cookie's) takes effect at once. Role checks go through
`users.require`, the domain's own rule, so the web cannot drift from the CLI.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, is_dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Query, Request
from starlette.exceptions import HTTPException as StarletteHTTPException

from childwatch.errors import InputError
from childwatch.read.queries import IncidentFilters
from childwatch.review import users
from childwatch.review.audit import Actor
from childwatch.review.users import User
from childwatch.serve.cache import StoreMemo
from childwatch.serve.security import CSRF_FIELD, CSRF_HEADER, csrf_ok, csrf_token
from childwatch.store import Store
from childwatch.vocab import Via

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# The largest integer the databases store (SQLite INTEGER, PostgreSQL bigint): a larger id
# is refused as input (422, naming the parameter) instead of overflowing in the driver.
MAX_INT = 2**63 - 1


class LoginRequired(Exception):
    """No valid session: pages redirect to /login, the API answers 401."""


def get_store(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def optional_user(request: Request) -> User | None:
    uid = request.session.get("uid")
    if not isinstance(uid, int):
        return None
    store = get_store(request)
    memo: StoreMemo | None = getattr(request.app.state, "memo", None)
    # Kept until the store changes: a role, password or account change is a change.
    if memo is None:
        user = users.get_user(store, uid)
    else:
        user = memo.kept("user", uid, lambda: users.get_user(store, uid), request.scope)
    # Disabled or removed since login, or the password changed (here or in another
    # session, process or before a restart): the cookie is no session any more.
    if user is None or not user.active or request.session.get("epoch") != user.session_epoch:
        request.session.clear()
        return None
    return user


def begin_session(request: Request, user: User) -> str:
    """A fresh session for `user` (a new CSRF token: nothing planted before login
    survives it); returns the token."""
    request.session.clear()
    now = round(time.time(), 1)
    request.session.update({"uid": user.id, "epoch": user.session_epoch, "login": now, "seen": now})
    return csrf_token(request.session)


def client_address(request: Request) -> str:
    """The client's address: the peer's, or a trusted proxy's client (proxy.py)."""
    return request.client.host if request.client else "?"


def actor(request: Request, user: User, via: Via = "web") -> Actor:
    """`user` acting through this request, for the audit log."""
    return Actor(user.id, user.name, via, client_address(request))


def current_user(request: Request) -> User:
    user = optional_user(request)
    if user is None:
        raise LoginRequired()
    return user


def analyst(user: Annotated[User, Depends(current_user)]) -> User:
    users.require(user, "review")  # PermissionDenied -> 403 (app.py)
    return user


def admin(user: Annotated[User, Depends(current_user)]) -> User:
    users.require(user, "admin")
    return user


async def csrf_protect(request: Request) -> None:
    """Every unsafe request must carry the session's CSRF token: the API in the
    X-CSRF-Token header, forms in a hidden field (or the header, for scripts)."""
    if request.method not in UNSAFE:
        return
    if request.method == "POST" and request.url.path == "/api/session":
        # API login has no session (and no token) yet. It only takes application/json,
        # which no cross-site form can send and cross-site fetch cannot without a CORS
        # preflight, which this app never grants.
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            raise HTTPException(status_code=415, detail="send the login as JSON (Content-Type: application/json)")
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and not request.url.path.startswith("/api/"):
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not csrf_ok(request.session, sent):
        raise HTTPException(
            status_code=403,
            detail=f"missing or wrong CSRF token: reload the page and try again (API: send the {CSRF_HEADER} "
            "header with the token from GET /api/me)",
        )


def _has_nul(body: bytes) -> bool:
    """Whether a JSON text holds a NUL in a string (not an escaped backslash before "u0000")."""
    try:
        stack = [json.loads(body)]
    except ValueError:
        return False  # not JSON: the route's own validation says so
    while stack:
        item = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            return True
        if isinstance(item, dict):
            stack += [*item.keys(), *item.values()]
        elif isinstance(item, list):
            stack += item
    return False


async def refuse_nul(request: Request) -> None:
    """No text may hold a NUL character: PostgreSQL cannot store one and SQLite cuts text
    at it (a reason would become empty). Refused for the whole request, naming where."""
    where = None
    if "\x00" in request.url.path:
        where = "the address"
    elif b"%00" in request.scope.get("query_string", b"") or b"\x00" in request.scope.get("query_string", b""):
        where = "the query"
    elif request.method in UNSAFE:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            try:
                items = (await request.form()).multi_items()
            except StarletteHTTPException:  # not a form after all: the route refuses it its own way
                items = []
            if any("\x00" in key or (isinstance(value, str) and "\x00" in value) for key, value in items):
                where = "the form"
        else:
            body = await request.body()
            if b"\x00" in body or (b"\\u0000" in body and _has_nul(body)):
                where = "the body"
    if where is not None:
        raise InputError(where, "contains a NUL character (\\u0000)", "remove it and send the request again")


def filter_params(
    violation: Annotated[str | None, Query(description="violation key, e.g. abduction")] = None,
    perpetrator: Annotated[str | None, Query(description="actor id or name")] = None,
    country: Annotated[str | None, Query(description="ISO 3166 alpha-2, e.g. NG")] = None,
    date_from: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
    date_to: Annotated[str | None, Query(description="YYYY, YYYY-MM or YYYY-MM-DD")] = None,
    status: Annotated[str | None, Query(description="reported, corroborated, verified or rejected")] = None,
    kind: Annotated[str | None, Query(description="incident, aggregate or pattern")] = None,
    q: Annotated[str | None, Query(description="full-text search over evidence and report text")] = None,
    language: Annotated[
        str | None, Query(max_length=35, description="ISO 639 code: incidents reported in that language, e.g. ar")
    ] = None,
) -> dict[str, str]:
    """The filters as given (empty values dropped), for links, forms and `IncidentFilters`."""
    given = {
        "violation": violation,
        "perpetrator": perpetrator,
        "country": country,
        "date_from": date_from,
        "date_to": date_to,
        "status": status,
        "kind": kind,
        "q": q,
        "language": language,
    }
    return {k: v.strip() for k, v in given.items() if v is not None and v.strip()}


def to_filters(raw: dict[str, str]) -> IncidentFilters:
    """IncidentFilters from the raw mapping; bad values raise InputError (-> 400)."""
    try:
        return IncidentFilters.from_mapping(raw)
    except InputError:
        raise
    except (TypeError, ValueError) as exc:  # defensive: report as the user's input, not a crash
        raise InputError("filters", str(exc)) from exc


Filters = Annotated[dict[str, str], Depends(filter_params)]
ClaimId = Annotated[int, Path(ge=1, le=MAX_INT, description="a claim's id")]
CurrentUser = Annotated[User, Depends(current_user)]
Analyst = Annotated[User, Depends(analyst)]
Admin = Annotated[User, Depends(admin)]
StoreDep = Annotated[Store, Depends(get_store)]


def as_dict(value: Any) -> Any:
    """Dataclasses (ReviewEvent, User) -> dicts, recursively; leaves everything else."""
    if is_dataclass(value) and not isinstance(value, type):
        if hasattr(value, "as_dict"):
            return value.as_dict()
        return {k: as_dict(v) for k, v in asdict(value).items()}
    if isinstance(value, dict):
        return {k: as_dict(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [as_dict(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
