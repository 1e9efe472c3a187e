"""`childwatch serve`: the review UI and REST API."""

from __future__ import annotations

import argparse

from childwatch.errors import ChildwatchError
from childwatch.run.watch import parse_interval
from childwatch.serve import serve


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        idle = parse_interval(args.idle_timeout)
    except ValueError as exc:
        raise ChildwatchError(f"--idle-timeout: {exc}") from None
    serve(
        args.db,
        host=args.host,
        port=args.port,
        trusted_proxies=args.trusted_proxy or (),
        idle_timeout=idle,
        workers=args.workers,
    )
    return 0
