"""Exports (JSONL in the benchmark's prediction format, CSV) and claim statistics, from a
real SQLite store."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from pathlib import Path

import pytest

from childwatch.errors import StoreError
from childwatch.export import CSV_COLUMNS, export_claims
from childwatch.read.stats import claim_stats, format_stats
from childwatch.records import Claim, DateRange, Document, Location, Span, Victims
from childwatch.store import Store, open_store

HOSTILE = 'He said, "they took 12 boys",\nthen left; <script>alert("x")</script> \u2028 done'
TEXT = "Militants abducted at least 500 children in Anbar. " + HOSTILE + " =HYPERLINK(evil)"


def make_doc(doc_id: str, text: str = TEXT) -> Document:
    raw = text.encode("utf-8")
    return Document(doc_id, text, raw, hashlib.sha256(raw).hexdigest(), f"{doc_id}.txt", "text/plain")


def span(part: str, text: str = TEXT) -> Span:
    start = text.index(part)
    return Span(start, start + len(part), part)


def claim(doc_id: str, violation: str = "abduction", **fields: object) -> Claim:
    base: dict[str, object] = {"evidence": span("Militants abducted at least 500 children in Anbar.")}
    base.update(fields)
    return Claim(doc_id=doc_id, violation=violation, kind="aggregate", **base)  # type: ignore[arg-type]


RICH = {
    "perpetrator": "Islamic State",
    "perpetrator_id": "islamic_state",
    "perpetrator_span": span("Militants"),
    "victims": Victims(
        count=500, qualifier="at least", age_min=12, age_max=17, sex="male", count_span=span("at least 500")
    ),
    "location": Location(
        name="Ramadi", admin1="Anbar", country="IQ", lat=33.4, lon=43.3, precision="place", span=span("Anbar")
    ),
    "date": DateRange(start="2015-06-01", end="2015-07-06", precision="range"),
    "source": "Iraqi authorities",
    "confidence": 0.87,
    "incident_id": "inc-42",
    "mentions": [span("they took 12 boys")],
}


@pytest.fixture
def store(tmp_path: Path):
    with open_store(tmp_path / "export.sqlite") as opened:
        yield opened


@pytest.fixture
def filled(store: Store) -> Store:
    store.write_batch(
        [
            (make_doc("0007"), [claim("0007", **RICH), claim("0007", "recruitment_use")]),
            (make_doc("0008"), [claim("0008", evidence=span(HOSTILE), perpetrator="=cmd|' /C calc'!A0")]),
        ]
    )
    return store


# --- JSONL -------------------------------------------------------------------------------

GUIDELINE_KEYS = [
    "doc_id", "violation", "kind", "perpetrator", "victims", "location", "date", "source",
    "evidence", "incident_id", "confidence",
]  # fmt: skip


def test_jsonl_lines_have_the_prediction_format_key_by_key(filled: Store, tmp_path: Path) -> None:
    out = tmp_path / "claims.jsonl"
    assert export_claims(filled, out, "jsonl") == 3
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    first = json.loads(lines[0])
    assert list(first)[: len(GUIDELINE_KEYS)] == GUIDELINE_KEYS
    assert list(first["victims"])[:4] == ["count", "age_min", "age_max", "sex"]
    assert list(first["location"])[:5] == ["name", "admin1", "country", "lat", "lon"]
    assert list(first["date"])[:2] == ["start", "end"]
    assert list(first["evidence"]) == ["start", "end", "text"]
    ev = first["evidence"]
    assert ev == {"start": 0, "end": 50, "text": "Militants abducted at least 500 children in Anbar."}
    assert TEXT[ev["start"] : ev["end"]] == ev["text"]
    assert {k: first[k] for k in ("doc_id", "violation", "kind", "perpetrator", "source")} == {
        "doc_id": "0007",
        "violation": "abduction",
        "kind": "aggregate",
        "perpetrator": "Islamic State",
        "source": "Iraqi authorities",
    }
    victims = {k: first["victims"][k] for k in ("count", "age_min", "age_max", "sex")}
    assert victims == {"count": 500, "age_min": 12, "age_max": 17, "sex": "male"}
    assert first["location"]["country"] == "IQ" and first["location"]["lat"] == 33.4
    assert first["date"]["start"] == "2015-06-01" and first["date"]["end"] == "2015-07-06"
    assert (first["incident_id"], first["confidence"]) == ("inc-42", 0.87)
    # Extras: allowed by the guideline, useful downstream.
    assert isinstance(first["claim_id"], int) and first["perpetrator_id"] == "islamic_state"
    assert first["victims"]["qualifier"] == "at least"
    assert first["spans"]["victims.count"] == {"start": 19, "end": 31, "text": "at least 500"}
    assert first["spans"]["mentions"][0]["text"] == "they took 12 boys"


def test_jsonl_nulls_are_explicit(filled: Store) -> None:
    buffer = io.StringIO()
    export_claims(filled, buffer, "jsonl")
    second = json.loads(buffer.getvalue().splitlines()[1])
    assert second["perpetrator"] is None and second["incident_id"] is None
    assert second["victims"]["count"] is None and second["location"]["country"] is None
    assert second["date"] == {"start": None, "end": None, "precision": None}


def test_jsonl_keeps_one_claim_per_line_even_with_unicode_line_separators(filled: Store) -> None:
    buffer = io.StringIO()
    export_claims(filled, buffer, "jsonl")
    lines = buffer.getvalue().splitlines()  # splits at U+2028 too, as score.py does
    assert len(lines) == 3
    assert json.loads(lines[2])["evidence"]["text"] == HOSTILE


# --- CSV ---------------------------------------------------------------------------------


def test_csv_quotes_hostile_text_and_reads_back(filled: Store, tmp_path: Path) -> None:
    out = tmp_path / "claims.csv"
    assert export_claims(filled, out, "csv") == 3
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert len(rows) == 3
    assert rows[0]["victims.count"] == "500" and rows[0]["location.lat"] == "33.4"
    assert rows[0]["graphic"] == "false" and rows[1]["perpetrator"] == ""
    assert rows[2]["evidence.text"] == HOSTILE  # commas, quotes, newline, <script> intact
    # A cell a spreadsheet would execute is defused.
    assert rows[2]["perpetrator"] == "'=cmd|' /C calc'!A0"


# --- files -------------------------------------------------------------------------------


def test_an_interrupted_export_leaves_the_old_file_untouched(filled: Store, tmp_path: Path) -> None:
    out = tmp_path / "claims.jsonl"
    out.write_text("previous export\n")
    # Damage the last claim so that reading it fails after the first lines are written.
    with sqlite3.connect(tmp_path / "export.sqlite") as conn:
        conn.execute("UPDATE claims SET spans = '{broken' WHERE doc_id = '0008'")
    with pytest.raises(StoreError, match="cannot be read"):
        export_claims(filled, out, "jsonl")
    assert out.read_text() == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_an_unknown_format_is_refused(filled: Store, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="jsonl, csv"):
        export_claims(filled, tmp_path / "x.xml", "xml")  # type: ignore[arg-type]
    assert not (tmp_path / "x.xml").exists()


def test_an_empty_store_exports_an_empty_file(store: Store, tmp_path: Path) -> None:
    assert export_claims(store, tmp_path / "none.jsonl", "jsonl") == 0
    assert (tmp_path / "none.jsonl").read_text() == ""
    assert export_claims(store, tmp_path / "none.csv", "csv") == 0
    assert (tmp_path / "none.csv").read_text().splitlines() == [",".join(CSV_COLUMNS)]


# --- stats -------------------------------------------------------------------------------


def test_stats_count_by_violation_perpetrator_country_and_month(store: Store) -> None:
    iq = Location(country="IQ")
    store.write_batch(
        [
            (make_doc("a"), [
                claim("a", perpetrator="Islamic State", location=iq, date=DateRange(start="2015-06-28")),
                claim("a", "recruitment_use", perpetrator="Islamic State", location=iq,
                      date=DateRange(start="2015-06")),
            ]),
            (make_doc("b"), [
                claim("b", perpetrator="Boko Haram", location=Location(country="NG"),
                      date=DateRange(start="2014")),
                claim("b", "killing_maiming"),
            ]),
            (make_doc("c"), []),
        ]
    )  # fmt: skip
    stats = claim_stats(store)
    assert (stats.documents, stats.claims) == (3, 4)
    assert stats.by_violation["abduction"] == 2 and stats.by_violation["sexual_violence"] == 0
    assert next(iter(stats.by_violation)) == "recruitment_use"  # codebook order, zeros kept
    assert stats.by_perpetrator == {"Islamic State": 2, "Boko Haram": 1, "unknown": 1}
    assert stats.by_country == {"IQ": 2, "NG": 1, "unknown": 1}
    assert stats.by_month == {"2014": 1, "2015-06": 2, "unknown": 1}

    report = format_stats(stats)
    assert report.startswith("4 claims in 3 documents")
    assert "Islamic State" in report and "2015-06" in report
    assert any(line.split()[:3] == ["abduction", "2", "50%"] for line in report.splitlines())
    assert "(1 more)" in format_stats(stats, limit=2)


def test_stats_of_an_empty_store(store: Store) -> None:
    stats = claim_stats(store)
    assert stats.claims == 0 and set(stats.by_violation.values()) == {0}
    assert format_stats(stats) == "0 claims in 0 documents\n"
