"""Ingest: real files in, Documents (or InputErrors naming the input) out."""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from childwatch.errors import InputError
from childwatch.ingest import (
    DEFAULT_MAX_CHARS,
    DEFAULT_READERS,
    Reader,
    clean_text,
    normalise_date,
    read_path,
)
from childwatch.ingest.clean import junk_line
from childwatch.records import Document

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def read_all(
    *paths: Path | str, max_chars: int = DEFAULT_MAX_CHARS
) -> tuple[list[Document], list[InputError]]:
    docs: list[Document] = []
    errors: list[InputError] = []
    for item in read_path(*paths, max_chars=max_chars):
        if isinstance(item, Document):
            docs.append(item)
        else:
            errors.append(item)
    return docs, errors


def only_doc(path: Path) -> Document:
    docs, errors = read_all(path)
    assert not errors, errors
    assert len(docs) == 1
    return docs[0]


def only_error(path: Path, max_chars: int = DEFAULT_MAX_CHARS) -> InputError:
    docs, errors = read_all(path, max_chars=max_chars)
    assert not docs, docs
    assert len(errors) == 1
    return errors[0]


def assert_offsets_kept(original: str, cleaned: str) -> None:
    """Same length; newlines stay; every kept character is the original one at that offset
    (or, at the first character of a decoded entity, the character it stood for)."""
    assert len(cleaned) == len(original)
    for i, (was, now) in enumerate(zip(original, cleaned, strict=True)):
        if was in "\r\n":
            assert now == was, f"newline at {i} changed"
        elif now not in (" ", was):
            assert was == "&", f"offset {i}: {was!r} became {now!r}"


# --- formats -----------------------------------------------------------------------


def test_json_document_fields() -> None:
    path = FIXTURES / "school_attack.json"
    doc = only_doc(path)
    original = json.loads(path.read_bytes())
    assert doc.id == "tunga-dutse-school"
    assert doc.title == "Gunmen kill two pupils in attack on primary school"
    assert doc.url == "https://news.example.org/africa/tunga-dutse-school"
    assert doc.outlet == "Example News"
    assert doc.published == "2021-03-09"
    assert doc.media_type == "application/json"
    assert doc.origin == str(path)
    assert doc.raw == path.read_bytes()
    assert doc.sha256 == hashlib.sha256(doc.raw).hexdigest()
    assert doc.metadata == {"doc_type": "news_article", "countries_mentioned": ["Nigeria"]}
    assert_offsets_kept(original["text"], doc.text)
    start = original["text"].index("Gunmen attacked")
    assert doc.text[start : start + 15] == "Gunmen attacked"


def test_jsonl_one_document_per_line_with_line_origin() -> None:
    path = FIXTURES / "kidnappings.jsonl"
    docs, errors = read_all(path)
    assert not errors
    assert [d.id for d in docs] == ["k-001", "kidnappings-2", "42"]
    assert [d.origin for d in docs] == [f"{path}:1", f"{path}:2", f"{path}:4"]  # line 3 is blank
    lines = path.read_bytes().split(b"\n")
    assert [d.raw for d in docs] == [lines[0], lines[1], lines[3]]
    assert docs[1].metadata["generated_id"] is True
    assert "generated_id" not in docs[0].metadata
    for doc in docs:
        assert doc.text == json.loads(doc.raw)["text"]  # nothing to blank in these
        assert doc.sha256 == hashlib.sha256(doc.raw).hexdigest()


def test_jsonl_gz_is_read_like_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "wire.jsonl.gz"
    path.write_bytes(gzip.compress((FIXTURES / "kidnappings.jsonl").read_bytes()))
    docs, errors = read_all(path)
    assert not errors
    assert [d.id for d in docs] == ["k-001", "wire-2", "42"]
    assert docs[0].origin == f"{path}:1"


def test_txt_id_is_stem_and_headline_is_title() -> None:
    path = FIXTURES / "abduction_report.txt"
    doc = only_doc(path)
    original = path.read_text("utf-8")
    assert doc.id == "abduction_report"
    assert doc.title == "Villagers describe night raid on orphanage"
    assert doc.media_type == "text/plain"
    assert doc.raw == path.read_bytes()
    assert_offsets_kept(original, doc.text)
    assert "Twitter" not in doc.text
    assert "Families wait" not in doc.text
    assert "Email messages seen by reporters" in doc.text  # a story sentence, not a share button


def test_txt_first_line_that_is_a_sentence_is_not_a_title(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("Soldiers detained six boys at the checkpoint.\nThey were released two days later.\n")
    assert only_doc(path).title is None


def test_html_main_text_title_date_without_comments() -> None:
    path = FIXTURES / "clinic_strike.html"
    doc = only_doc(path)
    assert doc.id == "clinic_strike"
    assert doc.media_type == "text/html"
    assert doc.raw == path.read_bytes()
    assert doc.title == "Air strike hits children's clinic"
    assert doc.published == "2019-11-04"
    assert doc.url == "https://times.example.com/world/clinic-strike"
    assert doc.outlet == "Example Times"
    assert doc.language == "en"
    assert "killing four children and a nurse" in doc.text
    assert "my thoughts are with" not in doc.text
    assert "Sport" not in doc.text


def test_txt_holding_a_whole_page_is_read_as_html(tmp_path: Path) -> None:
    path = tmp_path / "saved.txt"
    shutil.copy(FIXTURES / "clinic_strike.html", path)
    doc = only_doc(path)
    assert doc.media_type == "text/html"
    assert doc.id == "saved"
    assert "killing four children" in doc.text


def test_folder_walk_is_recursive_sorted_and_skips_hidden(tmp_path: Path) -> None:
    story = "Gunmen abducted four pupils from a school near the river on Monday, police said."
    for name in ("b.txt", "a/z.txt", "a/c.txt", ".hidden.txt", ".git/x.txt", "c.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(story)
    docs, errors = read_all(tmp_path)
    assert not errors
    assert [Path(d.origin).relative_to(tmp_path).as_posix() for d in docs] == [
        "a/c.txt",
        "a/z.txt",
        "b.txt",
        "c.txt",
    ]
    assert [d.id for d in read_all(tmp_path / ".hidden.txt")[0]] == [".hidden"]  # named explicitly


# --- the working-text contract ---------------------------------------------------------

_FRAGMENTS = [
    "Gunmen stormed the school in the early hours and abducted 39 students, officials said.",
    "<p>",
    "</p>",
    "<br />",
    '<a href="https://example.org/x?a=1&amp;b=2">',
    "</a>",
    "<div class='c'>",
    "&amp;",
    "&#8217;",
    "&#x2014;",
    "&nbsp;",
    "&quot;",
    "&bogus;",
    "& ",
    "AT&T",
    "<5 children",
    "a < b > c",
    "\n",
    "\r\n",
    "\n\n",
    "Share this with Facebook",
    "Home | World | Sport | Sign in",
    "ADVERTISEMENT",
    "READ MORE: Another attack on a school",
    "Sign up for our newsletter",
    "Getty Images",
    "élèves",
    "<script>var x = '<p>';</script>",
    "<!-- comment -->",
    "[ad_1]",
    "\xa0",
    "— 12 killed",
    "Related:",
]


def _inputs() -> list[str]:
    rng = random.Random(20240611)
    texts = [json.loads((FIXTURES / "school_attack.json").read_bytes())["text"]]
    texts.append((FIXTURES / "abduction_report.txt").read_text("utf-8"))
    texts += ["".join(rng.choice(_FRAGMENTS) for _ in range(rng.randint(1, 40))) for _ in range(300)]
    texts += ["---\ntitle: Raid\ndate: 2020-01-01\n---\nBody text here.", "", "&", "<", "\n"]
    return texts


def test_clean_text_keeps_length_and_every_kept_character_in_place() -> None:
    for text in _inputs():
        assert_offsets_kept(text, clean_text(text))


def test_clean_text_is_idempotent() -> None:
    for text in _inputs():
        once = clean_text(text)
        assert clean_text(once) == once


def test_tags_blanked_and_entities_decoded_in_place() -> None:
    text = "<p>Pupils&#8217; parents &amp; teachers</p>&nbsp;<br />fled."
    cleaned = clean_text(text)
    assert cleaned == "   Pupils’" + " " * 6 + " parents &" + " " * 4 + " teachers" + " " * 16 + "fled."
    assert_offsets_kept(text, cleaned)


def test_not_a_tag_and_unknown_entity_kept() -> None:
    text = "More than <5 children and AT&T staff &bogus; were there.\n"
    assert clean_text(text) == text


def test_script_style_and_comments_blanked_with_content() -> None:
    text = "A<script>var s = '<p>boys</p>';</script>B<style>p{}</style>C<!-- recruited -->D"
    assert clean_text(text).replace(" ", "") == "ABCD"


def test_yaml_front_matter_blanked() -> None:
    text = (
        '---\ntitle: Raid on school\nkeywords: "child soldiers | abduction"\n---\nGunmen raided the school.\n'
    )
    cleaned = clean_text(text)
    assert cleaned.strip() == "Gunmen raided the school."
    assert cleaned.count("\n") == text.count("\n")


JUNK_LINES = [
    "Home | World | Africa | Sport | Sign in",
    "News › Africa › Nigeria",
    "Share this with Facebook",
    "Share this with Twitter",
    "Facebook Twitter Email",
    "Twitter",
    "Email",
    "Sign up for our newsletter",
    "Subscribe",
    "READ MORE: Schools shut after wave of kidnappings in the north",
    "Related:",
    "Related: Families of missing pupils wait for news",
    "More on this story",
    "ADVERTISEMENT",
    "Advertisement",
    "[ad_1]",
    "Follow @ExampleDesk on Twitter",
    "Follow us on Facebook",
    "Image copyright Getty Images",
    "Image caption Pupils wait outside the damaged classroom block",
    "Children walk past the burnt school. Photograph: Jane Doe/AFP/Getty Images",
    "A boy looks at the ruins of his school (AFP via Getty Images)",
    "We use cookies to improve your experience. By continuing to browse this site you agree to our cookies.",
    "Click here to read the full report",
    "Copyright 2019 Example Times. All rights reserved.",
    "@highlight",
    "Skip to main content",
]

STORY_LINES = [
    "Gunmen attacked a primary school on Tuesday, killing two pupils, officials said.",
    "The group said on Twitter that it had abducted the children from their dormitory.",
    "Email messages seen by reporters show the commander ordered the recruitment of boys as young as 14.",
    "Residents followed the kidnappers on foot into the forest but lost their trail at night.",
    "Related groups have carried out similar raids on schools in the region since January.",
    "Subscribers to the local radio station heard the governor's appeal for the girls' release.",
    "Home is now a tent for the 40 children who escaped the raid.",
    "Copyright lawyers were not involved; the footage was filmed by a teacher who survived.",
    "Share prices fell after the attack, but the children were released unharmed on Friday.",
    "Photographs shared by residents showed the burnt classrooms and the abandoned school bags.",
    "Reuters",
    "Source: AP",
]


@pytest.mark.parametrize("line", JUNK_LINES)
def test_junk_line_blanked(line: str) -> None:
    text = f"Soldiers freed 12 abducted children near the border on Monday.\n{line}\nThe army said.\n"
    cleaned = clean_text(text)
    assert cleaned.splitlines()[1].strip() == "", junk_line(line)
    assert cleaned.splitlines()[0] == "Soldiers freed 12 abducted children near the border on Monday."
    assert cleaned.splitlines()[2] == "The army said."


@pytest.mark.parametrize("line", STORY_LINES)
def test_story_sentence_never_blanked(line: str) -> None:
    text = f"Share this with Facebook\n{line}\n"
    assert clean_text(text).splitlines()[1] == line


def test_inline_photo_credit_glued_into_text_blanked() -> None:
    text = (
        "were taken hostage.Jane Roe/AFP via Getty ImagesThe army said"
        " (Photo by Ann Lee/Getty Images) it acted."
    )
    cleaned = clean_text(text)
    assert "Getty" not in cleaned
    assert "were taken hostage." in cleaned and "The army said" in cleaned and "it acted." in cleaned


# --- dates -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2015-07-06", "2015-07-06"),
        ("2015-07-06T10:00:00Z", "2015-07-06"),
        ("2015-07-06 07:36:36+00:00", "2015-07-06"),
        ("2020-09-02-22-28-49", "2020-09-02"),
        ("July 6, 2015", "2015-07-06"),
        ("6 July 2015", "2015-07-06"),
        ("Mon, 06 Jul 2015 10:00:00 +0000", "2015-07-06"),
        ("13/07/2015", "2015-07-13"),
        ("06/07/2015", None),
        ("2015", None),
        ("July 2015", None),
        ("7 days ago", None),
        ("2015-02-30", None),
        ("", None),
        (None, None),
        (2015, None),
    ],
)
def test_published_normalised(raw: object, expected: str | None) -> None:
    assert normalise_date(raw) == expected


def test_unparseable_published_kept_raw(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"id": "a", "text": "Two girls were abducted.", "published": "06/07/2015"}))
    doc = only_doc(path)
    assert doc.published is None
    assert doc.metadata["published_raw"] == "06/07/2015"


# --- bad inputs --------------------------------------------------------------------------

GOOD = {
    "id": "good",
    "text": "Armed men seized three children from a camp for displaced people, a UN official said.",
}


def _write(path: Path, content: bytes | str) -> Path:
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


def test_bad_inputs_each_give_an_error_naming_the_file_and_the_batch_goes_on(tmp_path: Path) -> None:
    bad: dict[str, tuple[bytes | str, str]] = {
        "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        "latin.json": (b'{"text": "\xe9l\xe8ves enlev\xe9s"}', "not valid UTF-8"),
        "empty.txt": (b"", "empty"),
        "blank.json": (b"  \n", "empty"),
        "empty_text.json": (json.dumps({"id": "x", "text": "   "}), "'text' is empty"),
        "broken.json": ('{\n  "id": "x",\n  "text": "abc"\n', "line 4, column 1"),
        "list.json": (json.dumps([GOOD]), "found an array"),
        "no_text.json": (json.dumps({"id": "x", "body": "abc"}), "no 'text' field"),
        "number_text.json": (json.dumps({"id": "x", "text": 12}), "'text' must be a string, found int"),
        "bad_id.json": (json.dumps({"id": ["x"], "text": "abc"}), "'id' must be a string"),
        "huge.json": (json.dumps({"id": "x", "text": "children " * 20}), "over the limit of 100"),
        "notes.csv": ("a,b\n1,2\n", "unsupported file type .csv"),
        "page.html": ("<html><body><nav>Home</nav></body></html>", "no main text"),
    }
    for name, (content, _) in bad.items():
        _write(tmp_path / name, content)
    _write(tmp_path / "good.json", json.dumps(GOOD))
    _write(tmp_path / "good.txt", GOOD["text"])
    docs, errors = read_all(tmp_path, max_chars=100)
    assert sorted(d.id for d in docs) == ["good", "good"]
    assert len(errors) == len(bad)
    for error in errors:
        name = Path(error.where).name
        assert error.where == str(tmp_path / name)
        assert bad[name][1] in str(error), str(error)
        assert str(error).startswith(f"{tmp_path / name}: ")


def test_unsupported_type_message_says_what_is_read(tmp_path: Path) -> None:
    error = only_error(_write(tmp_path / "report.docx", b"PK\x03\x04"))
    assert error.problem.startswith("unsupported file type .docx; childwatch reads .json, .jsonl")
    assert ".txt" in error.problem and ".html" in error.problem and ".pdf" in error.problem


def test_huge_document_error_says_how_to_raise_the_limit(tmp_path: Path) -> None:
    path = _write(tmp_path / "long.txt", "The children were recruited. " * 10)
    error = only_error(path, max_chars=50)
    assert "over the limit of 50" in error.problem
    assert "max_chars=" in error.hint
    assert only_doc(path).id == "long"  # fine under the default limit


def test_jsonl_bad_lines_named_with_line_and_others_go_on(tmp_path: Path) -> None:
    lines = [
        json.dumps(GOOD),
        '{"id": "broken", "text": "abc"',
        json.dumps([1, 2]),
        json.dumps({"id": "nt"}),
        "",
        json.dumps({"text": "Boys as young as 13 were seen at the checkpoint carrying rifles."}),
    ]
    path = _write(tmp_path / "feed.jsonl", "\n".join(lines).encode() + b"\n" + b'{"text": "\xff"}\n')
    docs, errors = read_all(path)
    assert [d.id for d in docs] == ["good", "feed-6"]
    assert [e.where for e in errors] == [f"{path}:2", f"{path}:3", f"{path}:4", f"{path}:7"]
    assert str(errors[0]).startswith(f"{path}:2: invalid JSON at column")
    assert "not valid UTF-8" in errors[3].problem


def test_missing_path_is_an_error_not_an_exception(tmp_path: Path) -> None:
    error = only_error(tmp_path / "nowhere.json")
    assert "no such file" in error.problem


def test_damaged_gzip_is_an_error(tmp_path: Path) -> None:
    data = gzip.compress((json.dumps(GOOD) + "\n").encode())
    error = only_error(_write(tmp_path / "cut.jsonl.gz", data[: len(data) // 2]))
    assert "damaged" in error.problem


# --- encodings -----------------------------------------------------------------------------


def test_cp1252_text_is_read_and_the_encoding_recorded(tmp_path: Path) -> None:
    path = _write(tmp_path / "old.txt", "Les élèves enlevés à l’école ont été libérés.".encode("cp1252"))
    doc = only_doc(path)
    assert doc.text == "Les élèves enlevés à l’école ont été libérés."
    assert doc.metadata["encoding"] == "cp1252"


def test_utf8_bom_text_offsets_start_after_the_mark(tmp_path: Path) -> None:
    path = _write(tmp_path / "bom.txt", b"\xef\xbb\xbfGunmen abducted 20 pupils.")
    doc = only_doc(path)
    assert doc.text == "Gunmen abducted 20 pupils."
    assert doc.metadata["encoding"] == "utf-8-sig"
    assert doc.raw.startswith(b"\xef\xbb\xbf")


def test_utf16_json_with_bom_is_read(tmp_path: Path) -> None:
    path = _write(tmp_path / "wide.json", json.dumps(GOOD).encode("utf-16"))
    doc = only_doc(path)
    assert doc.id == "good"
    assert doc.metadata["encoding"] == "utf-16"
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_sha256_matches_raw_for_every_fixture() -> None:
    docs, errors = read_all(FIXTURES)
    assert not errors
    assert len(docs) == 6
    for doc in docs:
        assert doc.sha256 == hashlib.sha256(doc.raw).hexdigest()


def test_jsonl_oversized_line_skipped_and_next_line_read(tmp_path: Path) -> None:
    long_line = json.dumps({"id": "long", "text": "Boys were recruited. " * 20})
    path = _write(
        tmp_path / "mixed.jsonl", long_line + "\n" + json.dumps({"id": "ok", "text": "Two hurt."}) + "\n"
    )
    docs, errors = read_all(path, max_chars=10)
    assert [d.id for d in docs] == ["ok"]
    assert [e.where for e in errors] == [f"{path}:1"]
    assert "max_chars=" in errors[0].hint


def test_jsonl_in_utf16_is_refused_with_advice(tmp_path: Path) -> None:
    error = only_error(_write(tmp_path / "wide.jsonl", (json.dumps(GOOD) + "\n").encode("utf-16")))
    assert "UTF-16" in error.problem
    assert "UTF-8" in error.hint


def test_json_lines_in_a_json_file_hint_at_jsonl(tmp_path: Path) -> None:
    error = only_error(_write(tmp_path / "many.json", json.dumps(GOOD) + "\n" + json.dumps(GOOD) + "\n"))
    assert error.problem.startswith("invalid JSON at line 2, column 1")
    assert ".jsonl" in error.hint


def test_json_title_entities_decoded_and_unusable_fields_kept_in_metadata(tmp_path: Path) -> None:
    obj = {**GOOD, "title": "Pupils&#8217; <b>ordeal</b>", "outlet": {"name": "Wire"}, "language": "en"}
    doc = only_doc(_write(tmp_path / "t.json", json.dumps(obj)))
    assert doc.title == "Pupils’ ordeal"
    assert doc.outlet is None
    assert doc.metadata["outlet"] == {"name": "Wire"}
    assert doc.language == "en"


def test_json_without_id_uses_file_stem(tmp_path: Path) -> None:
    doc = only_doc(_write(tmp_path / "raid-2021.json", json.dumps({"text": GOOD["text"]})))
    assert doc.id == "raid-2021"
    assert doc.metadata["generated_id"] is True


def test_cp1252_html_declared_in_meta_is_read(tmp_path: Path) -> None:
    page = (FIXTURES / "clinic_strike.html").read_text("utf-8")
    page = page.replace('charset="utf-8"', 'charset="windows-1252"').replace("a nurse", "a nurse, Ms Zoë Adé")
    doc = only_doc(_write(tmp_path / "old.html", page.encode("cp1252")))
    assert "Ms Zoë Adé" in doc.text
    assert doc.metadata["encoding"] == "windows-1252"


def test_a_custom_reader_plugs_in(tmp_path: Path) -> None:
    class UpperReader(Reader):
        suffixes = (".up",)

        def read(self, path: Path, *, max_chars: int) -> Iterator[Document | InputError]:
            raw = path.read_bytes()
            text = raw.decode().upper()
            yield Document(
                path.stem, clean_text(text), raw, hashlib.sha256(raw).hexdigest(), str(path), "text/plain"
            )

    path = _write(tmp_path / "a.up", "two girls freed")
    (item,) = read_path(path, readers=[UpperReader(), *DEFAULT_READERS])
    assert isinstance(item, Document) and item.text == "TWO GIRLS FREED"
    (error,) = read_path(path)
    assert isinstance(error, InputError) and "unsupported file type .up" in error.problem
