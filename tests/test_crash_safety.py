"""Crash safety: `kill -9` in the middle of every stage that writes (ingest, extraction,
resolution, a review action) leaves a store that opens and holds together, keeps
everything committed before the kill, and, once the stage is run again, holds exactly
what an uninterrupted run stores: no duplicates, no gaps, nothing half-applied.

Kills are timed from what the store shows, not from sleeps: "inside a write" means while
the writer holds SQLite's write lock, or row locks on PostgreSQL. Every test runs on both
back-ends (see pgtest.py); the helpers here are shared with test_concurrent_writers.py."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from childwatch import review
from childwatch.review.users import User, add_user, get_user_by_name
from childwatch.run.pipeline import run_pipeline
from childwatch.run.resolution import resolve
from childwatch.store import open_store
from childwatch.store.database import make_engine, to_url
from pgtest import BACKENDS, Databases, database_maker, database_url

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
SAMPLES = ROOT / "src" / "childwatch" / "samples"
PASSWORD = "a long test passphrase"
BATCH = 10  # documents per transaction in the killed runs: several commits before a kill


# --- running and watching other processes ----------------------------------------------------


def childwatch(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "childwatch.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)  # fmt: skip


def start(args: Sequence[str | Path], log: Path) -> subprocess.Popen[bytes]:
    """A process writing its output to `log` (a pipe nobody reads could fill and stall it)."""
    with log.open("wb") as out:
        return subprocess.Popen([str(a) for a in args], stdout=out, stderr=subprocess.STDOUT)


def start_cli(log: Path, *args: str | Path) -> subprocess.Popen[bytes]:
    return start([sys.executable, "-m", "childwatch.cli", *args], log)


class Watch:
    """A look at a store from outside, while another process writes to it."""

    def __init__(self, db: str) -> None:
        self.db = db
        self.pg: Any = None
        self.lite: sqlite3.Connection | None = None

    def _connect(self) -> bool:
        if self.pg is not None or self.lite is not None:
            return True
        if "://" in self.db:
            import psycopg

            self.pg = psycopg.connect(self.db.replace("+psycopg", ""), autocommit=True)
            return True
        if not Path(self.db).exists():  # never create the file the writer is about to make
            return False
        # No busy timeout: `writing` must see the write lock taken, not wait for it.
        self.lite = sqlite3.connect(f"file:{self.db}?mode=rw", uri=True, timeout=0, isolation_level=None)
        return True

    def value(self, sql: str) -> int:
        """One number from the store; 0 while the schema is not there yet."""
        if not self._connect():
            return 0
        try:
            if self.pg is not None:
                return int(self.pg.execute(sql).fetchone()[0])
            assert self.lite is not None
            return int(self.lite.execute(sql).fetchone()[0])
        except Exception as exc:  # no such table yet: the writer is still migrating
            if "no such table" in str(exc) or "does not exist" in str(exc) or "locked" in str(exc):
                return 0
            raise

    def writing(self, tables: Sequence[str]) -> bool:
        """Whether another process is inside a transaction that has written (SQLite: holds
        the write lock; PostgreSQL: holds row locks on one of `tables`)."""
        if not self._connect():
            return False
        if self.pg is not None:
            sql = (
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = ANY(%s) "
                "AND l.mode = 'RowExclusiveLock' AND l.granted AND l.pid <> pg_backend_pid()"
            )
            return int(self.pg.execute(sql, (list(tables),)).fetchone()[0]) > 0
        assert self.lite is not None
        try:
            self.lite.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                return True
            raise
        self.lite.execute("ROLLBACK")
        return False

    def close(self) -> None:
        if self.pg is not None:
            self.pg.close()
        if self.lite is not None:
            self.lite.close()


def kill_when(process: subprocess.Popen[bytes], ready: Callable[[], bool], what: str, log: Path) -> None:
    """SIGKILL `process` as soon as `ready()`; fail if it ends first."""
    deadline = time.monotonic() + 180
    try:
        while not ready():
            if process.poll() is not None:
                pytest.fail(f"the {what} ended before it could be interrupted:\n{log.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                pytest.fail(f"the {what} never reached the point where it is to be killed")
            time.sleep(0.003)
        process.send_signal(signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)
    assert process.returncode == -signal.SIGKILL, f"the {what} ended on its own:\n{log.read_text()[-3000:]}"


def children(pid: int) -> list[int]:
    """The child processes of `pid` (Linux: /proc)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # the task ended meanwhile
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# --- what a store holds ----------------------------------------------------------------------


def query(db: str, sql: str) -> list[tuple[Any, ...]]:
    engine = make_engine(to_url(db))
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql))]
    finally:
        engine.dispose()


def number(db: str, sql: str) -> int:
    return int(query(db, sql)[0][0])


# What must hold in a store whatever happened to the processes writing it: (what, a query
# counting the rows that break it).
INVARIANTS = (
    ("claims without their document",
     "SELECT count(*) FROM claims c WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.id = c.doc_id)"),
    ("documents without their hash or original",
     "SELECT count(*) FROM documents WHERE sha256 IS NULL OR length(sha256) <> 64 OR raw IS NULL OR text IS NULL"),
    ("documents whose claims have gaps (a batch half-written)",
     "SELECT count(*) FROM (SELECT doc_id FROM claims GROUP BY doc_id HAVING max(ordinal) + 1 <> count(*)) AS g"),
    ("incidents without claims",
     "SELECT count(*) FROM incidents i WHERE NOT EXISTS (SELECT 1 FROM claims c WHERE c.incident_id = i.id)"),
    ("claims in an incident that is not stored",
     "SELECT count(*) FROM claims c WHERE c.incident_id IS NOT NULL "
     "AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.id = c.incident_id)"),
    ("claims placed by resolution without a log entry",
     "SELECT count(*) FROM claims c WHERE c.incident_id IS NOT NULL "
     "AND NOT EXISTS (SELECT 1 FROM resolution_log l WHERE l.claim_id = c.id)"),
    ("documents signed without their band keys",
     "SELECT count(*) FROM documents d WHERE d.minhash IS NOT NULL AND length(d.minhash) > 0 "
     "AND d.id NOT IN (SELECT doc_id FROM doc_bands UNION SELECT doc_id FROM doc_bands_staged)"),
    ("review events without the claims they concern",
     "SELECT count(*) FROM review_events e WHERE e.action <> 'reveal' "
     "AND NOT EXISTS (SELECT 1 FROM review_claims r WHERE r.event_id = e.id)"),
    ("review claims without their event",
     "SELECT count(*) FROM review_claims r WHERE NOT EXISTS (SELECT 1 FROM review_events e WHERE e.id = r.event_id)"),
    ("ingest errors without their run",
     "SELECT count(*) FROM ingest_errors x WHERE NOT EXISTS (SELECT 1 FROM runs r WHERE r.id = x.run_id)"),
)  # fmt: skip


def check_store(db: str) -> None:
    """The store opens (and migrates), and every invariant holds."""
    open_store(db).close()
    broken = []
    if "://" not in db:
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    for what, sql in INVARIANTS:
        n = number(db, sql)
        if n:
            broken.append(f"{n} {what}")
    wrong = [i for i, sha, raw in query(db, "SELECT id, sha256, raw FROM documents")
             if hashlib.sha256(bytes(raw)).hexdigest() != sha]  # fmt: skip
    if wrong:
        broken.append(f"{len(wrong)} documents whose original does not match their hash, e.g. {wrong[:3]}")
    assert not broken, "; ".join(broken)


def _plain(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, float):
        return round(value, 9)
    return value


def rows(db: str, sql: str) -> list[tuple[Any, ...]]:
    """Rows in a form that compares across stores (JSON as sorted text)."""
    return [tuple(_plain(v) for v in r) for r in query(db, sql)]


CLAIM_COLUMNS = (
    "doc_id, ordinal, violation, kind, perpetrator, perpetrator_id, victims_count, victims_count_low, "
    "victims_count_high, victims_qualifier, victims_age_min, victims_age_max, victims_sex, victims_group, "
    "location_name, location_admin1, location_country, location_lat, location_lon, location_precision, "
    "location_place_id, date_start, date_end, date_precision, source, source_id, graphic, confidence, "
    "evidence_start, evidence_end, evidence_text, spans"
)
INCIDENT_COLUMNS = (
    "id, violation, kind, status, perpetrator, perpetrator_id, count_best, count_low, count_high, age_min, age_max, "
    "sex, location_name, location_admin1, location_country, location_lat, location_lon, location_precision, "
    "location_place_id, date_start, date_end, n_claims, n_documents, n_outlets, n_sources, outlets, sources, counts, "
    "first_published, last_published"
)


def stored(db: str) -> dict[str, Any]:
    """Documents and claims, as extraction left them."""
    return {
        "documents": rows(db, "SELECT id, sha256 FROM documents ORDER BY id"),
        "claims": rows(db, f"SELECT {CLAIM_COLUMNS} FROM claims ORDER BY doc_id, ordinal"),
    }


def resolved(db: str) -> dict[str, Any]:
    """What resolution and review make of the claims (all but row ids and times). Review
    events are named by their rank: PostgreSQL spends an id on a killed insert."""
    rank = {event_id: n for n, (event_id,) in enumerate(query(db, "SELECT id FROM review_events ORDER BY id"))}
    placed = []
    for doc_id, ordinal, incident_id, score, why in query(
        db, "SELECT doc_id, ordinal, incident_id, incident_score, incident_why FROM claims ORDER BY doc_id, ordinal"
    ):
        if isinstance(why, dict) and "review_event" in why:
            why = {**why, "review_event": rank.get(why["review_event"])}
        placed.append((doc_id, ordinal, incident_id, _plain(score), _plain(why)))
    return {
        "signatures": rows(
            db, "SELECT id, minhash, near_dup_of, near_dup_similarity, names FROM documents ORDER BY id"
        ),
        "bands": rows(db, "SELECT band, doc_id FROM doc_bands ORDER BY band, doc_id"),
        "placed": placed,
        "incidents": rows(db, f"SELECT {INCIDENT_COLUMNS} FROM incidents ORDER BY id"),
        "log": sorted(
            rows(db, "SELECT doc_id, ordinal, incident_id, previous_incident_id, mode, score FROM resolution_log"),
            key=repr,
        ),
        "events": rows(
            db,
            "SELECT action, target_type, target_id, incident_id, field, before, after, reason "
            "FROM review_events ORDER BY id",
        ),
        "review_claims": rows(
            db,
            "SELECT e.reason, r.role, r.doc_id, r.ordinal, r.evidence_text FROM review_claims r "
            "JOIN review_events e ON e.id = r.event_id ORDER BY e.id, r.id",
        ),
    }


# --- stores ----------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def new_db(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Callable[[], str]:
    """Call it for each fresh, empty database of the test's back-end."""
    return database_maker(request, backend, tmp_path)


@pytest.fixture
def copy_db(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[str], str]:
    """Call it with a store no process has open: returns a copy of it."""
    made = iter(range(100))

    def copy(db: str) -> str:
        if "://" not in db:
            target = tmp_path / f"copy{next(made)}.sqlite"
            shutil.copyfile(db, target)
            for suffix in ("-wal", "-shm"):
                if Path(db + suffix).exists():
                    shutil.copyfile(db + suffix, str(target) + suffix)
            return str(target)
        import psycopg

        databases: Databases = request.getfixturevalue("postgres_databases")
        name = f"{to_url(db).database}_copy{next(made)}"
        with psycopg.connect(databases.admin.set(drivername="postgresql").render_as_string(hide_password=False),
                             autocommit=True) as conn:  # fmt: skip
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{to_url(db).database}"')
        databases.created.append(name)
        return to_url(db).set(database=name).render_as_string(hide_password=False)

    return copy


def write_reports(folder: Path, copies: int) -> int:
    """One JSON file per report: the samples, `copies` times over under distinct ids."""
    folder.mkdir(parents=True, exist_ok=True)
    n = 0
    for sample in sorted(SAMPLES.glob("*.json")):
        report = json.loads(sample.read_text(encoding="utf-8"))
        for i in range(copies):
            copy = {**report, "id": f"{report['id']}-{folder.name}-{i:02d}"}
            (folder / f"{copy['id']}.json").write_text(json.dumps(copy), encoding="utf-8")
            n += 1
    return n


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    folder = tmp_path_factory.mktemp("inputs") / "reports"
    return folder, write_reports(folder, 4)  # 80 documents, 8 batches of 10


@pytest.fixture(scope="module")
def reference(
    request: pytest.FixtureRequest, backend: str, reports: tuple[Path, int], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """What an uninterrupted run over `reports` stores."""
    db = database_url(request, backend, tmp_path_factory.mktemp("reference"))
    with open_store(db) as store:
        run_pipeline([reports[0]], store)
    return stored(db)


# --- ingest and extraction ------------------------------------------------------------------


def test_run_killed_inside_a_write_leaves_whole_batches_and_resumes_exactly(
    new_db: Callable[[], str], reports: tuple[Path, int], reference: dict[str, Any], tmp_path: Path
) -> None:
    folder, total = reports
    broken = new_db()
    log = tmp_path / "killed.log"
    process = start_cli(log, "run", folder, "--db", broken, "--no-resolve", "--batch-size", BATCH)
    watch = Watch(broken)
    try:
        # Three batches committed, the next one being written: killed inside its transaction.
        kill_when(process, lambda: watch.value("SELECT count(*) FROM documents") >= 3 * BATCH
                  and watch.writing(["documents", "claims"]), "run", log)  # fmt: skip
    finally:
        watch.close()

    check_store(broken)
    at_kill = stored(broken)
    kept = len(at_kill["documents"])
    assert 3 * BATCH <= kept < total and kept % BATCH == 0, f"{kept} documents: a batch was half-written"
    # What was committed is there exactly: each document stored has all its claims.
    kept_ids = {d for d, _ in at_kill["documents"]}
    assert at_kill["claims"] == [c for c in reference["claims"] if c[0] in kept_ids]
    (killed,) = query(broken, "SELECT id FROM runs WHERE finished_at IS NULL")

    again = childwatch("run", folder, "--db", broken, "--no-resolve")
    assert again.returncode == 0, again.stderr
    assert f"{total} documents read, {total - kept} new, {kept} already stored, 0 failed" in again.stdout
    check_store(broken)
    assert stored(broken) == reference  # no gaps, no duplicates

    # The killed run is recorded as interrupted by the next one, which finished.
    with open_store(broken) as store:
        record = store.run(killed[0])
        assert record is not None and record.interrupted and record.finished_at is None
        assert any("interrupted" in e.message for e in store.errors(killed[0]))
        (last,) = query(broken, "SELECT max(id) FROM runs")
        latest = store.run(last[0])
        assert latest is not None and latest.finished_at is not None and not latest.interrupted


def test_run_killed_while_workers_extract_resumes_exactly(
    new_db: Callable[[], str], reports: tuple[Path, int], reference: dict[str, Any], tmp_path: Path
) -> None:
    folder, total = reports
    broken = new_db()
    log = tmp_path / "killed.log"
    process = start_cli(log, "run", folder, "--db", broken, "--workers", "2", "--batch-size", BATCH)
    watch = Watch(broken)
    workers: list[int] = []

    def extracting() -> bool:
        # Two batches stored, and the next ones with the workers (no write under way).
        if watch.value("SELECT count(*) FROM documents") < 2 * BATCH or watch.writing(["documents", "claims"]):
            return False
        workers[:] = children(process.pid)
        return True

    try:
        kill_when(process, extracting, "run", log)
    finally:
        watch.close()
        orphans = [p for p in workers if alive(p)]  # none: the next test checks they end by themselves
        for pid in orphans:
            os.kill(pid, signal.SIGKILL)
    assert workers, "the run had no worker processes"
    check_store(broken)
    kept = number(broken, "SELECT count(*) FROM documents")
    assert 2 * BATCH <= kept < total and kept % BATCH == 0

    again = childwatch("run", folder, "--db", broken, "--no-resolve")
    assert again.returncode == 0, again.stderr
    assert f"{total - kept} new, {kept} already stored" in again.stdout
    check_store(broken)
    assert stored(broken) == reference


def test_workers_of_a_killed_run_do_not_outlive_it(tmp_path: Path) -> None:
    script = (
        "from childwatch.run.workers import ProcessExecutor; from test_crash_safety import SAMPLES; "
        "from childwatch.ingest import read_path; import time\n"
        "pool = ProcessExecutor(2); pool.submit(list(read_path(SAMPLES))).result(); print('ready', flush=True)\n"
        "time.sleep(600)"
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(TESTS)})  # fmt: skip
    workers: list[int] = []
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        workers = children(process.pid)
        assert len(workers) >= 2
    finally:
        process.kill()
        process.wait(30)
    deadline = time.monotonic() + 10
    while any(alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [p for p in workers if alive(p)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"processes {left} of the killed run's worker pool are still running"


# --- resolution -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic() -> tuple[list[Any], list[Any]]:
    """Synthetic reports with their claims (bench/synthetic_reports.py): a first lot, and a
    later one, half about the same events."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from synthetic_reports import SyntheticReports
    finally:
        sys.path.remove(str(ROOT / "bench"))
    reports = SyntheticReports(300, seed=7)
    return [item for batch in reports.batches(1000) for item in batch], reports.more(1.0)


def analyst(store: Any) -> User:
    user = get_user_by_name(store, "analyst")
    return user if user is not None else add_user(store, "analyst", PASSWORD, "analyst")


# `childwatch resolve` with fewer claims per transaction (as `run --batch-size` does for
# documents), so that a small store takes several transactions.
RESOLVE_IN_SMALL_STEPS = (
    "import sys, childwatch.run.resolution as resolution; resolution.WRITE_CLAIMS = 40; "
    "from childwatch.cli import main; sys.exit(main(sys.argv[1:]))"
)


def test_resolve_killed_midway_keeps_whole_blocks_and_review_decisions(
    new_db: Callable[[], str], copy_db: Callable[[str], str], synthetic: tuple[list[Any], list[Any]], tmp_path: Path
) -> None:
    # A resolved store whose busiest incidents an analyst confirmed, then new reports, many
    # about the same events, so that resolving them rewrites confirmed incidents.
    first, later = synthetic
    base = new_db()
    with open_store(base) as store:
        store.write_batch(first)
        resolve(store)
        user = analyst(store)
        busiest = [r[0] for r in query(base, "SELECT id FROM incidents ORDER BY n_claims DESC, id LIMIT 25")]
        for incident_id in busiest:
            review.confirm_incident(store, user, incident_id, "checked with the field team")
        store.write_batch(later)
    whole, broken = copy_db(base), copy_db(base)
    before = number(base, "SELECT count(*) FROM claims WHERE incident_id IS NOT NULL")
    total = number(base, "SELECT count(*) FROM claims")
    first_new = number(base, "SELECT min(id) FROM claims WHERE incident_id IS NULL")

    with open_store(whole) as store:
        resolve(store)
    assert number(whole, "SELECT count(*) FROM incidents WHERE status = 'verified'") == 25

    log = tmp_path / "resolve.log"
    process = start([sys.executable, "-c", RESOLVE_IN_SMALL_STEPS, "resolve", "--db", broken], log)
    watch = Watch(broken)
    try:
        # Some of the new claims placed (a transaction committed), not all.
        kill_when(process, lambda: watch.value("SELECT count(*) FROM claims WHERE incident_id IS NOT NULL") > before,
                  "resolution", log)  # fmt: skip
    finally:
        watch.close()
    check_store(broken)
    placed = number(broken, "SELECT count(*) FROM claims WHERE incident_id IS NOT NULL")
    assert before < placed < total
    # Whole blocks (one violation in one country) only: none half-resolved...
    half = query(
        broken,
        f"SELECT violation, location_country FROM claims WHERE id >= {first_new} "
        "GROUP BY violation, location_country HAVING count(incident_id) BETWEEN 1 AND count(*) - 1",
    )
    assert half == [], f"blocks half-resolved: {half}"
    # ...the views of the incidents written agree with their claims...
    stale = number(
        broken,
        "SELECT count(*) FROM incidents i WHERE n_claims <> (SELECT count(*) FROM claims c WHERE c.incident_id = i.id)",
    )
    assert stale == 0, f"{stale} incidents whose view counts other claims than they hold"
    # ...and no analyst's decision is lost in between: every confirmed incident stays verified.
    assert number(broken, "SELECT count(*) FROM incidents WHERE status = 'verified'") == 25

    again = childwatch("resolve", "--db", broken)
    assert again.returncode == 0, again.stderr
    check_store(broken)
    assert resolved(broken) == resolved(whole)
    assert number(broken, "SELECT count(*) FROM claims WHERE incident_id IS NULL") == 0


# --- review ---------------------------------------------------------------------------------


def review_plan(db: str) -> dict[str, Any]:
    """Targets for a long loop of review actions, chosen so that they don't interfere:
    incidents to confirm and reopen, claims to reject, restore and correct, and one claim
    to move back and forth between two incidents of one violation."""
    claims = query(db, "SELECT c.id, c.incident_id, c.violation, i.n_claims FROM claims c "
                       "JOIN incidents i ON i.id = c.incident_id ORDER BY c.doc_id, c.ordinal")  # fmt: skip
    mover = next(c for c in claims if c[3] >= 2)
    away = next(c[1] for c in claims if c[2] == mover[2] and c[1] != mover[1])
    taken = {mover[1], away}
    incidents = sorted({c[1] for c in claims} - taken)[:4]
    taken |= set(incidents)
    flagged = [c[0] for c in claims if c[1] not in taken][:4]
    return {"incidents": incidents, "claims": flagged, "move": [mover[0], mover[1], away]}


def review_step(store: Any, user: User, plan: dict[str, Any], i: int) -> None:
    """Action number `i` of the loop: a function of `i` alone, so a loop resumed after a
    kill goes on where the stored events end."""
    kind, turn = i % 4, i // 4
    why = f"step {i}"
    if kind == 0:
        incident_id = plan["incidents"][turn % len(plan["incidents"])]
        back = (turn // len(plan["incidents"])) % 2
        (review.reopen_incident if back else review.confirm_incident)(store, user, incident_id, why)
    elif kind == 1:
        claim = plan["claims"][turn % len(plan["claims"])]
        back = (turn // len(plan["claims"])) % 2
        (review.restore_claim if back else review.reject_claim)(store, user, claim, why)
    elif kind == 2:
        claim = plan["claims"][(turn + 1) % len(plan["claims"])]
        review.correct_claim(store, user, claim, "victims.group", f"group {i}", why)
    else:
        claim, home, away = plan["move"]
        review.move_claim(store, user, claim, away if turn % 2 == 0 else home, why)


def review_loop(db: str, plan_json: str, steps: str) -> None:
    """The loop a killed process runs: from the number of events stored up to `steps`."""
    plan = json.loads(plan_json)
    with open_store(db) as store:
        user = analyst(store)
        for i in range(number(db, "SELECT count(*) FROM review_events"), int(steps)):
            review_step(store, user, plan, i)


LOOP = (
    "import sys; sys.path.insert(0, {tests!r}); from test_crash_safety import review_loop; review_loop(*sys.argv[1:])"
)
STEPS = 40


def test_review_actions_killed_midway_are_whole_and_resume_exactly(
    new_db: Callable[[], str], copy_db: Callable[[str], str], tmp_path: Path
) -> None:
    base = new_db()
    with open_store(base) as store:
        run_pipeline([SAMPLES], store)
        resolve(store)
        analyst(store)
    plan = review_plan(base)
    whole, broken = copy_db(base), copy_db(base)
    review_loop(whole, json.dumps(plan), str(STEPS))

    log = tmp_path / "review.log"
    script = LOOP.format(tests=str(TESTS))
    process = start([sys.executable, "-c", script, broken, json.dumps(plan), str(STEPS)], log)
    watch = Watch(broken)
    try:
        kill_when(
            process,
            lambda: (
                watch.value("SELECT count(*) FROM review_events") >= 12
                and watch.writing(["review_events", "review_claims", "incidents", "claims"])
            ),
            "review loop",
            log,
        )
    finally:
        watch.close()

    check_store(broken)
    events = number(broken, "SELECT count(*) FROM review_events")
    assert 12 <= events < STEPS
    # Every recorded action took effect, and no effect is there without its event:
    # replaying the whole event log changes nothing.
    at_kill = resolved(broken)
    with open_store(broken) as store:
        review.reapply(store)
    after = resolved(broken)
    assert after["placed"] == at_kill["placed"] and after["incidents"] == at_kill["incidents"]
    # The last event recorded is the last action's, whole: e.g. a status change and its status.
    last = events - 1
    if last % 4 == 0:
        incident_id = plan["incidents"][(last // 4) % len(plan["incidents"])]
        status = number(broken, f"SELECT count(*) FROM incidents WHERE id = '{incident_id}' AND status = 'verified'")
        assert status == (0 if (last // 4 // len(plan["incidents"])) % 2 else 1)

    resumed = subprocess.run([sys.executable, "-c", script, broken, json.dumps(plan), str(STEPS)],
                             capture_output=True, text=True, timeout=300)  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr
    check_store(broken)
    assert number(broken, "SELECT count(*) FROM review_events") == STEPS
    assert resolved(broken) == resolved(whole)
