"""The REST API of fast review (issue 17), included in `api.router` under /api/: the
pickers' look-ups (places in the offline gazetteer, incidents for merge and move),
several fields of a claim corrected at once, and bulk status actions with undo.

Same rules as the rest of the API: a session, the X-CSRF-Token header on writes, an
analyst for review; every write is one review event per claim field or per incident.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from childwatch import review
from childwatch.read import picking
from childwatch.review import bulk
from childwatch.review.corrections import gazetteer
from childwatch.serve.deps import Analyst, ClaimId, CurrentUser, StoreDep, as_dict

router = APIRouter()
Text = Annotated[str, Query(max_length=200, description="what was typed so far")]
Limit = Annotated[int, Query(ge=1, le=picking.MAX_PICKS)]


class Reason(BaseModel):
    reason: str = Field(description="why; required, kept in the history", max_length=2000)


class Fields(Reason):
    changes: dict[Annotated[str, Field(max_length=40)], str | int | float | bool | None] = Field(
        description='{field: new value} (see /api/fields; "location" takes a place id from /api/places); '
        "fields given their current value are left alone",
        min_length=1,
        max_length=30,
    )


class Bulk(Reason):
    incident_ids: list[Annotated[str, Field(max_length=64)]] = Field(min_length=1, max_length=bulk.MAX_BULK)
    action: str = Field(description=f"one of {', '.join(bulk.STATUS_ACTIONS)} (reject: set aside)")


@router.get("/places", tags=["review"])
def places(
    user: CurrentUser, q: Text = "", limit: Limit = 10,
    country: Annotated[str | None, Query(max_length=2, description="ISO alpha-2: its places first")] = None,
) -> dict[str, Any]:  # fmt: skip
    """Places of the offline gazetteer whose name starts with `q` (two letters or more),
    with province and country: a place's `id` is the value of a `location` correction."""
    return {"places": picking.places(gazetteer(), q, limit, country=country)}


@router.get("/pick/incidents", tags=["review"])
def pick_incidents(
    user: CurrentUser, store: StoreDep, q: Text = "",
    exclude: Annotated[str | None, Query(max_length=64, description="an incident left out (the one open)")] = None,
    violation: Annotated[str | None, Query(max_length=40, description="only incidents of this violation")] = None,
    limit: Limit = 10,
) -> dict[str, Any]:  # fmt: skip
    """Incidents matching every word of `q` in their id, place, country, perpetrator or
    dates, most reported first (for merge and move)."""
    return {"incidents": picking.incidents(store, q, exclude=exclude, violation=violation, limit=limit)}


@router.post("/claims/{claim_id}/fields", tags=["review"])
def correct_fields(claim_id: ClaimId, body: Fields, user: Analyst, store: StoreDep) -> dict[str, Any]:
    """Correct several fields of a claim with one reason, all or nothing: one event per
    field that changes."""
    changes = {k: "" if v is None else str(v) for k, v in body.changes.items()}
    events = bulk.correct_fields(store, user, claim_id, changes, body.reason)
    return {"ok": True, "events": as_dict(events)}


@router.post("/claims/{claim_id}/confirm", tags=["review"])
def confirm_claim(claim_id: ClaimId, body: Reason, user: Analyst, store: StoreDep) -> dict[str, Any]:
    """Mark one claim checked (the report says what it says); changes no incident."""
    return {"ok": True, "event": as_dict(review.confirm_claim(store, user, claim_id, body.reason))}


@router.post("/bulk", tags=["review"])
def bulk_status(body: Bulk, user: Analyst, store: StoreDep) -> dict[str, Any]:
    """Confirm, set aside (reject) or reopen many incidents: one review event each, one
    batch id for all, which `POST /api/bulk/undo` takes back."""
    return {"ok": True, **bulk.set_status(store, user, body.incident_ids, body.action, body.reason).as_dict()}


class Undo(Reason):
    batch: str | None = Field(None, max_length=40, description="a bulk action's batch id; none: your last one")


@router.post("/bulk/undo", tags=["review"])
def bulk_undo(body: Undo, user: Analyst, store: StoreDep) -> dict[str, Any]:
    """Put every incident of a bulk action (by default your last one not undone yet)
    back to the status it had before."""
    return {"ok": True, **bulk.undo(store, user, body.batch, body.reason).as_dict()}
