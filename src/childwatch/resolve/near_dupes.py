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
from collections.abc import Iterable, Mapping, Sequence
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
_SHIFT = np.uint64(61)
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
    return signatures([text])[0]


def signatures(texts: Sequence[str]) -> list[bytes | None]:
    """The signatures of many texts, as `signature` gives each, hashed together up to
    `_CHUNK` shingles at a time: a short text has a few dozen shingles, and one numpy call
    per text cost more than its hashing (0.3 ms a document, most of resolution's first step
    on short texts)."""
    found: list[bytes | None] = [None] * len(texts)
    pending: list[tuple[int, np.ndarray]] = []  # (position, shingle hashes) to hash together
    size = 0
    for n, text in enumerate(texts):
        hashes = shingles(text)
        if not hashes:
            continue
        values = np.fromiter(hashes, dtype=np.uint64, count=len(hashes))
        if len(values) >= _CHUNK:  # a huge text: on its own, in chunks
            lowest = np.full(NUM_PERM, _MAX32, dtype=np.uint64)
            for i in range(0, len(values), _CHUNK):
                np.minimum(lowest, _permuted(values[i : i + _CHUNK]).min(axis=0), out=lowest)
            found[n] = lowest.astype("<u4").tobytes()
            continue
        if size + len(values) > _CHUNK:
            _sign_together(pending, found)
            pending, size = [], 0
        pending.append((n, values))
        size += len(values)
    if pending:
        _sign_together(pending, found)
    return found


def _permuted(values: np.ndarray) -> np.ndarray:
    """Each shingle hash (rows) under each of the NUM_PERM permutations (columns): universal
    hashing (a·x + b) mod p, kept to 32 bits. uint64 products wrap, which keeps the family
    random enough for MinHash and is the usual numpy formulation. The remainder modulo the
    Mersenne prime p = 2^61 - 1 is taken by adding the bits above the 61st to the others
    (2^61 = 1 mod p), which equals `% p` without a 64-bit division per value."""
    y: np.ndarray = np.multiply.outer(values, _A)
    y += _B
    high = y >> _SHIFT
    y &= _MERSENNE
    y += high  # now below 2p: at most one p to take off
    np.subtract(y, _MERSENNE, out=y, where=y >= _MERSENNE)
    y &= _MAX32
    return y


def _sign_together(pending: list[tuple[int, np.ndarray]], found: list[bytes | None]) -> None:
    """Sign the texts of `pending` (at most `_CHUNK` shingles in all) in one pass: the
    minimum of each text's rows (bounded memory: chunk x NUM_PERM words)."""
    starts = np.cumsum([0, *(len(values) for _, values in pending[:-1])])
    lowest = np.minimum.reduceat(_permuted(np.concatenate([values for _, values in pending])), starts, axis=0)
    for row, (n, _) in zip(lowest.astype("<u4"), pending, strict=True):
        found[n] = row.tobytes()


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
