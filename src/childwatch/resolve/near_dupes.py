"""Near-duplicate documents: syndicated copies, reprinted wire stories, re-crawls.

MinHash signatures over word 5-shingles, and locality-sensitive hashing by bands: two
documents become candidates when one band of their signatures agrees, which costs one
dictionary (or index) look-up per band, so grouping n documents is near-linear. A
candidate is confirmed when the signatures' estimated Jaccard similarity reaches
`THRESHOLD`.

With 20 bands of 5 rows, a pair at Jaccard 0.7 becomes a candidate with probability
0.92, one at 0.8 with 0.9996, and one at 0.3 with 0.05: copies are found, different
stories are rarely even compared.

Hashing is seeded and independent of PYTHONHASHSEED, so signatures computed on one machine
or run can be compared with those stored by another.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
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


class NearDuplicateIndex:
    """An in-memory LSH index; `add` documents in arrival order.

    >>> index = NearDuplicateIndex()
    >>> index.add("a", signature(text_a))            # doctest: +SKIP
    >>> index.add("b", signature(copy_of_a))         # doctest: +SKIP
    DuplicateOf(doc_id='b', original='a', similarity=0.93)
    """

    def __init__(self, threshold: float = THRESHOLD) -> None:
        self.threshold = threshold
        # Band key -> its first document, and any others (rarer: only copies share keys).
        # Two dictionaries rather than one of lists: a list per key would triple the memory.
        self._first: dict[int, str] = {}
        self._more: dict[int, list[str]] = {}
        self._sigs: dict[str, bytes] = {}
        self._group: dict[str, str] = {}

    def __len__(self) -> int:
        return len(self._sigs)

    def known(self, doc_id: str, sig: bytes, original: str | None) -> None:
        """Register a document already grouped (as read back from the store); once is enough."""
        if doc_id in self._sigs:
            return
        self._sigs[doc_id] = sig
        self._group[doc_id] = original or doc_id
        for key in band_keys(sig):
            if self._first.setdefault(key, doc_id) != doc_id:
                self._more.setdefault(key, []).append(doc_id)

    def candidates(self, sig: bytes) -> Iterable[str]:
        seen: set[str] = set()
        for key in band_keys(sig):
            first = self._first.get(key)
            if first is None:
                continue
            for doc_id in (first, *self._more.get(key, ())):
                if doc_id not in seen:
                    seen.add(doc_id)
                    yield doc_id

    def best_match(self, sig: bytes) -> tuple[str, float] | None:
        """The most similar indexed document at or above the threshold (ties: first added)."""
        best: tuple[str, float] | None = None
        for doc_id in self.candidates(sig):
            score = similarity(sig, self._sigs[doc_id])
            if score >= self.threshold and (best is None or score > best[1]):
                best = (doc_id, score)
        return best

    def add(self, doc_id: str, sig: bytes | None) -> DuplicateOf | None:
        """Index a new document; if it copies an indexed one, say which group it joins."""
        if sig is None:
            return None
        match = self.best_match(sig)
        original = self._group[match[0]] if match else None
        self.known(doc_id, sig, original)
        if match is None or original is None:
            return None
        return DuplicateOf(doc_id, original, round(match[1], 3))
