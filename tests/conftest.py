"""Shared fixtures for the web tests: a real SQLite file made by the real pipeline over
our own short reports (tests/fixtures/web), plus users of each role.

`web-004.json` carries markup (`<script>`, an onerror attribute) and a child's name;
the ingest cleaner blanks markup in what it reads, so one more report is written to the
store directly with its markup intact (as a future reader that forgot to clean might),
to prove the pages show such text inert whatever the pipeline did.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from childwatch.extract import Extractor
from childwatch.records import Claim, Document, Location, Span, Victims
from childwatch.resolve.facts import ClaimFacts, day_interval
from childwatch.run.pipeline import run_pipeline
from childwatch.store import Store, open_store
from pgtest import postgres_databases  # noqa: F401  (the PostgreSQL test server, see pgtest.py)

WEB_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "web"
PASSWORD = "a long test passphrase"
ROLES = {"admin": "admin", "analyst": "analyst", "viewer": "viewer"}  # user name -> role

HOSTILE_ID = "raw-hostile"
HOSTILE_SCRIPT = "<script>window.__pwned = 1</script>"
HOSTILE_IMG = '<img src=x onerror="window.__pwned = 2">'
HOSTILE_TEXT = (
    "Fighters of M23 abducted 3 children near Goma on 2 June 2022, a witness said: "
    f"{HOSTILE_SCRIPT} and {HOSTILE_IMG} were written on the wall."
)


def add_hostile_report(store: Store) -> None:
    """A report stored as-is, markup and all, with a claim whose spans cover the markup."""
    text = HOSTILE_TEXT
    evidence = Span(0, len(text), text)
    script_at = text.index(HOSTILE_SCRIPT)
    img_at = text.index(HOSTILE_IMG)
    doc = Document(
        id=HOSTILE_ID,
        text=text,
        raw=text.encode("utf-8"),
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        origin="tests/conftest.py",
        media_type="text/plain",
        title=f"Wall writing {HOSTILE_SCRIPT}",
        outlet="Test Wire",
        published="2022-06-03",
    )
    claim = Claim(
        doc_id=HOSTILE_ID,
        violation="abduction",
        kind="incident",
        evidence=evidence,
        perpetrator="M23",
        perpetrator_id="m23",
        perpetrator_span=Span(text.index("M23"), text.index("M23") + 3, "M23"),
        victims=Victims(count=3, count_span=Span(text.index("3 children"), text.index("3 children") + 1, "3")),
        location=Location(
            name="Goma",
            admin1="North Kivu",
            country="CD",
            lat=-1.68,
            lon=29.22,
            precision="place",
            span=Span(text.index("Goma"), text.index("Goma") + 4, "Goma"),
        ),
        source="a witness",
        source_span=Span(script_at, img_at + len(HOSTILE_IMG), text[script_at : img_at + len(HOSTILE_IMG)]),
        trigger=Span(text.index("abducted"), text.index("abducted") + 8, "abducted"),
    )
    store.write_batch([(doc, [claim])])


def _build(db: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "childwatch.cli", "run", str(WEB_FIXTURES), "--db", str(db)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    from childwatch.review.users import add_user
    from childwatch.run.resolution import resolve

    with open_store(db) as store:
        add_hostile_report(store)
        resolve(store)
        for name, role in ROLES.items():
            add_user(store, name, PASSWORD, role)


def text_document(text: str, published: str | None = "2024-05-10", doc_id: str = "t") -> Document:
    """A plain-text report of our own, as the extraction tests write them."""
    return Document(id=doc_id, text=text, raw=text.encode(), sha256="0" * 64, origin="test",
                    media_type="text/plain", published=published)  # fmt: skip


def claims_in(extractor: Extractor, text: str, published: str | None = "2024-05-10") -> list[Claim]:
    return extractor.extract(text_document(text, published))


def fixture_store(path: Path, reports: Path) -> Iterator[Store]:
    """A real SQLite store at `path` with our own fixture reports run into it (not yet
    resolved): the body of the resolution tests' store fixtures."""
    store = open_store(path)
    run_pipeline([reports], store)
    yield store
    store.close()


def claim_facts(**fields: Any) -> ClaimFacts:
    """A claim as resolution compares it, for pair-by-pair tests of `compare`: report "a" of
    outlet A, an undated, unplaced incident of unknown toll, and whatever `fields` say. The
    day interval follows the dates given."""
    base: dict[str, Any] = dict(
        claim_id=1, doc_id="a", ordinal=0, story="a", published="2025-01-15", outlet="A", story_outlet="A",
        violation="killing_maiming", kind="incident", perpetrator_id=None, perpetrator=None,
        count=None, count_low=None, count_high=None, age_min=None, age_max=None, sex=None, group=None,
        place_id=None, place=None, admin1=None, country=None, lat=None, lon=None, precision=None,
        date_start=None, date_end=None, date_lo=None, date_hi=None, source=None,
        source_key="outlet:a", names=frozenset(), doc_names=frozenset(), place_stated=True,
        perpetrator_stated=False, words=frozenset(), incident_id=None,
    )  # fmt: skip
    base.update(fields)
    base["date_lo"], base["date_hi"] = day_interval(base["date_start"], base["date_end"])
    return ClaimFacts(**base)


def incidents_of(store: Store, doc_id: str, violation: str) -> set[str | None]:
    """The incidents a report's claims of one violation are assigned to."""
    return {c.claim.incident_id for c in store.iter_claims(doc_id=doc_id, violation=violation)}


@pytest.fixture(scope="session")
def extractor() -> Extractor:
    """One extractor (codebook, lexicon, gazetteer loaded once) for every test."""
    return Extractor()


@pytest.fixture(scope="session")
def web_db_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per test session; copy it (`web_db`) before changing anything."""
    db = tmp_path_factory.mktemp("web-template") / "web.sqlite"
    _build(db)
    return db


@pytest.fixture()
def web_db(web_db_template: Path, tmp_path: Path) -> Path:
    """A private copy of the web database for one test."""
    db = tmp_path / "web.sqlite"
    shutil.copyfile(web_db_template, db)
    return db


class Server:
    """`childwatch serve --port 0 ARGS...` in a subprocess; the address is read from what it
    prints. The secret key is fixed, so that sessions may outlive a restart; with
    `secret_key=None` the server uses the key kept in the store, as it does by default."""

    def __init__(self, db: Path, *args: str, secret_key: str | None = "browser-tests") -> None:
        env = {k: v for k, v in os.environ.items() if k != "CHILDWATCH_SECRET_KEY"}
        if secret_key is not None:
            env["CHILDWATCH_SECRET_KEY"] = secret_key
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "childwatch.cli", "serve", "--db", str(db), "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if " at http://" not in line:
            self.stop()
            errors = self.proc.stderr.read() if self.proc.stderr else ""
            raise AssertionError(f"serve printed {line!r}; stderr: {errors}")
        self.url = line.split(" at ", 1)[1].split(" ", 1)[0].rstrip("/")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
