"""The `childwatch` command: parse arguments, call the library, turn known errors into
clean messages and exit codes (0 ok, 1 finished with skipped inputs, 2 usage/fatal).

- `parser`: every command and its arguments;
- `commands`: what each command does;
- `text`: incidents and watched sources as text for a terminal.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from childwatch.cli.parser import build_parser
from childwatch.errors import ChildwatchError

__all__ = ["build_parser", "main"]


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


