"""The REST API under /api/: everything the pages do, as JSON.

Authentication is the same session cookie as the pages (log in with POST /api/session).
Every unsafe call needs the X-CSRF-Token header (router dependency); review calls need
an analyst, reveals an admin. Errors have one shape: {"error": {"status", "message"}}.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from childwatch import export, review
from childwatch.errors import NotFound
from childwatch.read import queries, reports, watched
from childwatch.read.incident import incident_detail
from childwatch.read.passages import add_passages
from childwatch.review import audit, users
from childwatch.serve import accounts, discussion, review_api, searches
from childwatch.serve.deps import (
    MAX_INT,
    Admin,
    Analyst,
    ClaimId,
    CurrentUser,
    Filters,
    StoreDep,
    actor,
    as_dict,
    begin_session,
    client_address,
    csrf_protect,
    to_filters,
)
from childwatch.serve.pages import export_response
from childwatch.serve.security import csrf_token


class ErrorDetail(BaseModel):
    status: int
    message: str = Field(description="what went wrong and what to do next")


class ErrorOut(BaseModel):
    error: ErrorDetail


# Every refusal has the one error shape (app.py); documented so that clients (and the
# schemathesis test) can rely on it.
ERRORS: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorOut, "description": "refused, nothing changed: 400 bad input, 401 log in first, "
            "403 not allowed (role or CSRF token), 404 not found, 415 login not sent as JSON, "
            "422 invalid parameters (with `problems`), 429 too many failed logins"},
    "5XX": {"model": ErrorOut, "description": "500 a bug; 503 the database is unavailable"},
}  # fmt: skip
router = APIRouter(prefix="/api", dependencies=[Depends(csrf_protect)], responses=ERRORS)


class Login(BaseModel):
    name: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class SessionOut(BaseModel):
    user: dict[str, Any]
    csrf_token: str = Field(description="send it as the X-CSRF-Token header on POST, PATCH and DELETE")


class MeUpdate(BaseModel):
    blur_graphic: bool = Field(description="blur graphic passages until clicked")


class Reason(BaseModel):
    reason: str = Field(description="why; required, kept in the history", max_length=2000)


class Merge(Reason):
    other_id: str = Field(description="the incident merged into this one (it disappears)")


class Split(Reason):
    claim_ids: list[Annotated[int, Field(ge=1, le=MAX_INT)]] = Field(
        description="claims (ids) to move into a new incident", min_length=1
    )


class Correct(Reason):
    field: str = Field(description="a dotted field name, e.g. victims.count (see /api/fields)")
    value: str | int | float | bool | None = Field(description='the new value; null or "" to clear')


class Move(Reason):
    incident_id: str = Field(description="the incident the claim moves to")


def _session_out(request: Request, user: users.User) -> SessionOut:
    return SessionOut(user=user.as_dict(), csrf_token=csrf_token(request.session))


# --- session --------------------------------------------------------------------------------


@router.post("/session", tags=["session"], response_model=SessionOut)
def login(request: Request, body: Login, store: StoreDep) -> SessionOut:
    """Log in; sets the session cookie and returns the CSRF token for later unsafe calls.
    After repeated failures from one address: 429, with Retry-After (seconds)."""
    throttle = request.app.state.throttle
    client = client_address(request)
    refused = throttle.refusal(client, body.name)
    if refused is not None:
        message, seconds = refused
        raise HTTPException(429, message, headers={"Retry-After": str(seconds)})
    user = users.log_in(store, body.name, body.password, via="api", address=client)
    if user is None:
        throttle.failed(client, body.name)
        raise HTTPException(401, "wrong user name or password")
    throttle.succeeded(client, body.name)
    begin_session(request, user)
    return _session_out(request, user)


@router.delete("/session", tags=["session"], status_code=204)
def logout(request: Request, user: CurrentUser, store: StoreDep) -> Response:
    audit.record(store, actor(request, user, "api"), "logout")
    request.session.clear()
    return Response(status_code=204)


@router.get("/me", tags=["session"], response_model=SessionOut)
def me(request: Request, user: CurrentUser) -> SessionOut:
    """Who is logged in, and the CSRF token of this session."""
    return _session_out(request, user)


@router.patch("/me", tags=["session"], response_model=SessionOut)
def update_me(request: Request, body: MeUpdate, user: CurrentUser, store: StoreDep) -> SessionOut:
    users.set_blur_graphic(store, user.id, body.blur_graphic)
    updated = users.get_user(store, user.id) or user
    return _session_out(request, updated)


# --- reading --------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """What `json` cannot write itself: dates and times (ISO), Decimal (PostgreSQL's sums)."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _json(payload: dict[str, Any]) -> Response:
    """The answer written here, in the route's worker thread, with the C encoder: FastAPI
    would otherwise walk it with `jsonable_encoder` in the event loop (tens of ms for a
    page of incidents), holding up every other request of the process meanwhile."""
    body = json.dumps(payload, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_plain)
    return Response(body.encode(), media_type="application/json")


def _as_of() -> str:
    """Now, before the store is read: the answer shows every commit made before it. Kept
    answers are served a little behind the store (serve/cache.py), and say so with it."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@router.get("/facets", tags=["incidents"], response_class=JSONResponse)
def facets(user: CurrentUser, store: StoreDep) -> Response:
    """The values each filter can take, with incident counts; `as_of`: the store as of when
    (a kept answer may be a few seconds behind, see README "Scaling out")."""
    as_of = _as_of()
    return _json({**queries.facets(store), "as_of": as_of})


@router.get("/fields", tags=["review"])
def fields(user: CurrentUser) -> dict[str, Any]:
    """The claim fields an analyst may correct."""
    return {"fields": list(review.CORRECTABLE_FIELDS)}


@router.get("/dashboard", tags=["incidents"], response_class=JSONResponse)
def dashboard(user: CurrentUser, store: StoreDep, raw: Filters) -> Response:
    """Counts by violation, perpetrator, country and month, with report volume beside them;
    `as_of`: the store as of when."""
    as_of = _as_of()
    return _json({**queries.dashboard(store, to_filters(raw)), "as_of": as_of})


@router.get("/incidents", tags=["incidents"], response_class=JSONResponse)
def list_incidents(
    user: CurrentUser,
    store: StoreDep,
    raw: Filters,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=queries.MAX_PER_PAGE)] = 50,
    sort: Annotated[str, Query(description=f"one of {', '.join(queries.SORTS)}")] = "date",
) -> Response:
    """One page of incidents matching the filters; `as_of`: the store as of when."""
    as_of = _as_of()
    result = queries.list_incidents(store, to_filters(raw), page, per_page, sort=sort)
    add_passages(store, result.items, raw.get("q"))  # with q: where each matched, pseudonymised
    return _json({**result.as_dict(), "filters": raw, "as_of": as_of})


def _detail(store: Any, incident_id: str, user: users.User, **kw: Any) -> dict[str, Any]:
    detail = incident_detail(store, incident_id, viewer=user, **kw)
    if detail is None:
        raise NotFound(f"no incident {incident_id!r}")
    result: dict[str, Any] = as_dict(detail)
    return result


@router.get("/incidents/{incident_id}", tags=["incidents"])
def incident(incident_id: str, user: CurrentUser, store: StoreDep) -> dict[str, Any]:
    """One incident: merged view, outlets and original sources, claims with their documents
    and evidence spans, and its review history. Names are pseudonymised."""
    return _detail(store, incident_id, user)


@router.get("/incidents/{incident_id}/history", tags=["review"])
def history(incident_id: str, user: CurrentUser, store: StoreDep) -> dict[str, Any]:
    """The review events of an incident, oldest first, with its comments and assignments
    (what analysts wrote pseudonymised, as on the incident's page)."""
    detail = _detail(store, incident_id, user)
    talk = detail["discussion"]
    return {"incident_id": incident_id, "history": detail["history"], "comments": talk["comments"],
            "assignments": talk["assignments"]}  # fmt: skip


# --- watched sources ------------------------------------------------------------------------


@router.get("/sources", tags=["sources"])
def watched_sources(user: CurrentUser, store: StoreDep) -> dict[str, Any]:
    """Every watched source with its health, active ones first; `state` is healthy,
    failing, waiting (not yet polled) or inactive (no longer in the sources file)."""
    return {"sources": watched.source_rows(store)}


@router.get("/claims/newest", tags=["sources"])
def newest_claims(
    user: CurrentUser,
    store: StoreDep,
    limit: Annotated[int, Query(ge=1, le=watched.MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """The claims stored most recently first, with their documents (titles pseudonymised)
    and incidents."""
    return watched.newest_claims(store, viewer=user, limit=limit, offset=offset)


@router.get("/documents", tags=["sources"])
def documents(
    user: CurrentUser,
    store: StoreDep,
    language: Annotated[str | None, Query(max_length=35, description="an ISO 639 code such as fr, es, ar")] = None,
    limit: Annotated[int, Query(ge=1, le=reports.MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0,
) -> dict[str, Any]:
    """Stored reports, newest published first, each with its language and whether it was
    extracted (reports not in English are stored, not extracted); `language` keeps one
    language; `languages` counts every stored report by language. Titles pseudonymised."""
    return reports.list_reports(store, viewer=user, language=language, limit=limit, offset=offset)


# --- review (analysts) ----------------------------------------------------------------------


def _event(result: Any) -> dict[str, Any]:
    return {"ok": True, "event": as_dict(result)}


@router.post("/incidents/{incident_id}/confirm", tags=["review"])
def confirm(incident_id: str, body: Reason, user: Analyst, store: StoreDep) -> dict[str, Any]:
    """Mark the incident verified."""
    return _event(review.confirm_incident(store, user, incident_id, body.reason))


@router.post("/incidents/{incident_id}/reject", tags=["review"])
def reject(incident_id: str, body: Reason, user: Analyst, store: StoreDep) -> dict[str, Any]:
    """Mark the incident rejected (left out of the dashboard)."""
    return _event(review.reject_incident(store, user, incident_id, body.reason))


@router.post("/incidents/{incident_id}/reopen", tags=["review"])
def reopen(incident_id: str, body: Reason, user: Analyst, store: StoreDep) -> dict[str, Any]:
    """Undo confirm or reject: back to the status resolution gives."""
    return _event(review.reopen_incident(store, user, incident_id, body.reason))


@router.post("/incidents/{incident_id}/merge", tags=["review"])
def merge(incident_id: str, body: Merge, user: Analyst, store: StoreDep) -> dict[str, Any]:
    """Merge `other_id` into this incident."""
    return _event(review.merge_incidents(store, user, incident_id, body.other_id, body.reason))


@router.post("/incidents/{incident_id}/split", tags=["review"])
def split(incident_id: str, body: Split, user: Analyst, store: StoreDep) -> dict[str, Any]:
    """Move the given claims into a new incident; returns its id."""
    new_id = review.split_claims(store, user, incident_id, body.claim_ids, body.reason)
    return {"ok": True, "incident_id": new_id}


@router.post("/claims/{claim_id}/correct", tags=["review"])
def correct(claim_id: ClaimId, body: Correct, user: Analyst, store: StoreDep) -> dict[str, Any]:
    """Correct one field of a claim (kept across re-extraction and re-resolution)."""
    value = "" if body.value is None else str(body.value)
    return _event(review.correct_claim(store, user, claim_id, body.field, value, body.reason))


@router.post("/claims/{claim_id}/reject", tags=["review"])
def reject_claim(claim_id: ClaimId, body: Reason, user: Analyst, store: StoreDep) -> dict[str, Any]:
    """Set a claim aside (not a claim of a violation against children)."""
    return _event(review.reject_claim(store, user, claim_id, body.reason))


@router.post("/claims/{claim_id}/restore", tags=["review"])
def restore_claim(claim_id: ClaimId, body: Reason, user: Analyst, store: StoreDep) -> dict[str, Any]:
    """Undo a claim's rejection."""
    return _event(review.restore_claim(store, user, claim_id, body.reason))


@router.post("/claims/{claim_id}/move", tags=["review"])
def move(claim_id: ClaimId, body: Move, user: Analyst, store: StoreDep) -> dict[str, Any]:
    """Move a claim to another incident."""
    return _event(review.move_claim(store, user, claim_id, body.incident_id, body.reason))


@router.post("/incidents/{incident_id}/reveal", tags=["review"])
def reveal(incident_id: str, body: Reason, user: Admin, store: StoreDep) -> dict[str, Any]:
    """The incident with children's names shown (admins only; recorded with the reason)."""
    return _detail(store, incident_id, user, reveal=True, reason=body.reason)


# --- export ---------------------------------------------------------------------------------


_FORMATS_HELP = f"one of {', '.join(export.INCIDENT_FORMATS)} (hxl: HXL-tagged CSV)"


@router.get("/export", tags=["export"], response_class=Response)
def export_view(
    request: Request,
    user: CurrentUser,
    store: StoreDep,
    raw: Filters,
    format: Annotated[str, Query(description=_FORMATS_HELP)] = "csv",
) -> Response:
    """The incidents matching the filters as a download; names pseudonymised."""
    if format not in export.INCIDENT_FORMATS:
        raise HTTPException(400, f"unknown format {format!r}: choose one of {', '.join(export.INCIDENT_FORMATS)}")
    return export_response(store, raw, format, actor(request, user, "api"))


# Pickers, corrections of several fields, bulk actions and undo (issue 17).
router.include_router(review_api.router)
# Comments, assignment and my queue (issue 17).
router.include_router(discussion.api_router)
# Saved searches (issue 17).
router.include_router(searches.api_router)
# Accounts: removal (admins; the page's other changes are forms) (issue 17).
router.include_router(accounts.api_router)
