"""What each `childwatch` command does: read its arguments, call the library, print what
happened. Errors are left to `main`, which turns them into messages and exit codes."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any, TextIO

from childwatch.cli.text import format_sources, list_incidents, show_incident
from childwatch.codebook.gazetteer_build import build
from childwatch.codebook.gazetteer_schema import DEFAULT_PATH
from childwatch.codebook.loader import load_codebook
from childwatch.errors import ChildwatchError
from childwatch.export import FORMATS, INCIDENT_FORMATS, export_claims, export_incidents, write_atomic
from childwatch.export import audit as export_audit
from childwatch.export.bundle import BundleSelection, write_bundle
from childwatch.extract.lexicon import load_lexicon
from childwatch.read.queries import IncidentFilters
from childwatch.read.stats import claim_stats, format_stats, incident_stats
from childwatch.read.watched import sources_health
from childwatch.resolve.settings import load_settings
from childwatch.review import audit, users
from childwatch.run.pipeline import Progress, RunSummary, run_pipeline
from childwatch.run.resolution import resolve
from childwatch.run.watch import WatchSettings, parse_interval, read_sources_file, watch
from childwatch.run.workers import executor_for
from childwatch.serve import serve
from childwatch.store import Store, open_store
from childwatch.store.backup import backup_store
from childwatch.store.restore import restore_store
from childwatch.store.verify import verify_store

DEFAULT_DB = "childwatch.sqlite"


def cmd_run(args: argparse.Namespace) -> int:
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
            print(resolve(store, progress=_stderr).line())
        if args.summary:
            print()
            print(format_stats(claim_stats(store) if args.no_resolve else incident_stats(store)))
    return 1 if c.docs_failed else 0


def _run_batches(args: argparse.Namespace, store: Store) -> RunSummary:
    """`run_pipeline` with the executor and progress line that --workers/--scheduler ask for."""
    if args.scheduler and args.workers != 1:
        raise ChildwatchError("give --workers (local processes) or --scheduler (a Dask cluster), not both")
    progress = Progress()
    progress.expect(args.paths)
    try:
        with executor_for(workers=args.workers, scheduler=args.scheduler) as executor:
            return run_pipeline(args.paths, store, progress=progress, batch_size=args.batch_size, executor=executor)
    finally:
        progress.close()


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


def cmd_resolve(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        print(resolve(store, full=args.full, progress=_stderr).line())
    return 0


def cmd_export(args: argparse.Namespace) -> int:
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
    filters = {k: getattr(args, k) for k in ("violation", "perpetrator", "country", "date_from", "date_to",
                                              "status", "kind", "q") if getattr(args, k)}  # fmt: skip
    details = {"rows": n, "out": args.out, "filters": filters,
               "pseudonymised": args.what == "incidents" or args.pseudonymise}  # fmt: skip
    audit.record(store, audit.Actor.cli(), "export", target=f"{args.what} {fmt}", details=details)


def cmd_verify(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        report = verify_store(store, progress=_stderr)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for problem in report.problems:
            print(problem.line())
        print(report.summary())
    return 0 if report.ok else 1


def cmd_bundle(args: argparse.Namespace) -> int:
    selection = BundleSelection(doc_ids=args.doc or (), incident_ids=args.incident or (), run_ids=args.run or ())
    with open_store(args.db) as store:
        summary = write_bundle(store, Path(args.out), selection, progress=_stderr)
        # Originals name children: who took them out, and which, is for the audit log.
        selected = {"doc": list(args.doc or ()), "incident": list(args.incident or ()), "run": list(args.run or ())}
        _audit_copy(store, "bundle", {"out": args.out, "selection": selected, "summary": summary.line()})
    print(summary.line())
    return 1 if summary.mismatched else 0


def cmd_backup(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        line = backup_store(store, Path(args.out), progress=_stderr).line()
        _audit_copy(store, "backup", {"out": args.out, "summary": line})
    print(line)
    return 0


def _audit_copy(store: Store, what: str, details: dict[str, object]) -> None:
    """Record a bundle or a backup (whole originals, names included) as an export."""
    audit.record(store, audit.Actor.cli(), "export", target=what, details=details)


def cmd_restore(args: argparse.Namespace) -> int:
    print(restore_store(Path(args.archive), args.db, progress=_stderr).line())
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        stats = claim_stats(store) if args.claims else incident_stats(store)
        print(format_stats(stats, limit=args.limit))
    return 0


def cmd_incidents(args: argparse.Namespace) -> int:
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
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise ChildwatchError("the two passwords differ; nothing was changed")
    return first


def cmd_users(args: argparse.Namespace) -> int:
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


def cmd_audit(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        if args.out == "-":
            n = export_audit.write_audit(store, sys.stdout, args.format)
        else:
            n = write_atomic(Path(args.out), lambda stream: export_audit.write_audit(store, stream, args.format))
        # Reading the log is itself recorded: it names every account and address.
        audit.record(store, audit.Actor.cli(), "audit_export", target=args.format, details={"rows": n, "out": args.out})
    if args.out != "-":
        print(f"{n} audit events written to {args.out}", file=sys.stderr)
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
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


def cmd_sources(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        rows = sources_health(store)
    if args.json:
        sys.stdout.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    else:
        sys.stdout.write(format_sources(rows))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        idle = parse_interval(args.idle_timeout)
    except ValueError as exc:
        raise ChildwatchError(f"--idle-timeout: {exc}") from None
    serve(args.db, host=args.host, port=args.port, trusted_proxies=args.trusted_proxy or (), idle_timeout=idle)
    return 0


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
    print(
        f"codebook OK: {len(book.actors)} actors, {len(book.sources)} sources, "
        f"{len(lexicon.violations)} violation rule sets, {len(set(settings.outlets.values()))} outlets, "
        f"{len(settings.weights)} resolution weights"
    )
    return 0
