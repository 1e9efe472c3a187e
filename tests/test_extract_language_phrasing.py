"""How Arabic and French news commonly tell what the claim's fields hold, each read by the
engine for languages other than English (issue 19): a month named by both its calendars'
names ("مارس/آذار 2023") keeps its year; ages told with two-word numbers, as two ages or a
list, as bounds of several children's ages, "بعمر", below an age; the accusative of a
singular child noun; a young man or woman with an age under 18; the occupier, the RSF,
settlers and the coalition by the names the Arab press gives them; described perpetrators
(armed elements, masked men, gangs); a period from the start of a war.

Every report here is our own, written for these tests (places, actors and figures are not
those of any benchmark report).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from childwatch.codebook import languages
from childwatch.extract import Extractor
from childwatch.extract.romanise import romanise
from test_extract_languages import only_claim, report

# ---- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("في 3 مارس/آذار 2023، قصفت طائرات سوقا في الفاشر، ما أدى إلى مقتل ستة أطفال.", "2023-03-03", "2023-03-03"),
        ("قتل ستة أطفال في قصف على مدينة حلب في نوفمبر/تشرين الثاني 2022.", "2022-11", "2022-11"),
        ("قتل ستة أطفال في قصف على مدينة حلب يوم 14 تشرين الثاني (نوفمبر) 2022.", "2022-11-14", "2022-11-14"),
        ("قتل ستة أطفال في قصف على مدينة حلب في كانون الثاني/يناير 2022.", "2022-01", "2022-01"),
    ],
)  # fmt: skip
def test_a_month_named_by_both_calendars_keeps_its_year(extractor: Extractor, text: str, start: str, end: str) -> None:
    claim = only_claim(extractor, text, "ar")
    assert (claim.date.start, claim.date.end) == (start, end)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ar", "قتل ما يزيد على 600 طفل في السودان منذ اندلاع الحرب في أبريل 2023."),
        ("fr", "Plus de 600 enfants ont été tués au Soudan depuis le début de la guerre en avril 2023."),
    ],
)
def test_a_period_from_the_start_of_a_war_runs_to_the_report(extractor: Extractor, language: str, text: str) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.date.start, claim.date.end) == ("2023-04", "2024-05-10")


# ---- ages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "age_min", "age_max"),
    [
        ("أفاد ناشطون بأن طفلين شقيقين، يبلغان من العمر 9 و11 عاماً، قتلا بقذيفة في مدينة حلب.", 9, 11),
        ("قتل ثلاثة أطفال أعمارهم 8 و10 و13 عاما في قصف على مدينة حلب.", 8, 13),
        ("قتل طفلان تتراوح أعمارهما بين الخامسة والتاسعة في قصف على مدينة حلب.", 5, 9),
        ("قتل طفل عمره اثنا عشر عاما في قصف على مدينة حلب.", 12, 12),
        ("قتل الطفل عمر ذو الأحد عشر عاما في قصف على مدينة حلب.", 11, 11),
        ("اختطف مسلحون الطفلة مريم البالغة من العمر اثني عشر عاما من مدينة الحسكة.", 12, 12),
        ("قتلت فتاة تبلغ خمس عشرة سنة في قصف على مدينة حلب.", 15, 15),
        ("قتل طفل بعمر 12 عاما في قصف على مدينة حلب.", 12, 12),
        ("قتل فتى في سن الـ15 في قصف على مدينة حلب.", 15, 15),
        ("قتل الفتى ابن الـ13 عاما في قصف على مدينة حلب.", 13, 13),
        ("تجند الجماعات المسلحة أطفالا تقل أعمارهم عن 15 عاما في جنوب السودان.", None, 14),
        ("توفي عشرات الأطفال دون الخامسة جراء سوء التغذية في مخيم للنازحين بمدينة الفاشر.", None, 4),
    ],
)  # fmt: skip
def test_arabic_ages_in_words_lists_bounds_and_below(
    extractor: Extractor, text: str, age_min: int | None, age_max: int | None
) -> None:
    claim = only_claim(extractor, text, "ar")
    assert (claim.victims.age_min, claim.victims.age_max) == (age_min, age_max)


def test_days_told_with_a_figure_are_no_ages(extractor: Extractor) -> None:
    claim = only_claim(extractor, "قتل أربعة أطفال في قصف على مدينة حلب منذ 3 و4 أيام.", "ar")
    assert (claim.victims.age_min, claim.victims.age_max) == (None, None)


@pytest.mark.parametrize(
    ("text", "violation", "sex", "age"),
    [
        ("وكانت القوات العراقية قد اعتقلت صبيا يبلغ من العمر 17 عاما في البصرة.", "detention_torture", "male", 17),
        ("اعتقلت القوات قاصرا يبلغ 16 عاما في مدينة الخليل.", "detention_torture", None, 16),
    ],
)  # fmt: skip
def test_the_accusative_of_a_singular_child_noun_is_one_child(
    extractor: Extractor, text: str, violation: str, sex: str | None, age: int
) -> None:
    claim = only_claim(extractor, text, "ar")
    assert (claim.violation, claim.victims.count, claim.victims.sex) == (violation, 1, sex)
    assert (claim.victims.age_min, claim.victims.age_max) == (age, age)


@pytest.mark.parametrize(
    ("language", "text", "sex", "age"),
    [
        ("ar", "قتل شاب يبلغ من العمر 17 عاما برصاص قوات الأمن في مدينة درعا.", "male", 17),
        ("ar", "استشهد الشاب سامي (16 عاما) برصاص قوات الاحتلال في مدينة قلقيلية.", "male", 16),
        ("fr", "Un jeune de 16 ans a été tué par balle lors d'une manifestation à Conakry.", None, 16),
        ("fr", "Un jeune homme de 17 ans a été tué par balle lors d'une manifestation à Conakry.", "male", 17),
        ("fr", "Âgé de 14 ans, Ibrahim a été tué par balle lors d'une manifestation à Conakry.", None, 14),
    ],
)  # fmt: skip
def test_a_young_person_under_eighteen_is_a_child(
    extractor: Extractor, language: str, text: str, sex: str | None, age: int
) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.violation, claim.victims.count, claim.victims.sex) == ("killing_maiming", 1, sex)
    assert (claim.victims.age_min, claim.victims.age_max) == (age, age)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ar", "استشهد الشاب سامي (27 عاما) برصاص قوات الاحتلال في مدينة قلقيلية."),
        ("fr", "Un jeune de 22 ans a été tué par balle lors d'une manifestation à Conakry."),
    ],
)
def test_a_young_adult_is_no_child(extractor: Extractor, language: str, text: str) -> None:
    assert extractor.extract(report(text, language)) == []


# ---- perpetrators and sources -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        ("أصيب طفل برصاص جنود الاحتلال خلال اقتحام بلدة في محافظة نابلس.", "israeli_forces"),
        ("استشهد ثلاثة أطفال في قصف لطائرات الاحتلال على منزل في دير البلح.", "israeli_forces"),
        ("اعتقلت سلطات الاحتلال 12 طفلا من مدينة القدس خلال الشهر الماضي.", "israeli_forces"),
        ("استشهد طفل برصاص قناصة الاحتلال شرق مدينة خان يونس.", "israeli_forces"),
        ("أصيب طفل بجروح بعد أن هاجمه مستعمرون في قرية قرب نابلس.", "israeli_settlers"),
        ("قتل عشرة أطفال في هجوم لميليشيا الدعم السريع على مدينة الفاشر.", "rsf"),
        ("قتل عشرة أطفال في قصف مدفعي للدعم السريع على مدينة الفاشر.", "rsf"),
        ("قتل أربعة أطفال في غارة لطيران تحالف العدوان على منزل في صعدة.", "saudi_coalition"),
        ("قتل أربعة أطفال في غارة لطيران العدوان على منزل في محافظة صعدة.", "saudi_coalition"),
    ],
)  # fmt: skip
def test_arabic_names_of_forces_by_what_the_press_calls_them(extractor: Extractor, text: str, actor: str) -> None:
    assert only_claim(extractor, text, "ar").perpetrator_id == actor


@pytest.mark.parametrize(
    ("language", "text", "described"),
    [
        ("ar", "اختطفت عناصر مسلحة ثلاثة أطفال من قرية في ريف دير الزور.", "gunmen"),
        ("ar", "اختطف ملثمون طفلة من أمام مدرستها في مدينة الحسكة.", "masked gunmen"),
        ("fr", "Cinq enfants ont été tués par des gangs armés dans un quartier de Port-au-Prince.", "armed gangs"),
        ("fr", "Deux enfants ont été tués par des hommes en armes dans un village de la Kossi.", "gunmen"),
        ("fr", "Deux enfants ont été tués par des groupes armés terroristes dans la Kossi.", "terrorist armed groups"),
        ("fr", "Trois enfants ont été tués dans un attentat des islamistes d'Al-Chabab à Mogadiscio.", "al_shabaab"),
    ],
)  # fmt: skip
def test_perpetrators_described_or_transliterated(
    extractor: Extractor, language: str, text: str, described: str
) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.perpetrator_id or claim.perpetrator) == described  # a codebook id, else as described


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Un enfant a été tué dans l'attaque, selon une source hospitalière.", "hospital source"),
        ("Un enfant a été tué dans l'attaque, a-t-on appris de sources sécuritaires.", "security sources"),
    ],
)
def test_french_sources_hospital_and_learnt_from(extractor: Extractor, text: str, source: str) -> None:
    assert only_claim(extractor, text, "fr").source == source


# ---- violations -------------------------------------------------------------------------


def test_a_school_told_with_its_place_before_the_attack_is_attacked(extractor: Extractor) -> None:
    text = "تعرضت مدرسة ابتدائية في حي الشجاعية شرق مدينة غزة لقصف إسرائيلي أمس."
    claim = only_claim(extractor, text, "ar")
    assert (claim.violation, claim.perpetrator_id, claim.date.start) == (
        "attack_school_hospital",
        "israeli_forces",
        "2024-05-09",
    )


def test_recruiting_her_is_recruitment(extractor: Extractor) -> None:
    claims = extractor.extract(report("اختطف مسلحون طفلة قاصرا لتجنيدها في صفوفهم في مدينة الرقة.", "ar"))
    assert {c.violation for c in claims} == {"abduction", "recruitment_use"}


@pytest.mark.parametrize(
    ("language", "text", "violation"),
    [
        ("ar", "راح ضحية القصف طفلان وامرأة في بلدة سرمين بريف إدلب.", "killing_maiming"),
        ("ar", "كان من بين الضحايا طفلان في القصف على بلدة سرمين.", "killing_maiming"),
        ("ar", "وثقت المنظمة وجود الأطفال الجنود في صفوف الفصائل المسلحة بمدينة عفرين.", "recruitment_use"),
        ("ar", "اتهم التقرير الميليشيات باستغلال الأطفال في الأعمال القتالية في محافظة الحديدة.", "recruitment_use"),
        ("ar", "وتنتشر ظاهرة الزواج القسري للفتيات القاصرات في مخيمات النازحين.", "sexual_violence"),
        ("ar", "وتمنع القوات إدخال المساعدات إلى الأطفال المحاصرين في المدينة.", "denial_humanitarian_access"),
        ("fr", "Trois enfants ont été fauchés par des tirs d'obus dans le quartier de Ndosho.", "killing_maiming"),
        ("fr", "Six enfants figurent parmi les victimes de l'attaque au drone contre le marché.", "killing_maiming"),
        ("fr", "Selon l'ONU, 120 enfants associés aux forces et groupes armés ont été libérés.", "recruitment_use"),
        ("fr", "Des militaires occupent plusieurs écoles de la localité depuis trois mois.", "attack_school_hospital"),
        ("fr", "L'hôpital pédiatrique de la ville a été touché par une frappe samedi.", "attack_school_hospital"),
    ],
)  # fmt: skip
def test_common_ways_of_telling_a_violation(extractor: Extractor, language: str, text: str, violation: str) -> None:
    assert violation in {c.violation for c in extractor.extract(report(text, language))}


@pytest.mark.parametrize(
    ("language", "text", "violation"),
    [
        ("ar", "قتل خمسة أطفال خلال الأعمال القتالية في مدينة الفاشر.", "recruitment_use"),
        ("ar", "كان من بين الضحايا ثلاثة رجال وامرأة في بلدة سرمين.", "killing_maiming"),
        ("ar", "منعت السلطات دخول الصحفيين إلى المدينة.", "denial_humanitarian_access"),
        ("fr", "Les militaires occupent la ville depuis trois mois.", "attack_school_hospital"),
        ("fr", "Trois hommes figurent parmi les victimes de l'attaque.", "killing_maiming"),
        ("fr", "Les forces et groupes armés se sont affrontés près de Bunia.", "recruitment_use"),
    ],
)
def test_the_same_words_without_children_or_schools_are_no_claim(
    extractor: Extractor, language: str, text: str, violation: str
) -> None:
    assert violation not in {c.violation for c in extractor.extract(report(text, language))}


@pytest.mark.parametrize(
    ("language", "text", "source"),
    [
        ("ar", "وقال خالد العمر، وهو ناشط حقوقي في المدينة، إن ثلاثة أطفال قتلوا في القصف.", "activist"),
        ("ar", "وقال سامر الحسن، مدير المستشفى، إن ثلاثة أطفال قتلوا في القصف.", "hospital director"),
        ("ar", "قالت منظمة إنقاذ الطفل إن ثلاثة أطفال قتلوا في القصف على بلدة كفرنبل.", "Save the Children"),
        ("ar", "قالت شبكة أطباء السودان إن ثلاثة أطفال قتلوا في القصف على مدينة الفاشر.", "Sudan Doctors Network"),
        ("ar", "وقال الجيش السوداني في بيان إن ثلاثة أطفال قتلوا في قصف على مدينة الأبيض.", "Sudanese Armed Forces"),
        ("fr", "Le M23 a affirmé que trois enfants avaient été tués par un obus de l'armée près de Sake.", "M23"),
        ("fr", "Trois enfants ont été tués dans une frappe de drone, a affirmé l'armée malienne.", "Malian army"),
    ],
)  # fmt: skip
def test_who_says_a_role_in_apposition_a_body_or_a_force_not_what_was_said(
    extractor: Extractor, language: str, text: str, source: str
) -> None:
    claims = extractor.extract(report(text, language))
    assert claims and claims[0].source == source


def test_a_body_named_in_what_was_said_is_not_who_says_it(extractor: Extractor) -> None:
    text = "Un habitant a affirmé que la Croix-Rouge avait évacué trois enfants blessés par les tirs."
    claims = extractor.extract(report(text, "fr"))
    assert claims and claims[0].source == "resident"


# ---- a report's sentences together ----------------------------------------------------------


def test_a_sentence_without_a_date_takes_the_one_before_it_in_its_paragraph(extractor: Extractor) -> None:
    text = (
        "ووثقت منظمة محلية مقتل 40 مدنيا بينهم 11 طفلا في اليمن خلال شهر آذار/مارس 2024. "
        "وأشارت المنظمة إلى أن قصف الحوثيين قتل 6 أطفال.\n\n"
        "وفي سياق آخر، قتل طفلان بانفجار لغم في محافظة الحديدة."
    )
    claims = extractor.extract(report(text, "ar", published="2024-04-03"))
    dates = {c.victims.count: (c.date.start, c.date.end) for c in claims}
    assert dates[11] == dates[6] == ("2024-03", "2024-03")
    assert dates[2] != ("2024-03", "2024-03")  # another paragraph: not March


def test_a_group_adjective_after_any_noun_names_the_group(extractor: Extractor) -> None:
    claim = only_claim(extractor, "قتلت طفلة برصاص قناص حوثي في حي الروضة بمدينة تعز.", "ar")
    assert claim.perpetrator_id == "houthis"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("قتل ثلاثة أطفال في قصف على مخيم جباليا شمال قطاع غزة.", "Jabaliya"),
        ("قتل ثلاثة أطفال في قصف على حي الشجاعية شرق مدينة غزة.", "al-Shaja'iya"),
        ("قتل ثلاثة أطفال في هجوم على قرية كامونا شمالي الكاميرون.", "Kamuna"),
    ],
)
def test_a_town_the_gazetteer_lacks_is_named_in_latin_letters_and_quoted_as_written(
    extractor: Extractor, text: str, name: str
) -> None:
    location = only_claim(extractor, text, "ar").location
    assert location.name == name
    assert location.span is not None and location.span.text in text  # the report's own script


def test_words_that_describe_a_quarter_are_no_name(extractor: Extractor) -> None:
    location = only_claim(extractor, "قتل ثلاثة أطفال في قصف على حي سكني في مدينة إدلب.", "ar").location
    assert location.name == "Idlib"


@pytest.mark.parametrize(
    ("arabic", "latin"),
    [
        ("كفرنبل", "Kafranbal"),
        ("قباطية", "Qabatiya"),
        ("النيرب", "al-Nirab"),
        ("دير البلح", "Dir al-Balah"),
        ("حلب", "Halab"),
        ("Bunia", "Bunia"),  # no Arabic letter: as written
    ],
)
def test_romanised_arabic_names(arabic: str, latin: str) -> None:
    assert romanise(arabic) == latin


@pytest.mark.parametrize(
    ("language", "text", "count"),
    [
        ("fr", "Au moins quatre enfants, dont un nourrisson de trois mois, ont été tués dans l'attaque.", 4),
        ("fr", "Cinq enfants, dont deux fillettes, ont été tués dans le bombardement de Goma.", 5),
        ("fr", "Neuf personnes, dont deux enfants, ont été tuées dans le bombardement de Goma.", 2),
        ("ar", "قتل أربعة أطفال بينهم رضيع عمره ثلاثة أشهر في قصف على مدينة حلب.", 4),
        ("ar", "قتل تسعة مدنيين بينهم طفلان في قصف على مدينة حلب.", 2),
    ],
)  # fmt: skip
def test_a_share_of_children_among_children_is_not_their_number(
    extractor: Extractor, language: str, text: str, count: int
) -> None:
    assert only_claim(extractor, text, language).victims.count == count


def test_a_total_is_not_dated_by_the_ledes_day(extractor: Extractor) -> None:
    text = (
        "Trois enfants ont été tués mercredi dans une attaque contre un village près de Kaya.\n\n"
        "Les Nations unies ont recensé 120 enfants tués ou blessés au Burkina Faso depuis des mois."
    )
    claims = extractor.extract(report(text, "fr"))
    incident, total = sorted(claims, key=lambda c: c.evidence.start)
    assert (incident.kind, incident.date.start) == ("incident", "2024-05-08")
    assert (total.kind, total.date.start, total.date.end) == ("aggregate", None, "2024-05-10")


def test_a_capitalised_dateline_is_where_the_report_was_filed(extractor: Extractor) -> None:
    text = "Niamey (AFP) - Au moins neuf enfants ont été tués mardi dans une attaque contre le village de Tondikwindi."
    location = only_claim(extractor, text, "fr").location
    assert (location.name, location.admin1) == ("Tondikwindi", None)


def test_a_body_is_named_by_its_acronym_and_a_town_is_no_speaker(extractor: Extractor) -> None:
    text = (
        "Quatre enfants ont été tués dans le quartier de Bel-Air à Port-au-Prince, "
        "selon le Réseau national de défense des droits humains (RNDDH)."
    )
    assert only_claim(extractor, text, "fr").source == "RNDDH"
    text = "Quatre enfants ont été tués par balles dans le quartier de Bois-Verna, selon des habitants."
    assert only_claim(extractor, text, "fr").source == "residents"


def test_a_jihadist_attack_and_a_gang_are_who_acted(extractor: Extractor) -> None:
    text = "Au moins neuf enfants ont été tués mardi dans une attaque jihadiste contre un village du Mali."
    assert only_claim(extractor, text, "fr").perpetrator == "jihadists"
    text = "Quatre enfants ont été tués lors d'une attaque du gang de Grand-Ravine contre un quartier."
    assert only_claim(extractor, text, "fr").perpetrator == "gang"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ar", "استشهد 25 طفلا في الضفة الغربية منذ بداية العام."),
        ("ar", "قتل 40 طفلا في اليمن منذ مطلع السنة الجارية."),
        ("fr", "Au moins 40 enfants ont été tués au Mali depuis début de l'année."),
        ("es", "Al menos 40 niños fueron reclutados desde comienzos del año en el Cauca."),
    ],
)
def test_since_the_start_of_the_year_runs_from_its_first_of_january(
    extractor: Extractor, language: str, text: str
) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.date.start, claim.date.end) == ("2024-01-01", "2024-05-10")


def test_hundreds_since_a_year_are_a_total(extractor: Extractor) -> None:
    claim = only_claim(extractor, "وقد خطفت الجماعة مئات الأطفال في المنطقة منذ عام 2014.", "ar")
    assert (claim.kind, claim.victims.count, claim.victims.count_low) == ("aggregate", None, 200)


def test_the_taliban_singular_or_plural(extractor: Extractor) -> None:
    text = "Deux enfants ont été tués par un taliban lors d'une attaque contre une école de Kunduz."
    assert "taliban" in {c.perpetrator_id for c in extractor.extract(report(text, "fr"))}


# ---- the language files -----------------------------------------------------------------

# Lists and tables the loader reads as phrases (folded to their words), not as patterns.
_PHRASES = {
    "dates": ("this_year", "this_month", "last_month", "issued", "until", "connectors"),
    "sources": ("clause", "of"),
    "forces": ("refer_back", "state"),
}
_TABLES = (("actors",), ("forces", "described"), ("sources", "bodies"), ("sources", "named"))


@pytest.mark.parametrize("code", ["ar", "es", "fr"])
def test_no_pattern_is_written_where_a_phrase_is_read(code: str) -> None:
    """A pattern where the loader reads phrases becomes one phrase no report contains (as
    "منذ (?:بداية|مطلع) العام" once did): every such entry must be plain words."""
    path = Path(languages.__file__).parent / "languages" / f"{code}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    forms = [f for section, keys in _PHRASES.items() for k in keys for f in data.get(section, {}).get(k, [])]
    for names in _TABLES:
        table = data
        for name in names:
            table = table.get(name, {})
        forms += list(table)
    assert [f for f in forms if re.search(r"\(\?|[|\\\[\]*+?{}]", f)] == []


@pytest.mark.parametrize(
    ("language", "text", "start", "end"),
    [
        ("fr", "Trente enfants ont été tués entre janvier et avril dans la région de Kaya.", "2024-01", "2024-04"),
        ("ar", "قتل 30 طفلا في اليمن بين يناير وأبريل الماضيين.", "2024-01", "2024-04"),
        ("fr", "Trente enfants ont été tués entre octobre et février dans la région de Kaya.", "2023-10", "2024-02"),
        ("fr", "Trente enfants ont été tués entre juin et août dans la région de Kaya.", "2023-06", "2023-08"),
    ],
)
def test_two_months_without_a_year_are_the_latest_such_months(
    extractor: Extractor, language: str, text: str, start: str, end: str
) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.date.start, claim.date.end) == (start, end)


@pytest.mark.parametrize(
    ("language", "text", "count"),
    [
        ("fr", "Le nombre d'enfants tués s'élève désormais à 2.500, selon l'Unicef.", 2500),
        ("fr", "Le nombre d'enfants tués atteint désormais 2.500, selon l'Unicef.", 2500),
        ("fr", "Le nombre d'enfants tués dans la région dépasse 600, selon l'Unicef.", 600),
        ("ar", "ارتفع عدد الأطفال الذين قتلوا في الهجوم إلى 35.", 35),
        ("ar", "نقل الأطفال الذين أصيبوا في الهجوم إلى 3 مستشفيات في المدينة.", None),
    ],
)
def test_a_running_total_told_after_the_children(
    extractor: Extractor, language: str, text: str, count: int | None
) -> None:
    assert only_claim(extractor, text, language).victims.count == count


@pytest.mark.parametrize(
    ("language", "text", "kind"),
    [
        ("ar", "وثقت الشبكة السورية لحقوق الإنسان مقتل طفلين في غارة جوية على بلدة سرمين أمس.", "incident"),
        ("ar", "قال التقرير إن طفلين قتلا في غارة جوية على بلدة سرمين أمس.", "incident"),
        ("ar", "وثقت الشبكة السورية لحقوق الإنسان مقتل 45 طفلا في سوريا خلال شهر آذار.", "aggregate"),
        ("ar", "أعلنت وزارة الصحة في حكومة الإقليم أمس أن عدد الأطفال القتلى بلغ حتى الآن 45 طفلا.", "aggregate"),
        ("ar", "ويجند الحوثيون الأطفال ويزجون بهم في جبهات القتال.", "pattern"),
        ("fr", "Selon le rapport publié mardi, deux enfants ont été tués dans une frappe lundi.", "incident"),
        ("fr", "Selon le rapport, 45 enfants ont été tués en Syrie en mars.", "aggregate"),
    ],
)  # fmt: skip
def test_a_report_of_one_days_event_is_an_incident(extractor: Extractor, language: str, text: str, kind: str) -> None:
    assert only_claim(extractor, text, language).kind == kind


@pytest.mark.parametrize(
    ("language", "text", "source"),
    [
        ("ar", "اتهمت الحكومة اليمنية الحوثيين بتجنيد 100 طفل في محافظة الحديدة.", None),
        ("ar", "اتهمت منظمة العفو الدولية الجيش السوداني بقتل 12 طفلا في مدينة الأبيض.", "Amnesty International"),
        ("fr", "Kinshasa accuse le M23 d'avoir recruté 100 enfants dans le Rutshuru.", None),
        ("fr", "Le M23 accuse l'armée d'avoir tué trois enfants près de Sake.", "M23"),
        ("fr", "Le M23 a exécuté huit enfants dans le Rutshuru, accuse Human Rights Watch.", "Human Rights Watch"),
    ],
)  # fmt: skip
def test_whom_a_word_of_accusing_names_is_accused_not_the_source(
    extractor: Extractor, language: str, text: str, source: str | None
) -> None:
    assert only_claim(extractor, text, language).source == source


@pytest.mark.parametrize(
    ("language", "text", "count", "sex"),
    [
        ("fr", "Un lycéen de 16 ans a été enlevé par des hommes armés près de Djibo.", 1, "male"),
        ("fr", "Trente écoliers ont été enlevés par des hommes armés près de Kaduna.", 30, None),
        ("ar", "قتل تلميذ في قصف استهدف مدرسته في مدينة إدلب.", 1, "male"),
        ("ar", "قتلت تلميذة في قصف استهدف مدرستها في مدينة إدلب.", 1, "female"),
        ("ar", "اختطف مسلحون 20 تلميذة من مدرستهن في ولاية زمفارا.", 20, "female"),
        ("ar", "قتل 12 تلميذا في قصف استهدف مدرستهم في مدينة إدلب.", 12, None),
    ],
)
def test_a_pupil_is_a_boy_or_a_girl_by_the_words_gender(
    extractor: Extractor, language: str, text: str, count: int, sex: str | None
) -> None:
    victims = only_claim(extractor, text, language).victims
    assert (victims.count, victims.sex) == (count, sex)
