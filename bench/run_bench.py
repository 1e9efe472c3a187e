"""Every benchmark in ../shared/bench, then one summary table (`make bench`; not part of
`make test`).

    .venv/bin/python bench/run_bench.py [--shared ../shared] [--out var/bench] [--no-split] [--rounds 3]

Each bench runs exactly as its README says, through the installed `childwatch` command
(`run`, `export --format jsonl`, then the bench's own scorer): claims on dev/ and dev2/
(score.py, with their claim pairs of one incident: "pairs P/R"), ACLED notes
(score_events.py), Airwars narratives (score_airwars.py), story pairs over the corpus and
dev/ (score_stories.py), and the multilingual reports (score.py, also per language: ar,
fr, es). Unless --no-split, the same figures are taken on our own visible and held-out
parts of dev, dev2, ACLED, Airwars and multilingual (`bench/split.py`, written to
var/bench-split/): the full run's predictions restricted to the part's documents, scored
against the part's gold with the same scorer (extraction is per document, so this equals
running the part alone); and the story pairs of the full run against the visible and the
held groups (`split.held_story`; the scorer's per-pair errors are not written). Then extraction throughput on one core,
in this process, over ../shared/corpus/articles: the extractor alone, and as the workers
run it (children's names and language too), with the peak memory; and the extractor alone
on the multilingual reports of each language.

Every scorer's full report is kept in OUT/<bench>.txt; the table is printed at the end
and written as JSON to OUT/summary.json. About two minutes on two cores.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CLI = ROOT / ".venv" / "bin" / "childwatch"
sys.path.insert(0, str(ROOT / "bench"))

from split import held_out, split, split_stories  # noqa: E402


@dataclass
class Bench:
    name: str
    docs: list[Path]
    scorer: str  # claims | events | airwars | stories
    gold: Path
    figures: dict[str, dict[str, float | int | None]] = field(default_factory=dict)  # part -> figures


def sh(*args: object) -> str:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    if result.returncode not in (0, 1):
        raise SystemExit(f"failed: {' '.join(map(str, args))}\n{result.stderr}")
    return result.stdout


def _num(pattern: str, text: str, cast: Callable[[str], Any] = float) -> Any:
    m = re.search(pattern, text)
    return cast(m.group(1)) if m else None


def parse(scorer: str, report: str) -> dict[str, float | int | None]:
    """The figures the issue's "Done means" names, from a scorer's report."""
    if scorer == "claims":
        # Claim pairs of one incident across documents (resolution), then the claims.
        pairs = next((ln for ln in report.splitlines() if ln.startswith("resolution pairs:")), "")
        report = next((ln for ln in reversed(report.splitlines()) if ln.startswith("claims tp=")), "")
        return {
            "F1": _num(r"F1=([\d.]+)", report), "P": _num(r"P=([\d.]+) R=", report),
            "R": _num(r" R=([\d.]+) F1", report), "field": _num(r"field accuracy ([\d.]+)", report),
            "DUP": _num(r"\(duplicates (\d+)\)", report, int), "tp": _num(r"claims tp=(\d+)", report, int),
            "fp": _num(r" fp=(\d+)", report, int), "fn": _num(r" fn=(\d+)", report, int),
            "pairs P": _num(r"P=([\d.]+) R=", pairs), "pairs R": _num(r" R=([\d.]+)$", pairs),
        }  # fmt: skip
    if scorer == "events":
        return {
            "detected": _num(r"detected \d+ \(([\d.]+)\)", report), "field": _num(r"field accuracy ([\d.]+)", report),
            "place": _num(r"\n\s*place\s+\d+/\d+\s+([\d.]+)", report),
            "perpetrator": _num(r"\n\s*perpetrator\s+\d+/\d+\s+([\d.]+)", report),
        }  # fmt: skip
    if scorer == "airwars":
        last = report.strip().splitlines()[-1] if report.strip() else ""
        return {
            "detected": _num(r"detected \d+ \(([\d.]+)\)", last), "claims/doc": _num(r"claims/doc ([\d.]+)", last),
            "count": _num(r" count ([\d.]+)", last), "date": _num(r" date ([\d.]+)", last),
            "country": _num(r" country ([\d.]+)", last), "place5km": _num(r"place5km ([\d.]+)", last),
            "coverage": _num(r"coverage ([\d.]+)", last), "perpetrator": _num(r"perpetrator ([\d.]+)", last),
        }  # fmt: skip
    return {
        "P": _num(r"story pairs .* P=([\d.]+)", report), "R": _num(r"story pairs .* R=([\d.]+)", report),
        "F1": _num(r"story pairs .* F1=([\d.]+)", report), "pairs": _num(r"story pairs gold (\d+)", report, int),
    }  # fmt: skip


def score(bench: Bench, shared: Path, pred: Path, docs: list[Path], gold: Path) -> str:
    scorers = shared / "bench"
    if bench.scorer == "claims":
        return sh(sys.executable, scorers / "score.py", "--docs", docs[0], "--gold", gold, "--pred", pred)
    if bench.scorer == "events":
        return sh(sys.executable, scorers / "score_events.py", "--gold", gold, "--pred", pred)
    if bench.scorer == "airwars":
        return sh(sys.executable, scorers / "score_airwars.py", "--gold", gold, "--pred", pred)
    folders = [arg for d in docs for arg in ("--docs", d)]
    return sh(sys.executable, scorers / "score_stories.py", "--clusters", gold, "--pred", pred, *folders)


def run_one(bench: Bench, shared: Path, out: Path) -> str:
    """Run, export and score one bench in full; returns its prediction file's path."""
    db, pred = out / f"{bench.name}.sqlite", out / f"{bench.name}.jsonl"
    for stale in (db, pred, Path(f"{db}-wal"), Path(f"{db}-shm")):
        stale.unlink(missing_ok=True)
    started = time.perf_counter()
    ran = sh(CLI, "run", *bench.docs, "--db", db)
    sh(CLI, "export", "--db", db, "--format", "jsonl", "--out", pred)
    seconds = time.perf_counter() - started
    report = score(bench, shared, pred, bench.docs, bench.gold)
    (out / f"{bench.name}.txt").write_text(ran + "\n" + report, encoding="utf-8")
    figures = parse(bench.scorer, report)
    figures["docs"] = _num(r"(\d+) documents read", ran, int)
    figures["not extracted"] = sum(int(n) for n in re.findall(r"(\d+) reports? in \w+: stored, not extracted", ran))
    figures["seconds"] = round(seconds, 1)
    bench.figures["all"] = figures
    return str(pred)


def run_parts(bench: Bench, shared: Path, out: Path, parts_root: Path) -> None:
    """The full run's predictions restricted to each part of our split, scored on its gold."""
    pred = out / f"{bench.name}.jsonl"
    rows = [line for line in pred.read_text(encoding="utf-8").splitlines() if line.strip()]
    for part in ("visible", "held"):
        root = parts_root / part / bench.name
        keep = [r for r in rows if held_out(json.loads(r)["doc_id"], bench.name) == (part == "held")]
        part_pred = out / f"{bench.name}-{part}.jsonl"
        part_pred.write_text("\n".join(keep) + "\n", encoding="utf-8")
        gold = root / ("gold" if bench.scorer == "claims" else "gold.jsonl")
        report = score(bench, shared, part_pred, [root / "docs"], gold)
        (out / f"{bench.name}-{part}.txt").write_text(report, encoding="utf-8")
        figures = parse(bench.scorer, report)
        figures["docs"] = sum(1 for _ in (root / "docs").glob("*.json"))
        bench.figures[part] = figures


def run_story_parts(bench: Bench, shared: Path, out: Path, parts_root: Path) -> None:
    """The full run's story pairs scored against each part's groups (`split.held_story`)."""
    pred = out / f"{bench.name}.jsonl"
    for part in ("visible", "held"):
        clusters = parts_root / part / "stories" / "clusters.jsonl"
        report = score(bench, shared, pred, bench.docs, clusters)
        (out / f"{bench.name}-{part}.txt").write_text(report, encoding="utf-8")
        figures = parse(bench.scorer, report)
        figures["docs"] = _num(r"member documents present (\d+)", report, int)
        bench.figures[part] = figures


LANGUAGES = ("ar", "fr", "es")


def run_languages(bench: Bench, shared: Path, out: Path, parts_root: Path, parts: bool) -> None:
    """The multilingual figures per language (ids start with ar-, fr-, es-), on the whole
    bench and, with `parts`, on each part of our split."""
    pred = out / f"{bench.name}.jsonl"
    rows = [line for line in pred.read_text(encoding="utf-8").splitlines() if line.strip()]
    bench_dir = shared / "bench" / bench.name
    for language in LANGUAGES:
        for part in ("all", "visible", "held") if parts else ("all",):

            def chosen(doc_id: str, language: str = language, part: str = part) -> bool:
                in_part = part == "all" or held_out(doc_id, bench.name) == (part == "held")
                return doc_id.startswith(f"{language}-") and in_part

            root = parts_root / "languages" / f"{language}-{part}"
            for sub in ("docs", "gold"):
                (root / sub).mkdir(parents=True, exist_ok=True)
                for old in (root / sub).glob("*.json"):
                    old.unlink()
            docs = [d for d in sorted((bench_dir / "docs").glob("*.json")) if chosen(d.stem)]
            for doc in docs:
                (root / "docs" / doc.name).symlink_to(doc.resolve())
                (root / "gold" / doc.name).symlink_to((bench_dir / "gold" / doc.name).resolve())
            part_pred = out / f"{bench.name}-{language}-{part}.jsonl"
            part_pred.write_text("\n".join(r for r in rows if chosen(json.loads(r)["doc_id"])) + "\n", encoding="utf-8")
            report = score(bench, shared, part_pred, [root / "docs"], root / "gold")
            (out / f"{bench.name}-{language}-{part}.txt").write_text(report, encoding="utf-8")
            figures = parse(bench.scorer, report)
            figures["docs"] = len(docs)
            bench.figures[f"{language} {part}"] = figures


def language_throughput(shared: Path, rounds: int) -> dict[str, float | int]:
    """Documents per second of the extractor alone on the multilingual reports, by language."""
    from childwatch.extract import Extractor, freeze_loaded
    from childwatch.ingest import read_path
    from childwatch.records import Document

    docs = [d for d in read_path(shared / "bench" / "multilingual" / "docs") if isinstance(d, Document)]
    extractor = Extractor()
    freeze_loaded()  # as a pipeline worker does once it has built its extractor
    speeds: dict[str, float | int] = {}
    for language in LANGUAGES:
        mine = [d for d in docs if d.id.startswith(f"{language}-")]
        if not mine:
            continue
        extractor.extract(mine[0])  # warm-up: the language's compiled words
        started = time.perf_counter()
        for _ in range(rounds):
            for doc in mine:
                extractor.extract(doc)
        speeds[f"{language} docs/s"] = round(rounds * len(mine) / (time.perf_counter() - started))
    return speeds


def throughput(shared: Path, rounds: int) -> dict[str, float | int]:
    from childwatch.extract import Extractor, freeze_loaded
    from childwatch.extract.sentences import split_sentences
    from childwatch.extract.tokens import tokenize
    from childwatch.ingest import read_path
    from childwatch.records import Document
    from childwatch.run.workers import extract_one

    docs = [d for d in read_path(shared / "corpus" / "articles") if isinstance(d, Document)]
    extractor = Extractor()
    extract_one(extractor, docs[0])  # warm-up: compiled patterns, gazetteer cache
    freeze_loaded()  # as a pipeline worker does once it has built its extractor
    started = time.perf_counter()
    for _ in range(rounds):
        for doc in docs:
            extractor.extract(doc)
    alone = rounds * len(docs) / (time.perf_counter() - started)
    started = time.perf_counter()
    for _ in range(rounds):
        for doc in docs:
            extract_one(extractor, doc)
    worker = rounds * len(docs) / (time.perf_counter() - started)
    # The ceiling, back to back in the same process (issue 18): what reading each report into
    # words and sentences alone costs, the least any extraction does; the ratio holds whatever
    # else the machine is doing.
    started = time.perf_counter()
    for _ in range(rounds):
        for doc in docs:
            tokenize(doc.text)
            split_sentences(doc.text)
    ceiling = rounds * len(docs) / (time.perf_counter() - started)
    return {
        "docs": len(docs), "words/doc": sum(len(d.text.split()) for d in docs) // len(docs),
        "extract docs/s": round(alone), "worker docs/s": round(worker),
        "tokenise docs/s": round(ceiling), "extract/tokenise": round(alone / ceiling, 2),
        "peak MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }  # fmt: skip


_SHOWN = {
    "claims": ("F1", "P", "R", "field", "DUP", "pairs P", "pairs R"),
    "events": ("detected", "field", "place", "perpetrator"),
    "airwars": ("detected", "claims/doc", "count", "country", "place5km", "coverage", "perpetrator"),
    "stories": ("P", "R", "F1", "pairs"),
}


def table(benches: list[Bench], speed: dict[str, float | int]) -> str:
    lines = [f"{'bench':12} {'part':8} {'docs':>5}  figures", "-" * 100]
    for bench in benches:
        for part, figures in bench.figures.items():
            shown = "  ".join(f"{k} {_fmt(figures.get(k))}" for k in _SHOWN[bench.scorer])
            if figures.get("not extracted"):
                shown += f"  (stored, not extracted: {figures['not extracted']})"
            lines.append(f"{bench.name:12} {part:8} {_fmt(figures.get('docs')):>5}  {shown}")
    lines.append("-" * 100)
    lines.append(
        f"{'speed':12} {'corpus':8} {speed['docs']:>5}  extraction {speed['extract docs/s']} docs/s on one core, "
        f"{speed['worker docs/s']} docs/s with names and language ({speed['words/doc']} words/doc); "
        f"peak {speed['peak MB']} MB; words and sentences alone {speed['tokenise docs/s']} docs/s "
        f"(extraction {speed['extract/tokenise']} of it)"
    )
    by_language = [f"{k.split()[0]} {v}" for k, v in speed.items() if k.endswith(" docs/s") and len(k.split()[0]) == 2]
    if by_language:
        lines.append(f"{'speed':12} {'ml':8} {'':>5}  extraction docs/s by language: {', '.join(by_language)}")
    return "\n".join(lines)


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=ROOT / "var" / "bench")
    ap.add_argument("--no-split", action="store_true", help="skip our visible / held-out parts")
    ap.add_argument("--rounds", type=int, default=3, help="passes over the corpus for throughput")
    args = ap.parse_args()
    shared = args.shared.resolve()
    b = shared / "bench"
    if not b.is_dir():
        raise SystemExit(f"no benchmark data at {b}; pass --shared")
    args.out.mkdir(parents=True, exist_ok=True)
    benches = [
        Bench("dev", [b / "dev" / "docs"], "claims", b / "dev" / "gold"),
        Bench("dev2", [b / "dev2" / "docs"], "claims", b / "dev2" / "gold"),
        Bench("acled", [b / "acled" / "docs"], "events", b / "acled" / "gold.jsonl"),
        Bench("airwars", [b / "airwars" / "docs"], "airwars", b / "airwars" / "gold.jsonl"),
        Bench("stories", [shared / "corpus" / "articles", b / "dev" / "docs"], "stories",
              b / "stories" / "clusters.jsonl"),
        Bench("multilingual", [b / "multilingual" / "docs"], "claims", b / "multilingual" / "gold"),
    ]  # fmt: skip
    benches = [bench for bench in benches if all(d.is_dir() for d in bench.docs) and bench.gold.exists()]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:  # each run is its own process
        for bench, _ in zip(benches, pool.map(lambda x: run_one(x, shared, args.out), benches), strict=True):
            print(f"== {bench.name}: {bench.figures['all']}", flush=True)
    if not args.no_split:
        parts_root = ROOT / "var" / "bench-split"
        if not (parts_root / "held" / "multilingual").is_dir():  # fixed for good; others may be reading it
            split(shared, parts_root)
        if not (parts_root / "held" / "stories").is_dir() and (b / "stories" / "clusters.jsonl").exists():
            split_stories(b / "stories" / "clusters.jsonl", parts_root)
        for bench in benches:
            if bench.name in ("dev", "dev2", "acled", "airwars", "multilingual"):
                run_parts(bench, shared, args.out, parts_root)
            elif bench.name == "stories":
                run_story_parts(bench, shared, args.out, parts_root)
    for bench in benches:
        if bench.name == "multilingual":
            run_languages(bench, shared, args.out, ROOT / "var" / "bench-split", not args.no_split)
    speed = throughput(shared, args.rounds)
    if (shared / "bench" / "multilingual" / "docs").is_dir():
        speed.update(language_throughput(shared, args.rounds))
    print()
    print(table(benches, speed))
    summary = {
        "benches": {bench.name: bench.figures for bench in benches},
        "speed": speed,
        "seconds": round(time.perf_counter() - started, 1),
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"\n(full reports in {args.out}/<bench>.txt; this table as JSON in {args.out}/summary.json)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
