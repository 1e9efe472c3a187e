"""What one sentence holds, found once and shared by the claims it yields and the readers of
each field (`claims`, `perpetrators`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from childwatch.extract.actors import Reference
from childwatch.extract.dates import DateMention
from childwatch.extract.sources import Attribution
from childwatch.extract.victims import ChildMention
from childwatch.records import Span

__all__ = ["Located", "SentenceFacts", "gap"]


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
