"""Reports in French and Spanish, read by the one engine for languages other than English
(`extract.languages`) from their files in `codebook/languages/`: figures written in words
and digits, dates by month name, by weekday and relative to publication, actors and
sources by their codebook ids, places from the gazetteer by their English names and ISO
codes, evidence quoted verbatim; a report in a language without a file is named, never
silently empty; and a language file's mistakes are reported with the file and the entry.

Every report here is our own, written for these tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from childwatch import cli
from childwatch.codebook import languages
from childwatch.codebook.languages import load_language, supported_languages
from childwatch.errors import CodebookError
from childwatch.extract import Extractor
from childwatch.records import Claim, Document, Span
from childwatch.run.pipeline import run_pipeline
from childwatch.store import open_store

PUBLISHED = "2024-05-10"  # a Friday


def report(text: str, language: str, published: str | None = PUBLISHED, doc_id: str = "t") -> Document:
    return Document(id=doc_id, text=text, raw=text.encode(), sha256="0" * 64, origin="test",
                    media_type="text/plain", published=published, language=language)  # fmt: skip


def only_claim(extractor: Extractor, text: str, language: str, published: str | None = PUBLISHED) -> Claim:
    claims = extractor.extract(report(text, language, published))
    assert len(claims) == 1, [(c.violation, c.evidence.text) for c in claims]
    return claims[0]


# ---- figures ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "violation", "count", "qualifier"),
    [
        ("fr", "Douze enfants ont été tués dans la nuit par une frappe.", "killing_maiming", 12, None),
        ("fr", "Une dizaine de fillettes ont été enlevées sur la route de l'école.", "abduction", 10, "about"),
        ("fr", "Au moins 15 élèves ont été blessés lors de l'explosion.", "killing_maiming", 15, "at least"),
        ("es", "Al menos 15 niños murieron en el bombardeo de la madrugada.", "killing_maiming", 15, "at least"),
        ("es", "Una decena de menores fueron reclutados por un grupo armado.", "recruitment_use", 10, "about"),
        ("es", "Treinta y cinco niños fueron secuestrados en la carretera.", "abduction", 35, None),
        ("es", "Ciento veinte adolescentes fueron reclutados el año pasado.", "recruitment_use", 120, None),
        ("es", "Decenas de niños murieron durante el asedio.", "killing_maiming", None, "dozens"),  # at least 20
        ("fr", "Une dizaine d'enfants ont été tués dans le bombardement.", "killing_maiming", 10, "about"),
        ("es", "Más de 3.500 niños han perdido la vida en la guerra.", "killing_maiming", 3500, "more than"),
    ],
)
def test_figures_in_words_and_digits_with_their_qualifier(
    extractor: Extractor, language: str, text: str, violation: str, count: int, qualifier: str | None
) -> None:
    claim = only_claim(extractor, text, language)
    assert claim.violation == violation
    assert (claim.victims.count, claim.victims.qualifier) == (count, qualifier)


def test_a_child_noun_after_an_elided_article_is_found(extractor: Extractor) -> None:
    claim = only_claim(extractor, "Une dizaine d'enfants ont été enlevés sur la route de l'école.", "fr")
    assert (claim.violation, claim.victims.count) == ("abduction", 10)


def test_a_girl_of_fourteen_is_one_child_of_that_age(extractor: Extractor) -> None:
    claim = only_claim(extractor, "Una niña de 14 años fue violada por hombres armados.", "es")
    assert claim.violation == "sexual_violence"
    victims = claim.victims
    assert (victims.count, victims.sex, victims.age_min, victims.age_max) == (1, "female", 14, 14)


@pytest.mark.parametrize(
    ("language", "text", "count", "age_min", "age_max"),
    [
        # A range with its unit twice, with a hyphen, a list bounded by its ends, two ages in brackets.
        ("fr", "Des enfants âgés de 8 ans à 17 ans ont été recrutés par une milice au Kasaï.", None, 8, 17),
        ("es", "Niños de 8 años a 17 años fueron reclutados por una guerrilla en el Cauca.", None, 8, 17),
        ("fr", "Des enfants de 9-17 ans ont été enrôlés par une milice au Kasaï.", None, 9, 17),
        ("es", "Niños de 9-17 años fueron reclutados por una guerrilla en el Cauca.", None, 9, 17),
        ("fr", "Trois élèves âgés de 14, 12 et 10 ans ont été tués par des hommes armés.", 3, 10, 14),
        ("es", "Tres estudiantes de 10, 12 y 14 años fueron asesinados por hombres armados.", 3, 10, 14),
        ("fr", "Deux enfants (3 et 5 ans) ont été tués par des hommes armés.", 2, 3, 5),
        ("es", "Dos niños (3 y 5 años) fueron asesinados por hombres armados.", 2, 3, 5),
        # About an age is that age, as "around ten" is 10.
        ("fr", "Un garçon âgé d'une dizaine d'années a été tué par des hommes armés.", 1, 10, 10),
        ("es", "Un niño de unos diez años fue asesinado por hombres armados.", 1, 10, 10),
        # Years of something else are no age.
        ("es", "Hace más de 10 años, la guerrilla reclutó a 300 niños en el Cauca.", 300, None, None),
    ],
)
def test_ages_told_as_ranges_lists_and_about(
    extractor: Extractor, language: str, text: str, count: int | None, age_min: int | None, age_max: int | None
) -> None:
    victims = only_claim(extractor, text, language).victims
    assert (victims.count, victims.age_min, victims.age_max) == (count, age_min, age_max)


def test_children_under_an_age_are_bounded_below_it(extractor: Extractor) -> None:
    claim = only_claim(extractor, "Tres menores de 15 años resultaron heridos por la explosión.", "es")
    assert (claim.victims.count, claim.victims.age_min, claim.victims.age_max) == (3, None, 14)


def test_breaches_of_childrens_rights_are_not_sexual_violence(extractor: Extractor) -> None:
    text = "El Consejo de Seguridad condenó las graves violaciones de los derechos de los niños."
    assert extractor.extract(report(text, "es")) == []


# ---- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text", "start", "precision"),
    [
        ("es", "El 15 de enero de 2022, cuatro niños murieron por una mina.", "2022-01-15", "day"),
        ("es", "El 3 de marzo, cuatro niños murieron por una mina.", "2024-03-03", "day"),
        ("es", "El 20 de diciembre, cuatro niños murieron por una mina.", "2023-12-20", "day"),  # before publication
        ("es", "En octubre de 2023, cuatro niños murieron por una mina.", "2023-10", "month"),
        ("es", "Ayer, cuatro niños murieron por una mina.", "2024-05-09", "day"),
        ("es", "El martes, cuatro niños murieron por una mina.", "2024-05-07", "day"),
        ("fr", "Le 3 mars, quatre enfants ont été tués par une mine.", "2024-03-03", "day"),
        ("fr", "Hier, quatre enfants ont été tués par une mine.", "2024-05-09", "day"),
        ("fr", "Jeudi, quatre enfants ont été tués par une mine.", "2024-05-09", "day"),
        # Last month is the month before the report's, as in English; this month the report's own.
        ("fr", "Le mois dernier, quatre enfants ont été tués par une mine.", "2024-04", "month"),
        ("es", "El mes pasado, cuatro niños murieron por una mina.", "2024-04", "month"),
        ("ar", "قتل أربعة أطفال الشهر الماضي بانفجار لغم.", "2024-04", "month"),
        ("ar", "قتل أربعة أطفال مطلع الشهر الجاري بانفجار لغم.", "2024-05", "month"),
        ("fr", "Ce mois-ci, quatre enfants ont été tués par une mine.", "2024-05", "month"),
    ],
)
def test_dates_by_month_name_weekday_and_relative_to_publication(
    extractor: Extractor, language: str, text: str, start: str, precision: str
) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.date.start, claim.date.end, claim.date.precision) == (start, start, precision)
    assert claim.date.span is not None and claim.date.span.text.lower() in text.lower()


# ---- actors, places, sources ------------------------------------------------------------------


def test_actors_come_out_by_their_codebook_ids(extractor: Extractor) -> None:
    french = only_claim(extractor, "Hier, l'État islamique a enlevé au moins 20 écoliers près de Maiduguri.", "fr")
    assert (french.perpetrator_id, french.perpetrator) == ("islamic_state", "Islamic State")
    assert french.perpetrator_span is not None and french.perpetrator_span.text == "l'État islamique"
    spanish = only_claim(extractor, "Las disidencias de las FARC reclutaron a nueve menores en el Cauca.", "es")
    assert (spanish.perpetrator_id, spanish.perpetrator) == ("farc_dissidents", "FARC dissidents")
    assert spanish.perpetrator_span is not None and spanish.perpetrator_span.text == "disidencias de las FARC"


def test_an_actor_after_de_is_still_the_perpetrator(extractor: Extractor) -> None:
    claim = only_claim(extractor, "Hier, des combattants de l'État islamique ont enlevé 20 écoliers.", "fr")
    assert claim.perpetrator_id == "islamic_state"


@pytest.mark.parametrize(
    ("language", "text", "name", "admin1", "country"),
    [
        ("fr", "Hier, des hommes armés ont enlevé 20 écoliers près de Maiduguri.", "Maiduguri", "Borno", "NG"),
        ("fr", "Douze enfants ont été tués à Alep.", "Aleppo", "Aleppo", "SY"),
        ("es", "Al menos 15 niños murieron en un bombardeo en Alepo.", "Aleppo", "Aleppo", "SY"),
        (
            "es",
            "Nueve menores fueron reclutados en el municipio de Argelia, departamento del Cauca.",
            "Argelia",
            "Cauca",
            "CO",
        ),
        ("es", "Decenas de niños murieron en Jan Yunis.", "Khān Yūnis", "Gaza Strip", "PS"),
    ],
)
def test_places_come_from_the_gazetteer_with_english_names_and_iso_codes(
    extractor: Extractor, language: str, text: str, name: str, admin1: str, country: str
) -> None:
    location = only_claim(extractor, text, language).location
    assert (location.name, location.admin1, location.country, location.precision) == (name, admin1, country, "place")
    assert location.lat is not None and location.lon is not None


def test_a_country_named_in_spanish_is_its_iso_code(extractor: Extractor) -> None:
    text = "Las fuerzas de seguridad detuvieron a 12 adolescentes en Rusia."
    location = only_claim(extractor, text, "es").location
    assert (location.country, location.precision) == ("RU", "country")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "Las fuerzas de seguridad detuvieron a 12 adolescentes en Cisjordania."),
        ("fr", "Les forces de sécurité ont arrêté 12 adolescents en Cisjordanie."),
        ("ar", "اعتقلت قوات الأمن 12 طفلا في الضفة الغربية."),
    ],
)
def test_a_territory_named_like_a_country_is_the_gazetteers_province(
    extractor: Extractor, language: str, text: str
) -> None:
    location = only_claim(extractor, text, language).location
    assert (location.admin1, location.country, location.precision) == ("West Bank", "PS", "admin1")


@pytest.mark.parametrize(
    ("language", "text", "town", "admin1"),
    [
        (
            "fr",
            "Des hommes armés ont tué trois enfants dans le village de Toumbalou (Centre-Nord), au Burkina Faso.",
            "Toumbalou",
            "Centre-Nord",
        ),
        (
            "es",
            "Dos niños murieron en la vereda La Palmichosa, en el departamento del Cauca.",
            "La Palmichosa",
            "Cauca",
        ),
        # In Latin letters when the report writes it in Arabic (extract.romanise); its span quotes it.
        ("ar", "قتل ثلاثة أطفال في قرية الزعفرانة بمحافظة حماة.", "al-Za'farana", "Hama"),
    ],
)
def test_a_town_the_gazetteer_lacks_is_given_as_written_in_its_province(
    extractor: Extractor, language: str, text: str, town: str, admin1: str
) -> None:
    location = only_claim(extractor, text, language).location
    assert (location.name, location.admin1, location.precision) == (town, admin1, "place")
    assert location.lat is None  # no coordinates are invented for it


def test_a_town_named_before_places_a_later_sentence_that_names_none(extractor: Extractor) -> None:
    text = (
        "Des hommes armés ont attaqué le village de Toumbalou dimanche.\n"
        "Le bilan fait état de cinq enfants tués, selon une source locale."
    )
    claims = extractor.extract(report(text, "fr"))
    assert [c.location.name for c in claims] == ["Toumbalou"]


def test_a_month_after_a_place_word_is_not_a_town(extractor: Extractor) -> None:
    # "نيسان" (April) is also a town's name in the gazetteer.
    claims = extractor.extract(report("جندت الميليشيات 40 طفلا في نيسان الماضي في سوريا.", "ar"))
    assert [(c.location.name, c.location.country) for c in claims] == [(None, "SY")]


@pytest.mark.parametrize(
    ("language", "text", "source", "source_id"),
    [
        ("fr", "Douze enfants ont été tués à Alep, selon l'Unicef.", "UNICEF", "unicef"),
        ("fr", "Douze enfants ont été tués à Alep, selon l’Unicef.", "UNICEF", "unicef"),  # a typographic apostrophe
        ("es", "Al menos 15 niños murieron en Alepo, según la ONU.", "United Nations", "united_nations"),
        ("es", "El Fondo de la ONU para la Infancia informó que 15 niños murieron en Alepo.", "UNICEF", "unicef"),
        ("es", "Nueve menores fueron reclutados, denunció la Defensoría del Pueblo.", "Ombudsman's Office", None),
    ],
)
def test_sources_resolve_to_the_codebooks_bodies(
    extractor: Extractor, language: str, text: str, source: str, source_id: str | None
) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.source, claim.source_id) == (source, source_id)


# ---- evidence -----------------------------------------------------------------------------


SPANISH_REPORT = (
    "Bogotá.\u00a0La Defensoría del Pueblo alertó este jueves sobre el reclutamiento de menores en el sur del país.\n\n"
    "“Al menos 15 niños y niñas fueron reclutados por las disidencias de las FARC en el municipio de Argelia, "
    "departamento del Cauca”, según la ONU. El 3 de marzo, dos adolescentes murieron en un bombardeo del "
    "Ejército Nacional en Tumaco, informó Medicina Legal. Ayer, el ELN atacó un colegio en Arauca."
)


def spans_of(claim: Claim) -> list[Span]:
    spans = [claim.evidence, *claim.mentions]
    spans += [s for s in (claim.trigger, claim.perpetrator_span, claim.source_span, claim.date.span) if s is not None]
    return spans


def test_every_span_quotes_the_report_verbatim(extractor: Extractor) -> None:
    document = report(SPANISH_REPORT, "es")
    claims = extractor.extract(document)
    assert {c.violation for c in claims} == {"recruitment_use", "killing_maiming", "attack_school_hospital"}
    for claim in claims:
        for span in spans_of(claim):
            assert document.text[span.start : span.end] == span.text, (claim.violation, span)
    recruitment = next(c for c in claims if c.violation == "recruitment_use")
    assert "Al menos 15 niños y niñas" in recruitment.evidence.text  # accents and curly quotes kept as written
    assert recruitment.perpetrator_span is not None and recruitment.perpetrator_span.text == "disidencias de las FARC"


# ---- languages without a file, and the files' own mistakes ------------------------------


GERMAN = {
    "id": "de-entfuehrung",
    "title": "Bewaffnete entführen zwölf Schulkinder im Norden",
    "published": PUBLISHED,
    "text": (
        "Bewaffnete Männer haben am Dienstag zwölf Schulkinder aus einem Dorf im Norden des Landes entführt, "
        "teilte die Polizei mit. Die Kinder wurden in den nahen Wald gebracht, und die Eltern fordern, dass "
        "die Schule geschlossen bleibt, bis die Sicherheit wiederhergestellt ist."
    ),
}
SPANISH = {
    "id": "es-reclutamiento",
    "title": "Denuncian el reclutamiento de menores en el Cauca",
    "published": PUBLISHED,
    "text": (
        "Una decena de menores de edad fueron reclutados por las disidencias de las FARC en el departamento "
        "del Cauca durante el último mes, denunció este jueves la Defensoría del Pueblo. Las familias piden "
        "a las autoridades que intervengan cuanto antes para que los niños regresen a sus casas."
    ),
}


def test_a_report_in_a_language_without_a_file_is_stored_and_named_never_silently_empty(
    tmp_path: Path, extractor: Extractor
) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    for item in (GERMAN, SPANISH):
        (inputs / f"{item['id']}.json").write_text(json.dumps(item, ensure_ascii=False), encoding="utf-8")
    with open_store(tmp_path / "run.sqlite") as store:
        summary = run_pipeline([inputs], store)
        assert summary.counts.not_extracted == {"de": 1}
        assert summary.notes() == [
            "1 report in German: stored, not extracted (childwatch reads English, Arabic, French and Spanish)"
        ]
        german = store.document("de-entfuehrung")
        assert german is not None and german.language == "de" and german.text == GERMAN["text"]
        claimed = {c.claim.doc_id for c in store.iter_claims()}
        assert "es-reclutamiento" in claimed and "de-entfuehrung" not in claimed
    # Asked directly, the extractor reads no claims in a language it has no file for (the
    # pipeline names the report, above); any language tag, even a malformed one, is safe.
    assert extractor.extract(report(GERMAN["text"], "de")) == []
    assert extractor.extract(report(GERMAN["text"], "0")) == []


@pytest.mark.parametrize("code", supported_languages())
def test_every_shipped_language_file_loads(code: str) -> None:
    lexicon = load_language(code)
    assert lexicon.code == code and lexicon.violations and lexicon.actors and lexicon.sources


@pytest.fixture()
def language_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Language files read from a folder of the test's own (the cache cleared either side)."""
    monkeypatch.setattr(languages, "LANGUAGES", tmp_path)
    load_language.cache_clear()
    yield tmp_path
    load_language.cache_clear()


ITALIAN = """
language = "it"
name = "Italian"

[children]
nouns = [{ pattern = "bambin[io]|bambine?" }]

[numbers]
words = { tre = 3 }

[violations.killing_maiming]
triggers = ["uccis[io]", "mort[io]"]

[actors]
"Stato Islamico" = "islamic_state"

[sources]
cues = ["secondo"]

[sources.bodies]
"l'Unicef" = "unicef"
"""


def test_a_fourth_language_is_only_a_file(language_folder: Path, extractor: Extractor) -> None:
    (language_folder / "it.toml").write_text(ITALIAN, encoding="utf-8")
    reader = Extractor(extractor.codebook, extractor.gazetteer, extractor.lexicon)
    text = "Tre bambini sono stati uccisi dallo Stato Islamico, secondo l'Unicef."
    claims = reader.extract(report(text, "it"))
    assert [(c.violation, c.victims.count, c.perpetrator_id, c.source_id) for c in claims] == [
        ("killing_maiming", 3, "islamic_state", "unicef")
    ]


def test_a_language_files_mistakes_are_all_reported_with_the_file_and_the_entry(language_folder: Path) -> None:
    broken = ITALIAN.replace('"mort[io]"]', '"mort[io"]').replace('"islamic_state"', '"stato_islamico"')
    (language_folder / "it.toml").write_text(broken, encoding="utf-8")
    with pytest.raises(CodebookError) as caught:
        load_language("it")
    problems = caught.value.problems
    assert any(
        p.startswith("languages/it.toml: violations.killing_maiming") and "invalid pattern 'mort[io'" in p
        for p in problems
    ), problems
    assert any(
        p.startswith("languages/it.toml: actors:") and "'Stato Islamico'" in p and "'stato_islamico'" in p
        for p in problems
    ), problems


def test_a_bad_regex_in_a_child_noun_or_an_age_is_named(language_folder: Path) -> None:
    broken = ITALIAN.replace('"bambin[io]|bambine?"', '"bambin(i"')
    broken = broken.replace("[children]\n", '[children]\nages = ["(?P<min>\\\\d+ anni"]\n')
    (language_folder / "it.toml").write_text(broken, encoding="utf-8")
    with pytest.raises(CodebookError) as caught:
        load_language("it")
    text = str(caught.value)
    assert "languages/it.toml: children.nouns #1: invalid pattern 'bambin(i'" in text
    assert "languages/it.toml: children.ages: invalid pattern" in text


def test_a_misspelt_key_is_named_not_ignored(language_folder: Path) -> None:
    (language_folder / "it.toml").write_text(ITALIAN.replace("cues = ", "cue = "), encoding="utf-8")
    with pytest.raises(CodebookError) as caught:
        load_language("it")
    assert any(p.startswith("languages/it.toml: [sources]: unknown key 'cue'") for p in caught.value.problems)


# ---- engine rules found on Spanish and French reports -----------------------------------------


def test_a_figure_in_digits_times_a_word(extractor: Extractor) -> None:
    claim = only_claim(extractor, "Más de 300 mil niños fueron desplazados y reclutados por grupos armados.", "es")
    assert (claim.victims.count, claim.victims.qualifier) == (300_000, "more than")


def test_a_date_with_connecting_words(extractor: Extractor) -> None:
    claim = only_claim(extractor, "El 17 de octubre de 2023, tres niños murieron por una mina.", "es")
    assert (claim.date.start, claim.date.precision) == ("2023-10-17", "day")


def test_a_report_published_in_a_month_still_dates_a_day_without_a_year(extractor: Extractor) -> None:
    document = report("El 1 de diciembre, tres niños murieron por una mina.", "es")
    document.published = "2020-12"
    [claim] = extractor.extract(document)
    assert claim.date.start == "2020-12-01"


def test_boys_and_girls_are_mixed(extractor: Extractor) -> None:
    claim = only_claim(extractor, "Doce niños y niñas fueron reclutados por el ELN en Arauca.", "es")
    assert claim.victims.sex == "mixed"


def test_an_actor_after_a_verb_of_saying_and_que_is_who_acted(extractor: Extractor) -> None:
    claim = only_claim(extractor, "La ONU denunció que el ELN reclutó a 12 menores en Arauca.", "es")
    assert claim.perpetrator_id == "eln"
    assert claim.source == "United Nations"


def test_the_codebook_command_checks_every_language_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["codebook"]) == 0
    out = capsys.readouterr().out
    assert "Arabic (ar)" in out and "French (fr)" in out and "Spanish (es)" in out


def test_a_description_that_refers_back_is_the_group_the_report_names(extractor: Extractor) -> None:
    text = (
        "Des miliciens de la Codeco ont attaqué lundi un camp de déplacés en Ituri. "
        "Les assaillants ont tué neuf enfants, selon la société civile."
    )
    claims = [c for c in extractor.extract(report(text, "fr")) if c.violation == "killing_maiming"]
    assert [(c.perpetrator_id, c.victims.count) for c in claims] == [("codeco", 9)]
    unnamed = only_claim(extractor, "Des hommes armés ont tué trois enfants dans un village.", "fr")
    assert (unnamed.perpetrator, unnamed.perpetrator_id) == ("gunmen", None)


@pytest.mark.parametrize(
    ("language", "text", "month"),
    [
        ("fr", "En mars, quatre enfants ont été tués par une mine.", "2024-03"),
        ("fr", "Fin décembre, quatre enfants ont été tués par une mine.", "2023-12"),  # the latest December
        ("es", "A finales de abril, cuatro niños murieron por una mina.", "2024-04"),
    ],
)
def test_a_month_without_a_year_is_the_latest_such_month(
    extractor: Extractor, language: str, text: str, month: str
) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.date.start, claim.date.precision) == (month, "month")


def test_a_figure_with_a_thousands_space_is_one_figure(extractor: Extractor) -> None:
    claim = only_claim(extractor, "Selon l'ONU, plus de 1 000 enfants ont été recrutés par des groupes armés.", "fr")
    assert (claim.victims.count, claim.victims.qualifier, claim.source) == (1000, "more than", "United Nations")


def test_periods_of_years_and_since_a_day(extractor: Extractor) -> None:
    years = only_claim(extractor, "Al menos 1.200 niños fueron reclutados en Colombia entre 2019 y 2023.", "es")
    assert (years.date.start, years.date.end, years.date.precision) == ("2019", "2023", "range")
    since = only_claim(extractor, "Más de 13.000 niños han muerto en Gaza desde el 7 de octubre.", "es")
    assert (since.date.start, since.date.end, since.date.precision) == ("2023-10-07", PUBLISHED, "range")


def test_whom_an_attack_was_against_is_not_who_acted(extractor: Extractor) -> None:
    text = "Tres menores murieron en un bombardeo del Ejército contra un campamento de las disidencias de las FARC."
    claim = only_claim(extractor, text, "es")
    assert claim.perpetrator_id != "farc_dissidents"


def test_a_figure_of_the_dead_among_children_counts_the_children(extractor: Extractor) -> None:
    text = "Le 12 février, une attaque au mortier contre une école a fait trois morts parmi les élèves."
    killed = [c for c in extractor.extract(report(text, "fr")) if c.violation == "killing_maiming"]
    assert [c.victims.count for c in killed] == [3]


def test_the_accused_is_who_acted_and_the_accuser_the_source(extractor: Extractor) -> None:
    text = "Human Rights Watch a accusé l'armée malienne d'avoir exécuté 56 civils, dont 20 enfants, à Mopti."
    claim = only_claim(extractor, text, "fr")
    assert (claim.perpetrator_id, claim.source_id, claim.victims.count) == ("malian_forces", "human_rights_watch", 20)


def test_a_report_dated_by_month_bounds_its_undated_incidents(extractor: Extractor) -> None:
    document = report("Deux enfants ont été tués par des hommes armés dans un village.", "fr", published=None)
    document.metadata = {"published_raw": "2022-05"}  # ingest keeps a date that names no day aside
    [claim] = extractor.extract(document)
    assert (claim.date.start, claim.date.end) == (None, "2022-05")


def test_bodies_of_children_are_deaths_and_counted(extractor: Extractor) -> None:
    claim = only_claim(extractor, "Parmi eux, on compte au moins 9 corps d'enfants étendus sur le sol.", "fr")
    assert (claim.violation, claim.victims.count, claim.victims.qualifier) == ("killing_maiming", 9, "at least")


def test_a_person_quoted_is_the_source_and_never_a_place(extractor: Extractor) -> None:
    # Adama is also a city in Ethiopia: a name inside a person's name needs a place word.
    claim = only_claim(extractor, "Trois enfants ont été tués, a déclaré Adama Fomba, un responsable local.", "fr")
    assert (claim.source, claim.source_id, claim.location.name) == ("Adama Fomba", None, None)
    titled = only_claim(extractor, "Selon M. Tsuba, les deux attaques ont fait 15 morts dont neuf enfants.", "fr")
    assert (titled.source, titled.victims.count) == ("Tsuba", 9)
    gaza = only_claim(extractor, "Más de 100 niños murieron en la Franja de Gaza, informó Medicina Legal.", "es")
    assert gaza.location.country == "PS"


def test_teenagers_are_thirteen_to_seventeen_unless_an_age_is_stated(extractor: Extractor) -> None:
    teens = only_claim(extractor, "Deux adolescentes ont été enlevées par des hommes armés.", "fr")
    assert (teens.victims.count, teens.victims.age_min, teens.victims.age_max) == (2, 13, 17)
    stated = only_claim(extractor, "Un adolescente de 15 años fue reclutado por el ELN.", "es")
    assert (stated.victims.age_min, stated.victims.age_max) == (15, 15)


def test_a_place_before_a_verb_of_saying_is_not_the_speaker(extractor: Extractor) -> None:
    claim = only_claim(extractor, "Une frappe de drone a tué trois enfants à Kidal, a affirmé un responsable.", "fr")
    assert (claim.source, claim.location.admin1) == ("an official", "Kidal")
    army = only_claim(
        extractor, "Quatre écoliers ont été blessés par un engin explosif, indique un communiqué de l'armée.", "fr"
    )
    assert (army.source, army.perpetrator) == ("army", None)  # who speaks is not who acted


def test_girls_violated_over_the_past_year(extractor: Extractor) -> None:
    text = "Au cours de l'année écoulée, 47 filles ont été victimes de viol commis par des éléments armés."
    claim = only_claim(extractor, text, "fr")
    assert (claim.violation, claim.victims.count, claim.victims.sex) == ("sexual_violence", 47, "female")
    assert (claim.date.start, claim.date.end, claim.date.precision) == ("2023-05-11", PUBLISHED, "range")


def test_a_hospital_looted_and_occupied(extractor: Extractor) -> None:
    claim = only_claim(extractor, "L'hôpital de Mweso a été pillé et occupé par des combattants du M23.", "fr")
    assert (claim.violation, claim.perpetrator_id) == ("attack_school_hospital", "m23")


def test_a_town_is_read_in_the_province_the_sentence_names(extractor: Extractor) -> None:
    # Neither report names Colombia: the province does. Suárez is a town in Mexico too.
    struck = only_claim(extractor, "Hombres armados atacaron una escuela en el municipio de Suárez, Cauca.", "es")
    assert (struck.location.name, struck.location.admin1, struck.location.country) == ("Suárez", "Cauca", "CO")
    mine = only_claim(extractor, "Un niño murió por una mina en la vereda El Carmen, en Tumaco (Nariño).", "es")
    assert (mine.location.name, mine.location.country) == ("Tumaco", "CO")


def test_the_report_date_bounds_a_practice_told_undated(extractor: Extractor) -> None:
    claim = only_claim(extractor, "Les groupes armés recrutent régulièrement des enfants dans l'est du pays.", "fr")
    assert (claim.kind, claim.date.start, claim.date.end) == ("pattern", None, PUBLISHED)


def test_the_body_named_is_the_source_not_the_officials_speaking_for_it(extractor: Extractor) -> None:
    text = "قال مسؤولون من شرطة الاحتلال إن مستوطنين أحرقوا منزلا مما أدى إلى مقتل طفل."
    assert only_claim(extractor, text, "ar").source == "Israeli police"
    ministry = only_claim(extractor, "أعلنت وزارة الداخلية أن خمسة أطفال قتلوا في القصف.", "ar")
    assert ministry.source == "Ministry of Interior"


def test_a_report_attributed_in_the_next_sentence_takes_that_source(extractor: Extractor) -> None:
    text = (
        "Une attaque contre une école a fait quatre morts parmi les élèves.\n"
        "Les autorités locales ont assuré que l'enquête était en cours."
    )
    claims = extractor.extract(report(text, "fr"))
    assert claims and {c.source for c in claims} == {"local authorities"}
    # A source named before is kept: the next sentence's is not taken over it.
    earlier = "Selon l'UNICEF, trois enfants ont été tués.\nLes autorités locales ont confirmé le bilan."
    assert [c.source for c in extractor.extract(report(earlier, "fr"))] == ["UNICEF"]


def test_a_sentence_naming_no_actor_keeps_the_actor_of_the_event_just_told(extractor: Extractor) -> None:
    text = (
        "Israël a bombardé une école de Gaza qui abritait des familles déplacées.\n"
        "L'armée affirme que des combattants du Hamas s'y cachaient.\n"
        "Cette frappe a tué 93 personnes, dont onze enfants."
    )
    killing = [c for c in extractor.extract(report(text, "fr")) if c.violation == "killing_maiming"]
    assert [(c.perpetrator_id, c.victims.count) for c in killing] == [("israeli_forces", 11)]


def test_the_group_an_attack_answered_is_not_who_acted(extractor: Extractor) -> None:
    text = "Desde el comienzo de los bombardeos israelíes, en respuesta a los ataques de Hamas, 3.500 niños murieron."
    assert only_claim(extractor, text, "es").perpetrator_id == "israeli_forces"


@pytest.mark.parametrize(
    ("language", "text", "actor", "country"),
    [
        ("fr", "Une frappe aérienne russe a tué quatre enfants dans la province d'Idleb.", "russian_forces", "SY"),
        ("fr", "Les forces armées burkinabè ont arrêté sept mineurs à Djibo.", "burkinabe_forces", "BF"),
        ("es", "Tropas rusas mataron a tres niños en Járkov.", "russian_forces", "UA"),
        ("ar", "قتل ثلاثة أطفال في غارة جوية روسية على ريف إدلب.", "russian_forces", "SY"),
    ],
)
def test_a_nationality_after_troops_or_an_attack_says_whose_forces_not_where(
    extractor: Extractor, language: str, text: str, actor: str, country: str
) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.perpetrator_id, claim.location.country) == (actor, country)


def test_one_child_named_by_a_sexed_noun_and_another_word_has_that_sex(extractor: Extractor) -> None:
    claim = only_claim(extractor, "تعرضت فتاة قاصر تبلغ 13 عاما للاغتصاب على يد مسلحين.", "ar")
    victims = claim.victims
    assert (victims.count, victims.sex, victims.age_min, victims.age_max) == (1, "female", 13, 13)


@pytest.mark.parametrize(
    ("language", "text", "start", "end", "kind"),
    [
        ("fr", "25 enfants ont été tués entre janvier et mars 2023 à Mopti.", "2023-01", "2023-03", "aggregate"),
        ("es", "Entre enero y marzo de 2023, 25 niños fueron reclutados.", "2023-01", "2023-03", "aggregate"),
        ("ar", "قتل 25 طفلا بين يناير ومارس 2023 في إدلب.", "2023-01", "2023-03", "aggregate"),
        ("fr", "Du 3 au 5 mars 2024, douze enfants ont été tués à Gaza.", "2024-03-03", "2024-03-05", "incident"),
    ],
)
def test_a_period_is_read_from_its_first_month_or_day_and_a_total_over_weeks_is_an_aggregate(
    extractor: Extractor, language: str, text: str, start: str, end: str, kind: str
) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.date.start, claim.date.end, claim.kind) == (start, end, kind)


def test_a_month_is_no_province_that_puts_the_town_abroad(extractor: Extractor) -> None:
    # Folded, "آب" (August) is "إب" (Ibb, a Yemeni governorate): read as one, Sinjar was abroad.
    claim = only_claim(extractor, "اختطف تنظيم داعش عشرات الأطفال من قضاء سنجار في آب 2014.", "ar")
    assert (claim.location.name, claim.location.country, claim.date.start) == ("Sinjār", "IQ", "2014-08")


def test_the_first_body_named_is_the_source_before_the_government_it_belongs_to(extractor: Extractor) -> None:
    text = "أعلنت وزارة الداخلية في حكومة إقليم كردستان أن عشرة أطفال قتلوا."
    assert only_claim(extractor, text, "ar").source == "Ministry of Interior"
    agency = "ذكرت وكالة الأنباء الفلسطينية (وفا) أن قوات الاحتلال اعتقلت ثلاثة أطفال."
    assert only_claim(extractor, agency, "ar").source == "WAFA"
    spokesperson = "قال المتحدث باسم اليونيسف إن خمسة أطفال قتلوا."
    assert only_claim(extractor, spokesperson, "ar").source_id == "unicef"


def test_children_who_met_their_death_are_killed(extractor: Extractor) -> None:
    claim = only_claim(extractor, "لقي ثلاثة أطفال حتفهم في انفجار لغم في محافظة درعا.", "ar")
    assert (claim.violation, claim.victims.count, claim.location.admin1) == ("killing_maiming", 3, "Daraa")


def test_a_nationality_places_a_clause_only_when_it_is_the_childrens_or_nothing_else_does(
    extractor: Extractor,
) -> None:
    text = (
        "Au Mali, l'armée mène des opérations dans le centre du pays.\n"
        "Trois adolescents ont été torturés par des mercenaires russes."
    )
    claims = extractor.extract(report(text, "fr"))
    assert [(c.violation, c.location.country) for c in claims] == [("detention_torture", "ML")]
    children = only_claim(extractor, "Des soldats ont tué trois enfants syriens.", "fr")
    assert children.location.country == "SY"


DENIAL = "denial_humanitarian_access"


@pytest.mark.parametrize(
    ("language", "text", "violation"),
    [
        ("ar", "فقد ثلاثة أطفال حياتهم جراء سقوط قذيفة على منزلهم في حلب.", "killing_maiming"),
        ("ar", "تستخدم الميليشيات الأطفال في نقل الذخيرة والقتال على الجبهات.", "recruitment_use"),
        ("ar", "منعت القوات دخول قافلة مساعدات إلى الغوطة حيث يعاني آلاف الأطفال.", DENIAL),
        ("fr", "Les convois humanitaires destinés aux enfants ont été bloqués par les belligérants.", DENIAL),
    ],
)
def test_violations_told_in_other_words(extractor: Extractor, language: str, text: str, violation: str) -> None:
    assert only_claim(extractor, text, language).violation == violation


def test_a_single_adolescent_girl_is_female(extractor: Extractor) -> None:
    claim = only_claim(extractor, "Une adolescente a été victime d'un viol collectif commis par des soldats.", "fr")
    assert (claim.victims.count, claim.victims.sex, claim.victims.age_min) == (1, "female", 13)


def test_schools_counted_in_the_attack_make_a_total(extractor: Extractor) -> None:
    claim = only_claim(extractor, "تضررت 40 مدرسة في غزة جراء القصف.", "ar")
    assert (claim.violation, claim.kind, claim.location.admin1) == ("attack_school_hospital", "aggregate", "Gaza Strip")
    one = only_claim(extractor, "قصفت الطائرات مدرسة في غزة.", "ar")
    assert (one.violation, one.kind) == ("attack_school_hospital", "incident")


def test_a_city_abroad_is_read_only_by_its_own_name_and_after_the_reports_country(extractor: Extractor) -> None:
    # "Boni" is one of Bonn's names in the gazetteer; in a report about Mali it is a Malian town.
    boni = only_claim(extractor, "Au Mali, des combattants du JNIM ont exécuté un adolescent à Boni.", "fr")
    assert (boni.location.name, boni.location.country) == (None, "ML")
    gao = only_claim(extractor, "À Paris, l'Unicef a dénoncé la mort de trois enfants à Gao, au Mali.", "fr")
    assert (gao.location.admin1, gao.location.country) == ("Gao", "ML")


def test_french_perpetrators_in_other_words(extractor: Extractor) -> None:
    rape = only_claim(extractor, "Des éléments des FDLR ont violé une fillette de 12 ans à Rutshuru.", "fr")
    assert (rape.violation, rape.perpetrator_id, rape.victims.sex) == ("sexual_violence", "fdlr", "female")
    armed = only_claim(extractor, "Des individus armés ont enlevé trois enfants dans le village de Gorom.", "fr")
    assert (armed.perpetrator, armed.location.name) == ("armed individuals", "Gorom")


def test_a_province_named_with_del_is_one_name(extractor: Extractor) -> None:
    text = "Tres menores murieron en un ataque contra una estación de policía en Jamundí, Valle del Cauca."
    location = only_claim(extractor, text, "es").location
    assert (location.name, location.admin1, location.country) == ("Jamundí", "Valle del Cauca", "CO")


def test_children_used_as_informants_are_recruited(extractor: Extractor) -> None:
    claim = only_claim(extractor, "El Clan del Golfo utiliza a menores como informantes.", "es")
    assert (claim.violation, claim.perpetrator) == ("recruitment_use", "Clan del Golfo")


@pytest.mark.parametrize(
    ("language", "text", "day"),
    [
        ("ar", "قتل خمسة أطفال يوم 12/3/2024 في غارة على رفح.", "2024-03-12"),
        ("fr", "Le 12/03/2024, trois enfants ont été tués à Gao.", "2024-03-12"),
        ("ar", "اختطف مسلحون ثلاثة أطفال في الخامس عشر من يوليو 2023 في ولاية كاتسينا.", "2023-07-15"),
        ("ar", "قتل طفلان في قصف على مدينة إدلب في الثالث من الشهر الجاري.", "2024-05-03"),
        ("ar", "قتل طفلان في قصف على مدينة إدلب في 5 من الشهر الجاري.", "2024-05-05"),
    ],
)
def test_days_written_in_figures_or_words_and_the_current_month(
    extractor: Extractor, language: str, text: str, day: str
) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.date.start, claim.date.end) == (day, day)


def test_a_dateline_is_where_the_report_was_filed_not_where_it_happened(extractor: Extractor) -> None:
    text = (
        "OUAGADOUGOU (AFP) - Au moins douze enfants ont été tués dimanche dans une attaque contre une "
        "école coranique de Dori, dans le nord du Burkina Faso."
    )
    claims = extractor.extract(report(text, "fr"))
    assert claims and {(c.location.name, c.location.country) for c in claims} == {("Dori", "BF")}


def test_a_group_named_once_in_the_background_is_not_the_perpetrator(extractor: Extractor) -> None:
    text = (
        "Au moins douze enfants ont été tués dimanche dans le nord du Burkina Faso.\n"
        "L'attaque n'a pas été revendiquée.\n"
        "La zone est ciblée par des groupes liés à l'État islamique et à Al-Qaïda."
    )
    claims = extractor.extract(report(text, "fr"))
    assert [(c.violation, c.perpetrator_id) for c in claims] == [("killing_maiming", None)]


def test_a_news_agency_is_the_source_only_when_no_one_else_is_named(extractor: Extractor) -> None:
    text = "« Sept enfants ont été tués dans l'attaque », a déclaré à l'AFP un responsable local."
    assert only_claim(extractor, text, "fr").source_id is None  # the official, not AFP
    alone = only_claim(extractor, "Sept enfants ont été tués dans l'attaque, selon l'AFP.", "fr")
    assert alone.source_id == "afp"


def test_french_names_of_un_bodies_and_executions(extractor: Extractor) -> None:
    text = "Le Haut-Commissariat des Nations unies aux droits de l'homme rapporte que 30 enfants ont été tués."
    assert only_claim(extractor, text, "fr").source_id == "ohchr"
    executed = only_claim(extractor, "Human Rights Watch a documenté l'exécution de 12 enfants par des soldats.", "fr")
    assert (executed.violation, executed.victims.count) == ("killing_maiming", 12)


@pytest.mark.parametrize(
    ("language", "text", "count"),
    [
        ("fr", "Le nombre d'enfants tués depuis le début de la guerre s'élève à 300, selon l'Unicef.", 300),
        ("es", "El número de niños muertos en Gaza supera ya los 3 mil, según el Ministerio de Salud.", 3000),
        ("ar", "ارتفعت حصيلة الشهداء من الأطفال منذ بدء الحرب إلى أكثر من 13 ألفا.", 13000),
    ],
)
def test_a_total_told_after_the_children_is_their_count(
    extractor: Extractor, language: str, text: str, count: int
) -> None:
    assert only_claim(extractor, text, language).victims.count == count


def test_a_figure_that_is_not_the_childrens_total_is_not_their_count(extractor: Extractor) -> None:
    # "إلى" (to) alone is no total: the wounded children were taken to three hospitals.
    assert only_claim(extractor, "نقل الأطفال المصابون إلى 3 مستشفيات.", "ar").victims.count is None


def test_children_a_monitor_documented_are_a_total(extractor: Extractor) -> None:
    text = "أكد فريق الرصد أنه استطاع توثيق بيانات 63 طفلا قضوا إثر القصف على مخيم اليرموك."
    claim = only_claim(extractor, text, "ar")
    assert (claim.violation, claim.kind, claim.victims.count) == ("killing_maiming", "aggregate", 63)


def test_a_form_is_matched_in_the_other_case_ending_too(extractor: Extractor) -> None:
    # The file lists "إرهابيين" (accusative); the report writes "إرهابيون" (nominative).
    claim = only_claim(extractor, "قتل إرهابيون ثلاثة أطفال في هجوم على قرية.", "ar")
    assert claim.perpetrator == "terrorists"


def test_an_arabic_object_after_a_long_subject_and_adverbials_is_read(extractor: Extractor) -> None:
    text = "أعدمت لجنة الإعدامات التي شكلها التنظيم في المواقع الخلفية لجبهاته أمس رميا بالرصاص 41 طفلا من مسلحيه."
    killing = [c for c in extractor.extract(report(text, "ar")) if c.violation == "killing_maiming"]
    assert [c.victims.count for c in killing] == [41]


def test_the_group_detainees_are_accused_of_joining_is_not_who_detained_them(extractor: Extractor) -> None:
    text = "أفرجت السلطات العراقية عن 20 طفلا كانوا محتجزين بتهمة الانتماء لتنظيم داعش."
    assert only_claim(extractor, text, "ar").perpetrator_id == "iraqi_government"
    french = "Les autorités maliennes ont arrêté sept mineurs soupçonnés d'appartenir à l'État islamique."
    assert only_claim(extractor, french, "fr").perpetrator_id == "malian_forces"


def test_an_arabic_hospital_that_was_shelled_and_a_un_report(extractor: Extractor) -> None:
    text = "قالت منظمة أطباء بلا حدود إن مستشفى تدعمه في مدينة الفاشر تعرض للقصف."
    claim = only_claim(extractor, text, "ar")
    assert (claim.violation, claim.source_id) == ("attack_school_hospital", "msf")
    assert claim.location.admin1 == "North Darfur"
    recruited = only_claim(extractor, "جندت قوات الدعم السريع مئات الأطفال في دارفور، بحسب تقرير أممي.", "ar")
    assert (recruited.source_id, recruited.location.admin1) == ("united_nations", "Darfur")


@pytest.mark.parametrize(
    ("language", "text", "start", "end"),
    [
        ("fr", "Il y a deux semaines, des hommes armés ont enlevé 15 élèves à Kaduna.", "2024-04-26", "2024-05-10"),
        ("es", "Hace tres días, dos niños murieron en un bombardeo.", "2024-05-07", "2024-05-07"),
        ("ar", "قتل طفلان في قصف قبل يومين.", "2024-05-08", "2024-05-08"),
    ],
)
def test_days_and_weeks_ago(extractor: Extractor, language: str, text: str, start: str, end: str) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.date.start, claim.date.end) == (start, end)


def test_a_country_is_not_a_town_of_its_own_name(extractor: Extractor) -> None:
    # GeoNames has a town called Colombia, in Huila; the country named is the country.
    claim = only_claim(extractor, "El ELN reclutó a 15 niños en Colombia durante la pandemia.", "es")
    assert (claim.location.name, claim.location.country, claim.location.precision) == (None, "CO", "country")


def test_a_child_taken_to_hospital_after_shelling_is_no_attack_on_the_hospital(extractor: Extractor) -> None:
    claims = extractor.extract(report("أصيب طفل ونقل إلى مستشفى المدينة جراء قصف استهدف الحي.", "ar"))
    assert [c.violation for c in claims] == ["killing_maiming"]


@pytest.mark.parametrize(
    ("text", "admin1", "country"),
    [
        ("استشهد ثلاثة أطفال في غارة على بلدة في جنوب لبنان.", "South Lebanon", "LB"),
        ("اختطف مسلحون 20 تلميذا من مدرسة في ولاية زمفارا شمال غربي نيجيريا.", "Zamfara", "NG"),
    ],
)
def test_arabic_provinces_and_one_named_with_its_country(
    extractor: Extractor, text: str, admin1: str, country: str
) -> None:
    location = only_claim(extractor, text, "ar").location
    assert (location.admin1, location.country) == (admin1, country)


@pytest.mark.parametrize(
    ("language", "text", "source"),
    [
        # A nationality word next to the role says whose officials speak.
        ("fr", "Selon les autorités nigérianes, 40 enfants ont été enlevés dans un village.", "Nigerian authorities"),
        ("ar", "قال مسؤول عراقي إن 12 طفلا قتلوا في قصف على قرية.", "Iraqi official"),
        # A body or an armed group after a word of "of": that body's spokesperson.
        ("ar", "قال المتحدث باسم حماس إن خمسة أطفال قتلوا في غارة.", "Hamas spokesperson"),
        ("fr", "Sept enfants ont été enlevés, selon le porte-parole de Boko Haram.", "Boko Haram spokesperson"),
        (
            "es",
            "Según el portavoz del ELN, 20 niños fueron reclutados por las disidencias.",
            "National Liberation Army (ELN) spokesperson",
        ),
        # A role alone stays a role.
        ("fr", "Trois enfants ont été tués dans l'attaque, selon les autorités.", "authorities"),
    ],
)
def test_a_role_is_named_with_whose_it_is(extractor: Extractor, language: str, text: str, source: str) -> None:
    assert [c.source for c in extractor.extract(report(text, language))] == [source]


@pytest.mark.parametrize(
    ("language", "text", "perpetrator"),
    [
        # Forces that answered an attack did not make it: a word of responding after them, or,
        # verb first, before them, or the attackers named as the other side of the fight.
        ("fr", "Des ravisseurs ont enlevé 12 enfants près de Kankara, mais la police a riposté.", "kidnappers"),
        (
            "fr",
            "Douze enfants ont été enlevés pendant la fusillade qui opposait les assaillants aux forces de sécurité.",
            "assailants",
        ),
        ("es", "Hombres armados secuestraron a 12 niños en una vereda, pero el Ejército repelió el ataque.", "gunmen"),
        ("ar", "اختطف مسلحون 12 طفلا من قرية قرب الموصل وتصدت قوات الأمن للمهاجمين.", "gunmen"),
        # Who speaks is not who acted, the verb of saying after them as before them.
        (
            "fr",
            "Les autorités maliennes ont déclaré que des jihadistes avaient enlevé 12 enfants près de Mopti.",
            "jihadists",
        ),
        # Not when the forces did it.
        ("fr", "L'armée malienne a tué cinq enfants lors d'une frappe près de Mopti.", "Malian army (FAMa)"),
    ],
)
def test_responders_and_speakers_are_not_who_acted(
    extractor: Extractor, language: str, text: str, perpetrator: str
) -> None:
    assert only_claim(extractor, text, language).perpetrator == perpetrator


def test_arabic_sources_by_kind_and_news_agencies_that_relay_them(extractor: Extractor) -> None:
    yemeni = only_claim(extractor, "أفادت مصادر يمنية بمقتل خمسة أطفال في غارة جوية على صعدة.", "ar")
    assert (yemeni.source, yemeni.location.country) == ("Yemeni sources", "YE")
    # The agency relays a medical source, and its own country is not where the children died.
    relayed = only_claim(
        extractor, "نقلت وكالة الأنباء السعودية عن مصدر طبي أن ثلاثة أطفال قتلوا في قصف على تعز.", "ar"
    )
    assert (relayed.source, relayed.location.name, relayed.location.country) == ("medical source", "Taiz", "YE")
    red_crescent = only_claim(extractor, "قتل ستة أطفال في قصف على حلب، حسبما ذكر الهلال الأحمر العربي السوري.", "ar")
    assert red_crescent.source == "Syrian Arab Red Crescent"
    centre = only_claim(extractor, "أكد المركز الفلسطيني لحقوق الإنسان أن أربعة أطفال قتلوا في غزة.", "ar")
    assert centre.source_id == "pchr"


def test_ages_in_months_only_right_after_the_child(extractor: Extractor) -> None:
    baby = only_claim(extractor, "Un bébé de huit mois a été tué dans le bombardement.", "fr")
    assert (baby.victims.age_min, baby.victims.age_max) == (0, 0)
    toddler = only_claim(extractor, "Un niño de 18 meses murió en el ataque.", "es")
    assert (toddler.victims.age_min, toddler.victims.age_max) == (1, 1)
    held = only_claim(extractor, "Des enfants détenus depuis plus de six mois ont été torturés en prison.", "fr")
    assert (held.victims.age_min, held.victims.age_max) == (None, None)  # how long, not how old


@pytest.mark.parametrize(
    ("language", "text", "perpetrator"),
    [
        ("fr", "Des enfants ont été torturés par les forces de sécurité.", "security forces"),
        ("es", "Los soldados reclutaron a doce menores.", "soldiers"),
        ("ar", "قتل خمسة أطفال برصاص قوات الأمن.", "security forces"),
    ],
)
def test_a_states_forces_in_a_report_naming_no_country_are_described(
    extractor: Extractor, language: str, text: str, perpetrator: str
) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.perpetrator, claim.perpetrator_id, claim.location.country) == (perpetrator, None, None)


@pytest.mark.parametrize(
    ("language", "text", "start", "end"),
    [
        ("ar", "قتل خمسة أطفال في 2014/12/16 في حلب.", "2014-12-16", "2014-12-16"),  # the year first
        ("ar", "قتل خمسة أطفال مساء الاثنين في حلب.", "2015-07-27", "2015-07-27"),  # Monday with a word of time
        ("ar", "قتل خمسة أطفال خلال الـ24 ساعة الماضية في حلب.", "2015-08-01", "2015-08-02"),
        ("fr", "Cinq enfants ont été tués au cours des dernières 24 heures à Gao.", "2015-08-01", "2015-08-02"),
        ("es", "Cinco niños murieron en las últimas 24 horas en el Cauca.", "2015-08-01", "2015-08-02"),
    ],
)
def test_dates_year_first_weekdays_with_a_word_of_time_and_the_last_hours(
    extractor: Extractor, language: str, text: str, start: str, end: str
) -> None:
    claim = only_claim(extractor, text, language, published="2015-08-02")
    assert (claim.date.start, claim.date.end) == (start, end)


def test_a_word_of_the_childrens_own_noun_is_not_the_perpetrator(extractor: Extractor) -> None:
    freed = only_claim(extractor, "Des enfants soldats ont été libérés par les groupes armés.", "fr")
    assert freed.perpetrator == "armed groups"  # not "soldiers", the children themselves


@pytest.mark.parametrize(
    ("language", "text", "violation", "count", "perpetrator"),
    [
        ("ar", "لقي طفلان مصرعهما في غارة جوية على صعدة.", "killing_maiming", 2, None),  # the dual
        ("ar", "استخدم المسلحون المدرسة مقرا عسكريا.", "attack_school_hospital", None, "gunmen"),  # military use
        ("ar", "تحولت المدارس إلى ثكنات عسكرية.", "attack_school_hospital", None, None),
        ("es", "Más de 100 menores han sido vinculados al conflicto armado.", "recruitment_use", 100, None),
        # The police as described: a country's forces are its army, not its police.
        ("fr", "Cinq mineurs ont été arrêtés par la police à Bamako.", "detention_torture", 5, "police"),
        ("ar", "اعتقلت الشرطة خمسة أطفال في بغداد.", "detention_torture", 5, "police"),
        ("es", "Cinco menores fueron detenidos por la policía en Cali.", "detention_torture", 5, "police"),
    ],
)
def test_more_forms_of_violations_and_the_police(
    extractor: Extractor, language: str, text: str, violation: str, count: int | None, perpetrator: str | None
) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.violation, claim.victims.count, claim.perpetrator) == (violation, count, perpetrator)


def test_french_un_missions_by_their_names_and_reports_that_make_mention(extractor: Extractor) -> None:
    mission = only_claim(
        extractor, "La Mission des Nations unies au Mali a documenté la mort de trois enfants à Gao.", "fr"
    )
    assert mission.source_id == "minusma"  # not the United Nations its name starts with
    ocha = only_claim(
        extractor, "Le Bureau de la coordination des affaires humanitaires fait état de trois enfants tués.", "fr"
    )
    assert ocha.source_id == "ocha"


@pytest.mark.parametrize(
    ("language", "text", "violations", "perpetrator"),
    [
        # "تحرير" (freeing) is a word of abduction, and of this group's name.
        ("ar", "قتل خمسة أطفال في قصف لهيئة تحرير الشام.", ["killing_maiming"], "Hayat Tahrir al-Sham"),
        ("fr", "Le Front de libération du Macina a enlevé 12 enfants.", ["abduction"], "Katiba Macina"),
        # A trigger that only starts in the name still counts.
        (
            "fr",
            "Les bombardements israéliens ont détruit une école à Gaza.",
            ["attack_school_hospital"],
            "Israeli forces",
        ),
        # The international coalition is not the Arab one; opposition factions as described.
        ("ar", "قتل خمسة أطفال في قصف لقوات التحالف الدولي على الرقة.", ["killing_maiming"], "US-led coalition"),
        ("ar", "قتل خمسة أطفال في قصف لفصائل المعارضة على حلب.", ["killing_maiming"], "opposition factions"),
    ],
)
def test_a_word_of_an_actors_name_is_no_trigger(
    extractor: Extractor, language: str, text: str, violations: list[str], perpetrator: str
) -> None:
    claims = extractor.extract(report(text, language))
    assert [c.violation for c in claims] == violations
    assert claims[0].perpetrator == perpetrator


@pytest.mark.parametrize(
    ("text", "perpetrator"),
    [
        ("Cinq enfants ont été enlevés par des combattants d'Ansaroul Islam.", "Ansarul Islam"),
        ("Cinq enfants ont été tués par des séparatistes anglophones.", "Ambazonian separatists"),
        ("Cinq enfants ont été tués par des miliciens de la CPC.", "Coalition of Patriots for Change"),
        ("Cinq enfants ont été tués par l'État islamique au Grand Sahara.", "Islamic State Sahel Province"),
        ("Cinq enfants ont été tués par des colons israéliens.", "Israeli settlers"),
        ("Cinq enfants ont été tués par les forces françaises de Barkhane.", "French forces"),
        ("Cinq enfants ont été tués par des groupes d'autodéfense.", "self-defence groups"),
    ],
)
def test_french_names_of_the_codebooks_actors(extractor: Extractor, text: str, perpetrator: str) -> None:
    assert only_claim(extractor, text, "fr").perpetrator == perpetrator


@pytest.mark.parametrize(
    ("text", "perpetrator"),
    [
        ("قتل خمسة أطفال برصاص قوات هادي في تعز.", "Yemeni forces"),
        # The longer name first: not "تنظيم القاعدة", al-Qaeda itself.
        ("جند تنظيم القاعدة في جزيرة العرب 20 طفلا.", "al-Qaeda in the Arabian Peninsula"),
        ("قتل خمسة أطفال في قصف لقوات حفتر على طرابلس.", "Libyan National Army"),
        ("قتل خمسة أطفال في قصف لسرايا القدس.", "Palestinian Islamic Jihad"),
        ("قتل خمسة أطفال في قصف لطائرات مجهولة.", "unidentified aircraft"),
    ],
)
def test_arabic_names_of_the_codebooks_actors(extractor: Extractor, text: str, perpetrator: str) -> None:
    assert only_claim(extractor, text, "ar").perpetrator == perpetrator


@pytest.mark.parametrize(
    ("language", "text", "count"),
    [
        (
            "es",
            "El número de muertos en la franja, asediada desde hace días y sin electricidad ni agua corriente, "
            "supera ya los 3 mil, de los cuales 853 son niñas y niños.",
            853,
        ),
        (
            "fr",
            "Les frappes ont fait au moins 45 morts au cours des trois derniers jours dans plusieurs quartiers "
            "de la ville, dont 12 enfants.",
            12,
        ),
        (
            "ar",
            "ارتفع عدد ضحايا القصف على الأحياء السكنية في المدينة خلال الأيام الثلاثة الماضية"
            " إلى 45 قتيلا بينهم 12 طفلا.",
            12,
        ),
    ],
)
def test_the_childrens_share_of_a_toll_told_far_before_them(
    extractor: Extractor, language: str, text: str, count: int
) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.violation, claim.victims.count) == ("killing_maiming", count)


def test_a_share_needs_a_toll_before_it(extractor: Extractor) -> None:
    # Children after "dont" with no word of the violation before them in the sentence: no claim.
    assert extractor.extract(report("Le village compte 300 familles, dont 120 enfants.", "fr")) == []


@pytest.mark.parametrize(
    ("language", "text", "age", "sex"),
    [
        ("ar", "أصيب شقيقه أحمد (4 سنوات) بجروح خطيرة في القصف.", 4, "male"),
        ("ar", "أصيبت شقيقته (7 سنوات) بجروح في القصف.", 7, "female"),
        ("fr", "Sa sœur, âgée de 9 ans, a été tuée par une balle perdue.", 9, "female"),
        ("es", "Su hermano, de 9 años, murió en el bombardeo.", 9, "male"),
    ],
)
def test_kin_with_an_age_under_18_are_children(
    extractor: Extractor, language: str, text: str, age: int, sex: str
) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.victims.count, claim.victims.age_min, claim.victims.sex) == (1, age, sex)


def test_kin_of_age_are_not_children(extractor: Extractor) -> None:
    assert extractor.extract(report("قتل الرجل وابنه (25 عاما) في القصف.", "ar")) == []
    assert extractor.extract(report("Son fils de 30 ans a été tué.", "fr")) == []


@pytest.mark.parametrize(
    ("text", "admin1", "country"),
    [
        ("Trois enfants ont été tués dans le Nord-Ouest du Cameroun.", "North-West", "CM"),  # not Haiti's Nord-Ouest
        ("Trois enfants ont été tués dans le Darfour du Nord.", "North Darfur", "SD"),
        ("Trois enfants ont été tués dans la région des Hauts-Bassins.", "High-Basins", "BF"),
    ],
)
def test_regions_by_their_french_names(extractor: Extractor, text: str, admin1: str, country: str) -> None:
    claim = only_claim(extractor, text, "fr")
    assert (claim.location.admin1, claim.location.country) == (admin1, country)


@pytest.mark.parametrize(
    ("language", "text", "count", "ages", "sex"),
    [
        # Adolescents told with other children do not narrow the ages to 13-17.
        ("es", "Al menos 30 niños, niñas y adolescentes fueron reclutados por el ELN.", 30, (None, None), "mixed"),
        ("es", "Al menos 30 adolescentes fueron reclutados por el ELN.", 30, (13, 17), None),
        ("ar", "جند الحوثيون 30 طفلا وطفلة.", 30, (None, None), "mixed"),
        ("ar", "قتل مراهقان في القصف.", 2, (13, 17), "male"),  # the dual
    ],
)
def test_children_of_both_sexes_and_all_ages_told_together(
    extractor: Extractor, language: str, text: str, count: int, ages: tuple[int | None, int | None], sex: str | None
) -> None:
    v = only_claim(extractor, text, language).victims
    assert (v.count, (v.age_min, v.age_max), v.sex) == (count, ages, sex)


@pytest.mark.parametrize(
    ("language", "text", "perpetrator"),
    [
        # A group that speaks of its own act acted: not only a speaker.
        ("fr", "Boko Haram a annoncé avoir enlevé 300 élèves à Kankara.", "Boko Haram"),
        ("ar", "أعلن تنظيم داعش مسؤوليته عن اختطاف 20 طفلا في الموصل.", "Islamic State"),
        # One that tells what others did did not.
        ("ar", "قال الجيش إن مسلحين اختطفوا 20 طفلا.", "gunmen"),
    ],
)
def test_a_speaker_telling_its_own_act_is_who_acted(
    extractor: Extractor, language: str, text: str, perpetrator: str
) -> None:
    assert only_claim(extractor, text, language).perpetrator == perpetrator


@pytest.mark.parametrize(
    ("language", "text", "ages"),
    [
        # "Under 18" bounds the ages at 17, as in English.
        ("fr", "Des enfants de moins de 18 ans ont été recrutés.", (None, 17)),
        ("ar", "جند الحوثيون أطفالا دون سن 18 عاما.", (None, 17)),
        # Children told with their one age are all of that age...
        ("fr", "Des enfants de 12 ans ont été enrôlés.", (12, 12)),
        ("es", "Niños de 12 años fueron reclutados.", (12, 12)),
        # ...not when some of them are ("as young as").
        ("fr", "Des mineurs, dont certains n'avaient que 12 ans, ont été recrutés.", (12, None)),
    ],
)
def test_ages_under_18_and_children_told_with_their_age(
    extractor: Extractor, language: str, text: str, ages: tuple[int | None, int | None]
) -> None:
    v = only_claim(extractor, text, language).victims
    assert (v.age_min, v.age_max) == ages


def test_people_whose_ages_are_all_under_18_are_children(extractor: Extractor) -> None:
    fr = only_claim(extractor, "Les victimes, âgées de 5 à 16 ans, ont été tuées dans l'attaque.", "fr")
    assert (fr.violation, fr.victims.age_min, fr.victims.age_max) == ("killing_maiming", 5, 16)
    es = only_claim(extractor, "Las víctimas, de entre 5 y 16 años, murieron en el ataque.", "es")
    assert (es.victims.age_min, es.victims.age_max) == (5, 16)
    assert extractor.extract(report("Les victimes, âgées de 15 à 40 ans, ont été tuées dans l'attaque.", "fr")) == []


@pytest.mark.parametrize(
    ("text", "perpetrator"),
    [
        ("Les Forces armées de la République démocratique du Congo ont recruté 12 enfants.", "Congolese army (FARDC)"),
        ("Cinq enfants ont été tués par des inconnus armés.", "unidentified armed men"),
        ("Cinq enfants ont été recrutés par des groupes armés non étatiques.", "non-state armed groups"),
    ],
)
def test_french_forces_by_their_full_names_and_armed_men_described(
    extractor: Extractor, text: str, perpetrator: str
) -> None:
    assert only_claim(extractor, text, "fr").perpetrator == perpetrator


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Depuis le début de l'année, 120 enfants ont été tués au Burkina Faso."),
        ("es", "En lo que va del año, 120 niños han sido reclutados en Colombia."),
        ("ar", "قتل 120 طفلا منذ بداية العام الجاري في اليمن."),
    ],
)
def test_a_toll_since_the_start_of_the_year(extractor: Extractor, language: str, text: str) -> None:
    claim = only_claim(extractor, text, language, published="2015-08-02")
    assert (claim.date.start, claim.date.end, claim.kind) == ("2015-01-01", "2015-08-02", "aggregate")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Des colons ont incendié une maison, tuant un bébé de 18 mois et blessant son frère de quatre ans."),
        ("es", "Colonos incendiaron una casa; un bebé de 18 meses murió y su hermano de cuatro años resultó herido."),
    ],
)
def test_two_children_each_with_a_verb_of_its_own_are_two_claims_with_their_ages(
    extractor: Extractor, language: str, text: str
) -> None:
    claims = extractor.extract(report(text, language))
    assert sorted((c.violation, c.victims.count, c.victims.age_min) for c in claims) == [
        ("killing_maiming", 1, 1),
        ("killing_maiming", 1, 4),
    ]


def test_one_group_of_children_with_two_verbs_stays_one_claim(extractor: Extractor) -> None:
    claim = only_claim(extractor, "Un obus a tué ou blessé cinq enfants devant l'école de Goma.", "fr")
    assert claim.victims.count == 5


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Deux fillettes ont été violées par des soldats de la Minusca à Bambari."),
        ("es", "Dos niñas fueron violadas por cascos azules en Bambari."),
        ("ar", "اغتصب جنود حفظ السلام طفلة في بامباري بجمهورية أفريقيا الوسطى."),
    ],
)
def test_a_un_missions_soldiers_are_peacekeepers_not_the_host_countrys_army(
    extractor: Extractor, language: str, text: str
) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.perpetrator_id, claim.location.country) == ("un_peacekeepers", "CF")


@pytest.mark.parametrize(
    ("language", "text", "country"),
    [
        ("fr", "Le M23, soutenu par le Rwanda, a bombardé un camp de déplacés à Goma, tuant neuf enfants.", "CD"),
        ("es", "El M23, respaldado por Ruanda, bombardeó un campamento en Goma y mató a nueve niños.", "CD"),
        ("ar", "قتل ثلاثة أطفال في قصف شنته الميليشيات المدعومة من إيران على قرية في ريف حلب.", "SY"),
    ],
)
def test_a_country_backing_a_side_is_no_place(extractor: Extractor, language: str, text: str, country: str) -> None:
    assert only_claim(extractor, text, language).location.country == country
