"""Story evidence in resolution (issue 15): reports of the same days that tell one story in
their openings, headlined alike, lend each other evidence, so a bare headline report (no place, no perpetrator, no
date) joins the fuller report of its event. Our own invented reports in
tests/fixtures/resolution/story (answer key in its README)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from childwatch.codebook.resolution import load_settings
from childwatch.resolve.compare import compare
from childwatch.resolve.facts import ClaimFacts, day_interval, headline_words
from childwatch.run.pipeline import run_pipeline
from childwatch.run.resolution import resolve
from childwatch.store import Store, open_store
from conftest import fixture_store, incidents_of

STORY = Path(__file__).parent / "fixtures" / "resolution" / "story"


def incidents(store: Store, doc_id: str, violation: str) -> set[str | None]:
    return incidents_of(store, doc_id, violation)


@pytest.fixture
def stories(tmp_path: Path) -> Iterator[Store]:
    yield from fixture_store(tmp_path / "story.sqlite", STORY)


@pytest.mark.parametrize("violation", ["killing_maiming", "attack_school_hospital"])
def test_a_headline_report_joins_the_full_report_of_its_day(stories: Store, violation: str) -> None:
    resolve(stories)
    headline, full = incidents(stories, "story-001", violation), incidents(stories, "story-002", violation)
    assert len(headline) == 1 and headline == full


def test_another_event_of_the_same_day_and_country_stays_apart(stories: Store) -> None:
    resolve(stories)
    drone = incidents(stories, "story-003", "killing_maiming")
    assert drone and not drone & incidents(stories, "story-001", "killing_maiming")
    assert not drone & incidents(stories, "story-002", "killing_maiming")


def test_without_story_evidence_the_headline_report_stood_alone(stories: Store) -> None:
    # The cause this guards: nothing but a count of one and a few words in common, the
    # headline report scored below the merge threshold and started its own incident.
    s = load_settings()
    weights = {**s.weights, "reported_same_days": 0.0, "same_headline": 0.0, "same_headline_max": 0.0}
    resolve(stories, settings=dataclasses.replace(s, weights=weights))
    assert not incidents(stories, "story-001", "killing_maiming") & incidents(stories, "story-002", "killing_maiming")


def test_incremental_runs_equal_a_full_run_with_story_evidence(stories: Store, tmp_path: Path) -> None:
    resolve(stories)
    one_by_one = open_store(tmp_path / "one-by-one.sqlite")
    for doc in ("story-002.json", "story-003.json", "story-001.json"):
        run_pipeline([STORY / doc], one_by_one)
        resolve(one_by_one)
    for violation in ("killing_maiming", "attack_school_hospital"):
        assert incidents(one_by_one, "story-001", violation) == incidents(one_by_one, "story-002", violation)
    drone = incidents(one_by_one, "story-003", "killing_maiming")
    assert not drone & incidents(one_by_one, "story-001", "killing_maiming")
    one_by_one.close()


# --- the rule, pair by pair ---------------------------------------------------------------------

HEADLINE = "Girl killed as shells hit children's hospital in Orikhiv"


def facts(**fields: Any) -> ClaimFacts:
    base: dict[str, Any] = dict(
        claim_id=1, doc_id="a", ordinal=0, story="a", published="2025-03-04", outlet="A", story_outlet="A",
        violation="killing_maiming", kind="incident", perpetrator_id=None, perpetrator=None,
        count=1, count_low=None, count_high=None, age_min=None, age_max=None, sex=None, group=None,
        place_id="cc:UA", place=None, admin1=None, country="UA", lat=None, lon=None, precision="country",
        date_start=None, date_end="2025-03-04", date_lo=None, date_hi=None, source=None,
        source_key="outlet:a", names=frozenset(), doc_names=frozenset(), place_stated=True,
        perpetrator_stated=False, words=frozenset({"girl", "kill", "shell", "hospital"}), incident_id=None,
        headline=headline_words(HEADLINE), lead=True,
    )  # fmt: skip
    base.update(fields)
    base["date_lo"], base["date_hi"] = day_interval(base["date_start"], base["date_end"])
    return ClaimFacts(**base)


def other(**fields: Any) -> ClaimFacts:
    return facts(claim_id=2, doc_id="b", story="b", source_key="outlet:b", **fields)


def test_two_reports_of_one_days_story_reach_the_merge_threshold() -> None:
    s = load_settings()
    comparison = compare(facts(), other(), s)
    assert {"reported_same_days", "same_headline"} <= comparison.features.keys()
    assert comparison.score >= s.merge_at


def test_a_claim_told_further_down_its_report_gets_no_story_evidence() -> None:
    # A report's opening tells its main story; a later paragraph may recall another event.
    comparison = compare(facts(lead=False), other(), load_settings())
    assert not {"reported_same_days", "same_headline"} & comparison.features.keys()


def test_a_total_and_an_event_told_the_same_day_get_no_story_evidence() -> None:
    # "Hundreds of children killed in the war" and one strike's victim share days and words.
    comparison = compare(facts(kind="aggregate", count=None, count_low=200), other(), load_settings())
    assert not {"reported_same_days", "same_headline"} & comparison.features.keys()


def test_reports_days_apart_get_no_story_evidence() -> None:
    later = other(published="2025-03-07", date_end="2025-03-07")
    comparison = compare(facts(), later, load_settings())
    assert not {"reported_same_days", "same_headline"} & comparison.features.keys()
    assert comparison.score < load_settings().merge_at


def test_dated_claims_are_compared_by_their_dates_not_their_days_of_report() -> None:
    dated = facts(date_start="2025-03-03", date_end="2025-03-03")
    comparison = compare(dated, other(date_start="2025-03-03", date_end="2025-03-03"), load_settings())
    assert "dates_overlap_precise" in comparison.features and "reported_same_days" not in comparison.features


def test_the_days_and_the_headline_alone_never_merge() -> None:
    # A live page keeps its headline all day ("Ukraine war: latest"): its events need more.
    alone = compare(facts(count=None, words=frozenset({"shelling"})), other(count=None), load_settings())
    assert {"reported_same_days", "same_headline"} == alone.features.keys()
    assert alone.score < load_settings().merge_at
