"""Benchmarks (run on demand, not by `make test`): extraction quality on ../shared/bench and
throughput/memory over ../shared/corpus/articles.

    .venv/bin/python bench/run_bench.py [--shared ../shared] [--out var/bench]

Quality uses exactly the commands the benchmark README gives, through the installed
`childwatch` command; throughput is measured in-process on one core (extraction only, and
the whole `run` including storage) with the peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / ".venv" / "bin" / "childwatch"


def sh(*args: object) -> str:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise SystemExit(f"failed: {' '.join(map(str, args))}\n{result.stderr}")
    return result.stdout


def quality(shared: Path, out: Path) -> None:
    bench = shared / "bench"
    for name, docs in (("dev", bench / "dev" / "docs"), ("acled", bench / "acled" / "docs")):
        db, pred = out / f"{name}.sqlite", out / f"{name}.jsonl"
        db.unlink(missing_ok=True)
        sh(CLI, "run", docs, "--db", db)
        sh(CLI, "export", "--db", db, "--format", "jsonl", "--out", pred)
        if name == "dev":
            report = sh(sys.executable, bench / "score.py", "--docs", docs, "--gold", bench / "dev" / "gold",
                        "--pred", pred)
        else:
            report = sh(sys.executable, bench / "score_events.py", "--gold", bench / "acled" / "gold.jsonl",
                        "--pred", pred)
        print(f"== {name}\n{report}")


def throughput(shared: Path, out: Path) -> None:
    from childwatch.extract import Extractor
    from childwatch.ingest import read_path
    from childwatch.records import Document

    articles = shared / "corpus" / "articles"
    docs = [d for d in read_path(articles) if isinstance(d, Document)]
    extractor = Extractor()
    extractor.extract(docs[0])  # warm-up: compiled patterns, gazetteer cache
    words = sum(len(d.text.split()) for d in docs)
    rounds, claims = 5, 0
    started = time.perf_counter()
    for _ in range(rounds):
        for doc in docs:
            claims += len(extractor.extract(doc))
    seconds = time.perf_counter() - started
    n = rounds * len(docs)
    print(f"== throughput (extraction only, one core): {n} documents ({words // len(docs)} words on average) "
          f"in {seconds:.2f}s = {n / seconds:.0f} documents/s, {claims // rounds} claims per pass")
    db = out / "corpus.sqlite"
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    sh(CLI, "run", articles, "--db", db)
    seconds = time.perf_counter() - started
    print(f"== whole run (process start, ingest, extract, store): {len(docs)} documents in {seconds:.2f}s "
          f"= {len(docs) / seconds:.0f} documents/s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"== peak memory of the extraction process: {peak:.0f} MB")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=ROOT / "var" / "bench")
    args = ap.parse_args()
    if not (args.shared / "bench").is_dir():
        raise SystemExit(f"no benchmark data at {args.shared}/bench; pass --shared")
    args.out.mkdir(parents=True, exist_ok=True)
    quality(args.shared, args.out)
    throughput(args.shared, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
