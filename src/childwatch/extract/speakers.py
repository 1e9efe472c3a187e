"""Speakers across sentences: a back-reference ("the panel found", "the news agency said")
stands for the body named before it; "X was quoted by Y as saying" makes X the speaker."""

from __future__ import annotations

import re

from childwatch.codebook.lexicon import Lexicon
from childwatch.extract.sources import Attribution, SourceFinder
from childwatch.extract.tokens import folded, tokenize, words

# A definite description that names no one by itself, only the body the report named before.
_BACK_NOUNS = ("report", "panel", "investigators", "commission", "inquiry", "mission", "news agency", "agency", "study")
_BACK = rf"the (?:{'|'.join(_BACK_NOUNS)})"
_PRONOUN = re.compile(r"^(?:he|she|they|it|we|i)$", re.IGNORECASE)
_CONJUNCTION = re.compile(r"^(?:and|but|while|as)\s+", re.IGNORECASE)  # compiled once


class Speakers:
    def __init__(self, finder: SourceFinder, lexicon: Lexicon) -> None:
        self.finder = finder
        verbs = words(lexicon.attribution_verbs)
        self._back = [
            re.compile(
                rf"(?:^|[,;:\"“”(]\s*|\b(?:and|but|as)\s+)({_BACK})\s+(?:also\s+|has\s+|had\s+)?(?:{verbs})\b", re.I
            ),
            re.compile(rf"[,\"”]\s*(?:{verbs})\s+({_BACK})\s*(?=[,;:.]|$)", re.I),
            re.compile(rf"\baccording to ({_BACK})\b", re.I),
        ]
        # "The hospital was also quoted by a broadcaster as saying ...": the hospital speaks.
        self._quoted = re.compile(
            r"(?:^|[,;:\"“”(]\s*)((?:[\w.'’-]+\s+){0,7}?[\w.'’-]+)\s+(?:was|were)\s+(?:also\s+)?quoted"
            r"(?:\s+by\s+[^,;.]{1,60}?)?\s+as\s+saying\b",
            re.I,
        )

    def follow(
        self, text: str, offset: int, found: list[Attribution], body: Attribution | None
    ) -> tuple[list[Attribution], Attribution | None]:
        """The sentence's attributions with a back-reference put for the body it stands for,
        and the known body last named after this sentence."""
        # Both patterns hold a word most sentences lack ("quoted", a noun of _BACK): looked for
        # first in the text folded as re.IGNORECASE folds ASCII letters, the patterns' cost
        # (two thirds of following speakers) is spared where neither is.
        lowered = folded(text)
        own = self._quoted_speaker(text, offset) if "quoted" in lowered else None
        if own is None and any(noun in lowered for noun in _BACK_NOUNS):
            own = self._back_reference(text, offset, body)
        out = found
        if own is not None:
            out = [own, *(a for a in found if a.end <= own.start or a.start >= own.end)]
        known = next((a for a in out if a.source is not None and not a.pronoun), None)
        return out, known or body

    def _quoted_speaker(self, text: str, offset: int) -> Attribution | None:
        m = self._quoted.search(text)
        if m is None:
            return None
        piece = _CONJUNCTION.sub("", m.group(1))
        a = m.end(1) - len(piece)
        known = next(iter(self.finder.index.find(tokenize(piece, offset + a))), None)
        source = known.payload[0] if known else None
        return Attribution(offset + a, offset + m.end(1), piece, source, bool(_PRONOUN.match(piece)))

    def _back_reference(self, text: str, offset: int, body: Attribution | None) -> Attribution | None:
        m = next((m for regex in self._back if (m := regex.search(text))), None)
        if m is None:
            return None
        if "agency" in m.group(1).lower():
            # "AFP's reporter ... was killed, the news agency said": the agency this sentence names.
            media = "news" in m.group(1).lower()
            hits = [
                h
                for h in self.finder.index.find(tokenize(text[: m.start(1)], offset))
                if (h.payload[0].kind == "media") == media
            ]
            if hits:
                h = hits[-1]
                return Attribution(h.start, h.end, text[h.start - offset : h.end - offset], h.payload[0], False)
        return body
