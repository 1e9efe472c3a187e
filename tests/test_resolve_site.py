"""The kind of site an event is told at, and counts told as one family's children, in
resolution (issue 15). A father's report of his sons abducted from a boarding school and a
later report of the pupils' release share a country, a month and a school, and are one
event; an abduction from a herders' camp of the same month and region, with a figure far
below the pupils' "dozens", is another. Our own invented reports in
tests/fixtures/resolution/site (answer key in its README)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from childwatch.codebook.resolution import load_settings
from childwatch.extract import Extractor
from childwatch.resolve.compare import compare
from childwatch.resolve.facts import ClaimFacts
from childwatch.run.resolution import resolve
from childwatch.store import Store
from conftest import claim_facts, claims_in, fixture_store, incidents_of

SITE = Path(__file__).parent / "fixtures" / "resolution" / "site"


def abduction(store: Store, doc_id: str) -> set[str | None]:
    return incidents_of(store, doc_id, "abduction")


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[Store]:
    yield from fixture_store(tmp_path / "site.sqlite", SITE)


def test_two_reports_of_one_school_abduction_are_one_incident(sites: Store) -> None:
    resolve(sites)
    father, release = abduction(sites, "site-001"), abduction(sites, "site-002")
    assert len(father) == 1 and father == release


def test_an_abduction_elsewhere_in_the_same_month_and_region_stays_apart(sites: Store) -> None:
    resolve(sites)
    camp = abduction(sites, "site-003")
    assert camp and not camp & abduction(sites, "site-002") and not camp & abduction(sites, "site-001")


def test_without_the_site_the_fathers_report_stood_alone(sites: Store) -> None:
    # The cause this guards: a country, a month and a few words in common scored below the
    # merge threshold, and the father's report started an incident of its own.
    s = load_settings()
    resolve(sites, settings=dataclasses.replace(s, weights={**s.weights, "same_site_kind": 0.0}))
    assert not abduction(sites, "site-001") & abduction(sites, "site-002")


# --- the rules, pair by pair ---------------------------------------------------------------------


# Two reports of abductions in Mali in May 2025: "dozens of pupils" at a school.
SCHOOL = dict(
    published="2025-05-16", violation="abduction", count_low=24, place_id="cc:ML", country="ML",
    precision="country", date_start="2025-05", date_end="2025-05",
    words=frozenset({"pupil", "abduct", "gunmen", "school"}),
)  # fmt: skip


def facts(**fields: Any) -> ClaimFacts:
    return claim_facts(**{**SCHOOL, **fields})


def other(**fields: Any) -> ClaimFacts:
    return facts(claim_id=2, doc_id="b", story="b", source_key="outlet:b", **fields)


def test_the_same_kind_of_site_counts_for_one_incident() -> None:
    comparison = compare(facts(), other(count=30, count_low=None), load_settings())
    assert comparison.features.get("same_site_kind") == load_settings().weights["same_site_kind"]


def test_a_site_in_only_one_evidence_counts_for_nothing() -> None:
    elsewhere = other(words=frozenset({"pupil", "abduct", "gunmen", "village"}))
    assert "same_site_kind" not in compare(facts(), elsewhere, load_settings()).features


def test_attacks_on_schools_get_no_site_evidence() -> None:
    # Every report of an attack on a school names a school: it tells no two of them apart.
    attack = "attack_school_hospital"
    comparison = compare(facts(violation=attack), other(violation=attack), load_settings())
    assert "same_site_kind" not in comparison.features


def test_a_figure_far_below_a_vague_quantity_counts_against() -> None:
    # "Dozens of pupils" (at least 24) and "four children": as far apart as 24 and 4.
    assert compare(facts(), other(count=4, count_low=None), load_settings()).features.get("far_count") == -1.0
    assert compare(facts(), other(count=30, count_low=None), load_settings()).features.get("close_count") == 0.3


def test_one_familys_children_are_neither_a_toll_nor_far_from_one() -> None:
    # "Four of his eight kids": a parent's part of the event, not its toll.
    family = other(count=4, count_low=None, family=True)
    comparison = compare(facts(), family, load_settings())
    assert "far_count" not in comparison.features
    assert compare(facts(count=60, count_low=None), family, load_settings()).possible  # not "counts far apart"
    assert not compare(facts(count=60, count_low=None), other(count=4, count_low=None), load_settings()).possible


@pytest.mark.parametrize(
    ("sentence", "count"),
    [
        ("A father said three of his sons were abducted by gunmen from a school on Tuesday.", 3),
        ("Two of her daughters were killed when the shell hit the house on Monday.", 2),
        ("Four of his eight children were kidnapped from the school on Sunday.", 4),
    ],
)
def test_a_parents_share_of_the_children_is_counted(extractor: Extractor, sentence: str, count: int) -> None:
    assert {c.victims.count for c in claims_in(extractor, sentence)} == {count}


def test_a_relative_of_one_of_the_children_is_no_count_of_one(extractor: Extractor) -> None:
    text = "The girls have escaped from their captors, a father of one of the girls told reporters on Friday."
    counts = [c.victims.count for c in claims_in(extractor, text)]
    assert counts and 1 not in counts
