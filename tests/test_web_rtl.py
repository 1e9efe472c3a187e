"""Right-to-left text in the web UI: a report in Arabic, its evidence and its title take
their own direction (dir="auto"), names and places that may be Arabic are isolated from
the English around them (<bdi>), and the report's language is shown and given by the API.
The reports are our own (tests/test_protect.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from childwatch.review.users import add_user
from childwatch.run.pipeline import run_pipeline
from childwatch.run.resolution import resolve
from childwatch.store import open_store
from conftest import PASSWORD
from test_protect import ARABIC_REPORT, ENGLISH_REPORT
from test_pseudonymised_outputs import client_for

ARABIC = re.compile("[\u0621-\u064a]")


@pytest.fixture(scope="module")
def viewer(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    folder = tmp_path_factory.mktemp("rtl")
    for report in (ARABIC_REPORT, ENGLISH_REPORT):
        (folder / f"{report['id']}.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    db = Path(folder) / "rtl.sqlite"
    with open_store(db) as store:
        run_pipeline([folder], store)
        resolve(store)
        add_user(store, "viewer", PASSWORD, "viewer")
    return client_for(db, "viewer")


def _arabic_incident(viewer: TestClient) -> dict[str, object]:
    for item in viewer.get("/api/incidents", params={"per_page": "500"}).json()["items"]:
        detail = viewer.get(f"/api/incidents/{item['id']}").json()
        if any(c["doc_id"] == "ar-named" for c in detail["claims"]):
            return dict(detail)
    raise AssertionError("the Arabic report gave no incident")


def test_the_evidence_and_title_of_an_arabic_report_take_their_own_direction(viewer: TestClient) -> None:
    incident = _arabic_incident(viewer)
    page = viewer.get(f"/incidents/{incident['incident']['id']}")  # type: ignore[index]
    assert page.status_code == 200
    docs = re.findall(r'<div class="doc"([^>]*)>(.*?)</div>', page.text, re.S)
    arabic = [(attrs, body) for attrs, body in docs if ARABIC.search(body)]
    assert arabic, "the report's text is on the page"
    for attrs, body in arabic:
        assert 'dir="auto"' in attrs
        assert 'class="hl hl-evidence' in body  # the evidence is highlighted inside it
    titles = re.findall(r'<strong class="doc-title"><bdi dir="auto">(.*?)</bdi></strong>', page.text)
    assert any(ARABIC.search(t) and "[child " in t for t in titles), titles
    assert '<span class="doc-language" lang="en">Arabic</span>' in page.text
    assert "unicode-bidi: isolate" in viewer.get("/static/style.css").text


def test_the_report_language_is_in_the_api_and_the_list_of_newest_claims(viewer: TestClient) -> None:
    incident = _arabic_incident(viewer)
    languages = {c["doc_id"]: c["document"]["language"] for c in incident["claims"]}  # type: ignore[attr-defined]
    assert languages["ar-named"] == "ar"
    newest = viewer.get("/api/claims/newest", params={"limit": "200"}).json()["items"]
    assert {c["document"]["language"] for c in newest} >= {"ar", "en"}
    page = viewer.get("/sources").text
    assert re.search(r'<span class="doc-title"><bdi dir="auto">[^<]*\[child [A-Z]{2}\][^<]*</bdi>', page)
    assert "· Arabic</span>" in page and "· English</span>" in page
