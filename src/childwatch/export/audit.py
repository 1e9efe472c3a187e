"""The audit log as a file (`childwatch audit`): the security log and the analysts' review
events in one history, oldest first, as JSON Lines or CSV."""

from __future__ import annotations

import csv
import json
from typing import Any, TextIO

from childwatch.export.cells import defuse
from childwatch.review.audit import iter_audit
from childwatch.store import Store

__all__ = ["AUDIT_COLUMNS", "AUDIT_FORMATS", "write_audit"]

AUDIT_FORMATS = ("jsonl", "csv")
AUDIT_COLUMNS = ("at", "log", "id", "action", "via", "user_id", "user", "address", "target", "details")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str):
        return defuse(value)  # a name typed at the login form must not run as a spreadsheet formula
    return value


def write_audit(store: Store, out: TextIO, fmt: str) -> int:
    """Write the whole audit log to `out` as JSON Lines or CSV; returns the number of events.
    A stream for CSV should be opened with ``newline=""``."""
    if fmt not in AUDIT_FORMATS:
        raise ValueError(f"unknown audit format {fmt!r}; choose one of {', '.join(AUDIT_FORMATS)}")
    n = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(AUDIT_COLUMNS)
        for row in iter_audit(store):
            writer.writerow([_cell(row[c]) for c in AUDIT_COLUMNS])
            n += 1
    else:
        for row in iter_audit(store):
            out.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
            n += 1
    return n
