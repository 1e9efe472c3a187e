"""Reports not in English: detected at ingest and stored with their language; Arabic,
French and Spanish are extracted (codebook/languages/), any other language is stored,
flagged, not extracted and named in the run summary; all are listed by
GET /api/documents?language=.

The French, Spanish and German reports are our own, written for these tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from childwatch import cli
from childwatch.ingest.language import detect_language, is_english
from childwatch.review.users import add_user
from childwatch.run.pipeline import run_pipeline
from childwatch.run.resolution import resolve
from childwatch.serve import create_app
from childwatch.store import open_store

PASSWORD = "a long test passphrase"

FRENCH = {
    "id": "fr-raid",
    "title": "Des écoliers enlevés lors d'une attaque dans le nord du pays",
    "outlet": "Le Quotidien du Sahel",
    "published": "2024-03-12",
    "text": (
        "Des hommes armés ont enlevé quinze écoliers mardi matin dans un village du nord du pays, "
        "selon les autorités locales. Les assaillants sont arrivés à moto peu avant le début des cours "
        "et ont emmené les enfants, âgés de huit à quatorze ans, vers la forêt voisine. Deux enseignants "
        "ont été blessés. L'armée a lancé des recherches dans la journée, mais aucune revendication "
        "n'avait été faite mercredi soir. Les parents demandent que l'école reste fermée tant que la "
        "sécurité n'est pas rétablie dans la région."
    ),
}
SPANISH = {
    "id": "es-reclutamiento",
    "title": "Denuncian el reclutamiento de menores por grupos armados",
    "outlet": "Diario del Pacífico",
    "published": "2024-05-02",
    "text": (
        "Una organización de derechos humanos denunció este jueves que al menos doce menores de edad "
        "fueron reclutados por un grupo armado en zonas rurales del departamento durante el último mes. "
        "Según el informe, los niños fueron llevados a campamentos en la selva, donde recibieron "
        "entrenamiento militar. Las familias afirman que no han vuelto a tener noticias de ellos y piden "
        "a las autoridades que intervengan cuanto antes."
    ),
}
ENGLISH = {
    "id": "en-raid",
    "title": "Gunmen abduct 15 pupils from a school in Borno",
    "outlet": "Example News",
    "published": "2024-03-12",
    "text": (
        "Gunmen abducted 15 pupils from a primary school in Konduga, Borno State, on Tuesday morning, "
        "police said. The children, aged between eight and 14, were taken into the nearby forest. "
        "Two teachers were wounded in the attack, which no group has yet claimed."
    ),
}
GERMAN = {
    "id": "de-angriff",
    "title": "Bewaffnete entführen Schüler aus einem Dorf im Norden",
    "outlet": "Beispielzeitung",
    "published": "2024-03-13",
    "text": (
        "Bewaffnete Männer haben am Dienstagmorgen fünfzehn Schüler aus einem Dorf im Norden des Landes "
        "entführt, wie die örtlichen Behörden mitteilten. Die Angreifer kamen auf Motorrädern kurz vor "
        "Unterrichtsbeginn und brachten die Kinder in den nahen Wald. Zwei Lehrer wurden verletzt."
    ),
}
# A feed item with a headline and nothing else: far too little to tell a language from,
# and news about Nigeria is often taken for Nigerian Pidgin.
HEADLINE = "Boko Haram frees 21 Chibok girls"
TITLE_ONLY = {"id": "en-headline", "title": HEADLINE, "text": HEADLINE}
# A Spanish report that quotes an English statement naming a child: the language is the
# input's own, and the child's name must still be found and kept out of every listing.
NAMED_SPANISH = {
    "id": "es-unicef",
    "language": "es",
    "title": "Liberan a Amina Yusuf tras dos semanas de cautiverio",
    "outlet": "Diario del Pacífico",
    "published": "2024-06-01",
    "text": (
        "Liberan a Amina Yusuf tras dos semanas de cautiverio. La organización publicó un comunicado "
        'en inglés: "A 12-year-old schoolgirl, Amina Yusuf, was abducted from her school in Damboa". '
        "Las autoridades confirmaron su liberación el sábado y la niña ya se encuentra con su familia."
    ),
}


def _write(folder: Path, *reports: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for report in reports:
        (folder / f"{report['id']}.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    return folder


def test_detect_language_tells_french_spanish_and_english_apart() -> None:
    assert detect_language(FRENCH["text"]) == "fr"
    assert detect_language(SPANISH["text"]) == "es"
    assert detect_language(ENGLISH["text"]) == "en"


@pytest.mark.parametrize(
    "headline",
    [
        "Boko Haram frees 21 Chibok girls",
        "Attack on Uganda School Kills 2 Dozen People",
        "HAWA ADAMU ABDUCTED",
        "Schoolgirls taken in Konduga",
        "Kidnapped Nigerian girls freed, return to Chibok with babies",
        "UNICEF: 12 children killed",
        "",
    ],
)
def test_short_english_headlines_stay_english(headline: str) -> None:
    assert detect_language(headline, headline) == "en"


def test_a_short_arabic_headline_is_arabic() -> None:
    assert detect_language("الحوثيون يجندون الأطفال في اليمن") == "ar"


def test_a_report_in_a_language_we_do_not_read_is_stored_flagged_and_named_in_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = _write(tmp_path / "in", FRENCH, SPANISH, GERMAN, ENGLISH, TITLE_ONLY)
    db = tmp_path / "run.sqlite"
    assert cli.main(["run", str(inputs), "--db", str(db), "--no-resolve"]) == 0
    out = capsys.readouterr().out
    assert "1 report in German: stored, not extracted (childwatch reads English, Arabic, French and Spanish)" in out
    assert "in French:" not in out and "in Spanish:" not in out, out
    with open_store(db) as store:
        ids = ("fr-raid", "es-reclutamiento", "de-angriff", "en-raid", "en-headline")
        docs = {d: store.document(d) for d in ids}
        assert all(doc is not None for doc in docs.values()), docs
        assert {d: doc.language for d, doc in docs.items() if doc} == {
            "fr-raid": "fr", "es-reclutamiento": "es", "de-angriff": "de", "en-raid": "en", "en-headline": "en",
        }  # fmt: skip
        by_doc = {c.claim.doc_id for c in store.iter_claims()}
        assert "de-angriff" not in by_doc
        assert {"fr-raid", "es-reclutamiento", "en-raid"} <= by_doc, by_doc
        run = store.run(1)
        assert run is not None and run.counts.not_extracted == {"de": 1}


def test_the_inputs_own_language_is_kept_and_names_are_still_found(tmp_path: Path) -> None:
    labelled = {**GERMAN, "id": "de-labelled", "language": "de-DE"}
    inputs = _write(tmp_path / "in", NAMED_SPANISH, labelled)
    with open_store(tmp_path / "run.sqlite") as store:
        summary = run_pipeline([inputs], store)
        assert summary.counts.not_extracted == {"de": 1}
        spanish = store.document("es-unicef")
        assert spanish is not None and spanish.language == "es"
        assert "Amina Yusuf" in spanish.child_names
        kept = store.document("de-labelled")
        assert kept is not None and kept.language == "de-DE" and not is_english(kept.language)
        assert not [c for c in store.iter_claims() if c.claim.doc_id == "de-labelled"]


def test_api_lists_reports_by_language_with_titles_pseudonymised(tmp_path: Path) -> None:
    inputs = _write(tmp_path / "in", FRENCH, NAMED_SPANISH, ENGLISH)
    db = tmp_path / "api.sqlite"
    with open_store(db) as store:
        run_pipeline([inputs], store)
        add_user(store, "viewer", PASSWORD, "viewer")
    client = TestClient(create_app(db, secret_key="languages"))
    client.post("/api/session", json={"name": "viewer", "password": PASSWORD}).raise_for_status()

    spanish = client.get("/api/documents", params={"language": "es"})
    assert spanish.status_code == 200, spanish.text
    body = spanish.json()
    assert [item["id"] for item in body["items"]] == ["es-unicef"]
    assert body["items"][0]["language"] == "es" and body["items"][0]["extracted"] is True
    assert body["items"][0]["outlet"] == "Diario del Pacífico"
    assert body["languages"] == {"en": 1, "es": 1, "fr": 1}
    assert "Amina" not in spanish.text and "Yusuf" not in spanish.text

    french = client.get("/api/documents", params={"language": "fr"}).json()
    assert [(i["id"], i["title"], i["published"]) for i in french["items"]] == [
        ("fr-raid", FRENCH["title"], "2024-03-12")
    ]
    english = client.get("/api/documents", params={"language": "en"}).json()
    assert [(i["id"], i["extracted"]) for i in english["items"]] == [("en-raid", True)]
    everything = client.get("/api/documents")
    assert everything.json()["total"] == 3 and "Amina" not in everything.text

    too_far = client.get("/api/documents", params={"offset": 10**25})
    assert too_far.status_code == 422 and "offset" in too_far.text
    refused = client.get("/api/documents", params={"language": "french; drop table"})
    assert refused.status_code in (400, 422)
    assert "language" in refused.text


def test_a_childs_name_in_a_french_or_spanish_report_is_protected_though_not_extracted(tmp_path: Path) -> None:
    """Reports in other languages are listed for everyone: their children's names are
    found by the same rules, read with French and Spanish ages and child nouns."""
    french = {
        "id": "fr-named",
        "title": "Mali : la fillette Aminata Traoré enlevée près de Mopti",
        "published": "2024-03-12",
        "text": (
            "Aminata Traoré, 12 ans, a été enlevée mardi par des hommes armés près de Mopti, selon sa famille. "
            "Les ravisseurs n'ont pas encore pris contact avec les proches de la fillette, qui demandent "
            "l'aide des autorités pour la retrouver au plus vite."
        ),
    }
    spanish = {
        "id": "es-named",
        "title": "Cauca: grupo armado recluta a la niña Valentina Gómez",
        "published": "2024-05-02",
        "text": (
            "La niña Valentina Gómez, de 11 años, fue reclutada por un grupo armado en una vereda del Cauca, "
            "denunció su madre ante la Defensoría del Pueblo. La familia pide a las autoridades que la busquen."
        ),
    }
    inputs = _write(tmp_path / "in", french, spanish)
    db = tmp_path / "named.sqlite"
    with open_store(db) as store:
        run_pipeline([inputs], store)
        add_user(store, "viewer", PASSWORD, "viewer")
    client = TestClient(create_app(db, secret_key="languages"))
    client.post("/api/session", json={"name": "viewer", "password": PASSWORD}).raise_for_status()
    listed = client.get("/api/documents")
    assert listed.status_code == 200 and listed.json()["total"] == 2
    for word in ("Aminata", "Traoré", "Valentina", "Gómez"):
        assert word.casefold() not in listed.text.casefold(), word
    assert listed.text.count("[child ") == 2


def test_incidents_can_be_filtered_by_the_language_they_were_reported_in(tmp_path: Path) -> None:
    inputs = _write(tmp_path / "in", FRENCH, ENGLISH, GERMAN)
    db = tmp_path / "filter.sqlite"
    with open_store(db) as store:
        run_pipeline([inputs], store)
        resolve(store)
        add_user(store, "viewer", PASSWORD, "viewer")
        by_doc: dict[str, set[str]] = {}
        for c in store.iter_claims():
            by_doc.setdefault(c.claim.doc_id, set()).add(str(c.claim.incident_id))
    client = TestClient(create_app(db, secret_key="languages"))
    client.post("/api/session", json={"name": "viewer", "password": PASSWORD}).raise_for_status()

    def ids(language: str) -> set[str]:
        response = client.get("/api/incidents", params={"language": language, "per_page": 500})
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    assert by_doc["fr-raid"] and by_doc["en-raid"]
    assert ids("fr") == by_doc["fr-raid"]
    assert ids("en") == by_doc["en-raid"]
    assert ids("fr-FR") == by_doc["fr-raid"]  # a regional tag means its language
    assert ids("de") == set()  # stored, not extracted: no incident
    refused = client.get("/api/incidents", params={"language": "french!"})
    assert refused.status_code == 400 and "language" in refused.text
    facets = client.get("/api/facets").json()
    assert {row["key"]: row["reports"] for row in facets["languages"]} == {"en": 1, "fr": 1, "de": 1}
    page = client.get("/incidents", params={"language": "fr"})
    assert page.status_code == 200 and 'name="language"' in page.text
