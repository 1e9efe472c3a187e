"""One incident across languages: an Arabic and an English report of the same strike
resolve together, because resolution compares what the claims say in the codebook's one
vocabulary (violation, gazetteer place, day, figure, actor and source ids), never English
words. The reports are our own, written for this test."""

from __future__ import annotations

import json
from pathlib import Path

from childwatch.run.pipeline import run_pipeline
from childwatch.run.resolution import resolve
from childwatch.store import open_store

ENGLISH = {
    "id": "en-aleppo-strike",
    "title": "Air strike on Aleppo school kills seven children",
    "outlet": "Example Wire",
    "published": "2016-10-27",
    "text": (
        "An air strike hit a school in Aleppo on Wednesday, killing seven children and two teachers, "
        "the Syrian Observatory for Human Rights said. Government forces were blamed for the attack, "
        "which destroyed two classrooms."
    ),
}
# The same strike, told the next day by an Arabic paper (with its own wording and order).
ARABIC = {
    "id": "ar-aleppo-strike",
    "title": "مقتل سبعة أطفال في قصف على مدرسة في حلب",
    "outlet": "صحيفة المثال",
    "published": "2016-10-27",
    "text": (
        "قُتل سبعة أطفال ومعلمان أمس الأربعاء في غارة جوية استهدفت مدرسة في مدينة حلب، وفقا للمرصد السوري "
        "لحقوق الإنسان. واتهم المرصد القوات الحكومية بتنفيذ الغارة التي دمرت فصلين دراسيين."
    ),
}
# Another strike in the same city, a month later, with another figure: a different incident.
ARABIC_LATER = {
    "id": "ar-aleppo-later",
    "title": "مقتل ثلاثة أطفال في قصف على حي في حلب",
    "outlet": "صحيفة المثال",
    "published": "2016-11-30",
    "text": "قتل ثلاثة أطفال أمس الثلاثاء في قصف استهدف حيا سكنيا في مدينة حلب، بحسب ناشطين.",
}


def _write(folder: Path, *reports: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for report in reports:
        (folder / f"{report['id']}.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    return folder


def test_an_arabic_and_an_english_report_of_one_strike_are_one_incident(tmp_path: Path) -> None:
    inputs = _write(tmp_path / "in", ENGLISH, ARABIC, ARABIC_LATER)
    with open_store(tmp_path / "run.sqlite") as store:
        run_pipeline([inputs], store)
        resolve(store)
        claims = [c.claim for c in store.iter_claims()]
    killed = {c.doc_id: c for c in claims if c.violation == "killing_maiming"}
    assert set(killed) == {"en-aleppo-strike", "ar-aleppo-strike", "ar-aleppo-later"}, killed
    arabic, english, later = killed["ar-aleppo-strike"], killed["en-aleppo-strike"], killed["ar-aleppo-later"]
    # The Arabic claim speaks the codebook's vocabulary: the gazetteer's place, the day, the body.
    assert (arabic.victims.count, arabic.location.country, arabic.date.start) == (7, "SY", "2016-10-26")
    assert arabic.location.name == "Aleppo"
    assert arabic.source_id == english.source_id == "sohr"
    assert arabic.incident_id is not None and arabic.incident_id == english.incident_id
    assert later.incident_id not in (None, english.incident_id)
    attacks = {c.doc_id: c.incident_id for c in claims if c.violation == "attack_school_hospital"}
    assert attacks["ar-aleppo-strike"] == attacks["en-aleppo-strike"] is not None
