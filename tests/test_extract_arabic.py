"""Arabic reports, read by the engine for languages other than English (`extract.languages`)
with `codebook/languages/ar.toml`: figures in digits, Arabic-Indic digits, words and the
dual; the singular noun that counts 11-99; ages; dates by Gregorian and Levantine month
names, by weekday and relative to publication; actors and sources by their codebook ids,
whatever is glued before them; places from the gazetteer only where a place word puts
them; evidence quoted verbatim through diacritics and tatweel; a clause of another event
kept apart; a child's name; and one report through the whole pipeline.

Every report here is our own, written for these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from childwatch.extract import Extractor
from childwatch.extract.names import document_child_names
from childwatch.records import Claim
from childwatch.run.pipeline import run_pipeline
from childwatch.store import open_store
from test_extract_languages import PUBLISHED, only_claim, report, spans_of


def arabic(extractor: Extractor, text: str, published: str | None = PUBLISHED) -> Claim:
    """The one claim of an Arabic report."""
    return only_claim(extractor, text, "ar", published)


# ---- figures ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "count", "qualifier"),
    [
        ("قتل 5 أطفال في قصف جوي على حلب.", 5, None),
        ("قتل ٧ أطفال في قصف جوي على حلب.", 7, None),  # Arabic-Indic digits
        ("قتل ثلاثة أطفال في قصف جوي على حلب.", 3, None),
        ("قتل خمسة و عشرين طفلا في قصف جوي على حلب.", 25, None),  # the joiner written apart
        pytest.param(
            "قتل خمسة وعشرين طفلا في قصف جوي على حلب.",
            25,
            None,
            id="glued-joiner",
        ),
        ("قتل اثنا عشر طفلا في قصف على إدلب.", 12, None),
        ("قتل طفلين في قصف جوي على حلب.", 2, None),  # the dual
        ("قتل 4 مدنيين بينهم طفل في قصف جوي على حلب.", 1, None),
        ("قتل ما لا يقل عن 12 طفلا في قصف جوي على حلب.", 12, "at least"),
        ("قتل عشرات الأطفال في قصف جوي على حلب.", None, "dozens"),  # no count: at least 20 (count_low)
    ],
)
def test_figures_in_digits_words_and_the_dual(
    extractor: Extractor, text: str, count: int | None, qualifier: str | None
) -> None:
    claim = arabic(extractor, text)
    assert claim.violation == "killing_maiming"
    assert (claim.victims.count, claim.victims.qualifier) == (count, qualifier)
    assert claim.victims.count_low == (20 if qualifier == "dozens" else None)


@pytest.mark.parametrize(
    ("text", "count", "sex"),
    [
        ("قتل 39 طفلاً في قصف جوي على حلب.", 39, None),  # 11-99 count with a singular noun: no sex
        ("قتل طفل في قصف جوي على حلب.", 1, "male"),
        ("قتلت طفلة في قصف جوي على حلب.", 1, "female"),
        ("قتل 10 مدنيين بينهم طفلة في قصف على إدلب.", 1, "female"),
        pytest.param(
            "قتل طفل وطفلة في قصف جوي على حلب.",
            2,
            "mixed",
            id="a-boy-and-a-girl",
        ),
    ],
)
def test_a_singular_noun_is_one_child_of_its_sex_unless_a_figure_counts_it(
    extractor: Extractor, text: str, count: int, sex: str | None
) -> None:
    victims = arabic(extractor, text).victims
    assert (victims.count, victims.sex) == (count, sex)


@pytest.mark.parametrize(
    ("text", "count", "age_min", "age_max"),
    [
        ("قتل طفل (6 سنوات) في قصف جوي على حلب.", 1, 6, 6),
        ("قتل طفل عمره 18 شهرا في قصف جوي على حلب.", 1, 1, 1),  # months: a child of one
        ("اختطف مسلحون 9 أطفال تتراوح أعمارهم بين 8 و 15 عاما.", 9, 8, 15),
        # Months in words after the child and her name, or after a glued و: a baby of 0.
        ("قتلت الطفلة سلمى ستة أشهر في قصف جوي على حلب.", 1, 0, 0),
        ("قتلت الطفلة سلمى وعمرها ستة أشهر في قصف جوي على حلب.", 1, 0, 0),
        # A year and a half between dashes: a child of one.
        ("قتل الرضيع سامي - عام ونصف - حرقا في هجوم على منزل عائلته.", 1, 1, 1),
    ],
)
def test_ages_in_years_months_and_ranges(
    extractor: Extractor, text: str, count: int, age_min: int, age_max: int
) -> None:
    victims = arabic(extractor, text).victims
    assert (victims.count, victims.age_min, victims.age_max) == (count, age_min, age_max)


# ---- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "published", "start", "precision", "said"),
    [
        ("قتل 3 أطفال في قصف جوي على حلب في 12 يوليو 2015.", PUBLISHED, "2015-07-12", "day", "12 يوليو 2015"),
        ("قتل 3 أطفال في قصف جوي على حلب في 12 تموز 2015.", PUBLISHED, "2015-07-12", "day", "12 تموز 2015"),
        ("قتل 3 أطفال في قصف جوي على حلب في 20 كانون الأول.", PUBLISHED, "2023-12-20", "day", "20 كانون الأول"),
        ("قتل 3 أطفال أمس في قصف جوي على حلب.", PUBLISHED, "2024-05-09", "day", "أمس"),
        ("قتل 3 أطفال يوم الثلاثاء في قصف جوي على حلب.", PUBLISHED, "2024-05-07", "day", "الثلاثاء"),
        ("قتل 3 أطفال الجمعة في قصف جوي على حلب.", PUBLISHED, "2024-05-10", "day", "الجمعة"),
        ("قتل 3 أطفال في نيسان الماضي في قصف جوي على حلب.", PUBLISHED, "2024-04", "month", "نيسان الماضي"),
        ("قتل 3 أطفال في نيسان الماضي في قصف جوي على حلب.", "2024-03-15", "2023-04", "month", "نيسان الماضي"),
    ],
)
def test_dates_by_month_name_weekday_and_relative_to_publication(
    extractor: Extractor, text: str, published: str, start: str, precision: str, said: str
) -> None:
    date = arabic(extractor, text, published).date
    assert (date.start, date.end, date.precision) == (start, start, precision)
    assert date.span is not None and date.span.text == said


# ---- actors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "actor_id", "said"),
    [
        ("قتل تنظيم داعش 3 أطفال في الموصل.", "islamic_state", "تنظيم داعش"),
        ("اختطف تنظيم الدولة 6 أطفال في ريف حلب.", "islamic_state", "تنظيم الدولة"),
        ("وقتل تنظيم داعش 4 مدنيين بينهم طفل في الموصل.", "islamic_state", "تنظيم داعش"),
        ("قتل 3 أطفال في هجوم لداعش على الموصل.", "islamic_state", "لداعش"),  # ل glued to the actor
        ("جند الحوثيون 12 طفلا في اليمن.", "houthis", "الحوثيون"),
        ("قتلت قوات الاحتلال طفلين فلسطينيين في مخيم جنين.", "israeli_forces", "قوات الاحتلال"),
        ("قتل 4 أطفال في غارة للتحالف بقيادة السعودية على صنعاء.", "saudi_coalition", "للتحالف بقيادة السعودية"),
    ],
)
def test_actors_come_out_by_their_codebook_ids(extractor: Extractor, text: str, actor_id: str, said: str) -> None:
    claim = arabic(extractor, text)
    assert claim.perpetrator_id == actor_id
    assert claim.perpetrator == extractor.codebook.actor(actor_id).name
    assert claim.perpetrator_span is not None and claim.perpetrator_span.text == said


def test_government_forces_in_a_syrian_report_are_the_syrian_state(extractor: Extractor) -> None:
    claim = arabic(extractor, "قتلت القوات الحكومية 7 أطفال في قصف على ريف إدلب في سوريا.")
    assert (claim.perpetrator_id, claim.perpetrator) == ("syrian_government", "Syrian government forces")
    assert claim.location.country == "SY"


@pytest.mark.parametrize(
    ("text", "actor_id"),
    [
        ("قال الجيش الإسرائيلي إن 3 أطفال قتلوا في غارة على رفح.", None),  # who speaks did not act
        ("قال التحالف العربي إن 6 أطفال قتلوا في صعدة.", None),
        ("قال الحوثيون إن التحالف العربي قتل 6 أطفال في صعدة.", "saudi_coalition"),  # after إن: who acted
        ("ذكرت مصادر محلية أن الحوثيين جندوا 30 طفلا في صعدة.", "houthis"),  # after أن
        ("قال ناشطون إن داعش أعدم طفلا في الرقة.", "islamic_state"),
    ],
)
def test_who_speaks_is_not_who_acted_but_what_follows_inna_acts(
    extractor: Extractor, text: str, actor_id: str | None
) -> None:
    claim = arabic(extractor, text)
    assert claim.perpetrator_id == actor_id
    if actor_id is None:
        assert claim.perpetrator is None and claim.perpetrator_span is None


def test_a_clause_of_another_event_is_another_claim(extractor: Extractor) -> None:
    text = "وقتل تنظيم داعش 4 مدنيين بينهم طفل، أما جبهة النصرة فقد قتلت طفلين."
    claims = extractor.extract(report(text, "ar"))
    assert [(c.violation, c.victims.count, c.perpetrator_id) for c in claims] == [
        ("killing_maiming", 1, "islamic_state"),
        ("killing_maiming", 2, "nusra_front"),
    ]
    assert claims[1].perpetrator_span is not None and claims[1].perpetrator_span.text == "جبهة النصرة"


# ---- places -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "admin1", "country", "precision"),
    [
        ("قتل 5 أطفال في حلب.", "Aleppo", "Aleppo", "SY", "place"),
        ("قتل 8 أطفال بالموصل في تفجير.", "Mosul", "Ninawa", "IQ", "place"),  # ب and the article glued
        ("استشهد طفلان فلسطينيان برصاص جيش الاحتلال في نابلس.", "Nablus", "West Bank", "PS", "place"),
        ("قتل 8 أطفال في اليمن في غارة.", None, None, "YE", "country"),
        ("اعتقلت قوات الاحتلال 5 أطفال فلسطينيين.", None, None, "PS", "country"),  # a nationality, no place
    ],
)
def test_places_come_from_the_gazetteer_with_english_names_and_iso_codes(
    extractor: Extractor, text: str, name: str | None, admin1: str | None, country: str, precision: str
) -> None:
    location = arabic(extractor, text).location
    assert (location.name, location.admin1, location.country, location.precision) == (name, admin1, country, precision)


def test_a_common_word_that_names_a_village_is_a_place_only_after_a_place_word(extractor: Extractor) -> None:
    # الشهداء, "the martyrs", is also a West Bank village (Ash Shuhadā’).
    cued = arabic(extractor, "قتل 5 أطفال فلسطينيين في الشهداء.").location
    assert (cued.name, cued.country) == ("Ash Shuhadā’", "PS")
    uncued = arabic(extractor, "قتل 5 أطفال فلسطينيين برصاص قوات الاحتلال، وشيع الأهالي الشهداء.").location
    assert (uncued.name, uncued.country, uncued.precision) == (None, "PS", "country")


def test_a_city_struck_is_the_place_but_a_dateline_is_not(extractor: Extractor) -> None:
    # The object of a verb of attack is where it happened; a dateline is where the report was
    # filed (and a word alone may be a common word that a large city is also called).
    struck = arabic(extractor, "قتل 5 أطفال في قصف جوي استهدف حلب.").location
    assert (struck.name, struck.country) == ("Aleppo", "SY")
    filed = arabic(extractor, "الرياض - قتل 5 أطفال يمنيين في قصف جوي.").location
    assert (filed.name, filed.country) == (None, "YE")


# ---- sources ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "source", "source_id"),
    [
        ("قتل 4 أطفال في قصف جوي على حلب، وفقا لليونيسف.", "UNICEF", "unicef"),  # ل + ال written لل
        ("قتل 4 أطفال في قصف جوي على حلب، بحسب اليونيسف.", "UNICEF", "unicef"),
        ("قالت منظمة الأمم المتحدة للطفولة (يونيسف) إن 4 أطفال قتلوا في قصف جوي.", "UNICEF", "unicef"),
        (
            "قال المرصد السوري لحقوق الإنسان إن 4 أطفال قتلوا في قصف جوي على حلب.",
            "Syrian Observatory for Human Rights",
            "sohr",
        ),
        ("قال ناشطون إن 4 أطفال قتلوا في قصف جوي على حلب.", "activists", None),
    ],
)
def test_sources_resolve_to_the_codebooks_bodies(
    extractor: Extractor, text: str, source: str, source_id: str | None
) -> None:
    claim = arabic(extractor, text)
    assert (claim.source, claim.source_id) == (source, source_id)
    span = claim.source_span
    assert span is not None and text[span.start : span.end] == span.text


# ---- evidence ---------------------------------------------------------------------------


# Diacritics on the verb and tatweel in the noun: matched as if unwritten, quoted as written.
ARABIC_REPORT = (
    "قُتِلَ خمسة أطفـــال في قصف جوي على حي سكني في حلب يوم الثلاثاء، وفقا لليونيسف.\n"
    "وفي العراق، اختطف تنظيم داعش ثلاثة أطفال بالموصل."
)


def test_every_span_quotes_the_report_verbatim_through_diacritics_and_tatweel(extractor: Extractor) -> None:
    document = report(ARABIC_REPORT, "ar")
    claims = extractor.extract(document)
    assert [(c.violation, c.victims.count) for c in claims] == [("killing_maiming", 5), ("abduction", 3)]
    for claim in claims:
        for span in spans_of(claim):
            assert document.text[span.start : span.end] == span.text, (claim.violation, span)
    killing, abduction = claims
    assert killing.trigger is not None and killing.trigger.text.startswith("قُتِل")
    assert "خمسة أطفـــال" in killing.evidence.text
    assert (killing.date.start, killing.location.name, killing.source_id) == ("2024-05-07", "Aleppo", "unicef")
    assert abduction.perpetrator_span is not None and abduction.perpetrator_span.text == "تنظيم داعش"
    assert (abduction.perpetrator_id, abduction.location.name, abduction.location.country) == (
        "islamic_state",
        "Mosul",
        "IQ",
    )


# ---- a child's name ---------------------------------------------------------------------------


def test_an_arabic_childs_name_after_a_child_noun_is_found() -> None:
    assert document_child_names("قتل الطفل محمد أحمد (6 سنوات) في قصف") == ["محمد أحمد"]


# ---- the whole pipeline -------------------------------------------------------------------


YEMENI = {
    "id": "ar-yemen-recruitment",
    "title": "الحوثيون يجندون أطفالا في صعدة",
    "published": PUBLISHED,
    "text": (
        "ذكرت مصادر محلية أن الحوثيين جندوا ما لا يقل عن 30 طفلا في محافظة صعدة خلال الأسبوع الماضي، "
        "وأرسلوهم إلى جبهات القتال. وقالت الأسر إنها لم تعد تعرف شيئا عن أبنائها، وطالبت المنظمات "
        "الدولية بالتدخل لإعادتهم إلى مدارسهم."
    ),
}


def test_an_arabic_report_is_detected_extracted_and_stored(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "yemen.json").write_text(json.dumps(YEMENI, ensure_ascii=False), encoding="utf-8")
    with open_store(tmp_path / "run.sqlite") as store:
        summary = run_pipeline([inputs], store)
        assert summary.counts.not_extracted == {}
        document = store.document(YEMENI["id"])
        assert document is not None and document.language == "ar" and document.text == YEMENI["text"]
        claims = [c.claim for c in store.iter_claims() if c.claim.doc_id == YEMENI["id"]]
    assert len(claims) == 1, [(c.violation, c.evidence.text) for c in claims]
    [claim] = claims
    assert claim.violation == "recruitment_use"
    assert (claim.victims.count, claim.victims.qualifier) == (30, "at least")
    assert (claim.perpetrator_id, claim.perpetrator) == ("houthis", "Houthis")
    # "محافظة صعدة": Sa'dah governorate (an admin1 with its Arabic name in places.toml), not the city.
    assert (claim.location.admin1, claim.location.precision, claim.location.country) == ("Sa'dah", "admin1", "YE")
    assert claim.source == "local sources"
    assert YEMENI["text"][claim.evidence.start : claim.evidence.end] == claim.evidence.text


def test_one_child_named_twice_is_one_child(extractor: Extractor) -> None:
    # "his child, the infant": two nouns in apposition, not a boy and another child.
    victims = arabic(extractor, "استشهد طفله الرضيع في قصف على المنزل.").victims
    assert (victims.count, victims.sex) == (1, "male")


def test_a_hijri_date_is_the_day_of_the_tabular_islamic_calendar(extractor: Extractor) -> None:
    # 1 Shawwal 1436, the first day of Eid al-Fitr, was 17 July 2015.
    claim = arabic(extractor, "قتل ثلاثة أطفال في قصف على حلب في 1 شوال 1436 هـ.")
    assert (claim.date.start, claim.date.precision) == ("2015-07-17", "day")
    assert claim.date.span is not None and claim.date.span.text == "1 شوال 1436"


def test_a_period_of_days_from_one_day_to_another(extractor: Extractor) -> None:
    claim = arabic(extractor, "قتل 39 طفلا في سوريا منذ 17 يوليو (تموز) حتى 19 منه، وفقا للشبكة السورية لحقوق الإنسان.")
    # No year given: the latest July before the report (published in May 2024).
    assert (claim.date.start, claim.date.end, claim.date.precision) == ("2023-07-17", "2023-07-19", "range")


def test_a_thousand_is_a_number_word_not_an_article_and_a_letter(extractor: Extractor) -> None:
    claim = arabic(extractor, "أعلنت الأمم المتحدة أن أكثر من ألف طفل جندتهم جماعة الحوثي منذ عام 2015.")
    assert claim.violation == "recruitment_use"  # "جندتهم": a verb with its object glued
    assert (claim.victims.count, claim.victims.qualifier, claim.victims.sex) == (1000, "more than", None)
    assert (claim.perpetrator_id, claim.source_id) == ("houthis", "united_nations")


def test_a_hospital_struck_is_an_attack_on_it(extractor: Extractor) -> None:
    claim = arabic(extractor, "قصفت القوات الروسية مستشفى للأطفال في مدينة إدلب، ما أدى إلى خروجه عن الخدمة.")
    assert claim.violation == "attack_school_hospital"
    assert (claim.perpetrator_id, claim.location.name, claim.location.country) == ("russian_forces", "Idlib", "SY")


def test_short_words_and_cut_words_are_not_cities_abroad(extractor: Extractor) -> None:
    # "في سن 14" (at the age of 14): a two-letter word; "بابا عمرو" cut to "ابا" is Aba, Nigeria.
    claim = arabic(extractor, "اغتصبت فتيات في سن 14 عاما في حي بابا عمرو بحمص في سوريا.")
    assert (claim.location.name, claim.location.country) == ("Homs", "SY")


def test_a_place_spelt_with_alef_maqsura_and_ages_not_exceeding(extractor: Extractor) -> None:
    # "نينوى" ends in ى, which folding writes ي: the gazetteer is asked the report's own spelling.
    claim = arabic(extractor, "اعتقلت قوات الأمن العراقية 12 طفلا لا تتجاوز أعمارهم 15 عاما في محافظة نينوى.")
    assert (claim.location.admin1, claim.location.country, claim.perpetrator_id) == ("Ninawa", "IQ", "iraqi_government")
    assert (claim.victims.count, claim.victims.age_min, claim.victims.age_max) == (12, None, 15)


def test_an_age_in_years_written_as_a_word(extractor: Extractor) -> None:
    claim = arabic(extractor, 'استشهد الرضيع "علي - عام ونصف" حرقا في الاعتداء على المنزل.')
    assert (claim.victims.count, claim.victims.age_min, claim.victims.age_max) == (1, 1, 1)


def test_a_sudanese_state_and_a_total_over_the_past_two_weeks(extractor: Extractor) -> None:
    raped = arabic(extractor, "تعرضت طفلة تبلغ من العمر 13 عاما للاغتصاب على يد مسلحين في ولاية جنوب دارفور.")
    assert (raped.location.admin1, raped.location.country, raped.victims.age_min) == ("South Darfur", "SD", 13)
    total = arabic(extractor, "قالت اليونيسف إن 50 طفلا قتلوا أو أصيبوا في اليمن خلال الأسبوعين الماضيين.")
    assert (total.kind, total.date.start, total.date.end) == ("aggregate", "2024-04-26", PUBLISHED)


def test_months_after_a_word_of_time_are_no_age(extractor: Extractor) -> None:
    # "since six months": how long the boy has been held, not how old he is.
    victims = arabic(extractor, "اعتقلت القوات الطفل سامي منذ ستة أشهر في الخليل.").victims
    assert (victims.count, victims.age_min, victims.age_max) == (1, None, None)


def test_a_baby_killed_and_his_brother_wounded_are_two_claims_with_their_ages(extractor: Extractor) -> None:
    text = "أضرم مستوطنون النار في منزل بقرية دوما مما أدى إلى مقتل طفل عمره 18 شهرا وإصابة شقيقه ذي الأربع سنوات."
    claims = extractor.extract(report(text, "ar"))
    assert sorted((c.victims.count, c.victims.age_min, c.victims.age_max) for c in claims) == [(1, 1, 1), (1, 4, 4)]


def test_in_a_statement_is_no_place(extractor: Extractor) -> None:
    # "في بيان" (in a statement) is not Bayān in Kuwait: the strike was in Idlib.
    claim = arabic(extractor, "أعلنت منظمة اليونيسف في بيان مقتل ثلاثة أطفال في قصف جوي على مدينة إدلب.")
    assert (claim.location.name, claim.location.country, claim.source) == ("Idlib", "SY", "UNICEF")
