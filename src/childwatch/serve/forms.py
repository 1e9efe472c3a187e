"""Form posts from the pages: login and logout, settings, review actions and reveal.

Every route here is unsafe (POST), so the router checks the CSRF token first; review
routes then need an analyst (`deps.Analyst`), and the domain checks the role again.
After an action the browser is redirected (303) to the incident page, where a one-time
message says what happened; a refused action (no reason, bad value) is explained there
and nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from childwatch import review
from childwatch.errors import InputError, NotFound, ReviewError
from childwatch.read.incident import incident_detail
from childwatch.review import audit, users
from childwatch.serve import accounts, discussion, review_forms, searches
from childwatch.serve.deps import (
    Admin,
    Analyst,
    ClaimId,
    CurrentUser,
    StoreDep,
    actor,
    begin_session,
    client_address,
    csrf_protect,
    optional_user,
)
from childwatch.serve.pages import incident_context, safe_next
from childwatch.serve.templating import flash, render

router = APIRouter(include_in_schema=False, dependencies=[Depends(csrf_protect)])
Text = Annotated[str, Form()]
Reason = Annotated[str, Form(description="why (required; kept in the history)")]


def _back(incident_id: str) -> RedirectResponse:
    return RedirectResponse(f"/incidents/{quote(incident_id, safe='')}", status_code=303)


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, store: StoreDep, name: Text, password: Text, next: Text = "/") -> Response:
    throttle = request.app.state.throttle
    client = client_address(request)
    refused = throttle.refusal(client, name)
    if refused is not None:
        message, seconds = refused
        context = {"next": safe_next(next), "name": name, "error": message}
        response = render(request, "login.html", context, status_code=429)
        response.headers["Retry-After"] = str(seconds)
        return response
    user = users.log_in(store, name, password, via="web", address=client)
    if user is None:
        throttle.failed(client, name)
        context = {"next": safe_next(next), "name": name, "error": "Wrong user name or password."}
        return render(request, "login.html", context, status_code=401)
    throttle.succeeded(client, name)
    begin_session(request, user)  # a fresh session (and CSRF token) at each login
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, store: StoreDep) -> Response:
    user = optional_user(request)
    if user is not None:
        audit.record(store, actor(request, user), "logout")
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/settings")
def save_settings(request: Request, user: CurrentUser, store: StoreDep, blur_graphic: Text = "") -> Response:
    users.set_blur_graphic(store, user.id, blur_graphic == "on")
    flash(request, "Graphic passages will be blurred." if blur_graphic == "on" else "Graphic passages will be shown.")
    return RedirectResponse("/settings", status_code=303)


@router.post("/settings/password")
def change_password(request: Request, user: CurrentUser, store: StoreDep, current: Text, new: Text) -> Response:
    # The current password guards the change against a session left open; its failures
    # count in the login throttle, or this form would be a way around it.
    throttle = request.app.state.throttle
    client = client_address(request)
    refused = throttle.refusal(client, user.name)
    if refused is not None:
        flash(request, f"Password not changed: {refused[0]}", "error")
        return RedirectResponse("/settings", status_code=303)
    if users.authenticate(store, user.name, current) is None:
        throttle.failed(client, user.name)
        flash(request, "The current password is wrong; nothing was changed.", "error")
        return RedirectResponse("/settings", status_code=303)
    try:
        changed = users.set_password(store, user.name, new, by=user, actor=actor(request, user))
    except InputError as exc:
        flash(request, f"Password not changed: {exc}", "error")
    else:
        # This session goes on under the new epoch; every other session of the user ends.
        request.session["epoch"] = changed.session_epoch
        flash(request, "Password changed. Your other sessions have ended.")
    return RedirectResponse("/settings", status_code=303)


def _done(request: Request, incident_id: str, message: str, action: Callable[[], object]) -> Response:
    """Run a review action; a refusal becomes a message on the incident page. An action
    that returns an incident id (split) leads to that incident."""
    try:
        result = action()
    except (ReviewError, InputError) as exc:  # NotFound included: say so on the page
        flash(request, f"Not done: {exc}", "error")
        return _back(incident_id)
    flash(request, message)
    return _back(result if isinstance(result, str) and result else incident_id)


@router.post("/incidents/{incident_id}/status")
def set_status(
    request: Request, incident_id: str, user: Analyst, store: StoreDep, action: Text, reason: Reason = ""
) -> Response:
    actions = {
        "confirm": (review.confirm_incident, "Incident confirmed (verified)."),
        "reject": (review.reject_incident, "Incident rejected."),
        "reopen": (review.reopen_incident, "Incident reopened."),
    }
    if action not in actions:
        raise HTTPException(400, f"unknown action {action!r}: use confirm, reject or reopen")
    func, message = actions[action]
    return _done(request, incident_id, message, lambda: func(store, user, incident_id, reason))


@router.post("/incidents/{incident_id}/merge")
def merge(
    request: Request, incident_id: str, user: Analyst, store: StoreDep, other_id: Text, reason: Reason = ""
) -> Response:
    other = other_id.strip()
    return _done(
        request, incident_id, f"Incident {other} merged into this one.",
        lambda: review.merge_incidents(store, user, incident_id, other, reason),
    )  # fmt: skip


@router.post("/incidents/{incident_id}/split")
def split(
    request: Request,
    incident_id: str,
    user: Analyst,
    store: StoreDep,
    claim_ids: Annotated[list[int] | None, Form()] = None,
    reason: Reason = "",
) -> Response:
    if not claim_ids:
        flash(request, "Not done: tick the claims to split off into a new incident.", "error")
        return _back(incident_id)
    return _done(
        request, incident_id, f"{len(claim_ids)} claim(s) split off into a new incident (shown here).",
        lambda: review.split_claims(store, user, incident_id, claim_ids, reason),
    )  # fmt: skip


@router.post("/claims/{claim_id}/correct")
def correct(
    request: Request, claim_id: ClaimId, user: Analyst, store: StoreDep, field: Text, back: Text,
    value: Text = "", reason: Reason = "",
) -> Response:  # fmt: skip
    return _done(
        request, back, f"Claim {claim_id}: {field} corrected.",
        lambda: review.correct_claim(store, user, claim_id, field, value, reason),
    )  # fmt: skip


@router.post("/claims/{claim_id}/status")
def claim_status(
    request: Request, claim_id: ClaimId, user: Analyst, store: StoreDep, action: Text, back: Text, reason: Reason = ""
) -> Response:
    if action == "confirm":
        return _done(request, back, f"Claim {claim_id} confirmed.",
                     lambda: review.confirm_claim(store, user, claim_id, reason))  # fmt: skip
    if action == "reject":
        return _done(request, back, f"Claim {claim_id} rejected.",
                     lambda: review.reject_claim(store, user, claim_id, reason))  # fmt: skip
    if action == "restore":
        return _done(request, back, f"Claim {claim_id} restored.",
                     lambda: review.restore_claim(store, user, claim_id, reason))  # fmt: skip
    raise HTTPException(400, f"unknown action {action!r}: use confirm, reject or restore")


@router.post("/claims/{claim_id}/move")
def move(
    request: Request, claim_id: ClaimId, user: Analyst, store: StoreDep, incident_id: Text, back: Text,
    reason: Reason = "",
) -> Response:  # fmt: skip
    target = incident_id.strip()
    return _done(request, back, f"Claim {claim_id} moved to incident {target}.",
                 lambda: review.move_claim(store, user, claim_id, target, reason))  # fmt: skip


@router.post("/incidents/{incident_id}/reveal", response_class=HTMLResponse)
def reveal(request: Request, incident_id: str, user: Admin, store: StoreDep, reason: Reason = "") -> Response:
    """The incident with names shown, for this one response only (the page is not cached);
    the domain records the reveal with its reason."""
    try:
        detail = incident_detail(store, incident_id, viewer=user, reveal=True, reason=reason)
    except ReviewError as exc:
        flash(request, f"Not revealed: {exc}", "error")
        return _back(incident_id)
    if detail is None:
        raise NotFound(f"no incident {incident_id!r}")
    context = {"user": user, "nav": "incidents", "revealed": True, **incident_context(detail, user)}
    return render(request, "incident.html", context)


# The correction form with choice lists and place picker, bulk actions, undo (issue 17).
router.include_router(review_forms.router)
router.include_router(accounts.form_router)
router.include_router(discussion.form_router)
router.include_router(searches.form_router)
