"""Comments and assignment on incidents, and "my queue" (issue 17): the REST routes
(`api_router`, included in `api.router` under /api/), the queue page (`page_router`, in
`pages.router`) and the incident page's forms (`form_router`, in `forms.router`, which
checks the CSRF token first).

Everyone who reads sees the comments (pseudonymised); analysts and admins write them,
assign incidents and have a queue. The domain (`review.discussion`) checks the roles too.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from childwatch.errors import InputError, ReviewError
from childwatch.read import discussion as shown
from childwatch.review import discussion
from childwatch.serve.deps import Analyst, CurrentUser, StoreDep
from childwatch.serve.templating import flash, render

api_router = APIRouter()
page_router = APIRouter(include_in_schema=False)
form_router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


class NewComment(BaseModel):
    text: str = Field(description="the comment; shown to every reader, children's names pseudonymised",
                      max_length=discussion.MAX_COMMENT)  # fmt: skip


class Assign(BaseModel):
    assignee: str | None = Field(None, max_length=64, description="a user's name (an analyst or admin); none: unassign")
    note: str | None = Field(None, max_length=discussion.MAX_NOTE, description="why (optional; kept)")


def _thread(store: Any, incident_id: str) -> dict[str, Any]:
    return shown.thread(store, incident_id)


@api_router.get("/queue", tags=["review"])
def queue(user: CurrentUser, store: StoreDep) -> dict[str, Any]:
    """The incidents assigned to me (a viewer has none): not yet confirmed or set aside
    first, newest first."""
    return {"user": user.name, "items": shown.my_queue(store, user)}


@api_router.post("/incidents/{incident_id}/comments", tags=["review"])
def add_comment(incident_id: str, body: NewComment, user: Analyst, store: StoreDep) -> dict[str, Any]:
    """Add a comment to the incident; returns the incident's comments and assignment as
    people see them."""
    discussion.comment(store, user, incident_id, body.text)
    return {"ok": True, **_thread(store, incident_id)}


@api_router.post("/incidents/{incident_id}/assign", tags=["review"])
def assign(incident_id: str, body: Assign, user: Analyst, store: StoreDep) -> dict[str, Any]:
    """Give the incident to an analyst or admin (`assignee`), or to nobody."""
    discussion.assign(store, user, incident_id, body.assignee, body.note)
    return {"ok": True, **_thread(store, incident_id)}


@page_router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, user: CurrentUser, store: StoreDep) -> Response:
    return render(request, "queue.html", {"user": user, "nav": "queue", "items": shown.my_queue(store, user)})


def _back(incident_id: str) -> RedirectResponse:
    return RedirectResponse(f"/incidents/{quote(incident_id, safe='')}#discussion", status_code=303)


@form_router.post("/incidents/{incident_id}/comments")
def comment_form(request: Request, incident_id: str, user: Analyst, store: StoreDep, text: Text = "") -> Response:
    try:
        discussion.comment(store, user, incident_id, text)
    except (ReviewError, InputError) as exc:
        flash(request, f"Not done: {exc}", "error")
    else:
        flash(request, "Comment added.")
    return _back(incident_id)


@form_router.post("/incidents/{incident_id}/assign")
def assign_form(
    request: Request, incident_id: str, user: Analyst, store: StoreDep, assignee: Text = "", note: Text = ""
) -> Response:
    name = user.name if assignee == "@me" else assignee
    try:
        done = discussion.assign(store, user, incident_id, name, note)
    except (ReviewError, InputError) as exc:
        flash(request, f"Not done: {exc}", "error")
    else:
        flash(request, f"Assigned to {done.assignee}." if done.assignee else "Assigned to nobody.")
    return _back(incident_id)
