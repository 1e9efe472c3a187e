"""The whole pipeline through the real command: reports -> database -> export -> checked claims,
on both store back-ends (a SQLite file and the test PostgreSQL server, see pgtest.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from childwatch.store.database import make_engine, to_url
from pgtest import BACKENDS, database_url

SAMPLES = Path(__file__).resolve().parents[1] / "src" / "childwatch" / "samples"
VIOLATIONS = {"recruitment_use", "killing_maiming", "sexual_violence", "attack_school_hospital", "abduction",
              "denial_humanitarian_access", "detention_torture"}


def childwatch(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "childwatch.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=300)


def scalar(db: str, sql: str) -> object:
    engine = make_engine(to_url(db))
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def column(db: str, sql: str) -> set[object]:
    engine = make_engine(to_url(db))
    try:
        with engine.connect() as conn:
            return {row[0] for row in conn.execute(text(sql))}
    finally:
        engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def demo_db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    db = database_url(request, request.param, tmp_path_factory.mktemp("e2e"))
    result = childwatch("run", SAMPLES, "--db", db)
    assert result.returncode == 0, result.stderr
    return db


@pytest.fixture(params=BACKENDS)
def fresh_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(request, request.param, tmp_path)


def test_samples_run_end_to_end_and_export_in_the_guideline_format(demo_db: str, tmp_path: Path) -> None:
    out = tmp_path / "claims.jsonl"
    result = childwatch("export", "--db", demo_db, "--format", "jsonl", "--out", out)
    assert result.returncode == 0, result.stderr
    claims = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(claims) >= 30
    texts = {json.loads(p.read_text())["id"]: json.loads(p.read_text())["text"] for p in SAMPLES.glob("*.json")}
    assert {c["violation"] for c in claims} == VIOLATIONS  # the samples cover every violation
    for c in claims:
        ev = c["evidence"]
        assert texts[c["doc_id"]][ev["start"]:ev["end"]] == ev["text"]
        assert set(c) >= {"doc_id", "violation", "kind", "perpetrator", "victims", "location", "date", "source",
                          "evidence", "incident_id", "confidence"}
    # The Damboa school raid (sample-001): abduction of at least 43 pupils by Boko Haram in Borno.
    raid = [c for c in claims if c["doc_id"] == "sample-001" and c["violation"] == "abduction"]
    assert raid and raid[0]["victims"]["count"] == 43 and raid[0]["location"]["country"] == "NG"


def test_rerun_is_a_no_op(demo_db: str) -> None:
    before = scalar(demo_db, "select count(*) from claims")
    result = childwatch("run", SAMPLES, "--db", demo_db)
    assert result.returncode == 0, result.stderr
    assert "0 new" in result.stdout
    after = scalar(demo_db, "select count(*) from claims")
    assert before == after


def test_bad_inputs_are_named_and_the_batch_goes_on(tmp_path: Path, fresh_db: str) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy(SAMPLES / "sample-001.json", batch / "good.json")
    (batch / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    (batch / "empty.json").write_text("", encoding="utf-8")
    (batch / "broken.jsonl").write_text('{"id": "ok-1", "text": "Nothing happened."}\n{"id": "bad", "text": \n',
                                        encoding="utf-8")
    (batch / "notes.docx").write_bytes(b"PK\x03\x04")
    result = childwatch("run", batch, "--db", fresh_db)
    assert result.returncode == 1  # finished, with skipped inputs
    for name in ("binary.txt", "empty.json", "broken.jsonl:2", "notes.docx"):
        assert name in result.stderr, name
    stored = column(fresh_db, "select id from documents")
    assert stored == {"sample-001", "ok-1"}


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    result = childwatch("run", tmp_path / "nowhere", "--db", tmp_path / "x.sqlite")
    assert result.returncode == 2
    assert "no such file or folder" in result.stderr


def test_stats_and_csv_export(demo_db: str, tmp_path: Path) -> None:
    result = childwatch("stats", "--db", demo_db)
    assert result.returncode == 0, result.stderr
    assert "abduction" in result.stdout
    out = tmp_path / "claims.csv"
    assert childwatch("export", "--db", demo_db, "--format", "csv", "--out", out).returncode == 0
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert "violation" in header and "evidence" in header


def test_a_pseudonymised_claims_export_names_no_child_and_keeps_offsets(fresh_db: str, tmp_path: Path) -> None:
    report = tmp_path / "named.txt"  # our own report, naming a child in the evidence sentence
    report.write_text("Gunmen abducted Tanko Bala, 12, and two other children from a village near Gusau "
                      "on 4 March 2024, police said.\n", encoding="utf-8")  # fmt: skip
    assert childwatch("run", report, "--db", fresh_db).returncode == 0
    plain, hidden = tmp_path / "plain.jsonl", tmp_path / "hidden.jsonl"
    result = childwatch("export", "--db", fresh_db, "--out", plain)
    assert result.returncode == 0 and "children's names included" in result.stderr
    result = childwatch("export", "--db", fresh_db, "--pseudonymise", "--out", hidden)
    assert result.returncode == 0, result.stderr
    assert "names included" not in result.stderr
    before = [json.loads(line) for line in plain.read_text(encoding="utf-8").splitlines()]
    after = [json.loads(line) for line in hidden.read_text(encoding="utf-8").splitlines()]
    assert before and [(c["evidence"]["start"], c["evidence"]["end"]) for c in before] == [
        (c["evidence"]["start"], c["evidence"]["end"]) for c in after
    ]
    assert all("Tanko Bala" in c["evidence"]["text"] for c in before)
    assert not any("Tanko" in json.dumps(c) or "Bala" in json.dumps(c) for c in after)
    assert all("[child " in c["evidence"]["text"] for c in after)
    refused = childwatch("export", "--db", fresh_db, "--what", "incidents", "--pseudonymise", "--out", "-")
    assert refused.returncode != 0 and "--pseudonymise is for --what claims" in refused.stderr
