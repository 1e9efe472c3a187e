"""Pseudonymisation of children's names, on our own sentences in English, French, Spanish
and Arabic: what must be hidden, what must stay (adults, places, demonyms), stable
pseudonyms and offsets that still index; and an Arabic child's name in no output a viewer
sees, whatever its diacritics."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from childwatch.extract.names import child_names
from childwatch.read.redact import pseudonymise, redact
from childwatch.review.users import add_user
from childwatch.run.pipeline import run_pipeline
from childwatch.run.resolution import resolve
from childwatch.store import open_store
from conftest import PASSWORD
from test_pseudonymised_outputs import client_for, every_output

KEY = "doc-1"
LABEL = re.compile(r"\[child [A-Z]{2}\]")


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("The 13-year-old Dmytro was hit by shrapnel near the market.", ["Dmytro"]),
        ("A 12-year-old schoolgirl, Amina Yusuf, was among those taken.", ["Amina Yusuf"]),
        ("Amina, 12, and her brother Yusuf, 9, were taken from the village.", ["Amina", "Yusuf"]),
        ("Omar (9) was carried to the clinic by neighbours.", ["Omar"]),
        ("Her son Omar had gone to fetch water when the shell hit.", ["Omar"]),
        ("The boy, Ahmed Ali, was released on Monday.", ["Ahmed Ali"]),
        ("Grace Okoye, a schoolgirl from the town, escaped on foot.", ["Grace Okoye"]),
        ("The children were named as Hassan Omar, Fatima Bello and Zainab Musa.",
         ["Hassan Omar", "Fatima Bello", "Zainab Musa"]),
        ("Fatima, aged 14, said the fighters beat her.", ["Fatima"]),
    ],
)  # fmt: skip
def test_a_childs_name_next_to_an_age_or_a_child_noun_is_found(sentence: str, names: list[str]) -> None:
    assert child_names(sentence) == names
    hidden = pseudonymise(sentence, key=KEY)
    for name in names:
        assert name not in hidden
    assert LABEL.search(hidden)


@pytest.mark.parametrize(
    "sentence",
    [
        "Oleksandr Hnatiuk, 67, head of the regional administration, said three children died.",
        "His daughter Maria, 25, told reporters the house was destroyed.",
        "Police spokesman Haruna Bello confirmed that 30 pupils were abducted.",
        "A 12-year-old Yazidi girl was freed, the Kurdistan Regional Government said.",
        "In Marhanets, 12 children were hurt when the shells landed.",
        "UNICEF child protection officer Anna Schmidt said six children were killed.",
        "The 14-year-old was taken to hospital in Kano on Sunday.",
        "On June 3, 12 boys were recruited in Raqqa, the observatory said.",
        # A province before the age is a place: its name is no child's ("Chin" of Chin State).
        "In Tedim township, Chin State, a 10-year-old boy was killed by a bomb.",
        "In Kaduna State, a 14-year-old girl was abducted on her way to school.",
    ],
)
def test_adults_places_and_demonyms_are_left_alone(sentence: str) -> None:
    assert child_names(sentence) == []
    assert pseudonymise(sentence, key=KEY) == sentence


def test_every_later_mention_is_hidden_but_an_adult_sharing_a_word_is_not() -> None:
    text = (
        "The boy, Ahmed Ali, was released on Monday. Then Ahmed told his family what happened. "
        "Ahmed's uncle said Ali had been beaten. Governor Ali Hassan told reporters the talks went on."
    )
    hidden = pseudonymise(text, key=KEY)
    assert "Ahmed" not in hidden
    assert "said [child" in hidden  # "Ali" alone is the child
    assert "Governor Ali Hassan" in hidden  # another man who shares a word of the name
    assert "'s uncle" in hidden  # the possessive stays readable


def test_a_school_or_address_next_to_a_named_child_is_hidden_but_not_elsewhere() -> None:
    text = (
        "The 14-year-old schoolgirl, Grace Okoye, lives at 14 Market Street and attends Unity Girls Secondary School. "
        "Unity Girls Secondary School was attacked twice last year, the ministry said."
    )
    hidden = pseudonymise(text, key=KEY)
    assert "[address]" in hidden and "14 Market Street" not in hidden
    assert "attends [school]" in hidden
    assert "Unity Girls Secondary School was attacked" in hidden  # the news itself stays


def test_pseudonyms_are_stable_for_a_document_and_differ_between_documents() -> None:
    text = "Her son Omar had gone to fetch water. Omar was 9."
    red = redact(text, key="doc-1")
    (label,) = set(red.names.values())
    assert red.text.count(label) == 2
    # A sentence of the same document, given the document's names, gets the same pseudonym.
    assert pseudonymise("Omar was 9.", key="doc-1", names=red.names) == f"{label} was 9."
    others = {redact(text, key=f"doc-{i}").names["Omar"] for i in range(2, 12)}
    assert len(others) > 1  # not one label for the same name everywhere: no linking across reports


def test_offsets_of_the_original_map_into_the_pseudonymised_text() -> None:
    text = "The boy, Ahmed Ali, was released on Monday by the gunmen, police said."
    red = redact(text, key=KEY)
    for part in ("was released on Monday", "police said", "The boy", "gunmen"):
        start = text.index(part)
        a, b = red.span(start, start + len(part))
        assert red.text[a:b] == part
    # A span that covers the name covers the whole pseudonym.
    start = text.index("Ahmed Ali, was")
    a, b = red.span(start, start + len("Ahmed Ali, was"))
    assert LABEL.fullmatch(red.text[a:b].split(",")[0])
    assert red.slice(text.index("Ahmed"), text.index("Ahmed") + 3) == red.names["Ahmed Ali"]
    assert red.span(0, len(text)) == (0, len(red.text))


def test_text_without_children_is_returned_unchanged_with_identity_offsets() -> None:
    text = "Shelling killed three children in the town on Sunday, the governor said."
    red = redact(text, key=KEY)
    assert red.text == text and red.edits == [] and red.span(5, 20) == (5, 20)


# Arabic: no capital letters, so a name is found only where a cue bounds it. Our own sentences.
@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("قتل الطفل محمد أحمد في غارة جوية على المدينة.", ["محمد أحمد"]),
        ("أصيبت الطفلة فاطمة بجروح خطيرة أمس.", ["فاطمة"]),
        ("استشهد الطفل يوسف (12 عاما) برصاص قناص.", ["يوسف"]),
        ("أصيب سامر البالغ من العمر 10 سنوات بشظايا قذيفة.", ["سامر"]),
        ("وقالت إن ليلى، 9 سنوات، فقدت ساقها.", ["ليلى"]),
        ("وأصيب حمزة، ١٢ عاماً، بجروح.", ["حمزة"]),  # Arabic-Indic digits
        ("وخطف مسلحون ابنتها مريم من أمام المدرسة.", ["مريم"]),
        ("فقد ابنه عمر في القصف.", ["عمر"]),
        ("توفي الرضيع آدم بعد يومين.", ["آدم"]),
        ("وكان الطفل الفلسطيني علي سعد (18 شهرا) قد قتل حرقا.", ["علي سعد"]),
        ("نجا الطفل \"علاء معمر ناجي حمود\" من الهجوم.", ["علاء معمر ناجي حمود"]),
        ("قُتل عبد الله (ابن العاشرة) وشقيقته.", ["عبد الله"]),
        ("اعتقلت القوات الطالب خالد حسن (15 عاما).", ["خالد حسن"]),
        ("وقتل الأطفال علي وحسن وزينب في الغارة.", ["علي", "حسن", "زينب"]),
        ("قتل ثلاثة أطفال، هم سارة ونور وأحمد، في القصف.", ["سارة", "نور", "أحمد"]),
        ("وقتل طفل يدعى حسين في الهجوم.", ["حسين"]),
        ("الطِّفْلُ مُحَمَّدُ أَحْمَدَ أُصِيبَ فِي القَصْفِ.", ["محمد أحمد"]),  # with tashkeel
    ],
)  # fmt: skip
def test_an_arabic_childs_name_after_a_child_noun_or_before_an_age_is_found(sentence: str, names: list[str]) -> None:
    assert child_names(sentence) == names
    hidden = pseudonymise(sentence, key=KEY)
    assert LABEL.search(hidden)
    bare = re.sub("[\u064b-\u065f\u0670\u0640]", "", hidden)
    for name in names:
        for word in name.split():
            assert not re.search(rf"(?<![^\W_])[وبل]?{word}(?![^\W_])", bare), (word, hidden)


@pytest.mark.parametrize(
    "sentence",
    [
        "قال المتحدث باسم الجيش أحمد علي (45 عاما) إن ثلاثة أطفال قتلوا.",
        "قتل ابنه محمد (25 عاما) في الغارة على القرية.",
        "وأكد شقيقه ياسر (30 عاما) أن الطفل نقل إلى المستشفى.",
        "قالت منظمة إنقاذ الطفل إن الوضع صعب في المخيم.",
        "كان الأطفال يلعبون في الحي عندما سقطت القذيفة.",
        "أصيب الطفل المصاب بجروح في رأسه.",
        "اعتقلت القوات الطالب خالد حسن في الجامعة.",  # a student with no child's age
        "أعلنت الأمم المتحدة مقتل طفل فلسطيني، عمره 18 شهرا، في هجوم على منزله.",
        "أطفال محمد قتلوا في القصف.",  # Mohammed's children: the father is named, not a child
        "وقتلت الطفلة التي تبلغ 10 سنوات في الغارة.",
    ],
)
def test_arabic_adults_and_unnamed_children_are_left_alone(sentence: str) -> None:
    assert child_names(sentence) == []
    assert pseudonymise(sentence, key=KEY) == sentence


def test_an_arabic_name_is_hidden_whatever_its_diacritics_tatweel_or_prefix() -> None:
    plain = "قتل الطفل سليم نصار (11 عاما). وقال والد سليم إن ابنه كان عائدا من المدرسة."
    (name,) = child_names(plain)
    assert name == "سليم نصار"
    marked = "وكتب جاره: سَلِيمٌ نَصّـــار كان يحب الكرة، ولِسَلِيمٍ أخت، ووسليم. Salim said."
    red = redact(marked, key=KEY, names=[name])
    label = red.names[name]
    assert red.text == f"وكتب جاره: {label} كان يحب الكرة، ولِ{label} أخت، وو{label}. Salim said."
    # A name found with its diacritics hides the plain spelling too.
    found = child_names("قُتِلَ الطِّفْلُ سَلِيمُ نَصَّار أَمْسِ.")
    assert found == ["سليم نصار"]
    assert pseudonymise(plain, key=KEY, names=found).count("[child ") == 2
    # And a word that only contains a name is someone else's word ("تسليم": a handover).
    assert pseudonymise("جرى تسليم المساعدات.", key=KEY, names=[name]) == "جرى تسليم المساعدات."


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("Le petit Moussa a été tué par un obus.", ["Moussa"]),
        ("La jeune Aïcha, 14 ans, a été enlevée près de Gao.", ["Aïcha"]),
        ("La petite Fatou Diallo a été blessée.", ["Fatou Diallo"]),
        ("L'adolescent Ibrahim Sow a été enrôlé de force.", ["Ibrahim Sow"]),
        ("Le nourrisson Issa a succombé à ses blessures.", ["Issa"]),
        ("Les enfants, identifiés comme Awa et Binta, ont été libérés.", ["Awa", "Binta"]),
        ("El niño Juan Pérez, de 12 años, murió en el ataque.", ["Juan Pérez"]),
        ("La menor Daniela Ruiz fue reclutada en el Cauca.", ["Daniela Ruiz"]),
        ("El pequeño Mateo fue herido por una mina.", ["Mateo"]),
        ("Una niña llamada Sofía fue herida.", ["Sofía"]),
        ("Los niños fueron identificados como Luis, Ana y Pedro.", ["Luis", "Ana", "Pedro"]),
    ],
)
def test_a_french_or_spanish_childs_name_is_found(sentence: str, names: list[str]) -> None:
    assert child_names(sentence) == names
    hidden = pseudonymise(sentence, key=KEY)
    for name in names:
        assert name not in hidden


@pytest.mark.parametrize(
    "sentence",
    [
        "Son fils Ahmed, âgé de 30 ans, a été arrêté à Mopti.",
        "Su hijo Carlos, de 30 años, fue detenido en Tumaco.",
        "Le Petit Journal a rapporté que douze enfants ont été tués.",
        "Les enfants de Kidal sont en danger, selon l'Unicef.",
    ],
)
def test_french_and_spanish_adults_and_titles_are_left_alone(sentence: str) -> None:
    assert child_names(sentence) == []


ARABIC_REPORT = {
    "id": "ar-named",
    "title": "مقتل الطفل سَلِيم نَصّار في قصف على حي سكني",
    "published": "2024-04-02",
    "text": (
        "قُتل الطفل سليم نصار (11 عاما) وأصيب ثلاثة أطفال آخرين في قصف مدفعي استهدف حيا سكنيا "
        "في مدينة حلب يوم الثلاثاء، بحسب ما أفاد مرصد محلي. وقال والد سَلِيمٍ إن ابنه كان عائدا من "
        "المدرسة. وأكد المتحدث باسم الدفاع المدني خالد يوسف (42 عاما) أن فرق الإنقاذ انتشلت جثة "
        "الطفل نصّار من تحت الأنقاض."
    ),
}
ENGLISH_REPORT = {
    "id": "en-unnamed",
    "title": "Gunmen abduct 12 pupils in Konduga",
    "published": "2024-05-03",
    "text": "Gunmen abducted 12 pupils from a primary school in Konduga, Borno State, on 3 May 2024, police said.",
}


def test_an_arabic_childs_name_is_in_no_output_a_viewer_sees(tmp_path: Path) -> None:
    """End to end: the pipeline finds the name at ingest, and no page, API answer or
    export shows it, with or without its diacritics; the adult in the report stays."""
    folder = tmp_path / "reports"
    folder.mkdir()
    for report in (ARABIC_REPORT, ENGLISH_REPORT):
        (folder / f"{report['id']}.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    db = tmp_path / "ar.sqlite"
    with open_store(db) as store:
        run_pipeline([folder], store)
        resolve(store)
        stored = store.document("ar-named")
        assert stored is not None and stored.child_names and stored.child_names[0] == "سليم نصار"
        add_user(store, "viewer", PASSWORD, "viewer")
    viewer = client_for(db, "viewer")
    words = ("سليم", "نصار")
    leaks = [rf"(?<![^\W_])[وفبلك]{{0,2}}{word}(?![^\W_])" for word in words]
    leaks += [re.escape(json.dumps(word)[1:-1]) for word in (*words, "سَلِيم")]  # as \u escapes in an export
    outputs = list(every_output(viewer))
    found = [
        (what, pattern)
        for what, text in outputs
        for pattern in leaks
        if re.search(pattern, re.sub("[\u064b-\u065f\u0670\u0640]", "", text), re.IGNORECASE)
    ]
    assert found == []
    assert any("قصف على حي سكني" in text for _, text in outputs)  # the report is shown: the search can fail
    for what, text in outputs:  # where the text around the adult is shown (evidence), so is his name
        assert "المدني خالد يوسف" in text or "باسم الدفاع المدني" not in text, what
    listed = viewer.get("/api/documents", params={"language": "ar"}).json()["items"]
    assert [(d["id"], d["title"].startswith("مقتل الطفل [child ")) for d in listed] == [("ar-named", True)]
