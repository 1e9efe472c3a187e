"""Who asserts a claim: "according to X", "X said", "said X", "a report by X"."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from itertools import chain
from typing import Any, cast

from childwatch.codebook.alternation import factor_alternation
from childwatch.codebook.lexicon import Lexicon
from childwatch.codebook.loader import Codebook, Source
from childwatch.extract.tokens import PhraseIndex, Token, folded, index_entries, tokenize, words

_PRONOUN = re.compile(r"^(?:he|she|they|it|we|i|you|who|which|that|this|officials? who)$", re.IGNORECASE)
_LEADING = re.compile(
    r"^(?:as such|and|but|while|as|also|so|then|however|meanwhile|now|that|has|have|had)\s+", re.IGNORECASE
)
# The head of a speaker phrase: a name (capitalised) or one of these nouns.
_SPEAKER_NOUNS = re.compile(
    r"(?:officials?|authorities|police|spokes(?:man|woman|person)|residents?|villagers?|witnesses|activists?|"
    r"survivors?|parents?|fathers?|mothers?|relatives|teachers?|principal|doctors?|medics|workers?|sources?|"
    r"groups?|agency|agencies|ministry|government|military|army|forces|monitors?|observatory|organi[sz]ations?|"
    r"investigators?|inquiry|investigation|commission|report|reports|media|people|man|woman|boy|girl|"
    r"youth|defector|analysts?|experts?|official|leaders?|chief|commander|governor|minister|president|"
    r"charity|charities|ngo|ngos|un|unicef|council|lawmakers?|legislators?|prosecutors?|court|judges?|"
    r"diplomats?|representative|envoy|office|department|security|health|ombudsman|statement|"
    r"children|kids|students|pupils|girls|boys|families|family|elders?|chiefs|vice-principal|spokesperson|"
    r"general|prosecutors?|attorney|coroner|mayor|secretary|director|head|researchers?|staff)$",
    re.IGNORECASE,
)
_NOT_HEAD = re.compile(
    r"^(?:Thursday|Monday|Tuesday|Wednesday|Friday|Saturday|Sunday|January|February|March|April|May|"
    r"June|July|August|September|October|November|December|CNN|Reuters|AP|AFP|BBC|The|A|An|In|On)$"
)
_DESCRIPTION = re.compile(
    r"^the (?:agency|organi[sz]ation|charity|group|body|monitor|observatory|mission|"
    r"office|ministry|watchdog|ngo|un agency|rights group)$",
    re.IGNORECASE,
)
# A full stop that ends the sentence, not one of an initialism ("the U.N. agency").
_FULL_STOP = r"(?<!\b[A-Z])\.(?:\s|$)"
_INITIALISM = re.compile(r"(?:\b[A-Z]\.){2,}$")
# Generic words for a document or a speaker, which name no one: not a source.
_FRAGMENT = re.compile(
    r"^(?:the|this|that|a|an)\s+(?:report|statement|study|survey|document|letter|post|video|article|"
    r"news agency|agency|paper|newspaper|source|sources)$",
    re.IGNORECASE,
)
# A document in a speaker phrase: the body named in it is the speaker.
_DOCUMENT = re.compile(
    r"\b(?:report|study|survey|statement|investigation|findings|figures|data|document)s?\b", re.IGNORECASE
)
_RECIPIENT = re.compile(r"\b(?:to|for|before)\s+(?:the\s+)?$", re.IGNORECASE)
_NP_STOP = re.compile(
    r"\b(?:who|which|that|was|were|is|are|has|have|had|been|when|after|before|because|while|if|since|"
    r"killed|kidnapped|abducted|attacked)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Attribution:
    start: int
    end: int
    text: str  # the attributed speaker as written ("Iraqi authorities")
    source: Source | None  # the known original source it names, if any
    pronoun: bool  # "he said": the speaker is named elsewhere
    # Named with no verb of saying nor "according to": a known body the sentence only mentions,
    # which may as well be the one acting ("Suspected belligerent: Israeli Military").
    bare: bool = False


# Tried at every word of a sentence: grouped by first letter (codebook.alternation).
_ACCORDING_WORDS = (
    "according to", "citing", "cited by", "reported by", "a report by", "a report from", "figures from", "data from",
    "said by",
)  # fmt: skip
_ACCORDING = factor_alternation("|".join(_ACCORDING_WORDS))
_ACCORDING_START = re.compile(rf"(?:{_ACCORDING})\b", re.IGNORECASE)
# A speaker phrase of up to ten words, taken possessively (see SourceFinder._said_first).
_NP_POSSESSIVE = r"((?:[\w.'’-]++\s++){0,9}?[\w.'’-]++)"


class SourceFinder:
    def __init__(self, codebook: Codebook, lexicon: Lexicon) -> None:
        self.index: PhraseIndex[Source] = index_entries(codebook.sources)
        self._facility = lexicon.facility_name  # "the Police Secondary School": no police speaking
        # Grouped by first letter (codebook.alternation): tried after every word of a sentence.
        verbs = factor_alternation(words(lexicon.attribution_verbs))
        np = r"((?:[\w.'’-]+\s+){0,9}?[\w.'’-]+)"
        self._according = re.compile(
            rf"\b(?:{_ACCORDING})\s+{np}\s*(?=[,;:)\"”]|{_FULL_STOP}|$|\s+(?:on|in|which|who|that)\b)",
            re.IGNORECASE,
        )
        # "X said": a speaker phrase at the start of the sentence, or after a comma, quote or
        # conjunction, then a verb of saying. Not a participle after its noun ("boys accused of
        # spying", "the attack, claimed by IS", "children reported as missing"): the noun is
        # what is spoken of, not a speaker. (The words of the phrase are taken possessively:
        # a word given back could only be followed by another letter, never by the space that
        # follows a word, so the matches are the same, without the engine's retries.)
        said = rf"(?i:{_NP_POSSESSIVE}\s+(?:also\s+|has\s+|have\s+|had\s+)?(?:{verbs})\b(?!\s+(?:of|as|by)\b))"
        # At the start of the sentence ("^" of the pattern as it was written, one alternative)...
        self._said_first = re.compile(said)
        # ...and after a comma, quote or conjunction anywhere (the other alternatives, tried in
        # the same order). The pattern opens with the class of the characters they can start
        # with, so the engine skips to those instead of entering the pattern at every character
        # (it was tried at each one of every sentence naming a child, 4% of extraction); the
        # conjunction's \b is the look-behind after its first letter.
        self._said_after = re.compile(
            r"[,;:\"“”(aAbB](?:(?<=[,;:\"“”(])\s*|(?<=[aA])(?<!\w.)(?i:nd|s(?:\s+such)?)\s+|(?<=[bB])(?<!\w.)(?i:ut)\s+)"
            + said
        )
        self._verb_subject = re.compile(rf"[,\"”]\s*(?:{verbs})\s+{np}\s*(?=[,;:]|{_FULL_STOP}|$)", re.IGNORECASE)

    def find(
        self, text: str, offset: int = 0, countries: Collection[str] | None = None, tokens: list[Token] | None = None
    ) -> list[Attribution]:
        """Attributions in one sentence, best first. A generic name ("health ministry",
        "police") names a known body of one country only in a report set in that country
        (`countries`). `tokens` are the sentence's, if the caller has them (`tokenize(text, offset)`)."""
        found: list[tuple[int, int]] = []
        # The phrases of "according to" are looked for first in the folded text (tokens.folded):
        # nineteen sentences in twenty have none, and the pattern tried at every word was a
        # seventh of finding sources.
        lowered = folded(text)
        according = any(w in lowered for w in _ACCORDING_WORDS)
        for regex, matches in (
            (self._according, self._according.finditer(text) if according else ()),
            (self._verb_subject, self._verb_subject.finditer(text)),
            (self._said_after, self._subject_verb(text)),
        ):
            for m in matches:
                a, b = m.start(1), m.end(1)
                piece = text[a:b]
                cut = _NP_STOP.search(piece)
                if cut and cut.start() > 0:
                    b = a + cut.start()
                    piece = text[a:b].rstrip()
                    b = a + len(piece)
                # "spokesman Zabiullah Mujahid." ends the sentence; "the U.N." keeps its stop.
                if piece.endswith(".") and not _INITIALISM.search(piece):
                    piece, b = piece[:-1], b - 1
                if regex is self._said_after and _ACCORDING_START.match(piece):
                    continue  # "according to a UN report released...": the report, read by _according
                lead = _LEADING.match(piece)
                if lead:
                    a += lead.end()
                    piece = piece[lead.end() :]
                if piece.strip() and len(piece.split()) <= 10 and _is_speaker(piece):
                    found.append((a, b))
        out = []
        for a, b in found:
            piece = text[a:b]
            if _FRAGMENT.match(piece.strip()):
                continue  # "according to the report": no one named
            known = next(iter(self.index.find(tokenize(piece, offset + a))), None)
            source = _owner(known, text, offset, countries) if known else None
            if (
                known is not None
                and source is not None
                and _DOCUMENT.search(piece)
                and not _RECIPIENT.search(text, 0, known.start - offset)  # "a report to the Security Council"
            ):
                # "a new Human Rights Watch report", "a report by Amnesty International": the
                # body that wrote it speaks.
                a, b = known.start - offset, known.end - offset
                piece = text[a:b]
            if source is None and _DESCRIPTION.match(piece.strip()):
                # "the agency said": the organisation the sentence names.
                every = tokenize(text, offset) if tokens is None else tokens
                named = [m for m in self.index.find(every) if m.payload[0].kind != "media"]
                if named:
                    source = named[0].payload[0]
                    a, b = named[0].start - offset, named[0].end - offset
                    piece = text[a:b]
            out.append(Attribution(offset + a, offset + b, piece, source, bool(_PRONOUN.match(piece.strip()))))
        if not out:  # a known source named with no verb of saying nearby still attributes
            for hit in self.index.find(tokenize(text, offset) if tokens is None else tokens):
                owner = _owner(hit, text, offset, countries)
                if owner is not None and owner.kind != "media" and not self._facility.match(text, hit.end - offset):
                    piece = text[hit.start - offset : hit.end - offset]
                    out.append(Attribution(hit.start, hit.end, piece, owner, False, bare=True))
                    break
        return out

    def _subject_verb(self, text: str) -> Iterator[re.Match[str]]:
        """The matches of "X said" in `text`, in order, as one pattern of them with "^" for the
        start of the sentence found them: the first at the start if there is one, then the
        others after it (the start alternative cannot match anywhere else)."""
        first = self._said_first.match(text)
        if first is None:
            return self._said_after.finditer(text)
        return chain((first,), self._said_after.finditer(text, first.end()))


def _owner(hit: Any, text: str, offset: int, countries: Collection[str] | None) -> Source | None:
    """The known source a matched name stands for: a proper name its first owner; a generic
    one ("the health ministry", "police") the owner from a country the report is set in."""
    matched = text[hit.start - offset : hit.end - offset]
    if matched != matched.lower() or countries is None:
        return cast(Source, hit.payload[0])
    return next((c for c in hit.payload if c.country is None or c.country in countries), None)


def _is_speaker(phrase: str) -> bool:
    """A plausible speaker: a pronoun, or a phrase headed by a name or a speaker noun."""
    words = phrase.strip().rstrip(".,").split()
    if not words:
        return False
    head = words[-1].strip("\"'“”’")
    if _PRONOUN.match(phrase.strip()):
        return True
    if _NOT_HEAD.match(head) or (len(words) == 1 and head.lower() in ("the", "a", "and", "but")):
        return False
    if words[0].lower() in ("from", "in", "on", "at", "with", "to", "for", "by", "of", "just"):
        return False
    return head[:1].isupper() or bool(_SPEAKER_NOUNS.match(head))


# A speaker named by one word ("Marial said") is the person the report introduced in full
# before ("Government spokesman Barnaba Marial Benjamin said"): the source is that full name.
_NAME_WORD = re.compile(r"[A-Z][a-z][\w'’-]*")
_CAPITALISED = re.compile(r"[A-Z][\w'’-]*|[A-Z][a-z]{0,3}\.")  # a title's abbreviation ("Gen.")
_NOT_IN_NAME = frozenset({
    "The", "A", "An", "In", "On", "At", "By", "For", "From", "With", "And", "But", "Of", "As", "To",
    "According", "After", "Before", "When", "While", "Minister", "Government", "Police", "Army",
    "Ministry", "Council", "Agency", "Office", "Department", "Court", "Commission",
})  # fmt: skip


def full_name(name: str, text: str, before: int) -> str:
    """The fullest form of the one-word name `name` that `text` gives before `before` (at most
    four capitalised words around it), else `name` itself."""
    if not _NAME_WORD.fullmatch(name) or name in _NOT_IN_NAME:
        return name
    at = text.find(name, 0, before)
    while at >= 0:
        start, end = at, at + len(name)
        at = text.find(name, end, before)
        if (start and text[start - 1].isalnum()) or (end < len(text) and text[end].isalnum()):
            continue  # inside a longer word
        words_before = text[max(0, start - 60) : start].split()
        left: list[str] = []
        for word in reversed(words_before):
            if len(left) == 2 or not _CAPITALISED.fullmatch(word) or word in _NOT_IN_NAME:
                break
            left.insert(0, word)
        right: list[str] = []
        for word in text[end : end + 40].split()[:1]:
            word = _POSSESSIVE.sub("", word)
            if _NAME_WORD.fullmatch(word) and word not in _NOT_IN_NAME:
                right.append(word)
        if left or right:
            # A name broken at its hyphen across lines ("Goldberg-\nPolin") is one word again.
            return " ".join([*left, name, *right]).replace("- ", "-")
    return name


_POSSESSIVE = re.compile(r"['’]s$")
