"""Coverage-guided fuzzing of extraction with atheris: any text in, claims whose every span
indexes the text out, in bounded time, and never an exception.

An input's first byte picks the report's publication date and whether the text goes
through `clean_text` first (as every reader does); the rest is the text as UTF-8
(harness.input_document). fuzz/extract.dict holds words the rules look for.

    .venv/bin/python fuzz/fuzz_extract.py -max_total_time=600 -timeout=30 -dict=fuzz/extract.dict \\
        fuzz/corpus_extract fuzz/seeds/extract
"""

from __future__ import annotations

import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

with atheris.instrument_imports(include=["childwatch"]):
    from childwatch.extract import Extractor
    from childwatch.ingest.clean import clean_text  # noqa: F401  (instrumented for harness)

import harness

SECONDS_PER_DOCUMENT = 10.0
EXTRACTOR = Extractor()


def test_one(data: bytes) -> None:
    harness.extract_checked(EXTRACTOR, harness.input_document(data), seconds=SECONDS_PER_DOCUMENT)


def main() -> None:
    atheris.Setup(sys.argv, test_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
