"""Format readers: one file in, documents (or the reasons it can't be read) out.

Each reader yields an `InputError` for an input it cannot read instead of raising, so a
batch goes on without it. Ids, titles and offsets follow the rules in `read_path`'s
docstring (childwatch.ingest).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import math
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import trafilatura

from childwatch.errors import InputError
from childwatch.ingest.clean import clean_markup, clean_text
from childwatch.ingest.fields import (
    MAX_CHARS_HINT,
    DecodeProblem,
    decode_bytes,
    document_from_object,
    normalise_date,
    too_long,
)
from childwatch.ingest.limits import GZIP_LINES, CapExceeded, open_gzip
from childwatch.records import Document

Result = Document | InputError

# Markup weighs more than text, and JSON may escape one character as six bytes: a file this
# many times larger than `max_chars` cannot hold an acceptable document, so it isn't read.
BYTES_PER_CHAR = 8


class Reader:
    """Reads one kind of file: subclass it to teach `read_path` a new format.

    Example::

        class MarkdownReader(Reader):
            suffixes = (".md",)

            def read(self, path, *, max_chars):
                raw = path.read_bytes()
                yield Document(id=path.stem, text=clean_text(raw.decode()), raw=raw, ...)

        read_path("reports/", readers=[MarkdownReader(), *DEFAULT_READERS])
    """

    suffixes: ClassVar[tuple[str, ...]] = ()

    def read(self, path: Path, *, max_chars: int) -> Iterator[Result]:
        """Yield each document in `path`, or an InputError for each part that can't be read."""
        raise NotImplementedError


def stem(path: Path, suffixes: tuple[str, ...]) -> str:
    """The file name without the reader's (possibly double) suffix: report.jsonl.gz → report."""
    name = path.name
    for suffix in sorted(suffixes, key=len, reverse=True):
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return path.stem


def _read_bytes(path: Path, max_chars: int) -> bytes | InputError:
    where = str(path)
    try:
        size = path.stat().st_size
        if size > BYTES_PER_CHAR * max_chars:
            return InputError(
                where,
                f"file has {size:,} bytes, too large for the text limit of {max_chars:,} characters",
                MAX_CHARS_HINT,
            )
        data = path.read_bytes()
    except OSError as exc:
        return InputError(where, f"cannot be read: {exc.strerror or exc}")
    if not data.strip():
        return InputError(where, "file is empty", "remove it or fill it in")
    return data


_TOO_MANY_DIGITS = "JSON holds a number of over 4,300 digits, too long to read"


def _finite(literal: str) -> float | None:
    value = float(literal)
    return value if math.isfinite(value) else None


def _loads(text: str) -> Any:
    """JSON as Python reads it, except NaN, Infinity and numbers past a float's range (1e999),
    which JSON does not have (Python writes them anyway): read as null, because PostgreSQL
    refuses them in the metadata column and failed the whole batch. `raw` keeps them."""
    return json.loads(text, parse_constant=lambda _literal: None, parse_float=_finite)


def _json_error(exc: json.JSONDecodeError, *, line_known: bool) -> str:
    position = f"column {exc.colno}" if line_known else f"line {exc.lineno}, column {exc.colno}"
    return f"invalid JSON at {position}: {exc.msg}"


class JsonReader(Reader):
    """One corpus-format object per `.json` file; `raw` is the whole file."""

    suffixes = (".json",)

    def read(self, path: Path, *, max_chars: int) -> Iterator[Result]:
        where = str(path)
        data = _read_bytes(path, max_chars)
        if isinstance(data, InputError):
            yield data
            return
        try:
            text, encoding = decode_bytes(data)
        except DecodeProblem as exc:
            yield InputError(where, exc.problem, exc.hint)
            return
        try:
            obj = _loads(text)
        except json.JSONDecodeError as exc:
            hint = "fix the JSON"
            if exc.msg == "Extra data":
                hint = "a file with one object per line should be named .jsonl"
            yield InputError(where, _json_error(exc, line_known=False), hint)
            return
        except RecursionError:
            yield InputError(where, "JSON is nested too deeply to read")
            return
        except ValueError:  # an integer of over 4300 digits: Python refuses to convert it
            yield InputError(where, _TOO_MANY_DIGITS, "fix the JSON")
            return
        doc = document_from_object(
            obj, raw=data, where=where, default_id=stem(path, self.suffixes), max_chars=max_chars
        )
        if isinstance(doc, Document) and encoding != "utf-8":
            doc.metadata["encoding"] = encoding
        yield doc


def _skip_line_breaks(stream: io.BufferedReader) -> int:
    """Consume the empty lines at the start of the stream's buffer; return how many.

    Line by line, Python takes seconds for each ten million; a gzip of nothing but newlines
    must reach the line cap in milliseconds.
    """
    ahead = stream.peek(1 << 16)
    run = len(ahead) - len(ahead.lstrip(b"\r\n"))
    end = ahead.rfind(b"\n", 0, run) + 1  # whole lines only: a lone \r belongs to the next one
    if end:
        stream.read(end)
    return ahead.count(b"\n", 0, end)


def _stopped(path: Path, exc: CapExceeded, lineno: int) -> InputError:
    return exc.error(str(path), f"reading stopped after line {lineno:,}; documents on the lines before were read")


class JsonlReader(Reader):
    """One corpus-format object per line, streamed (also gzip-compressed).

    `raw` is the line's bytes without its line break; blank lines are skipped.
    """

    suffixes = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")

    def read(self, path: Path, *, max_chars: int) -> Iterator[Result]:
        base = stem(path, self.suffixes)
        compressed = path.name.lower().endswith(".gz")
        # A compressed file is held to caps on its decompressed bytes and lines (see
        # `ingest.limits`): a few MB of gzip can hold a GiB of newlines.
        max_lines = GZIP_LINES.value() if compressed else None
        try:
            with open_gzip(path) if compressed else path.open("rb") as stream:
                yield from self._lines(path, stream, base, max_chars, max_lines)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:  # truncated or corrupt gzip data
            yield InputError(str(path), f"compressed data is damaged: {exc}", "re-create the .gz file")
        except OSError as exc:
            yield InputError(str(path), f"cannot be read: {exc.strerror or exc}")

    def _lines(
        self, path: Path, stream: io.BufferedReader, base: str, max_chars: int, max_lines: int | None
    ) -> Iterator[Result]:
        limit = BYTES_PER_CHAR * max_chars
        seen_any = False
        lineno = 0
        while True:
            try:
                skipped = _skip_line_breaks(stream)
                lineno += skipped
                # Blank lines count: a file of newlines is refused as fast as any other.
                if max_lines is not None and (lineno > max_lines or (lineno == max_lines and stream.peek(1))):
                    lineno = max_lines
                    raise CapExceeded(GZIP_LINES, max_lines, "holds")
                if skipped:
                    continue  # more may follow in the next buffer
                line = stream.readline(limit + 1)
            except CapExceeded as exc:
                yield _stopped(path, exc, lineno)
                return
            if not line:
                break
            lineno += 1
            where = f"{path}:{lineno}"
            if len(line) > limit and not line.endswith(b"\n"):
                try:
                    while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                        pass  # skip the rest of the oversized line without holding it
                except CapExceeded as exc:
                    yield _stopped(path, exc, lineno)
                    return
                seen_any = True  # the file is not empty: no "file is empty" after this error
                yield InputError(where, f"line is over {limit:,} bytes, too long for max_chars", MAX_CHARS_HINT)
                continue
            raw = line.rstrip(b"\r\n")
            if lineno == 1 and raw.startswith((b"\xff\xfe", b"\xfe\xff")):
                yield InputError(str(path), "is UTF-16; JSON Lines must be UTF-8", "re-save the file as UTF-8")
                return
            body = raw[3:] if lineno == 1 and raw.startswith(b"\xef\xbb\xbf") else raw
            if not body.strip():
                continue
            seen_any = True
            yield self._line(body, raw, where, f"{base}-{lineno}", max_chars)
        if not seen_any:
            yield InputError(str(path), "file is empty", "remove it or fill it in")

    @staticmethod
    def _line(body: bytes, raw: bytes, where: str, default_id: str, max_chars: int) -> Result:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            return InputError(
                where,
                f"is not valid UTF-8 (byte 0x{body[exc.start]:02x} at column {exc.start + 1})",
                "JSON must be UTF-8; re-save the file as UTF-8",
            )
        try:
            obj = _loads(text)
        except json.JSONDecodeError as exc:
            return InputError(where, _json_error(exc, line_known=True), "fix or remove this line")
        except RecursionError:
            return InputError(where, "JSON is nested too deeply to read")
        except ValueError:  # an integer of over 4300 digits: Python refuses to convert it
            return InputError(where, _TOO_MANY_DIGITS, "fix or remove this line")
        return document_from_object(obj, raw=raw, where=where, default_id=default_id, max_chars=max_chars)


# A page's <meta charset> is trusted only when the bytes aren't UTF-8.
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_-]{2,40})""", re.IGNORECASE)
_HTML_LANG = re.compile(r"""<html\b[^>]*?\slang\s*=\s*["']?([A-Za-z]{2,3})\b""", re.IGNORECASE)
_LOOKS_LIKE_HTML = re.compile(r"\s*(?:<!doctype html|<html[\s>])", re.IGNORECASE)


def _read_text(path: Path, max_chars: int) -> tuple[bytes, str, str] | InputError:
    """The file's bytes, its decoded text and the encoding used, or why it cannot be read."""
    data = _read_bytes(path, max_chars)
    if isinstance(data, InputError):
        return data
    decoded = _decode_text(path, data)
    return decoded if isinstance(decoded, InputError) else (data, *decoded)


def _decode_text(path: Path, data: bytes) -> tuple[str, str] | InputError:
    declared = _META_CHARSET.search(data[:4096])
    legacy = (declared.group(1).decode("ascii"),) if declared else ()
    try:
        return decode_bytes(data, legacy=(*legacy, "cp1252"))
    except DecodeProblem as exc:
        return InputError(str(path), exc.problem, exc.hint)


def text_title(text: str) -> str | None:
    """The first non-blank line, when it reads like a headline (see read_path)."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    first = " ".join(lines[0].split())
    if len(first) > 150 or len(first.split()) > 20 or first[-1] in ".,;:":
        return None
    return first


class TextReader(Reader):
    """A plain-text file is one document; a `.txt` file holding a whole HTML page is read as HTML."""

    suffixes = (".txt",)

    def read(self, path: Path, *, max_chars: int) -> Iterator[Result]:
        loaded = _read_text(path, max_chars)
        if isinstance(loaded, InputError):
            yield loaded
            return
        data, text, encoding = loaded
        if not text.strip():
            yield InputError(str(path), "file is empty", "remove it or fill it in")
            return
        if _LOOKS_LIKE_HTML.match(text):
            yield HtmlReader.from_text(path, data, text, encoding, max_chars=max_chars)
            return
        if len(text) > max_chars:
            yield too_long(str(path), len(text), max_chars)
            return
        cleaned = clean_text(text)
        yield Document(
            id=stem(path, self.suffixes),
            text=cleaned,
            raw=data,
            sha256=hashlib.sha256(data).hexdigest(),
            origin=str(path),
            media_type="text/plain",
            title=text_title(cleaned),
            metadata={} if encoding == "utf-8" else {"encoding": encoding},
        )


class HtmlReader(Reader):
    """A web page: trafilatura extracts the main text (comments dropped), title and date.

    `text` is trafilatura's output, cleaned like any other text; offsets point into it,
    not into the HTML, which is kept as `raw`.
    """

    suffixes = (".html", ".htm")

    def read(self, path: Path, *, max_chars: int) -> Iterator[Result]:
        loaded = _read_text(path, max_chars)
        if isinstance(loaded, InputError):
            yield loaded
            return
        data, text, encoding = loaded
        yield self.from_text(path, data, text, encoding, max_chars=max_chars)

    @staticmethod
    def from_text(path: Path, data: bytes, page: str, encoding: str, *, max_chars: int) -> Result:
        """Extract the document from a decoded page."""
        where = str(path)
        try:
            extracted: Any = trafilatura.bare_extraction(page, include_comments=False, with_metadata=True)
        # trafilatura and lxml raise assorted errors on broken pages; one bad page must
        # not stop the batch, and the message still names the file.
        except Exception as exc:
            return InputError(where, f"HTML could not be parsed: {exc}")
        text = extracted.text if extracted is not None else ""
        if len(text) > max_chars:
            return too_long(where, len(text), max_chars)
        cleaned = clean_text(text)
        if not cleaned.strip():
            return InputError(where, "no main text found in the page", "check that the file is a news article")
        metadata: dict[str, object] = {} if encoding == "utf-8" else {"encoding": encoding}
        for key in ("author", "hostname", "description"):
            if value := getattr(extracted, key, None):
                metadata[key] = value
        title = extracted.title
        lang = _HTML_LANG.search(page[:4096])
        return Document(
            id=stem(path, HtmlReader.suffixes + TextReader.suffixes),
            text=cleaned,
            raw=data,
            sha256=hashlib.sha256(data).hexdigest(),
            origin=where,
            media_type="text/html",
            title=(" ".join(clean_markup(title).split()) or None) if title else None,
            url=extracted.url or None,
            outlet=extracted.sitename or None,
            published=normalise_date(extracted.date),
            language=extracted.language or (lang.group(1).lower() if lang else None),
            metadata=metadata,
        )
