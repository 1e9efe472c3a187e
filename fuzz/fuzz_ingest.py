"""Coverage-guided fuzzing of ingest (and extraction of what it reads) with atheris.

An input's first byte picks the kind of file (harness.KINDS), the rest is its content: it
is written under that name and read with `read_path`, and each document read is
extracted. The invariants are harness.py's: documents or errors naming the file, never
another exception; storable documents; every claim span indexing the text; bounded time.

    .venv/bin/python fuzz/fuzz_ingest.py -max_total_time=600 -timeout=30 fuzz/corpus_ingest fuzz/seeds/ingest
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

with atheris.instrument_imports(include=["childwatch"]):
    # The readers import these lazily; imported here so that they are instrumented too.
    import childwatch.ingest.feeds
    import childwatch.ingest.pdf
    import childwatch.ingest.stream
    import childwatch.ingest.warc  # noqa: F401
    from childwatch.extract import Extractor

import harness

# Small, so that inputs of a few kilobytes reach the over-the-limit paths too.
MAX_CHARS = 3_000
SECONDS_PER_DOCUMENT = 10.0

FOLDER = Path(tempfile.mkdtemp(prefix="childwatch-fuzz-ingest-"))
EXTRACTOR = Extractor()


def test_one(data: bytes) -> None:
    path = harness.input_file(data, FOLDER)
    for doc in harness.read_checked(path, max_chars=MAX_CHARS):
        harness.extract_checked(EXTRACTOR, doc, seconds=SECONDS_PER_DOCUMENT)


def main() -> None:
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
