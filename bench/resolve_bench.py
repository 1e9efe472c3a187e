"""Resolution benchmark (run on demand, not by `make test`): time and peak memory of
`childwatch.run.resolution.resolve` on 10k, 100k and 1M synthetic claims, on one core, to show
how they grow with the number of claims.

    .venv/bin/python bench/resolve_bench.py [--sizes 10000,100000,1000000] [--keep DIR]
                                            [--world fixed|growing] [--profile 100000]
                                            [--seed 20261122]

Each size runs in a fresh process pinned to one CPU (so that its peak memory is its own):
it writes the synthetic reports of `synthetic_reports.py` (fixed seed, every claim's true
event known) into a new SQLite store with `Store.write_batch`, 1000 documents a batch,
runs `resolve(store)` over everything, (up to `--full-max` claims) re-runs it with
`full=True`, then adds 1% more documents and resolves again.

Two worlds. `fixed` (the default): 40 countries x 500 places x 10 years whatever the size,
so a larger size is a denser one (more distinct events share a place, a perpetrator and a
fortnight), which costs time per claim and precision. `growing`: the span of years grows
with the size (10 years per 100k claims: 1 year at 10k, 100 at 1M), so the density of
events stays that of 100k claims, as an archive grows by covering more time. At 100k the
two worlds are the same.

Reading the table (results also go to bench/results/resolve.json, merged by world and size):

    load s       generating the reports and writing them (the write part alone in the JSON)
    resolve s    the first run: near-duplicate signing of every document, then resolution
                 of every claim (block by block: one violation in one continent); wall time
    cpu s        the CPU time of that run (lower than wall time when the machine is busy
                 or the process waits for the disk)
    (sign s)     of which near-duplicate signing (`group_near_duplicates`, the first step of
                 `resolve`, run just before it so as to be timed on its own)
    claims/s     claims resolved per second of that run
    MB load      peak resident memory of the process after loading
    MB resolve   peak resident memory during the first run (the high-water mark is reset
                 before it, where Linux allows; else the process peak)
    P / R        pairwise precision and recall against the true events: of the pairs of
                 claims (of one violation, in different documents) put in one incident, the
                 share that report one event, and of the pairs that report one event, the
                 share put in one incident. Counted per (event, incident) cell, never by
                 listing pairs. In the fixed world P falls with size, partly for density.
    full s       `resolve(store, full=True)` right after the first run, on the same data;
                 `ids kept` is the share of claims whose incident id did not change (it
                 should be all of them)
    +1% s        then a second, incremental run after adding 1% more documents (new reports
                 of known events, and new events); up to `--full-max`, a full run follows
                 it too (`full_after_incremental` in the JSON: it may regroup a few claims,
                 since it takes them in publication order, not in order of arrival)

Below the table, the growth exponent between successive sizes: log(t2/t1) / log(n2/n1),
1.0 for linear time, 2.0 for quadratic. `--profile SIZE` runs the first resolution of
that size under cProfile (which slows it) and writes the top functions to
bench/results/resolve_profile_SIZE.txt.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import itertools
import json
import math
import os
import platform
import pstats
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from synthetic_reports import YEARS, SyntheticReports

from childwatch.run.resolution import group_near_duplicates, resolve
from childwatch.store import Store, open_store

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
BATCH_DOCS = 1000
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


# --- memory ---------------------------------------------------------------------------------


def _status_kb(field: str) -> int | None:
    try:
        found = re.search(rf"^{field}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.MULTILINE)
    except OSError:
        return None
    return int(found.group(1)) if found else None


def reset_peak() -> bool:
    """Reset the process's peak resident memory (Linux: VmHWM); False where not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def peak_mb() -> float:
    kb = _status_kb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kb / 1024, 1)


def rss_mb() -> float | None:
    kb = _status_kb("VmRSS")
    return round(kb / 1024, 1) if kb else None


# --- quality ----------------------------------------------------------------------------------


def _pairs(*columns: np.ndarray) -> int:
    """Pairs of rows equal in every column: the sum of C(n, 2) over the groups."""
    order = np.lexsort(columns)
    changed = np.zeros(len(order), dtype=bool)
    changed[0] = True
    for column in columns:
        ordered = column[order]
        changed[1:] |= ordered[1:] != ordered[:-1]
    sizes = np.diff(np.append(np.flatnonzero(changed), len(order))).astype(np.int64)
    return int((sizes * (sizes - 1) // 2).sum())


def pair_quality(events: np.ndarray, incidents: np.ndarray, docs: np.ndarray) -> dict[str, float | int]:
    """Pairwise precision and recall of same-event pairs in different documents."""
    true = _pairs(events) - _pairs(events, docs)
    predicted = _pairs(incidents) - _pairs(incidents, docs)
    both = _pairs(events, incidents) - _pairs(events, incidents, docs)
    precision = both / predicted if predicted else 1.0
    recall = both / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "true_pairs": true, "predicted_pairs": predicted}  # fmt: skip


def incident_ids(store: Store) -> list[str | None]:
    """Every claim's incident, in (document id, ordinal) order: the order of `truth`."""
    with store.engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql("SELECT incident_id FROM claims ORDER BY doc_id, ordinal")]


def quality(store: Store, reports: SyntheticReports) -> dict[str, float | int]:
    ids = incident_ids(store)
    numbers: dict[str, int] = {}
    incidents = np.fromiter(
        (numbers.setdefault(i, len(numbers)) if i else -1 - n for n, i in enumerate(ids)), np.int64, len(ids)
    )
    events = np.frombuffer(reports.truth, dtype=np.int32).astype(np.int64)
    docs = np.frombuffer(reports.claim_docs, dtype=np.int32).astype(np.int64)
    if len(events) != len(incidents):
        raise SystemExit(f"{len(incidents)} claims stored but {len(events)} generated: is the store fresh?")
    return {
        **pair_quality(events, incidents, docs),
        "events": len(np.unique(events)),
        "incidents": len(numbers),
        "unresolved": sum(1 for i in ids if i is None),
    }


# --- one size, in its own process -----------------------------------------------------------


def _log(size: int, message: str) -> None:
    print(f"[{size:,}] {message}", file=sys.stderr, flush=True)


def _write(store: Store, batches: Any) -> tuple[int, int, float, float]:
    """Write every batch; (documents, claims, seconds generating, seconds writing)."""
    docs = claims = 0
    generating = writing = 0.0
    started = time.perf_counter()
    for batch in batches:
        ready = time.perf_counter()
        generating += ready - started
        result = store.write_batch(batch)
        started = time.perf_counter()
        writing += started - ready
        docs, claims = docs + len(result.new), claims + result.claims
    return docs, claims, round(generating, 2), round(writing, 2)


def years_of(world: str, size: int) -> int:
    """The span of the synthetic world: fixed, or growing with the size (see the docstring)."""
    return YEARS if world == "fixed" else max(1, round(YEARS * size / 100_000))


def measure(size: int, seed: int, folder: Path, *, world: str, full: bool, profile: bool) -> dict[str, Any]:
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    db = folder / f"resolve-{world}-{size}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    years = years_of(world, size)
    result: dict[str, Any] = {"size": size, "world": world, "years": years, "seed": seed, "cpu": cpu,
                              "when": datetime.now(UTC).isoformat()}  # fmt: skip
    reports = SyntheticReports(size, seed, years=years)

    def batches() -> Any:
        for n, batch in enumerate(reports.batches(BATCH_DOCS), 1):
            if n % 50 == 0:
                _log(size, f"loading: {n * BATCH_DOCS:,} documents")
            yield batch

    with open_store(db) as store:
        docs, claims, generating, writing = _write(store, batches())
        gc.collect()
        result["documents"], result["claims"] = docs, claims
        result["load"] = {"seconds": round(generating + writing, 2), "generate_seconds": generating,
                          "write_seconds": writing, "peak_mb": peak_mb(), "rss_mb": rss_mb()}  # fmt: skip
        _log(size, f"loaded {docs:,} documents, {claims:,} claims in {generating + writing:.1f}s")

        result["resolve_peak_is_own"] = reset_peak()
        before = rss_mb()
        profiler = cProfile.Profile() if profile else None
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        # resolve() starts with this step; run first, it is timed on its own and resolve() finds nothing to sign.
        signed, copies = group_near_duplicates(store)
        signing = time.perf_counter() - started
        _log(size, f"signed {signed:,} documents ({copies:,} near-duplicates) in {signing:.1f}s")
        summary = resolve(store, progress=lambda line: _log(size, line))
        if profiler:
            profiler.disable()
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        summary.documents_signed, summary.near_duplicates = signed, copies
        # The machine may be shared: its load (1, 5, 15 minutes) says how far wall times are worth.
        result["load_average"] = [round(x, 2) for x in os.getloadavg()]
        result["resolve"] = {"seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 2),
                             "sign_seconds": round(signing, 2),
                             "claims_per_second": round(claims / seconds), "peak_mb": peak_mb(),
                             "rss_before_mb": before, "rss_after_mb": rss_mb(), "profiled": profile,
                             "summary": asdict(summary)}  # fmt: skip
        result["quality"] = quality(store, reports)
        _log(size, f"resolved in {seconds:.1f}s: {summary.line()}")
        if profiler:
            result["profile"] = write_profile(profiler, size)

        if full:
            result["full"] = full_run(store, reports, size, "on the same data")

        extra = reports.more(0.01)
        extra_docs, extra_claims, _, _ = _write(store, [extra])
        started = time.perf_counter()
        summary = resolve(store)
        seconds = time.perf_counter() - started
        result["incremental"] = {"documents": extra_docs, "claims": extra_claims, "seconds": round(seconds, 2),
                                 "summary": asdict(summary), "quality": quality(store, reports)}  # fmt: skip
        _log(size, f"+{extra_docs} documents resolved in {seconds:.1f}s: {summary.line()}")
        if full:
            result["full_after_incremental"] = full_run(store, reports, size, "after the +1% run")
    result["db_mb"] = round(db.stat().st_size / 2**20, 1)
    result["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return result


def full_run(store: Store, reports: SyntheticReports, size: int, when: str) -> dict[str, Any]:
    """Time `resolve(store, full=True)` and count the claims whose incident id changed."""
    previous = incident_ids(store)
    started = time.perf_counter()
    summary = resolve(store, full=True)
    seconds = time.perf_counter() - started
    now = incident_ids(store)
    kept = sum(1 for a, b in zip(previous, now, strict=True) if a == b)
    _log(size, f"full run {when} in {seconds:.1f}s: {len(now) - kept} claims changed incident; {summary.line()}")
    return {"seconds": round(seconds, 2), "ids_kept": round(kept / len(now), 4), "claims_moved": len(now) - kept,
            "same_incident_ids": set(previous) == set(now), "summary": asdict(summary),
            "quality": quality(store, reports)}  # fmt: skip


def write_profile(profiler: cProfile.Profile, size: int) -> list[dict[str, Any]]:
    """Write the profile's top functions to results/ and return the top 25 by own time."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"resolve_profile_{size}.txt"
    with path.open("w") as out:
        stats = pstats.Stats(profiler, stream=out).strip_dirs()
        stats.sort_stats("tottime").print_stats(40)
        stats.sort_stats("cumulative").print_stats(40)
        # Who waits for the database: the calls into sqlite3, by caller.
        stats.print_callers(r"\{method '(execute|executemany|fetchone|fetchall|fetchmany|commit)' of 'sqlite3")
    top = []
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (file, line, name), (_, calls, own, cumulative, _) in sorted(raw.items(), key=lambda kv: -kv[1][2])[:25]:
        top.append({"function": f"{file}:{line}({name})", "calls": calls, "own_s": round(own, 2),
                    "cumulative_s": round(cumulative, 2)})  # fmt: skip
    return top


# --- the parent: one process per size, a table, the JSON ---------------------------------------


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
        cpu = found.group(1).strip() if found else cpu
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def run_worker(size: int, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(size), "--seed", str(args.seed),
               "--folder", str(args.folder), "--full-max", str(args.full_max), "--world", args.world]  # fmt: skip
    if size in args.profile:
        command.append("--profile-this")
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True, env={**os.environ, **ONE_THREAD})
    if done.returncode != 0:
        raise SystemExit(f"the {size:,}-claim run failed (exit {done.returncode}); see its messages above")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _k(n: float) -> str:
    return f"{n / 1e6:g}M" if n >= 1e6 else f"{n / 1e3:g}k" if n >= 1e3 else str(n)


def table(runs: Sequence[dict[str, Any]]) -> str:
    head = ("world", "claims", "docs", "load s", "resolve s", "cpu s", "(sign s)", "claims/s", "MB load",
            "MB resolve", "incidents", "events", "P", "R", "full s", "ids kept", "+1% s")  # fmt: skip
    rows = [head]
    for r in runs:
        full = r.get("full")
        rows.append((
            _world(r), f"{r['claims']:,}", f"{r['documents']:,}", f"{r['load']['seconds']:.1f}",
            f"{r['resolve']['seconds']:.1f}" + ("*" if r["resolve"]["profiled"] else ""),
            f"{r['resolve']['cpu_seconds']:.1f}" if "cpu_seconds" in r["resolve"] else "-",
            f"({r['resolve']['sign_seconds']:.1f})" if "sign_seconds" in r["resolve"] else "-",
            f"{r['resolve']['claims_per_second']:,}", f"{r['load']['peak_mb']:.0f}", f"{r['resolve']['peak_mb']:.0f}",
            f"{r['quality']['incidents']:,}", f"{r['quality']['events']:,}", f"{r['quality']['precision']:.3f}",
            f"{r['quality']['recall']:.3f}", f"{full['seconds']:.1f}" if full else "-",
            f"{full['ids_kept']:.2%}" if full else "-", f"{r['incremental']['seconds']:.1f}",
        ))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if any(r["resolve"]["profiled"] for r in runs):
        lines.append("* under cProfile: slower than a plain run")
    return "\n".join(lines + growth(runs))


def _world(run: dict[str, Any]) -> str:
    return str(run.get("world", "fixed"))  # runs of earlier versions of this script were all fixed


def growth(runs: Sequence[dict[str, Any]]) -> list[str]:
    """The growth exponents between successive sizes of each world (the worlds share 100k)."""
    lines = []
    for world in sorted({_world(r) for r in runs}):
        own = {r["size"]: r for r in runs if _world(r) == world}
        shared = [r for r in runs if r["size"] == 100_000]
        if shared and 100_000 not in own:
            own[100_000] = shared[0]
        for a, b in itertools.pairwise(own[size] for size in sorted(own)):
            n = math.log(b["claims"] / a["claims"])
            wall = math.log(b["resolve"]["seconds"] / a["resolve"]["seconds"]) / n
            cpu = (
                f" (CPU time n^{math.log(b['resolve']['cpu_seconds'] / a['resolve']['cpu_seconds']) / n:.2f})"
                if "cpu_seconds" in a["resolve"] and "cpu_seconds" in b["resolve"]
                else ""
            )
            incremental = math.log(b["incremental"]["seconds"] / a["incremental"]["seconds"]) / n
            memory = b["resolve"]["peak_mb"] / a["resolve"]["peak_mb"]
            lines.append(
                f"{world} {_k(a['size'])} -> {_k(b['size'])}: resolution time grows as n^{wall:.2f}{cpu}, "
                f"the +1% run as n^{incremental:.2f}; resolution peak memory x{memory:.1f}"
            )
    return lines


def save(runs: Sequence[dict[str, Any]], about: dict[str, Any]) -> tuple[Path, list[dict[str, Any]]]:
    """Merge these runs into results/resolve.json (one entry per world and size, the latest
    kept; a profiled run only adds its profile to a plain one). Returns the path and every
    run it now holds."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "resolve.json"
    kept: dict[tuple[str, int], Any] = {}
    if path.exists():
        try:
            kept = {(_world(r), r["size"]): r for r in json.loads(path.read_text()).get("runs", [])}
        except (ValueError, KeyError):
            kept = {}
    for r in runs:
        plain = kept.get((_world(r), r["size"]))
        if r["resolve"]["profiled"] and plain and not plain["resolve"]["profiled"]:
            # A profiled run's times are inflated: keep the plain figures, add the profile.
            plain["profile"], plain["profiled_resolve_seconds"] = r.get("profile"), r["resolve"]["seconds"]
        else:
            kept[(_world(r), r["size"])] = {**r, "machine": about}
    every = [kept[k] for k in sorted(kept)]
    path.write_text(json.dumps({"machine": about, "runs": every}, indent=2) + "\n")
    return path, every


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000", help="claims per run, comma-separated")
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--keep", type=Path, help="keep the SQLite stores in this folder (default: a temporary one)")
    ap.add_argument("--full-max", type=int, default=100_000, help="re-run resolve(full=True) up to this size")
    ap.add_argument("--profile", default="", help="sizes whose first resolution runs under cProfile")
    ap.add_argument("--world", choices=("fixed", "growing"), default="fixed",
                    help="fixed: one world, denser as it grows; growing: more years, density of 100k")  # fmt: skip
    ap.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--profile-this", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        result = measure(args.worker, args.seed, args.folder, world=args.world, full=args.worker <= args.full_max,
                         profile=args.profile_this)  # fmt: skip
        print(json.dumps(result))
        return 0
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
        args.profile = {int(s.replace("_", "")) for s in args.profile.split(",") if s.strip()}
    except ValueError:
        ap.error("--sizes and --profile take comma-separated whole numbers, e.g. --sizes 10000,100000")
    about = machine()
    print(f"machine: {about['cpu']}, {about['cores']} cores (runs pinned to one); Python {about['python']}")
    runs = []
    with tempfile.TemporaryDirectory(prefix="resolve-bench-") as scratch:
        args.folder = args.keep or Path(scratch)
        args.folder.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            runs.append(run_worker(size, args))
    print(table(runs))
    path, every = save(runs, about)
    print(f"\nresults: {path}, which now holds:\n{table(every)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
