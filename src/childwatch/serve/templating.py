"""Jinja2 set-up and the words the pages use for codes.

Autoescape is on for every template (not only *.html): document texts, titles and
names are untrusted, and nothing is ever marked safe. Templates build links with
`url_with`, which encodes query values.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import HTMLResponse

from childwatch.ingest.language import language_name
from childwatch.serve.security import CSRF_FIELD, csrf_token
from childwatch.version import __version__
from childwatch.vocab import VIOLATIONS

TEMPLATES = Path(__file__).with_name("templates")

VIOLATION_LABELS = {
    "recruitment_use": "Recruitment and use",
    "killing_maiming": "Killing and maiming",
    "sexual_violence": "Sexual violence",
    "attack_school_hospital": "Attacks on schools and hospitals",
    "abduction": "Abduction",
    "denial_humanitarian_access": "Denial of humanitarian access",
    "detention_torture": "Detention and ill-treatment",
}
STATUS_LABELS = {
    "reported": "Reported",
    "corroborated": "Corroborated",
    "verified": "Verified",
    "rejected": "Rejected",
}
KIND_LABELS = {"incident": "Incident", "aggregate": "Aggregate (count over a period)", "pattern": "Pattern"}
SEX_LABELS = {"male": "Boys", "female": "Girls", "mixed": "Boys and girls"}
# The correctable fields in people's words (review.CORRECTABLE_FIELDS keeps the codes).
FIELD_LABELS = {
    "violation": "Violation",
    "kind": "Kind",
    "perpetrator": "Perpetrator",
    "victims.count": "Children: number (best figure)",
    "victims.count_low": "Children: lowest figure",
    "victims.count_high": "Children: highest figure",
    "victims.age_min": "Children: youngest age",
    "victims.age_max": "Children: oldest age",
    "victims.sex": "Children: boys or girls",
    "victims.group": "Children: group (e.g. students)",
    "location": "Place (gazetteer id)",
    "location.name": "Place: name only",
    "location.admin1": "Place: province only",
    "location.country": "Place: country only",
    "location.lat": "Place: latitude",
    "location.lon": "Place: longitude",
    "location.precision": "Place: known to the (place, admin1, country)",
    "date.start": "Date: from",
    "date.end": "Date: to",
    "source": "Original source",
    "graphic": "Graphic content (yes/no)",
}
FILTER_LABELS = {
    "violation": "Violation",
    "perpetrator": "Perpetrator",
    "country": "Country",
    "date_from": "From",
    "date_to": "To",
    "status": "Status",
    "kind": "Kind",
    "q": "Search",
}


def violation_label(key: Any) -> str:
    return VIOLATION_LABELS.get(str(key), str(key).replace("_", " ") if key else "unknown")


def url_with(path: str, params: dict[str, Any] | None = None, **extra: Any) -> str:
    """`path?query` from params plus overrides; None and "" values are left out."""
    merged = {**(params or {}), **extra}
    query = urlencode([(k, v) for k, v in merged.items() if v not in (None, "")], doseq=True)
    return f"{path}?{query}" if query else path


def _children(best: Any, low: Any, high: Any) -> str:
    if best is None:
        return "not stated"
    if low is not None and high is not None and (low != best or high != best):
        return f"{best} (reports: {low}–{high})"
    return str(best)


def options(rows: list[dict[str, Any]], labels: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """Facet rows -> (value, "Label (n)") pairs for a <select>."""
    out = []
    for row in rows:
        key = str(row["key"])
        label = (labels or {}).get(key) or row.get("label") or key
        n = row.get("incidents")
        out.append((key, f"{label} ({n})" if n is not None else str(label)))
    return out


def safe_url(url: Any) -> str | None:
    """Only http(s) links: a report's URL is untrusted, and escaping does not stop a
    `javascript:` link."""
    text = str(url or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else None


def show(value: Any) -> str:
    """A review value for people: text as is, nothing as "(empty)", the rest as JSON."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        # Review events store {"status": ...} or {"value": ..., "original"/"columns": ...}:
        # people need the value, not the bookkeeping.
        if "value" in value:
            return show(value["value"])
        if len(value) == 1:
            return show(next(iter(value.values())))
        return "; ".join(f"{k}: {show(v)}" for k, v in value.items())
    return json.dumps(value, ensure_ascii=False)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # everywhere, whatever the file name
        undefined=StrictUndefined,  # a misspelt key fails a test instead of showing blank
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        VIOLATIONS=VIOLATIONS,
        VIOLATION_LABELS=VIOLATION_LABELS,
        STATUS_LABELS=STATUS_LABELS,
        KIND_LABELS=KIND_LABELS,
        SEX_LABELS=SEX_LABELS,
        FIELD_LABELS=FIELD_LABELS,
        FILTER_LABELS=FILTER_LABELS,
        CSRF_FIELD=CSRF_FIELD,
        version=__version__,
        url_with=url_with,
        violation_label=violation_label,
        children=_children,
        options=options,
    )
    env.filters["violation"] = violation_label
    env.filters["safe_url"] = safe_url
    env.filters["show"] = show
    env.filters["language"] = lambda code: language_name(code) if code else "language unknown"
    return env


templates = Jinja2Templates(env=_environment())


def flash(request: Request, message: str, kind: str = "ok") -> None:
    """A one-time message shown on the next page (after a redirect)."""
    request.session["flash"] = [*request.session.get("flash", []), [kind, message]]


def render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    user = context.get("user")
    messages = request.session.pop("flash", []) if "flash" in request.session else []
    base = {
        "request": request,
        "user": user,
        "csrf": csrf_token(request.session),
        "messages": messages,
        "nav": context.get("nav", ""),
    }
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)
