"""Places named in a sentence, resolved against the offline gazetteer.

Only runs of capitalised words are looked up, and a run must be a place as a whole (or a
place followed by an institutional word such as "State" or "Governor"), so person names
that contain a place name ("Ban Ki-moon", "Salva Kiir") are not read as places.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from childwatch.codebook.gazetteer import Gazetteer, Place
from childwatch.extract.tokens import Token

# Lower-case words that may sit inside a place name ("Democratic Republic of the Congo").
_JOINERS = {"of", "the", "de", "al", "el", "ez", "az", "ad", "as", "ar", "ash", "an", "es", "du", "la", "bin", "ibn"}
# Words that may follow a place in the same capitalised run without being part of its name.
_FOLLOWERS = {
    "state",
    "province",
    "governorate",
    "region",
    "district",
    "county",
    "oblast",
    "township",
    "village",
    "city",
    "town",
    "camp",
    "area",
    "valley",
    "governor",
    "government",
    "police",
    "army",
    "military",
    "authorities",
    "ministry",
    "minister",
    "council",
    "local",
    "lga",
    "municipality",
    "division",
    "refugee",
    "idp",
    "border",
    "strip",
    "prefecture",
    "department",
    "territory",
    "zone",
    "sub",
}
# Words that, right before a run, make it a title or organisation rather than a place.
_TITLES = {"president", "mr", "mrs", "ms", "dr", "gen", "general", "minister", "spokesman", "king", "prince", "sheikh"}
_DENY_RUN_START = re.compile(r"^(?:The|A|An|In|On|At|But|And|When|After|Before|Since|During|This|That|Those|These)$")


_DOMAIN_AFTER = re.compile(r"\.[a-z]{2,6}\b")
# What an attack struck is where it happened ("an air strike on Douma", "jets struck Saraqeb").
_ATTACKED = re.compile(
    r"\b(?:(?:air ?)?strikes?|attacks?|raids?|assaults?|shelling|bombing|bombardment|offensive|incursion)\s+"
    r"(?:on|in|against)\s+(?:the\s+)?$|\b(?:struck|shelled|bombed|attacked|raided|stormed|hit|pounded)\s+(?:the\s+)?$"
)
# ...but not a building of that name ("a strike on the Al-Taj building").
_BUILDING_AFTER = re.compile(
    r"\s+(?:building|tower|mosque|church|hospital|school|university|house|home|residence|compound|hotel|market)s?\b",
    re.IGNORECASE,
)
# (Compiled once: through re.search, each place paid for the look-up in re's cache.)
_PREPOSITION_BEFORE = re.compile(r"\b(?:in|at|near|from|of|outside|across|into|to|around|between|and)\s+(?:the\s+)?$")
_UNKNOWN_BEFORE = re.compile(r"\b(?:in|at|near|outside|village of|town of)\s+$")
# A name the text itself calls a village, town or market ("Sa Par Htar village", "the town of
# Dalori", "Mukutan market"), or the unit a town heads ("Mindat township", "Matazu LGA",
# "Bhamo District"): a place even where the gazetteer lacks it. (Not "camp": camps are often
# named after a town the gazetteer knows under another spelling, "Maghazi camp".)
_SETTLEMENT_AFTER = re.compile(r"\s+(?:village|town|hamlet|market)\b", re.IGNORECASE)
_SETTLEMENT_BEFORE = re.compile(r"\b(?:village|town) of\s+$", re.IGNORECASE)
_CITY_OF = re.compile(r"\b(?:city|town) of\s+$", re.IGNORECASE)
_CITY_AFTER = re.compile(r"\s+city\b", re.IGNORECASE)
_UNIT_AFTER = re.compile(
    r"\s+(?:township|district|lga|local government area|county|locality|division|municipality|region|province|state)\b",
    re.IGNORECASE,
)
# "in Houthi-run summer camps", "in Hamas-controlled areas": who runs a place, not a town.
_RUN_BY = re.compile(r"[-–](?:run|controlled|held|led|backed|linked|affiliated|allied|administered)\b")
_NOT_A_PLACE = re.compile(
    r"^(?:January|February|March|April|May|June|July|August|September|October|November|December|Monday|Tuesday|"
    r"Wednesday|Thursday|Friday|Saturday|Sunday|The|A|An|His|Her|Their|Its|This|That|Islamic|Christian|Muslim|"
    r"English|Arabic|French|God|Allah|Parliament|Congress|Court|Geneva|Spring|Summer|Autumn|Winter|Ramadan|Eid|"
    r"Christmas|Easter|Facebook|Twitter|Telegram|YouTube|UN|U\.N|Mr|Mrs|Ms|Dr|President|General|Gen)$"
)


@dataclass(frozen=True, slots=True)
class PlaceMention:
    start: int
    end: int
    text: str
    candidates: tuple[Place, ...]
    after_preposition: bool  # "in Kankara", "from Anbar": more likely a place
    # Named as a settlement ("Sa Par Htar village", "Moe Bye town", "the village of Dalori"):
    # a name the gazetteer lacks that the text itself calls a village or town.
    settlement: bool = False
    unit: bool = False  # named for the unit it heads ("Mindat township", "Bhamo District")


class PlaceFinder:
    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def find(self, text: str, tokens: list[Token], unknown: list[PlaceMention] | None = None) -> list[PlaceMention]:
        """Places the gazetteer knows; names it does not know that follow "in"/"at"/"near" go to `unknown`."""
        out: list[PlaceMention] = []
        n = len(tokens)
        # Where a run of capitalised words may start (a capital, or a figure that is not a whole
        # number: `Token.capitalised` and no number), found in one pass: most words are lower-case.
        heads = [
            k for k, t in enumerate(tokens) if t.text[0].isupper() or (t.text[0].isdigit() and not t.text.isdigit())
        ]
        j = 0  # the end of the last run
        for i in heads:
            if i < j:
                continue
            j = i + 1
            while (
                j < n
                and _same_run(text, tokens, j)
                and (tokens[j].capitalised or (tokens[j].norm in _JOINERS and j + 1 < n and tokens[j + 1].capitalised))
            ):
                j += 1
            if _DOMAIN_AFTER.match(text, tokens[j - 1].end):
                continue  # "Safa.ps", "Reuters.com": a website, not the place of that name
            start = i
            if _DENY_RUN_START.match(tokens[i].text) and j > i + 1:
                start = i + 1
            mention = self._resolve(text, tokens, start, j)
            if mention:
                out.append(mention)
            elif unknown is not None and j - start <= 4:
                mention = _unknown(text, tokens, start, j)
                if mention is not None:
                    unknown.append(mention)
        return out

    def _resolve(self, text: str, tokens: list[Token], i: int, j: int) -> PlaceMention | None:
        if i > 0 and tokens[i - 1].norm in _TITLES:
            return None
        if j - i == 1 and tokens[i].text.isupper() and len(tokens[i].text) <= 4:
            # "UN", "IS", "MSF": acronyms are organisations unless they name a country ("DRC", "CAR").
            found = self.gazetteer.lookup(tokens[i].text)
            if not found or found[0].kind != "country":
                return None
        # The whole run, then shorter prefixes whose remainder is institutional words only.
        for k in range(j, i, -1):
            if k < j and tokens[k].norm not in _FOLLOWERS:
                continue
            name = text[tokens[i].start : tokens[k - 1].end]
            if not self.gazetteer.is_name(name):
                continue
            candidates = tuple(self.gazetteer.lookup(name))
            if not candidates:
                continue
            before = text[max(0, tokens[i].start - 12) : tokens[i].start].lower()
            provinces = all(c.kind == "admin1" for c in candidates)
            city = bool(_CITY_OF.search(before) or (provinces and _CITY_AFTER.match(text, tokens[k - 1].end)))
            if city and any(c.kind in ("admin1", "place") for c in candidates):
                # "the city of Idlib", "Deir Ezzor city": the town, not the province it names (the
                # town looked up by the province's name where only the province has this spelling).
                towns = [c for c in candidates if c.kind == "place"] or [
                    t for c in candidates for t in self.gazetteer.lookup(c.name, c.country) if t.kind == "place"
                ]
                candidates = tuple(towns) or candidates
            prep = city or bool(
                _PREPOSITION_BEFORE.search(before)
                or (
                    _ATTACKED.search(text, max(0, tokens[i].start - 30), tokens[i].start) is not None
                    and not _BUILDING_AFTER.match(text, tokens[k - 1].end)
                )
            )
            unit = bool(_UNIT_AFTER.match(text, tokens[k - 1].end))
            # "Mawlamyine district" is a place by its own words, as much as "in Mawlamyine".
            return PlaceMention(tokens[i].start, tokens[k - 1].end, name, candidates, prep or unit, unit=unit)
        return None


def _unknown(text: str, tokens: list[Token], start: int, j: int) -> PlaceMention | None:
    """A place the gazetteer lacks ("in Nimule, Pageri county", "Dalori village"): kept by
    name, not geocoded, when a preposition or a word such as "village" says it is a place."""
    while j - start > 1 and tokens[j - 1].norm in _FOLLOWERS:
        j -= 1  # "Bindisi IDP camp", "Hpapun Township": the name without the noun
    first, end = tokens[start].start, tokens[j - 1].end
    word = tokens[start].text
    if _NOT_A_PLACE.match(word) or _RUN_BY.match(text, end) or (j - start == 1 and word.isupper()):
        return None  # a month, a title, "Houthi-run", an acronym ("in UAV fire")
    settlement = bool(_SETTLEMENT_AFTER.match(text, end) or _SETTLEMENT_BEFORE.search(text[max(0, first - 12) : first]))
    unit = not settlement and bool(_UNIT_AFTER.match(text, end))
    if not (settlement or unit or _UNKNOWN_BEFORE.search(text[max(0, first - 8) : first])):
        return None
    return PlaceMention(first, end, text[first:end], (), True, settlement, unit)


def _same_run(text: str, tokens: list[Token], j: int) -> bool:
    """Tokens j-1 and j are adjacent words (only a space or hyphen between them, never a
    line break: a headline without a full stop ends at its line, "...in Borno" + "Gunmen")."""
    gap = text[tokens[j - 1].end : tokens[j].start]
    if "\n" in gap:
        return False
    return gap in (" ", "-", "'", "’", " '") or (len(gap) <= 2 and gap.strip() in ("", "-"))
