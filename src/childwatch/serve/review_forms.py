"""Form posts of fast review (issue 17), included in `forms.router` (CSRF token first,
then an analyst): a claim's correction form with its choice lists and place picker, and
bulk actions on the incident list with their undo.

The correction form shows every common field filled with the claim's current value
(and sends it back as `was.FIELD`); only the fields changed in the form are recorded (one
event each, one reason for all).
The place picker fills a hidden gazetteer id; without script, a place typed by name is
looked up in the gazetteer and the best match is taken (and named in the message).
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from childwatch.errors import InputError, ReviewError
from childwatch.review import bulk
from childwatch.review.corrections import gazetteer
from childwatch.serve.deps import Analyst, ClaimId, StoreDep
from childwatch.serve.pages import safe_next
from childwatch.serve.templating import flash

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]
# The fields of the correction form, in its order (the place is handled apart).
QUICK_FIELDS = (
    "violation", "kind", "perpetrator", "victims.count", "victims.sex", "date.start", "date.end", "date.precision",
)  # fmt: skip


def _to_claim(back: str, claim_id: int) -> RedirectResponse:
    target = f"/incidents/{quote(back, safe='')}" if back else "/incidents"
    return RedirectResponse(f"{target}#claim-{claim_id}", status_code=303)


def _place_change(form: Any) -> tuple[dict[str, str], str | None]:
    """The `location` change the form asks for, and a note on a place looked up by name."""
    picked, was = str(form.get("location", "")).strip(), str(form.get("location_was", "")).strip()
    typed, typed_was = str(form.get("place", "")).strip(), str(form.get("place_was", "")).strip()
    if picked != was and picked:
        return {"location": picked}, None
    if typed == typed_was:
        return {}, None
    if not typed:
        return {"location": ""}, None
    found = gazetteer().search(typed, 1)
    if not found:
        raise ReviewError(f"no place called {typed[:60]!r} in the gazetteer: check the spelling, or pick from the list")
    best = found[0]
    return {"location": best.id}, f"place read as {best.name} ({best.kind}, {best.country})"


@router.post("/claims/{claim_id}/fields")
async def correct_fields(request: Request, claim_id: ClaimId, user: Analyst, store: StoreDep) -> Response:
    form = await request.form()
    back = str(form.get("back", ""))
    try:
        # Only what was changed in the form: a value shown and sent back unchanged is not
        # written over one another analyst saved meanwhile.
        changes = {f: str(form[f]) for f in QUICK_FIELDS if f in form and form[f] != form.get(f"was.{f}")}
        place, note = _place_change(form)
        changes.update(place)
        events = bulk.correct_fields(store, user, claim_id, changes, str(form.get("reason", "")))
    except (ReviewError, InputError) as exc:
        flash(request, f"Not done: {exc}", "error")
        return _to_claim(back, claim_id)
    if not events:
        flash(request, f"Claim {claim_id}: nothing changed (every field had that value already).", "error")
    else:
        names = ", ".join(e.field or "" for e in events)
        flash(request, f"Claim {claim_id}: {names} corrected" + (f"; {note}." if note else "."))
    return _to_claim(back, claim_id)


BULK_DONE = {"confirm": "confirmed", "reject": "set aside", "reopen": "reopened", "undo": "put back"}


@router.post("/incidents/bulk")
def bulk_status(
    request: Request,
    user: Analyst,
    store: StoreDep,
    action: Text,
    reason: Text = "",
    back: Text = "/incidents",
    incident_ids: Annotated[list[str] | None, Form()] = None,
) -> Response:
    target = safe_next(back)
    try:
        result = bulk.set_status(store, user, incident_ids or [], action, reason)
    except (ReviewError, InputError) as exc:
        flash(request, f"Not done: {exc}", "error")
        return RedirectResponse(target, status_code=303)
    _report(request, result)
    return RedirectResponse(target, status_code=303)


@router.post("/incidents/bulk/undo")
def bulk_undo(
    request: Request, user: Analyst, store: StoreDep, batch: Text = "", reason: Text = "", back: Text = "/incidents"
) -> Response:
    target = safe_next(back)
    try:
        result = bulk.undo(store, user, batch or None, reason)
    except (ReviewError, InputError) as exc:
        flash(request, f"Not undone: {exc}", "error")
        return RedirectResponse(target, status_code=303)
    _report(request, result)
    return RedirectResponse(target, status_code=303)


def _report(request: Request, result: bulk.BulkResult) -> None:
    n = len(result.done)
    text = f"{n} incident{'s' if n != 1 else ''} {BULK_DONE.get(result.action, result.action)}."
    if result.skipped:
        text += f" {len(result.skipped)} left as they were: " + "; ".join(why for _, why in result.skipped[:5])
    flash(request, text, "ok" if n else "error")
    # The list offers to undo the last bulk action (not an undo itself: that is undone by hand).
    if result.action != "undo" and n:
        request.session["last_batch"] = {"batch": result.batch, "action": result.action, "n": n}
    else:
        request.session.pop("last_batch", None)
