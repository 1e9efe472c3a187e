"""The store's side of resolution: claims read by block (one violation in one continent)
with what resolution needs of their documents, and the writing of assignments, incidents
and the resolution log (through the driver, `store.bulk`). Near-duplicate documents'
signatures and band keys are in `store.signatures`.

Each write is one transaction: a resolution interrupted between two blocks leaves every
block either as it was or fully resolved, and the next run picks up the rest. Rows are
written in key order (documents, claims and incidents by id): a block's claims lie all
over their table, and in key order each page is read and written once per transaction
rather than once per row, which keeps writing near-linear once tables outgrow the caches.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Select, Table, and_, delete, exists, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from childwatch.codebook.regions import continent_of
from childwatch.store import bulk, locks
from childwatch.store.database import CLAIMS, DOCS, Store
from childwatch.store.models import DocBandRow, IncidentRow, ResolutionLogRow, StagedBandRow, utcnow

BANDS = cast(Table, DocBandRow.__table__)
STAGED = cast(Table, StagedBandRow.__table__)
INCIDENTS = cast(Table, IncidentRow.__table__)
LOG = cast(Table, ResolutionLogRow.__table__)
_IN = 500  # ids per IN (...) list: under every backend's bound-parameter limit
_BATCH = 10_000  # rows per executemany: the parameters of a large transaction, a batch at a time

# A staged document is compared with the first this many staged documents sharing each
# of its band keys, not with all of them: a wire story reprinted by k outlets would
# otherwise cost k² comparisons, and its copies join the group of the first ones anyway.
FIRST_SHARING = 10


@dataclass(frozen=True, slots=True)
class Block:
    """The claims resolved together: one violation in one continent (`codebook.regions`),
    or with no country. Claims of one event reported from neighbouring countries (a place
    misread in one report) must be able to meet, so country is a feature, not a key; a
    continent keeps what is held in memory at once bounded."""

    violation: str
    region: str | None  # a continent code; None for claims with no country
    countries: tuple[str, ...] = ()  # the block's countries that hold claims

    def __str__(self) -> str:
        return f"{self.violation} in {self.region or 'no country'}"


Row = Mapping[str, Any]  # a row by column name
# A continent holding more claims of one violation than this is resolved country by
# country: one block is held in memory whole (about 2 KB a claim, with its keys). At 1M
# synthetic claims the bound hardly changes the time (1,496 s with 50,000, 1,573 s with
# 10,000, both under load): what costs is comparing candidates, not the size of blocks.
MAX_BLOCK_CLAIMS = 50_000


def _chunks(items: Sequence[Any], size: int = _IN) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# --- claims by block ----------------------------------------------------------------------


def blocks(store: Store, *, unresolved_only: bool) -> list[Block]:
    """The blocks holding claims (only those with unresolved claims), all the countries
    of a continent in one: a block with a new claim in one country re-reads its
    neighbours' claims too, since the new claim may belong to their incidents. A
    continent holding more than `MAX_BLOCK_CLAIMS` claims of a violation is resolved
    country by country instead, so that what is held in memory at once stays bounded."""
    stmt = select(CLAIMS.c.violation, CLAIMS.c.location_country)
    every = _counts(store, stmt)
    wanted = set(_counts(store, stmt.where(CLAIMS.c.incident_id.is_(None))) if unresolved_only else every)
    sizes: Counter[tuple[str, str | None]] = Counter()
    for (violation, country), n in every.items():
        sizes[(violation, _region(country))] += n

    def block_of(violation: str, country: str | None) -> tuple[str, str | None]:
        region = _region(country)
        if country is not None and sizes[(violation, region)] > MAX_BLOCK_CLAIMS:
            return violation, f"{region}:{country}"  # too large a continent: this country on its own
        return violation, region

    found: dict[tuple[str, str | None], set[str]] = {block_of(v, c): set() for v, c in wanted}
    for violation, country in every:
        key = block_of(violation, country)
        if key in found and country is not None:
            found[key].add(country)
    return [Block(v, r, tuple(sorted(found[(v, r)]))) for v, r in sorted(found, key=lambda k: (k[0], k[1] or ""))]


def _region(country: str | None) -> str | None:
    return None if country is None else continent_of(country)


def _counts(store: Store, stmt: Select[Any]) -> dict[tuple[str, str | None], int]:
    """Claims per (violation, country) of the claims `stmt` selects."""
    grouped = stmt.add_columns(func.count()).group_by(CLAIMS.c.violation, CLAIMS.c.location_country)
    with store.reading() as conn:
        return {(str(violation), country): int(n) for violation, country, n in conn.execute(grouped)}


def _in_block(block: Block) -> ColumnElement[bool]:
    if block.region is None:
        return and_(CLAIMS.c.violation == block.violation, CLAIMS.c.location_country.is_(None))
    return and_(CLAIMS.c.violation == block.violation, CLAIMS.c.location_country.in_(block.countries))


# What resolution reads of a claim (`resolve.facts.facts_from_row`): not its own output
# (`incident_why` can be a large JSON document) nor columns it has no use for.
_FACT_COLUMNS = (
    "id", "doc_id", "ordinal", "violation", "kind", "perpetrator", "perpetrator_id", "victims_count",
    "victims_count_low", "victims_count_high", "victims_age_min", "victims_age_max", "victims_sex",
    "victims_group", "location_name", "location_admin1", "location_country", "location_lat", "location_lon",
    "location_precision", "location_place_id", "date_start", "date_end", "source", "source_id", "confidence",
    "evidence_start", "evidence_end", "evidence_text", "spans", "incident_id",
)  # fmt: skip
# What blocking reads of a claim already resolved (`resolve.facts.keys_from_row`).
_KEY_COLUMNS = (
    "id", "doc_id", "ordinal", "kind", "perpetrator_id", "location_place_id", "location_precision",
    "location_country", "date_start", "date_end", "source", "source_id", "evidence_text", "incident_id",
)  # fmt: skip


def _claim_rows(where: ColumnElement[bool]) -> Select[Any]:
    """Claims with their document's publication, url, outlet, story, names, title and
    children's names, and the url and outlet of the story's first document."""
    story = DOCS.alias("story")
    return (
        select(
            *(CLAIMS.c[name] for name in _FACT_COLUMNS),
            DOCS.c.published,
            DOCS.c.url,
            DOCS.c.outlet,
            DOCS.c.near_dup_of.label("story"),
            DOCS.c.names.label("doc_names"),
            DOCS.c.title,
            DOCS.c.child_names,
            story.c.url.label("story_url"),
            story.c.outlet.label("story_outlet_name"),
        )
        .join(DOCS, DOCS.c.id == CLAIMS.c.doc_id)
        .outerjoin(story, story.c.id == DOCS.c.near_dup_of)
        .where(where)
    )


def block_rows(store: Store, block: Block, *, unresolved_only: bool = False) -> Iterator[Row]:
    """The block's claims (or only those not yet resolved) with what `_claim_rows` adds,
    one at a time: a block can be large."""
    where = _in_block(block)
    if unresolved_only:
        where = and_(where, CLAIMS.c.incident_id.is_(None))
    with store.reading() as conn:
        yield from cast(Iterator[Row], conn.execute(_claim_rows(where)).mappings())


def block_keys(store: Store, block: Block) -> Iterator[Row]:
    """What blocking needs of the block's resolved claims (with their document's
    publication and story), in the order claims are resolved in: for incremental runs,
    which place the new claims among them without loading them whole."""
    stmt = (
        select(
            *(CLAIMS.c[name] for name in _KEY_COLUMNS),
            DOCS.c.published,
            DOCS.c.near_dup_of.label("story"),
            DOCS.c.names.label("doc_names"),
        )
        .join(DOCS, DOCS.c.id == CLAIMS.c.doc_id)
        .where(_in_block(block), CLAIMS.c.incident_id.is_not(None))
        .order_by(func.coalesce(func.nullif(DOCS.c.published, ""), "9999"), CLAIMS.c.doc_id, CLAIMS.c.ordinal)
    )
    with store.reading() as conn:
        yield from cast(Iterator[Row], conn.execute(stmt).mappings())


def incident_rows(store: Store, block: Block, incident_ids: Sequence[str]) -> list[Row]:
    """The block's claims assigned to these incidents, as `block_rows` gives them."""
    found: list[Row] = []
    with store.reading() as conn:
        for chunk in _chunks(sorted(set(incident_ids))):
            # By incident only, so that the incident index is used, not the block's.
            rows = cast(Iterator[Row], conn.execute(_claim_rows(CLAIMS.c.incident_id.in_(chunk))).mappings())
            found += (r for r in rows if r["violation"] == block.violation and _holds(block, r["location_country"]))
    return found


def _holds(block: Block, country: str | None) -> bool:
    return country is None if block.region is None else country in block.countries


def stale_incidents(store: Store, block: Block) -> list[str]:
    """Incidents of the block's claims whose stored view counts another number of claims
    (or is missing), as after claims were re-extracted: their view is to be made again."""
    count = func.count(CLAIMS.c.id)
    stmt = (
        select(CLAIMS.c.incident_id)
        .outerjoin(INCIDENTS, INCIDENTS.c.id == CLAIMS.c.incident_id)
        .where(_in_block(block), CLAIMS.c.incident_id.is_not(None))
        .group_by(CLAIMS.c.incident_id)
        .having(or_(func.max(INCIDENTS.c.n_claims).is_(None), count != func.max(INCIDENTS.c.n_claims)))
    )
    with store.reading() as conn:
        return list(conn.execute(stmt).scalars())


def stored_incidents(store: Store, ids: Iterable[str]) -> dict[str, int]:
    """{id: number of claims} of those incidents stored."""
    found: dict[str, int] = {}
    with store.reading() as conn:
        for chunk in _chunks(sorted(set(ids))):
            found.update(
                conn.execute(select(INCIDENTS.c.id, INCIDENTS.c.n_claims).where(INCIDENTS.c.id.in_(chunk))).all()
            )
    return found


def incident_sizes(store: Store) -> dict[str, int]:
    """{incident id: number of claims assigned to it}, as stored now."""
    stmt = (
        select(CLAIMS.c.incident_id, func.count())
        .where(CLAIMS.c.incident_id.is_not(None))
        .group_by(CLAIMS.c.incident_id)
    )
    with store.reading() as conn:
        return {i: n for i, n in conn.execute(stmt)}


def all_incident_ids(store: Store) -> set[str]:
    with store.reading() as conn:
        return set(conn.execute(select(INCIDENTS.c.id)).scalars())


# --- writing ------------------------------------------------------------------------------


def incident_row(view: Any, now: datetime) -> dict[str, Any]:
    """Insert parameters for `incidents` from a resolve.incident_view.IncidentView."""
    loc = view.location
    return {
        "id": view.id,
        "violation": view.violation,
        "kind": view.kind,
        "status": view.status,
        "perpetrator": view.perpetrator,
        "perpetrator_id": view.perpetrator_id,
        "count_best": view.count_best,
        "count_low": view.count_low,
        "count_high": view.count_high,
        "age_min": view.age_min,
        "age_max": view.age_max,
        "sex": view.sex,
        "location_name": loc["name"],
        "location_admin1": loc["admin1"],
        "location_country": loc["country"],
        "location_lat": loc["lat"],
        "location_lon": loc["lon"],
        "location_precision": loc["precision"],
        "location_place_id": loc["place_id"],
        "date_start": view.date_start,
        "date_end": view.date_end,
        "n_claims": view.claims,
        "n_documents": view.documents,
        "n_outlets": len(view.outlets),
        "n_sources": sum(1 for source in view.sources if source.get("attributed", True)),
        "outlets": view.outlets,
        "sources": view.sources,
        "counts": view.counts,
        "first_published": view.first_published,
        "last_published": view.last_published,
        "updated_at": now,
    }


def save_block(
    store: Store,
    *,
    mode: str,
    changes: Sequence[dict[str, Any]],
    incidents: Sequence[Any],
    then: Callable[[Connection], None] | None = None,
) -> None:
    """In one transaction: claims' new assignments (`changes`: claim_id, doc_id, ordinal,
    incident_id, previous, score, why), their log entries, and the incidents of their
    blocks (whole blocks: see the module's docstring); then `then(conn)`, in the same
    transaction (resolution re-applies review decisions there, see `resolve`)."""
    now = utcnow()
    changes = sorted(changes, key=lambda c: c["claim_id"])  # in key order (see the module's docstring)
    incidents = sorted(incidents, key=lambda v: v.id)
    with store.writing() as conn:
        locks.review_writers(conn)  # review actions read the incidents rewritten here: they wait
        why = bulk.processor(conn, CLAIMS.c.incident_why)  # the same JSON in both tables: serialised once
        for batch in _chunks(changes, bulk.BATCH):
            whys = [why(c["why"]) for c in batch]
            bulk.update_rows(
                conn, CLAIMS, ("incident_id", "incident_score", "incident_why"), "id",
                ((c["incident_id"], c["score"], w, c["claim_id"]) for c, w in zip(batch, whys, strict=True)),
                processed=("incident_why",),
            )  # fmt: skip
            bulk.insert_rows(
                conn, LOG, _LOG_COLUMNS,
                ((now, mode, c["claim_id"], c["doc_id"], c["ordinal"], c["incident_id"], c["previous"], c["score"], w)
                 for c, w in zip(batch, whys, strict=True)),
                processed=("why",),
            )  # fmt: skip
        for chunk in _chunks([v.id for v in incidents]):
            conn.execute(delete(INCIDENTS).where(INCIDENTS.c.id.in_(chunk)))
        rows = [incident_row(v, now) for v in incidents]
        columns = tuple(rows[0]) if rows else ()
        bulk.insert_rows(conn, INCIDENTS, columns, (tuple(row[c] for c in columns) for row in rows))
        if then is not None:
            then(conn)


_LOG_COLUMNS = ("resolved_at", "mode", "claim_id", "doc_id", "ordinal", "incident_id", "previous_incident_id",
                "score", "why")  # fmt: skip


def drop_empty_incidents(store: Store) -> int:
    """Delete incidents no claim points to any more (after re-extraction or a re-run)."""
    # NOT EXISTS, an anti-join: NOT IN over a subquery whose ids overflow PostgreSQL's
    # work_mem is run again for every incident (cost 3e9 on 1M claims: hours, during
    # which every `childwatch run` over such a store stood still; NOT EXISTS: 0.7 s).
    used = select(CLAIMS.c.id).where(CLAIMS.c.incident_id == INCIDENTS.c.id)
    with store.writing() as conn:
        return int(conn.execute(delete(INCIDENTS).where(~exists(used))).rowcount or 0)


def counts(store: Store) -> dict[str, int]:
    with store.reading() as conn:
        return {
            "incidents": conn.execute(select(func.count()).select_from(INCIDENTS)).scalar_one(),
            "unresolved": conn.execute(
                select(func.count()).select_from(CLAIMS).where(CLAIMS.c.incident_id.is_(None))
            ).scalar_one(),
        }


# --- reading incidents --------------------------------------------------------------------


def iter_incidents(
    store: Store,
    *,
    violation: str | None = None,
    country: str | None = None,
    status: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Stored incidents, most reported first (then latest report first), filters AND."""
    stmt = select(INCIDENTS).order_by(INCIDENTS.c.n_documents.desc(), INCIDENTS.c.last_published.desc(), INCIDENTS.c.id)
    if violation is not None:
        stmt = stmt.where(INCIDENTS.c.violation == violation)
    if country is not None:
        stmt = stmt.where(INCIDENTS.c.location_country == country)
    if status is not None:
        stmt = stmt.where(INCIDENTS.c.status == status)
    if limit is not None:
        stmt = stmt.limit(limit)
    with store.reading() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def incident(store: Store, incident_id: str) -> dict[str, Any] | None:
    with store.reading() as conn:
        row = conn.execute(select(INCIDENTS).where(INCIDENTS.c.id == incident_id)).mappings().first()
    return dict(row) if row is not None else None


def incident_claims(store: Store, incident_id: str) -> list[dict[str, Any]]:
    """The incident's claims with their document's outlet and publication date."""
    stmt = (
        select(CLAIMS, DOCS.c.outlet, DOCS.c.published, DOCS.c.near_dup_of)
        .join(DOCS, DOCS.c.id == CLAIMS.c.doc_id)
        .where(CLAIMS.c.incident_id == incident_id)
        .order_by(DOCS.c.published, CLAIMS.c.doc_id, CLAIMS.c.ordinal)
    )
    with store.reading() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]
