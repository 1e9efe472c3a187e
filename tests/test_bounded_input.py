"""Bounded input (issue 13): decompression bombs, odd folder entries and damaged archives.

Every bomb is generated here, compressing as it goes: a gzip of a GiB of newlines (about
1 MB), a PDF whose content stream inflates to 512 MiB (about 520 KB). Each is run through
the real `childwatch run` in a subprocess, which must refuse it by name, naming the cap,
within 10 s of CPU time and 300 MB of peak memory (measured by a small parent process of its
own, so other tests' children do not count; CPU time, not wall time, so that a busy machine
does not fail a run that did little work), while the good files beside it are stored in a real
SQLite file.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from childwatch.errors import ChildwatchError, InputError
from childwatch.ingest import read_path
from childwatch.ingest.limits import GZIP_BYTES, GZIP_LINES, PDF_INFLATED, PDF_STREAM
from childwatch.records import Document
from childwatch.store import open_store
from pdf_maker import Page, bomb_pdf, write_pdf

CHILDWATCH = Path(sys.executable).with_name("childwatch")
CAPS = (GZIP_BYTES.env, GZIP_LINES.env, PDF_STREAM.env, PDF_INFLATED.env)
SECONDS = 10.0
PEAK_MB = 300.0
GIB = 1 << 30
MIB = 1 << 20
SENTENCE = "Armed men abducted 12 children from a school in Djugu territory on 3 May 2023, the UN said."

# Runs `childwatch run ...` and reports its exit code, output, CPU time and peak memory.
# RUSAGE_CHILDREN of this small parent covers exactly one child: the run.
MEASURE = r"""
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=300)
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": done.returncode, "output": done.stdout + done.stderr,
                  "seconds": used.ru_utime + used.ru_stime, "peak_mb": used.ru_maxrss / 1024}))
"""


@dataclass
class Run:
    code: int
    output: str
    seconds: float
    peak_mb: float


def run(*args: str | Path, env: dict[str, str] | None = None) -> Run:
    """`childwatch run ARGS` in a subprocess, measured; caps only as `env` sets them."""
    clean = {key: value for key, value in os.environ.items() if key not in CAPS}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(CHILDWATCH), "run", *map(str, args)],
        capture_output=True, text=True, timeout=600, env={**clean, **(env or {})},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return Run(**json.loads(done.stdout))


def assert_refused_fast_and_small(result: Run, path: Path, *names: str) -> str:
    """The run refused `path` (exit 1) within the time and memory bounds; its message line."""
    assert result.code == 1, result.output
    assert result.seconds < SECONDS, (result.seconds, result.output)
    assert result.peak_mb < PEAK_MB, (result.peak_mb, result.output)
    line = next((line for line in result.output.splitlines() if line.startswith(f"skipped: {path}")), None)
    assert line is not None, result.output
    for name in names:
        assert name in line, (name, line)
    return line


def write_gzip(path: Path, chunks: Iterable[bytes], head: bytes = b"") -> Path:
    """A gzip file of `chunks`, compressed as they come (nothing large is held), after `head`."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, 31)
    with path.open("wb") as out:
        out.write(head)
        for chunk in chunks:
            out.write(deflate.compress(chunk))
        out.write(deflate.flush())
    return path


def repeated(block: bytes, total: int) -> Iterable[bytes]:
    big = block * max(1, (8 * MIB) // len(block))
    for done in range(0, total, len(big)):
        yield big[: min(len(big), total - done)]


def good_jsonl(folder: Path) -> Path:
    path = folder / "good.jsonl"
    path.write_text(json.dumps({"id": "good-1", "text": SENTENCE}) + "\n")
    return path


def stored(db: Path, doc_id: str) -> bool:
    with open_store(db) as store:
        return store.document(doc_id) is not None


def errors_of(path: Path) -> list[InputError]:
    return [item for item in read_path(path) if isinstance(item, InputError)]


# --- gzip ------------------------------------------------------------------------------------


def test_a_gzip_of_a_gib_of_newlines_is_refused_by_the_line_cap_fast_and_small(tmp_path: Path) -> None:
    bomb = write_gzip(tmp_path / "newlines.jsonl.gz", repeated(b"\n", GIB))
    assert bomb.stat().st_size < 2 * MIB
    result = run(bomb, good_jsonl(tmp_path), "--db", tmp_path / "t.sqlite")
    line = assert_refused_fast_and_small(result, bomb, "10,000,000 lines", "CHILDWATCH_MAX_GZIP_LINES")
    assert "reading stopped after line 10,000,000" in line
    assert stored(tmp_path / "t.sqlite", "good-1")


def test_a_gzip_past_the_decompressed_byte_cap_is_refused_by_name(tmp_path: Path) -> None:
    # Lines of a MiB of spaces: blank, few, each within the line length limit.
    bomb = write_gzip(tmp_path / "spaces.jsonl.gz", repeated(b" " * (MIB - 1) + b"\n", 512 * MIB))
    result = run(bomb, good_jsonl(tmp_path), "--db", tmp_path / "t.sqlite", env={GZIP_BYTES.env: "64M"})
    assert_refused_fast_and_small(result, bomb, "decompresses to over 67,108,864 bytes (64 MiB)",
                                  "CHILDWATCH_MAX_GZIP_BYTES=128M")  # fmt: skip
    assert stored(tmp_path / "t.sqlite", "good-1")


def test_documents_before_the_line_cap_are_read_and_uncompressed_files_have_no_line_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(GZIP_LINES.env, "5")
    lines = "".join(json.dumps({"id": f"d{i}", "text": SENTENCE}) + "\n" for i in range(8))
    compressed = tmp_path / "eight.jsonl.gz"
    compressed.write_bytes(gzip.compress(lines.encode()))
    items = list(read_path(compressed))
    assert [item.id for item in items if isinstance(item, Document)] == [f"d{i}" for i in range(5)]
    (error,) = [item for item in items if isinstance(item, InputError)]
    assert error.where == str(compressed) and "over 5 lines" in error.problem and GZIP_LINES.env in error.hint
    plain = tmp_path / "eight.jsonl"
    plain.write_text(lines)
    assert len([item for item in read_path(plain) if isinstance(item, Document)]) == 8


def test_blank_lines_skipped_a_buffer_at_a_time_keep_line_numbers(tmp_path: Path) -> None:
    # Blank runs (\n and \r\n, across the 64 KB read buffer) are skipped in bulk; line
    # numbers in generated ids and in messages must still be exact.
    blank = "\n" * 70_000 + "\r\n" * 3 + "\r\r\n"
    text = blank + json.dumps({"text": SENTENCE}) + "\n" + blank + "{broken\n" + "\r\n"
    for name in ("blanks.jsonl", "blanks.jsonl.gz"):
        path = tmp_path / name
        path.write_bytes(gzip.compress(text.encode()) if name.endswith(".gz") else text.encode())
        doc, error = read_path(path)
        assert isinstance(doc, Document) and doc.id == "blanks-70005"
        assert isinstance(error, InputError) and error.where == f"{path}:140010"


def test_caps_come_from_the_environment_and_a_bad_value_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for cap in (GZIP_BYTES, GZIP_LINES, PDF_STREAM, PDF_INFLATED):
        monkeypatch.delenv(cap.env, raising=False)
    assert (GZIP_BYTES.value(), GZIP_LINES.value()) == (2 * GIB, 10_000_000)
    assert (PDF_STREAM.value(), PDF_INFLATED.value()) == (64 * MIB, 256 * MIB)
    monkeypatch.setenv(GZIP_BYTES.env, "3G")
    monkeypatch.setenv(PDF_STREAM.env, "1048576")
    assert (GZIP_BYTES.value(), PDF_STREAM.value()) == (3 * GIB, MIB)
    monkeypatch.setenv(GZIP_LINES.env, "lots")
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(gzip.compress(b"{}\n"))
    with pytest.raises(ChildwatchError, match="CHILDWATCH_MAX_GZIP_LINES='lots' is not a positive whole number"):
        list(read_path(path))


# --- PDF ---------------------------------------------------------------------------------------


def test_a_pdf_whose_stream_inflates_to_512_mib_is_refused_by_the_stream_cap_fast_and_small(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(bomb_pdf(512 * MIB))
    assert bomb.stat().st_size < MIB
    good = tmp_path / "good.pdf"
    good.write_bytes(write_pdf([Page(columns=[[SENTENCE]])]))
    result = run(bomb, good, "--db", tmp_path / "t.sqlite")
    line = assert_refused_fast_and_small(result, bomb, "a compressed stream inflates to over 67,108,864 bytes (64 MiB)",
                                         "CHILDWATCH_MAX_PDF_STREAM=128M")  # fmt: skip
    assert "scanned" not in line
    assert stored(tmp_path / "t.sqlite", "good")


def test_pdf_streams_that_together_pass_the_document_cap_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(PDF_INFLATED.env, "128K")
    path = tmp_path / "three.pdf"
    path.write_bytes(bomb_pdf(64 << 10, SENTENCE, streams=3))  # each stream well under the stream cap
    (error,) = errors_of(path)
    assert error.where == str(path)
    assert "streams inflate to over 131,072 bytes (128 KiB)" in error.problem
    assert "CHILDWATCH_MAX_PDF_INFLATED=256K" in error.hint
    monkeypatch.setenv(PDF_INFLATED.env, "1M")  # the same PDF under a higher cap: read
    (doc,) = read_path(path)
    assert isinstance(doc, Document) and SENTENCE in doc.text


# --- WARC --------------------------------------------------------------------------------------


def warc_record(url: str, content_type: str, body_length: int, kind: str = "resource") -> bytes:
    return (
        f"WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Record-ID: <urn:uuid:{abs(hash(url)):032x}>\r\n"
        f"WARC-Date: 2024-05-01T10:00:00Z\r\nWARC-Target-URI: {url}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {body_length}\r\n\r\n"
    ).encode()


def page_record(url: str = "https://news.example.org/djugu") -> bytes:
    body = f"<html><body><article><p>{SENTENCE}</p></article></body></html>".encode()
    return warc_record(url, "text/html", len(body)) + body + b"\r\n\r\n"


def test_a_warc_gz_of_a_gib_of_newlines_is_refused_fast_and_small(tmp_path: Path) -> None:
    bomb = write_gzip(tmp_path / "newlines.warc.gz", [page_record(), *repeated(b"\n", GIB)])
    result = run(bomb, good_jsonl(tmp_path), "--db", tmp_path / "t.sqlite")
    assert_refused_fast_and_small(result, bomb, "archive is damaged", "over 1 MiB of header or blank lines")
    assert stored(tmp_path / "t.sqlite", "good-1")


def test_a_warc_gz_record_past_the_decompressed_byte_cap_is_refused_by_name(tmp_path: Path) -> None:
    # An image record (passed over, but read through) of a GiB of zeros.
    image = warc_record("https://news.example.org/logo.png", "image/png", GIB)
    bomb = write_gzip(tmp_path / "image.warc.gz", [image, *repeated(b"\0", GIB), b"\r\n\r\n"],
                      head=gzip.compress(page_record()))  # fmt: skip
    result = run(bomb, "--db", tmp_path / "t.sqlite", env={GZIP_BYTES.env: "128M"})
    assert_refused_fast_and_small(result, bomb, "decompresses to over 134,217,728 bytes (128 MiB)",
                                  "CHILDWATCH_MAX_GZIP_BYTES=256M", "after 1 document(s)")  # fmt: skip
    assert "1 new" in result.output  # the page before the image was stored


def test_a_warc_gz_past_the_line_cap_is_refused_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(GZIP_LINES.env, "30")
    path = tmp_path / "pages.warc.gz"
    path.write_bytes(b"".join(gzip.compress(page_record(f"https://news.example.org/{i}")) for i in range(5)))
    items = list(read_path(path))
    error = items[-1]
    assert isinstance(error, InputError) and error.where == str(path)
    assert "over 30 lines" in error.problem and GZIP_LINES.env in error.hint
    assert all(isinstance(item, Document) for item in items[:-1]) and len(items) > 1


def good_warc() -> bytes:
    return page_record("https://news.example.org/a") + page_record("https://news.example.org/b")


def good_warc_gz() -> bytes:
    return gzip.compress(page_record("https://news.example.org/a")) + gzip.compress(
        page_record("https://news.example.org/b")
    )


MALFORMED: dict[str, tuple[str, bytes, str]] = {
    # name: (file name, content, what the message must say)
    "truncated in a record's content": ("cut.warc", good_warc()[:-60], "truncated"),
    "truncated in a record's headers": ("cut-headers.warc", good_warc()[: len(page_record()) + 40], "truncated"),
    "truncated gzip member": ("cut.warc.gz", good_warc_gz()[:-30], "truncated"),
    "garbage after the first line": ("garbage.warc", b"WARC/1.0\r\n" + bytes(range(256)) * 8, "no WARC-Type header"),
    "a header line without a colon": (
        "no-colon.warc", b"WARC/1.0\r\nno colon here\r\nWARC-Type: response\r\n\r\n\r\n", "malformed"
    ),
    "a bad Content-Length": (
        "bad-length.warc", warc_record("https://x.example.org/", "text/html", 5).replace(b": 5\r", b": five\r")
        + b"hello\r\n\r\n", "no valid Content-Length"
    ),
    "an unknown version": ("version.warc", good_warc().replace(b"WARC/1.0", b"WARC/9.9"), "WARC/1.0 or WARC/1.1"),
    "garbage between records": (
        "between.warc", page_record() + b"\x00\xff not a record \xfe\r\n" + page_record(), "WARC/1.0 or WARC/1.1"
    ),
    "one gzip stream for all records": ("one-member.warc.gz", gzip.compress(good_warc()), "one gzip member per record"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_warc_is_named_with_what_is_wrong_in_words(
    tmp_path: Path, case: str, capfd: pytest.CaptureFixture[str]
) -> None:
    name, content, says = MALFORMED[case]
    path = tmp_path / name
    path.write_bytes(content)
    (error,) = errors_of(path)
    message = str(error)
    assert error.where == str(path) and says in message, message
    assert "damaged" in message or "not a WARC" in message, message
    # No Python internals: exception class names, reprs of bytes or lists, tracebacks.
    assert not re.search(r"\w+(?:Error|Exception|Failed)\b|Traceback|NoneType|b'|\['|\\x", message), message
    assert capfd.readouterr().err == ""  # and nothing printed behind the message's back


def test_a_malformed_warc_in_a_batch_is_skipped_and_the_rest_is_stored(tmp_path: Path) -> None:
    bad = tmp_path / "cut.warc"
    bad.write_bytes(good_warc()[: len(page_record()) + 40])
    result = run(bad, good_jsonl(tmp_path), "--db", tmp_path / "t.sqlite")
    line = assert_refused_fast_and_small(result, bad, "archive is damaged", "truncated")
    assert "Error" not in line and "Traceback" not in result.output
    assert stored(tmp_path / "t.sqlite", "good-1")


# --- folder entries ----------------------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(), reason="needs FIFOs and /dev/zero")
def test_fifo_device_link_and_broken_links_are_named_and_skipped_and_the_batch_goes_on(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "a.txt").write_text(SENTENCE)
    (folder / "b.jsonl").write_text(json.dumps({"id": "b-1", "text": SENTENCE}) + "\n")
    os.mkfifo(folder / "pipe.jsonl")  # opening it would wait for a writer forever
    (folder / "zero.jsonl").symlink_to("/dev/zero")  # reading it would never end
    (folder / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    (folder / "loop").symlink_to(folder)  # a link to a folder: not followed
    direct = tmp_path / "direct.txt"
    direct.symlink_to(tmp_path / "missing.txt")
    result = run(folder, direct, "--db", tmp_path / "t.sqlite", "--no-resolve")
    assert result.code == 1, result.output
    assert result.seconds < 60, result.output
    expected = {
        folder / "pipe.jsonl": "is a named pipe (FIFO), not a regular file",
        folder / "zero.jsonl": "is a symbolic link to /dev/zero, a character device, not a regular file",
        folder / "gone.txt": "is a broken symbolic link",
        folder / "loop": f"is a symbolic link to {folder}, a folder; links to folders inside a folder are not followed",
        direct: "is a broken symbolic link",
    }
    for path, says in expected.items():
        assert f"skipped: {path}: {says}" in result.output, (path, result.output)
    assert "2 new" in result.output and "5 failed" in result.output
    assert stored(tmp_path / "t.sqlite", "a") and stored(tmp_path / "t.sqlite", "b-1")


def test_counting_for_the_progress_line_never_opens_a_fifo(tmp_path: Path) -> None:
    from childwatch.ingest.stream import count_documents

    os.mkfifo(tmp_path / "pipe.jsonl")
    (tmp_path / "a.jsonl").write_text("{}\n{}\n")
    assert count_documents([tmp_path]) == 3  # two lines, and the pipe's refusal


def test_a_big_ordinary_gzip_is_still_read(tmp_path: Path) -> None:
    # Under the caps nothing changes: a gzip with many documents is read whole.
    path = tmp_path / "many.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for i in range(2000):
            out.write(json.dumps({"id": f"d{i}", "text": SENTENCE}) + "\n")
    assert sum(isinstance(item, Document) for item in read_path(path)) == 2000
