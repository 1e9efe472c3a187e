"""How resolution's merge threshold trades precision for recall (run on demand, not by
`make test`): the claims of a store already run are grouped again in memory at several
values of `merge_at`, and each grouping is scored by the benches' own scorers.

    .venv/bin/python bench/resolution_sweep.py --db dev.sqlite --bench dev [--shared ../shared]
                                               [--thresholds 1.5,2,2.5,3,3.5]
    .venv/bin/python bench/resolution_sweep.py --db stories.sqlite --bench stories

`--bench dev` (or dev2) scores claim pairs with score.py against that bench's gold (the
store must hold that bench's documents); `--bench stories` scores document pairs with
score_stories.py (the store must hold ../shared/corpus/articles and dev/docs). Nothing
is written to the store. The threshold in use (`codebook/resolution.toml`) is marked.
Read the curve, do not pick the best point of a visible bench: that is tuning to it.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from childwatch.codebook.resolution import load_settings
from childwatch.export.claims import export_claims
from childwatch.resolve.cluster import resolve_block
from childwatch.resolve.facts import facts_from_row
from childwatch.store import open_store
from childwatch.store import resolution as db

ROOT = Path(__file__).resolve().parents[1]


def regroup(db_path: str, merge_at: float) -> dict[int, str]:
    """{claim id: incident id} when every block is resolved from scratch at `merge_at`."""
    settings = replace(load_settings(), merge_at=merge_at)
    store = open_store(db_path)
    found: dict[int, str] = {}
    taken: set[str] = set()
    try:
        for block in db.blocks(store, unresolved_only=False):
            facts = [facts_from_row(row, settings) for row in db.block_rows(store, block)]
            assignments, _ = resolve_block([], facts, settings, taken)
            found.update((a.claim_id, a.incident_id) for a in assignments)
    finally:
        store.close()
    return found


def score(bench: str, shared: Path, pred: Path) -> str:
    b = shared / "bench"
    if bench == "stories":
        folders = ["--docs", str(shared / "corpus" / "articles"), "--docs", str(b / "dev" / "docs")]
        args = [str(b / "score_stories.py"), "--clusters", str(b / "stories" / "clusters.jsonl"), "--pred", str(pred)]
        out = subprocess.run([sys.executable, *args, *folders], capture_output=True, text=True).stdout
        return next((line for line in out.splitlines() if line.startswith("story pairs")), out.strip())
    gold = ["--docs", str(b / bench / "docs"), "--gold", str(b / bench / "gold")]
    args = [str(b / "score.py"), *gold, "--pred", str(pred)]
    out = subprocess.run([sys.executable, *args], capture_output=True, text=True).stdout
    return next((line for line in out.splitlines() if line.startswith("resolution pairs")), out.strip())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--bench", choices=("dev", "dev2", "stories"), required=True)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--thresholds", default="1.5,2,2.5,3,3.5")
    args = parser.parse_args()
    current = load_settings().merge_at
    with tempfile.TemporaryDirectory() as tmp:
        exported = Path(tmp) / "claims.jsonl"
        store = open_store(args.db)
        try:
            export_claims(store, exported, "jsonl")
        finally:
            store.close()
        rows = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines() if line.strip()]
        for threshold in (float(t) for t in args.thresholds.split(",")):
            incident = regroup(args.db, threshold)
            pred = Path(tmp) / f"pred-{threshold}.jsonl"
            with pred.open("w", encoding="utf-8") as out:
                for row in rows:
                    out.write(json.dumps({**row, "incident_id": incident.get(row["claim_id"])}) + "\n")
            line = re.sub(r"\s+", " ", score(args.bench, args.shared, pred))
            mark = "  <- in use" if threshold == current else ""
            print(f"merge_at {threshold:4.1f}  {line}{mark}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
