"""RSS and Atom feed files: one document per item (RSS 2.0 and 1.0) or entry (Atom).

Streamed with expat, so a feed file of any size is read in bounded memory: the file is
parsed 64 KB at a time and only the bytes of the item being read are held. Each item's
`raw` is exactly its bytes in the file (`<item>…</item>`), its evidentiary copy.

Fields: id from `guid` / Atom `id` / `rdf:about`, else the item's link, else
"<file stem>-<n>" (metadata["generated_id"]); text from the full content
(`content:encoded`, Atom `content`), else the description or summary, else the title
(metadata["text_from"] says which), with markup blanked as everywhere (`clean_text`);
outlet and language from the channel. `origin` is "path:line" of the item's start tag.

Fetching feeds over HTTP (`childwatch watch`) is `childwatch.ingest.fetch`'s business;
this module reads files.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO
from xml.parsers import expat

from childwatch.errors import InputError
from childwatch.ingest.clean import clean_markup, clean_text
from childwatch.ingest.fields import normalise_date, too_long
from childwatch.records import Document

CHUNK = 1 << 16
ITEMS = frozenset({"item", "entry"})
FEEDS = frozenset({"channel", "feed"})
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
ATOM_NS = "http://www.w3.org/2005/Atom"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
# Preference order for the text and the date.
TEXT_FIELDS = ("encoded", "content", "description", "summary")
DATE_FIELDS = ("pubDate", "published", "date", "updated", "issued", "modified")


class _Refused(Exception):
    """Raised from a parser callback to stop reading a feed that declares entities."""


@dataclass(slots=True)
class _Item:
    start: int  # byte offset of the start tag
    line: int
    depth: int
    kind: str  # "item" (RSS) or "entry" (Atom)
    fields: dict[str, str] = field(default_factory=dict)
    about: str | None = None
    link: str | None = None


@dataclass(slots=True)
class _Open:
    """An element whose text we keep: within an item, or a channel's title/language."""

    local: str
    ns: str
    buffer: list[str] = field(default_factory=list)


class FeedParser:
    """Feeds bytes to expat; `ready` collects the finished items' Documents or errors."""

    def __init__(self, path: Path, max_chars: int, stem: str) -> None:
        self.path, self.max_chars, self.stem = path, max_chars, stem
        self.max_bytes = 8 * max_chars
        self.ready: list[Document | InputError] = []
        self.outlet: str | None = None
        self.language: str | None = None
        self.media_type = "application/rss+xml"
        self.root_seen = False
        self.failed = False  # reading stopped at an error (already reported)
        self.count = 0
        self.depth = 0
        self.stack: list[_Open | None] = []
        self.names: list[str] = []  # local names of the open elements, outermost first
        self.item: _Item | None = None
        self.buffer = bytearray()  # the bytes from `base` on, kept only while an item is open
        self.base = 0
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.buffer_text = True
        # No entity declarations (billion laughs), no external entities or DTDs.
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.EntityDeclHandler = self._refuse_entity
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text

    def feed(self, chunk: bytes, final: bool = False) -> None:
        offset = self.base + len(self.buffer)
        if self.item is not None:
            self.buffer += chunk
        else:
            self.buffer = bytearray(chunk)
            self.base = offset
        self.parser.Parse(chunk, final)
        if self.item is None:
            self.buffer.clear()
            self.base = offset + len(chunk)

    @staticmethod
    def _split(name: str) -> tuple[str, str]:
        ns, _, local = name.rpartition(" ")
        return ns, local

    def _refuse_entity(self, *_args: object) -> None:
        raise _Refused("the feed declares XML entities, which childwatch does not expand")

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        ns, local = self._split(name)
        parent = self.names[-1] if self.names else None
        self.names.append(local)
        self.depth += 1
        if not self.root_seen:
            self.root_seen = True
            if local not in ("rss", "feed", "RDF"):
                raise _Refused(f"is XML but not an RSS or Atom feed (its root element is <{local}>)")
            if ns == ATOM_NS or local == "feed":
                self.media_type = "application/atom+xml"
        item = self.item
        if item is None and local in ITEMS:
            self._begin_item(local, attrs)
            self.stack.append(None)
            return
        keep = item is not None or (local in ("title", "language") and parent in FEEDS)
        if item is not None and self.depth == item.depth + 1 and local == "link":
            rel = attrs.get("rel", "alternate")
            if "href" in attrs and rel == "alternate" and item.link is None:
                item.link = attrs["href"]
        self.stack.append(_Open(local, ns) if keep else None)

    def _begin_item(self, local: str, attrs: dict[str, str]) -> None:
        start = self.parser.CurrentByteIndex
        if start < self.base:  # cannot happen with expat's indexes; guard the slice below
            start = self.base
        # Drop what came before the item; keep the item's bytes only.
        del self.buffer[: start - self.base]
        self.base = start
        self.item = _Item(start, self.parser.CurrentLineNumber, self.depth, local, about=attrs.get(f"{RDF_NS} about"))

    def _end(self, name: str) -> None:
        ns, local = self._split(name)
        item = self.item
        opened = self.stack.pop() if self.stack else None
        if item is not None and self.depth == item.depth:
            self._finish_item(item)
            self.item = None
        elif opened is not None:
            text = "".join(opened.buffer)
            if item is None:  # a channel's title or language
                if local == "title" and self.outlet is None:
                    self.outlet = " ".join(clean_markup(text).split()) or None
                elif local == "language" and self.language is None:
                    self.language = text.strip()[:2].lower() or None
            elif self.depth == item.depth + 1:
                key = "encoded" if (local == "encoded" and ns == CONTENT_NS) else local
                if key == "link" and text.strip() and item.link is None:
                    item.link = text.strip()
                item.fields.setdefault(key, text)
            else:  # deeper: an Atom author's name, or markup inside xhtml content
                if local == "name" and "author" in self.names[item.depth : -1]:
                    item.fields.setdefault("author", text.strip())
                parent = self.stack[-1] if self.stack else None
                if parent is not None:
                    parent.buffer.append(text)
        self.names.pop()
        self.depth -= 1

    def _text(self, data: str) -> None:
        top = self.stack[-1] if self.stack else None
        if top is not None:
            top.buffer.append(data)
        if self.item is not None and len(self.buffer) > self.max_bytes:
            raise _Refused(f"an item at line {self.item.line} is over {self.max_bytes:,} bytes")

    def _finish_item(self, item: _Item) -> None:
        self.count += 1
        end = self.buffer.find(b">", self.parser.CurrentByteIndex - self.base) + 1
        raw = bytes(self.buffer[item.start - self.base : end or None])
        where = f"{self.path}:{item.line}"
        self.ready.append(self._document(item, raw, where))

    def _document(self, item: _Item, raw: bytes, where: str) -> Document | InputError:
        f = item.fields
        source = next((k for k in TEXT_FIELDS if f.get(k, "").strip()), None)
        body = f[source] if source else f.get("title", "")
        if not body.strip():
            return InputError(where, "feed item has no text, description or title", "nothing to read in it")
        if len(body) > self.max_chars:
            return too_long(where, len(body), self.max_chars)
        metadata: dict[str, object] = {"text_from": source or "title"}
        doc_id = (f.get("guid") or f.get("id") or item.about or item.link or "").strip()
        if not doc_id:
            doc_id = f"{self.stem}-{self.count}"
            metadata["generated_id"] = True
        if f.get("author") or f.get("creator"):
            metadata["author"] = (f.get("author") or f.get("creator") or "").strip()
        raw_date = next((f[k].strip() for k in DATE_FIELDS if f.get(k, "").strip()), None)
        published = normalise_date(raw_date)
        if raw_date and published is None:
            metadata["published_raw"] = raw_date
        title = " ".join(clean_markup(f.get("title", "")).split()) or None
        return Document(
            id=doc_id,
            text=clean_text(body),
            raw=raw,
            sha256=hashlib.sha256(raw).hexdigest(),
            origin=where,
            media_type=self.media_type,
            title=title,
            url=item.link,
            outlet=self.outlet,
            published=published,
            language=self.language,
            metadata=metadata,
        )


def read_feed(path: Path, *, max_chars: int, stem: str) -> Iterator[Document | InputError]:
    """Yield a Document (or InputError) per item of the feed file at `path`, as read."""
    parser = FeedParser(path, max_chars, stem)
    try:
        with path.open("rb") as stream:
            yield from _parse(parser, stream)
    except OSError as exc:
        yield InputError(str(path), f"cannot be read: {exc.strerror or exc}")
        return
    if parser.count == 0 and parser.root_seen and not parser.failed:
        yield InputError(str(path), "the feed has no items", "nothing to read in it")


def _parse(parser: FeedParser, stream: BinaryIO) -> Iterator[Document | InputError]:
    where = str(parser.path)
    empty = True
    try:
        while chunk := stream.read(CHUNK):
            empty = empty and not chunk.strip()
            parser.feed(chunk)
            yield from parser.ready
            parser.ready.clear()
        if empty:
            yield InputError(where, "file is empty", "remove it or fill it in")
            return
        parser.feed(b"", final=True)
        yield from parser.ready
    except _Refused as exc:
        parser.failed = True
        yield from parser.ready
        yield InputError(where, str(exc))
    # The XML declaration names an encoding Python does not know ("UTF-9": LookupError) or
    # expat cannot read ("Shift_JIS", "Big5", "UTF-32": ValueError); both escaped the batch.
    except (LookupError, ValueError) as exc:
        parser.failed = True
        yield from parser.ready
        yield InputError(where, f"the feed's declared encoding cannot be read ({exc})", "re-save the feed as UTF-8")
    except expat.ExpatError as exc:
        parser.failed = True
        yield from parser.ready
        problem = expat.ErrorString(exc.code) if exc.code else str(exc)
        yield InputError(f"{where}:{exc.lineno}", f"invalid XML at column {exc.offset + 1}: {problem}",
                         "fix the feed file; items before this point were read")  # fmt: skip
