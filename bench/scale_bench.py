"""Scale-out benchmarks (run on demand, not by `make test`): documents/s with 1 and 2
worker processes, peak memory while streaming a million documents, and PostgreSQL vs
SQLite write throughput. The list/filter latency over a million claims in PostgreSQL is
bench/pg_api_bench.py.

    .venv/bin/python bench/scale_bench.py workers [--copies 3]
    .venv/bin/python bench/scale_bench.py memory  [--docs 1000000]
    .venv/bin/python bench/scale_bench.py writes  [--docs 20000]

`workers` runs the whole pipeline (read, extract, write to a fresh SQLite file, no
resolution) over ../shared/corpus/articles (repeated --copies times under new ids; the
bundled samples when ../shared is absent) with `--workers 1` and `--workers 2`, in
process, and reports documents/s and the ratio. `memory` writes a JSON Lines file of
--docs small synthetic reports (about 60 words, one in five about children) to var/bench
and runs the real `childwatch run` on it in a subprocess, reporting the peak resident
memory of that process (ru_maxrss), the time and the rate. `writes` stores --docs
synthetic documents with two claims each through `Store.write_batch` (batches of 200)
into a SQLite file and into PostgreSQL (a private server started like the tests' one,
with PostgreSQL's default durability), and reports documents and claims per second.

Each command adds its figures, with the machine's load before and after, to
bench/results/scale.json (keyed by command). The machine has 2 cores shared with other
jobs: read the load figures alongside the rates.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
VAR = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results" / "scale.json"
sys.path.insert(0, str(ROOT / "tests"))  # the tests' private PostgreSQL server


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "load": [round(x, 2) for x in os.getloadavg()], "python": platform.python_version()}


def save(command: str, figures: dict[str, Any]) -> None:
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results[command] = {"when": datetime.now(UTC).isoformat(timespec="seconds"), **figures}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


# --- workers ------------------------------------------------------------------------------


def corpus_jsonl(copies: int) -> tuple[Path, int, str]:
    from childwatch.ingest import read_path
    from childwatch.records import Document

    articles = SHARED / "corpus" / "articles"
    source = articles if articles.is_dir() else ROOT / "src" / "childwatch" / "samples"
    docs = [d for d in read_path(source) if isinstance(d, Document)]
    VAR.mkdir(parents=True, exist_ok=True)
    path = VAR / "workers.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for i in range(copies):
            for d in docs:
                record = {"id": f"{d.id}-{i}", "text": d.text, "title": d.title, "published": d.published,
                          "outlet": d.outlet}  # fmt: skip
                out.write(json.dumps(record) + "\n")
    words = sum(len(d.text.split()) for d in docs) // max(1, len(docs))
    return path, copies * len(docs), f"{source.relative_to(ROOT.parent)} ({len(docs)} documents, ~{words} words)"


def bench_workers(args: argparse.Namespace) -> None:
    from childwatch.run.pipeline import run_pipeline
    from childwatch.run.workers import executor_for
    from childwatch.store import open_store

    path, n, source = corpus_jsonl(args.copies)
    figures: dict[str, Any] = {"input": source, "documents": n, "machine_before": machine()}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "w.sqlite") as store:
            started = time.perf_counter()
            with executor_for(workers=workers) as executor:  # pool start-up is part of the time
                summary = run_pipeline([path], store, executor=executor)
            seconds = time.perf_counter() - started
        figures[f"workers_{workers}"] = {"seconds": round(seconds, 2), "docs_per_s": round(n / seconds, 1),
                                         "claims": summary.counts.claims}  # fmt: skip
        print(f"--workers {workers}: {n / seconds:.1f} documents/s", flush=True)
    figures["scaling_ratio"] = round(figures["workers_2"]["docs_per_s"] / figures["workers_1"]["docs_per_s"], 2)
    figures["machine_after"] = machine()
    save("workers", figures)


# --- memory -------------------------------------------------------------------------------

PLACES = ("Kaduna", "Borno", "Idlib", "Taiz", "Goma", "Mosul", "Aleppo", "Kandahar", "Juba", "Gao")
GROUPS = ("Boko Haram", "al-Shabaab", "the militia", "unidentified gunmen", "M23")


def synthetic_text(rng: random.Random, i: int) -> str:
    place, group = rng.choice(PLACES), rng.choice(GROUPS)
    day = rng.randint(1, 28)
    if i % 5 == 0:
        return (
            f"{group.capitalize() if group[0].islower() else group} abducted {rng.randint(2, 90)} children "
            f"from a school near {place} on {day} March 2023, local officials said. The pupils were taken "
            f"into the bush and their families have not heard from them since, a teacher told reporters."
        )
    return (
        f"Traders in {place} reported higher prices for fuel and flour on {day} March 2023. The market "
        f"reopened after a week of rain, and officials said the main road to the city was passable again. "
        f"Report number {i} of the series."
    )


def bench_memory(args: argparse.Namespace) -> None:
    VAR.mkdir(parents=True, exist_ok=True)
    path, db = VAR / f"memory-{args.docs}.jsonl", VAR / "memory.sqlite"
    if not path.exists():
        rng = random.Random(42)
        with path.open("w", encoding="utf-8") as out:
            for i in range(args.docs):
                out.write(json.dumps({"id": f"m{i}", "text": synthetic_text(rng, i), "published": "2023-03-30"}) + "\n")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    figures: dict[str, Any] = {"documents": args.docs, "input_mb": round(path.stat().st_size / 1e6, 1),
                               "machine_before": machine()}  # fmt: skip
    command = [str(ROOT / ".venv" / "bin" / "childwatch"), "run", str(path), "--db", str(db), "--no-resolve",
               "--batch-size", "1000"]  # fmt: skip
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"childwatch run failed:\n{result.stderr[-2000:]}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    figures.update({"seconds": round(seconds, 1), "docs_per_s": round(args.docs / seconds, 1),
                    "peak_rss_mb": round(peak_kb / 1024, 1), "output": result.stdout.strip(),
                    "db_mb": round(db.stat().st_size / 1e6, 1), "machine_after": machine()})  # fmt: skip
    save("memory", figures)


# --- writes -------------------------------------------------------------------------------


def synthetic_batch(start: int, size: int) -> list[tuple[Any, list[Any]]]:
    from childwatch.records import Claim, Document, Location, Span, Victims

    items = []
    for i in range(start, start + size):
        text = synthetic_text(random.Random(i), 0)
        raw = text.encode()
        doc = Document(id=f"w{i}", text=text, raw=raw, sha256=hashlib.sha256(raw).hexdigest(), origin=f"bench:{i}",
                       media_type="application/json", title=f"Report {i}", published="2023-03-30")  # fmt: skip
        claims = [
            Claim(
                doc_id=doc.id,
                violation=violation,
                kind="incident",
                evidence=Span(0, 40, text[:40]),
                victims=Victims(count=12, count_span=Span(0, 2, text[:2])),
                location=Location(country="NG"),
                confidence=0.8,
                trigger=Span(5, 10, text[5:10]),
            )
            for violation in ("abduction", "attack_school_hospital")
        ]
        items.append((doc, claims))
    return items


def time_writes(url: str, docs: int) -> dict[str, Any]:
    from childwatch.store import open_store

    batches = [synthetic_batch(i, 200) for i in range(0, docs, 200)]  # built first: only writing is timed
    with open_store(url) as store:
        started = time.perf_counter()
        claims = sum(store.write_batch(batch).claims for batch in batches)
        seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 2), "docs_per_s": round(docs / seconds, 1),
            "claims_per_s": round(claims / seconds, 1)}  # fmt: skip


def bench_writes(args: argparse.Namespace) -> None:
    from pgtest import Databases, PostgresServer, find_bindir

    figures: dict[str, Any] = {"documents": args.docs, "claims_per_document": 2, "batch": 200,
                               "machine_before": machine()}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        figures["sqlite"] = time_writes(str(Path(tmp) / "writes.sqlite"), args.docs)
        print("sqlite", figures["sqlite"], flush=True)
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("no PostgreSQL server binaries: apt-get install postgresql")
    server = PostgresServer(bindir)
    server.start(durable=True)
    try:
        figures["postgresql"] = time_writes(Databases(server.url()).new(), args.docs)
        print("postgresql", figures["postgresql"], flush=True)
    finally:
        server.stop()
    figures["postgresql_vs_sqlite"] = round(figures["postgresql"]["docs_per_s"] / figures["sqlite"]["docs_per_s"], 2)
    figures["machine_after"] = machine()
    save("writes", figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("workers").add_argument("--copies", type=int, default=3)
    sub.add_parser("memory").add_argument("--docs", type=int, default=1_000_000)
    sub.add_parser("writes").add_argument("--docs", type=int, default=20_000)
    args = parser.parse_args()
    {"workers": bench_workers, "memory": bench_memory, "writes": bench_writes}[args.command](args)


if __name__ == "__main__":
    main()
