"""The `childwatch` command line: every command, its arguments and their help."""

from __future__ import annotations

import argparse
from typing import Any

from childwatch.version import __version__
from childwatch.vocab import ROLES, STATUSES, VIOLATIONS

DEFAULT_DB = "childwatch.sqlite"


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def _db(p: argparse.ArgumentParser) -> None:
    """The database option every command that opens a store takes."""
    p.add_argument("--db", default=DEFAULT_DB, help=f"SQLite file or database URL (default: {DEFAULT_DB})")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="childwatch",
        description="Extract structured claims about grave violations against children from reports.",
    )
    parser.add_argument("--version", action="version", version=f"childwatch {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    _pipeline_commands(sub)
    _file_commands(sub)
    _show_commands(sub)
    _account_commands(sub)
    _serving_commands(sub)
    _data_commands(sub)
    return parser


def _pipeline_commands(sub: Any) -> None:
    """Run and resolve: the pipeline over a store."""
    p = sub.add_parser(
        "run",
        help="ingest documents, extract claims and store them",
        description="Ingest files, folders (.json, .jsonl, .txt, .html, .pdf) or web addresses "
        "(http:// or https://: an HTML page, a PDF or plain text), extract claims, "
        "store documents and claims in the database.",
    )
    p.add_argument("paths", nargs="+", help="files, folders or URLs to read")
    _db(p)
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
    p.set_defaults(handler="pipeline:cmd_run")

    p = sub.add_parser(
        "resolve",
        help="group claims from different reports into incidents",
        description="Group near-duplicate documents, then claims about the same event into incidents. "
        "By default only claims not yet resolved are placed; --full regroups everything, keeping incident ids.",
    )
    _db(p)
    p.add_argument("--full", action="store_true", help="regroup every claim, not only new ones")
    p.set_defaults(handler="pipeline:cmd_resolve")


def _file_commands(sub: Any) -> None:
    """Export and copies of a store."""
    p = sub.add_parser(
        "export",
        help="write stored claims (JSON Lines, CSV) or incidents (CSV, HXL, JSON, GeoJSON)",
        description="Write every stored claim, or the incidents matching the filters. Incident exports "
        "pseudonymise children's names in evidence; claim exports quote evidence verbatim (the benchmark's "
        "format) unless --pseudonymise is given.",
    )
    _db(p)
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
    p.add_argument("--status", choices=STATUSES, help="incidents: only this status")
    p.add_argument("--kind", choices=["incident", "aggregate", "pattern"], help="incidents: only this kind")
    p.add_argument("--language", help="incidents: only those reported in this language (ISO 639 code, e.g. ar)")
    p.add_argument("--q", help="incidents: only those whose evidence or reports contain this text")
    p.add_argument(
        "--pseudonymise",
        action="store_true",
        help="claims: replace children's names in the evidence texts by pseudonyms (offsets still "
        "index the stored text), for a file to be shared",
    )
    p.set_defaults(handler="files:cmd_export")

    p = sub.add_parser(
        "verify",
        help="re-hash every stored original and check claims' evidence offsets",
        description="Re-hash every stored original (sha256) and compare it with the hash stored at ingest "
        "and in the capture record; check that every claim's evidence and field spans still quote their "
        "document's text. Prints each mismatch by document id and source, then a summary; exits 1 if "
        "anything does not match.",
    )
    _db(p)
    p.add_argument("--json", action="store_true", help="the report as JSON (counts and every mismatch)")
    p.set_defaults(handler="files:cmd_verify")

    p = sub.add_parser(
        "bundle",
        help="write an evidence bundle: originals, hashes and capture records in a zip (admins only)",
        description="Write the stored originals of the chosen documents (all, without a filter) byte for byte "
        "into a zip, with manifest.json (per document: sha256, size, URL and origin, capture record with fetch "
        "time, final URL, status and headers, ingest time, run), manifest.json.sha256 and SHA256SUMS. "
        "Originals are evidence and are NOT pseudonymised: they may name children. This is an "
        "administrator's command (there is no web route for it); keep bundles as restricted as the database.",
    )
    _db(p)
    p.add_argument("--out", required=True, help="the zip file to write")
    p.add_argument("--doc", action="append", metavar="ID", help="this document (repeat for more)")
    p.add_argument("--incident", action="append", metavar="ID", help="the documents of this incident (repeatable)")
    p.add_argument("--run", action="append", type=_positive, metavar="N",
                   help="the documents run N stored (repeatable)")  # fmt: skip
    p.set_defaults(handler="files:cmd_bundle")

    p = sub.add_parser(
        "backup",
        help="write every table of the database to a portable backup archive",
        description="Write every table (documents with their originals, claims, incidents, review history, "
        "users, sources, runs) to one archive with a checksum per table, from SQLite or PostgreSQL; "
        "`childwatch restore` reads it into an empty database of either kind.",
    )
    _db(p)
    p.add_argument("--out", required=True, help="the archive to write (e.g. childwatch-2026-12-04.cwbackup)")
    p.set_defaults(handler="files:cmd_backup")

    p = sub.add_parser(
        "restore",
        help="restore a backup archive into a new, empty database",
        description="Load a `childwatch backup` archive into an empty database (a new SQLite file or an empty "
        "PostgreSQL database), in one transaction. Refuses a database that holds rows, and an archive whose "
        "checksums fail (damaged or truncated); nothing is written then.",
    )
    p.add_argument("archive", help="the backup archive to read")
    p.add_argument("--db", required=True, help="SQLite file or database URL to restore into (must be empty)")
    p.set_defaults(handler="files:cmd_restore")


def _show_commands(sub: Any) -> None:
    """What a store holds, as text."""
    p = sub.add_parser("stats", help="count incidents (or claims) by violation, perpetrator, country and month")
    _db(p)
    p.add_argument("--claims", action="store_true", help="count claims (one per report) instead of incidents")
    p.add_argument("--limit", type=int, default=20, help="rows per table (default: 20)")
    p.set_defaults(handler="show:cmd_stats")

    p = sub.add_parser(
        "incidents",
        help="list incidents with their outlets, original sources and status",
        description="List resolved incidents, most reported first, or show one with --id: every figure "
        "reported and each claim with why it was grouped there.",
    )
    _db(p)
    p.add_argument("--id", help="show one incident in detail")
    p.add_argument("--violation", choices=VIOLATIONS, help="only this violation")
    p.add_argument("--country", help="only this country (ISO 3166 alpha-2, e.g. NG)")
    p.add_argument("--status", choices=STATUSES, help="only incidents with this status")
    p.add_argument("--limit", type=int, default=50, help="at most this many (default: 50; 0 for all)")
    p.add_argument("--json", action="store_true", help="JSON (one incident per line) instead of text")
    p.set_defaults(handler="show:cmd_incidents")


def _account_commands(sub: Any) -> None:
    """Accounts and the audit log."""
    p = sub.add_parser("users", help="add, change, disable and remove the accounts of the web UI")
    users = p.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    u = users.add_parser("add", help="add a user (asks for the password)")
    u.add_argument("name")
    u.add_argument(
        "--role",
        choices=ROLES,
        default="viewer",
        help="viewer reads; analyst also reviews; admin also reveals and manages users (default: viewer)",
    )
    u.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    _db(u)
    u = users.add_parser("passwd", help="change a user's password (asks for it); ends their sessions")
    u.add_argument("name")
    u.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    _db(u)
    u = users.add_parser("disable", help="switch an account off: no login, sessions end (enable undoes it)")
    u.add_argument("name")
    _db(u)
    u = users.add_parser("enable", help="switch a disabled account on again")
    u.add_argument("name")
    _db(u)
    u = users.add_parser("remove", help="remove an account for good (its name stays in the history)")
    u.add_argument("name")
    _db(u)
    u = users.add_parser("role", help="give a user another role (from their next request)")
    u.add_argument("name")
    u.add_argument("role", choices=ROLES)
    _db(u)
    u = users.add_parser("list", help="list users, their roles and whether they are active")
    _db(u)
    p.set_defaults(handler="people:cmd_users")

    p = sub.add_parser(
        "audit",
        help="export the audit log: logins, failed logins, account changes, exports, reviews and reveals",
        description="Write the whole audit log, oldest first: the security events (logins, failed logins "
        "with the name tried and the address, logouts, password changes, account changes, exports) merged with "
        "the analysts' review events (including reveals of protected details). Passwords are never recorded.",
    )
    _db(p)
    p.add_argument("--out", required=True, help="output file, or - for standard output")
    p.add_argument("--format", choices=["jsonl", "csv"], default="jsonl", help="jsonl (default) or csv")
    p.set_defaults(handler="files:cmd_audit")


def _serving_commands(sub: Any) -> None:
    """The web UI, and the sources it watches."""
    p = sub.add_parser(
        "serve",
        help="run the review web UI and REST API",
        description="Serve the review pages and the REST API (/api/, docs at /docs) over a database made "
        "by `childwatch run`; prints the address. Log in with an account from `childwatch users add`.",
    )
    _db(p)
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
    p.add_argument(
        "--workers", type=int, default=1, metavar="N",
        help="serve from N processes sharing the store, sessions and logouts (default: 1, enough for a "
        "laptop; a team server: about one per core)",
    )  # fmt: skip
    p.set_defaults(handler="web:cmd_serve")

    p = sub.add_parser(
        "watch",
        help="poll news feeds and pages, taking in new reports as they appear",
        description="Poll the RSS/Atom feeds and pages listed in SOURCES (one URL per line with an optional "
        "interval such as 15m, or an OPML file), each on its own interval with conditional requests; fetch new "
        "items, extract and store their claims and attach them to incidents. State is kept in the database: "
        "stop and restart at will, nothing is stored twice. One log line per poll on standard error.",
    )
    p.add_argument("sources", help="file listing the feeds and pages to watch")
    _db(p)
    p.add_argument(
        "--interval", default="15m",
        help="time between polls of a source listed without its own (default: 15m; e.g. 90s, 1h)",
    )  # fmt: skip
    p.add_argument("--once", action="store_true", help="poll every source once, then exit (for cron and tests)")
    p.add_argument(
        "--no-resolve", action="store_true",
        help="store claims without grouping them into incidents (run `childwatch resolve` later)",
    )  # fmt: skip
    p.set_defaults(handler="pipeline:cmd_watch")

    p = sub.add_parser(
        "sources",
        help="list watched sources with their last poll, items seen and errors",
        description="List the sources `childwatch watch` follows: kind, interval, health, last poll and its "
        "status, items taken in, duplicates and failures, and the last error.",
    )
    _db(p)
    p.add_argument("--json", action="store_true", help="one JSON object per source instead of text")
    p.set_defaults(handler="pipeline:cmd_sources")


def _data_commands(sub: Any) -> None:
    """The project's data."""
    p = sub.add_parser("gazetteer", help="(re)build the offline gazetteer from the installed packages")
    p.add_argument("--out", help="where to write it (default: inside the installed package)")
    p.set_defaults(handler="data:cmd_gazetteer")

    p = sub.add_parser("codebook", help="validate the codebook files and report every problem")
    p.set_defaults(handler="data:cmd_codebook")
