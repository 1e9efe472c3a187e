"""Child victims in a sentence: who (nouns), how many, how old, which sex, which group."""

from __future__ import annotations

import re
from dataclasses import dataclass

from childwatch.codebook.alternation import factor_alternation, literal_starts
from childwatch.codebook.lexicon import ChildNoun, Lexicon
from childwatch.extract.lexical import witnessed
from childwatch.extract.numbers import NUMBER, parse_number
from childwatch.extract.tokens import folded
from childwatch.records import Span

# (Grouped by first letter, codebook.alternation: the age patterns try them at every word.)
_AGE_WORDS = (
    "(?:"
    + factor_alternation(
        r"\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
        r"sixteen|seventeen"
    )
    + ")"
)
# "14-year-old", "14 year old", "fourteen-year-olds"
_YEAR_OLD = re.compile(rf"\b({_AGE_WORDS})[- ]years?[- ]olds?\b", re.IGNORECASE)
_AGE_RANGE = re.compile(
    rf"\b(?:(?:aged|ages|ages of|between the ages of|between|from)\s+({_AGE_WORDS})\s*(?:to|and|-|–)\s*({_AGE_WORDS})\b"
    rf"|({_AGE_WORDS})\s*(?:to|-|–)\s*({_AGE_WORDS})[- ]years?[- ]old)",
    re.IGNORECASE,
)
# "aged 10, 12 and 14": a list of ages, bounded by its youngest and its oldest.
_AGE_LIST = re.compile(
    rf"\b(?:aged|ages|ages of)\s+({_AGE_WORDS}(?:\s*,\s*{_AGE_WORDS})+,?\s+(?:and|or)\s+{_AGE_WORDS})\b",
    re.IGNORECASE,
)
_AGE_ONE = re.compile(
    rf"\b(?:aged|age|at age|at the age of|when (?:he|she) was(?: just| only)?|who (?:is|was)(?: just| only)?)"
    rf"\s+({_AGE_WORDS})\b(?![- ]years?[- ]old|,\d)"
    # "Yasir is just 15 and ...", "she was only 12 when ...": an age, where a figure of something
    # else would go on with its noun ("the toll was only 12 people").
    rf"|\b(?:is|was)\s+(?:just|only|barely)\s+({_AGE_WORDS})(?=\s*(?:[,.;]|and\b|when\b|at the time\b|years?\b))",
    re.IGNORECASE,
)
_AS_YOUNG_AS = re.compile(rf"\b(?:as young as|as little as|from the age of)\s+({_AGE_WORDS})\b", re.IGNORECASE)
_AROUND_AGE = re.compile(  # "boys around ten", "a boy of about 14"
    rf"\b(?:boys?|girls?|child|children|kids?)\s+(?:aged\s+)?(?:around|about|of about|of)\s+({_AGE_WORDS})\b",
    re.IGNORECASE,
)
# "under the age of 18", "younger than 15": an upper bound only.
_UNDER_AGE = re.compile(
    r"\b(?:under the age of|under age|under|younger than|below the age of|aged under|less than)\s+"
    r"(\d{1,2}|fifteen|sixteen|seventeen|eighteen|twelve|thirteen|fourteen|ten)\b(?!\s*(?:%|per))",
    re.IGNORECASE,
)
_DAYS_OLD = re.compile(
    r"\b(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|eleven)[- ](?:days?|weeks?|months?)[- ]old\b",
    re.IGNORECASE,
)
_AGE_AFTER_NUMBER = re.compile(r"[- ](?:days?|weeks?|months?|years?)[- ]olds?\b", re.IGNORECASE)
_SINGULAR = re.compile(r"\b(?:a|an|one|the|another|this|that|his|her|their)\s+(?:[\w'-]+\s+){0,3}$", re.IGNORECASE)
_NOT_MODIFIER = re.compile(
    r"^(?:and|or|were|was|are|is|have|has|had|been|be|by|in|at|on|to|from|with|who|which|that|killed|"
    r"people|persons|civilians|women|men|adults|others|of|the|including|among|as|for)$",
    re.IGNORECASE,
)
# "eight of the 129 abducted girls": the violation was done to all 129, the eight are a status.
_DONE_TO_ALL = re.compile(
    r"\b(?:abducted|kidnapped|seized|captured|taken|recruited|conscripted|detained|arrested|killed|injured|wounded|"
    r"missing)\s+(?:[\w'-]+\s+)?$",
    re.IGNORECASE,
)
_PLURAL_NOUNS = re.compile(r"(?:ren|s)$", re.IGNORECASE)
# "child" before a plural noun qualifies it ("the militia recruits child soldiers"): no one child.
_PLURAL_COMPOUND = re.compile(
    r"[- ](?:soldiers|fighters|combatants|recruits|militants|bombers|executioners|spies|brides|marriages|"
    r"deaths|casualties|fatalities|victims|abductions|labou?rers|prisoners|detainees|refugees)\b",
    re.IGNORECASE,
)


# Compiled once: each runs for many a sentence naming a child.
# "12 to 16 years old", "12-16 years old"; not "the then-15-year-old"
_RANGE_BEFORE = re.compile(r"(?:\bto|\band|\d\s*[-–])\s*$")
_PLURAL_NOUN_AFTER = re.compile(r"\s+(?:children|kids|boys|girls)")
_PUNCTUATION = re.compile(r"[,;:()]")
_YEAR_FIGURE = re.compile(r"(?:19|20)\d\d")


def _age(word: str) -> int | None:
    value = parse_number(word)
    return value if value is not None and value < 18 else None


@dataclass(slots=True)
class ChildMention:
    span: Span
    count: int | None = None
    count_span: Span | None = None
    qualifier: str | None = None
    low: int | None = None
    age_min: int | None = None
    age_max: int | None = None
    age_span: Span | None = None
    sex: str | None = None
    group: str | None = None
    group_span: Span | None = None


class VictimFinder:
    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._child_words = literal_starts(lexicon.child_any)
        self._nouns = [(noun, literal_starts(noun.pattern)) for noun in lexicon.child_nouns]
        # The word lists grouped by first letter (codebook.alternation), as NUMBER's words are:
        # these patterns run before every child noun.
        qual = factor_alternation("|".join(sorted((re.escape(q) for q in lexicon.qualifiers), key=len, reverse=True)))
        self._number = re.compile(rf"\b{NUMBER}\b", re.IGNORECASE)
        self._qualifier = re.compile(rf"\b({qual})\s+$", re.IGNORECASE)
        # "four of his eight kids", "three of her sons": the first number counts the victims
        # (not in "a father of one of the girls": the number of the people he is related to).
        self._part_of = re.compile(
            rf"\b(?<!\bof\s)({NUMBER})\s+of\s+(?:his|her|their|the|its)\s+(?:(?:{NUMBER})\s+)?(?:[\w'-]+\s+){{0,2}}$",
            re.IGNORECASE,
        )
        vague = factor_alternation("|".join(sorted((re.escape(v) for v in lexicon.vague), key=len, reverse=True)))
        # "230 cases of recruitment of children", "12 cases of rape of girls": each case a child.
        self._cases_of = re.compile(
            rf"\b({NUMBER})\s+(?:(?:verified|documented|confirmed|reported|recorded|separate)\s+)?cases\s+of\s+"
            rf"(?:[\w'-]+\s+){{1,2}}(?:of|against|involving|on)\s+(?:the\s+)?$",
            re.IGNORECASE,
        )
        self._vague_before = re.compile(
            rf"\b({vague})\s+of\s+(?:(?:the|their|its)\s+)?((?:[\w'-]+\s+){{0,2}})$", re.IGNORECASE
        )
        self._of_them = re.compile(
            # "five of the 14 wounded were minors": the first figure counts the children.
            rf"\b(?:({qual})\s+)?({NUMBER})\s+(?:of\s+(?:them|whom)\s+(?:were\s+)?|were\s+|"
            rf"of\s+(?:the|those)\s+(?:{NUMBER}\s+)?[\w'-]+\s+(?:were|are)\s+)$",
            re.IGNORECASE,
        )

    def find(self, text: str, offset: int = 0) -> list[ChildMention]:
        """Child mentions in `text` (a sentence starting at `offset` in the document)."""
        out: list[ChildMention] = []
        taken: list[tuple[int, int]] = []
        # Most sentences name no child: two quick tests (a match of either pattern needs a match
        # of its gate) spare them the age pattern and the noun patterns, a sixth of extraction.
        # The gates are words looked for in the folded sentence (tokens.folded), and each noun
        # pattern is tried only where one of its words is (codebook.alternation.literal_starts):
        # the searches that failed were a third of finding children.
        lowered = folded(text)
        for m in _YEAR_OLD.finditer(text) if "year" in lowered else ():
            age = _age(m.group(1))
            if age is None or _RANGE_BEFORE.search(text[max(0, m.start() - 6) : m.start()]):
                continue  # "12 to 16 years old": a range, read by sentence_ages
            mention = ChildMention(
                Span(offset + m.start(), offset + m.end(), m.group()),
                age_min=age,
                age_max=age,
                age_span=Span(offset + m.start(), offset + m.end(), m.group()),
            )
            after = text[m.end() : m.end() + 25]
            if not m.group().lower().endswith("s") and not _PLURAL_NOUN_AFTER.match(after):
                mention.count = 1
                det = _SINGULAR.search(text[max(0, m.start() - 40) : m.start()])
                first = m.start() - (len(text[max(0, m.start() - 40) : m.start()]) - det.start()) if det else m.start()
                mention.count_span = Span(offset + first, offset + m.end(), text[first : m.end()])
            self._attach(text, offset, mention, m.start(), m.end())
            out.append(mention)
            taken.append((m.start(), m.end()))
        if not _holds(lowered, self._child_words) or not self.lexicon.child_any.search(text):
            nouns: list[tuple[ChildNoun, tuple[str, ...] | None]] = []
        else:
            nouns = [(n, words) for n, words in self._nouns if _holds(lowered, words)]
        for noun, _ in nouns:
            for m in noun.pattern.finditer(text):
                if any(a <= m.start() < b for a, b in taken):
                    continue
                if noun.adults_near and noun.adults_near.search(text, max(0, m.start() - 100), m.end() + 100):
                    continue  # "students at US colleges": adults
                if witnessed(self.lexicon.witnesses, text, m.start()):
                    continue  # "shot dead in front of his pupils": they saw it
                if self.lexicon.causes.match(text, m.end()):
                    continue  # "an activist for girls' education": a cause, not children
                prev = next((c for c in out if 0 <= m.start() - (c.span.end - offset) <= 1), None)
                if prev is not None:  # "14-year-old boy": the noun adds its sex to the age mention
                    prev.sex = prev.sex or noun.sex
                    continue
                mention = ChildMention(Span(offset + m.start(), offset + m.end(), m.group()), sex=noun.sex)
                if noun.age_min is not None:
                    mention.age_min, mention.age_max = noun.age_min, noun.age_max
                    mention.age_span = mention.span
                self._attach(text, offset, mention, m.start(), m.end())
                out.append(mention)
                taken.append((m.start(), m.end()))
        out.sort(key=lambda c: c.span.start)
        return out

    def _count_number(self, left: str) -> re.Match[str] | None:
        """The number that counts the noun right after `left`, if any ("20 young children")."""
        part = self._part_of.search(left)
        if part and not _DONE_TO_ALL.search(part.group(0)):
            return self._number.match(left, part.start(1))
        if cases := self._cases_of.search(left):
            return self._number.match(left, cases.start(1))
        numbers = list(self._number.finditer(left))
        last = numbers[-1] if numbers else None
        if last is None or parse_number(last.group()) is None:
            return None
        between = left[last.end() :]
        if _AGE_AFTER_NUMBER.match(between):
            return None  # "a 2-day-old baby": an age, not two babies
        words = between.split()
        if len(words) > 3 or any(_NOT_MODIFIER.match(w) for w in words):
            return None
        if _PUNCTUATION.search(between) or _is_year(last.group(), between):
            return None
        return last

    def _attach(self, text: str, offset: int, mention: ChildMention, start: int, end: int) -> None:
        """Fill count, qualifier, adjective age and group from the words before the noun."""
        left = text[max(0, start - 80) : start]
        base = start - len(left)
        number = self._count_number(left)
        if number is not None:
            value = parse_number(number.group())
            q = self._qualifier.search(left[: number.start()])
            first = q.start() if q else number.start()
            mention.count = value
            mention.qualifier = q.group(1).lower() if q else None
            mention.count_span = Span(offset + base + first, offset + end, text[base + first : end])
        elif (m := self._vague_before.search(left)) and not any(_NOT_MODIFIER.match(w) for w in m.group(2).split()):
            word = m.group(1).lower()
            mention.qualifier = word
            mention.low = self.lexicon.vague.get(word)
            mention.count_span = Span(offset + base + m.start(), offset + end, text[base + m.start() : end])
        elif (m := self._of_them.search(left)) and (value := parse_number(m.group(2))) is not None:
            mention.count = value
            mention.count_span = Span(offset + base + m.start(), offset + end, text[base + m.start() : end])
        elif (
            (m := _SINGULAR.search(left))
            and not _PLURAL_NOUNS.search(text[start:end])
            and not _PLURAL_COMPOUND.match(text, end)
        ):
            mention.count = 1
            # The determiner stays in the span: "a boy" introduces a child, "the boy" refers back.
            mention.count_span = Span(offset + base + m.start(), offset + end, text[base + m.start() : end])
        window = text[max(0, start - 30) : start]
        adj = self.lexicon.age_adjective.search(window)
        if adj and mention.age_min is None:
            mention.age_min, mention.age_max = 13, 17
            a = start - len(window) + adj.start()
            mention.age_span = Span(offset + a, offset + start - len(window) + adj.end(), adj.group())
        groups = list(self.lexicon.groups.finditer(window))
        g = groups[-1] if groups else None
        if g is not None and len(window) - g.end() <= 12:
            a = start - len(window)
            mention.group = g.group()
            mention.group_span = Span(offset + a + g.start(), offset + a + g.end(), g.group())


def _holds(lowered: str, words: tuple[str, ...] | None) -> bool:
    """Whether a folded text holds one of `words` (None: no words are known, it may match)."""
    return words is None or any(w in lowered for w in words)


def sentence_ages(text: str, offset: int = 0) -> tuple[int | None, int | None, Span | None]:
    """Ages stated anywhere in a sentence, outside noun phrases ("aged 10 to 16", "as young as 8")."""
    m = _AGE_LIST.search(text)
    if m:
        ages = [a for a in (_age(w) for w in re.split(r",?\s+(?:and|or)\s+|\s*,\s*", m.group(1))) if a is not None]
        if ages:
            return min(ages), max(ages), Span(offset + m.start(), offset + m.end(), m.group())
    m = _AGE_RANGE.search(text)
    if m:
        low, high = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        if _age(low) is not None and _age(high) is not None:
            return _age(low), _age(high), Span(offset + m.start(), offset + m.end(), m.group())
    m = _AS_YOUNG_AS.search(text)
    if m and _age(m.group(1)) is not None:
        return _age(m.group(1)), None, Span(offset + m.start(), offset + m.end(), m.group())
    for regex in (_AROUND_AGE, _AGE_ONE):
        m = regex.search(text)
        told = m and next((g for g in m.groups() if g is not None), None)
        if m and told and _age(told) is not None:
            a = _age(told)
            return a, a, Span(offset + m.start(), offset + m.end(), m.group())
    m = _DAYS_OLD.search(text)
    if m:
        return 0, 0, Span(offset + m.start(), offset + m.end(), m.group())
    m = _UNDER_AGE.search(text)
    if m:
        bound = parse_number(m.group(1))
        if bound is not None and 5 <= bound <= 18 and _CHILDISH.search(text):
            return None, bound - 1, Span(offset + m.start(), offset + m.end(), m.group())
    return None, None, None


_CHILDISH = re.compile(
    r"\b(?:age|aged|years?|children|child|minors?|boys|girls|recruit\w*|combatants|soldiers)\b", re.IGNORECASE
)


def _is_year(number: str, after: str) -> bool:
    """'2014 children' is a count, but '... in 2014 children ...' rarely is; years stay out."""
    return bool(_YEAR_FIGURE.fullmatch(number.strip())) and not after.strip()
