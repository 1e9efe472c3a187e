"""The HTML pages people read: dashboard, incident list, incident page, settings,
login, offline API docs, and downloads of the filtered view.

Pages only read (GET). Every change goes through `forms.py` (POST + CSRF token) and
the domain's review functions, which check roles themselves.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from childwatch import export, review
from childwatch.errors import InputError, NotFound
from childwatch.read import picking, queries, watched
from childwatch.read.incident import incident_detail
from childwatch.read.passages import add_passages
from childwatch.review import audit
from childwatch.review.users import User, can
from childwatch.serve import accounts, charts, discussion, geo, highlight, searches
from childwatch.serve.deps import CurrentUser, Filters, StoreDep, actor, optional_user, to_filters
from childwatch.serve.templating import FILTER_LABELS, render, templates
from childwatch.store import Store
from childwatch.vocab import REJECTED

router = APIRouter(include_in_schema=False)
PER_PAGE = 25
MAP_POINTS = 500  # incidents drawn as points (the most reported first); shading counts all


def safe_next(target: str | None) -> str:
    """Only same-site paths: a login link must not bounce the user to another site.
    Browsers drop tabs and newlines in URLs and read a backslash as "/", so "/", a tab,
    then "/evil.example" would become "//evil.example": any of those makes the target "/"."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and not any(c.isspace() or ord(c) < 32 for c in target)
    ):
        return target
    return "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> Response:
    if optional_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "name": "", "error": None})


def map_points(store: Store, filters: queries.IncidentFilters) -> list[dict[str, Any]]:
    """Incidents located to a place or province, the most reported first, for the map."""
    page = queries.list_incidents(store, filters, 1, MAP_POINTS, sort="reports")
    return [
        {
            "incident_id": r["id"],
            "lat": r.get("location_lat"),
            "lon": r.get("location_lon"),
            "violation": r.get("violation"),
            "count_best": r.get("count_best"),
            "place": ", ".join(p for p in (r.get("location_name"), r.get("location_admin1")) if p),
        }
        for r in page.items
        # A country-level location is the country's centre: as a dot it would claim a place.
        if r.get("location_lat") is not None
        and r.get("location_precision") != "country"
        and r.get("status") != REJECTED
    ]


def dashboard_context(store: Store, raw: dict[str, str]) -> dict[str, Any]:
    filters = to_filters(raw)
    data = queries.dashboard(store, filters)
    incidents_by_month = {r["key"]: r["incidents"] for r in data["by_month"]}
    reports_by_month = {r["key"]: r["documents"] for r in data["report_volume"]["by_month"]}
    keys, (incidents, reports), unit = charts.timeline(incidents_by_month, reports_by_month)
    shown = sum(incidents.values())
    by_country = {r["key"]: r["incidents"] for r in data["by_country"] if r["key"] != "unknown"}
    return {
        "data": data,
        "unit": unit,
        "incident_chart": charts.bar_chart(keys, incidents, "incidents", "incidents"),
        "report_chart": charts.bar_chart(keys, reports, "reports", "reports published"),
        "undated": sum(incidents_by_month.values()) - shown,
        "map": geo.build_map(by_country, map_points(store, filters)),
        "country_bars": charts.row_bars(by_country),
    }


@router.get("/", response_class=HTMLResponse)
def dashboard_page(request: Request, user: CurrentUser, store: StoreDep, raw: Filters) -> Response:
    context = {"user": user, "nav": "dashboard", "filters": raw, "facets": queries.facets(store),
               "error": None}  # fmt: skip
    try:
        context.update(dashboard_context(store, raw))
    except InputError as exc:  # a bad filter: show the form again with the message
        context.update(dashboard_context(store, {}), error=str(exc))
    return render(request, "dashboard.html", context)


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(
    request: Request,
    user: CurrentUser,
    store: StoreDep,
    raw: Filters,
    page: int = Query(1, ge=1),
    sort: str = Query("date"),
) -> Response:
    error = None
    try:
        result = queries.list_incidents(store, to_filters(raw), page, PER_PAGE, sort=sort)
        add_passages(store, result.items, raw.get("q"))  # where each matched, pseudonymised
    except InputError as exc:
        error = str(exc)
        result = queries.list_incidents(store, None, 1, PER_PAGE)
    return render(
        request,
        "incidents.html",
        {
            "user": user, "nav": "incidents", "filters": raw, "facets": queries.facets(store), "page": result,
            "sort": sort, "sorts": queries.SORTS, "error": error, "FILTER_LABELS": FILTER_LABELS,
            "formats": export.INCIDENT_FORMATS, "can_review": can(user, "review"),
            "last_batch": request.session.get("last_batch") if can(user, "review") else None,
            "here": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            "search_query": None if error else searches.query_of(request.url.query),
        },
    )  # fmt: skip


def incident_context(detail: dict[str, Any], user: User) -> dict[str, Any]:
    """The incident page's view model: each claim's document cut into highlighted segments."""
    shown = []
    for claim in detail.get("claims", []):
        document = claim.get("document") or {}
        text = document.get("text") or ""
        spans = claim.get("spans") or []
        shown.append(
            {
                "claim": claim,
                "document": document,
                "segments": highlight.segments(text, spans),
                "legend": highlight.legend(spans),
                "blur": bool(claim.get("graphic")) and user.blur_graphic,
            }
        )
    return {
        "incident": detail,
        "claims": shown,
        "history": detail.get("history", []),
        "can_review": can(user, "review"),
        "can_reveal": can(user, "reveal"),
        "fields": review.CORRECTABLE_FIELDS,
        "actors": picking.actor_names() if can(user, "review") else (),
        "revealed": False,
    }


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: str, user: CurrentUser, store: StoreDep) -> Response:
    detail = incident_detail(store, incident_id, viewer=user)
    if detail is None:
        raise NotFound(f"no incident {incident_id!r}: it may have been merged into another; search the list")
    return render(request, "incident.html", {"user": user, "nav": "incidents", **incident_context(detail, user)})


NEWEST_CLAIMS = 50  # claims per page on /sources


@router.get("/sources", response_class=HTMLResponse)
def sources_page(
    request: Request, user: CurrentUser, store: StoreDep, page: int = Query(1, ge=1, le=10**6)
) -> Response:
    """Each watched source's health, and the newest claims first."""
    claims = watched.newest_claims(store, viewer=user, limit=NEWEST_CLAIMS, offset=(page - 1) * NEWEST_CLAIMS)
    pages = max(1, -(-claims["total"] // NEWEST_CLAIMS))
    context = {"user": user, "nav": "sources", "sources": watched.source_rows(store), "claims": claims,
               "page": page, "pages": pages, "every": watched.interval_text}  # fmt: skip
    return render(request, "sources.html", context)


@router.get("/settings", response_class=HTMLResponse)
def settings_page(request: Request, user: CurrentUser) -> Response:
    return render(request, "settings.html", {"user": user, "nav": "settings"})


@router.get("/docs", response_class=HTMLResponse)
def docs_page(request: Request) -> Response:
    """Swagger UI from local files; /openapi.json is FastAPI's own."""
    return templates.TemplateResponse(request, "docs.html", {})


def export_response(store: Store, raw: dict[str, str], fmt: str, by: audit.Actor) -> Response:
    """The filtered view in one format, as a download (pseudonymised: no reveal on the web),
    recorded in the audit log with its filters and size."""
    if fmt not in export.INCIDENT_FORMATS:
        choices = ", ".join(export.INCIDENT_FORMATS)
        raise InputError("format", f"unknown export format {fmt!r}", f"choose one of {choices}")
    filters = to_filters(raw)
    buffer = io.StringIO(newline="")
    n = export.export_incidents(store, filters, fmt, buffer)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    name = f"childwatch-incidents-{stamp}{export.extension(fmt)}"
    audit.record(store, by, "export", target=f"incidents {fmt}",
                 details={"filters": raw, "rows": n, "file": name, "pseudonymised": True})  # fmt: skip
    return Response(
        buffer.getvalue().encode("utf-8"),
        media_type=export.media_type(fmt),
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/export")
def export_download(
    request: Request, user: CurrentUser, store: StoreDep, raw: Filters, format: str = Query("csv")
) -> Response:
    return export_response(store, raw, format, actor(request, user))


@router.get("/favicon.ico")
def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)


# The admins' accounts page (issue 17).
router.include_router(accounts.page_router)
# My queue (issue 17).
router.include_router(discussion.page_router)
# Saved searches (issue 17).
router.include_router(searches.page_router)
