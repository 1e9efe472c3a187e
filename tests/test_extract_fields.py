"""Fields of claims on our own short reports: who speaks across sentences ("the panel found",
"the news agency said", "X was quoted as saying"), kinds, dates, places and actors in their roles."""

from __future__ import annotations

import pytest

from childwatch.extract import Extractor
from conftest import claims_in


def test_the_panel_refers_back_to_the_body_named_before(extractor: Extractor) -> None:
    text = (
        "Armed groups in the region have committed war crimes, UNICEF said on Tuesday. "
        "Ms. Dana Orlova, a lawyer for the families, said the findings were overdue. "
        "The panel reported that girls as young as ten were raped by fighters of the militia."
    )
    claims = [c for c in claims_in(extractor, text) if c.violation == "sexual_violence"]
    assert [c.source_id for c in claims] == ["unicef"]


def test_the_investigators_detailed_is_an_attribution(extractor: Extractor) -> None:
    text = (
        "Fighters have committed crimes against humanity, UNICEF said on Tuesday. "
        "The investigators detailed the killing of boys who refused to join the militia."
    )
    claims = [c for c in claims_in(extractor, text) if c.violation == "killing_maiming"]
    assert [c.source_id for c in claims] == ["unicef"]


def test_the_news_agency_is_the_agency_the_sentence_names(extractor: Extractor) -> None:
    text = (
        "A driver for the Agence France-Presse news agency and his two daughters were killed in a shelling "
        "of the market, the news agency said."
    )
    (claim,) = claims_in(extractor, text)
    assert claim.source == "Agence France-Presse"


def test_quoted_as_saying_names_the_speaker(extractor: Extractor) -> None:
    text = (
        "The district clinic was quoted by a radio station as saying that at least 12 children have been "
        "wounded in the shelling."
    )
    (claim,) = claims_in(extractor, text)
    assert claim.source == "The district clinic"


def test_a_running_total_from_several_attacks_is_an_aggregate_where_a_place_is_named(
    extractor: Extractor,
) -> None:
    text = "Doctors in Kramatorsk said at least 31 children have been killed in the strikes on the city."
    (claim,) = claims_in(extractor, text)
    assert claim.location.precision == "place" and claim.kind == "aggregate"


def test_children_within_a_days_toll_is_an_aggregate(extractor: Extractor) -> None:
    text = "At least 64 deaths were reported across the country on Monday, including nine children, monitors said."
    (claim,) = claims_in(extractor, text)
    assert claim.kind == "aggregate"


def test_one_attacks_toll_including_children_stays_an_incident(extractor: Extractor) -> None:
    text = "A car bomb in the capital on Monday caused 23 deaths, including seven children, police said."
    (claim,) = claims_in(extractor, text)
    assert claim.kind == "incident"


def test_a_worldwide_figure_is_an_aggregate(extractor: Extractor) -> None:
    text = "At least 80,000 child soldiers are fighting in armed conflicts worldwide, the charity estimates."
    (claim,) = [c for c in claims_in(extractor, text) if c.violation == "recruitment_use"]
    assert claim.kind == "aggregate"


def test_a_courts_seat_is_not_where_the_events_were(extractor: Extractor) -> None:
    text = (
        "The special tribunal in The Hague has charged two commanders over the deportation and abduction "
        "of Ukrainian children from occupied towns."
    )
    claims = [c for c in claims_in(extractor, text) if c.violation == "abduction"]
    assert [c.location.country for c in claims] == ["UA"]


def test_the_childrens_nationality_places_an_unplaced_claim(extractor: Extractor) -> None:
    text = (
        "Prosecutors accuse the Russian commissioner of organising the abduction of Ukrainian children, "
        "the statement said."
    )
    claims = [c for c in claims_in(extractor, text) if c.violation == "abduction"]
    assert [c.location.country for c in claims] == ["UA"]


def test_a_persons_surname_is_not_the_armed_group_of_that_name(extractor: Extractor) -> None:
    text = (
        "Gunmen killed four schoolchildren near Timbuktu, Mali, on Sunday, school director Paul Wagner said."
    )
    (claim,) = claims_in(extractor, text)
    assert claim.perpetrator_id != "wagner_group"


def test_a_running_total_told_in_the_present_runs_up_to_the_reports_day(extractor: Extractor) -> None:
    text = "Doctors in Kramatorsk said at least 31 children have been killed in the strikes on the city."
    (claim,) = claims_in(extractor, text, published="2024-05-10")
    assert claim.kind == "aggregate" and (claim.date.start, claim.date.end) == (None, "2024-05-10")


def test_an_undated_practice_takes_the_period_the_report_gives_elsewhere(extractor: Extractor) -> None:
    text = (
        "The monitors examined what the militia has done in the valley since March 2019.\n\n"
        "Its fighters routinely abduct boys from their villages and send them to training camps."
    )
    claims = [c for c in claims_in(extractor, text, published="2021-02-01") if c.kind == "pattern"]
    assert claims and all(c.date.start == "2019-03" for c in claims)


def test_the_state_named_as_the_attacker_is_not_where_it_happened(extractor: Extractor) -> None:
    text = (
        "Overnight shelling wrecked a Ukrainian children's hospital and killed a three-day-old girl "
        "as Russia kept targeting clinics across the south."
    )
    claims = [c for c in claims_in(extractor, text) if c.violation == "killing_maiming"]
    assert claims and all(c.location.country == "UA" for c in claims)


@pytest.mark.parametrize("ages", ["10, 12 and 14", "14, 12, and 10"])
def test_a_list_of_ages_is_bounded_by_the_youngest_and_the_oldest(extractor: Extractor, ages: str) -> None:
    text = f"Three pupils aged {ages} were killed when gunmen opened fire on their school in Kumba."
    claims = [c for c in claims_in(extractor, text) if c.violation == "killing_maiming"]
    assert [(c.victims.count, c.victims.age_min, c.victims.age_max) for c in claims] == [(3, 10, 14)]


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("Karim is just 15 and a child soldier of the militia, trained at a camp near Raqqa.", 15),
        ("The girl was only 9 when she was abducted by gunmen near Kano.", 9),
        ("The toll was only 12 people after gunmen attacked a school in Kano, killing children.", None),
    ],
)
def test_an_age_told_with_just_or_only(extractor: Extractor, text: str, age: int | None) -> None:
    (claim, *_) = claims_in(extractor, text)
    assert (claim.victims.age_min, claim.victims.age_max) == (age, age)


def test_a_babys_age_in_days_is_not_a_count(extractor: Extractor) -> None:
    text = "A rocket hit the maternity ward in Orikhiv overnight and killed a 3-day-old baby, the governor said."
    claims = [c for c in claims_in(extractor, text) if c.violation == "killing_maiming"]
    assert [(c.victims.count, c.victims.age_max) for c in claims] == [(1, 0)]


def test_a_capital_launching_strikes_is_the_state_acting_not_the_place(extractor: Extractor) -> None:
    text = (
        "Russian troops pressed on in the east. A newborn girl was killed when a missile struck a hospital "
        "in southern Ukraine, as Moscow unleashed another wave of strikes across the country."
    )
    claims = [c for c in claims_in(extractor, text) if c.violation == "killing_maiming"]
    assert claims and all(c.location.country == "UA" and c.location.name != "Moscow" for c in claims)


def test_a_toll_over_days_of_war_is_a_reported_total_not_one_attack(extractor: Extractor) -> None:
    texts = [
        "More than 2,900 children were killed in the first 30 days of the war, the health ministry said.",
        "On average 210 children are killed or injured every day in the enclave since 9 October, the agency said.",
        "The charity condemned the deaths of more than 700 children in the Darfur war.",
    ]
    for text in texts:
        kinds = {c.kind for c in claims_in(extractor, text, published="2024-11-20") if c.violation == "killing_maiming"}
        assert kinds == {"aggregate"}, text


def test_a_child_taken_to_hospital_is_not_abducted(extractor: Extractor) -> None:
    text = (
        "A shell killed a nine-year-old boy in Beryslav on Sunday. His sister was taken to hospital in "
        "Kherson with wounds to her arms, the governor said."
    )
    assert "abduction" not in {c.violation for c in claims_in(extractor, text)}
    taken = "Gunmen stormed the village and two girls were taken by the militants, residents said."
    assert "abduction" in {c.violation for c in claims_in(extractor, taken)}


def test_a_place_named_for_another_event_is_not_the_claims_place(extractor: Extractor) -> None:
    text = (
        "Gunmen abducted 120 schoolgirls from their school in Dapchi on Monday night. "
        "Asked about the bombings in Kano, which came the same day as the mass abduction of schoolgirls, "
        "the minister said the army would find them. Parents in Dapchi waited for news."
    )
    claims = [c for c in claims_in(extractor, text) if c.violation == "abduction"]
    assert claims and all(c.location.name != "Kano" for c in claims)


def test_a_pronoun_that_may_be_an_adults_gives_no_sex(extractor: Extractor) -> None:
    text = "The infant's grandmother spoke of her death in a strike on a maternity ward in Kherson."
    claims = [c for c in claims_in(extractor, text) if c.violation == "killing_maiming"]
    assert claims and all(c.victims.sex is None for c in claims)
    alone = "A seven-year-old was killed by a shell in Kherson as she walked to school."
    assert {c.victims.sex for c in claims_in(extractor, alone) if c.violation == "killing_maiming"} == {"female"}


def test_the_class_of_attacks_an_event_is_compared_with_is_no_second_attack(extractor: Extractor) -> None:
    text = (
        "An airstrike on a village school in Magway Region killed seven children on Friday, residents said, "
        "in one of the deadliest attacks on a school since the 2021 coup."
    )
    attacks = [c for c in claims_in(extractor, text) if c.violation == "attack_school_hospital"]
    assert attacks and all(c.date.start != "2021" for c in attacks)


def test_who_runs_a_place_is_not_a_town(extractor: Extractor) -> None:
    text = "Boys as young as 11 are trained to fight in Houthi-run summer camps, the monitors said."
    claims = claims_in(extractor, text, published="2023-04-12")
    assert claims and all(c.location.name != "Houthi" for c in claims)


@pytest.mark.parametrize(
    ("text", "sex"),
    [
        ("Armed groups recruited 300 children last year, including 40 girls, the agency said.", "mixed"),
        ("Armed groups recruited 300 children last year, the agency said.", None),
        ("Armed groups recruited 40 girls last year, the agency said.", "female"),
    ],
)
def test_children_including_some_girls_are_of_both_sexes(extractor: Extractor, text: str, sex: str | None) -> None:
    (claim,) = claims_in(extractor, text)
    assert claim.victims.sex == sex


def test_a_then_age_and_an_attempt_to_assassinate_are_read(extractor: Extractor) -> None:
    """"the then-14-year-old" is an age, not the end of a range "12-14"; an attempt to
    assassinate a child is a claim of killing and maiming."""
    text = "The militants tried to assassinate the then-14-year-old as she walked home from school in Swat."
    (claim,) = claims_in(extractor, text)
    assert (claim.violation, claim.victims.count, claim.victims.age_min) == ("killing_maiming", 1, 14)


def test_a_cause_named_for_children_is_no_child(extractor: Extractor) -> None:
    """An activist for girls' education is an adult: "girls'" names the cause, not a victim."""
    assert claims_in(extractor, "A prominent activist for girls' education was shot dead in Kano on Monday.") == []


def test_an_aside_between_dashes_does_not_part_the_child_from_the_act(extractor: Extractor) -> None:
    text = (
        "This is the town where a 12-year-old boy -- the youngest of five brothers and a keen footballer "
        "at the local club -- was shot dead by soldiers last week."
    )
    (claim,) = claims_in(extractor, text)
    assert (claim.violation, claim.victims.count, claim.victims.age_min) == ("killing_maiming", 1, 12)
