"""Readings of Arabic, French and Spanish reports found wrong on reports we had not tuned
to, each a general rule with a sentence of our own: ages told as ordinals or between
commas, a person with a child's age as the child, a child as the suicide bomber and not a
suicide attack's victim, a spokesperson's army as the speaker and not the actor, schools
closed for insecurity, fire set to a school, families and lawyers as sources; and, in
English, the place an attack struck.

Every report here is our own, written for these tests.
"""

from __future__ import annotations

import pytest

from childwatch.extract import Extractor
from childwatch.records import Claim, Document

PUBLISHED = "2024-05-10"  # a Friday


def report(text: str, language: str) -> Document:
    return Document(id="t", text=text, raw=text.encode(), sha256="0" * 64, origin="test",
                    media_type="text/plain", published=PUBLISHED, language=language)  # fmt: skip


def claims(extractor: Extractor, text: str, language: str) -> list[Claim]:
    return extractor.extract(report(text, language))


def only_claim(extractor: Extractor, text: str, language: str) -> Claim:
    found = claims(extractor, text, language)
    assert len(found) == 1, [(c.violation, c.evidence.text) for c in found]
    return found[0]


@pytest.mark.parametrize(
    ("language", "text", "age"),
    [
        # "In his tenth (year)": the ordinal of the age, feminine in Arabic whatever the child.
        ("ar", "أعدم المسلحون طفلا في العاشرة من عمره في ساحة القرية.", 10),
        ("ar", "أصيب طفل في الثالثة عشرة من العمر بجروح في انفجار عبوة ناسفة.", 13),
        # An age between commas after the child's name.
        ("ar", "قتلت الطفلة سلمى، 9 أعوام، برصاص قناص قرب منزلها.", 9),
        ("fr", "Un garçon, 12 ans, a été tué par une balle perdue au marché.", 12),
        # The age glued to the name by a dash, the digits to the word for years.
        ("ar", 'أصيب الطفل "سامي-6سنوات" بحروق خطيرة في هجوم على منزل العائلة.', 6),
        ("ar", "قتل الطفل يوسف-11 عاما-برصاص قناص قرب المدرسة.", 11),
        # An ordinal told in digits ("in his 14th"), a year and a half, the years then their number.
        ("ar", "قتل فتى في الـ14 من عمره برصاص قناص قرب المدرسة.", 14),
        ("ar", "قتل طفل عمره عام ونصف في قصف على الحي.", 1),
        ("ar", "قتلت الطفلة ليلى ذات الأعوام الخمسة في قصف على الحي.", 5),
    ],
)
def test_ages_told_as_ordinals_or_between_commas(extractor: Extractor, language: str, text: str, age: int) -> None:
    victims = only_claim(extractor, text, language).victims
    assert (victims.count, victims.age_min, victims.age_max) == (1, age, age)


@pytest.mark.parametrize(
    ("language", "text", "violation", "age"),
    [
        ("fr", "Le petit Ibrahim, 10 ans, a été enlevé devant sa maison par des hommes armés.", "abduction", 10),
        ("es", "Mateo, de 11 años, fue secuestrado por hombres armados en la vereda.", "abduction", 11),
        ("ar", "سليم، 12 عاما، خطف من أمام منزله على يد مسلحين.", "abduction", 12),
    ],
)
def test_a_person_told_with_a_childs_age_is_a_child(
    extractor: Extractor, language: str, text: str, violation: str, age: int
) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.violation, claim.victims.count, claim.victims.age_min) == (violation, 1, age)


def test_an_adults_age_between_commas_makes_no_child(extractor: Extractor) -> None:
    assert claims(extractor, "Moussa, 34 ans, a été enlevé devant sa maison par des hommes armés.", "fr") == []


def test_a_child_as_the_suicide_bomber_is_use_not_the_victims_of_a_suicide_attack(extractor: Extractor) -> None:
    victims = claims(extractor, "قتل خمسة أطفال في تفجير انتحاري استهدف مسجدا في البلدة.", "ar")
    assert [c.violation for c in victims] == ["killing_maiming"]
    bomber = only_claim(extractor, "استخدم التنظيم طفلا انتحاريا في تفجير سوق البلدة.", "ar")
    assert (bomber.violation, bomber.victims.count) == ("recruitment_use", 1)


def test_the_army_whose_spokesperson_speaks_is_not_who_acted(extractor: Extractor) -> None:
    claim = only_claim(
        extractor, "Selon le porte-parole de l'armée, des séparatistes ont mis le feu à un lycée de la ville.", "fr"
    )
    assert claim.violation == "attack_school_hospital"  # fire set to a school is an attack on it
    assert claim.perpetrator == "separatists"
    assert claim.source == "spokesperson"


def test_schools_closed_for_insecurity_are_no_attack(extractor: Extractor) -> None:
    closed = "Plus de 900 écoles ont été fermées dans le nord du pays à cause de l'insécurité, selon le ministère."
    assert claims(extractor, closed, "fr") == []
    # Closed, no one said to have closed them: a consequence, not an act.
    assert claims(extractor, "Dans la région, plus de 700 écoles sont fermées.", "fr") == []
    ordered = only_claim(extractor, "Des hommes armés ont fermé l'école du village et menacé les enseignants.", "fr")
    assert ordered.violation == "attack_school_hospital"


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Un garçon de 12 ans a été blessé par balle lors de la manifestation, a indiqué sa famille.", "family"),
        ("Deux adolescents de 15 et 16 ans ont été arrêtés par la police, a déclaré leur avocat.", "lawyer"),
        ("Deux enfants ont été tués dans le bombardement du quartier, selon les Casques blancs.", "White Helmets"),
    ],
)
def test_families_lawyers_and_rescuers_are_sources(extractor: Extractor, text: str, source: str) -> None:
    assert only_claim(extractor, text, "fr").source == source


@pytest.mark.parametrize(
    "text",
    [
        "Two children were killed in an air strike on Douma on Monday.",
        "Two children were killed when jets struck Douma on Monday.",
    ],
)
def test_the_place_an_attack_struck_is_where_it_happened(extractor: Extractor, text: str) -> None:
    location = only_claim(extractor, text, "en").location
    assert (location.admin1, location.country) == ("Rif Dimashq", "SY")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Trois enfants ont été tués au marché.\nL'un d'eux, un garçon de 8 ans, a succombé à l'hôpital."),
        ("fr", "Trois enfants ont été tués au marché.\nAwa, 8 ans, a succombé à ses blessures à l'hôpital."),
        ("ar", "قتل ثلاثة أطفال في قصف على السوق.\nأحدهم، 8 أعوام، توفي متأثرا بجروحه في المستشفى."),
    ],
)
def test_one_of_a_group_told_before_is_that_groups_event(extractor: Extractor, language: str, text: str) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.violation, claim.victims.count) == ("killing_maiming", 3)
    assert len(claim.mentions) == 1  # the second sentence, as a further mention


def test_a_teenager_and_her_age_are_one_child(extractor: Extractor) -> None:
    text = "Une adolescente a été enlevée lundi par des hommes armés.\nAïcha, 14 ans, a été enlevée sur le chemin."
    claim = only_claim(extractor, text, "fr")
    assert (claim.victims.count, claim.victims.age_min, claim.victims.age_max) == (1, 14, 14)
    # Ages that cannot be one child's stay two children.
    two = "Une adolescente a été enlevée lundi par des hommes armés.\nAïcha, 9 ans, a été enlevée devant chez elle."
    assert len(claims(extractor, two, "fr")) == 2


def test_a_quarter_of_a_town_is_not_its_namesake_abroad(extractor: Extractor) -> None:
    # "الميدان" (a quarter of Damascus) is also the Arabic name of Medan, in Indonesia; the
    # report names only Syrian cities.
    text = "تواصل القوات قصف الأحياء في دمشق. وقتل الطفل برصاص قناص في حي الميدان."
    assert only_claim(extractor, text, "ar").location.country == "SY"


def test_a_building_struck_is_not_a_town_of_its_name(extractor: Extractor) -> None:
    # Al-Taj is also a village in China; "the Al-Taj building" is a building.
    location = only_claim(extractor, "An air strike on the Al-Taj building killed 44 children.", "en").location
    assert location.country != "CN"


@pytest.mark.parametrize(
    ("text", "admin1", "source"),
    [
        # The speaker after an inverted verb of saying, not a name before it.
        ("Le groupe recrute des enfants dans le territoire de Rutshuru, accuse Kinshasa.", "North Kivu", None),
        ("Des hommes armés ont tué un enseignant et deux élèves, a indiqué le directeur de l'école.", None, None),
    ],
)
def test_the_speaker_of_an_inverted_verb_of_saying_follows_it(
    extractor: Extractor, text: str, admin1: str | None, source: str | None
) -> None:
    # (Killing a teacher is an attack on education as well: one claim of each, or just one.)
    found = claims(extractor, text, "fr")
    assert found and {c.source for c in found} == {source}
    if admin1 is not None:
        assert {c.location.admin1 for c in found} == {admin1}


@pytest.mark.parametrize(
    ("language", "text", "start"),
    [
        # The day a report came out is not the day of what it tells: "fin mars" is.
        ("fr", "Des soldats ont exécuté quatre enfants fin mars, selon un rapport publié vendredi.", "2024-03"),
        ("es", "Cuatro niños fueron asesinados en marzo, según un informe publicado el viernes.", "2024-03"),
        ("ar", "قتل أربعة أطفال في مارس الماضي، بحسب تقرير نشر يوم الخميس.", "2024-03"),
        # "Since the start of the month": the report's own month.
        ("fr", "Depuis le début du mois, au moins 12 enfants ont été tués dans la région.", "2024-05"),
    ],
)
def test_the_day_a_report_came_out_is_not_the_events(
    extractor: Extractor, language: str, text: str, start: str
) -> None:
    assert only_claim(extractor, text, language).date.start == start


@pytest.mark.parametrize(
    ("text", "violation", "count"),
    [
        # The dual of the passive: "two children were killed", "two girls were abducted".
        ("ذكرت مصادر محلية أن طفلين قتلا في غارة على الحي.", "killing_maiming", 2),
        ("قال شهود إن طفلتين اختطفتا من أمام المدرسة.", "abduction", 2),
    ],
)
def test_arabic_duals_of_the_passive(extractor: Extractor, text: str, violation: str, count: int) -> None:
    claim = only_claim(extractor, text, "ar")
    assert (claim.violation, claim.victims.count) == (violation, count)


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ar", "قالت الأمم المتحدة إن 398 طفلا قتلوا في البلاد منذ مارس الماضي."),
        ("fr", "Au moins 40 enfants ont été tués depuis mars, selon l'Unicef."),
        ("es", "Al menos 40 niños han muerto desde marzo, según Unicef."),
    ],
)
def test_since_a_month_is_a_period_up_to_the_report(extractor: Extractor, language: str, text: str) -> None:
    when = only_claim(extractor, text, language).date
    assert (when.start, when.end) == ("2024-03-01", PUBLISHED)


@pytest.mark.parametrize(
    ("text", "perpetrator", "source"),
    [
        ("استهدفت الميليشيات الانقلابية مدرسة في المدينة، بحسب مسؤول محلي.", "Houthis", "local official"),
        ("أفادت مصادر حوثية بإصابة ثلاثة أطفال بقذيفة أطلقها مسلحو المعارضة.", "opposition fighters", "Houthi sources"),
    ],
)
def test_arabic_actors_and_sources_by_their_press_names(
    extractor: Extractor, text: str, perpetrator: str, source: str
) -> None:
    claim = only_claim(extractor, text, "ar")
    assert (claim.perpetrator, claim.source) == (perpetrator, source)


def test_a_village_is_not_a_city_of_its_name(extractor: Extractor) -> None:
    # Duma, a village south of Nablus, is not Douma, a city near Damascus.
    text = "أحرق مستوطنون منزل عائلة في قرية دوما جنوب نابلس، ما أدى إلى استشهاد رضيع."
    assert only_claim(extractor, text, "ar").location.country == "PS"


def test_a_rising_number_of_children_killed_is_a_total(extractor: Extractor) -> None:
    claim = only_claim(extractor, "أعلنت وزارة الصحة ارتفاع عدد الأطفال الذين قتلوا إلى 500 طفل.", "ar")
    assert (claim.kind, claim.victims.count) == ("aggregate", 500)


def test_a_countrys_name_is_the_country_not_a_town_named_after_it(extractor: Extractor) -> None:
    # Egypt, Arizona is a town: in a report that names the US again and again, "Egypt" is still Egypt.
    text = "US President Joe Biden met US officials in the US capital. The US said an attack in Egypt killed children."
    found = claims(extractor, text, "en")
    assert found and {c.location.country for c in found} == {"EG"}


@pytest.mark.parametrize(
    ("text", "country"),
    [
        # "said ... in X" is where a statement was made, unless an attack stands between.
        ("Officials said an attack in Nigeria killed five children.", "NG"),
        ("UNICEF said in Geneva that 12 children were killed in Gaza.", "PS"),
    ],
)
def test_where_a_statement_was_made_is_not_where_an_attack_it_tells_was(
    extractor: Extractor, text: str, country: str
) -> None:
    assert only_claim(extractor, text, "en").location.country == country


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Dix enfants, dont Awa, 8 ans, ont été tués dans la frappe."),
        ("es", "Diez niños, entre ellos Ana, de 8 años, murieron en el bombardeo."),
    ],
)
def test_a_named_child_of_a_group_told_in_the_same_sentence_leaves_the_groups_figure(
    extractor: Extractor, language: str, text: str
) -> None:
    assert only_claim(extractor, text, language).victims.count == 10


@pytest.mark.parametrize(
    "text",
    [
        "Des individus armés ont ordonné la fermeture de toutes les écoles du village.",
        "Les enseignants ont fui après avoir reçu des menaces des groupes armés.",
        "Les élèves ont été chassés de l'école par des hommes armés.",
        "Les soldats ont établi une base militaire à l'intérieur du lycée.",
        "Au moins 30 enseignants sont toujours entre les mains de leurs ravisseurs.",
        "Un directeur d'école a été assassiné par des hommes armés.",
        "Des djihadistes ont procédé à la destruction de l'école du village la semaine dernière.",
        "Les assaillants ont enlevé deux enseignants de l'école du village dans la nuit.",
        "Une dizaine d'écoles ont été fermées par les groupes armés dans la région.",
    ],
)
def test_attacks_on_education_as_the_un_counts_them(extractor: Extractor, text: str) -> None:
    assert only_claim(extractor, text, "fr").violation == "attack_school_hospital"


def test_a_military_camp_near_a_hospital_is_no_military_use_of_it(extractor: Extractor) -> None:
    assert claims(extractor, "Le camp militaire est situé à deux kilomètres de l'hôpital.", "fr") == []


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Plusieurs adolescents du village ont rejoint les rangs des groupes armés."),
        ("es", "Decenas de menores se unieron a las filas de la guerrilla."),
        ("ar", "انضم عشرات الأطفال إلى صفوف التنظيم في المدينة."),
    ],
)
def test_children_joining_the_ranks_of_an_armed_group(extractor: Extractor, language: str, text: str) -> None:
    assert only_claim(extractor, text, language).violation == "recruitment_use"


def test_the_headline_dates_the_ledes_undated_event(extractor: Extractor) -> None:
    text = "Dozens of pupils who were abducted from a school in the north have been freed, an official said."

    def abduction(title: str) -> Claim:
        document = Document(id="t", text=text, raw=text.encode(), sha256="0" * 64, origin="test",
                            media_type="text/plain", published=PUBLISHED, language="en", title=title)  # fmt: skip
        return next(c for c in extractor.extract(document) if c.violation == "abduction")

    dated = abduction("Gunmen free pupils abducted three months ago").date
    assert (dated.start, dated.precision) == ("2024-02", "month")
    # A headline's day of a statement dates nothing.
    assert abduction("Pupils freed, officials said on Monday").date.start is None


def test_arabic_children_used_in_suicide_operations_and_militiamen_and_the_prisoners_club(
    extractor: Extractor,
) -> None:
    used = only_claim(extractor, "يستخدم التنظيم الأطفال في عمليات انتحارية بشكل ممنهج.", "ar")
    assert (used.violation, used.kind) == ("recruitment_use", "pattern")
    raped = only_claim(extractor, "تعرضت الطفلة للاغتصاب على يد أحد عناصر الميليشيا في المدينة.", "ar")
    assert raped.perpetrator == "militiamen"
    held = only_claim(extractor, "اعتقلت القوات 150 طفلا خلال الشهر الماضي، حسب نادي الأسير.", "ar")
    assert held.source == "Palestinian Prisoners' Club"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Aucun enfant n'a été tué dans l'attaque, selon la police."),
        ("fr", "Les enfants n'ont pas été enlevés, a précisé le maire."),
        ("fr", "Les rebelles ont menacé d'enlever les élèves du lycée."),
        ("es", "No se han registrado casos de reclutamiento de menores en la zona este año."),
        ("es", "Actualmente es inusual que los menores sean secuestrados de sus hogares."),
        ("es", "Ningún menor fue reclutado en la zona este año."),
        ("ar", "لم يقتل أي طفل في الهجوم بحسب الشرطة."),
        ("ar", "نفى الجيش اعتقال أي طفل في المدينة."),
        ("ar", "هدد التنظيم باختطاف أطفال القرية."),
    ],
)
def test_a_denied_or_threatened_act_is_no_claim(extractor: Extractor, language: str, text: str) -> None:
    assert claims(extractor, text, language) == []


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # A denial of another verb ("could not flee") leaves the act told after it.
        ("fr", "Les enfants qui n'ont pas pu fuir ont été tués par les assaillants."),
        ("es", "Los niños que no pudieron huir fueron asesinados por los paramilitares."),
        ("ar", "الأطفال الذين لم يتمكنوا من الفرار قتلوا على يد المسلحين."),
    ],
)
def test_a_denial_of_another_verb_leaves_the_act(extractor: Extractor, language: str, text: str) -> None:
    assert only_claim(extractor, text, language).violation == "killing_maiming"


def test_english_no_children_and_no_reports_deny_the_act(extractor: Extractor) -> None:
    assert claims(extractor, "No children were recruited in the area this year.", "en") == []
    assert claims(extractor, "There were no reports of children being killed.", "en") == []
    assert only_claim(extractor, "No fewer than 20 children were killed.", "en").victims.count == 20


@pytest.mark.parametrize(
    ("text", "count", "age"),
    [
        ("انتشلت فرق الإنقاذ جثث ثلاثة أطفال من تحت الأنقاض.", 3, None),
        ("أطلق قناص النار على طفلة في الثامنة من عمرها فأرداها قتيلة.", 1, 8),
        ("تم العثور على جثة طفل مقتول في ظروف غامضة.", 1, None),
    ],
)
def test_arabic_bodies_shootings_and_the_killed(extractor: Extractor, text: str, count: int, age: int | None) -> None:
    claim = only_claim(extractor, text, "ar")
    assert (claim.violation, claim.victims.count, claim.victims.age_min) == ("killing_maiming", count, age)


@pytest.mark.parametrize(
    ("language", "text", "source"),
    [
        ("es", "El grupo reclutó a 15 niños indígenas en la zona, según la Defensoría.", "Ombudsman's Office"),
        ("fr", "Plusieurs adolescents ont rejoint les rangs des groupes armés, selon les notables.", "local notables"),
    ],
)
def test_the_ombudsman_and_local_notables_as_sources(
    extractor: Extractor, language: str, text: str, source: str
) -> None:
    assert only_claim(extractor, text, language).source == source


def test_a_blast_at_a_school_or_hospital_is_an_attack_on_it(extractor: Extractor) -> None:
    found = claims(extractor, "An explosion at a school in the city killed 20 students.", "en")
    assert {c.violation for c in found} == {"killing_maiming", "attack_school_hospital"}
    hospital = only_claim(extractor, "Even before the deadly blast at the Al-Ahli hospital, the war had gone on.", "en")
    assert hospital.violation == "attack_school_hospital"
    near = claims(extractor, "A blast at a market near the hospital killed two children.", "en")
    assert [c.violation for c in near] == ["killing_maiming"]


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        # "Not past her tenth (year)", "under the age of eighteen": ordinals as bounds.
        ("قتلت طفلة لم تتجاوز العاشرة من عمرها برصاص قناص قرب منزلها.", (None, 10)),
        ("جندت الميليشيا أطفالا دون سن الثامنة عشرة في معسكرات قرب الحدود.", (None, 17)),
    ],
)
def test_arabic_ages_told_as_bounds_in_ordinals(extractor: Extractor, text: str, ages: tuple[int | None, int]) -> None:
    victims = only_claim(extractor, text, "ar").victims
    assert (victims.age_min, victims.age_max) == ages


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "A 15-year-old boy was shot dead by the army in Jenin on Monday, the health ministry said."),
        ("fr", "Un garçon de 15 ans a été tué par l'armée lundi à Jénine, selon le ministère de la Santé."),
        ("ar", "قتل فتى (15 عاما) برصاص الجيش في مدينة جنين أمس."),
    ],
)
def test_the_army_no_state_named_is_the_one_the_codebook_says_acts_there(
    extractor: Extractor, language: str, text: str
) -> None:
    # The Palestinian Authority has police and security forces, no army (actors.toml: unnamed_in).
    assert only_claim(extractor, text, language).perpetrator_id == "israeli_forces"


def test_palestinian_forces_named_so_stay_palestinian(extractor: Extractor) -> None:
    text = "Un garçon de 15 ans a été tué par les forces palestiniennes lundi à Jénine."
    assert only_claim(extractor, text, "fr").perpetrator_id == "palestinian_security_forces"


def test_a_village_of_many_countries_is_the_one_where_the_reports_actors_act(extractor: Extractor) -> None:
    # Villages of one name in Germany and the West Bank, of about one size: the settlers act in one.
    text = "أصيب طفل بحروق خطيرة في هجوم للمستوطنين على قرية دوما فجر أمس."
    assert only_claim(extractor, text, "ar").location.country == "PS"


def test_since_one_attack_is_no_period(extractor: Extractor) -> None:
    # "since the attack on Tuesday" looks back to the event itself; "since the war began" is a period.
    text = "A mother whose three sons were abducted by gunmen from a school said she has not slept since the attack."
    assert {c.kind for c in claims(extractor, text, "en")} == {"incident"}
    total = only_claim(extractor, "More than 500 children have been killed since the war began.", "en")
    assert total.kind == "aggregate"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ar", "خطف مسلحون ثلاثة معلمين من مدرسة في القرية فجر الاثنين."),
        ("ar", "هدم المسلحون المدرسة الوحيدة في البلدة الأسبوع الماضي."),
        ("ar", "أغلق المسلحون جميع المدارس في المنطقة."),
        ("es", "Hombres armados secuestraron a dos maestros de la escuela del pueblo el lunes."),
    ],
)
def test_arabic_and_spanish_attacks_on_teachers_and_schools(extractor: Extractor, language: str, text: str) -> None:
    assert "attack_school_hospital" in {c.violation for c in claims(extractor, text, language)}


def test_arabic_schools_said_closed_and_the_village_told_before(extractor: Extractor) -> None:
    # "أغلقت 500 مدرسة" may be a passive (closed), no one said to close them: no act.
    assert claims(extractor, "أغلقت أكثر من 500 مدرسة في المحافظة.", "ar") == []
    # "في القرية أمس": "the village" told before, then "yesterday", which is no village's name.
    claim = only_claim(extractor, "خطف مسلحون ثلاثة معلمين من مدرسة في القرية أمس.", "ar")
    assert claim.location.name is None


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ar", "قتل طفل في قصف على الحي قبل ثمانية أيام."),
        ("fr", "Un enfant a été tué dans un bombardement du quartier il y a huit jours."),
        ("es", "Un niño murió en un bombardeo del barrio hace ocho días."),
    ],
)
def test_days_ago_beyond_a_week(extractor: Extractor, language: str, text: str) -> None:
    date = only_claim(extractor, text, language).date
    assert (date.start, date.end) == ("2024-05-02", "2024-05-02")  # eight days before the report


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("وقال مدير المستشفى إن ثلاثة أطفال قتلوا في القصف على الحي.", "hospital director"),
        ("وقال المراقب الدولي إن القناصة قتلوا طفلين في الحي.", "international observer"),
        ("وقال رئيس البلدية إن طفلين قتلا في القصف على الحي.", "mayor"),
    ],
)
def test_arabic_sources_by_their_office(extractor: Extractor, text: str, source: str) -> None:
    assert only_claim(extractor, text, "ar").source == source


def test_arabic_a_hospital_that_came_under_shelling_verb_first(extractor: Extractor) -> None:
    attacked = only_claim(extractor, "تعرض مستشفى المدينة لقصف عنيف من الميليشيات أمس.", "ar")
    assert attacked.violation == "attack_school_hospital"
    # A child taken to hospital after shelling: no attack on the hospital.
    assert claims(extractor, "نقل الطفل إلى المستشفى بعد تعرضه للقصف.", "ar") == []


@pytest.mark.parametrize(
    ("text", "actor"),
    [
        # "The coalition's aircraft": the Saudi-led coalition in Yemen, the US-led one in Syria.
        ("قتل ثلاثة أطفال في غارة لطيران التحالف على صنعاء فجر اليوم.", "saudi_coalition"),
        ("قتل ثلاثة أطفال في غارة لطيران التحالف على مدينة الرقة فجر اليوم.", "us_coalition"),
    ],
)
def test_a_word_for_several_actors_names_the_one_acting_where_the_claim_is(
    extractor: Extractor, text: str, actor: str
) -> None:
    assert only_claim(extractor, text, "ar").perpetrator_id == actor


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Gunmen shot dead a teacher in front of his pupils on Monday."),
        ("fr", "Un homme a été tué sous les yeux de ses enfants lundi."),
        ("es", "Un hombre fue asesinado frente a sus hijos el lunes."),
        ("ar", "قتل مسلحون رجلا أمام أطفاله أمس."),
    ],
)
def test_children_who_saw_a_killing_are_not_its_victims(extractor: Extractor, language: str, text: str) -> None:
    assert [c for c in claims(extractor, text, language) if c.violation == "killing_maiming"] == []


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "Two children were killed in front of the school on Monday."),
        ("fr", "Deux enfants ont été tués devant l'école lundi."),
        ("ar", "قتل طفلان أمام منزلهما أمس."),
    ],
)
def test_children_killed_in_front_of_a_building_are_victims(extractor: Extractor, language: str, text: str) -> None:
    assert only_claim(extractor, text, language).victims.count == 2


def test_arabic_a_number_told_after_the_children(extractor: Extractor) -> None:
    # "His four children", the number an adjective with the article after the noun.
    assert only_claim(extractor, "قتل أب وأطفاله الأربعة في غارة على الحي أمس.", "ar").victims.count == 4
    assert only_claim(extractor, "قتل الطفل الأول في القصف على الحي أمس.", "ar").victims.count == 1


@pytest.mark.parametrize(
    ("language", "text", "count"),
    [
        ("en", "The UN verified 230 cases of recruitment of children by armed groups in 2023.", 230),
        ("en", "The report documents 12 cases of rape of girls by soldiers in the town.", 12),
        ("fr", "L'ONU a vérifié 230 cas de recrutement d'enfants par des groupes armés en 2023.", 230),
        ("fr", "Le rapport fait état de 12 cas de viol sur des mineures commis par des militaires.", 12),
        ("es", "La ONU verificó 230 casos de reclutamiento de niños por grupos armados en 2023.", 230),
    ],
)
def test_a_tally_of_cases_counts_the_children(extractor: Extractor, language: str, text: str, count: int) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.kind, claim.victims.count) == ("aggregate", count)


def test_a_camp_for_displaced_people_is_named_after_its_words(extractor: Extractor) -> None:
    text = "Une fillette de 9 ans a été violée par un homme armé dans le camp de déplacés de Bulengo."
    assert only_claim(extractor, text, "fr").location.name == "Bulengo"


def test_a_country_name_written_in_lower_case_is_a_word(extractor: Extractor) -> None:
    text = "Tres menores resultaron heridos por una granada lanzada contra una vivienda en Cúcuta."
    assert only_claim(extractor, text, "es").location.country == "CO"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "Dans la région, des groupes armés recrutent des enfants dans les mines, selon l'ONG."),
        ("es", "En la región, grupos armados reclutan a niños en las minas, según la ONG."),
        ("ar", "قالت المنظمة إن الميليشيات تجند الأطفال في المحافظة."),
    ],
)
def test_recruiting_children_told_in_the_present_is_a_practice(extractor: Extractor, language: str, text: str) -> None:
    claim = only_claim(extractor, text, language)
    assert (claim.violation, claim.kind) == ("recruitment_use", "pattern")


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "At least 248 schools have been directly damaged by the fighting, the agency said."),
        ("fr", "Plus de 300 écoles ont été attaquées dans la région depuis le début du conflit."),
        ("ar", "كما أن ما لا يقل عن 248 مدرسة قد تضررت بصورة مباشرة جراء الحرب."),
    ],
)
def test_a_tally_of_schools_is_a_total(extractor: Extractor, language: str, text: str) -> None:
    assert only_claim(extractor, text, language).kind == "aggregate"


def test_two_schools_struck_in_one_day_stay_an_event(extractor: Extractor) -> None:
    assert only_claim(extractor, "Deux écoles ont été bombardées lundi.", "fr").kind == "incident"


def test_two_tallies_of_schools_are_two_totals(extractor: Extractor) -> None:
    text = "ما لا يقل عن 248 مدرسة قد تضررت بصورة مباشرة. وبدورها تحتل الميليشيات المسلحة 68 مدرسة."
    found = claims(extractor, text, "ar")
    assert [c.kind for c in found] == ["aggregate", "aggregate"]


def test_military_forces_not_named_are_the_countrys(extractor: Extractor) -> None:
    text = "02 March. Women in Port Harcourt, Nigeria, protested the killing of their children by military forces."
    assert only_claim(extractor, text, "en").perpetrator_id == "nigerian_military"


def test_a_group_a_force_fired_at_is_not_who_hurt_the_child(extractor: Extractor) -> None:
    text = (
        "On 3 March 2022, near a village of Kani township (Sagaing region), military forces fired artillery "
        "rounds at suspected PDF bases in the village. A 12-year-old in hiding was injured in the arm."
    )
    assert only_claim(extractor, text, "en").perpetrator_id == "myanmar_military"


def test_arabic_a_groups_adjective_after_its_weapons_names_it(extractor: Extractor) -> None:
    shelled = only_claim(extractor, "أصيب خمسة أطفال جراء قصف مدفعي حوثي على أحياء سكنية في المدينة.", "ar")
    assert shelled.perpetrator_id == "houthis"
    # A Houthi source reporting another's strike: the source, not the actor.
    told = only_claim(extractor, "قال مصدر حوثي إن غارة للتحالف قتلت ثلاثة أطفال في صعدة.", "ar")
    assert (told.perpetrator_id, told.source) == ("saudi_coalition", "Houthi source")


def test_the_leaders_nationality_in_a_coalitions_name_is_not_where_it_struck(extractor: Extractor) -> None:
    text = (
        "An airstrike by the Saudi-led coalition hit a school bus in Dahyan, killing 40 children, the Red Cross said."
    )
    assert {c.location.country for c in claims(extractor, text, "en")} == {"YE"}


@pytest.mark.parametrize(
    ("text", "source"),
    [
        (
            "The group has recruited boys as young as 12, according to a new Human Rights Watch report.",
            "Human Rights Watch",
        ),
        (
            "The group has recruited boys as young as 12, according to a report by Amnesty International.",
            "Amnesty International",
        ),
    ],
)
def test_the_body_that_wrote_a_report_is_its_source(extractor: Extractor, text: str, source: str) -> None:
    assert only_claim(extractor, text, "en").source == source


def test_a_report_to_a_body_is_not_that_bodys(extractor: Extractor) -> None:
    text = "At least 136 children were killed in 2022, according to a report to the UN Security Council."
    assert only_claim(extractor, text, "en").source != "UN Security Council"


def test_the_day_a_report_came_out_does_not_date_what_it_tells(extractor: Extractor) -> None:
    text = "The group has recruited boys as young as 12 as fighters, according to a UN report released on Tuesday."
    claim = only_claim(extractor, text, "en")
    assert (claim.date.start, claim.source) == (None, "UN report")


def test_a_town_abroad_is_not_where_a_nations_soldiers_acted(extractor: Extractor) -> None:
    # No country named, but Malian soldiers: not the Moura of Portugal.
    text = "L'ONG a documenté l'exécution de 9 enfants par des soldats maliens à Moura."
    assert only_claim(extractor, text, "fr").location.country != "PT"


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Trois enfants ont été tués dans une frappe de drone, a indiqué un responsable local.", "local official"),
        ("Sept enfants ont péri dans l'incendie de leur école, selon la Croix-Rouge.", "Red Cross"),
    ],
)
def test_french_local_officials_and_the_red_cross_as_sources(extractor: Extractor, text: str, source: str) -> None:
    assert {c.source for c in claims(extractor, text, "fr")} == {source}
