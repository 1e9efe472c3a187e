"""Commands that show what a store holds: stats, incidents."""

from __future__ import annotations

import argparse
import sys

from childwatch.cli.text import list_incidents, show_incident
from childwatch.errors import ChildwatchError
from childwatch.read.stats import claim_stats, format_stats, incident_stats
from childwatch.store import open_store


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
