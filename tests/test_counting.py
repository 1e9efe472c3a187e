"""The counting rules (README, "How totals are counted") on fixture reports of our own
(tests/fixtures/counting: invented outlets, figures and events, real place names), run
through the real pipeline into a real SQLite file: children are summed over incidents
only; reported totals are never added, to incidents or to each other, and the largest
supersedes the rest; one figure repeated by three outlets is one reported total; a range
of figures for one incident gives its low, best and high; "not stated" is not zero."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from childwatch.read.queries import IncidentFilters, dashboard
from childwatch.read.stats import format_stats, incident_stats
from childwatch.run.pipeline import run_pipeline
from childwatch.run.resolution import resolve
from childwatch.store import Store, open_store

REPORTS = Path(__file__).parent / "fixtures" / "counting"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = open_store(tmp_path_factory.mktemp("counting") / "counting.sqlite")
    run_pipeline([REPORTS], store)
    resolve(store)
    yield store
    store.close()


def incidents_of(store: Store, *doc_ids: str, violation: str) -> set[str | None]:
    return {c.claim.incident_id for d in doc_ids for c in store.iter_claims(doc_id=d, violation=violation)}


def test_a_reported_total_is_never_added_to_an_incident(store: Store) -> None:
    # One strike killing six children, and running tolls of 2,000 then 3,600 in the same
    # country and violation: the children in incidents are six, never 6 + 2,000 + 3,600.
    totals = dashboard(store, IncidentFilters(country="PS", violation="killing_maiming"))["totals"]
    assert totals["events"] == 1 and totals["children_best"] == 6
    assert totals["largest_total"] == 3600 and totals["totals_reported"] >= 1


def test_a_later_running_toll_supersedes_the_earlier_one(store: Store) -> None:
    (toll,) = incidents_of(store, "cnt-004", "cnt-005", violation="killing_maiming")
    board = dashboard(store, IncidentFilters(country="PS", violation="killing_maiming"))
    assert toll is not None and board["totals"]["largest_total"] == 3600  # not 5,600


def test_one_figure_repeated_by_three_outlets_is_one_reported_total(store: Store) -> None:
    (unicef,) = incidents_of(store, "cnt-006", "cnt-007", "cnt-008", violation="killing_maiming")
    assert unicef is not None
    totals = dashboard(store, IncidentFilters(country="UA", violation="killing_maiming"))["totals"]
    assert totals["totals_reported"] == 1 and totals["largest_total"] == 500


def test_figures_reported_for_one_incident_give_its_low_best_and_high(store: Store) -> None:
    (kagara,) = incidents_of(store, "cnt-001", "cnt-002", "cnt-003", violation="abduction")
    assert kagara is not None
    totals = dashboard(store, IncidentFilters(country="NG", violation="abduction"))["totals"]
    assert totals["events"] == 1
    assert (totals["children_low"], totals["children_high"]) == (300, 400)
    assert totals["children_low"] <= totals["children_best"] <= totals["children_high"]


def test_a_number_not_stated_is_shown_as_not_stated_not_as_zero(store: Store) -> None:
    totals = dashboard(store, IncidentFilters(country="UA", violation="killing_maiming"))["totals"]
    assert totals["events"] == 1 and totals["children_unknown"] == 1 and totals["children_best"] == 0
    text = format_stats(incident_stats(store))
    killing = next(line for line in text.splitlines() if line.startswith("killing_maiming"))
    assert "1 not stated" in killing and "largest 3600" in killing


def test_every_table_of_the_dashboard_follows_the_same_rules(store: Store) -> None:
    board = dashboard(store)
    for table in ("by_violation", "by_country", "by_month", "by_perpetrator"):
        assert sum(r["children_best"] for r in board[table]) == board["totals"]["children_best"], table
        assert sum(r["events"] for r in board[table]) == board["totals"]["events"], table
    assert board["totals"]["largest_total"] == max(r["largest_total"] or 0 for r in board["by_country"])
