"""The admins' accounts page (issue 17): add an account, change a role, disable or enable
it, reset its password, remove it, with the same rules as `childwatch users` (the domain's
`review.users` checks them: password rules, the last active admin stays, a removed
account keeps its row and name but loses its password hash, each change is one audit
event naming the admin and the web or the API as the way).

`page_router` (GET) is included in `pages.router`, `form_router` (POST) in `forms.router`,
which checks the CSRF token first, `api_router` in `api.router` (under /api/); all need
an admin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from childwatch.errors import InputError, NotFound, PermissionDenied, ReviewError
from childwatch.review import users
from childwatch.serve.deps import Admin, StoreDep, actor
from childwatch.serve.templating import flash, render
from childwatch.vocab import ROLES

api_router = APIRouter()
page_router = APIRouter(include_in_schema=False)
form_router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
Name = Annotated[str, Path(max_length=64, description="an account's name")]
HERE = "/admin/accounts"


@page_router.get(HERE, response_class=HTMLResponse)
def accounts_page(request: Request, user: Admin, store: StoreDep) -> Response:
    context = {"user": user, "nav": "accounts", "accounts": users.list_users(store), "roles": ROLES}
    return render(request, "accounts.html", context)


def _done(request: Request, message: str, change: Callable[[], object], anchor: str = "") -> Response:
    """Run an account change; a refusal (password rules, the last admin...) is shown on
    the page and nothing is changed."""
    try:
        change()
    except (InputError, ReviewError, NotFound, PermissionDenied) as exc:
        flash(request, f"Not done: {exc}", "error")
    else:
        flash(request, message)
    return RedirectResponse(HERE + (f"#account-{quote(anchor, safe='')}" if anchor else ""), status_code=303)


@form_router.post(HERE)
def add_account(request: Request, user: Admin, store: StoreDep, name: Text, role: Text, password: Text) -> Response:
    name = name.strip()
    return _done(
        request, f"Account {name} added ({role}). Give them the password by another way than e-mail.",
        lambda: users.add_user(store, name, password, role, by=user, actor=actor(request, user)), name,
    )  # fmt: skip


@form_router.post(HERE + "/{name}/role")
def change_role(request: Request, name: Name, user: Admin, store: StoreDep, role: Text) -> Response:
    return _done(request, f"{name} is now {role}; it applies from their next request.",
                 lambda: users.set_role(store, name, role, by=user, actor=actor(request, user)), name)  # fmt: skip


@form_router.post(HERE + "/{name}/status")
def change_status(request: Request, name: Name, user: Admin, store: StoreDep, action: Text) -> Response:
    changes = {"disable": users.disable_user, "enable": users.enable_user}
    if action not in changes:
        raise HTTPException(400, f"unknown action {action!r}: use disable or enable")
    done = "disabled: their sessions have ended" if action == "disable" else "enabled again"
    change = changes[action]
    return _done(request, f"{name} {done}.", lambda: change(store, name, by=user, actor=actor(request, user)), name)


@form_router.post(HERE + "/{name}/password")
def reset_password(request: Request, name: Name, user: Admin, store: StoreDep, password: Text) -> Response:
    return _done(
        request, f"Password of {name} reset; their sessions have ended.",
        lambda: users.set_password(store, name, password, by=user, actor=actor(request, user)), name,
    )  # fmt: skip


@form_router.post(HERE + "/{name}/remove")
def remove_account(request: Request, name: Name, user: Admin, store: StoreDep, confirm: Text = "") -> Response:
    # Removal cannot be undone, so one click is not enough: the form asks for the name
    # typed again, and a form sent without it (or with another name) changes nothing.
    if confirm.strip() != name:
        flash(request, f"Not done: type {name} in the box to confirm that the account is to be removed.", "error")
        return RedirectResponse(HERE + f"#account-{quote(name, safe='')}", status_code=303)
    return _done(
        request, f"{name} removed: password wiped, sessions ended; the name stays in the history.",
        lambda: users.remove_user(store, name, by=user, actor=actor(request, user)), name,
    )  # fmt: skip


class AccountOut(BaseModel):
    name: str
    role: str
    status: str  # active, disabled or removed


@api_router.delete("/accounts/{name}", tags=["accounts"], response_model=AccountOut)
def remove_account_api(request: Request, name: Name, user: Admin, store: StoreDep) -> AccountOut:
    """Remove an account for good (admins), as `childwatch users remove NAME`: its password
    hash is wiped and its sessions end; the row and the name stay in the history. The last
    active admin cannot be removed (400)."""
    done = users.remove_user(store, name, by=user, actor=actor(request, user, "api"))
    return AccountOut(name=done.name, role=done.role, status=done.status)
