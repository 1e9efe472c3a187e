"""Blank markup and page junk in a text without moving any character.

`clean_text(text)` returns a string of exactly `len(text)` characters in which every
character it keeps sits at its original offset. What it removes is overwritten with
spaces (newlines stay newlines), so an offset into the working text is an offset into
the original. It blanks, in this order:

1. HTML that leaked into the text: `<script>`/`<style>` blocks, comments, tags (only
   real HTML element names, so "<5 children" is left alone) and escaped tags (`&lt;p&gt;`);
2. character references: "&amp;" becomes "&" plus four spaces, "&#8217;" becomes "’"
   plus six; a no-break space becomes a plain space;
3. junk lines (`LINE_JUNK`): a line whose whole stripped content matches one pattern
   and has at most that pattern's number of words (menus, share buttons, "READ MORE: …",
   cookie banners …). The word cap is the guard that keeps real sentences;
4. inline junk (`INLINE_JUNK`): photo credits glued into sentences, ad shortcodes;
5. a metadata header at the very start: YAML front matter between `---` lines, or
   "Title: …/Date: …" lines as static-site generators write them;
6. characters no store can hold (`storable_text`): a NUL becomes a space, an unpaired
   UTF-16 surrogate (a JSON "\\ud800" escape) U+FFFD.

The patterns are data: add one to the lists below with a comment saying where it was
seen, and a test in tests/test_ingest.py that a real sentence next to it survives.
"""

from __future__ import annotations

import html
import re
from typing import NamedTuple


class JunkPattern(NamedTuple):
    """A kind of page furniture: `pattern` must match the whole stripped line."""

    name: str
    pattern: re.Pattern[str]
    max_words: int


def _junk(name: str, pattern: str, max_words: int) -> JunkPattern:
    return JunkPattern(name, re.compile(pattern, re.IGNORECASE), max_words)


_SOCIAL = (
    r"(?:facebook|twitter|x|instagram|whatsapp|messenger|linkedin|pinterest|reddit|telegram|tiktok"
    r"|youtube|threads)"
)
_SHARE_ITEM = (
    r"(?:share(?: this)?(?: (?:story|article|page|post|video|link))?(?: (?:with|on|via))?"
    rf"|{_SOCIAL}|e-?mail|copy(?: this)? link|print|tweet|save|comments?)"
)
# A menu item: a few words, no digits, no sentence punctuation.
_NAV_ITEM = r"[^\W\d_][^\d|•·›»>.!?\n]{0,30}"
_NAV_SEP = r"\s*[|•·›»>]\s*"

LINE_JUNK: tuple[JunkPattern, ...] = (
    # Menus and breadcrumbs: "Home | World | Sport | Sign in", "News › Africa › Nigeria".
    _junk("navigation", rf"(?:{_NAV_ITEM}{_NAV_SEP}){{2,}}{_NAV_ITEM}(?:{_NAV_SEP})?", 25),
    # Share buttons: "Share this with Facebook", "Twitter", "Facebook Twitter Email".
    _junk("share", rf"{_SHARE_ITEM}(?:[\s,|•·/]+{_SHARE_ITEM})*\s*:?", 12),
    # Site chrome and widget labels.
    _junk(
        "chrome",
        r"(?:home|sign in|log ?in|log ?out|register|my account|menu|search|skip to (?:main )?content"
        r"|back to top|toggle navigation|close|expand|collapse|enlarge(?: this image)?"
        r"|(?:hide|show) caption|loading\W*|play video|watch video|listen to this article"
        r"|media playback is unsupported on your device)\W*",
        8,
    ),
    # Subscription boxes: "Sign up for our newsletter", "Subscribe", "Get our morning briefing".
    _junk(
        "subscribe",
        r"(?:sign up|subscribe|join our mailing list)\b.*"
        r"|get (?:our|the) .*(?:newsletter|briefing|alerts)\b.*|newsletters?\W*",
        30,
    ),
    # Headings of link lists: "Related", "More on this story", "Most read".
    _junk(
        "link-list heading",
        r"(?:related(?: (?:articles?|stories|coverage|content|topics|news|links))?|see also"
        r"|more on this story|recommended(?: for you)?|most (?:read|popular|viewed|shared)"
        r"|you may also like|trending(?: now)?|top stories|more stories|latest news|editor'?s picks)\s*:?",
        6,
    ),
    # Links to other stories: "READ MORE: …", "Related: …", "WATCH: …", "Opinion: …" (CNN).
    _junk(
        "link to another story",
        r"(?:read more|read next|read also|also read|related|see also|watch|video|listen|photos"
        r"|in pictures|opinion)\s*[:|»›]\s*\S.*",
        25,
    ),
    _junk(
        "continue reading", r"(?:continue reading|read the full (?:story|article|report)|click here)\b.*", 30
    ),
    # Advertising slots, including the WordPress "[ad_1]" shortcode seen in scraped blogs.
    _junk(
        "advertisement",
        r"(?:advertisement|advertising|ads?|sponsored(?: content)?|paid (?:content|partner)"
        r"|promoted(?: stories)?|story continues below(?: this)? advert(?:isement)?|\[ad_\d+\])\W*",
        6,
    ),
    # "Follow @CNNPhotos on Twitter to join the conversation …", "Follow us on Facebook".
    _junk("follow", rf"follow\s+(?:us|@\w+|[\w'’.]+(?:\s+[\w'’.]+){{0,3}})\s+on\s+{_SOCIAL}\b.*", 20),
    _junk("follow", r"follow @\w+.*", 15),
    # Photo furniture: "Image copyright Getty Images", "Image caption Pupils fled …".
    _junk("image credit", r"(?:image|photo|picture|video) (?:copyright|caption|credit|source)\b.*", 60),
    # Captions ending with a credit: "… Photograph: Kola Sulaimon/AFP/Getty Images",
    # "… (AFP via Getty Images)". A story sentence ends with punctuation, a credit doesn't.
    _junk("caption", r".*\b(?:photograph|photo|picture|credit)\s*:\s*[^\s.][^.!?]{0,80}", 60),
    _junk("caption", r".*\bgetty images(?:\s*/\s*[\w .]+)*\)?", 60),
    # Bare photo credits ("AP Photo/Sunday Alamba", "AFP/Getty"); a lone "AP" or "Reuters"
    # line is kept: it can be the byline that says which agency a story came from.
    _junk(
        "credit", r"\(?(?:ap photo|(?:afp|ap|epa|reuters|anadolu(?: agency)?)\s*/)(?:\s*/?\s*[\w .]+)*\)?", 6
    ),
    # Cookie banners: a line about cookies that also asks for consent or names the site.
    _junk(
        "cookies",
        r"(?=.*\b(?:accept|consent|agree|privacy|settings|preferences|we use|uses|website|site|browsing)\b)"
        r".*\bcookies?\b.*",
        60,
    ),
    # Copyright notices: "Copyright 2018 Al Jazeera English.", "© 2023 BBC. …".
    _junk("copyright", r"(?:copyright\s*©?\s*\d{4}|©|\(c\)\s*\d{4}).*|all rights reserved\W*", 40),
    # Dataset markers: CNN/Daily Mail "@highlight", Factiva "400 words" / "Document AJAZEN00…".
    _junk("dataset marker", r"@highlight|\d{1,6} words|document [a-z0-9]{20,}", 3),
)

_GETTY = r"(?i:getty images)"
INLINE_JUNK: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Parenthesised credits inside running text: "(Photo by Chip Somodevilla/Getty Images)".
    ("photo credit", re.compile(rf"\([^()\n]{{0,120}}\b{_GETTY}[^()\n]{{0,40}}\)")),
    (
        "photo credit",
        re.compile(r"\((?i:(?:photo(?:graph)?|picture|image)\s*(?:by\b|:)|credit\s*:)[^()\n]{1,80}\)"),
    ),
    # Credits glued between two sentences of scraped text: "…murdered.Drew Angerer/Getty ImagesRep."
    (
        "photo credit",
        re.compile(rf"(?<=[.!?\"”’])[A-Z][^.!?\n()\"]{{0,60}}?(?:/|\bvia\s)\s*{_GETTY}(?:/[A-Za-z ]+)?"),
    ),
    ("ad shortcode", re.compile(r"\[ad_\d+\]")),
    ("continue reading", re.compile(r"(?i:continue reading)(?:\.\.\.|…)")),
    # cp1252 mojibake of a UTF-8 no-break space ("Source:Â AP"): the "Â" is never text.
    ("mojibake", re.compile("Â(?=\xa0)")),
)

# HTML element names (WHATWG plus common obsolete ones): only these count as tags.
_ELEMENTS = (
    r"a|abbr|acronym|address|area|article|aside|audio|b|base|basefont|bdi|bdo|big|blink"
    r"|blockquote|body|br|button|canvas|caption|center|cite|code|col|colgroup|data|datalist"
    r"|dd|del|details|dfn|dialog|dir|div|dl|dt|em|embed|fieldset|figcaption|figure|font"
    r"|footer|form|frame|frameset|h1|h2|h3|h4|h5|h6|head|header|hgroup|hr|html|i|iframe|img"
    r"|input|ins|kbd|label|legend|li|link|main|map|mark|marquee|menu|meta|meter|nav|nobr"
    r"|noframes|noscript|object|ol|optgroup|option|output|p|param|picture|pre|progress|q|rp"
    r"|rt|ruby|s|samp|script|section|select|small|source|span|strike|strong|style|sub"
    r"|summary|sup|svg|table|tbody|td|template|textarea|tfoot|th|thead|time|title|tr|track"
    r"|tt|u|ul|var|video|wbr|path|g"
)
# No "<" inside a tag: it keeps a stray "<b" from scanning to the end of the text.
_ATTRS = r"""(?:\s(?:"[^"<]*"|'[^'<]*'|[^'"<>])*)?"""
# Namespaced (<o:p>) and custom (<my-widget>) elements count too; `\b` after the name
# makes "<b" not match "<br" half-way.
_NAME = rf"(?:{_ELEMENTS}|[a-z]+:[a-z]+|[a-z]+-[a-z-]+)"
_RAW_TEXT_OPEN = re.compile(r"<(script|style|noscript|template)\b[^<>]*>", re.IGNORECASE)
_MARKUP = (
    re.compile(r"<!(?:doctype|\[CDATA\[)[^>]*>|<\?[^>]*\?>", re.IGNORECASE),
    re.compile(rf"</?{_NAME}\b{_ATTRS}/?>", re.IGNORECASE),
    re.compile(rf"&lt;/?{_NAME}\b.{{0,300}}?&gt;", re.IGNORECASE),
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")

_YAML_HEADER = re.compile(r"\A\s*---[ \t]*\r?\n(?P<body>.{0,8000}?)\r?\n---[ \t]*(?=\r?\n|\Z)", re.DOTALL)
# Front-matter lines: "key: value", "- item", an indented continuation, a comment or blank.
_YAML_LINE = re.compile(r"[ \t]*(?:$|#|- |-$|[\w\"'-]+:(?:\s|$)|[ \t]+\S)")
_PELICAN_LINE = re.compile(
    r"(?:title|date|modified|category|categories|tags|slug|src|author|authors|summary|lang|status):\s.*",
    re.IGNORECASE,
)

_KEEP = frozenset("\r\n")
# Lower-cases ASCII only: str.lower() turns "İ" into two characters, which shifted every
# offset found in the lower-cased copy ("<script>İ</script>Armed" lost the "Ar" of "Armed").
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
# PostgreSQL refuses NUL in text, and an unpaired surrogate cannot be encoded as UTF-8 for
# either back-end: both came through (JSON escapes, UTF-16 files) and failed a whole batch.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_text(text: str) -> str:
    """`text` with each NUL made a space and each unpaired surrogate U+FFFD (same length)."""
    if _UNSTORABLE.search(text) is None:
        return text
    return _UNSTORABLE.sub(lambda m: " " if m.group() == "\x00" else "\ufffd", text)


def _blank(chars: list[str], start: int, end: int) -> None:
    chars[start:end] = [c if c in _KEEP else " " for c in chars[start:end]]


def _blank_raw_text_elements(chars: list[str]) -> None:
    """Blank <script>, <style> … with their content (code, not prose), and comments."""
    text = "".join(chars)
    lower = text.translate(_ASCII_LOWER)
    done = 0
    unclosed: set[str] = set()
    for match in _RAW_TEXT_OPEN.finditer(text):
        name = match.group(1).lower()
        if match.start() < done or name in unclosed:
            continue
        close = lower.find(f"</{name}", match.end())
        if close == -1:
            # Later openings can't be closed either; remembering it keeps this linear.
            unclosed.add(name)
            continue
        end = lower.find(">", close)
        done = len(text) if end == -1 else end + 1
        _blank(chars, match.start(), done)
    # Comments by plain search: a regex retried at every unclosed "<!--" is quadratic.
    text = "".join(chars)  # scripts blanked: a "<!--" inside one is not a comment
    start = text.find("<!--")
    while start != -1 and (end := text.find("-->", start + 4)) != -1:
        _blank(chars, start, end + 3)
        start = text.find("<!--", end + 3)


def _blank_markup(chars: list[str]) -> None:
    _blank_raw_text_elements(chars)
    for pattern in _MARKUP:
        for match in pattern.finditer("".join(chars)):
            _blank(chars, match.start(), match.end())
    for match in _ENTITY.finditer("".join(chars)):
        decoded = html.unescape(match.group())
        if decoded == match.group() or len(decoded) > len(match.group()):
            continue  # not a known entity: leave the text as written
        if decoded == "\xa0" or not decoded.isprintable():
            decoded = " "
        _blank(chars, match.start(), match.end())
        chars[match.start() : match.start() + len(decoded)] = list(decoded)
    if "\xa0" in chars:
        chars[:] = [" " if c == "\xa0" else c for c in chars]


def clean_markup(text: str) -> str:
    """Blank HTML tags and decode entities only (no junk rules); same length as `text`."""
    chars = list(storable_text(text))
    _blank_markup(chars)
    return "".join(chars)


def junk_line(line: str) -> str | None:
    """The name of the junk pattern `line` matches, or None when it is kept."""
    stripped = line.strip()
    if not stripped:
        return None
    words = len(stripped.split())
    for junk in LINE_JUNK:
        if words <= junk.max_words and junk.pattern.fullmatch(stripped):
            return junk.name
    return None


def _blank_junk_lines(chars: list[str]) -> None:
    offset = 0
    for line in "".join(chars).splitlines(keepends=True):
        if junk_line(line):
            _blank(chars, offset, offset + len(line))
        offset += len(line)


def _blank_header(chars: list[str], text: str) -> None:
    match = _YAML_HEADER.match(text)
    if match and all(_YAML_LINE.match(line) for line in match.group("body").splitlines()):
        _blank(chars, 0, match.end())
        return
    offset, seen = 0, 0
    for line in text.splitlines(keepends=True):
        if not line.strip() and seen == 0:
            offset += len(line)
            continue
        if not _PELICAN_LINE.fullmatch(line.strip()):
            break
        offset += len(line)
        seen += 1
    if seen >= 2:
        _blank(chars, 0, offset)


def clean_text(text: str) -> str:
    """Blank markup and junk in `text`; the result has the same length and offsets."""
    chars = list(storable_text(text))
    _blank_markup(chars)
    # Lines, then inline junk, then lines again: a caption line is recognised by the credit
    # it ends with, and a line may be junk only once an ad shortcode is gone from it.
    _blank_junk_lines(chars)
    for _name, pattern in INLINE_JUNK:
        for match in pattern.finditer("".join(chars)):
            _blank(chars, match.start(), match.end())
    _blank_junk_lines(chars)
    _blank_header(chars, "".join(chars))
    cleaned = "".join(chars)
    # The whole pipeline's offsets rest on this; fail loudly rather than shift spans.
    assert len(cleaned) == len(text), "clean_text changed the text length"
    return cleaned
