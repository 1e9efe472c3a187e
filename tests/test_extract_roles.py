"""Places and actors in their roles, on our own short reports: the place of the event,
not the nationality of whoever struck, nor the home of the force that did it."""

from __future__ import annotations

import pytest

from childwatch.extract import Extractor
from conftest import text_document


def test_the_attackers_nationality_is_not_where_the_event_happened(extractor: Extractor) -> None:
    """Demonyms before a force noun ("Israeli airstrikes", "Israeli forces") say who struck;
    the story's places decide the country of an event its sentence does not place."""
    text = (
        "Israeli airstrikes hit a family home in Rafah overnight, local health officials said. "
        "Israeli forces said they were targeting militants. Four children were killed in the house, "
        "relatives said. Israeli military officials declined to comment on the strike."
    )
    claims = [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"]
    assert claims and {c.location.country for c in claims} == {"PS"}


def test_a_states_forces_abroad_do_not_move_the_event_home(extractor: Extractor) -> None:
    text = (
        "Russian forces shelled a residential area of Kharkiv on Sunday. Russian troops have pressed "
        "their offensive for weeks. Two children were killed and five wounded, the regional governor said."
    )
    claims = [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"]
    assert claims and {c.location.country for c in claims} == {"UA"}


def test_a_groups_home_country_still_places_an_unplaced_event(extractor: Extractor) -> None:
    """A non-state group's country stays a fair guess when the report names no place."""
    text = "Boko Haram fighters abducted 20 girls from their school, a local official said."
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "abduction"]
    assert claim.location.country == "NG"


@pytest.mark.parametrize(
    "text",
    [
        "ABUJA, Nigeria (Wire) — Gunmen abducted 30 schoolgirls from a boarding school on Monday, police said.",
        "ABUJA — Gunmen abducted 30 schoolgirls from a boarding school on Monday, police said.",
    ],
)
def test_a_dateline_is_where_the_report_was_filed_not_the_event(extractor: Extractor, text: str) -> None:
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "abduction"]
    assert claim.location.name is None and claim.location.place_id != "gn:2352778"  # not Abuja
    assert claim.location.country == "NG"  # the dateline's country is still the story's


def test_an_organisations_seat_and_where_a_statement_was_made_are_not_event_places(extractor: Extractor) -> None:
    text = (
        "Militants recruited at least 40 boys in recent months, the London-based monitoring group said. "
        "Three children were killed in the shelling, a spokesperson told reporters in Geneva."
    )
    claims = extractor.extract(text_document(text))
    assert claims and all(c.location.name not in ("London", "Geneva") for c in claims)
    assert all(c.location.country not in ("GB", "CH") for c in claims)


def test_the_military_never_named_is_the_forces_of_the_country_the_report_is_in(extractor: Extractor) -> None:
    text = (
        "Fighting went on for a week in Sagaing Region, Myanmar. On 3 May a 9-year-old boy was killed when "
        "the military shelled his village, residents said."
    )
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"]
    assert claim.perpetrator_id is not None and "myanmar" in claim.perpetrator_id.lower()


@pytest.mark.parametrize("weapon", ["UAVs", "helicopters", "tanks", "snipers"])
def test_a_nationality_before_a_weapon_names_that_states_forces(extractor: Extractor, weapon: str) -> None:
    text = f"Israeli {weapon} opened fire near a school in Khan Younis on 9 October, wounding four children."
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"]
    assert claim.perpetrator_id is not None and "isr" in claim.perpetrator_id.lower()
    assert claim.location.country == "PS"


@pytest.mark.parametrize(
    "text",
    [
        "According to the Hamas-run health ministry in Gaza, 3,600 children have been killed since October.",
        "At least 20 children were killed in the strikes, the Hamas-run health ministry said.",
    ],
)
def test_the_body_behind_a_source_is_not_the_perpetrator(extractor: Extractor, text: str) -> None:
    """'Hamas-run ministry' asserts the figure; it does not say who killed the children."""
    claims = extractor.extract(text_document(text))
    assert claims and all(c.perpetrator is None for c in claims)
    assert all(c.source and "ministry" in c.source.lower() for c in claims)


def test_a_group_described_by_its_ties_is_the_perpetrator_not_the_ally(extractor: Extractor) -> None:
    text = "Fighters of the ADF, a group with ties to the Islamic State, killed 37 pupils at a school in Uganda."
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"]
    assert claim.perpetrator == "Allied Democratic Forces"


def test_responders_are_not_the_perpetrators(extractor: Extractor) -> None:
    text = "Gunmen abducted 12 pupils from a school in Kaduna on Monday; police at the scene returned fire."
    claims = [c for c in extractor.extract(text_document(text)) if c.violation == "abduction"]
    assert claims and all(c.perpetrator is None or "police" not in c.perpetrator.lower() for c in claims)


def test_a_capital_standing_for_its_state_is_an_actor_not_a_place(extractor: Extractor) -> None:
    text = "Moscow's forces shelled a school in Kharkiv, killing two children, Ukrainian officials said."
    claims = [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"]
    assert claims and all(c.location.country == "UA" and c.perpetrator == "Russian forces" for c in claims)
    text = "Russian strikes killed three children in Odesa on Sunday, Kyiv said."
    (claim,) = extractor.extract(text_document(text))
    assert claim.location.country == "UA" and claim.location.name != "Kyiv"


def test_a_border_is_the_edge_of_the_place_not_the_neighbour(extractor: Extractor) -> None:
    text = "Gunmen attacked a school near the Congo border in Mpondwe, Uganda, killing 37 pupils."
    claims = extractor.extract(text_document(text))
    assert claims and {c.location.country for c in claims} == {"UG"}


def test_a_demonym_is_not_the_region_of_the_same_name(extractor: Extractor) -> None:
    """'Somali insurgents' says who; Ethiopia's Somali Region is another matter."""
    text = "Somali insurgents recruited hundreds of children in the south of the country, aid workers said."
    (claim,) = extractor.extract(text_document(text))
    assert claim.location.country != "ET"


@pytest.mark.parametrize(
    ("place", "source_id"),
    [("Kabul", "afghan_authorities"), ("Rafah", "gaza_health_ministry"), ("Bangui", None)],
)
def test_a_generic_body_is_that_of_the_country_the_report_is_set_in(
    extractor: Extractor, place: str, source_id: str | None
) -> None:
    """'The health ministry' is Gaza's only in a report about Gaza; elsewhere it stays unnamed."""
    text = f"Five children were killed in {place} on Monday, according to the health ministry."
    (claim,) = extractor.extract(text_document(text))
    assert claim.source_id == source_id and claim.source == "the health ministry"


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Five children were killed, according to the U.N. children's agency.", "the U.N. children's agency"),
        ("Five children were killed, said spokesman Yusuf Dambo.", "spokesman Yusuf Dambo"),
        ("Five children were killed in the strike, according to the report.", None),
        ("Militants abducted 11 children, the news agency reported.", None),
        # A speaker named by one word is the person the report introduced in full.
        (
            "District commissioner Amina Okello Atim said the roads were closed. Gunmen abducted 11 children "
            "from a village near Gulu, Okello said.",
            "Amina Okello Atim",
        ),
        ("Col. Mark Ruto spoke first. Five children were killed in the raid, Ruto said.", "Col. Mark Ruto"),
        ("A military inquiry concluded that an air strike had killed nine children in the camp.", "A military inquiry"),
    ],
)
def test_sources_are_whole_names_never_fragments(extractor: Extractor, text: str, source: str | None) -> None:
    (claim,) = extractor.extract(text_document(text))
    assert claim.source == source


def test_a_force_named_in_a_glued_table_cell_is_the_perpetrator(extractor: Extractor) -> None:
    """Scraped tables glue a label to its value ("Suspected belligerentRussian Military"): two
    words, and a known body merely named there, with no verb of saying, is the one that struck."""
    text = (
        "Summary of the strikeStrike typeAirstrikeCivilians reported killed5(2 children3 women)"
        "Suspected belligerentRussian Military, Strike statusLikely strike."
    )
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"]
    assert claim.perpetrator_id == "russian_forces"
    assert claim.source_id is None  # the body is the actor here, not anyone's source


def test_the_side_acted_against_is_not_the_perpetrator(extractor: Extractor) -> None:
    text = (
        "Insurgents bombed a crowded market in response to Pakistani military offensives in the valley, "
        "killing nine children."
    )
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"]
    assert claim.perpetrator_id != "pakistani_military"


def test_a_nationality_before_a_word_for_its_acts_names_the_state_force(extractor: Extractor) -> None:
    text = "Six children from one family were killed in Khan Yunis on Monday, allegedly by Israeli actions."
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"]
    assert claim.perpetrator_id == "israeli_forces"


@pytest.mark.parametrize(
    "text",
    [
        "On 3 May 2022, in Zee Phyu Aing village (Bhamo township, Kachin state), a shell fired by soldiers "
        "killed a 7-year-old girl.",
        "On 3 May 2022, in Zee Phyu Aing village of Bhamo township (Kachin state), soldiers fired artillery "
        "rounds. A 7-year-old girl was killed.",
    ],
)
def test_a_village_named_as_such_is_the_place_not_its_township(extractor: Extractor, text: str) -> None:
    """A name the gazetteer lacks, called a village by the text, is where it happened; towns
    named for their township or district contain it, and a later unplaced sentence is set there."""
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"]
    assert claim.location.name == "Zee Phyu Aing"
    assert claim.location.country == "MM"


@pytest.mark.parametrize(
    ("text", "place"),
    [
        # A market named after its village, found after any verb, not only after "in"/"at".
        ("Raiders from the hills attacked Kiptoro Wendo market at dawn, killing three children.", "Kiptoro Wendo"),
        # A township the gazetteer lacks sets the scene of the next, unplaced sentence.
        ("On 2 June 2022, in Zee Phyu Aing township (Kachin state), a mine exploded. A boy of nine was killed.",
         "Zee Phyu Aing"),
    ],
)  # fmt: skip
def test_a_place_the_text_names_as_a_market_or_township_is_kept(extractor: Extractor, text: str, place: str) -> None:
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"]
    assert claim.location.name == place


def test_an_acronym_after_in_is_no_place(extractor: Extractor) -> None:
    text = "Warplanes struck a car in Rafah. Later, a child was killed in UAV fire."
    claims = [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"]
    assert claims and all(c.location.name != "UAV" for c in claims)


def test_a_town_named_for_its_district_sets_the_country_and_a_generic_militia_none(extractor: Extractor) -> None:
    """A town named for its district ("Mawlamyine district") is a place by its own words even
    where no country is named; "a people's militia member" is no alias of one war's separatists
    (it made this Myanmar report Ukrainian)."""
    text = (
        "On 4 June 2022, in Zee Phyu Aing village (Ye township, Mawlamyine district), a bomb exploded near "
        "the office, injuring a people's militia member and a 5-year-old girl."
    )
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"]
    assert claim.location.country == "MM" and claim.location.name == "Zee Phyu Aing"
    assert claim.perpetrator_id != "dpr_lpr_forces"


@pytest.mark.parametrize(
    ("text", "perpetrator"),
    [
        ("On 8 May 2022, in Zee Phyu Aing village of Ye township (Mon state), the military fired artillery "
         "rounds into the village. A woman and a child were injured.", "myanmar_military"),
        ("Russian warplanes struck a house in Idlib on Monday. As a result, nine people including four children "
         "were killed. A monitor said the strike targeted a commander of Hayat Tahrir al-Sham.", "russian_forces"),
    ],
)  # fmt: skip
def test_a_force_the_sentence_before_shows_striking_is_the_perpetrator(
    extractor: Extractor, text: str, perpetrator: str
) -> None:
    """A sentence that names no one takes the state force the one before shows striking, over
    an armed group the report names only as a target."""
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"]
    assert claim.perpetrator_id == perpetrator


@pytest.mark.parametrize(
    ("sentence", "name"),
    [
        ("Her cousin, who lives in Virginia, said two children were killed in the strike.", "Virginia"),
        ("Relatives mourned a sibling of Janan, a girl of four killed in the strike.", "Janan"),
        ("Images posted by Al Khalil show three children wounded in the strike.", "Al Khalil"),
        ("A channel in Jordan and Safa.ps reported that two children were killed in the strike.", "Safa"),
    ],
)
def test_a_residence_a_relative_a_poster_or_a_website_is_not_where_it_happened(
    extractor: Extractor, sentence: str, name: str
) -> None:
    text = f"On 3 May 2024, an airstrike hit a house in Rafah, killing six people. {sentence}"
    claims = [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"]
    assert claims and all(c.location.name != name for c in claims)
    if "Jordan" not in sentence:
        assert all(c.location.country == "PS" for c in claims)


@pytest.mark.parametrize(
    ("text", "perpetrator"),
    [
        ("In retaliation, Pokot militias attacked a market near Marigat, killing four children.", "pokot_militia"),
        ("Dozens of children were kidnapped in a cross-border raid by Murle militants near Pibor.", "murle_militia"),
    ],
)
def test_a_community_militia_is_named_by_any_word_for_armed_men(
    extractor: Extractor, text: str, perpetrator: str
) -> None:
    claims = extractor.extract(text_document(text))
    assert claims and all(c.perpetrator_id == perpetrator for c in claims)


def test_a_village_in_an_unplaced_report_takes_the_province_the_report_names(extractor: Extractor) -> None:
    text = (
        "On 16 October 2021, near Zee Phyu Aing village (Bhamo township, Kachin state), soldiers fired artillery "
        "shells. The shells fell near Zee Phyu Aing village and killed a 6-year-old child."
    )
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"]
    assert claim.location.name == "Zee Phyu Aing" and claim.location.admin1 == "Kachin"


@pytest.mark.parametrize(
    "sentence",
    [
        "A teacher, from Khemisset, was killed with her two children.",
        "A teacher named Salma, from Sefrou in Morocco, was killed with her two children.",
        "A Tiflet native was killed with her two children.",
    ],
)
def test_where_a_victim_comes_from_is_not_where_the_strike_was(extractor: Extractor, sentence: str) -> None:
    text = f"On 3 May 2024, an airstrike hit a school sheltering displaced families in Jabalia. {sentence}"
    claims = [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"]
    assert claims and all(c.location.country == "PS" for c in claims)


def test_a_neighbourhood_east_of_a_town_is_in_that_towns_country(extractor: Extractor) -> None:
    text = "An airstrike hit a home in the Al-Geneina neighborhood, east of Rafah, killing four children."
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"]
    assert claim.location.country == "PS"


@pytest.mark.parametrize(
    "text",
    [
        "Gunmen attacked the Police Secondary School in Kano on Monday, killing 12 children.",
        "Militants stormed a school in Peshawar. The siege at Army Public School ended with 132 children dead.",
    ],
)
def test_an_actor_word_in_a_schools_name_is_the_place_attacked_not_the_actor(extractor: Extractor, text: str) -> None:
    # No police and no army in these reports: they name a school.
    claims = [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"]
    assert claims
    for claim in claims:
        assert (claim.perpetrator, claim.source) == (None, None)


def test_forces_holding_children_in_their_own_barracks_are_the_actor(extractor: Extractor) -> None:
    # A barracks is no school: the army holding children in army barracks stays their detainer.
    text = "Soldiers detained 12 children in army barracks in Maiduguri for months, a report said."
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "detention_torture"]
    assert claim.perpetrator == "Nigerian military"


@pytest.mark.parametrize(
    "text",
    [
        "Gunmen abducted a girl accused of helping the army near the market in Maiduguri.",
        "The attack, claimed by a local militia, killed three children near the market in Maiduguri.",
    ],
)
def test_a_participle_after_a_noun_makes_no_speaker(extractor: Extractor, text: str) -> None:
    # "a girl accused of ...", "the attack, claimed by ...": what is spoken of, not who speaks.
    claims = extractor.extract(text_document(text))
    assert claims and all(c.source is None for c in claims)


@pytest.mark.parametrize("joint", ["; as such", " - as such"])
def test_a_connector_before_the_speaker_is_not_part_of_its_name(extractor: Extractor, joint: str) -> None:
    text = f"The ages were not given{joint} the monitoring group estimated that four children were killed in Mosul."
    (claim,) = extractor.extract(text_document(text))
    assert claim.source == "the monitoring group"


@pytest.mark.parametrize(
    "text",
    [
        "Three children were killed in an airstrike in the eastern Syrian city of Deir Ezzor.",
        "Three children were killed in an airstrike on Deir Ezzor city, a monitor said.",
        "Three children were killed in an airstrike in the city of Idlib.",
    ],
)
def test_the_city_a_province_is_named_for_is_the_town_not_the_province(extractor: Extractor, text: str) -> None:
    (claim,) = extractor.extract(text_document(text))
    assert claim.location.precision == "place" and claim.location.name in ("Deir Ezzor", "Idlib")
    assert claim.location.lat is not None


def test_a_province_named_as_such_stays_the_province(extractor: Extractor) -> None:
    text = "Three children were killed in an airstrike in Deir Ezzor province, a monitor said."
    (claim,) = extractor.extract(text_document(text))
    assert (claim.location.name, claim.location.admin1, claim.location.precision) == (None, "Deir Ezzor", "admin1")


@pytest.mark.parametrize(
    "text",
    [
        # Soldiers counted among the dead beside the children.
        "By the time the siege at the secondary school in Maiduguri ended, 40 children, six teachers "
        "and two soldiers were dead, a government spokesman said.",
        # Soldiers whose children the pupils are.
        "The attack on a school in Maiduguri that mostly teaches soldiers' children killed 12 pupils on Monday.",
    ],
)
def test_soldiers_among_the_victims_or_their_parents_are_not_the_perpetrators(extractor: Extractor, text: str) -> None:
    claims = extractor.extract(text_document(text))
    assert claims and all(c.perpetrator is None or "military" not in c.perpetrator.lower() for c in claims)


def test_children_who_only_frequent_the_place_struck_are_not_its_victims(extractor: Extractor) -> None:
    """"A market frequented by women and children" says who goes there, not who died."""
    text = "A car bomb in a market frequented by women and children killed 30 people in the city in 2011."
    assert [c for c in extractor.extract(text_document(text)) if c.violation == "killing_maiming"] == []


def test_peacekeepers_sent_to_protect_are_never_the_inferred_perpetrator(extractor: Extractor) -> None:
    """Peacekeepers are the actor only where their own sentence names them (`named_only`), and the
    many countries their missions serve do not set where the report is."""
    text = (
        "The United Nations sent a battalion of peacekeepers to Bor in South Sudan last week to protect "
        "civilians. Two days later, 30 children were abducted from villages near Bor, a local official said."
    )
    (claim,) = extractor.extract(text_document(text))
    assert (claim.violation, claim.perpetrator, claim.location.country) == ("abduction", None, "SS")


def test_the_soldiers_of_child_soldiers_are_the_victims_not_the_states_forces(extractor: Extractor) -> None:
    text = (
        "Armed factions in South Sudan have agreed to free all child soldiers and other children used as "
        "sex slaves, the United Nations said."
    )
    claims = extractor.extract(text_document(text))
    assert {c.violation for c in claims} == {"recruitment_use", "sexual_violence"}
    assert all(c.perpetrator is None or "military" not in c.perpetrator for c in claims)


def test_a_group_that_never_acts_in_the_reports_country_sets_the_event_in_its_lands(extractor: Extractor) -> None:
    text = (
        "Boko Haram abducted 20 girls in Maiduguri, Nigeria, on Monday. Nigerian officials said the army was "
        "searching the forest near Maiduguri. Years ago the Pakistani Taliban shot a 15-year-old schoolgirl "
        "on her way home."
    )
    places = {c.violation: (c.location.name, c.location.country) for c in extractor.extract(text_document(text))}
    assert places == {"abduction": ("Maiduguri", "NG"), "killing_maiming": (None, "PK")}
