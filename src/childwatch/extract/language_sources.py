"""Who a sentence of another language quotes: a codebook body or a source the language's
file names ("selon l'Unicef", "وفقا لليونيسف", "informó Medicina Legal"), else, in a Latin
script, the person or body named next to the words of saying ("a déclaré Adama Fomba").

    reader = SourceReader(load_language("fr"), codebook, gazetteer, countries)
    reader.find(piece, offset, text, where)   # (name, codebook id or None, Span) | None
"""

from __future__ import annotations

import re
from array import array

from childwatch.codebook.gazetteer import Gazetteer
from childwatch.codebook.languages import LanguageLexicon
from childwatch.codebook.lexicon import load_lexicon
from childwatch.codebook.loader import Codebook
from childwatch.extract.lexical import NEVER, key, lookup, phrases, span, strip_glued
from childwatch.records import Span

__all__ = ["Found", "SourceReader"]

# A source found: its name (in English for a body), its codebook id if it is one, its span.
Found = tuple[str, str | None, Span]

_PARTICLE = r"(?:de|du|des|da|dos|del|van|von|al|el|ben|ould)\s+"
_NAME = rf"(?P<name>[A-ZÀ-ÖØ-Þ][\w'’-]+(?:\s+(?:{_PARTICLE})?[A-ZÀ-ÖØ-Þ][\w'’-]+){{0,3}})"
_BODY_AFTER = re.compile(
    r"\s*(?:(?:le|la|les|l'|el|los|las|del|de la|du|des)\s*)?[A-ZÀ-ÖØ-Þ][^()\n,.;:«»\"]{2,100}?\s*"
    r"\((?P<acronym>[A-Z][A-Z0-9-]{1,9})\)"
)
_NAME_AFTER = re.compile(rf"\s*(?:(?:M|Mme|Mgr|Dr|Pr|Me|Sr|Sra|Dra)\.?\s+)?{_NAME}")
_NAME_BEFORE = re.compile(rf"(?:^|[\s,(«\"])(?:(?:M|Mme|Dr|Sr|Sra)\.?\s+)?{_NAME}\s*,?\s*$")


class SourceReader:
    """One language's words of saying and names of sources, with the codebook and gazetteer."""

    def __init__(
        self,
        lexicon: LanguageLexicon,
        codebook: Codebook,
        gazetteer: Gazetteer,
        countries: re.Pattern[str],
        actors: re.Pattern[str] = NEVER,
        demonyms: re.Pattern[str] = NEVER,
    ) -> None:
        self.lx = lexicon
        self.codebook = codebook
        self.gazetteer = gazetteer
        self._countries = countries  # the language's country names: a place, never a speaker
        self._actors = actors
        self._demonyms = demonyms
        glued = f"(?:{lexicon.prefix})?" if lexicon.prefix else ""
        self._sources = phrases(lexicon.sources, glued, lexicon.articles)
        # The news agencies alone, a small pattern read over the whole report.
        media = {
            form: name
            for form, name in lexicon.sources.items()
            if form in lexicon.source_ids and codebook.source(lexicon.source_ids[form]).kind == "media"
        }
        self._agencies = phrases(media, glued, lexicon.articles)
        self._of = phrases(dict.fromkeys(lexicon.source_of, ""), "", ())
        # The English adjective of each country ("Iraqi"), for "مسؤول عراقي": an Iraqi official.
        self._adjective: dict[str, str] = {}
        for adjective, country in load_lexicon().demonyms.items():
            self._adjective.setdefault(country, adjective.title())

    def find(
        self, piece: str, offset: int, text: str, where: array[int], towns: frozenset[str] = frozenset()
    ) -> Found | None:
        """The body a sentence (folded, at `offset`) quotes: a known form near a word of saying
        ("selon", "a déclaré"), else, in a Latin script, the name next to it, unless it is one
        of the report's `towns` the gazetteer lacks ("... à Carrefour-Feuilles, selon ...")."""
        if self.lx.source_cues is None:
            return None
        windows = list(re.finditer(r"[^,:\"«»]+", piece))
        for i, window in enumerate(windows):
            cue = self.lx.source_cues.search(window.group())
            if cue is None:
                continue
            # The body is named in the words of saying, or just before them between commas
            # ("el Defensor del Pueblo, Carlos Camargo, informó que..."); not when a verb of
            # saying opens the window and names its speaker after it (", a indiqué le directeur":
            # what stands before is what was said).
            inverted = not window.group()[: cue.start()].strip() and self._speaker_follows(window.group()[cue.end() :])
            # A speaker named by a person's name, then their role between commas ("قال خالد
            # العمر، وهو ناشط حقوقي، إن..."): the next window, while what was said is yet to open.
            # (In a Latin script the name itself is read, below: "a déclaré Adama Fomba, un responsable".)
            to_come = not self.lx.capitalised_places and self._speaker_to_come(window.group()[cue.end() :])
            apposed = windows[i + 1 : i + 2] if to_come else []
            # What was said, from the word that opens it ("a affirmé que l'armée..."), names no
            # speaker; nor does whom a word of accusing names, unless the verb comes first
            # ("..., accuse Human Rights Watch"): "اتهمت الحكومة الحوثيين", "le M23 accuse l'armée".
            accuses = self.lx.accusing is not None and self.lx.accusing.search(cue.group()) is not None
            opened = cue.start() if accuses and not inverted else self._said_from(window.group(), cue.end())
            for near in (window, *([] if inverted else reversed(windows[max(0, i - 2) : i])), *apposed):
                source = self._in_window(near, offset, text, where, opened if near is window else None)
                if source is not None:
                    return source
            # An armed force named after a word of accusing is the accused, whatever the order
            # (Arabic puts the verb first: "اتهمت الحكومة الحوثيين").
            actor = self._actor_speaking(window, cue, offset, text, where, accuses)
            if actor is not None:
                return actor
        if self.lx.capitalised_places:
            # No body the codebook or the file knows: the person or body named next to the
            # words of saying, as written ("selon M. Tsuba", "Adama Fomba a déclaré").
            for cue in self.lx.source_cues.finditer(piece):
                named = self._speaker_named(text, where, offset + cue.start(), offset + cue.end())
                if named is not None and named[0] not in towns:
                    return named
        return None

    def _speaker_follows(self, rest: str) -> bool:
        """Whether words follow a verb of saying that are not what was said ("que ...")."""
        words = rest.split()
        return bool(words) and words[0] not in self.lx.clause_openers and not words[0].startswith("qu'")

    def _said_from(self, window: str, cue_end: int) -> int | None:
        """Where, in a window, the words of what was said begin: the first word after the verb
        of saying that opens a clause ("que", "إن"); None when there is none."""
        for m in re.finditer(r"[\w']+", window[cue_end:]):
            if m.group() in self.lx.clause_openers or strip_glued(self.lx, m.group()) in self.lx.clause_openers:
                return cue_end + m.start()
            if m.group().startswith("qu'"):
                return cue_end + m.start()
        return None

    def _speaker_to_come(self, rest: str) -> bool:
        """Whether the words after a verb of saying, up to the comma, are a name at most: no
        word opening what was said ("قال خالد العمر،", not "قال إن الأطفال قتلوا،")."""
        words = rest.split()
        return 0 < len(words) <= 4 and not any(
            w in self.lx.clause_openers or strip_glued(self.lx, w) in self.lx.clause_openers for w in words
        )

    def _actor_speaking(
        self, window: re.Match[str], cue: re.Match[str], offset: int, text: str, where: array[int], accused: bool
    ) -> Found | None:
        """An armed force or group that says, in its own words ("وقال الجيش السوداني في بيان",
        "l'armée malienne a affirmé"): named at most two words from the verb of saying."""
        said = window.group()
        for m in self._actors.finditer(said):
            if accused and m.start() >= cue.end():
                continue
            between = said[m.end() : cue.start()] if m.end() <= cue.start() else said[cue.end() : m.start()]
            if (m.start() < cue.end() and cue.start() < m.end()) or len(between.split()) > 2:
                continue
            try:
                actor = self.codebook.actor_in(lookup(self.lx.actors, m.group(), self.lx.articles), None)
            except KeyError:
                continue
            s, e = m.start() + window.start() + offset, m.end() + window.start() + offset
            return actor.name, None, span(text, where, s, e)
        return None

    def news_agencies(self, folded: str) -> list[re.Match[str]]:
        """The news agencies a report names: their nationality ("وكالة الأنباء السعودية") says
        who reports, never where the event was."""
        return list(self._agencies.finditer(folded))

    def _speaker_named(self, text: str, where: array[int], start: int, end: int) -> Found | None:
        """A capitalised name right after a word of saying (folded offsets [start, end)), or
        right before one that is a verb; a title ("M.", "Dr") is left out."""
        at = where[end] if end < len(where) else len(text)
        body = _BODY_AFTER.match(text, at)
        if body is not None:
            # "selon le Réseau national de défense des droits humains (RNDDH)": a body is named by its
            # acronym, the same in every language, where its name is in the report's.
            return body.group("acronym"), None, Span(body.start("acronym"), body.end("acronym"), body.group("acronym"))
        after = _NAME_AFTER.match(text, at)
        before = _NAME_BEFORE.search(text[max(0, where[start] - 80) : where[start]])
        for m, base in ((after, 0), (before, max(0, where[start] - 80))):
            if m is None:
                continue
            if m is before and after is not None:
                break  # ", accuse Kinshasa": the name after speaks, even a capital for its government
            name = m.group("name")
            if key(name) in self.lx.not_places or self._countries.fullmatch(key(name)):
                continue
            if self.gazetteer.is_name(name) or self._countries.search(key(name)):
                continue  # "à Kidal, a affirmé...": where it was said, not who said it
            a = base + m.start("name")
            return name, None, Span(a, a + len(name), name)
        return None

    def _in_window(
        self, window: re.Match[str], offset: int, text: str, where: array[int], said: int | None = None
    ) -> Found | None:
        """The first body named in one comma-delimited window of a sentence, before any role or
        kind of person ("officials of the occupation police": the police; "the ministry of the
        regional government": the ministry). A body is a codebook source, or a form whose English
        is a proper name ("Israeli police"), where roles are common nouns ("officials")."""
        best: tuple[bool, bool, int, re.Match[str], str | None] | None = None
        for m in self._sources.finditer(window.group(), 0, len(window.group()) if said is None else said):
            try:
                source_id: str | None = lookup(self.lx.source_ids, m.group(), self.lx.articles)
            except KeyError:
                source_id = None  # a source the codebook does not list ("witnesses"): named only
            body = source_id is not None or lookup(self.lx.sources, m.group(), self.lx.articles)[:1].isupper()
            # A news agency is who reports, last of all ("a déclaré à l'AFP un responsable local").
            reporter = source_id is not None and self.codebook.source(source_id).kind == "media"
            if best is None or (not reporter, body, -m.start()) > best[:3]:
                best = (not reporter, body, -m.start(), m, source_id)
        if best is None:
            return None
        m, source_id = best[3], best[4]
        name = lookup(self.lx.sources, m.group(), self.lx.articles)
        if not best[1]:
            # A role is named with whose it is when the report says so: "le porte-parole de
            # l'Unicef" is UNICEF's spokesperson, "مسؤول عراقي" an Iraqi official.
            owner = self._owner(window.group()[m.end() :])
            if owner is not None:
                name = f"{owner} {re.sub(r'^(?:an?|the) ', '', name)}"
        s, e = m.start() + window.start() + offset, m.end() + window.start() + offset
        return name, source_id, span(text, where, s, e)

    def _owner(self, rest: str) -> str | None:
        """Whose a role is, named right after it (folded text): a body or an armed group or
        force after a word of "of", else a nationality word next to the role."""
        rest = rest.lstrip()
        link = self._of.match(rest)
        after = rest[link.end() :].lstrip() if link else rest
        body = self._sources.match(after)
        if body is not None:
            try:
                return self.codebook.source(lookup(self.lx.source_ids, body.group(), self.lx.articles)).name
            except KeyError:
                named = lookup(self.lx.sources, body.group(), self.lx.articles)
                if named[:1].isupper():  # a body the language's file names ("Ministry of Health")
                    return named
        actor = self._actors.match(after)
        if actor is not None:
            try:
                return self.codebook.actor_in(lookup(self.lx.actors, actor.group(), self.lx.articles), None).name
            except KeyError:
                return None
        nation = self._demonyms.match(rest) if link is None else None
        if nation is not None:
            return self._adjective.get(lookup(self.lx.demonyms, nation.group(), self.lx.articles))
        return None
