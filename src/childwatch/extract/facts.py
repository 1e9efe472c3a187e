"""What one sentence holds, found once and shared by the claims it yields and the readers of
each field (`claims`, `perpetrators`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from childwatch.extract.actors import Reference
from childwatch.extract.dates import DateMention
from childwatch.extract.sources import Attribution
from childwatch.extract.victims import ChildMention
from childwatch.extract.violations import Detection
from childwatch.records import Span

__all__ = ["Located", "SentenceFacts", "gap", "owned_by_trigger"]


@dataclass(slots=True)
class SentenceFacts:
    """What was found in one sentence, shared by the claims it yields."""

    start: int
    end: int
    text: str
    children: list[ChildMention]
    ages: tuple[int | None, int | None, Span | None]
    dates: list[DateMention]
    attributions: list[Attribution]
    references: list[Reference]
    triggers: list[tuple[int, int]]  # every violation word of the sentence (document offsets)


class Located(Protocol):
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


def gap(mention: Located, position: int) -> int:
    """Characters between a mention and a document position (0 when it covers it)."""
    start, end = mention.start, mention.end
    return start - position if start > position else max(0, position - end)


def owned_by_trigger(position: int, detection: Detection, facts: SentenceFacts) -> bool:
    """A mention belongs to this claim's trigger unless another violation word stands nearer to
    it: in "the group that abducted hundreds of girls six
    years ago has claimed the abduction of students in Katsina last week", Katsina and last week
    go with the second abduction."""
    t = detection.trigger
    own = gap(t, position)
    return all(own <= gap(Span(a, b, ""), position) for a, b in facts.triggers if b <= t.start or a >= t.end)
