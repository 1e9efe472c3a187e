"""The `childwatch` command: parse arguments, call the library, turn known errors into
clean messages and exit codes (0 ok, 1 finished with skipped inputs, 2 usage/fatal)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from childwatch import __version__
from childwatch.errors import ChildwatchError
from childwatch.records import VIOLATIONS

DEFAULT_DB = "childwatch.sqlite"


def _cmd_run(args: argparse.Namespace) -> int:
    from childwatch.pipeline import Progress, run_pipeline
    from childwatch.stats import claim_stats, format_stats, incident_stats
    from childwatch.store import open_store

    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        raise ChildwatchError(f"no such file or folder: {', '.join(map(str, missing))}")
    with open_store(args.db) as store:
        summary = run_pipeline(args.paths, store, progress=Progress())
        c = summary.counts
        print(
            f"run {summary.run_id}: {c.docs_read} documents read, {c.docs_new} new, "
            f"{c.docs_skipped} already stored, {c.docs_failed} failed; {c.claims} claims "
            f"in {summary.seconds:.1f}s -> {args.db}"
        )
        if not args.no_resolve:
            from childwatch.resolve import resolve

            print(resolve(store, progress=_stderr).line())
        if args.summary:
            print()
            print(format_stats(claim_stats(store) if args.no_resolve else incident_stats(store)))
    return 1 if c.docs_failed else 0


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


def _cmd_resolve(args: argparse.Namespace) -> int:
    from childwatch.resolve import resolve
    from childwatch.store import open_store

    with open_store(args.db) as store:
        print(resolve(store, full=args.full, progress=_stderr).line())
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from childwatch.export import export_claims
    from childwatch.store import open_store

    with open_store(args.db) as store:
        n = export_claims(store, Path(args.out) if args.out != "-" else sys.stdout, args.format)
    if args.out != "-":
        print(f"{n} claims written to {args.out}", file=sys.stderr)
    return 0


def _cmd_stats(args: argparse.Namespace) -> int:
    from childwatch.stats import claim_stats, format_stats, incident_stats
    from childwatch.store import open_store

    with open_store(args.db) as store:
        stats = claim_stats(store) if args.claims else incident_stats(store)
        print(format_stats(stats, limit=args.limit))
    return 0


def _cmd_incidents(args: argparse.Namespace) -> int:
    from childwatch.incidents import list_incidents, show_incident
    from childwatch.store import open_store

    with open_store(args.db) as store:
        if args.id:
            text = show_incident(store, args.id, as_json=args.json)
            if text is None:
                raise ChildwatchError(f"no incident {args.id!r} in {args.db}")
        else:
            text = list_incidents(
                store,
                violation=args.violation,
                country=args.country.upper() if args.country else None,
                status=args.status,
                limit=args.limit or None,
                as_json=args.json,
            )
    sys.stdout.write(text)
    return 0


def _cmd_gazetteer(args: argparse.Namespace) -> int:
    from childwatch.codebook.gazetteer_build import build

    out = Path(args.out) if args.out else None
    stats = build(out, progress=lambda line: print(line, file=sys.stderr)) if out else build_default()
    print(", ".join(f"{k}: {v}" for k, v in stats.items()))
    return 0


def build_default() -> dict:
    from childwatch.codebook.gazetteer import DEFAULT_PATH
    from childwatch.codebook.gazetteer_build import build

    return build(DEFAULT_PATH, progress=lambda line: print(line, file=sys.stderr))


def _cmd_codebook(args: argparse.Namespace) -> int:
    from childwatch.codebook.loader import load_codebook
    from childwatch.extract.lexicon import load_lexicon
    from childwatch.resolve.settings import load_settings

    book = load_codebook()
    lexicon = load_lexicon()
    settings = load_settings()
    print(
        f"codebook OK: {len(book.actors)} actors, {len(book.sources)} sources, "
        f"{len(lexicon.violations)} violation rule sets, {len(set(settings.outlets.values()))} outlets, "
        f"{len(settings.weights)} resolution weights"
    )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="childwatch",
        description="Extract structured claims about grave violations against children from reports.",
    )
    parser.add_argument("--version", action="version", version=f"childwatch {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "run",
        help="ingest documents, extract claims and store them",
        description="Ingest files or folders (.json, .jsonl, .txt, .html), extract claims, "
        "store documents and claims in the database.",
    )
    p.add_argument("paths", nargs="+", help="files or folders to read")
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    p.add_argument("--summary", action="store_true", help="print incident statistics when done")
    p.add_argument(
        "--no-resolve",
        action="store_true",
        help="store claims without grouping them into incidents (run `childwatch resolve` later)",
    )
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser(
        "resolve",
        help="group claims from different reports into incidents",
        description="Group near-duplicate documents, then claims about the same event into incidents. "
        "By default only claims not yet resolved are placed; --full regroups everything, keeping incident ids.",
    )
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    p.add_argument("--full", action="store_true", help="regroup every claim, not only new ones")
    p.set_defaults(func=_cmd_resolve)

    p = sub.add_parser("export", help="write stored claims as JSON Lines or CSV")
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="output format (default: jsonl)")
    p.add_argument("--out", required=True, help="output file, or - for standard output")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("stats", help="count incidents (or claims) by violation, perpetrator, country and month")
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    p.add_argument("--claims", action="store_true", help="count claims (one per report) instead of incidents")
    p.add_argument("--limit", type=int, default=20, help="rows per table (default: 20)")
    p.set_defaults(func=_cmd_stats)

    p = sub.add_parser(
        "incidents",
        help="list incidents with their outlets, original sources and status",
        description="List resolved incidents, most reported first, or show one with --id: every figure "
        "reported and each claim with why it was grouped there.",
    )
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    p.add_argument("--id", help="show one incident in detail")
    p.add_argument("--violation", choices=VIOLATIONS, help="only this violation")
    p.add_argument("--country", help="only this country (ISO 3166 alpha-2, e.g. NG)")
    p.add_argument("--status", choices=["reported", "corroborated"], help="only incidents with this status")
    p.add_argument("--limit", type=int, default=50, help="at most this many (default: 50; 0 for all)")
    p.add_argument("--json", action="store_true", help="JSON (one incident per line) instead of text")
    p.set_defaults(func=_cmd_incidents)

    p = sub.add_parser("gazetteer", help="(re)build the offline gazetteer from the installed packages")
    p.add_argument("--out", help="where to write it (default: inside the installed package)")
    p.set_defaults(func=_cmd_gazetteer)

    p = sub.add_parser("codebook", help="validate the codebook files and report every problem")
    p.set_defaults(func=_cmd_codebook)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except ChildwatchError as exc:
        print(f"childwatch: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("childwatch: interrupted; what was stored before is intact", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
