"""The `childwatch` command: parse arguments, call the library, turn known errors into
clean messages and exit codes (0 ok, 1 finished with skipped inputs, 2 usage/fatal).

- `parser`: every command and its arguments, and the function that runs it;
- what each command does, by what it works on: `pipeline` (run, resolve, watch, sources),
  `files` (export, audit, verify, bundle, backup, restore), `show` (stats, incidents),
  `people` (users), `web` (serve), `data` (gazetteer, codebook);
- `text`: incidents and watched sources as text for a terminal.

A command's module is loaded when that command runs, so that `childwatch --help` or
`childwatch users list` does not load the web stack and the extractor (1.5 s); the parser
names each command's function as "module:function" (checked by tests/test_layout.py).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence

from childwatch.cli.parser import build_parser
from childwatch.errors import ChildwatchError

__all__ = ["build_parser", "command", "main"]


def command(handler: str) -> Callable[[argparse.Namespace], int]:
    """The function that runs a command, from the parser's "module:function" (its module
    loaded now)."""
    module, name = handler.split(":")
    run: Callable[[argparse.Namespace], int] = getattr(importlib.import_module(f"childwatch.cli.{module}"), name)
    return run


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(command(args.handler)(args))
    except ChildwatchError as exc:
        print(f"childwatch: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        print("childwatch: interrupted; what was stored before is intact", file=sys.stderr)
        return 130


