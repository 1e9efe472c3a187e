"""Turn one sentence's detections into claims, filling every field from the sentence first
and from the document context second, each with the span it came from."""

from __future__ import annotations

import re
from datetime import date

from childwatch.codebook.alternation import factor_alternation
from childwatch.codebook.lexicon import Lexicon
from childwatch.extract.actors import ActorFinder
from childwatch.extract.claim_places import locate
from childwatch.extract.context import DocumentContext
from childwatch.extract.dates import DateMention
from childwatch.extract.facts import SentenceFacts, gap, owned_by_trigger
from childwatch.extract.numbers import NUMBER, TALLY, parse_number, stated_count
from childwatch.extract.perpetrators import assign_perpetrator
from childwatch.extract.sources import Attribution, full_name
from childwatch.extract.violations import Detection
from childwatch.records import Claim, DateRange, Span, Victims

_HABITUAL = re.compile(
    r"\b(?:recruits|uses|kidnaps|abducts|forces|exploits|targets|trains|rapes|detains|tortures|attacks|"
    r"recruit children|use children|has used|have used|has recruited|have recruited|has been recruiting|"
    r"have been recruiting|has been using|is using|are using|are being|is being|will|would|could|may|might|"
    r"(?:kidnap|recruit|abduct|use|force|exploit|target|rape|train|arm|send) (?:young |teenage )?"
    r"(?:children|girls|boys|women|minors|kids|schoolchildren))\b",
    re.IGNORECASE,
)
_HE = re.compile(r"\b(?:he|his|him|himself)\b", re.IGNORECASE)
_SHE = re.compile(r"\b(?:she|her|hers|herself)\b", re.IGNORECASE)
_ADULT_REFERENT = re.compile(
    r"\b(?:(?:grand)?(?:mother|father|ma|pa)s?|mum|mom|dad|wife|husband|widow(?:er)?|woman|women|man|men|"
    r"aunt|uncle|sister-in-law|brother-in-law|nurse|midwife|teacher|headmistress|headmaster|"
    r"mr|mrs|ms|miss|sir|lady|gentleman|queen|king)\b",
    re.IGNORECASE,
)
_STATEMENT = re.compile(
    r",?\s+(?:according to|(?:\w+\s+){0,4}(?:said|says|told|reported|announced)|in a (?:report|statement) "
    r"(?:released|published)|(?:released|published) on)\b",
    re.IGNORECASE,
)
# What a match of _STATEMENT holds, looked for first (grouped by first letter,
# codebook.alternation): most claims' sentences have none, and the statement pattern tries
# up to four words after every space.
_STATEMENT_WORD = re.compile(
    factor_alternation("according to|said|says|told|reported|announced|released|published"), re.IGNORECASE
)
# Relative dates find_dates cannot resolve without the report's date.
_UNRESOLVED_DATE = re.compile(
    r"\b(?:last|this|past)\s+(?:week|month|year|weekend|night)\b|\b(?:yesterday|today|tonight)\b|"
    r"\b(?:\w+|\d+)\s+(?:days|weeks|months|years)\s+ago\b",
    re.IGNORECASE,
)
_SPECIFIC_DAY = re.compile(
    r"\b(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|last night|"
    r"overnight)\b",
    re.IGNORECASE,
)
_SINCE_BEFORE = re.compile(r"\b(?:since|from)\s+(?:the\s+)?$", re.IGNORECASE)
# "have been killed": a running total rather than one event.
_CUMULATIVE = re.compile(
    r"\b(?:have|has) been (?:killed|injured|wounded|maimed|recruited|used|detained|"
    r"verified|documented|recorded)\b|\b(?:remain|remains)\b",
    re.IGNORECASE,
)
_AS_OF_NOW = re.compile(r"\b(?:currently|at present|to date|so far|as of now)\b", re.IGNORECASE)
# A running total from several attacks ("have been killed in the strikes on the town") is a
# total even where a place is named.
_SEVERAL_ATTACKS = re.compile(
    r"\b(?:attacks|strikes|airstrikes|air strikes|air raids|raids|bombardments|offensive|campaign|operation)\b",
    re.IGNORECASE,
)
# Children counted within a toll of deaths that no one event caused.
# A figure of schools or hospitals ("248 schools have been damaged"): a tally of attacks.
_FACILITIES = re.compile(
    rf"\b({NUMBER})\s+(?:\w+\s+)?(?:schools|hospitals|clinics|health (?:facilities|centres|centers)|"
    r"medical facilities|classrooms|education facilities)\b",
    re.IGNORECASE,
)
_TOLL_INCLUDING = re.compile(r"\b(?:deaths|dead|fatalities)\b[^.;]{0,60}\bincluding\b", re.IGNORECASE)
_ONE_EVENT = re.compile(
    r"\b(?:an?|the) (?:\w+ ){0,2}(?:attack|strike|airstrike|raid|bombing|blast|explosion|shelling|shell|bomb|"
    r"ambush|massacre|assault)\b",
    re.IGNORECASE,
)


def build_claim(
    doc_id: str,
    published: str | None,
    facts: SentenceFacts,
    detection: Detection,
    ctx: DocumentContext,
    lexicon: Lexicon,
    actors: ActorFinder,
    last_speaker: Attribution | None,
) -> Claim:
    evidence = Span(facts.start, facts.end, facts.text)
    claim = Claim(
        doc_id=doc_id,
        violation=detection.violation,  # type: ignore[arg-type]  # a key the lexicon validated
        kind="incident",
        evidence=evidence,
        trigger=detection.trigger,
    )
    claim.victims = _victims(detection, facts)
    assign_perpetrator(claim, facts, ctx, detection, actors)
    claim.location = locate(facts, ctx, claim, detection)
    claim.date = _date(facts, detection)
    _source(claim, facts, last_speaker, ctx.text)
    claim.kind = _kind(claim, facts, lexicon)  # type: ignore[assignment]
    if claim.kind == "incident" and claim.date.start is None and claim.date.end is None and published:
        # The report's date bounds an undated incident: it happened on or before it.
        claim.date = DateRange(start=None, end=published, precision=None, span=None)
    elif (
        claim.kind == "aggregate"
        and claim.date.start is None
        and claim.date.end is None
        and published
        and (_CUMULATIVE.search(facts.text) or _AS_OF_NOW.search(facts.text))
    ):
        # A running total told in the present ("have been killed", "are currently"): up to the report's day.
        claim.date = DateRange(start=None, end=published, precision=None, span=None)
    claim.graphic = bool(lexicon.graphic.search(facts.text))
    claim.confidence = round(
        min(
            0.95,
            0.45
            + 0.2 * detection.inherent
            + 0.1 * stated_count(claim.victims)
            + 0.1 * (claim.perpetrator is not None)
            + 0.05 * (claim.source is not None),
        ),
        2,
    )
    return claim


def _victims(detection: Detection, facts: SentenceFacts) -> Victims:
    v = Victims()
    near = detection.victims
    counted = next((c for c in near if c.count is not None), None)
    if counted:
        v.count, v.qualifier, v.count_span = counted.count, counted.qualifier, counted.count_span or counted.span
    else:
        vague = next((c for c in near if c.qualifier), None)
        if vague:
            v.qualifier, v.count_low, v.count_span = vague.qualifier, vague.low, vague.count_span
    aged = next((c for c in near if c.age_min is not None), None)
    if aged:
        v.age_min, v.age_max, v.age_span = aged.age_min, aged.age_max, aged.age_span
    elif facts.ages[0] is not None or facts.ages[1] is not None:
        v.age_min, v.age_max, v.age_span = facts.ages
    sexes = {c.sex for c in facts.children if c.sex}
    if counted is not None and counted.sex is None and counted.count is not None:
        # "2,800 children, including 646 girls": the rest are of the other sex, or unknown.
        part = next((c for c in facts.children if c.sex and c.count is not None and c.count < counted.count), None)
        if part is not None:
            sexes.add("male" if part.sex == "female" else "female")
    if sexes:
        v.sex = "mixed" if len(sexes) > 1 else sexes.pop()  # type: ignore[assignment]
        holder = next(c for c in facts.children if c.sex)
        v.sex_span = holder.span
    if v.sex is None and v.count == 1:
        # One child, referred to as "he" or "she" in the same sentence.
        he, she = _HE.search(facts.text), _SHE.search(facts.text)
        # Not when an adult the pronoun may stand for is named too: in "the newborn baby's grandmother
        # speaks of her death", "her" may be the grandmother's.
        if bool(he) != bool(she) and not _ADULT_REFERENT.search(facts.text):
            pronoun = he or she
            assert pronoun is not None
            v.sex = "male" if he else "female"
            v.sex_span = Span(facts.start + pronoun.start(), facts.start + pronoun.end(), pronoun.group())
    grouped = next((c for c in near if c.group), None)
    if grouped:
        v.group, v.group_span = grouped.group, grouped.group_span
    return v


_REPORT_DAY = re.compile(
    r"\b(?:report|study|survey|findings)\s+(?:was\s+)?(?:issued|released|published|made public)\s+(?:on\s+)?$",
    re.IGNORECASE,
)
_STATEMENT_DAY = re.compile(
    r"\b(?:said|says|announced|reported|stated|told\s+\w+(?:\s+\w+)?|confirmed|declared|added|wrote|"
    r"statement|briefing|press conference)\s+(?:issued\s+|released\s+|published\s+)?(?:on|late on|early on)?\s*$",
    re.IGNORECASE,
)


# The end of a captivity: "the girls, freed on Tuesday, had been kidnapped in March", "pupils
# abducted at a school have been freed, an official said Friday". A date after such a word,
# with no abduction word between, is the release day: it does not date the abduction.
_RELEASE = re.compile(
    r"\b(?:freed|released|rescued|escaped|returned home|reunited|handed over|set free|"
    r"regained (?:their|his|her) freedom)\b",
    re.IGNORECASE,
)
_ENDS_CAPTIVITY = ("abduction", "attack_school_hospital")


def after_release(text: str, position: int, triggers: list[tuple[int, int]]) -> bool:
    """A release word stands before `position` in `text` with no violation word (`triggers`,
    positions in `text`) between: what stands there is of the release."""
    return any(
        r.end() <= position and not any(r.end() <= a < position for a, _ in triggers) for r in _RELEASE.finditer(text)
    )


def _release_day(d: DateMention, detection: Detection, facts: SentenceFacts) -> bool:
    t = detection.trigger
    return after_release(facts.text, d.start - facts.start, [(t.start - facts.start, t.end - facts.start)])


# A date heading a clause whose subject then speaks or posts: "On 31 October, his uncle posted",
# "The following day, on 10 October, a family member Abu Ali Haddad confirmed".
_POSTED_AFTER = re.compile(
    r",?\s+(?:[\w'’.-]+\s+){0,8}?(?:posted|shared|tweeted|wrote|published|reported|announced|said|stated|told|"
    r"confirmed|uploaded|added)\b",
    re.IGNORECASE,
)


# ... as long as the date heads its clause: in "a boy recruited from his school in 2010 told
# reporters", the year ends the subject and dates the recruitment.
_CLAUSE_HEAD = re.compile(
    r"(?:^|[.;:,(\u2013\u2014-]|\b(?:and|but|then|when|after|before))\s*"
    r"(?:(?:early|late|later)\s+)?(?:on|in|at|by|during|since)?\s*(?:the\s+)?\W*$",
    re.IGNORECASE,
)


def _date(facts: SentenceFacts, detection: Detection) -> DateRange:
    if not facts.dates:
        return DateRange()
    t = detection.trigger
    here = [d for d in facts.dates if facts.start <= d.start < facts.end]
    if not here:
        d = facts.dates[0]  # the previous sentence's date ("... on 3 June. That evening, ...")
    else:
        # The date nearest the trigger, among those no other violation word stands nearer to
        # ("stormed his church in 2012, near where they abducted 200 girls last month").
        owned = [x for x in here if owned_by_trigger(x.start, detection, facts)] or here
        if detection.violation in _ENDS_CAPTIVITY and _RELEASE.search(facts.text):
            owned = [x for x in owned if not _release_day(x, detection, facts)]
            if not owned:
                return DateRange()
        # "UNICEF said on Tuesday that 27 girls were abducted ... last Friday": the day of
        # the statement dates the statement, not the event, when the sentence has another date.
        events = [x for x in owned if not _STATEMENT_DAY.search(facts.text[: x.start - facts.start])] or owned
        # "according to a UN report released on Tuesday": a report tells of what went before it.
        events = [x for x in events if not _REPORT_DAY.search(facts.text[: x.start - facts.start])]
        if not events:
            return DateRange()
        posts = [
            x
            for x in events
            if _POSTED_AFTER.match(facts.text, x.end - facts.start)
            and _CLAUSE_HEAD.search(facts.text, 0, x.start - facts.start)
        ]
        if posts and len(posts) == len(here):
            # "On 31 October, a relative posted that the boy had been killed": the only day the
            # sentence gives is the post's; the event keeps the date told elsewhere.
            return DateRange()
        d = min(events, key=lambda x: _nearness(x, t))
    unresolved = [
        Span(facts.start + m.start(), facts.start + m.end(), m.group())
        for m in _UNRESOLVED_DATE.finditer(facts.text)
        if not any(x.start <= facts.start + m.start() < x.end for x in facts.dates)
    ]
    if any(gap(u, t.start) < gap(d, t.start) and owned_by_trigger(u.start, detection, facts) for u in unresolved):
        # A relative date ("last month") the report's missing date leaves unknown is nearer the
        # trigger than any date we could read: the event's date is unknown, not that other one.
        return DateRange()
    precision = d.precision
    return DateRange(
        start=d.date_start,
        end=d.date_end,
        precision=precision,
        span=Span(d.start, d.end, d.text),
    )


def _nearness(d: DateMention, trigger: Span) -> float:
    """Distance from the trigger; a date after it ("abducted ... in 2014") more likely dates it."""
    return d.start - trigger.end if d.start >= trigger.end else 1.5 * (trigger.start - d.end)


def _source(claim: Claim, facts: SentenceFacts, last_speaker: Attribution | None, text: str) -> None:
    actor = claim.perpetrator_span
    for a in facts.attributions:
        if a.bare and actor is not None and a.start < actor.end and actor.start < a.end:
            continue  # the body named as the actor, not as anyone's source
        if a.pronoun:
            if last_speaker is not None:
                a = last_speaker
            else:
                continue
        claim.source = a.text.strip() if a.source else full_name(a.text.strip(), text, a.start)
        claim.source_id = a.source.id if a.source else None
        claim.source_span = Span(a.start, a.end, a.text)
        return


def _long_span(d: DateMention) -> bool:
    """A period (weeks or more) rather than one day or one week: counts over it are statistics."""
    if not d.date_start or not d.date_end or d.date_start == d.date_end:
        return False
    if len(d.date_start) == 10 and len(d.date_end) == 10:
        return (date.fromisoformat(d.date_end) - date.fromisoformat(d.date_start)).days > 10
    return True


def _facility_tally(text: str) -> bool:
    """Whether the sentence counts ten or more schools or hospitals: a tally ("248 schools have
    been damaged"), where "strikes hit two hospitals" may still be one day's attack."""
    return any((parse_number(m.group(1)) or 0) >= TALLY for m in _FACILITIES.finditer(text))


def _kind(claim: Claim, facts: SentenceFacts, lexicon: Lexicon) -> str:
    count = claim.victims.count
    text = facts.text
    # The claim's own date decides, not the dates of other events of the sentence.
    span = claim.date.span
    dates = [d for d in facts.dates if span is not None and d.start == span.start]
    several = (count is not None and count >= 2) or claim.victims.qualifier in (
        "hundreds",
        "thousands",
        "dozens",
        "scores",
    )
    # When a report says it spoke "on Monday", that day dates the statement, not the events.
    at = max(0, claim.evidence.start - facts.start)
    statement = _STATEMENT.search(text, at) if _STATEMENT_WORD.search(text, at) else None
    event_text = text[: statement.start()] if statement else text
    event_dates = [d for d in dates if not statement or d.start - facts.start < statement.start()]
    # "since October 7" opens a period: the day it names is not the day of one event.
    event_dates = [d for d in event_dates if not _SINCE_BEFORE.search(text, 0, max(0, d.start - facts.start))]
    specific_day = any(d.precision == "day" for d in event_dates) or _SPECIFIC_DAY.search(event_text)
    if several and any(_long_span(d) for d in dates):
        return "aggregate"
    if several and not specific_day:
        if lexicon.aggregate_cues.search(text):
            return "aggregate"
        if any(d.precision == "year" for d in dates):
            return "aggregate"
        if _CUMULATIVE.search(text) and (claim.location.precision != "place" or _SEVERAL_ATTACKS.search(text)):
            return "aggregate"
    if several and claim.location.precision != "place" and _TOLL_INCLUDING.search(text) and not _ONE_EVENT.search(text):
        return "aggregate"  # "101 deaths were reported on Thursday, including 14 children": a day's toll
    if claim.violation == "attack_school_hospital" and not specific_day and _facility_tally(text):
        return "aggregate"
    # A practice over a period ("during the war of the 1990s, soldiers engaged in systematic rape")
    # is still a practice: only a date narrower than that makes it an event.
    unquantified = count is None and claim.victims.qualifier is None and all(_long_span(d) for d in dates)
    if unquantified and (lexicon.pattern_cues.search(text) or _HABITUAL.search(text)):
        return "pattern"
    return "incident"
