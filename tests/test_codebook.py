"""The codebook as data: the shipped files load clean, and broken files say where they are broken."""

from __future__ import annotations

import importlib.util
import re
import textwrap
from pathlib import Path

import pytest

from childwatch.codebook.loader import (
    Codebook,
    FieldSpec,
    is_regex,
    load_codebook,
    load_table,
    normalise,
)
from childwatch.errors import CodebookError

BENCH_SCORER = Path("/work/shared/bench/score.py")

# Countries whose conflicts the codebook must cover, each with a state force and at least
# one other party.
CONFLICT_COUNTRIES = [
    "SY", "IQ", "YE", "AF", "PK", "SO", "NG", "TD", "ML", "BF", "NE", "CD", "CF", "SS", "SD",
    "MM", "CO", "UA", "RU", "IL", "PS", "MZ", "HT", "PH", "UG", "ET", "CM", "LY", "LB", "KE",
]  # fmt: skip

# How a state force's own country is named in its canonical name (demonym or country name).
DEMONYMS = {
    "SY": "syrian", "IQ": "iraqi", "IL": "israeli", "MM": "myanmar|burmese", "NG": "nigerian|nigeria",
    "RU": "russian", "UA": "ukrainian", "SD": "sudanese", "SS": "south sudanese", "AF": "afghan",
    "PK": "pakistani", "IN": "indian", "YE": "yemeni", "US": "us|american", "SO": "somali",
    "KE": "kenyan|kenya", "ET": "ethiopian", "ER": "eritrean", "CD": "congolese",
    "CF": "central african", "ML": "malian", "BF": "burkinabe", "NE": "nigerien", "TD": "chadian",
    "CM": "cameroonian", "CO": "colombian", "PH": "philippine|filipino", "MZ": "mozambican",
    "RW": "rwandan", "UG": "ugandan", "LY": "libyan", "TR": "turkish", "IR": "iranian",
    "EG": "egyptian", "LB": "lebanese", "PS": "palestinian", "FR": "french", "HT": "haitian",
}  # fmt: skip
FORCE_WORDS = r"army|military|forces|troops|soldiers|police|air force|junta|tatmadaw"


@pytest.fixture(scope="module")
def codebook() -> Codebook:
    return load_codebook()


def write(directory: Path, actors: str, sources: str | None = None) -> Path:
    (directory / "actors.toml").write_text(textwrap.dedent(actors).lstrip(), encoding="utf-8")
    if sources is None:
        sources = """
            [[source]]
            id = "unicef"
            name = "UNICEF"
            kind = "un"
        """
    (directory / "sources.toml").write_text(textwrap.dedent(sources).lstrip(), encoding="utf-8")
    return directory


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(CodebookError) as caught:
        load_codebook(directory)
    return caught.value.problems


# ---- the shipped codebook ------------------------------------------------------------


def test_shipped_codebook_loads_without_problems(codebook: Codebook) -> None:
    assert len(codebook.actors) >= 80
    assert len(codebook.sources) >= 50


def test_default_codebook_is_loaded_once(codebook: Codebook) -> None:
    assert load_codebook() is codebook


def test_lookup_by_id(codebook: Codebook) -> None:
    assert codebook.actor("boko_haram").name == "Boko Haram"
    assert codebook.actor("ashbal_al_khilafa").parent == "islamic_state"
    assert codebook.source("unicef").kind == "un"
    with pytest.raises(KeyError, match=r"actors\.toml"):
        codebook.actor("no_such_group")
    with pytest.raises(KeyError, match=r"sources\.toml"):
        codebook.source("no_such_body")


@pytest.mark.parametrize("country", CONFLICT_COUNTRIES)
def test_conflict_country_has_a_state_force_and_another_party(codebook: Codebook, country: str) -> None:
    actors = [a for a in codebook.actors if country in a.countries]
    assert any(a.kind == "state_force" and a.countries[0] == country for a in actors), country
    assert any(a.kind != "state_force" for a in actors), country


def test_state_force_names_are_demonym_plus_force_word(codebook: Codebook) -> None:
    for actor in codebook.actors:
        if actor.kind != "state_force":
            continue
        home = actor.countries[0]
        assert home in DEMONYMS, f"{actor.id}: add the demonym of {home} to DEMONYMS"
        name = normalise(actor.name)
        assert re.search(rf"\b({DEMONYMS[home]})\b", name), f"{actor.id}: '{actor.name}' lacks a demonym"
        assert re.search(rf"\b({FORCE_WORDS})\b", name), f"{actor.id}: '{actor.name}' lacks a force word"


def test_historical_and_ethnic_militias_are_listed(codebook: Codebook) -> None:
    ids = {a.id for a in codebook.actors}
    for id in ("ruf", "ltte", "nepal_maoists", "lurd", "upc_ituri", "cndp", "fulani_militia",
               "dinka_militia", "murle_militia", "white_army", "pokot_militia"):  # fmt: skip
        assert id in ids


def test_al_shabaab_alias_is_shared_only_across_countries(codebook: Codebook) -> None:
    owners = [a for a in codebook.actors if "al shabaab" in {normalise(x) for x in (a.name, *a.aliases)}]
    assert {a.id for a in owners} == {"al_shabaab", "ansar_al_sunna"}
    assert not set(owners[0].countries) & set(owners[1].countries)


def _bench_scorer():
    if not BENCH_SCORER.exists():
        pytest.skip("the benchmark scorer is not available here")
    spec = importlib.util.spec_from_file_location("bench_score", BENCH_SCORER)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_benchmark_actor_key_is_an_actor_whose_name_scores_under_it(codebook: Codebook) -> None:
    score = _bench_scorer()
    for key in score.ACTORS:
        actor = codebook.actor(key)
        assert score.actor_key(actor.name) == key, f"'{actor.name}' does not score as {key}"


# ---- a broken codebook ---------------------------------------------------------------


def test_broken_codebook_reports_every_problem_with_file_and_line(tmp_path: Path) -> None:
    write(
        tmp_path,
        """
        [[actor]]
        id = "boko_haram"
        name = "Boko Haram"
        kind = "armed_group"
        countries = ["NG"]

        [[actor]]
        id = "boko_haram"
        name = "Boko Haram again"
        kind = "armed_group"
        countries = ["NG", "XX"]
        alias = ["BH"]

        [[actor]]
        id = "nameless"
        kind = "militia"
        countries = ["CM"]
        """,
        sources="""
        [[source]]
        id = "unicef"
        name = "UNICEF
        kind = "un"
        """,
    )
    problems = problems_of(tmp_path)
    assert len(problems) == 5, problems
    assert problems[0].startswith("actors.toml:8: duplicate id 'boko_haram' (first at line 2)")
    assert problems[1].startswith("actors.toml:11: 'XX' is not an ISO 3166")
    assert problems[2].startswith("actors.toml:12: unknown key 'alias'")
    assert "did you mean 'aliases'" in problems[2]
    assert problems[3].startswith("actors.toml:14: [[actor]] entry has no 'name'")
    assert problems[4].startswith("sources.toml:3: TOML syntax error")


def test_error_message_lists_every_problem(tmp_path: Path) -> None:
    write(tmp_path, '[[actor]]\nid = "Bad-Id"\nname = "X"\nkind = "rebels"\ncountries = []\n')
    with pytest.raises(CodebookError) as caught:
        load_codebook(tmp_path)
    text = str(caught.value)
    assert text.startswith("3 problem(s) in the codebook:")
    assert "actors.toml:2: id 'Bad-Id' must be snake_case" in text
    assert "actors.toml:4: 'kind' is 'rebels', expected one of:" in text
    assert "actors.toml:5: 'countries' is empty" in text


def test_alias_shared_by_two_actors_in_one_country_is_rejected(tmp_path: Path) -> None:
    write(
        tmp_path,
        """
        [[actor]]
        id = "al_shabaab"
        name = "al-Shabaab"
        kind = "armed_group"
        countries = ["SO", "KE"]

        [[actor]]
        id = "ansar_al_sunna"
        name = "Ansar al-Sunna"
        kind = "armed_group"
        countries = ["MZ", "KE"]
        aliases = ["Ahlu Sunnah", "Al Shabaab"]
        """,
    )
    [problem] = problems_of(tmp_path)
    assert problem.startswith(
        "actors.toml:12: 'Al Shabaab' also names 'al_shabaab' (line 1) in the same country (KE)"
    )


def test_alias_shared_across_countries_is_allowed(tmp_path: Path) -> None:
    write(
        tmp_path,
        """
        [[actor]]
        id = "al_shabaab"
        name = "al-Shabaab"
        kind = "armed_group"
        countries = ["SO"]

        [[actor]]
        id = "ansar_al_sunna"
        name = "Ansar al-Sunna"
        kind = "armed_group"
        countries = ["MZ"]
        aliases = ["al Shabaab"]
        """,
    )
    assert load_codebook(tmp_path).actor("ansar_al_sunna").aliases == ("al Shabaab",)


def test_abbreviations_aliases_and_parents_are_checked(tmp_path: Path) -> None:
    write(
        tmp_path,
        """
        [[actor]]
        id = "islamic_state"
        name = "Islamic State"
        kind = "armed_group"
        countries = ["IQ"]
        aliases = [
          "Daesh",
          "",
          "ISIL",
          "DAESH",
        ]
        abbreviations = ["Isis"]

        [[actor]]
        id = "cubs"
        name = "Cubs of the Caliphate"
        kind = "armed_group"
        countries = ["IQ"]
        parent = "islamic_stat"
        """,
    )
    problems = problems_of(tmp_path)
    assert problems == [
        "actors.toml:6: empty string in 'aliases'",
        "actors.toml:9: alias 'ISIL' looks like an abbreviation: move it to abbreviations so it is "
        "matched case-sensitively",
        "actors.toml:10: 'DAESH' is listed twice in 'aliases'",
        "actors.toml:12: abbreviation 'Isis' must be capitals and digits (move mixed-case forms to aliases)",
        "actors.toml:19: parent 'islamic_stat' is not the id of any [[actor]]",
    ]


def test_missing_file_is_a_codebook_error(tmp_path: Path) -> None:
    write(tmp_path, '[[actor]]\nid = "x"\nname = "X"\nkind = "militia"\ncountries = ["CM"]\n')
    (tmp_path / "sources.toml").unlink()
    [problem] = problems_of(tmp_path)
    assert problem.startswith("sources.toml:0: cannot be read")


# ---- load_table for other codebook files ---------------------------------------------


def test_load_table_validates_other_codebook_files(tmp_path: Path) -> None:
    path = tmp_path / "violations.toml"
    path.write_text(
        textwrap.dedent(
            """
            [[violation]]
            key = "abduction"
            window = 8
            triggers = ['kidnapp(?:ed|ing)', 'abduct(?:ed|ion)']

            [[violation]]
            key = "recruitment_use"
            window = true
            triggers = ['recruit(']
            """
        ).lstrip(),
        encoding="utf-8",
    )
    schema = {
        "key": FieldSpec(required=True),
        "window": FieldSpec("int"),
        "needs_child": FieldSpec("bool"),
        "triggers": FieldSpec("str_list", required=True, check=is_regex),
    }
    with pytest.raises(CodebookError) as caught:
        load_table(path, "violation", schema)
    assert [p.split(": ")[0] for p in caught.value.problems] == ["violations.toml:8", "violations.toml:9"]

    problems: list[str] = []
    entries = load_table(path, "violation", schema, problems)
    assert len(problems) == 2
    assert [(e.line, e.valid) for e in entries] == [(1, True), (6, False)]
    assert entries[0].values["window"] == 8
    assert "window" not in entries[1].values  # a rejected value is dropped, the entry kept
    assert entries[0].where("triggers") == "violations.toml:4"
