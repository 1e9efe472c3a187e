"""Saved searches (issue 17): the REST routes (`api_router`, included in `api.router`
under /api/), the "Saved searches" page (`page_router`, in `pages.router`) and its forms
(`form_router`, in `forms.router`, which checks the CSRF token first).

Every role saves, lists and deletes its own searches (`read.saved_searches`); a search is the
incident list's query string, so its link is how it is shared.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from childwatch.errors import InputError, NotFound
from childwatch.read import saved_searches as searches
from childwatch.serve.deps import MAX_INT, CurrentUser, StoreDep
from childwatch.serve.templating import flash, render

api_router = APIRouter()
page_router = APIRouter(include_in_schema=False)
form_router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
SearchId = Annotated[int, Path(ge=1, le=MAX_INT, description="a saved search's id")]


class NewSearch(BaseModel):
    name: str = Field(max_length=searches.MAX_NAME, description="what to call it; saving again under it replaces it")
    query: str = Field(
        max_length=searches.MAX_QUERY, description="the incident list's filters as a query string, e.g. q=school"
    )


def query_of(query: str) -> str | None:
    """The list's current search, as it would be saved (None: no filter to save)."""
    try:
        normal = searches.normalise(query)
    except InputError:
        return None
    return normal or None


@api_router.get("/searches", tags=["searches"])
def list_searches(user: CurrentUser, store: StoreDep) -> dict[str, Any]:
    """My saved searches, by name, each with its link (`/incidents?...`)."""
    return {"items": [s.as_dict() for s in searches.list_saved(store, user)]}


@api_router.post("/searches", tags=["searches"])
def save_search(body: NewSearch, user: CurrentUser, store: StoreDep) -> dict[str, Any]:
    """Save a search under a name (any role; only I see my list)."""
    return {"ok": True, "search": searches.save(store, user, body.name, body.query).as_dict()}


@api_router.delete("/searches/{search_id}", tags=["searches"])
def delete_search(search_id: SearchId, user: CurrentUser, store: StoreDep) -> dict[str, Any]:
    """Delete one of my saved searches (404 for anyone else's)."""
    return {"ok": True, "deleted": searches.delete(store, user, search_id).as_dict()}


@page_router.get("/searches", response_class=HTMLResponse)
def searches_page(request: Request, user: CurrentUser, store: StoreDep) -> Response:
    context = {"user": user, "nav": "searches", "items": searches.list_saved(store, user)}
    return render(request, "searches.html", context)


@form_router.post("/searches")
def save_form(request: Request, user: CurrentUser, store: StoreDep, name: Text = "", query: Text = "") -> Response:
    try:
        saved = searches.save(store, user, name, query)
    except InputError as exc:
        flash(request, f"Not done: {exc}", "error")
        try:
            back = f"/incidents?{searches.normalise(query)}"
        except InputError:
            back = "/incidents"
        return RedirectResponse(back, status_code=303)
    flash(request, f"Saved as “{saved.name}”. Its link shares it: {saved.link}")
    return RedirectResponse(saved.link, status_code=303)


@form_router.post("/searches/{search_id}/delete")
def delete_form(request: Request, search_id: SearchId, user: CurrentUser, store: StoreDep) -> Response:
    try:
        gone = searches.delete(store, user, search_id)
    except NotFound as exc:
        flash(request, f"Not done: {exc}", "error")
    else:
        flash(request, f"Deleted “{gone.name}”.")
    return RedirectResponse("/searches", status_code=303)
