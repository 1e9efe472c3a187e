"""The read side shared by the web pages, the REST API and the exports: filtered, paginated
incident lists, one incident in full, dashboard counts and the values filters can take.

Everything is counted and filtered in the database over indexed columns of `incidents`
(the merged views resolution and review keep up to date); nothing loads a whole table
into Python for one page. Full-text search (`q`) is a case-insensitive substring match
over the titles and texts of the claims' documents (the evidence is a span of the text)
as people see them, through the database's own index (`search`: FTS5 on SQLite, pg_trgm
on PostgreSQL, with the same results).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Any, cast

import pycountry
from sqlalchemy import Select, Table, and_, func, literal_column, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from childwatch.errors import InputError
from childwatch.ingest.language import ENGLISH, language_name, primary
from childwatch.read.search import Matches, find
from childwatch.read.shown import pseudonymise_document_ids
from childwatch.read.stats import child_measures
from childwatch.read.volume import UNKNOWN, country_name, fold, report_volume
from childwatch.store import Store
from childwatch.store.models import ClaimRow, DocumentRow, IncidentRow, aware
from childwatch.vocab import KINDS, STATUSES, VIOLATIONS

__all__ = [
    "SORTS",
    "STATUSES",
    "IncidentFilters",
    "Page",
    "dashboard",
    "facets",
    "list_incidents",
]

INCIDENTS = cast(Table, IncidentRow.__table__)
CLAIMS = cast(Table, ClaimRow.__table__)
DOCS = cast(Table, DocumentRow.__table__)

SORTS = ("date", "-date", "reports", "children", "updated")
MAX_PER_PAGE = 500
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _check_date(name: str, value: str) -> str:
    ok = bool(_DATE.match(value))
    if ok:
        parts = [int(p) for p in value.split("-")]
        try:
            date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
        except ValueError:
            ok = False
    if not ok:
        raise InputError(name, f"{value!r} is not a date", "write it as YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2024-10-17")
    return value


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> str:
    if value not in choices:
        raise InputError(name, f"unknown {name} {value!r}", f"choose one of {', '.join(choices)}")
    return value


def _check_language(value: str) -> str:
    """An ISO 639 code ("fr", "ar", "fr-FR" → "fr"), or InputError naming the filter."""
    code = primary(value)
    if code is None or not re.fullmatch(r"[a-z]{2,3}", code):
        raise InputError("language", f"not a language code: {value!r}", "give an ISO 639 code such as ar, fr or es")
    return code


def _check_country(value: str) -> str:
    code = value.strip()
    if len(code) == 2 and pycountry.countries.get(alpha_2=code.upper()) is not None:
        return code.upper()
    try:
        return str(pycountry.countries.lookup(code).alpha_2)
    except LookupError:
        raise InputError(
            "country", f"unknown country {value!r}", "give an ISO 3166 code such as NG or UA, or a country name"
        ) from None


@dataclass(frozen=True, slots=True)
class IncidentFilters:
    """What a list, dashboard or export is narrowed to; None means any. Dates select the
    incidents whose stated period overlaps [date_from, date_to] (partial dates allowed)."""

    violation: str | None = None
    perpetrator: str | None = None  # codebook id or part of the name
    country: str | None = None  # ISO 3166 alpha-2
    date_from: str | None = None
    date_to: str | None = None
    status: str | None = None
    kind: str | None = None
    q: str | None = None  # full text over evidence and document text
    language: str | None = None  # ISO 639-1: incidents reported in that language (by any report)

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> IncidentFilters:
        """From query parameters or a form: empty values mean any, other keys are ignored.
        Raises InputError naming the filter and what to give instead."""
        raw: dict[str, str | None] = {}
        for f in fields(cls):
            value = values.get(f.name)
            text = str(value).strip() if value is not None else ""
            raw[f.name] = text or None
        if raw["violation"]:
            _check_choice("violation", raw["violation"], VIOLATIONS)
        if raw["kind"]:
            _check_choice("kind", raw["kind"], KINDS)
        if raw["status"]:
            _check_choice("status", raw["status"], STATUSES)
        if raw["country"]:
            raw["country"] = _check_country(raw["country"])
        for name in ("date_from", "date_to"):
            value = raw[name]
            if value:
                _check_date(name, value)
        if raw["date_from"] and raw["date_to"] and raw["date_from"][: len(raw["date_to"])] > raw["date_to"]:
            raise InputError("date_to", f"{raw['date_to']} is before {raw['date_from']}", "swap the two dates")
        if raw["language"]:
            raw["language"] = _check_language(raw["language"])
        if raw["q"] and len(raw["q"]) > 200:
            raise InputError("q", "the search text is too long", "use at most 200 characters")
        return cls(**raw)

    def as_dict(self) -> dict[str, str]:
        """The filters that are set (for links, exports and echoing back)."""
        return {k: v for k, v in asdict(self).items() if v is not None}


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def as_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "total": self.total,
            "page": self.page,
            "per_page": self.per_page,
            "pages": self.pages,
        }


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _contains(column: Any, text: str, dialect: str) -> ColumnElement[bool]:
    """`column` contains `text` (literally, whatever its case)."""
    # SQLite's LIKE already ignores ASCII case, as its lower() does; ILIKE there would
    # lower-case every value first, which doubles the cost of a scan.
    if dialect == "sqlite":
        return cast(ColumnElement[bool], column.like(_like(text), escape="\\"))
    return cast(ColumnElement[bool], column.ilike(_like(text), escape="\\"))


def _text_matches(found: Matches, dialect: str) -> Select[Any]:
    """Ids of incidents whose claims' documents contain the searched text as people see
    it (`search.find`): indexed documents, and those not indexed yet that show it."""
    docs: Select[Any] = found.indexed(dialect)
    # One IN over a UNION, not two INs joined by OR: PostgreSQL can join the former, but
    # runs the latter's subquery again for every claim (minutes when most reports match).
    if found.pending is None:
        docs = union_all(docs, found.unindexed(dialect)).subquery().select()
    elif found.pending:
        waiting = select(DOCS.c.id).where(DOCS.c.id.in_(list(found.pending)))
        docs = union_all(docs, waiting).subquery().select()
    return select(CLAIMS.c.incident_id).where(CLAIMS.c.incident_id.is_not(None), CLAIMS.c.doc_id.in_(docs))


def conditions(
    filters: IncidentFilters,
    *,
    default_hide_rejected: bool = False,
    dialect: str = "sqlite",
    found: Matches | None = None,
) -> list[ColumnElement[bool]]:
    """The WHERE terms over `incidents` for these filters; `found` is what the search
    for `filters.q` found (`search.find`)."""
    c = INCIDENTS.c
    where: list[ColumnElement[bool]] = []
    if filters.violation:
        where.append(c.violation == filters.violation)
    if filters.kind:
        where.append(c.kind == filters.kind)
    if filters.status:
        where.append(c.status == filters.status)
    elif default_hide_rejected:
        where.append(c.status != "rejected")
    if filters.country:
        where.append(c.location_country == filters.country)
    if filters.perpetrator:
        p = filters.perpetrator
        where.append(or_(c.perpetrator_id == p, _contains(c.perpetrator, p, dialect)))
    # Partial ISO dates compare as strings: "2024-10" sorts before every day of October,
    # and "2024-10~" after them ('~' sorts after digits and '-'), which bounds a period.
    # The '~' is a literal, not a parameter, so that an index on this very expression
    # (migration 0005) can serve the filter.
    if filters.date_from:
        where.append(func.coalesce(c.date_end, c.date_start).concat(literal_column("'~'")) >= filters.date_from)
    if filters.date_to:
        where.append(func.coalesce(c.date_start, c.date_end) <= filters.date_to + "~")
    # Only with both bounds (after date_from alone every later incident matches anyway),
    # and only on PostgreSQL: SQLite's planner, without statistics, does better without.
    if filters.date_from and filters.date_to and dialect == "postgresql":
        where.append(_starts_within(filters.date_from, filters.date_to))
    if filters.language:
        where.append(c.id.in_(_reported_in(filters.language)))
    if filters.q:
        if found is None:  # a search is never dropped silently: that would show everything
            raise ValueError("conditions() with q needs what search.find found")
        where.append(c.id.in_(_text_matches(found, dialect)))
    return where


def _reported_in(code: str) -> Select[Any]:
    """Ids of the incidents one of whose claims comes from a report in this language (stored
    as "fr" or "fr-FR"; a report stored without one is English, as extraction read it)."""
    language = func.lower(DOCS.c.language)
    matches = or_(language == code, language.like(f"{code}-%"))
    if code == ENGLISH:
        matches = or_(matches, DOCS.c.language.is_(None))
    return (
        select(CLAIMS.c.incident_id)
        .join(DOCS, DOCS.c.id == CLAIMS.c.doc_id)
        .where(matches, CLAIMS.c.incident_id.is_not(None))
    )


def _starts_within(date_from: str, date_to: str) -> ColumnElement[bool]:
    """Implied by the period filter, so it changes no result: a period that overlaps
    [date_from, date_to] starts within it, or starts with a part of date_from ("2024" or
    "2024-10" for "2024-10-17", as strings: every proper prefix), or is a true period (its
    end unlike its start) that starts before date_from. Unlike "ends on or after date_from"
    (every later incident), each of the three is a narrow range of an index (migration
    0007; the third over periods only), so the planner sees how few incidents a short
    period holds and finds them there, instead of walking the list from date_to down past
    every older incident, or reading every incident of a violation or a country."""
    c = INCIDENTS.c
    start = func.coalesce(c.date_start, c.date_end)
    prefixes = [date_from[:k] for k in range(len(date_from))]
    return or_(
        and_(start >= date_from, start <= date_to + "~"),
        start.in_(prefixes),
        # IS NOT NULL as in the partial index's condition (0007): it lets the planner count.
        and_(c.date_end.is_not(None), c.date_end != c.date_start, start < date_from),
    )


def _order(sort: str, filters: IncidentFilters) -> tuple[list[ColumnElement[bool]], list[Any]]:
    """The ORDER BY of `sort`, with WHERE terms that change no result but let an index of
    migration 0005 serve it."""
    c = INCIDENTS.c
    when = func.coalesce(c.date_start, c.date_end, c.first_published)
    if sort == "date" and (filters.date_from or filters.date_to):
        # Only dated incidents pass a date filter. Saying so pins the leading column
        # (`when IS NULL`) of the newest-first indexes (after any violation or country),
        # so they are read in order from date_to down rather than from the newest
        # incident. With every row dated, undated-last is moot and the order is the date
        # alone (SQLite would sort all the matches again if that term stayed).
        dated: list[ColumnElement[bool]] = [when.is_(None).is_(False)]
        if filters.date_to:
            dated.append(when <= filters.date_to + "~")
        return dated, [when.desc(), c.id]
    if sort == "date":  # newest first, undated last
        return [], [when.is_(None), when.desc(), c.id]
    if sort == "-date":
        return [], [when.is_(None), when.asc(), c.id]
    if sort == "reports":
        return [], [c.n_documents.desc(), when.desc(), c.id]
    if sort == "children":
        return [], [c.count_best.is_(None), c.count_best.desc(), c.id]
    return [], [c.updated_at.desc(), c.id]


def jsonable(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A row with datetimes as ISO strings (in UTC: SQLite hands them back naive)."""
    return {k: (aware(v).isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}


def _found(store: Store, filters: IncidentFilters) -> Matches | None:
    """What the search finds as people see it: not documents that contain `q` only in
    children's names, which every page and export shows pseudonymised."""
    return find(store, filters.q) if filters.q else None


def list_incidents(
    store: Store, filters: IncidentFilters | None = None, page: int = 1, per_page: int = 50, *, sort: str = "date"
) -> Page:
    """One page of the incidents matching `filters`, newest first by default."""
    filters = filters or IncidentFilters()
    if not isinstance(page, int) or page < 1:
        raise InputError("page", f"{page!r} is not a page number", "pages start at 1")
    if not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
        raise InputError("per_page", f"{per_page!r} incidents per page", f"give 1 to {MAX_PER_PAGE}")
    _check_choice("sort", sort, SORTS)
    where = conditions(filters, dialect=store.engine.dialect.name, found=_found(store, filters))
    # The order's helper terms go to the page only: the count needs none, and would lose
    # its index-only scan (migration 0007) to them.
    helpers, order = _order(sort, filters)
    stmt = (
        select(INCIDENTS)
        .where(and_(True, *where, *helpers))
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    with store.reading() as conn:
        total = conn.execute(select(func.count()).select_from(INCIDENTS).where(and_(True, *where))).scalar_one()
        items = [jsonable(r) for r in conn.execute(stmt).mappings()]
    pseudonymise_document_ids(store, items)
    return Page(items, int(total), page, per_page)


def iter_filtered(store: Store, filters: IncidentFilters, *, batch: int = 500) -> Any:
    """Every matching incident (as dicts), in list order, a batch at a time (exports)."""
    helpers, order = _order("date", filters)
    where = conditions(filters, dialect=store.engine.dialect.name, found=_found(store, filters)) + helpers
    stmt = select(INCIDENTS).where(and_(True, *where)).order_by(*order)
    with store.reading() as conn:
        for row in conn.execution_options(yield_per=batch).execute(stmt).mappings():
            yield jsonable(row)


# --- dashboard ----------------------------------------------------------------------------


def dashboard(store: Store, filters: IncidentFilters | None = None) -> dict[str, Any]:
    """Counts of incidents and children affected by violation, perpetrator, country and
    month, by the counting rules of `stats` (children summed over incidents proper, so no
    report counts twice; reported totals never added, their largest given instead);
    beside them the number of reports by country and month, so that more reporting is not
    read as more violence. Rejected incidents are left out unless the status filter asks
    for them.

    Each table is a list of rows: {key, label, incidents (every kind), events, children_best,
    children_low, children_high, children_unknown (events with no stated number of
    children, not counted as zero), totals_reported, largest_total (None when there is
    none), patterns} (see `stats.child_measures`). `report_volume` rows are {key, label, documents}:
    documents by publication month, and by country any of their claims is set in; they
    follow the country and date filters but not the others (reporting is reporting).
    """
    filters = filters or IncidentFilters()
    c = INCIDENTS.c
    dialect, found = store.engine.dialect.name, _found(store, filters)
    where = and_(True, *conditions(filters, default_hide_rejected=True, dialect=dialect, found=found))
    measures = (func.count().label("incidents"), *child_measures(INCIDENTS))
    # Grouped by the bare columns (NULL folded into "unknown" here, not in SQL), so that
    # the database can group along an index; months from the dates (a few thousand, in a
    # hash) rather than by substr, which PostgreSQL sorted on disk (0.59 s of 2.3 s on 1M
    # claims); the totals from the rows by violation, which every incident has.
    keys = {"by_violation": c.violation, "by_perpetrator": c.perpetrator, "by_country": c.location_country,
            "by_month": func.coalesce(c.date_start, c.date_end)}  # fmt: skip
    out: dict[str, Any] = {"filters": filters.as_dict()}
    with store.reading() as conn:
        grouped = {}
        for name, key in keys.items():
            extra = [func.max(c.perpetrator_id).label("perpetrator_id")] if name == "by_perpetrator" else []
            stmt = select(key.label("key"), *measures, *extra).where(where).group_by(key)
            grouped[name] = [dict(r) for r in conn.execute(stmt).mappings()]
        out["report_volume"] = report_volume(
            conn, date_from=filters.date_from, date_to=filters.date_to, country=filters.country
        )
    ids = {r["key"]: r.pop("perpetrator_id") for r in grouped["by_perpetrator"]}
    zero = {m.name: (None if m.name == "largest_total" else 0) for m in measures}
    out["totals"] = {**zero, **fold(grouped["by_violation"], lambda _: None).get(None, {})}
    out["totals"].pop("key", None)
    for name in ("by_violation", "by_perpetrator", "by_country"):
        out[name] = list(fold(grouped[name], lambda k: k or UNKNOWN).values())
    out["by_month"] = list(fold(grouped["by_month"], lambda k: k[:7] if k else UNKNOWN).values())
    present = {r["key"]: r for r in out["by_violation"]}
    out["by_violation"] = [present.get(v, {"key": v, **zero}) for v in VIOLATIONS]
    for r in out["by_violation"]:
        r["label"] = r["key"].replace("_", " ")
    for r in out["by_perpetrator"]:
        r["label"], r["id"] = r["key"], ids.get(r["key"])
    for r in out["by_country"]:
        r["label"] = country_name(r["key"])
    out["by_perpetrator"].sort(key=lambda r: (-r["incidents"], r["key"] == UNKNOWN, r["key"]))
    out["by_country"].sort(key=lambda r: (-r["incidents"], r["key"] == UNKNOWN, r["key"]))
    out["by_month"].sort(key=lambda r: (r["key"] == UNKNOWN, r["key"]))
    for r in out["by_month"]:
        r["label"] = r["key"]
    docs_by_month = {r["key"]: r["documents"] for r in out["report_volume"]["by_month"]}
    for r in out["by_month"]:
        r["documents"] = docs_by_month.get(r["key"], 0)
    docs_by_country = {r["key"]: r["documents"] for r in out["report_volume"]["by_country"]}
    for r in out["by_country"]:
        r["documents"] = docs_by_country.get(r["key"], 0)
    return out


def facets(store: Store) -> dict[str, Any]:
    """The values the filters can take, with how many incidents have each."""
    c = INCIDENTS.c
    with store.reading() as conn:

        def grouped(*cols: Any) -> list[Any]:
            return list(conn.execute(select(*cols, func.count()).group_by(*cols).order_by(*cols)).all())

        violations = dict(grouped(c.violation))
        kinds = dict(grouped(c.kind))
        statuses = dict(grouped(c.status))
        countries = grouped(c.location_country)
        perpetrators = conn.execute(
            select(c.perpetrator, func.max(c.perpetrator_id), func.count())
            .where(c.perpetrator.is_not(None))
            .group_by(c.perpetrator)
            .order_by(func.count().desc(), c.perpetrator)
        ).all()
        languages: dict[str, int] = {}
        for stored, n in conn.execute(select(DOCS.c.language, func.count()).group_by(DOCS.c.language)):
            code = primary(stored) or ENGLISH
            languages[code] = languages.get(code, 0) + int(n)
        first, last = conn.execute(
            select(func.min(func.coalesce(c.date_start, c.date_end)), func.max(func.coalesce(c.date_end, c.date_start)))
        ).one()
    return {
        "violations": [{"key": v, "label": v.replace("_", " "), "incidents": violations.get(v, 0)} for v in VIOLATIONS],
        "kinds": [{"key": k, "incidents": kinds.get(k, 0)} for k in KINDS],
        "statuses": [{"key": s, "incidents": statuses.get(s, 0)} for s in STATUSES],
        "countries": sorted(
            ({"key": k, "label": country_name(k), "incidents": n} for k, n in countries if k),
            key=lambda r: r["label"],
        ),
        "perpetrators": [{"key": pid or name, "label": name, "incidents": n} for name, pid, n in perpetrators],
        "languages": sorted(
            ({"key": k, "label": language_name(k), "reports": n} for k, n in languages.items()),
            key=lambda r: (-r["reports"], r["key"]),
        ),
        "dates": {"first": first, "last": last},
    }
