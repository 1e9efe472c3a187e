"""Extraction stage: `extract(document) -> list[Claim]`.

A report in English is read by the rules below; one in another language that has a file in
`codebook/languages/` (Arabic, French, Spanish) by `extract.languages`, into the same
claims; `reads_language` tells which. For English:

Sentences → mentions (children, counts, ages, actors, places, dates, sources) → the
violations each sentence asserts → one claim per violation asserted → mentions of the
same claim merged. Rules and vocabulary come from the codebook files; nothing is
downloaded, nothing is guessed that the text does not support.
"""

from __future__ import annotations

import gc
import re
from datetime import date

from childwatch.codebook.gazetteer import Gazetteer
from childwatch.codebook.languages import load_language, supported_languages
from childwatch.codebook.lexicon import Lexicon, load_lexicon
from childwatch.codebook.loader import Codebook, load_codebook
from childwatch.extract.actors import ActorFinder
from childwatch.extract.claims import after_release, build_claim
from childwatch.extract.context import DocumentContext, build_context
from childwatch.extract.dates import DateMention, campaign_start, find_dates
from childwatch.extract.facts import SentenceFacts
from childwatch.extract.languages import LanguageExtractor
from childwatch.extract.merge import merge_mentions
from childwatch.extract.places import PlaceFinder
from childwatch.extract.sentences import Sentence, split_sentences
from childwatch.extract.sources import Attribution, SourceFinder
from childwatch.extract.speakers import Speakers
from childwatch.extract.tokens import Token, folded, tokenize, tokens_within
from childwatch.extract.victims import VictimFinder, sentence_ages
from childwatch.extract.violations import Detection, detect, find_triggers, trigger_matches
from childwatch.ingest.language import is_english, primary
from childwatch.records import Claim, DateRange, Document, Span

__all__ = ["Extractor", "extract", "freeze_loaded", "reads_language"]


def reads_language(language: str | None) -> bool:
    """Whether extraction reads reports in `language` (an ISO 639 tag; none means English)."""
    return is_english(language) or primary(language) in supported_languages()


# Words of the only claims a sentence can make without naming a child (see violations.toml:
# attack_school_hospital needs no child; "cubs of the caliphate" names child fighters).
# Looked for as substrings of the sentence folded as re.IGNORECASE folds ASCII letters
# (tokens.folded): found wherever their case-insensitive pattern was, ten times as fast (the
# pattern, tried at every character of each sentence without a child, was 4% of extraction).
_CHILDLESS_CUES = (
    "school", "hospital", "clinic", "kindergarten", "classroom", "dormitor", "health", "medical",
    "maternity", "caliphate", "ashbal",
)  # fmt: skip


# The day something was published or posted ("a list released on 26 October", "posted on
# Facebook on the evening of 19 October") dates the publication, never the next sentence's event.
# "..., officials said Friday": the day of a statement.
_SAID_BEFORE = re.compile(r"\b(?:said|says|say|told|announced|reported|confirmed)\b[^.;]*$", re.IGNORECASE)
_PUBLICATION_DAY = re.compile(
    r"\b(?:released|published|issued|posted|shared|updated|uploaded|announced|said|reported)\b[^.;]{0,40}?"
    r"\b(?:on|in)\s+(?:the\s+(?:morning|evening|night|afternoon)\s+of\s+)?$",
    re.IGNORECASE,
)


# The names of child soldiers as a group, which a sentence may use as a mere topic.
_TOPIC_NOUN = re.compile(
    r"(?:former )?(?:child|boy)[- ](?:soldiers?|fighters?|combatants?)|underage (?:fighters|soldiers|combatants)",
    re.IGNORECASE,
)
# The programmes' name for child soldiers ("children associated with armed forces and armed
# groups"), a topic in the same way when nothing else in the sentence tells of an act.
_CATEGORY = re.compile(r"associated with armed (?:forces|groups)(?: and (?:armed )?(?:forces|groups))?", re.IGNORECASE)
_ONE_BEFORE = re.compile(r"\b(?:a|an|one|the|this|that|as|became|become)\s+(?:former\s+)?$", re.IGNORECASE)
# A study of former child soldiers ("this study amongst former child soldiers in Uganda"):
# research about them, not an account of their recruitment.
_RESEARCH = re.compile(
    r"\b(?:study|studies|survey|research|sample|participants|respondents|cohort|interviews with|questionnaires?)\b",
    re.IGNORECASE,
)
# A sentence whose subject is a piece of research telling what it does ("This study examines",
# "The present research compares"), not what it found ("This report documents ..."): its
# children are a study's population.
_STUDY_SUBJECT = re.compile(
    r"\s*(?:this|the present|the current|our)\s+(?:\w+\s+){0,2}?(?:study|paper|article|research|thesis|chapter|review|"
    r"report)\b[^.;]{0,80}?\b(?:examines|explores|investigates|describes|compares|provides|presents|is part of|"
    r"focuses|assesses|analy[sz]es|reviews|discusses|considers|looks at|draws on|is based on|uses|aims)\b",
    re.IGNORECASE,
)
# Anything that makes a sentence about child soldiers tell of some event or count.
_SPECIFIC = re.compile(
    r"\d|\b(?:(?:last|this|past) (?:week|month|year|weekend|night|morning)|yesterday|today|ago|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"january|february|march|april|may|june|july|august|september|october|november|december)\b",
    re.IGNORECASE,
)
# Sentences at the head of a report that may hold its lede.
_LEDE_SENTENCES = 3
# A sentence placing its event at another time than the news, without a date the finder
# reads ("a week after shelling killed two children", "days earlier", "in a previous
# attack"): it does not take the lede's day.
_OTHER_TIME = re.compile(
    r"\b(?:(?:a|an|one|two|three|four|five|six|several|few|some)\s+(?:days?|weeks?|months?|years?)\s+"
    r"(?:after|before|earlier|ago|prior)|earlier|previous(?:ly)?|prior|last\s+(?:week|month|year)|"
    r"in\s+the\s+past|once\s+again|years?\s+ago)\b",
    re.IGNORECASE,
)


class Extractor:
    """Holds the compiled codebook, lexicon and gazetteer; `extract` is pure per document."""

    def __init__(
        self, codebook: Codebook | None = None, gazetteer: Gazetteer | None = None, lexicon: Lexicon | None = None
    ) -> None:
        self.lexicon = lexicon or load_lexicon()
        self.codebook = codebook or load_codebook()
        self.gazetteer = gazetteer or Gazetteer.open()
        self.victims = VictimFinder(self.lexicon)
        self.actors = ActorFinder(self.codebook, self.lexicon)
        self.places = PlaceFinder(self.gazetteer)
        self.sources = SourceFinder(self.codebook, self.lexicon)
        self.speakers = Speakers(self.sources, self.lexicon)
        self._languages: dict[str, LanguageExtractor] = {}

    def extract(self, document: Document) -> list[Claim]:
        """The claims a report asserts, read in its language (`document.language`, English when
        unset); none for a language without a file in `codebook/languages/` (`reads_language`
        tells which: the pipeline stores such a report and names it in the run summary)."""
        if not is_english(document.language):
            if not reads_language(document.language):
                return []
            return self._language(primary(document.language) or "").extract(document)
        text = document.text
        tokens = tokenize(text)
        starts = [t.start for t in tokens]
        ctx = build_context(text, tokens, self.lexicon, self.places, self.actors)
        claims: list[Claim] = []
        last_speaker: Attribution | None = None
        last_body: Attribution | None = None  # the known body last named, for "the panel found"
        previous = None
        lede: DateMention | None = None
        for number, sentence in enumerate(split_sentences(text)):
            before, previous = previous, sentence
            piece = text[sentence.start : sentence.end]
            words = tokens_within(text, tokens, starts, sentence.start, sentence.end)
            children = self.victims.find(piece, sentence.start)
            # The sentence's trigger words, read once for the lede's date, for detection and for
            # the claims' facts (without a child mention, detection needs none of them).
            matches = trigger_matches(piece, self.lexicon) if children else None
            if number < _LEDE_SENTENCES and lede is None and document.published:
                lede = self._lede_date(piece, sentence.start, document.published, matches)
            if not children and not _names_childless_cue(piece):
                # Cheap skip: without a child mention only an attack on a school or hospital (or
                # a name for child fighters) can be a claim; still track who is speaking.
                last_speaker = self._speaker(piece, sentence.start, last_speaker, set(ctx.countries), words)
                if last_speaker is not None and last_speaker.source is not None:
                    last_body = last_speaker
                continue
            detections = detect(piece, sentence.start, self.lexicon, children, matches)
            attributions = self.sources.find(piece, sentence.start, set(ctx.countries), words)
            attributions, last_body = self.speakers.follow(piece, sentence.start, attributions, last_body)
            if detections and len(detections) == 1 and self._topical(piece, sentence.start, detections[0], ctx):
                detections = []
            if detections and _STUDY_SUBJECT.match(piece):
                detections = []  # "This study examines the resilience of former child soldiers": research, no claim
            if detections:
                # A violation word inside a known body's name ("Child Soldiers International") names no act.
                names = [(h.start, h.end) for h in self.sources.index.find(words)]
                detections = [d for d in detections if not any(a <= d.trigger.start < b for a, b in names)]
            if detections:
                facts = SentenceFacts(
                    start=sentence.start,
                    end=sentence.end,
                    text=piece,
                    children=children,
                    ages=sentence_ages(piece, sentence.start),
                    dates=find_dates(piece, document.published, sentence.start)
                    or self._context_dates(text, before, sentence, document.published),
                    attributions=attributions,
                    references=self.actors.references(piece, sentence.start),
                    triggers=[(a, b) for a, b, _ in find_triggers(piece, self.lexicon, sentence.start, matches)],
                )
                for detection in detections:
                    claims.append(
                        build_claim(
                            document.id,
                            document.published,
                            facts,
                            detection,
                            ctx,
                            self.lexicon,
                            self.actors,
                            last_speaker,
                        )
                    )
            named = [x for x in attributions if not x.pronoun]
            if named:
                last_speaker = named[0]
        if lede is not None:
            for claim in claims:
                if claim.kind == "incident" and claim.date.span is None and not _OTHER_TIME.search(claim.evidence.text):
                    # Undated where it is told: the day the report's lede gives its news.
                    claim.date = DateRange(
                        start=lede.date_start,
                        end=lede.date_end,
                        precision=lede.precision,
                        span=Span(lede.start, lede.end, lede.text),
                    )
        if document.title and document.published:
            self._date_from_headline(claims, document.title, document.published)
        undated = [c for c in claims if c.kind == "pattern" and c.date.start is None and c.date.span is None]
        since = campaign_start(text, document.published) if undated else None
        if since is not None:
            # A practice told undated: the period the report gives for it elsewhere ("since August 2014").
            for claim in undated:
                span = Span(since.start, since.end, since.text)
                claim.date = DateRange(since.date_start, since.date_end, since.precision, span)
        return merge_mentions(claims, document.published)

    def _date_from_headline(self, claims: list[Claim], title: str, published: str) -> None:
        """The headline tells the lede's news: where the text dates the first event of a violation
        nowhere, the date the headline gives it ("... schoolchildren abducted three months ago")
        does. Not kept as the mention's own date (its span is in the title, not the text)."""
        told = {d.violation for d in detect(title, 0, self.lexicon, self.victims.find(title, 0))}
        dates = [
            d
            for d in (find_dates(title, published) if told else [])
            if d.date_start and d.relative and not _SAID_BEFORE.search(title, max(0, d.start - 40), d.start)
        ]
        if not dates:
            return
        when = dates[0]
        for violation in told:
            first = next((c for c in claims if c.violation == violation), None)
            if first is not None and first.kind == "incident" and first.date.start is None and first.date.span is None:
                first.date = DateRange(start=when.date_start, end=when.date_end, precision=when.precision)

    def _language(self, code: str) -> LanguageExtractor:
        reader = self._languages.get(code)
        if reader is None:
            reader = LanguageExtractor(load_language(code), self.codebook, self.gazetteer)
            self._languages[code] = reader
        return reader

    def _topical(self, piece: str, offset: int, detection: Detection, ctx: DocumentContext) -> bool:
        """Child soldiers named as a topic, not as anyone's act: "a field guide to child soldier
        programmes", "former child soldiers suffer health problems". Nothing in the sentence
        says who recruited them, how many, where or when, and no verb of recruitment stands in it."""
        if detection.violation != "recruitment_use":
            return False
        category = _CATEGORY.fullmatch(detection.trigger.text) is not None
        if not (category or (detection.inherent and _TOPIC_NOUN.fullmatch(detection.trigger.text))):
            return False
        rules = next(r for r in self.lexicon.violations if r.key == "recruitment_use")
        # (The category's own words are no verb of recruitment.)
        rest = _CATEGORY.sub(" ", piece) if category else piece
        if rules.triggers is not None and rules.triggers.search(rest):
            return False
        named = ctx.actors_between(offset, offset + len(piece)) or ctx.places_between(offset, offset + len(piece))
        if named and not _RESEARCH.search(piece):
            return False  # (a study's population stays a topic wherever it lives)
        before = piece[max(0, detection.trigger.start - offset - 12) : detection.trigger.start - offset]
        if not detection.trigger.text.lower().endswith("s") and _ONE_BEFORE.search(before):
            return False  # "a child soldier": one person, whose story the report tells
        if any((c.count is not None and c.count > 1) or c.qualifier for c in detection.victims):
            return False
        return not _SPECIFIC.search(piece)

    def _lede_date(
        self, piece: str, offset: int, published: str, matches: dict[str, list[re.Match[str]]] | None = None
    ) -> DateMention | None:
        """The day a lede sentence (a violation word and a date) dates its news to: one
        day, at most a month before the report, and not the day of a statement."""
        if matches is not None:  # the sentence's trigger words, read already (trigger_matches)
            if not any(matches.values()):
                return None
        elif not any(r.triggers and r.triggers.search(piece) for r in self.lexicon.violations):
            return None
        triggers: list[tuple[int, int]] | None = None  # the sentence's violation words, read once if needed
        for d in find_dates(piece, published, offset):
            if d.precision != "day" or not d.date_start or d.date_start != d.date_end:
                continue
            if _PUBLICATION_DAY.search(piece[max(0, d.start - offset - 60) : d.start - offset]):
                continue
            if triggers is None:
                triggers = [(a, b) for a, b, _ in find_triggers(piece, self.lexicon, 0, matches)]
            if after_release(piece, d.start - offset, triggers):
                continue  # "pupils abducted in May have been freed, an official said Friday"
            gap = (date.fromisoformat(published[:10]) - date.fromisoformat(d.date_start)).days
            if 0 <= gap <= 31:
                return d
        return None

    @staticmethod
    def _context_dates(
        text: str, before: Sentence | None, sentence: Sentence, published: str | None
    ) -> list[DateMention]:
        """Dates of the previous sentence of the same paragraph ("... on 3 June. That evening, ...")."""
        if before is None or before.paragraph != sentence.paragraph:
            return []
        return [
            d
            for d in find_dates(text[before.start : before.end], published, before.start)
            if not _PUBLICATION_DAY.search(text[max(before.start, d.start - 60) : d.start])
        ]

    def _speaker(
        self, piece: str, offset: int, last: Attribution | None, countries: set[str], tokens: list[Token]
    ) -> Attribution | None:
        if not any(v in piece for v in ("said", "says", "told", "according")):
            return last
        named = [x for x in self.sources.find(piece, offset, countries, tokens) if not x.pronoun]
        return named[0] if named else last


def _names_childless_cue(piece: str) -> bool:
    text = folded(piece)
    return any(cue in text for cue in _CHILDLESS_CUES)


_FROZEN = False


def freeze_loaded() -> None:
    """Put every object alive now (in a worker that has just built its extractor: the modules,
    codebook, lexicon and gazetteer, tens of thousands, kept as long as the process) out of the
    cyclic collector's reach, once per process. A full collection walked them all, 60 ms each
    time, twice every few hundred reports: 5-9% of extraction. They are still freed by
    reference counting when their last reference goes; only a cycle among them would no longer
    be. For processes that exist to extract (the pipeline's workers, the speed bench), not for
    a library caller's process: it is theirs to call."""
    global _FROZEN
    if not _FROZEN:
        _FROZEN = True
        gc.freeze()


_DEFAULT: Extractor | None = None


def extract(document: Document) -> list[Claim]:
    """Claims asserted by one document, using the shipped codebook and gazetteer."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Extractor()
    return _DEFAULT.extract(document)
