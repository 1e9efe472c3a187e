"""Incident exports (CSV, HXL, JSON, GeoJSON) of a filtered view, pseudonymised unless an
admin reveals, from fixture reports run through the real pipeline; and the real command."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from childwatch import review
from childwatch.errors import InputError, PermissionDenied
from childwatch.export import INCIDENT_COLUMNS, export_incidents, media_type
from childwatch.read.queries import IncidentFilters
from childwatch.review.users import User, add_user
from childwatch.run.pipeline import run_pipeline
from childwatch.run.resolution import resolve
from childwatch.store import Store, open_store

REPORTS = Path(__file__).parent / "fixtures" / "review" / "reports"


def childwatch(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "childwatch.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=300)  # fmt: skip


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("exports") / "x.sqlite"
    with open_store(path) as store:
        run_pipeline([REPORTS], store)
        resolve(store)
        for role in ("analyst", "admin"):
            add_user(store, role, "a long passphrase", role)
    return path


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    with open_store(db) as opened:
        yield opened


def users(store: Store) -> dict[str, User]:
    from childwatch.review.users import list_users

    return {u.name: u for u in list_users(store)}


def export(store: Store, fmt: str, **filters: str) -> str:
    out = io.StringIO(newline="")
    export_incidents(store, IncidentFilters.from_mapping(filters), fmt, out)
    return out.getvalue()


def test_csv_has_one_row_per_incident_of_the_filtered_view(store: Store) -> None:
    rows = list(csv.DictReader(io.StringIO(export(store, "csv", country="NG"))))
    assert {r["violation"] for r in rows} == {"abduction", "attack_school_hospital"}
    abduction = next(r for r in rows if r["violation"] == "abduction")
    assert (abduction["count_best"], abduction["count_low"], abduction["count_high"]) == ("17", "15", "17")
    assert abduction["location_country"] == "NG" and abduction["outlets"] == "Sahel Post; Harmattan Times"
    assert abduction["urls"].count("https://") == 2 and abduction["evidence"]


def test_hxl_has_a_second_row_of_hashtags(store: Store) -> None:
    lines = list(csv.reader(io.StringIO(export(store, "hxl"))))
    header, tags = lines[0], lines[1]
    assert header == [c for c, _ in INCIDENT_COLUMNS]
    tag = dict(zip(header, tags, strict=True))
    assert tag["id"] == "#event+id" and tag["date_start"] == "#date+start" and tag["date_end"] == "#date+end"
    assert tag["location_admin1"] == "#adm1+name" and tag["location_country"] == "#country+code"
    assert (tag["location_lat"], tag["location_lon"]) == ("#geo+lat", "#geo+lon")
    assert (tag["count_best"], tag["count_low"], tag["count_high"]) == (
        "#affected+children+num", "#affected+children+min", "#affected+children+max",
    )  # fmt: skip
    assert tag["perpetrator"] == "#org+perpetrator+name" and tag["status"] == "#status"
    assert tag["sources"] == "#meta+source"
    assert all(t.startswith("#") for t in tags)
    assert len(lines) - 2 == len(list(csv.DictReader(io.StringIO(export(store, "csv")))))


def test_json_lists_incidents_with_their_claims_and_evidence_is_pseudonymised(store: Store) -> None:
    data = json.loads(export(store, "json", country="NG"))
    assert data["pseudonymised"] is True and data["filters"] == {"country": "NG"}
    assert data["count"] == len(data["incidents"]) == 2
    claims = [c for i in data["incidents"] for c in i["claims"]]
    assert {c["doc_id"] for c in claims} == {"rv-003", "rv-004"}
    named = next(c for c in claims if c["doc_id"] == "rv-003")  # its evidence names a child
    assert "Aisha" not in json.dumps(data) and "10-year-old [child " in named["evidence"]["text"]
    assert "police spokesman Gambo Isah" in named["evidence"]["text"]  # an adult's name stays
    # The offsets index the stored document (the evidentiary copy); the text is what may be shown.
    doc = store.document("rv-003")
    assert doc is not None and "Aisha Abdullahi" in doc.text[named["evidence"]["start"] : named["evidence"]["end"]]
    assert "[child " in export(store, "csv", country="NG") and "Aisha" not in export(store, "hxl")


def test_jsonl_has_the_claims_of_the_view_in_the_guideline_format_with_corrections(store: Store) -> None:
    people = users(store)
    (claim,) = list(store.iter_claims(doc_id="rv-004", violation="abduction"))
    review.correct_claim(store, people["analyst"], claim.id, "victims.count", "18", "the ministry's figure")
    out = io.StringIO()
    n = export_incidents(store, IncidentFilters(country="NG"), "jsonl", out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert n == len(lines) == 4 and {c["doc_id"] for c in lines} == {"rv-003", "rv-004"}
    for line in lines:
        assert set(line) >= {"doc_id", "violation", "kind", "perpetrator", "victims", "location", "date", "source",
                             "evidence", "incident_id", "confidence", "rejected", "corrected"}  # fmt: skip
    corrected = next(c for c in lines if c["claim_id"] == claim.id)
    assert corrected["victims"]["count"] == 18 and corrected["corrected"] == ["victims.count"]
    named = next(c for c in lines if c["doc_id"] == "rv-003")
    assert "Aisha" not in out.getvalue() and "[child " in named["evidence"]["text"]
    assert named["spans"]["location"]["text"] == "Kankara"  # spans' texts are pseudonymised slices too
    assert media_type("jsonl") == "application/x-ndjson"


def test_geojson_draws_points_and_names_the_incidents_it_cannot_place(store: Store) -> None:
    data = json.loads(export(store, "geojson"))
    assert data["type"] == "FeatureCollection"
    for feature in data["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert feature["geometry"]["type"] == "Point" and -90 <= lat <= 90 and -180 <= lon <= 180
        assert feature["properties"]["location_lat"] == lat
    missing = data["without_coordinates"]
    assert missing["count"] == len(missing["ids"]) >= 1  # rv-007 has no place at all
    placed = {f["id"] for f in data["features"]}
    everything = {r["id"] for r in csv.DictReader(io.StringIO(export(store, "csv")))}
    assert placed | set(missing["ids"]) == everything and not placed & set(missing["ids"])
    assert media_type("geojson") == "application/geo+json"


def test_a_reveal_needs_an_admin_and_a_reason_and_is_logged(store: Store) -> None:
    people = users(store)
    with pytest.raises(PermissionDenied):
        export_incidents(store, None, "json", io.StringIO(), reveal=True, user=people["analyst"], reason="need it")
    with pytest.raises(PermissionDenied):
        export_incidents(store, None, "json", io.StringIO(), reveal=True, reason="need it")
    out = io.StringIO()
    export_incidents(store, IncidentFilters(country="NG"), "json", out, reveal=True, user=people["admin"],
                     reason="court request 7")  # fmt: skip
    data = json.loads(out.getvalue())
    assert data["pseudonymised"] is False and "Aisha Abdullahi" in out.getvalue()
    with store.reading() as conn:
        from sqlalchemy import select

        from childwatch.store.review import EVENTS

        reveals = conn.execute(select(EVENTS.c.target_type, EVENTS.c.reason).where(EVENTS.c.action == "reveal")).all()
    assert [tuple(r) for r in reveals] == [("export", "court request 7")]


def test_exports_show_review_decisions(store: Store) -> None:
    people = users(store)
    (claim,) = list(store.iter_claims(doc_id="rv-007"))
    review.reject_claim(store, people["analyst"], claim.id, "no specific group or place")
    rows = list(csv.DictReader(io.StringIO(export(store, "csv", status="rejected"))))
    assert [r["id"] for r in rows] == [claim.claim.incident_id]


def test_a_spreadsheet_formula_in_a_cell_is_defused(store: Store) -> None:
    from childwatch.export.incidents import _write_csv

    out = io.StringIO()
    _write_csv(iter([[{"id": "inc-1", "perpetrator": "=HYPERLINK(evil)", "claims": []}]]), out, hxl=False)
    assert "'=HYPERLINK(evil)" in out.getvalue()


def test_an_unknown_format_is_refused_by_name(store: Store) -> None:
    with pytest.raises(InputError, match="choose one of csv, json, geojson, hxl, jsonl"):
        export(store, "xlsx")


def test_the_command_exports_incidents_in_each_format(db: Path, tmp_path: Path) -> None:
    for fmt in ("csv", "hxl", "json", "geojson", "jsonl"):
        out = tmp_path / f"incidents.{fmt}"
        result = childwatch("export", "--db", db, "--what", "incidents", "--format", fmt, "--country", "NG",
                            "--from", "2024-02", "--out", out)  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert ("4 claims" if fmt == "jsonl" else "2 incidents") + " written" in result.stderr
        assert out.stat().st_size > 0
    result = childwatch("export", "--db", db, "--what", "claims", "--format", "hxl", "--out", "-")
    assert result.returncode == 2 and "jsonl or csv, not hxl" in result.stderr
    result = childwatch("export", "--db", db, "--what", "incidents", "--from", "2024-13", "--out", "-")
    assert result.returncode == 2 and "not a date" in result.stderr
    result = childwatch("export", "--db", db, "--format", "jsonl", "--out", "-")  # claims, as before
    assert result.returncode == 0 and result.stdout.count("\n") == 11
