"""Which grave violations a sentence asserts against children."""

from __future__ import annotations

import re
from dataclasses import dataclass

from childwatch.codebook.lexicon import Lexicon, ViolationRules
from childwatch.extract.victims import ChildMention
from childwatch.records import Span

# A child noun followed by one of these is an actor or an institution, not a victim:
# "child soldiers" (recruitment only), "child protection", "Save the Children".
_ACTOR_AFTER = re.compile(
    r"^\s*(?:soldiers?|fighters?|bombers?|suicide|militants?|combatants?|recruits?|"
    r"soldiering|jihadists?|executioners?|army|armies|spies|sol)\b",
    re.IGNORECASE,
)
_INSTITUTION_AFTER = re.compile(
    r"^(?:'s|’s)?\s*(?:protection|rights|welfare|agency|fund|services|advocates?|"
    r"charity|charities|commissioner|ombudsman|hospital|health|education|psychologists?|"
    r"specialists?|experts?|care|homes?|development|labou?r)\b",
    re.IGNORECASE,
)
_INSTITUTION_BEFORE = re.compile(r"(?:save the|war|for|of|with|unicef's|children's)\s*$", re.IGNORECASE)
_WORD = re.compile(r"\w+")
# After a killing verb, adult victims: "a boy ... shot dead three vigilantes" is a child
# used by an armed group, not a child killed.
_ADULT_OBJECT = re.compile(
    r"^\s+(?:dead\s+|and killed\s+)?(?:at least |more than |about |some |nearly )?(?:(?!by\b|to\b)[\w,-]+\s+){0,2}?"
    r"(?:people|persons|civilians|men|women|soldiers|vigilantes|worshippers|others|villagers|policemen|officers|"
    r"fighters|militants|guards|captives|hostages|prisoners|man|woman|adults|troops|members|anybody|anyone|"
    r"everyone|residents|parents|teachers|staff|suspects|journalists|workers)\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r";")
# Women named nearer a rape or a beating than any child are its victims: "women being
# raped ... while men and boys are executed", "to rape an old woman ..., the boy cried".
_ADULT_VICTIM_RULES = ("sexual_violence", "detention_torture")
_WOMEN = re.compile(r"\b(?:women|woman|wives|wife|mothers?|widows?|adults?)\b", re.IGNORECASE)
# "women and girls", "a woman and her daughter", "mothers, including girls": one group of victims.
_COMPANIONS = re.compile(
    r"\b(?:along with|together with|alongside|as well as|like|and other|among)\s+(?:[\w'-]+\s+){0,3}$", re.IGNORECASE
)
_JOINED = re.compile(r"^[\s,]*(?:(?:and|or|&|as well as|including|with)\s+)?(?:[\w'-]+\s+){0,2}$", re.IGNORECASE)
# Words just before a trigger that deny it or make it hypothetical: "not to recruit",
# "threatened to abduct", "could recruit", "intent on killing", "no children were recruited"
# (but "no fewer than 20 children").
_UNREAL_BEFORE = re.compile(
    r"\b(?:not|never|no longer|n't|no (?:children|child|boys?|girls?|minors?|pupils|students)|"
    r"no (?:reports?|cases?|evidence|record) of|deny|denies|denied|end of|threaten(?:s|ed)? to|vow(?:s|ed)? to|"
    r"plan(?:s|ned)? to|"
    r"intent on|would|could|might|may|will|if|unless|prevent(?:ing)?|end(?:ing)? the|stop(?:ping)?|"
    r"risk of|at risk|fear(?:s|ed)? (?:of|that)|against)\s+(?:\w+\s+){0,4}$",
    re.IGNORECASE,
)
# A role played, not an act: "children acting out the roles of smugglers, kidnappers and victims".
# (Not "dressed as" or "pretending to be": gunmen dressed as soldiers still abduct.)
_ROLE_BEFORE = re.compile(
    r"\broles? of\b[^.;:]{0,60}$|\bact(?:s|ed|ing)? out\b[^.;:]{0,40}$",
    re.IGNORECASE,
)


@dataclass(slots=True)
class Detection:
    violation: str
    trigger: Span
    inherent: bool
    victims: list[ChildMention]  # child mentions tied to this violation, nearest first


def victim_mentions(
    text: str, offset: int, children: list[ChildMention]
) -> tuple[list[ChildMention], list[ChildMention]]:
    """Split child mentions into (possible victims, child actors such as child soldiers)."""
    victims: list[ChildMention] = []
    actors: list[ChildMention] = []
    for c in children:
        after = text[c.span.end - offset : c.span.end - offset + 30]
        before = text[max(0, c.span.start - offset - 20) : c.span.start - offset]
        if _INSTITUTION_AFTER.match(after) or (
            c.span.text.lower() == "children"
            and _INSTITUTION_BEFORE.search(before)
            and before.lower().rstrip().endswith(("save the", "war"))
        ):
            continue
        (actors if _ACTOR_AFTER.match(after) else victims).append(c)
    return victims, actors


def detect(
    text: str,
    offset: int,
    lexicon: Lexicon,
    children: list[ChildMention],
    matches: dict[str, list[re.Match[str]]] | None = None,
) -> list[Detection]:
    """Violations asserted in one sentence (`text` starts at document offset `offset`);
    `matches` are `trigger_matches(text, lexicon)`, if the caller has them."""
    victims, child_actors = victim_mentions(text, offset, children)
    if victims or child_actors:
        word_starts = [m.start() for m in _WORD.finditer(text)]
        # Where every violation's triggers stand: in "murder, rape and the conscription of
        # children", the children attach to the nearest trigger only.
        if matches is None:
            matches = trigger_matches(text, lexicon)
        triggers = [(m.start(), m.end(), key) for key, found in matches.items() for m in found]
    else:
        # No child a trigger could attach to: only the inherent patterns can assert a
        # violation, and the sentence's triggers (a fifth of extraction's regex work) are not read.
        word_starts, triggers, matches = [], [], {}
    out = []
    for rules in lexicon.violations:
        detection = _detect_one(
            text, offset, rules, victims, child_actors, word_starts, triggers, matches.get(rules.key, [])
        )
        if detection:
            out.append(detection)
    return out


def trigger_matches(text: str, lexicon: Lexicon) -> dict[str, list[re.Match[str]]]:
    """Each violation's trigger words in `text`. Each pattern runs once for a sentence: its
    matches serve both `detect` and `find_triggers`."""
    return {r.key: list(r.triggers.finditer(text)) for r in lexicon.violations if r.triggers}


def find_triggers(
    text: str, lexicon: Lexicon, offset: int = 0, matches: dict[str, list[re.Match[str]]] | None = None
) -> list[tuple[int, int, str]]:
    """Where every violation's trigger words stand in `text`: (start, end, violation key);
    `matches` are `trigger_matches(text, lexicon)`, if the caller has them."""
    if matches is None:
        matches = trigger_matches(text, lexicon)
    return [(offset + m.start(), offset + m.end(), key) for key, found in matches.items() for m in found]


def _excluded(rules: ViolationRules, text: str, a: int, b: int) -> bool:
    if _UNREAL_BEFORE.search(text[max(0, a - 40) : a]) or text.lstrip().lower().startswith("if "):
        return True
    if _ROLE_BEFORE.search(text[max(0, a - 70) : a]):
        return True
    if rules.exclude is None:
        return False
    return any(
        (m.start() <= a and b <= m.end()) or (m.start() < b and a < m.end()) for m in rules.exclude.finditer(text)
    )


def _detect_one(
    text: str,
    offset: int,
    rules: ViolationRules,
    victims: list[ChildMention],
    child_actors: list[ChildMention],
    word_starts: list[int],
    triggers: list[tuple[int, int, str]],
    matches: list[re.Match[str]],  # of rules.triggers in text
) -> Detection | None:
    # Child soldiers are victims of recruitment, and of what is done to them while used.
    everyone = victims + child_actors if rules.key in ("recruitment_use", "detention_torture") else victims
    if rules.inherent:
        for m in rules.inherent.finditer(text):
            if _excluded(rules, text, m.start(), m.end()):
                continue
            near = _nearest(everyone, offset + m.start(), offset + m.end())
            if rules.key != "recruitment_use" and rules.needs_child and not _covers_victim(m, offset, victims):
                continue
            return Detection(rules.key, Span(offset + m.start(), offset + m.end(), m.group()), True, near)
    if rules.triggers is None or not everyone:
        return None
    for m in matches:
        if _excluded(rules, text, m.start(), m.end()):
            continue
        near = [
            c
            for c in _nearest(everyone, offset + m.start(), offset + m.end())
            if _words_between(word_starts, m.start(), m.end(), c.span.start - offset, c.span.end - offset, text)
            <= rules.window
            and not _CLAUSE_BREAK.search(
                text[min(m.end(), c.span.end - offset) : max(m.start(), c.span.start - offset)]
            )
            and not _other_trigger_between(
                triggers, rules.key, m.start(), m.end(), c.span.start - offset, c.span.end - offset
            )
        ]
        if near and rules.key in _ADULT_VICTIM_RULES and _women_nearer(text, offset, m, near, victims, word_starts):
            continue
        if (
            near
            and rules.key in ("killing_maiming", "detention_torture")
            and _ADULT_OBJECT.match(text[m.end() :])
            and all(c.span.end - offset <= m.start() for c in near)
        ):
            continue  # the children are the subject, adults the object: "a boy shot dead three men"
        if near:
            return Detection(rules.key, Span(offset + m.start(), offset + m.end(), m.group()), False, near)
    return None


def _women_nearer(
    text: str,
    offset: int,
    m: re.Match[str],
    near: list[ChildMention],
    victims: list[ChildMention],
    word_starts: list[int],
) -> bool:
    """A woman stands nearer the trigger than the nearest child, and no child is named with her."""
    first = near[0].span
    child_gap = _words_between(word_starts, m.start(), m.end(), first.start - offset, first.end - offset)
    for w in _WOMEN.finditer(text):
        if _words_between(word_starts, m.start(), m.end(), w.start(), w.end()) > child_gap:
            continue
        if _COMPANIONS.search(text, max(0, w.start() - 40), w.start()):
            continue  # "girls sent to slave markets along with hundreds of other women": the girls too
        joined = any(
            _JOINED.match(text[w.end() : c.span.start - offset] if c.span.start - offset >= w.end()
                          else text[c.span.end - offset : w.start()])
            for c in victims
        )  # fmt: skip
        if not joined:
            return True
    return False


def _other_trigger_between(triggers: list[tuple[int, int, str]], key: str, a0: int, a1: int, c0: int, c1: int) -> bool:
    """Another violation's trigger stands between this trigger and the child mention."""
    lo, hi = (a1, c0) if a1 <= c0 else (c1, a0)
    return any(k != key and lo <= s and e <= hi for s, e, k in triggers)


def _covers_victim(m: re.Match[str], offset: int, victims: list[ChildMention]) -> bool:
    """An inherent pattern for a child-victim violation must contain a victim mention."""
    a, b = offset + m.start(), offset + m.end()
    return any(a <= c.span.start and c.span.end <= b for c in victims)


def _nearest(children: list[ChildMention], a: int, b: int) -> list[ChildMention]:
    def distance(c: ChildMention) -> int:
        if c.span.end <= a:
            return a - c.span.end
        if c.span.start >= b:
            return c.span.start - b
        return 0

    return sorted(children, key=distance)


def _words_between(word_starts: list[int], a0: int, a1: int, b0: int, b1: int, text: str = "") -> int:
    """Words between two spans, those of an aside set off by dashes or brackets left out: in
    "14-year-old Malala -- an activist for girls' education -- survived an assassination
    attempt", the aside does not part the child from what was done to her."""
    lo, hi = (a1, b0) if a1 <= b0 else (b1, a0)
    if lo >= hi:
        return 0
    n = sum(1 for w in word_starts if lo <= w < hi)
    between = text[lo:hi]
    if "--" in between or "(" in between or "\u2014" in between:
        for aside in _ASIDE.finditer(text, lo, hi):
            n -= sum(1 for w in word_starts if aside.start() <= w < aside.end())
    return n


_ASIDE = re.compile(r"--[^-]{1,120}?--|\u2014[^\u2014]{1,120}?\u2014|\([^()]{1,120}\)")
