"""Incremental resolution against a full run on the same data (issue 15): reports arrive
in batches, in order of publication, as a news archive grows; each batch is resolved as
`childwatch run` resolves it (`resolve(store)`: new claims placed among the stored
incidents), and the result is compared with `resolve(store, full=True)` over the same
store (every claim regrouped from scratch, incidents keeping their ids) and with one run
over everything in a fresh store.

Synthetic reports (bench/synthetic_reports.py, fixed seed): a year of events in 40
countries, so that blocks are dense enough for incidents to meet across batches, in real
SQLite files."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from childwatch.resolve import cluster
from childwatch.run.resolution import resolve
from childwatch.store import Store, open_store

ROOT = Path(__file__).resolve().parents[1]
CLAIMS = 3000
BATCHES = 5


@pytest.fixture(scope="module")
def reports() -> list[Any]:
    """(document, claims) of the synthetic reports, in order of publication."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from synthetic_reports import SyntheticReports
    finally:
        sys.path.remove(str(ROOT / "bench"))
    items = [item for batch in SyntheticReports(CLAIMS, seed=7, years=1).batches(10**9) for item in batch]
    return sorted(items, key=lambda item: (item[0].published, item[0].id))


def assignments(store: Store) -> dict[tuple[str, int], str | None]:
    with store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT doc_id, ordinal, incident_id FROM claims").all()
    return {(doc_id, ordinal): incident_id for doc_id, ordinal, incident_id in rows}


def partition(assigned: dict[tuple[str, int], str | None]) -> set[frozenset[tuple[str, int]]]:
    groups: dict[str | None, set[tuple[str, int]]] = {}
    for claim, incident_id in assigned.items():
        groups.setdefault(incident_id, set()).add(claim)
    return {frozenset(group) for group in groups.values()}


def in_batches(store: Store, items: list[Any]) -> Iterator[None]:
    size = -(-len(items) // BATCHES)
    for start in range(0, len(items), size):
        store.write_batch(items[start : start + size])
        resolve(store)
        yield


def check_incremental_equals_full(items: list[Any], tmp_path: Path) -> None:
    with open_store(tmp_path / "batches.sqlite") as store:
        runs = sum(1 for _ in in_batches(store, items))
        incremental = assignments(store)
        full = resolve(store, full=True)
        after_full = assignments(store)
    with open_store(tmp_path / "once.sqlite") as once:
        once.write_batch(items)
        resolve(once)
        at_once = assignments(once)
    assert runs == BATCHES and len(incremental) > 0.9 * CLAIMS
    assert None not in incremental.values()
    # A full run over the batches' store changes nothing: same incidents, same ids...
    assert full.reassigned == 0 and full.new_incidents == 0
    assert after_full == incremental
    # ...and one run over everything in a fresh store groups the claims the same way.
    assert partition(incremental) == partition(at_once)


def test_incremental_placement_equals_a_full_run(
    reports: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the second look (`BlockResolver.merge_new`), placing each batch's claims
    among the stored incidents (known by their keys, loaded when judged) gives exactly what
    a full run gives: the stored state an incremental run rebuilds is the one a full run
    has at that point in publication order."""
    monkeypatch.setattr(cluster.BlockResolver, "merge_new", lambda self: None)
    check_incremental_equals_full(reports, tmp_path)


@pytest.mark.xfail(
    strict=True,
    reason="a full run takes the second look (merge_new) once, with every report in; incremental runs take it as "
    "reports arrive, only for the incidents they start, and never undo a merge (28 of 2,959 claims here). Giving "
    "it to stored incidents too (branch h-res-stored-look) gets 6 here but not equality: later reports change "
    "what an earlier look found (a claim's bounded candidates, an incident's sample of claims, the order of "
    "merges), and at 100k claims it moved the incremental result further from a full run",
)
def test_incremental_runs_equal_a_full_run_on_the_same_data(reports: list[Any], tmp_path: Path) -> None:
    check_incremental_equals_full(reports, tmp_path)
