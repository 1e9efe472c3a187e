"""One claim per event in a report, on our own short reports: text glued where markup was
stripped, the days of publications and ledes, victims summed over one strike."""

from __future__ import annotations

import pytest

from childwatch.extract import Extractor
from childwatch.extract.sentences import split_sentences
from conftest import text_document


def _killings(extractor: Extractor, text: str, published: str | None = "2024-05-10") -> list:
    return [c for c in extractor.extract(text_document(text, published)) if c.violation == "killing_maiming"]


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("The shell hit the farmhouse.Neighbours ran to help.", 2),
        ("Two adults were injured.12-year-old Rami was killed.", 2),
        ("It was bombed on 2 May 2024.The family was inside.", 2),
        ("Dr. Okoro met Mr.Bello at 3.5 km from the U.S. base.", 1),  # abbreviations and decimals
    ],
)
def test_a_full_stop_glued_to_the_next_sentence_still_ends_one(text: str, pieces: int) -> None:
    assert len(split_sentences(text)) == pieces


def test_a_casualty_breakdown_glued_to_its_label_is_read(extractor: Extractor) -> None:
    """Stripped table cells: "killed9(4 children5 women)" still says four children were killed."""
    text = "Strike summary. People reported killed9(4 children5 women)People reported injured3"
    claims = _killings(extractor, text)
    assert [c.victims.count for c in claims] == [4]


def test_the_day_a_list_was_published_does_not_date_the_next_sentence(extractor: Extractor) -> None:
    text = (
        "Relatives gathered outside the morgue. The names were checked against a list published on "
        "8 May 2024. Three children were killed in the house, a neighbour said."
    )
    (claim,) = _killings(extractor, text)
    assert claim.date.start is None  # not 2024-05-08: that day dates the list


def test_an_undated_mention_takes_the_day_of_the_reports_lede(extractor: Extractor) -> None:
    """A strike narrative dates its news once, in the lede; later sentences tell its victims."""
    text = (
        "On 6 May 2024, an airstrike hit a house in Deir al-Balah, killing nine people. "
        "The names were checked against a list published on 9 May 2024. "
        "Among the dead were four children from the same family."
    )
    claims = _killings(extractor, text)
    assert claims and all(c.date.start == "2024-05-06" for c in claims)


def test_an_events_count_is_the_largest_figure_its_mentions_state(extractor: Extractor) -> None:
    """The fullest mention (place, date, actor) names one child; a later one gives the toll:
    the event counts all four."""
    text = (
        "An airstrike by the army hit a house in Deir al-Balah on 6 May 2024, and a boy was killed, "
        "his uncle said. Four children died in the strike, the civil defence said."
    )
    (claim,) = _killings(extractor, text)
    assert claim.victims.count == 4


def test_a_narratives_named_victims_are_one_event_with_its_lede(extractor: Extractor) -> None:
    """Each later sentence names a child of the strike the lede dated: one claim, not three."""
    text = (
        "On 6 May 2024, an airstrike hit a family home in Deir al-Balah, killing nine people. "
        "A 7-year-old girl was killed with her grandmother. "
        "Her 4-year-old brother was also killed."
    )
    claims = _killings(extractor, text)
    assert len(claims) == 1 and claims[0].date.start == "2024-05-06"


@pytest.mark.parametrize(
    "text",
    [
        "An airstrike hit a house in Khan Younis on 6 May 2024. Nadia's two sons were killed in the strike.",
        "An airstrike hit a house in Khan Younis on 6 May 2024. Three children of the Hamdan family were killed.",
        "An airstrike hit a house in Khan Younis on 6 May 2024, killing her son Jamil and two daughters, aged 4 and 9.",
    ],
)
def test_a_persons_name_is_not_a_place(extractor: Extractor, text: str) -> None:
    """Names the gazetteer also knows as towns abroad (a district in India, a town in Libya)."""
    claims = _killings(extractor, text)
    assert claims and all(c.location.country == "PS" for c in claims)


def test_a_neighbourhood_named_after_a_town_is_inside_the_town_named_next(extractor: Extractor) -> None:
    text = "Three children were killed when a strike hit a house in the El Geneina neighbourhood of Rafah."
    (claim,) = _killings(extractor, text)
    assert claim.location.country == "PS" and claim.location.name == "Rafah"


def test_a_neighbourhood_of_gaza_city_places_the_strike_in_the_city(extractor: Extractor) -> None:
    """Reports place strikes by neighbourhood ("Zeitoun", "al-Shati camp"), not by "Gaza"
    (the Strip's province, 10-20 km off): codebook places.toml."""
    text = "Four children were killed when a strike hit a house in the Al-Zaytoun neighbourhood of Gaza."
    (claim,) = _killings(extractor, text)
    assert claim.location.name == "Al-Zaytoun" and claim.location.country == "PS"
    assert claim.location.lat is not None and abs(claim.location.lat - 31.49) < 0.05


@pytest.mark.parametrize(
    "text",
    [
        "The handbook on Child Soldier Reintegration is one of a series written for field staff.",
        "This paper reviews the sleep problems former child soldiers live with.",
        "Refugees, a group which includes child soldiers, face the highest risks.",
    ],
)
def test_child_soldiers_named_as_a_topic_are_no_claim(extractor: Extractor, text: str) -> None:
    """Abstracts and reports mention child soldiers as their subject: no one recruits anyone."""
    assert not [c for c in extractor.extract(text_document(text)) if c.violation == "recruitment_use"]


@pytest.mark.parametrize(
    "text",
    [
        "The rebels recruited child soldiers from the camps.",
        "Some 300 child soldiers were released in Yambio last week.",
        "He became a child soldier at the age of twelve.",
    ],
)
def test_child_soldiers_in_an_act_a_count_or_a_life_are_still_claims(extractor: Extractor, text: str) -> None:
    assert [c for c in extractor.extract(text_document(text)) if c.violation == "recruitment_use"]


def test_the_day_a_relative_posted_does_not_date_the_strike(extractor: Extractor) -> None:
    """The lede dates the strike; a later "On <day>, X posted ..." dates only the post."""
    text = (
        "On 6 May 2024, an airstrike hit a family home in Deir al-Balah, killing nine people. "
        "On 8 May 2024, a cousin posted on Facebook that two children of the family were killed in the strike."
    )
    claims = _killings(extractor, text)
    assert len(claims) == 1 and claims[0].date.start == "2024-05-06"


@pytest.mark.parametrize("when", ["a week after", "two days before", "months earlier than", "in a previous raid, when"])
def test_an_earlier_event_told_after_the_lede_keeps_apart_from_it(extractor: Extractor, when: str) -> None:
    # The second sentence tells of another attack at another time: it must neither take the
    # lede's day nor lend the lede its figure.
    text = (
        "An artillery shell killed a girl in Talvaro on Sunday, the district governor said.\n\n"
        f"The shell struck a market {when} a drone attack killed three children in the same town."
    )
    killings = _killings(extractor, text, "2024-05-07")
    assert sorted(c.victims.count or 0 for c in killings) == [1, 3]
    assert [c.date.start for c in killings if c.victims.count == 1] == ["2024-05-05"]


@pytest.mark.parametrize(
    "recap",
    [
        "Their mother was killed alongside her youngest son, a cousin wrote.",
        "A cousin wrote that a boy of seven died in the strike.",
    ],
)
def test_a_date_borrowed_from_the_sentence_before_does_not_split_the_strike(extractor: Extractor, recap: str) -> None:
    """An undated sentence takes the date of the one before, which may be another death's
    ("killed in the 2014 war"): when it refers back to the event told, that date does not
    tell it apart."""
    text = (
        "On 8 May 2024, an alleged airstrike hit the Haddad family home in Deir al-Balah, killing at least "
        f"four children. Their grandfather had been killed in the 2014 war. {recap}"
    )
    claims = _killings(extractor, text)
    assert len(claims) == 1 and claims[0].date.start == "2024-05-08"


def test_a_date_borrowed_by_a_new_event_still_keeps_it_apart(extractor: Extractor) -> None:
    text = (
        "On 2 May 2024, gunmen shot dead three children in Kafin Dutse. On 6 May 2024, gunmen stormed a "
        "farm near Bida. Two children were killed."
    )
    assert len(_killings(extractor, text)) == 2


def test_the_day_a_relative_with_a_long_name_posted_does_not_date_the_strike(extractor: Extractor) -> None:
    text = (
        "On 6 May 2024, an airstrike hit a family home in Deir al-Balah, killing nine people. "
        "The following day, on 7 May, a family member Abu Khalil Samir Haddad confirmed on Facebook that the "
        "four children of his brother were killed in the strike."
    )
    claims = _killings(extractor, text)
    assert len(claims) == 1 and claims[0].date.start == "2024-05-06"


def test_a_victim_who_died_of_wounds_later_is_of_the_same_strike(extractor: Extractor) -> None:
    text = (
        "On 6 May 2024, an airstrike hit a family home in Rafah, killing three children. A boy of 12 was "
        "wounded in the strike and died of his injuries on 20 May 2024."
    )
    claims = _killings(extractor, text, "2024-05-25")
    assert len(claims) == 1 and claims[0].date.start == "2024-05-06"


def test_today_inside_a_quotation_does_not_date_the_strike_apart(extractor: Extractor) -> None:
    text = (
        "On 6 May 2024, an airstrike hit a family home in Rafah, killing three children. A mosque shared a photo "
        "of a pupil, writing that the boy of 12 “was killed today in the strike on his home.”"
    )
    claims = _killings(extractor, text, "2024-05-08")
    assert len(claims) == 1 and claims[0].date.start == "2024-05-06"


def test_a_child_counted_only_by_the_does_not_lead_an_event_over_its_stated_mention(extractor: Extractor) -> None:
    """"The child suicide bomber" is a type (or a child told of before), not a figure: the event's
    evidence is the sentence that tells what happened, where."""
    text = (
        "The boys were caught in Peshawar while trying to plant explosives for a militant group. "
        "Across the region, the child suicide bomber has become a familiar figure."
    )
    (claim,) = extractor.extract(text_document(text))
    assert claim.violation == "recruitment_use" and claim.evidence.text.startswith("The boys were caught")


def test_a_gunfight_at_a_school_is_an_attack_on_it(extractor: Extractor) -> None:
    text = "Gunmen engaged in a firefight with guards at a secondary school in Kebbi on Thursday night."
    assert [c.violation for c in extractor.extract(text_document(text))] == ["attack_school_hospital"]


def test_the_attack_itself_leads_over_the_school_the_pupils_were_taken_from(extractor: Extractor) -> None:
    text = (
        "A spokesman said the principal of the school where the pupils were seized by gunmen had given them "
        "a list of names. The raid began at night, when the gunmen stormed the boarding school in Kebbi."
    )
    (attack,) = [c for c in extractor.extract(text_document(text)) if c.violation == "attack_school_hospital"]
    assert attack.evidence.text.startswith("The raid began")
