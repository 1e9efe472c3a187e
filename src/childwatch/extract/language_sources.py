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
from childwatch.codebook.loader import Codebook
from childwatch.extract.lexical import key, lookup, phrases, span
from childwatch.records import Span

__all__ = ["Found", "SourceReader"]

# A source found: its name (in English for a body), its codebook id if it is one, its span.
Found = tuple[str, str | None, Span]

_PARTICLE = r"(?:de|du|des|da|dos|del|van|von|al|el|ben|ould)\s+"
_NAME = rf"(?P<name>[A-ZÀ-ÖØ-Þ][\w'’-]+(?:\s+(?:{_PARTICLE})?[A-ZÀ-ÖØ-Þ][\w'’-]+){{0,3}})"
_NAME_AFTER = re.compile(rf"\s*(?:(?:M|Mme|Mgr|Dr|Pr|Me|Sr|Sra|Dra)\.?\s+)?{_NAME}")
_NAME_BEFORE = re.compile(rf"(?:^|[\s,(«\"])(?:(?:M|Mme|Dr|Sr|Sra)\.?\s+)?{_NAME}\s*,?\s*$")


class SourceReader:
    """One language's words of saying and names of sources, with the codebook and gazetteer."""

    def __init__(
        self, lexicon: LanguageLexicon, codebook: Codebook, gazetteer: Gazetteer, countries: re.Pattern[str]
    ) -> None:
        self.lx = lexicon
        self.codebook = codebook
        self.gazetteer = gazetteer
        self._countries = countries  # the language's country names: a place, never a speaker
        glued = f"(?:{lexicon.prefix})?" if lexicon.prefix else ""
        self._sources = phrases(lexicon.sources, glued, lexicon.articles)

    def find(self, piece: str, offset: int, text: str, where: array[int]) -> Found | None:
        """The body a sentence (folded, at `offset`) quotes: a known form near a word of saying
        ("selon", "a déclaré"), else, in a Latin script, the name next to it."""
        if self.lx.source_cues is None:
            return None
        windows = list(re.finditer(r"[^,:\"«»]+", piece))
        for i, window in enumerate(windows):
            if self.lx.source_cues.search(window.group()) is None:
                continue
            # The body is named in the words of saying, or just before them between commas
            # ("el Defensor del Pueblo, Carlos Camargo, informó que...").
            for near in (window, *reversed(windows[max(0, i - 2) : i])):
                source = self._in_window(near, offset, text, where)
                if source is not None:
                    return source
        if self.lx.capitalised_places:
            # No body the codebook or the file knows: the person or body named next to the
            # words of saying, as written ("selon M. Tsuba", "Adama Fomba a déclaré").
            for cue in self.lx.source_cues.finditer(piece):
                named = self._speaker_named(text, where, offset + cue.start(), offset + cue.end())
                if named is not None:
                    return named
        return None

    def _speaker_named(self, text: str, where: array[int], start: int, end: int) -> Found | None:
        """A capitalised name right after a word of saying (folded offsets [start, end)), or
        right before one that is a verb; a title ("M.", "Dr") is left out."""
        after = _NAME_AFTER.match(text, where[end] if end < len(where) else len(text))
        before = _NAME_BEFORE.search(text[max(0, where[start] - 80) : where[start]])
        for m, base in ((after, 0), (before, max(0, where[start] - 80))):
            if m is None:
                continue
            name = m.group("name")
            if key(name) in self.lx.not_places or self._countries.fullmatch(key(name)):
                continue
            if self.gazetteer.is_name(name) or self._countries.search(key(name)):
                continue  # "à Kidal, a affirmé...": where it was said, not who said it
            a = base + m.start("name")
            return name, None, Span(a, a + len(name), name)
        return None

    def _in_window(self, window: re.Match[str], offset: int, text: str, where: array[int]) -> Found | None:
        """The first body named in one comma-delimited window of a sentence, before any role or
        kind of person ("officials of the occupation police": the police; "the ministry of the
        regional government": the ministry). A body is a codebook source, or a form whose English
        is a proper name ("Israeli police"), where roles are common nouns ("officials")."""
        best: tuple[bool, bool, int, re.Match[str], str | None] | None = None
        for m in self._sources.finditer(window.group()):
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
        s, e = m.start() + window.start() + offset, m.end() + window.start() + offset
        return lookup(self.lx.sources, m.group(), self.lx.articles), source_id, span(text, where, s, e)
