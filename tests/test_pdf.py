"""PDF reports: reading order, running headers, hyphenation, page numbers of evidence.

Every PDF here is written by the test itself (tests/pdf_maker.py, with fpdf2), so the
layout is known exactly: where the columns are, which line breaks where, which page says
what. The text is ours (fictional specifics).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

from childwatch.errors import InputError
from childwatch.ingest import read_path
from childwatch.ingest.pdf import page_numbers, pdf_document
from childwatch.records import Document
from childwatch.store import open_store
from pdf_maker import Page, scanned_pdf, wrap, write_pdf

CHILDWATCH = Path(sys.executable).with_name("childwatch")
HEADER = "Children and armed conflict in the Kivus - report of the country task force"
FOOTER = "Page {n} of 3 | For official use"

RECRUITMENT = (
    "The task force verified that armed groups in Masisi territory recruited and used 41 children, "
    "including nine girls, between January and June 2023, according to the United Nations."
)
ABDUCTION = (
    "On 3 May 2023, CODECO fighters abducted 12 girls from a school in Djugu territory, Ituri province, "
    "the United Nations said."
)
KILLING = "Unexploded ordnance killed three children near Rutshuru in July 2023, UNICEF said."


def report_pages() -> list[Page]:
    """Three pages: two columns (a title across them), two columns, one column; a sentence
    runs from the left into the right column, another from page 1 onto page 2."""
    intro = wrap(
        "During the reporting period, the task force documented grave violations against children across "
        "the eastern provinces. Access to several areas remained limited because of insecurity, and the "
        "figures below are therefore incomplete.",
        2,
    )
    left1 = [*intro, "", *wrap(RECRUITMENT, 2)]
    right1 = wrap(
        "Most of the children were used as combatants, porters and guards. Several had been recruited from "
        "camps for displaced people, where families lacked food and",
        2,
    )
    left2 = [*wrap("schooling. Community leaders said recruiters returned to the camps every few weeks.", 2), ""]
    left2 += wrap(ABDUCTION, 2)
    right2 = wrap("Humanitarian organisations said the attack forced four other schools in the area to close.", 2)
    page3 = wrap(KILLING + " The figures for the second half of the year will follow in the next report.", 1)
    return [
        Page(columns=[left1, right1], title="Grave violations against children", header=HEADER, footer=FOOTER),
        Page(columns=[left2, right2], header=HEADER, footer=FOOTER),
        Page(columns=[page3], header=HEADER, footer=FOOTER),
    ]


def read(data: bytes, name: str = "report.pdf") -> Document:
    doc = pdf_document(data, where=name, doc_id=Path(name).stem, max_chars=1_000_000)
    assert isinstance(doc, Document), doc
    return doc


def test_two_columns_are_read_left_then_right_and_sentences_come_out_whole() -> None:
    doc = read(write_pdf(report_pages()))
    text = doc.text
    for sentence in (RECRUITMENT, ABDUCTION, KILLING):
        assert sentence in text
    # Left column before right column, on each page.
    assert text.index("incomplete.") < text.index("Most of the children")
    assert text.index("recruiters returned") < text.index("Humanitarian organisations")
    # A sentence that runs on from page 1 to page 2 is one sentence.
    assert "where families lacked food and schooling. Community leaders" in text


def test_running_headers_footers_and_page_numbers_are_dropped() -> None:
    doc = read(write_pdf(report_pages()))
    assert "task force" in doc.text
    assert "country task force" not in doc.text and "Kivus" not in doc.text
    assert "Page" not in doc.text and "official use" not in doc.text


def test_a_header_on_one_page_only_is_kept() -> None:
    pages = [Page(columns=[wrap(ABDUCTION, 1)], header="Annex I: verified incidents"), Page(columns=[wrap(KILLING)])]
    assert "Annex I: verified incidents" in read(write_pdf(pages)).text


def test_words_hyphenated_at_line_ends_are_joined() -> None:
    lines = [
        "Armed groups continued the recruit-",
        "ment of children in the highlands, and the",
        "well-known practice of using boys as porters",
        "persisted, the mission said.",
    ]
    text = read(write_pdf([Page(columns=[lines])])).text
    assert "continued the recruitment of children in the highlands, and the well-known practice" in text
    assert "\n" not in text.strip()


def test_three_columns_are_read_in_order() -> None:
    columns = [
        ["First column opens the story", "and carries it down.", "It ends here."],
        ["Second column follows", "with more of it.", "Still more."],
        ["Third column closes", "the story for good.", "The end."],
    ]
    text = read(write_pdf([Page(columns=columns)])).text
    assert text.index("First column") < text.index("Second column") < text.index("Third column")


def test_page_starts_and_page_numbers() -> None:
    doc = read(write_pdf(report_pages()))
    starts = doc.metadata["pages"]
    assert isinstance(starts, list) and len(starts) == 3 and starts[0] == 0
    for number, sentence in ((1, RECRUITMENT), (2, ABDUCTION), (3, KILLING)):
        start = doc.text.index(sentence)
        assert page_numbers(start, start + len(sentence), starts) == [number]
    across = doc.text.index("where families lacked food and schooling.")
    assert page_numbers(across, across + 41, starts) == [1, 2]


def test_page_numbers_at_the_edges() -> None:
    starts = [0, 10, 10, 25]  # page 3 is empty
    assert page_numbers(0, 10, starts) == [1]
    assert page_numbers(9, 11, starts) == [1, 2, 3]
    assert page_numbers(10, 12, starts) == [3]
    assert page_numbers(30, 30, starts) == [4]
    assert page_numbers(0, 5, []) == []


def test_a_scanned_pdf_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf())
    (error,) = read_path(path)
    assert isinstance(error, InputError)
    assert error.where == str(path)
    assert "no text layer" in error.problem and "OCR" in error.problem


def test_a_file_that_is_not_a_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"<html>not a pdf</html>")
    (error,) = read_path(path)
    assert isinstance(error, InputError) and "is not a PDF" in error.problem
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage")
    (error,) = read_path(path)
    assert isinstance(error, InputError) and error.where == str(path)


def test_a_password_protected_pdf_is_refused(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    pdf.text(20, 20, "Confidential annex on grave violations against children.")
    pdf.set_encryption(owner_password="owner", user_password="secret")
    path = tmp_path / "annex.pdf"
    path.write_bytes(bytes(pdf.output()))
    (error,) = read_path(path)
    assert isinstance(error, InputError) and "encrypted" in error.problem


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CHILDWATCH), *map(str, args)], capture_output=True, text=True, timeout=300)


def test_run_stores_the_pdf_and_exports_the_pages_of_each_claim(tmp_path: Path) -> None:
    data = write_pdf(report_pages())
    report = tmp_path / "kivu-report.pdf"
    report.write_bytes(data)
    db = tmp_path / "cw.sqlite"
    done = _run("run", report, "--db", db)
    assert done.returncode == 0, done.stderr
    with open_store(db) as store:
        stored = store.document("kivu-report")
        assert stored is not None and stored.raw == data
        assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.media_type == "application/pdf"
    out = tmp_path / "claims.jsonl"
    assert _run("export", "--db", db, "--format", "jsonl", "--out", out).returncode == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    pages = {r["violation"]: r["pages"] for r in records}
    assert pages["recruitment_use"] == [1]
    assert pages["abduction"] == [2]
    assert pages["killing_maiming"] == [3]
    csv_out = tmp_path / "claims.csv"
    assert _run("export", "--db", db, "--format", "csv", "--out", csv_out).returncode == 0
    with csv_out.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert {r["violation"]: r["pages"] for r in rows}["abduction"] == "2"
    incident = next(r["incident_id"] for r in records if r["violation"] == "abduction")
    detail = _run("incidents", "--db", db, "--id", incident)
    assert "(p. 2)" in detail.stdout, detail.stdout


def test_claims_of_other_documents_have_no_pages(tmp_path: Path) -> None:
    page = tmp_path / "note.txt"
    page.write_text("Note\n" + ABDUCTION + "\n", encoding="utf-8")
    db = tmp_path / "cw.sqlite"
    assert _run("run", page, "--db", db, "--no-resolve").returncode == 0
    out = _run("export", "--db", db, "--format", "jsonl", "--out", "-").stdout
    assert out and all(json.loads(line)["pages"] is None for line in out.splitlines())


def test_run_reports_a_scanned_pdf_and_goes_on(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "scan.pdf").write_bytes(scanned_pdf())
    (reports / "report.pdf").write_bytes(write_pdf(report_pages()))
    done = _run("run", reports, "--db", tmp_path / "cw.sqlite", "--no-resolve")
    assert done.returncode == 1
    assert "scan.pdf: has no text layer" in done.stderr
    assert "2 documents read, 1 new" in done.stdout


def test_a_damaged_pdf_is_named_in_words_without_python_internals(tmp_path: Path) -> None:
    bad = tmp_path / "damaged.pdf"
    bad.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4)  # a header, then no structure at all
    (outcome,) = list(read_path(bad))
    assert isinstance(outcome, InputError)
    message = str(outcome)
    assert "damaged.pdf" in message and "damaged or not a PDF" in message
    assert not re.search(r"\b[A-Z][a-z]+(?:Error|Exception)\b|Traceback|PDFSyntax", message), message
