"""Commands that write or read files of a store: export, audit, verify, bundle, backup, restore."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from childwatch.cli.progress import stderr as _stderr
from childwatch.errors import ChildwatchError
from childwatch.export import FORMATS, INCIDENT_FORMATS, export_claims, export_incidents, write_atomic
from childwatch.export import audit as export_audit
from childwatch.export.bundle import BundleSelection, write_bundle
from childwatch.read.queries import IncidentFilters
from childwatch.review import audit
from childwatch.store import Store, open_store
from childwatch.store.backup import backup_store
from childwatch.store.restore import restore_store
from childwatch.store.verify import verify_store


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
                 "q": args.q, "language": args.language}
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
