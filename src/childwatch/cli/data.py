"""Commands over the project's data: the offline gazetteer and the codebook."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from childwatch.codebook.gazetteer_build import build
from childwatch.codebook.gazetteer_schema import DEFAULT_PATH
from childwatch.codebook.languages import load_language, supported_languages
from childwatch.codebook.lexicon import load_lexicon
from childwatch.codebook.loader import load_codebook
from childwatch.codebook.resolution import load_settings


def cmd_gazetteer(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else None
    stats = build(out, progress=lambda line: print(line, file=sys.stderr)) if out else build_default()
    print(", ".join(f"{k}: {v}" for k, v in stats.items()))
    return 0


def build_default() -> dict[str, Any]:
    return build(DEFAULT_PATH, progress=lambda line: print(line, file=sys.stderr))


def cmd_codebook(args: argparse.Namespace) -> int:
    book = load_codebook()
    lexicon = load_lexicon()
    settings = load_settings()
    languages = [load_language(code) for code in supported_languages()]  # each file checked whole
    print(
        f"codebook OK: {len(book.actors)} actors, {len(book.sources)} sources, "
        f"{len(lexicon.violations)} violation rule sets, {len(set(settings.outlets.values()))} outlets, "
        f"{len(settings.weights)} resolution weights, "
        f"languages besides English: {', '.join(f'{lx.name} ({lx.code})' for lx in languages) or 'none'}"
    )
    return 0
