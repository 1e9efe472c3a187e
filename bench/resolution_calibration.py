"""How well resolution's scores are calibrated (run on demand, not by `make test`): every pair
of claims of one violation from two documents of a block, in stores already run, is scored
by `compare` with the weights in use, labelled from a bench's gold where the gold says
whether the two are one incident, and counted by score band and by feature.

    .venv/bin/python bench/resolution_calibration.py --dev var/bench/dev.sqlite \\
        --stories var/bench/stories.sqlite [--shared ../shared] [--clusters FILE] [--fit]

Labels. `--dev STORE` (a store of ../shared/bench/dev/docs): a claim takes the gold claim of
its document and violation whose evidence overlaps its own most; two claims are one
incident when their gold claims have one `incident` key (or are one gold claim). `--stories
STORE` (the corpus and dev/docs): two claims are one incident when their documents are
members of one group and the claims have its violation, and two incidents when their
documents are members of groups, but of no group together; pairs touching other documents
are not labelled. The labels are rough: a claim matched to no gold claim is left out, and
a member's other claims of the group's violation (a background figure: "Boko Haram
abducted 276 girls in 2014" in a report of another abduction) count as the group's. The
stories groups are by default our visible ones only (`split.held_story`): the held groups
are not looked at.

Output: per score band (vetoed, then ranges around `merge_at`), the labelled pairs, how
many are one incident and that share (the precision a threshold in that band would give
there, pair by pair: resolution also asks a claim to fit the incident's other claims); the
vetoes by reason; per feature, the share of pairs (not vetoed) it fires on among those that
are one incident and among those that are not. `--fit` also fits a logistic regression on
the features (each fires or not; L2, numpy) and prints its weights, rescaled so that its
decision boundary falls at `merge_at`, next to the weights in use: a check of the hand
weights, not weights to copy (a few events, Chibok and Kankara among them, make most of the
positive pairs, and our held parts hold 2 story pairs and no dev claim pair).
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path

from childwatch.codebook.resolution import Settings, load_settings
from childwatch.resolve.compare import compare
from childwatch.resolve.facts import ClaimFacts, facts_from_row
from childwatch.store import open_store
from childwatch.store import resolution as db

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from split import held_story  # noqa: E402

Pair = tuple[dict[str, float], float, str | None, bool]  # features, score, veto, one incident
BANDS = (-1e9, 0.0, 1.0, 2.0, 2.5, 3.0, 4.0, 1e9)


def blocks_of(path: Path, settings: Settings) -> Iterator[list[ClaimFacts]]:
    store = open_store(str(path))
    try:
        for block in db.blocks(store, unresolved_only=False):
            yield [facts_from_row(row, settings) for row in db.block_rows(store, block)]
    finally:
        store.close()


def _pairs(claims: list[ClaimFacts]) -> Iterator[tuple[ClaimFacts, ClaimFacts]]:
    for a, b in itertools.combinations(claims, 2):
        if a.doc_id != b.doc_id and a.story != b.story:  # (copies of one text are not resolution's call)
            yield a, b


def _evidence_spans(text: str, evidence: object) -> list[tuple[int, int]]:
    spans = []
    for quote in evidence if isinstance(evidence, list) else [evidence]:
        at = text.find(str(quote))
        if at >= 0:
            spans.append((at, at + len(str(quote))))
    return spans


def dev_labels(path: Path, shared: Path, settings: Settings) -> list[Pair]:
    """Labelled pairs of a dev store: each claim is matched to a gold claim by evidence."""
    docs = shared / "bench" / "dev" / "docs"
    gold: dict[tuple[str, str], list[tuple[str, list[tuple[int, int]]]]] = defaultdict(list)
    for file in sorted((shared / "bench" / "dev" / "gold").glob("*.json")):
        g = json.loads(file.read_text(encoding="utf-8"))
        text = json.loads((docs / file.name).read_text(encoding="utf-8"))["text"]
        for c in g["claims"]:
            key = c.get("incident") or c["id"]
            gold[(g["doc_id"], c["violation"])].append((key, _evidence_spans(text, c["evidence"])))
    spans: dict[int, tuple[int, int]] = {}
    store = open_store(str(path))
    try:
        for claim in store.iter_claims():
            if claim.id is not None:
                spans[claim.id] = (claim.claim.evidence.start, claim.claim.evidence.end)
    finally:
        store.close()

    def key_of(c: ClaimFacts) -> str | None:
        start, end = spans.get(c.claim_id, (0, 0))
        best, most = None, 0
        for key, quoted in gold.get((c.doc_id, c.violation), []):
            common = max((min(end, hi) - max(start, lo) for lo, hi in quoted), default=0)
            if common > most:
                best, most = key, common
        return best

    labelled: list[Pair] = []
    for claims in blocks_of(path, settings):
        keys = {c.claim_id: key_of(c) for c in claims}
        for a, b in _pairs(claims):
            ka, kb = keys[a.claim_id], keys[b.claim_id]
            if ka is not None and kb is not None:
                cmp = compare(a, b, settings)
                labelled.append((cmp.features, cmp.score, cmp.veto, ka == kb))
    return labelled


def story_labels(path: Path, clusters: Path, settings: Settings) -> list[Pair]:
    """Labelled pairs of a stories store, from the groups of `clusters` (documents' copies folded)."""
    groups = [json.loads(line) for line in clusters.read_text(encoding="utf-8").splitlines() if line.strip()]
    canon = {m["doc_id"]: m["duplicate_of"] for g in groups for m in g["members"] if m.get("duplicate_of")}
    member: dict[str, set[int]] = defaultdict(set)
    for n, g in enumerate(groups):
        for m in g["members"]:
            member[canon.get(m["doc_id"], m["doc_id"])].add(n)
    labelled: list[Pair] = []
    for claims in blocks_of(path, settings):
        for a, b in _pairs(claims):
            da, db_ = canon.get(a.doc_id, a.doc_id), canon.get(b.doc_id, b.doc_id)
            if da == db_ or da not in member or db_ not in member:
                continue
            shared_groups = member[da] & member[db_]
            if shared_groups and not any(groups[n]["violation"] == a.violation for n in shared_groups):
                continue  # one story, but not of this violation: the gold does not say
            cmp = compare(a, b, settings)
            labelled.append((cmp.features, cmp.score, cmp.veto, bool(shared_groups)))
    return labelled


def report(name: str, pairs: list[Pair], settings: Settings) -> None:
    print(f"\n== {name}: {len(pairs)} labelled pairs, {sum(p[3] for p in pairs)} of them one incident")
    vetoed = [p for p in pairs if p[2]]
    print(f"  {'vetoed':>14}  {len(vetoed):6}  one incident {sum(p[3] for p in vetoed):4}")
    reasons = Counter((re.sub(r"[\d.]+", "N", str(p[2])), p[3]) for p in vetoed)  # counts N and N far apart
    for reason in sorted({r for r, _ in reasons}):
        print(f"  {'':>14}  {reason:28} one incident {reasons[(reason, True)]:4}  two {reasons[(reason, False)]:4}")
    for lo, hi in itertools.pairwise(BANDS):
        band = [p for p in pairs if not p[2] and lo <= p[1] < hi]
        yes = sum(p[3] for p in band)
        share = f"{yes / len(band):.2f}" if band else "-"
        label = f"[{lo:g}, {hi:g})".replace("-1e+09", "-inf").replace("1e+09", "inf")
        mark = "  <- merge_at" if lo == settings.merge_at else ""
        print(f"  {label:>14}  {len(band):6}  one incident {yes:4}  share {share}{mark}")
    fired_yes: Counter[str] = Counter()
    fired_no: Counter[str] = Counter()
    for features, _, veto, same in pairs:
        if not veto:
            (fired_yes if same else fired_no).update(features.keys())
    yes_n = max(1, sum(1 for p in pairs if p[3] and not p[2]))
    no_n = max(1, sum(1 for p in pairs if not p[3] and not p[2]))
    print(f"  {'feature':26} {'one incident':>13} {'two':>8}   weight")
    for feature in sorted(set(fired_yes) | set(fired_no)):
        weight = settings.weights.get(feature)
        print(
            f"  {feature:26} {fired_yes[feature] / yes_n:13.2f} {fired_no[feature] / no_n:8.2f}   "
            f"{'' if weight is None else f'{weight:g}'}"
        )


def fit(pairs: list[Pair], settings: Settings) -> None:
    import numpy as np

    usable = [p for p in pairs if not p[2]]
    names = sorted({f for p in usable for f in p[0]})
    if not usable or not names:
        return
    x = np.array([[p[0].get(f, 0.0) != 0.0 for f in names] for p in usable], dtype=float)
    y = np.array([p[3] for p in usable], dtype=float)
    w, b = np.zeros(len(names)), 0.0
    for _ in range(5000):  # gradient descent on the L2-penalised log loss
        p = 1 / (1 + np.exp(-(x @ w + b)))
        w -= 0.5 * (x.T @ (p - y) / len(y) + 0.01 * w)
        b -= 0.5 * float(np.mean(p - y))
    # Rescaled so that the fitted boundary (w.x + b = 0) reads as "score >= merge_at".
    scale = settings.merge_at / -b if b < 0 else 1.0
    print(f"\n== fit on {len(usable)} pairs not vetoed (a feature fires or not; boundary rescaled to merge_at)")
    for name, value in sorted(zip(names, w, strict=True), key=lambda nv: -nv[1]):
        print(f"  {name:26} fitted {value * scale:6.2f}   in use {settings.weights.get(name, float('nan')):g}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", type=Path, help="a store of ../shared/bench/dev/docs")
    ap.add_argument("--stories", type=Path, help="a store of ../shared/corpus/articles and dev/docs")
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--clusters", type=Path, help="story groups (default: our visible groups of the stories bench)")
    ap.add_argument("--fit", action="store_true", help="fit a logistic regression on the features too")
    args = ap.parse_args()
    settings = load_settings()
    everything: list[Pair] = []
    if args.dev:
        pairs = dev_labels(args.dev, args.shared, settings)
        report("dev claim pairs", pairs, settings)
        everything += pairs
    if args.stories:
        clusters = args.clusters
        if clusters is None:
            source = args.shared / "bench" / "stories" / "clusters.jsonl"
            visible = [ln for ln in source.read_text(encoding="utf-8").splitlines()
                       if ln.strip() and not held_story(json.loads(ln)["label"])]  # fmt: skip
            clusters = ROOT / "var" / "calibration-visible-clusters.jsonl"
            clusters.parent.mkdir(exist_ok=True)
            clusters.write_text("".join(ln + "\n" for ln in visible), encoding="utf-8")
        pairs = story_labels(args.stories, clusters, settings)
        report("story claim pairs", pairs, settings)
        everything += pairs
    if args.fit and everything:
        fit(everything, settings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
