"""Events within a report: a report's mentions of one event become one claim, and distinct
events stay distinct, each decision with its reasons (childwatch.extract.merge).

The reports are our own texts, written for these tests."""

from __future__ import annotations

import copy

import pytest

import childwatch.extract as extract_module
from childwatch.extract import Extractor
from childwatch.extract.merge import Decision, explain
from childwatch.records import Claim
from conftest import text_document


def _claims(extractor: Extractor, text: str, violation: str, published: str | None = "2024-03-14") -> list[Claim]:
    return [c for c in extractor.extract(text_document(text, published)) if c.violation == violation]


def _decisions(extractor: Extractor, text: str, violation: str, monkeypatch: pytest.MonkeyPatch,
               published: str | None = "2024-03-14") -> list[Decision]:
    """The grouping decisions taken on the report's mentions of one violation."""
    seen: list[Claim] = []

    def keep(claims: list[Claim], published: str | None = None) -> list[Claim]:
        seen.extend(copy.deepcopy(claims))
        return claims

    monkeypatch.setattr(extract_module, "merge_mentions", keep)
    extractor.extract(text_document(text, published))
    return explain([c for c in seen if c.violation == violation], published)


STRIKE = (
    "On 12 March 2024, an alleged airstrike on the Haddad family home in Khan Yunis killed nine civilians, "
    "including four children, and injured at least ten others.\n"
    "Among the dead was seven-year-old Sami Haddad, whose uncle mourned him in a Facebook post.\n"
    "Relatives said the four children were killed as they slept.\n"
    "A neighbour shared a photo of the rubble of the house."
)


def test_a_strike_narrative_with_its_named_victims_is_one_killing_claim(extractor: Extractor) -> None:
    (claim,) = _claims(extractor, STRIKE, "killing_maiming")
    assert claim.victims.count == 4
    assert claim.date.start == "2024-03-12"
    assert claim.location.name == "Khan Yunis"
    assert len(claim.mentions) >= 1


def test_two_strikes_on_two_days_stay_two_claims(extractor: Extractor, monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("On 3 March 2024, an airstrike on a house in Rafah killed three children.\n"
            "On 5 March 2024, an airstrike on a school in Khan Yunis killed six children.")
    assert len(_claims(extractor, text, "killing_maiming")) == 2
    decisions = _decisions(extractor, text, "killing_maiming", monkeypatch)
    assert decisions and all(not d.same and d.reasons[0].startswith("dates apart") for d in decisions)


def test_two_figures_for_two_periods_stay_two_claims(extractor: Extractor, monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("The UN verified the recruitment of 120 children by armed groups in the country in 2022.\n"
            "In 2023 the UN verified the recruitment of 185 children by armed groups, up by half.")
    claims = _claims(extractor, text, "recruitment_use")
    assert sorted(c.victims.count for c in claims if c.victims.count) == [120, 185]


def test_a_pattern_and_an_event_stay_two_claims(extractor: Extractor, monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("The militia routinely recruits boys as fighters and porters.\n"
            "Last week militia commanders recruited 40 boys from a displacement camp near Kalemie.")
    claims = _claims(extractor, text, "recruitment_use")
    assert sorted(c.kind for c in claims) == ["incident", "pattern"]
    assert ("a pattern against an event",) in [d.reasons for d in _decisions(extractor, text, "recruitment_use",
                                                                               monkeypatch)]


def test_the_girls_who_were_abducted_names_the_event_not_a_pattern(
    extractor: Extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = ("Gunmen abducted 80 girls from a boarding school in Jangebe, Zamfara state, on Friday.\n"
            "Parents accused the authorities of failing to protect the girls who were abducted.")
    (claim,) = _claims(extractor, text, "abduction")
    assert (claim.kind, claim.victims.count) == ("incident", 80)
    assert claim.evidence.text.startswith("Gunmen abducted 80 girls")


def test_an_undated_headline_figure_joins_its_dated_retelling(extractor: Extractor) -> None:
    # The headline gives the figure without a date; the body gives it again, dated years before
    # the report, after a sentence dated only by "years ago". One event.
    text = ("Two women among 150 schoolgirls seized by Boko Haram in Nigeria found\n\n"
            "Two women kidnapped as schoolgirls by the jihadist group eight years ago have been found, "
            "the army said.\n"
            "They were among 150 schoolgirls abducted by Boko Haram from a school in Chibok in April 2016.")
    (claim,) = _claims(extractor, text, "abduction", published="2024-05-02")
    assert claim.victims.count == 150
    assert claim.date.start == "2016-04"


def test_the_day_of_a_statement_does_not_date_the_event_apart(extractor: Extractor) -> None:
    text = ("At least six children were killed when an airstrike hit the village of Kyauk Ta in Sagaing "
            "region on Sunday, UNICEF said.\n"
            "In a statement issued on Monday, the agency said several other children had been wounded.")
    (claim,) = _claims(extractor, text, "killing_maiming", published="2024-08-14")
    assert claim.victims.count == 6
    assert claim.date.start == "2024-08-11"


def test_a_single_child_is_not_merged_into_a_statistic(extractor: Extractor) -> None:
    text = ("A UN report said almost 90 children had been recruited by the Taliban in Afghanistan in 2012.\n"
            "At least one boy now at the centre was sent on a suicide mission by the Taliban.")
    assert len(_claims(extractor, text, "recruitment_use", published=None)) == 2


def test_a_speaker_named_as_perpetrator_tells_no_events_apart(extractor: Extractor) -> None:
    text = ("Boko Haram militants abducted more than 100 schoolgirls from a school in Dapchi on Monday.\n"
            "Only eight of the abducted girls are still missing, says the military.")
    assert len(_claims(extractor, text, "abduction")) == 1
