"""Extraction on our own fixture reports (tests/fixtures/reports), one behaviour each."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from childwatch.extract import Extractor
from childwatch.ingest import read_path
from childwatch.records import Document
from conftest import text_document

FIXTURES = Path(__file__).parent / "fixtures" / "reports"
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


def _months_overlap(a: tuple[str | None, str | None], b: tuple[str | None, str | None]) -> bool:
    def span(x: tuple[str | None, str | None]) -> tuple[str, str] | None:
        start, end = x[0] or x[1], x[1] or x[0]
        if start is None or end is None:
            return None
        return start[:7], end[:7] if len(end) >= 7 else end + "-12"
    sa, sb = span(a), span(b)
    return sa is not None and sb is not None and not (sa[1] < sb[0][:len(sa[1])] or sb[1] < sa[0][:len(sb[1])])


@pytest.mark.parametrize("doc_id", sorted(EXPECTED))
def test_fixture_report_gives_the_expected_claims(extractor: Extractor, doc_id: str) -> None:
    (doc,) = list(read_path(FIXTURES / f"{doc_id}.json"))
    assert isinstance(doc, Document)
    claims = extractor.extract(doc)
    expected = EXPECTED[doc_id]
    assert sorted(c.violation for c in claims) == sorted(e["violation"] for e in expected)
    for e in expected:
        claim = next(c for c in claims if c.violation == e["violation"])
        assert claim.kind == e["kind"]
        assert claim.perpetrator_id == e["perpetrator_id"]
        assert claim.location.country == e["country"]
        for field, value in (("count", claim.victims.count), ("age_min", claim.victims.age_min),
                             ("age_max", claim.victims.age_max), ("sex", claim.victims.sex)):
            if e[field] is not None:
                assert value == e[field], field
        if e["date_start"] or e["date_end"]:
            assert _months_overlap((claim.date.start, claim.date.end), (e["date_start"], e["date_end"]))
        if e["source_contains"]:
            assert claim.source and e["source_contains"].lower() in claim.source.lower()


def test_every_field_points_into_the_text(extractor: Extractor) -> None:
    for doc in read_path(FIXTURES):
        if not isinstance(doc, Document):
            continue
        for claim in extractor.extract(doc):
            spans = [claim.evidence, claim.trigger, claim.perpetrator_span, claim.victims.count_span,
                     claim.victims.age_span, claim.location.span, claim.date.span, claim.source_span, *claim.mentions]
            for span in spans:
                if span is not None:
                    assert doc.text[span.start:span.end] == span.text


def test_counts_ages_and_qualifiers(extractor: Extractor) -> None:
    text = ("At least 500 children were kidnapped by Islamic State fighters from Anbar and Diyala provinces "
            "in the past weeks, Iraqi authorities said.")
    (claim,) = extractor.extract(text_document(text, "2015-07-06"))
    assert (claim.violation, claim.victims.count, claim.victims.qualifier) == ("abduction", 500, "at least")
    assert claim.perpetrator_id == "islamic_state"
    assert claim.location.country == "IQ"
    assert claim.source == "Iraqi authorities"


def test_teenage_and_year_old_ages(extractor: Extractor) -> None:
    (claim,) = extractor.extract(text_document("A 14-year-old boy was shot dead by soldiers in Kharkiv on Monday."))
    assert (claim.victims.age_min, claim.victims.age_max, claim.victims.sex, claim.victims.count) == (14, 14, "male", 1)


def test_adults_only_violence_is_not_a_child_claim(extractor: Extractor) -> None:
    text = "Gunmen killed eight soldiers and two policemen near the border on Sunday."
    assert extractor.extract(text_document(text)) == []


def test_several_mentions_of_one_abduction_become_one_claim(extractor: Extractor) -> None:
    text = ("Boko Haram militants abducted 110 schoolgirls from a school in Dapchi, Yobe state, on Monday.\n"
            "The girls were taken away in trucks, witnesses said.\n"
            "Parents said the abducted girls had not been seen since.")
    claims = [c for c in extractor.extract(text_document(text)) if c.violation == "abduction"]
    assert len(claims) == 1
    assert claims[0].victims.count == 110
    assert claims[0].mentions


def test_coreference_resolves_the_group_to_the_named_actor(extractor: Extractor) -> None:
    text = ("Al-Shabaab has stepped up attacks in the region.\n"
            "Last month the group abducted 30 boys from a Koranic school near Jowhar and took them to training camps.")
    claims = extractor.extract(text_document(text))
    abduction = next(c for c in claims if c.violation == "abduction")
    assert abduction.perpetrator_id == "al_shabaab"
    assert abduction.perpetrator_span is not None and abduction.perpetrator_span.text == "the group"


def test_hypothetical_recruitment_is_not_a_claim(extractor: Extractor) -> None:
    text = "Analysts warned that the militia could recruit children if the ceasefire collapses."
    assert [c for c in extractor.extract(text_document(text)) if c.violation == "recruitment_use"] == []


def test_pattern_kind_for_a_general_practice(extractor: Extractor) -> None:
    (claim,) = extractor.extract(text_document("The Taliban routinely uses boys as spies and messengers in Helmand."))
    assert (claim.violation, claim.kind) == ("recruitment_use", "pattern")


def test_graphic_passage_is_flagged(extractor: Extractor) -> None:
    text = "A video showed a boy of about twelve holding a severed head in Raqqa, the Islamic State stronghold."
    claims = extractor.extract(text_document(text))
    assert claims and all(c.graphic for c in claims)


def test_empty_and_junk_text_give_no_claims(extractor: Extractor) -> None:
    assert extractor.extract(text_document("")) == []
    assert extractor.extract(text_document("\u200b\u202e" * 50 + "<<<>>>" * 20)) == []


# --- fields from the claim's own clause ------------------------------------------------------


def test_a_status_share_does_not_replace_the_count_of_victims(extractor: Extractor) -> None:
    text = "By Friday, only five of the 84 abducted schoolgirls were still held, according to the police."
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "abduction"]
    assert claim.victims.count == 84
    assert claim.victims.count_span is not None and "84" in claim.victims.count_span.text


def test_the_date_comes_from_the_clause_of_the_violation(extractor: Extractor) -> None:
    text = ("Gunmen burned the market of Gwoza in 2011, a short drive from where fighters "
            "abducted 60 girls in 2014.")  # fmt: skip
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "abduction"]
    assert claim.date.start == "2014" and claim.date.span is not None and claim.date.span.text == "2014"


def test_an_unresolvable_relative_date_leaves_the_date_unknown(extractor: Extractor) -> None:
    # No publication date: "last month" cannot be read, and the 2012 attack is another event.
    text = "The village was attacked in 2012, near the spot where militants last month abducted 70 boys."
    (claim,) = [c for c in extractor.extract(text_document(text, published=None)) if c.violation == "abduction"]
    assert claim.date.start is None and claim.date.end is None
    (dated,) = [c for c in extractor.extract(text_document(text)) if c.violation == "abduction"]
    assert dated.date.start == "2024-04"


def test_the_day_children_were_freed_does_not_date_their_abduction(extractor: Extractor) -> None:
    text = "The girls, freed on Tuesday, had been kidnapped from their boarding school in March."
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "abduction"]
    assert claim.date.start == "2024-03"
    text = "Forty pupils who were abducted from a school in the north have been freed, officials told reporters Friday."
    (undated,) = [c for c in extractor.extract(text_document(text)) if c.violation == "abduction"]
    assert undated.date.start is None and undated.date.end == "2024-05-10"
    text = "Gunmen kidnapped 12 boys on Sunday; they were released on Thursday."
    (dated,) = [c for c in extractor.extract(text_document(text)) if c.violation == "abduction"]
    assert dated.date.start == "2024-05-05"


def test_a_place_named_for_a_second_violation_is_not_taken_for_the_first(extractor: Extractor) -> None:
    text = ("The group, which abducted hundreds of girls in Nigeria ten years ago, claimed the "
            "abduction of students in Katsina state last week.")  # fmt: skip
    claims = [c for c in extractor.extract(text_document(text)) if c.violation == "abduction"]
    first = min(claims, key=lambda c: c.trigger.start if c.trigger else 0)
    assert first.location.admin1 is None and first.location.country == "NG"
    assert first.date.start == "2014"


def test_a_place_name_never_runs_across_a_line_break(extractor: Extractor) -> None:
    # A headline without a full stop, then the body: "Borno" + "Gunmen" is not one name.
    text = ("Gunmen abduct 9 pupils from school in Borno\n"
            "Gunmen abducted nine children from a primary school in Gwoza, Borno State, on Monday.")  # fmt: skip
    claims = [c for c in extractor.extract(text_document(text)) if c.violation == "abduction"]
    assert claims and all("\n" not in (c.location.name or "") for c in claims)
    assert {c.location.name for c in claims} <= {"Gwoza", "Borno"}


def test_the_agent_of_the_violation_beats_a_force_named_earlier(extractor: Extractor) -> None:
    text = ("Boko Haram fighters have raided the north-east for years, and the Nigerian Army has struggled "
            "to stop them. A spokesman said the army received a report from the principal of the school "
            "where 40 students were seized by gunmen overnight.")  # fmt: skip
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "abduction"]
    assert claim.perpetrator_id == "boko_haram"
    assert claim.perpetrator_span is not None and claim.perpetrator_span.text == "gunmen"


def test_a_count_dated_to_last_week_is_one_incident(extractor: Extractor) -> None:
    text = "Gunmen abducted more than 40 students from a boarding school in Kankara last week."
    (claim,) = [c for c in extractor.extract(text_document(text)) if c.violation == "abduction"]
    assert claim.date.precision == "range" and claim.kind == "incident"
