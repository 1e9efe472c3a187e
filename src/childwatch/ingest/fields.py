"""Turn bytes into text and loose record fields into `Document` fields.

Shared by every reader: byte decoding with an explicit fallback policy, date
normalisation to ISO `YYYY-MM-DD`, and the corpus JSON object → `Document` mapping.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Mapping
from datetime import date

from childwatch.errors import InputError
from childwatch.ingest.clean import clean_markup, clean_text, storable_text
from childwatch.records import Document

MAX_CHARS_HINT = "raise the limit with read_path(..., max_chars=N)"

# Keys of the corpus format that map onto Document fields; any other key goes to metadata.
_FIELD_KEYS = frozenset({"id", "text", "title", "url", "outlet", "published", "language"})


class DecodeProblem(ValueError):
    """Bytes that cannot be read as text; readers turn it into an InputError."""

    def __init__(self, problem: str, hint: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.hint = hint


# Checked longest first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_bytes(data: bytes, *, legacy: tuple[str, ...] = ()) -> tuple[str, str]:
    """Decode `data` and return (text, encoding name); raise DecodeProblem if it can't.

    A byte-order mark wins; otherwise UTF-8; otherwise each `legacy` encoding in turn
    (plain-text and HTML readers pass a declared charset and cp1252, JSON passes none:
    JSON is UTF-8 by definition). The BOM itself is not part of the returned text.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise DecodeProblem(
                    f"starts with a {encoding.upper()} byte-order mark but is not valid {encoding.upper()} "
                    f"(byte {exc.start})",
                    "re-save the file as UTF-8",
                ) from None
    if b"\x00" in data:
        raise DecodeProblem(
            "looks like a binary file (it contains NUL bytes)",
            "childwatch reads text, JSON and HTML; convert the document to one of those",
        )
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        first_error = exc
    for encoding in legacy:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    bad = data[first_error.start : first_error.start + 1].hex()
    tried = " or ".join(("UTF-8", *legacy))
    raise DecodeProblem(
        f"is not valid {tried} text (byte 0x{bad} at offset {first_error.start})",
        "re-save the file as UTF-8",
    )


_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>[A-Za-z]{3,9})\.?"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
# A time or zone may follow any of these; the date as written is kept (not shifted to UTC),
# because the publisher's local day is what a report means by "yesterday".
_DATE_FORMS = (
    re.compile(r"(?P<year>\d{4})[-/.](?P<mon>\d{1,2})[-/.](?P<day>\d{1,2})(?:$|[T\s_-])"),
    re.compile(_WEEKDAY + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})\b", re.I),
    re.compile(_WEEKDAY + r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>\d{4})\b", re.I),
    # dd/mm/yyyy or mm/dd/yyyy: only read when one of the two numbers is over 12.
    re.compile(r"(?P<a>\d{1,2})[/.](?P<b>\d{1,2})[/.](?P<year>\d{4})(?:$|[T\s,])"),
)


def normalise_date(value: object) -> str | None:
    """ISO `YYYY-MM-DD` for a publication date that names one unambiguous day, else None.

    Reads "2015-07-06", "2015-07-06T10:00:00Z", "2015-07-06 07:36:36+00:00", "2015/07/06",
    "July 6, 2015", "6 July 2015", "Mon, 06 Jul 2015 10:00:00 +0000" and "13/07/2015";
    "06/07/2015" (day and month could be swapped), "2015", "July 2015" and "3 days ago"
    give None.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    for form in _DATE_FORMS:
        match = form.match(text)
        if match is None:
            continue
        parts = match.groupdict()
        year = int(parts["year"])
        if "a" in parts:
            first, second = int(parts["a"]), int(parts["b"])
            if first > 12 >= second:
                day, month = first, second
            elif second > 12 >= first:
                day, month = second, first
            else:
                return None
        elif "mon" in parts:
            month, day = int(parts["mon"]), int(parts["day"])
        else:
            month = _MONTHS.get(parts["month"].lower(), 0)
            day = int(parts["day"])
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return None
    return None


def _shown(value: str) -> str:
    """`value` with NUL and unpaired surrogates written out as escapes (\\x00, \\udce9)."""
    return value.replace("\x00", "\\x00").encode("utf-8", "backslashreplace").decode("utf-8")


def storable(item: Document | InputError) -> Document | InputError:
    """`item` with nothing the store refuses: NUL characters and unpaired surrogates.

    They come from JSON escapes, UTF-16 files, PDF metadata and file names that are not
    UTF-8 (Python keeps their bytes as surrogates); one of them failed the whole batch's
    write. The text keeps its length (`storable_text`); ids, origins, other fields and
    error messages show them as escapes, so that "r\\udce9port.txt" still names the file.
    """
    if isinstance(item, InputError):
        if storable_text(str(item)) == str(item):
            return item
        return InputError(_shown(item.where), _shown(item.problem), _shown(item.hint))
    item.text = storable_text(item.text)
    for name in ("id", "origin", "title", "url", "outlet", "published", "language"):
        value = getattr(item, name)
        if isinstance(value, str) and storable_text(value) != value:
            setattr(item, name, _shown(value))
    return item


def too_long(where: str, length: int, max_chars: int) -> InputError:
    """The error for a document whose text is over the `max_chars` limit."""
    return InputError(
        where, f"text has {length:,} characters, over the limit of {max_chars:,}", MAX_CHARS_HINT
    )


def _optional_str(value: object, *, prose: bool = False) -> str | None:
    if isinstance(value, str):
        if prose:
            # Feed titles often carry entities ("Gunmen&#8217;s raid"): decode, collapse spaces.
            value = " ".join(clean_markup(value).split())
        return value.strip() or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def document_from_object(
    obj: object,
    *,
    raw: bytes,
    where: str,
    default_id: str,
    max_chars: int,
) -> Document | InputError:
    """Map one corpus-format JSON object to a Document, or say why it can't be.

    `text` is required; `id` falls back to `default_id` (and metadata["generated_id"] is
    set); unknown keys go to metadata; `published` is normalised, keeping the original in
    metadata["published_raw"] when it doesn't name one day.
    """
    if not isinstance(obj, Mapping):
        kind = {list: "an array", str: "a string", type(None): "null"}.get(type(obj), type(obj).__name__)
        return InputError(
            where,
            f"expected a JSON object with a 'text' field, found {kind}",
            "write one object per document; put several in a .jsonl file, one per line",
        )
    if "text" not in obj:
        keys = ", ".join(sorted(map(str, obj))[:8]) or "none"
        return InputError(
            where, f"no 'text' field (keys: {keys})", "each document needs its text under 'text'"
        )
    text = obj["text"]
    if not isinstance(text, str):
        return InputError(where, f"'text' must be a string, found {type(text).__name__}")
    if not text.strip():
        return InputError(where, "'text' is empty", "drop the document or fill in its text")
    if len(text) > max_chars:
        return too_long(where, len(text), max_chars)

    metadata: dict[str, object] = {k: v for k, v in obj.items() if k not in _FIELD_KEYS}
    for key in ("title", "url", "outlet", "language"):
        value = obj.get(key)
        if value is not None and not isinstance(value, str | int | float):
            metadata[key] = value  # not usable as a field, but kept rather than dropped
    raw_id = obj.get("id")
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int | type(None)):
        return InputError(where, f"'id' must be a string or an integer, found {type(raw_id).__name__}")
    doc_id = str(raw_id).strip() if raw_id is not None else ""
    if not doc_id:
        doc_id = default_id
        metadata["generated_id"] = True

    published_raw = obj.get("published")
    published = normalise_date(published_raw)
    if published is None and published_raw not in (None, ""):
        metadata.setdefault("published_raw", published_raw)

    return Document(
        id=doc_id,
        text=clean_text(text),
        raw=raw,
        sha256=hashlib.sha256(raw).hexdigest(),
        origin=where,
        media_type="application/json",
        title=_optional_str(obj.get("title"), prose=True),
        url=_optional_str(obj.get("url")),
        outlet=_optional_str(obj.get("outlet"), prose=True),
        published=published,
        language=_optional_str(obj.get("language")),
        metadata=metadata,
    )
