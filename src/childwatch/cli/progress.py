"""What long commands print while they work: a line on standard error, so that standard
output stays the command's result."""

from __future__ import annotations

import sys


def stderr(line: str) -> None:
    print(line, file=sys.stderr)
