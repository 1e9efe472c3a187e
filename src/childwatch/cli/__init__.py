"""The `childwatch` command: parse arguments, call the library, turn known errors into
clean messages and exit codes (0 ok, 1 finished with skipped inputs, 2 usage/fatal)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from childwatch import __version__
from childwatch.errors import ChildwatchError
from childwatch.records import VIOLATIONS

if TYPE_CHECKING:
    from childwatch.pipeline import RunSummary
    from childwatch.store import Store

DEFAULT_DB = "childwatch.sqlite"


def _cmd_run(args: argparse.Namespace) -> int:
    from childwatch.stats import claim_stats, format_stats, incident_stats
    from childwatch.store import open_store

    # lexists: a broken link is named and skipped by the run, like any other bad input.
    missing = [p for p in args.paths if not p.lower().startswith(("http://", "https://")) and not os.path.lexists(p)]
    if missing:
        raise ChildwatchError(f"no such file or folder: {', '.join(map(str, missing))}")
    with open_store(args.db) as store:
        summary = _run_batches(args, store)
        c = summary.counts
        print(
            f"run {summary.run_id}: {c.docs_read} documents read, {c.docs_new} new, "
            f"{c.docs_skipped} already stored, {c.docs_failed} failed; {c.claims} claims "
            f"in {summary.seconds:.1f}s -> {args.db}"
        )
        for note in summary.notes():
            print(note)
        if not args.no_resolve:
            from childwatch.resolve import resolve

            print(resolve(store, progress=_stderr).line())
        if args.summary:
            print()
            print(format_stats(claim_stats(store) if args.no_resolve else incident_stats(store)))
    return 1 if c.docs_failed else 0


def _run_batches(args: argparse.Namespace, store: Store) -> RunSummary:
    """`run_pipeline` with the executor and progress line that --workers/--scheduler ask for."""
    from childwatch.pipeline import Progress, run_pipeline
    from childwatch.workers import executor_for

    if args.scheduler and args.workers != 1:
        raise ChildwatchError("give --workers (local processes) or --scheduler (a Dask cluster), not both")
    progress = Progress()
    progress.expect(args.paths)
    try:
        with executor_for(workers=args.workers, scheduler=args.scheduler) as executor:
            return run_pipeline(args.paths, store, progress=progress, batch_size=args.batch_size, executor=executor)
    finally:
        progress.close()


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


def _cmd_resolve(args: argparse.Namespace) -> int:
    from childwatch.resolve import resolve
    from childwatch.store import open_store

    with open_store(args.db) as store:
        print(resolve(store, full=args.full, progress=_stderr).line())
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from childwatch.export import FORMATS, INCIDENT_FORMATS, export_claims, export_incidents, write_atomic
    from childwatch.queries import IncidentFilters
    from childwatch.store import open_store

    fmt = args.format or ("jsonl" if args.what == "claims" else "csv")
    allowed = FORMATS if args.what == "claims" else INCIDENT_FORMATS
    if fmt not in allowed:
        raise ChildwatchError(f"--what {args.what} is written as {' or '.join(allowed)}, not {fmt}")
    if args.pseudonymise and args.what != "claims":
        raise ChildwatchError("--pseudonymise is for --what claims: incident exports always pseudonymise names")
    to_stdout = args.out == "-"
    with open_store(args.db) as store:
        if args.what == "claims":
            target = sys.stdout if to_stdout else Path(args.out)
            n = export_claims(store, target, fmt, pseudonymise=args.pseudonymise)  # type: ignore[arg-type]
        else:
            filters = IncidentFilters.from_mapping(
                {"violation": args.violation, "perpetrator": args.perpetrator, "country": args.country,
                 "date_from": args.date_from, "date_to": args.date_to, "status": args.status, "kind": args.kind,
                 "q": args.q}
            )  # fmt: skip

            def write(stream: TextIO) -> int:
                return export_incidents(store, filters, fmt, stream)

            n = write(sys.stdout) if to_stdout else write_atomic(Path(args.out), write)
        _audit_export(store, args, fmt, n)
    if not to_stdout:
        what = "claims" if args.what == "claims" or fmt == "jsonl" else "incidents"
        print(f"{n} {what} written to {args.out}", file=sys.stderr)
    if args.what == "claims" and not args.pseudonymise and n:
        print("evidence is quoted verbatim, children's names included: keep the file private, "
              "or export with --pseudonymise to share it", file=sys.stderr)  # fmt: skip
    return 0


def _audit_export(store: Store, args: argparse.Namespace, fmt: str, n: int) -> None:
    """Record the export in the audit log (who at this computer, what, which filters)."""
    from childwatch import audit

    filters = {k: getattr(args, k) for k in ("violation", "perpetrator", "country", "date_from", "date_to",
                                              "status", "kind", "q") if getattr(args, k)}  # fmt: skip
    details = {"rows": n, "out": args.out, "filters": filters,
               "pseudonymised": args.what == "incidents" or args.pseudonymise}  # fmt: skip
    audit.record(store, audit.Actor.cli(), "export", target=f"{args.what} {fmt}", details=details)


def _cmd_verify(args: argparse.Namespace) -> int:
    import json

    from childwatch.store import open_store
    from childwatch.verify import verify_store

    with open_store(args.db) as store:
        report = verify_store(store, progress=_stderr)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for problem in report.problems:
            print(problem.line())
        print(report.summary())
    return 0 if report.ok else 1


def _cmd_bundle(args: argparse.Namespace) -> int:
    from childwatch.bundle import BundleSelection, write_bundle
    from childwatch.store import open_store

    selection = BundleSelection(doc_ids=args.doc or (), incident_ids=args.incident or (), run_ids=args.run or ())
    with open_store(args.db) as store:
        summary = write_bundle(store, Path(args.out), selection, progress=_stderr)
        # Originals name children: who took them out, and which, is for the audit log.
        selected = {"doc": list(args.doc or ()), "incident": list(args.incident or ()), "run": list(args.run or ())}
        _audit_copy(store, "bundle", {"out": args.out, "selection": selected, "summary": summary.line()})
    print(summary.line())
    return 1 if summary.mismatched else 0


def _cmd_backup(args: argparse.Namespace) -> int:
    from childwatch.backup import backup_store
    from childwatch.store import open_store

    with open_store(args.db) as store:
        line = backup_store(store, Path(args.out), progress=_stderr).line()
        _audit_copy(store, "backup", {"out": args.out, "summary": line})
    print(line)
    return 0


def _audit_copy(store: Store, what: str, details: dict[str, object]) -> None:
    """Record a bundle or a backup (whole originals, names included) as an export."""
    from childwatch import audit

    audit.record(store, audit.Actor.cli(), "export", target=what, details=details)


def _cmd_restore(args: argparse.Namespace) -> int:
    from childwatch.restore import restore_store

    print(restore_store(Path(args.archive), args.db, progress=_stderr).line())
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


def _read_password(args: argparse.Namespace) -> str:
    """From stdin (one line) with --password-stdin, else typed twice at a terminal; never
    from an argument, which would end up in shell history and process listings."""
    if args.password_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    if not sys.stdin.isatty():
        raise ChildwatchError("no terminal to ask for the password: pipe it in with --password-stdin")
    import getpass

    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise ChildwatchError("the two passwords differ; nothing was changed")
    return first


def _cmd_users(args: argparse.Namespace) -> int:
    from childwatch import users
    from childwatch.store import open_store

    with open_store(args.db) as store:
        if args.users_command == "add":
            user = users.add_user(store, args.name, _read_password(args), args.role)
            print(f"added {user.name} ({user.role})")
        elif args.users_command == "passwd":
            users.set_password(store, args.name, _read_password(args))
            print(f"password of {args.name} changed; their sessions have ended")
        elif args.users_command == "disable":
            users.disable_user(store, args.name)
            print(f"{args.name} disabled: cannot log in, sessions ended (`childwatch users enable` undoes it)")
        elif args.users_command == "enable":
            users.enable_user(store, args.name)
            print(f"{args.name} enabled: may log in again")
        elif args.users_command == "remove":
            users.remove_user(store, args.name)
            print(f"{args.name} removed: password wiped, sessions ended; the name stays in the history and "
                  "cannot be used again")  # fmt: skip
        elif args.users_command == "role":
            user = users.set_role(store, args.name, args.role)
            print(f"{user.name} now has the role {user.role} (from their next request)")
        else:
            found = users.list_users(store)
            if not found:
                print("no users yet: add one with `childwatch users add NAME --role admin`")
            for u in found:
                created = u.created_at.strftime("%Y-%m-%d") if u.created_at else ""
                print(f"{u.name:<24} {u.role:<8} {u.status:<8} {created}")
    return 0


def _cmd_audit(args: argparse.Namespace) -> int:
    from childwatch import audit
    from childwatch.export import write_atomic
    from childwatch.store import open_store

    with open_store(args.db) as store:
        if args.out == "-":
            n = audit.write_audit(store, sys.stdout, args.format)
        else:
            n = write_atomic(Path(args.out), lambda stream: audit.write_audit(store, stream, args.format))
        # Reading the log is itself recorded: it names every account and address.
        audit.record(store, audit.Actor.cli(), "audit_export", target=args.format, details={"rows": n, "out": args.out})
    if args.out != "-":
        print(f"{n} audit events written to {args.out}", file=sys.stderr)
    return 0


def _cmd_watch(args: argparse.Namespace) -> int:
    import signal
    import threading

    from childwatch.store import open_store
    from childwatch.watch import WatchSettings, parse_interval, read_sources_file, watch

    try:
        interval = parse_interval(args.interval)
    except ValueError as exc:
        raise ChildwatchError(f"--interval: {exc}") from None
    specs = read_sources_file(args.sources)
    settings = WatchSettings(default_interval=interval, resolve=not args.no_resolve)
    stop = threading.Event()
    # SIGTERM (a service manager, `kill`) ends the watch after the poll under way.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with open_store(args.db) as store:
        _stderr(f"watching {len(specs)} source(s) -> {args.db}" + ("" if args.once else "; Ctrl+C stops"))
        summary = watch(store, specs, settings, once=args.once, stop=stop)
    print(
        f"{summary.polls} polls ({summary.failed_polls} failed): {summary.new} new documents, "
        f"{summary.claims} claims, {summary.duplicates} duplicates, {summary.failed_items} items failed"
    )
    return 1 if summary.failed_polls or summary.failed_items else 0


def _cmd_sources(args: argparse.Namespace) -> int:
    import json

    from childwatch.store import open_store
    from childwatch.watch import format_sources, sources_health

    with open_store(args.db) as store:
        rows = sources_health(store)
    if args.json:
        sys.stdout.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    else:
        sys.stdout.write(format_sources(rows))
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from childwatch.serve import serve
    from childwatch.watch import parse_interval

    try:
        idle = parse_interval(args.idle_timeout)
    except ValueError as exc:
        raise ChildwatchError(f"--idle-timeout: {exc}") from None
    serve(args.db, host=args.host, port=args.port, trusted_proxies=args.trusted_proxy or (), idle_timeout=idle)
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
        description="Ingest files, folders (.json, .jsonl, .txt, .html, .pdf) or web addresses "
        "(http:// or https://: an HTML page, a PDF or plain text), extract claims, "
        "store documents and claims in the database.",
    )
    p.add_argument("paths", nargs="+", help="files, folders or URLs to read")
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    p.add_argument("--summary", action="store_true", help="print incident statistics when done")
    p.add_argument(
        "--no-resolve",
        action="store_true",
        help="store claims without grouping them into incidents (run `childwatch resolve` later)",
    )
    p.add_argument(
        "--workers", type=_positive, default=1, metavar="N",
        help="extract in N local processes (default: 1, this process); e.g. the number of cores",
    )  # fmt: skip
    p.add_argument(
        "--scheduler", metavar="ADDRESS",
        help="extract on the Dask cluster whose scheduler is at ADDRESS (tcp://HOST:8786); "
        "needs childwatch[dask] here and on the workers",
    )  # fmt: skip
    p.add_argument(
        "--batch-size", type=_positive, default=200, metavar="N",
        help="documents per database transaction (default: 200)",
    )  # fmt: skip
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

    p = sub.add_parser(
        "export",
        help="write stored claims (JSON Lines, CSV) or incidents (CSV, HXL, JSON, GeoJSON)",
        description="Write every stored claim, or the incidents matching the filters. Incident exports "
        "pseudonymise children's names in evidence; claim exports quote evidence verbatim (the benchmark's "
        "format) unless --pseudonymise is given.",
    )
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    p.add_argument("--what", choices=["claims", "incidents"], default="claims", help="what to export (default: claims)")
    p.add_argument(
        "--format",
        choices=["jsonl", "csv", "json", "geojson", "hxl"],
        help="claims: jsonl (default) or csv; incidents: csv (default), hxl, json, geojson or jsonl (their claims)",
    )
    p.add_argument("--out", required=True, help="output file, or - for standard output")
    p.add_argument("--violation", choices=VIOLATIONS, help="incidents: only this violation")
    p.add_argument("--perpetrator", help="incidents: only this perpetrator (codebook id or part of the name)")
    p.add_argument("--country", help="incidents: only this country (ISO code or name)")
    p.add_argument("--from", dest="date_from", help="incidents: only those on or after this date (YYYY[-MM[-DD]])")
    p.add_argument("--to", dest="date_to", help="incidents: only those on or before this date (YYYY[-MM[-DD]])")
    p.add_argument("--status", choices=["reported", "corroborated", "verified", "rejected"],
                   help="incidents: only this status")
    p.add_argument("--kind", choices=["incident", "aggregate", "pattern"], help="incidents: only this kind")
    p.add_argument("--q", help="incidents: only those whose evidence or reports contain this text")
    p.add_argument("--pseudonymise", action="store_true",
                   help="claims: replace children's names in the evidence texts by pseudonyms (offsets still "
                   "index the stored text), for a file to be shared")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser(
        "verify",
        help="re-hash every stored original and check claims' evidence offsets",
        description="Re-hash every stored original (sha256) and compare it with the hash stored at ingest "
        "and in the capture record; check that every claim's evidence and field spans still quote their "
        "document's text. Prints each mismatch by document id and source, then a summary; exits 1 if "
        "anything does not match.",
    )
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    p.add_argument("--json", action="store_true", help="the report as JSON (counts and every mismatch)")
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser(
        "bundle",
        help="write an evidence bundle: originals, hashes and capture records in a zip (admins only)",
        description="Write the stored originals of the chosen documents (all, without a filter) byte for byte "
        "into a zip, with manifest.json (per document: sha256, size, URL and origin, capture record with fetch "
        "time, final URL, status and headers, ingest time, run), manifest.json.sha256 and SHA256SUMS. "
        "Originals are evidence and are NOT pseudonymised: they may name children. This is an "
        "administrator's command (there is no web route for it); keep bundles as restricted as the database.",
    )
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    p.add_argument("--out", required=True, help="the zip file to write")
    p.add_argument("--doc", action="append", metavar="ID", help="this document (repeat for more)")
    p.add_argument("--incident", action="append", metavar="ID", help="the documents of this incident (repeatable)")
    p.add_argument("--run", action="append", type=_positive, metavar="N",
                   help="the documents run N stored (repeatable)")  # fmt: skip
    p.set_defaults(func=_cmd_bundle)

    p = sub.add_parser(
        "backup",
        help="write every table of the database to a portable backup archive",
        description="Write every table (documents with their originals, claims, incidents, review history, "
        "users, sources, runs) to one archive with a checksum per table, from SQLite or PostgreSQL; "
        "`childwatch restore` reads it into an empty database of either kind.",
    )
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    p.add_argument("--out", required=True, help="the archive to write (e.g. childwatch-2026-12-04.cwbackup)")
    p.set_defaults(func=_cmd_backup)

    p = sub.add_parser(
        "restore",
        help="restore a backup archive into a new, empty database",
        description="Load a `childwatch backup` archive into an empty database (a new SQLite file or an empty "
        "PostgreSQL database), in one transaction. Refuses a database that holds rows, and an archive whose "
        "checksums fail (damaged or truncated); nothing is written then.",
    )
    p.add_argument("archive", help="the backup archive to read")
    p.add_argument("--db", required=True, help="SQLite file or database URL to restore into (must be empty)")
    p.set_defaults(func=_cmd_restore)

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
    p.add_argument(
        "--status", choices=["reported", "corroborated", "verified", "rejected"], help="only incidents with this status"
    )
    p.add_argument("--limit", type=int, default=50, help="at most this many (default: 50; 0 for all)")
    p.add_argument("--json", action="store_true", help="JSON (one incident per line) instead of text")
    p.set_defaults(func=_cmd_incidents)

    p = sub.add_parser("users", help="add, change, disable and remove the accounts of the web UI")
    users = p.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    u = users.add_parser("add", help="add a user (asks for the password)")
    u.add_argument("name")
    u.add_argument("--role", choices=["viewer", "analyst", "admin"], default="viewer",
                   help="viewer reads; analyst also reviews; admin also reveals and manages users (default: viewer)")
    u.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    u.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    u = users.add_parser("passwd", help="change a user's password (asks for it); ends their sessions")
    u.add_argument("name")
    u.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    u.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    u = users.add_parser("disable", help="switch an account off: no login, sessions end (enable undoes it)")
    u.add_argument("name")
    u.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    u = users.add_parser("enable", help="switch a disabled account on again")
    u.add_argument("name")
    u.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    u = users.add_parser("remove", help="remove an account for good (its name stays in the history)")
    u.add_argument("name")
    u.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    u = users.add_parser("role", help="give a user another role (from their next request)")
    u.add_argument("name")
    u.add_argument("role", choices=["viewer", "analyst", "admin"])
    u.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    u = users.add_parser("list", help="list users, their roles and whether they are active")
    u.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    p.set_defaults(func=_cmd_users)

    p = sub.add_parser(
        "audit",
        help="export the audit log: logins, failed logins, account changes, exports, reviews and reveals",
        description="Write the whole audit log, oldest first: the security events (logins, failed logins "
        "with the name tried and the address, logouts, password changes, account changes, exports) merged with "
        "the analysts' review events (including reveals of protected details). Passwords are never recorded.",
    )
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    p.add_argument("--out", required=True, help="output file, or - for standard output")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="jsonl (default) or csv")
    p.set_defaults(func=_cmd_audit)

    p = sub.add_parser(
        "serve",
        help="run the review web UI and REST API",
        description="Serve the review pages and the REST API (/api/, docs at /docs) over a database made "
        "by `childwatch run`; prints the address. Log in with an account from `childwatch users add`.",
    )
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this computer only)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    p.add_argument(
        "--trusted-proxy", action="append", metavar="ADDR",
        help="believe Forwarded, X-Forwarded-For and X-Forwarded-Proto from this address or network (CIDR), "
        "e.g. a local TLS proxy at 127.0.0.1; repeatable. Without it the peer's address is the client's",
    )  # fmt: skip
    p.add_argument(
        "--idle-timeout", default="30m", metavar="TIME",
        help="end a session after this long without a request (default: 30m; e.g. 90s, 15m, 1h)",
    )  # fmt: skip
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser(
        "watch",
        help="poll news feeds and pages, taking in new reports as they appear",
        description="Poll the RSS/Atom feeds and pages listed in SOURCES (one URL per line with an optional "
        "interval such as 15m, or an OPML file), each on its own interval with conditional requests; fetch new "
        "items, extract and store their claims and attach them to incidents. State is kept in the database: "
        "stop and restart at will, nothing is stored twice. One log line per poll on standard error.",
    )
    p.add_argument("sources", help="file listing the feeds and pages to watch")
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    p.add_argument(
        "--interval", default="15m",
        help="time between polls of a source listed without its own (default: 15m; e.g. 90s, 1h)",
    )  # fmt: skip
    p.add_argument("--once", action="store_true", help="poll every source once, then exit (for cron and tests)")
    p.add_argument(
        "--no-resolve", action="store_true",
        help="store claims without grouping them into incidents (run `childwatch resolve` later)",
    )  # fmt: skip
    p.set_defaults(func=_cmd_watch)

    p = sub.add_parser(
        "sources",
        help="list watched sources with their last poll, items seen and errors",
        description="List the sources `childwatch watch` follows: kind, interval, health, last poll and its "
        "status, items taken in, duplicates and failures, and the last error.",
    )
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")
    p.add_argument("--json", action="store_true", help="one JSON object per source instead of text")
    p.set_defaults(func=_cmd_sources)

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
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("childwatch: interrupted; what was stored before is intact", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
