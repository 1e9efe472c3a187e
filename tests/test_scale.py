"""Scale-out: a process pool and a real Dask cluster store exactly what one process
stores, and a run killed midway, then run again, ends with every document once.

Every test here runs on both store back-ends (see pgtest.py)."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from childwatch.run.pipeline import run_pipeline
from childwatch.run.workers import LocalExecutor, ProcessExecutor
from childwatch.store import open_store
from childwatch.store.database import make_engine, to_url
from pgtest import BACKENDS, database_maker
from test_crash_safety import CLAIM_COLUMNS  # everything a claim row says, but its id and time

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "src" / "childwatch" / "samples"
REPORTS = ROOT / "tests" / "fixtures" / "reports"
INGEST = ROOT / "tests" / "fixtures" / "ingest"


def snapshot(db: str) -> dict[str, Any]:
    """The documents (id, hash) and claims stored, in a form that compares across runs."""
    engine = make_engine(to_url(db))
    try:
        with engine.connect() as conn:
            docs = [tuple(r) for r in conn.execute(text("SELECT id, sha256 FROM documents ORDER BY id"))]
            rows = conn.execute(text(f"SELECT {CLAIM_COLUMNS} FROM claims ORDER BY doc_id, ordinal"))
            claims = [tuple(json.dumps(v, sort_keys=True) if isinstance(v, dict) else v for v in r) for r in rows]
            ids = [r[0] for r in conn.execute(text("SELECT doc_id FROM claims ORDER BY id"))]
    finally:
        engine.dispose()
    return {"documents": docs, "claims": claims, "claim_order": ids}


def count(db: str, sql: str) -> int:
    engine = make_engine(to_url(db))
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def childwatch(*args: str | Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "childwatch.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=300, **kwargs)  # fmt: skip


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def new_db(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Callable[[], str]:
    """Call it for each fresh, empty database of the test's back-end."""
    return database_maker(request, backend, tmp_path)


def many_reports(path: Path, copies: int) -> int:
    """A JSON Lines file of the sample reports, `copies` times over under distinct ids."""
    samples = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(SAMPLES.glob("*.json"))]
    n = 0
    with path.open("w", encoding="utf-8") as out:
        for i in range(copies):
            for sample in samples:
                out.write(json.dumps({**sample, "id": f"{sample['id']}-copy{i:03d}"}) + "\n")
                n += 1
    return n


# --- parallel extraction -------------------------------------------------------------------


def test_a_process_pool_stores_exactly_what_one_process_stores(new_db: Any, tmp_path: Path) -> None:
    inputs = [SAMPLES, REPORTS, INGEST]
    one, two = new_db(), new_db()
    with open_store(one) as store, LocalExecutor() as executor:
        single = run_pipeline(inputs, store, batch_size=7, executor=executor)
    with open_store(two) as store, ProcessExecutor(2) as executor:
        pooled = run_pipeline(inputs, store, batch_size=7, executor=executor)
    assert single.counts == pooled.counts
    assert single.errors == pooled.errors
    assert single.counts.claims > 50
    assert snapshot(one) == snapshot(two)


def test_run_with_workers_on_the_command_line(new_db: Any, tmp_path: Path) -> None:
    one, two = new_db(), new_db()
    assert childwatch("run", SAMPLES, "--db", one, "--no-resolve").returncode == 0
    result = childwatch("run", SAMPLES, "--db", two, "--no-resolve", "--workers", "2", "--batch-size", "5")
    assert result.returncode == 0, result.stderr
    assert "20 documents read, 20 new" in result.stdout
    assert snapshot(one) == snapshot(two)


def test_bad_worker_options_are_refused_clearly(tmp_path: Path) -> None:
    result = childwatch("run", SAMPLES, "--db", tmp_path / "x.sqlite", "--workers", "0")
    assert result.returncode == 2 and "must be 1 or more" in result.stderr
    result = childwatch("run", SAMPLES, "--db", tmp_path / "x.sqlite", "--workers", "2", "--scheduler", "tcp://x:1")
    assert result.returncode == 2 and "not both" in result.stderr


def test_an_unreachable_dask_scheduler_is_named(tmp_path: Path) -> None:
    result = childwatch("run", SAMPLES, "--db", tmp_path / "x.sqlite", "--scheduler", "tcp://127.0.0.1:1")
    assert result.returncode == 2, result.stderr
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in result.stderr


@pytest.fixture(scope="module")
def dask_cluster():  # type: ignore[no-untyped-def]
    """A real local Dask cluster: a scheduler and two worker processes, one thread each."""
    distributed = pytest.importorskip("distributed", reason="pip install -e '.[dev]' (the dask extra)")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    ) as cluster:
        yield cluster


def test_a_dask_cluster_stores_exactly_what_one_process_stores(dask_cluster: Any, new_db: Any, tmp_path: Path) -> None:
    one, two = new_db(), new_db()
    assert childwatch("run", SAMPLES, INGEST, "--db", one, "--no-resolve").returncode == 0
    result = childwatch("run", SAMPLES, INGEST, "--db", two, "--no-resolve", "--batch-size", "8",
                        "--scheduler", dask_cluster.scheduler_address)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(dask_cluster.scheduler_info["workers"]) == 2
    stored = snapshot(two)
    assert len(stored["claims"]) > 60
    assert stored == snapshot(one)


# --- interrupted runs --------------------------------------------------------------------


def test_a_run_killed_midway_resumes_without_duplicates_or_gaps(new_db: Any, tmp_path: Path) -> None:
    reports = tmp_path / "reports.jsonl"
    total = many_reports(reports, copies=12)  # 240 documents
    whole, broken = new_db(), new_db()
    assert childwatch("run", reports, "--db", whole, "--no-resolve").returncode == 0

    # Small batches, so that several transactions are committed before the kill.
    process = subprocess.Popen(
        [sys.executable, "-m", "childwatch.cli", "run", str(reports), "--db", broken, "--no-resolve",
         "--batch-size", "10"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    stored = 0
    deadline = time.monotonic() + 120
    try:
        while stored < 40 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
            try:
                stored = count(broken, "SELECT count(*) FROM documents")
            except Exception:  # the schema may not exist yet
                stored = 0
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    assert process.returncode == -signal.SIGKILL, "the run ended before it could be interrupted"
    at_kill = count(broken, "SELECT count(*) FROM documents")
    assert 0 < at_kill < total
    # Whole batches only: nothing half-written.
    assert at_kill % 10 == 0
    assert count(broken, "SELECT count(*) FROM runs WHERE finished_at IS NULL") == 1

    again = childwatch("run", reports, "--db", broken, "--no-resolve")
    assert again.returncode == 0, again.stderr
    assert f"{total} documents read, {total - at_kill} new, {at_kill} already stored" in again.stdout
    assert snapshot(broken)["documents"] == snapshot(whole)["documents"]  # no gaps, no duplicates
    assert snapshot(broken)["claims"] == snapshot(whole)["claims"]
    assert count(broken, "SELECT count(*) FROM documents") == total
