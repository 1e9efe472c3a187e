"""Claims that are not claims, and claims read twice, on our own short reports: adults taken
for children, adult victims lending their violation to children named nearby, victims read as
perpetrators, a role played read as an event, one mention repeated."""

from __future__ import annotations

import pytest

from childwatch.extract import Extractor
from childwatch.records import Claim
from conftest import claims_in


def _kinds(claims: list[Claim]) -> list[str]:
    return sorted(c.violation for c in claims)


def test_students_of_a_college_are_not_children(extractor: Extractor) -> None:
    text = (
        "Two students enrolled at a university in Ohio were among the hostages killed in the siege of the "
        "hotel, the university said. Four students were killed when gunmen stormed a secondary school in "
        "the north of the country."
    )
    claims = claims_in(extractor, text)
    assert [c.victims.count for c in claims if c.violation == "killing_maiming"] == [4]
    assert all("university" not in c.evidence.text for c in claims)


@pytest.mark.parametrize(
    "text",
    [
        "Witnesses said women of the village were raped by the militia while boys were taken away to the hills.",
        "Sent to rape an elderly woman they had caught at the well, the boy refused and ran.",
        "A fighter shot several children after their mother tried to flee: the mother was then beaten and raped.",
    ],
)
def test_women_named_nearer_a_rape_or_beating_are_its_victims(extractor: Extractor, text: str) -> None:
    kinds = _kinds(claims_in(extractor, text))
    assert "sexual_violence" not in kinds and "detention_torture" not in kinds


def test_women_and_girls_together_stay_victims_of_rape(extractor: Extractor) -> None:
    text = "Women and girls as young as eleven were raped by the fighters who held the village, a survivor said."
    assert "sexual_violence" in _kinds(claims_in(extractor, text))


def test_boys_who_are_executed_are_killed_not_recruited(extractor: Extractor) -> None:
    text = "Survivors said the militia spared no one in the valley: old men and boys were executed at the quarry."
    assert _kinds(claims_in(extractor, text)) == ["killing_maiming"]


@pytest.mark.parametrize(
    "text",
    [
        "Witnesses said soldiers executed three children at the edge of the village on Sunday.",
        "The militia executed two teenage boys it accused of spying, residents said.",
    ],
)
def test_children_whom_someone_executes_are_killed_not_recruited(extractor: Extractor, text: str) -> None:
    assert _kinds(claims_in(extractor, text)) == ["killing_maiming"]


def test_a_boy_made_to_execute_is_still_recruitment(extractor: Extractor) -> None:
    text = "The footage shows a boy of about twelve forced to execute a captive in the square."
    assert "recruitment_use" in _kinds(claims_in(extractor, text))


def test_children_acting_out_roles_are_no_event(extractor: Extractor) -> None:
    text = "A charity clip shows schoolchildren acting out the roles of smugglers, kidnappers and their victims."
    assert claims_in(extractor, text) == []


def test_gunmen_dressed_as_soldiers_still_abduct(extractor: Extractor) -> None:
    text = "Gunmen dressed as soldiers abducted 40 pupils from the boarding school on Friday night."
    assert "abduction" in _kinds(claims_in(extractor, text))


def test_a_sentence_printed_twice_is_one_claim(extractor: Extractor) -> None:
    """A caption repeats a paragraph word for word; "a woman and a child" is introduced twice."""
    line = "Earlier, the regional ombudsman said a woman and a child had been killed in the shelling"
    text = f"{line}.\nOfficials gave no other details.\nA still image from the town after the shelling\n{line}\n"
    claims = claims_in(extractor, text)
    assert [c.violation for c in claims] == ["killing_maiming"]
    assert len(claims[0].mentions) == 1


def test_child_before_a_plural_noun_counts_no_one_child(extractor: Extractor) -> None:
    """ "the militia recruits child soldiers" is a practice, not one child: it stays apart from the
    boy whose recruitment the report tells next."""
    text = (
        "The movement rejected claims by a monitoring group that the armed wing recruits child soldiers. "
        "A 14-year-old boy recruited by the movement from his village in 2012 told the group he was given a rifle."
    )
    claims = [c for c in claims_in(extractor, text) if c.violation == "recruitment_use"]
    assert sorted((c.kind, c.victims.count) for c in claims) == [("incident", 1), ("pattern", None)]


def test_girls_taken_along_with_women_stay_victims(extractor: Extractor) -> None:
    text = "Girls who escaped the camp said they were sold at a slave market along with dozens of other women."
    assert "sexual_violence" in _kinds(claims_in(extractor, text))


def test_a_year_ending_the_subject_dates_the_event_not_a_statement(extractor: Extractor) -> None:
    """ "On 8 May, a cousin posted that ..." dates the post; "a boy recruited ... in 2011 told
    reporters" dates the recruitment."""
    text = "A 13-year-old boy recruited by the rebels from his village in 2011 told reporters he was given a rifle."
    (claim,) = [c for c in claims_in(extractor, text) if c.violation == "recruitment_use"]
    assert claim.date.start == "2011"


def test_a_practice_over_a_decade_is_a_pattern(extractor: Extractor) -> None:
    text = "During the civil war of the 1980s, soldiers systematically raped girls in the occupied villages."
    (claim,) = claims_in(extractor, text)
    assert claim.kind == "pattern"


def test_the_former_child_soldier_later_in_life_is_the_same_recruitment(extractor: Extractor) -> None:
    text = (
        "He was only 14 when, in 1979, he became a child soldier, joining a rebel front in the hills. "
        "When he was elected mayor in 2009, it was a proud day for the former child soldier."
    )
    claims = [c for c in claims_in(extractor, text) if c.violation == "recruitment_use"]
    assert [c.date.start for c in claims] == ["1979"]


def test_a_generic_description_is_not_one_countrys_group_elsewhere(extractor: Extractor) -> None:
    text = (
        "Shelling hit a market in Homs, Syria, on Monday as opposition forces and the army fought for the "
        "district. At least 40 people were killed, including nine children, activists said."
    )
    (claim,) = claims_in(extractor, text)
    assert claim.perpetrator_id != "spla_io" and claim.location.country == "SY"


def test_thousands_set_apart_by_spaces_are_one_figure(extractor: Extractor) -> None:
    text = "The agency estimates that at least 120 000 child soldiers are fighting in armed conflicts worldwide."
    (claim,) = claims_in(extractor, text)
    assert claim.victims.count == 120000


def test_the_children_among_a_toll_are_counted_by_the_first_figure(extractor: Extractor) -> None:
    text = "A car bomb exploded outside the station on Tuesday. Six of the 19 wounded were minors, the mayor said."
    (claim,) = claims_in(extractor, text)
    assert claim.victims.count == 6


@pytest.mark.parametrize(
    "text",
    [
        "The whereabouts of 210 pupils who were unaccounted for after armed men raided a boarding school are known.",
        "Some 80 pupils remain missing after gunmen attacked their school on Sunday night.",
        "Three of her children were led away by gunmen who stormed the village at dawn.",
        "The bandits marched dozens of girls off into the forest, a teacher said.",
        "Forty pupils went missing from their school after gunmen attacked the town.",
    ],
)
def test_children_missing_or_led_away_after_armed_men_came_are_abducted(extractor: Extractor, text: str) -> None:
    assert "abduction" in _kinds(claims_in(extractor, text))


@pytest.mark.parametrize(
    "text",
    [
        "Two children remain missing after the flood swept through the valley.",
        "Thousands of children are missing school because teachers are on strike.",
        "The pupils were led away to safety by their teachers when the fire broke out.",
    ],
)
def test_children_missing_without_armed_men_are_not_abducted(extractor: Extractor, text: str) -> None:
    assert "abduction" not in _kinds(claims_in(extractor, text))


def test_a_search_for_the_missing_after_a_raid_is_no_abduction(extractor: Extractor) -> None:
    text = "Families wait as the search for the missing goes on after a raid by militants in which 30 pupils died."
    assert "abduction" not in _kinds(claims_in(extractor, text))


@pytest.mark.parametrize(
    "text",
    [
        "The 12-year-old was woken up, where armed men were herding the boarders towards the gate.",
        "Dozens of pupils were rounded up by bandits in the school yard on Monday night.",
        "Militants ushered the schoolgirls into waiting lorries before dawn.",
    ],
)
def test_children_gathered_by_armed_men_are_abducted(extractor: Extractor, text: str) -> None:
    assert "abduction" in _kinds(claims_in(extractor, text))


def test_children_ushered_to_safety_are_not_abducted(extractor: Extractor) -> None:
    text = "When the shooting began, teachers ushered the pupils to safety and the attackers fled."
    assert "abduction" not in _kinds(claims_in(extractor, text))


def test_pictures_of_dead_children_are_no_use_of_children(extractor: Extractor) -> None:
    text = "Photos shared by relatives showed the bodies of three children lying in the rubble of the house."
    assert "recruitment_use" not in {c.violation for c in claims_in(extractor, text)}


def test_a_strike_near_a_hospital_is_no_attack_on_it(extractor: Extractor) -> None:
    text = "A suicide bomber targeted a checkpoint near a military hospital in the city, killing two guards."
    assert claims_in(extractor, text) == []


def test_a_study_of_former_child_soldiers_is_research_not_an_event(extractor: Extractor) -> None:
    text = "This study compares the mental health of former child soldiers in Nepal with that of their neighbours."
    assert claims_in(extractor, text) == []


def test_a_violation_word_in_a_bodys_name_names_no_act(extractor: Extractor) -> None:
    text = "Child Soldiers International, a London charity, published its annual index of armed forces on Monday."
    assert claims_in(extractor, text) == []


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("This study examines the resilience of 200 former child soldiers in northern Uganda.", 0),
        ("The present research compares girls recruited by armed groups with their classmates.", 0),
        ("This report documents the recruitment of 300 children by armed groups in 2023.", 1),
    ],
)
def test_research_telling_what_it_does_is_no_claim_but_its_findings_are(
    extractor: Extractor, text: str, claims: int
) -> None:
    assert len(claims_in(extractor, text)) == claims


@pytest.mark.parametrize(
    ("text", "claims"),
    [
        ("A checklist of obligations regarding children associated with armed forces and armed groups is annexed.", 0),
        ("The aim is to support the reintegration of children associated with armed groups.", 0),
        ("UNICEF secured the release of 300 children associated with armed groups in March.", 1),
    ],
)
def test_the_programmes_name_for_child_soldiers_is_a_topic_unless_an_act_or_count_is_told(
    extractor: Extractor, text: str, claims: int
) -> None:
    assert len(claims_in(extractor, text)) == claims
