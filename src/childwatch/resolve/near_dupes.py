"""Near-duplicate documents: syndicated copies, reprinted wire stories, re-crawls.

MinHash signatures over word 5-shingles, and locality-sensitive hashing by bands: two
documents become candidates when one band of their signatures agrees. The store finds
the pairs sharing a band key set-wise (resolve.group_near_duplicates) and only those are
compared, so grouping n documents is near-linear. A candidate is confirmed when the
signatures' estimated Jaccard similarity reaches `THRESHOLD`.

With 20 bands of 5 rows, a pair at Jaccard 0.7 becomes a candidate with probability
0.92, one at 0.8 with 0.9996, and one at 0.3 with 0.05: copies are found, different
stories are rarely even compared.

Hashing is seeded and independent of PYTHONHASHSEED, so signatures computed on one machine
or run can be compared with those stored by another.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

NUM_PERM = 100
BANDS = 20
ROWS = NUM_PERM // BANDS
SHINGLE = 5
THRESHOLD = 0.7

_WORD = re.compile(r"\w+")
_MERSENNE = np.uint64((1 << 61) - 1)
_rng = np.random.default_rng(20261122)
_A = _rng.integers(1, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)
_B = _rng.integers(0, (1 << 61) - 1, size=NUM_PERM, dtype=np.uint64)
_MAX32 = np.uint64(0xFFFFFFFF)
_CHUNK = 20_000


def shingles(text: str) -> set[int]:
    """Stable 32-bit hashes of the text's word 5-grams (lowercased; fewer words: one shingle)."""
    words = _WORD.findall(text.lower())
    if not words:
        return set()
    if len(words) < SHINGLE:
        return {zlib.crc32(" ".join(words).encode())}
    return {zlib.crc32(" ".join(words[i : i + SHINGLE]).encode()) for i in range(len(words) - SHINGLE + 1)}


def signature(text: str) -> bytes | None:
    """The MinHash signature of `text` (NUM_PERM uint32 values as bytes); None if it has no words."""
    hashes = shingles(text)
    if not hashes:
        return None
    values = np.fromiter(hashes, dtype=np.uint64, count=len(hashes))
    lowest = np.full(NUM_PERM, _MAX32, dtype=np.uint64)
    # In chunks, so that a huge document needs bounded memory (chunk x NUM_PERM words).
    for i in range(0, len(values), _CHUNK):
        # Universal hashing (a·x + b) mod p; uint64 products wrap, which keeps the family
        # random enough for MinHash and is the usual numpy formulation.
        with np.errstate(over="ignore"):
            permuted = (np.outer(values[i : i + _CHUNK], _A) + _B) % _MERSENNE & _MAX32
        np.minimum(lowest, permuted.min(axis=0), out=lowest)
    return lowest.astype("<u4").tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures' shingle sets."""
    return float(np.mean(np.frombuffer(a, dtype="<u4") == np.frombuffer(b, dtype="<u4")))


def band_keys(sig: bytes) -> list[int]:
    """One signed 63-bit key per band (fits a BIGINT column); equal keys = candidates."""
    keys = []
    width = ROWS * 4
    for band in range(BANDS):
        chunk = sig[band * width : (band + 1) * width]
        keys.append(zlib.crc32(chunk, band) | (band << 32))
    return keys


@dataclass(frozen=True, slots=True)
class DuplicateOf:
    """`doc_id` reprints `original` (the group's first document) with this similarity."""

    doc_id: str
    original: str
    similarity: float


def group_copies(
    pairs: Iterable[tuple[str, str]],
    arrival: Mapping[str, int],
    known: Mapping[str, tuple[bytes, str | None]],
    threshold: float = THRESHOLD,
) -> list[DuplicateOf]:
    """Which new documents copy an earlier one, and which group each copy joins.

    `pairs` are (candidate, new document) sharing a band key, where the candidate is
    either already grouped or a new document that arrived before; `arrival` ranks the new
    documents; `known` holds every document's signature and, for those already grouped,
    the first document of their group (None: their own). Each new document, in order of
    arrival, joins the group of its most similar candidate at or above `threshold` (ties:
    documents already grouped first, then the earliest).
    """
    candidates: dict[str, set[str]] = {}
    for candidate, doc_id in pairs:
        candidates.setdefault(doc_id, set()).add(candidate)
    group = {doc_id: original or doc_id for doc_id, (_, original) in known.items() if doc_id not in arrival}
    group.update((doc_id, doc_id) for doc_id in arrival)
    copies: list[DuplicateOf] = []
    for doc_id in sorted(candidates, key=arrival.__getitem__):
        if doc_id not in known:
            continue
        sig = known[doc_id][0]
        best: tuple[str, float] | None = None
        for candidate in sorted(candidates[doc_id], key=lambda c: (c in arrival, arrival.get(c, 0), c)):
            if candidate not in known:
                continue
            score = similarity(sig, known[candidate][0])
            if score >= threshold and (best is None or score > best[1]):
                best = (candidate, score)
        if best is not None:
            group[doc_id] = group[best[0]]
            copies.append(DuplicateOf(doc_id, group[doc_id], round(best[1], 3)))
    return copies
