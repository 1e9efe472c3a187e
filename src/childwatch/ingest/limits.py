"""Caps on what one input may expand to: decompressed gzip data and inflated PDF streams.

A small compressed file can stand for a great deal: a 1 MB `.jsonl.gz` of newlines is a GiB
of lines, a 500 KB PDF stream inflates to 512 MiB. Readers check these caps as they read
and refuse the input by name when one is passed, saying which cap it was and how to raise
it; the batch goes on.

    cap                            default          what it bounds
    CHILDWATCH_MAX_GZIP_BYTES      2G (2 GiB)       decompressed bytes of one .gz input
    CHILDWATCH_MAX_GZIP_LINES      10000000         lines of one .gz input, blank ones too
    CHILDWATCH_MAX_PDF_STREAM      64M (64 MiB)     inflated bytes of one PDF stream
    CHILDWATCH_MAX_PDF_INFLATED    256M (256 MiB)   inflated bytes of all streams of one PDF

Each is read from the environment when an input is opened, as a whole number with an
optional K, M or G suffix (binary: 1K = 1024).
"""

from __future__ import annotations

import gzip
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from childwatch.errors import ChildwatchError, InputError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

_NUMBER = re.compile(r"\s*(\d[\d_]*)\s*([KMG]?)(?:i?B)?\s*", re.IGNORECASE)
_SCALE = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


@dataclass(frozen=True, slots=True)
class Cap:
    """One configurable cap: its environment variable, default, unit and what it bounds."""

    env: str
    default: int
    unit: str  # "bytes" or "lines"
    what: str  # finishes "the cap on ..."

    def value(self) -> int:
        """The cap in force: the environment variable's value, else the default."""
        text = os.environ.get(self.env, "").strip()
        if not text:
            return self.default
        match = _NUMBER.fullmatch(text)
        value = int(match.group(1)) * _SCALE[match.group(2).upper()] if match else 0
        if value < 1:
            raise ChildwatchError(
                f"{self.env}={text!r} is not a positive whole number of {self.unit}: give one such as "
                f"{self.env}={_short(2 * self.default, self.unit)}, or unset it for the default "
                f"({_short(self.default, self.unit)})"
            )
        return value


GZIP_BYTES = Cap("CHILDWATCH_MAX_GZIP_BYTES", 2 << 30, "bytes", "decompressed bytes of one compressed (.gz) input")
GZIP_LINES = Cap(
    "CHILDWATCH_MAX_GZIP_LINES", 10_000_000, "lines", "lines (blank ones included) of one compressed (.gz) input"
)
PDF_STREAM = Cap("CHILDWATCH_MAX_PDF_STREAM", 64 << 20, "bytes", "inflated bytes of one PDF stream")
PDF_INFLATED = Cap("CHILDWATCH_MAX_PDF_INFLATED", 256 << 20, "bytes", "inflated bytes of all streams of one PDF")


def _short(value: int, unit: str) -> str:
    """A cap as one writes it in the environment: 2G, 64M, 10000000."""
    if unit == "bytes":
        for suffix in ("G", "M", "K"):
            if value % _SCALE[suffix] == 0:
                return f"{value // _SCALE[suffix]}{suffix}"
    return str(value)


def _readable(value: int, unit: str) -> str:
    """A cap for a message: "2,147,483,648 bytes (2 GiB)", "10,000,000 lines"."""
    text = f"{value:,} {unit}"
    if unit == "bytes" and value >= 1 << 10:
        for size, name in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
            if value >= size:
                amount = value / size
                text += f" ({amount:.0f} {name})" if amount == int(amount) else f" ({amount:.1f} {name})"
                break
    return text


class CapExceeded(Exception):
    """An input passed a cap; readers turn it into an InputError with `error(where)`."""

    def __init__(self, cap: Cap, limit: int, problem: str) -> None:
        super().__init__(problem)
        self.cap = cap
        self.limit = limit
        self.problem = problem

    def error(self, where: str, read_so_far: str = "") -> InputError:
        """The InputError for the input at `where`; `read_so_far` says what was kept, if anything."""
        problem = f"{self.problem} over {_readable(self.limit, self.cap.unit)}, the cap on {self.cap.what}"
        if read_so_far:
            problem += f"; {read_so_far}"
        hint = (
            f"if the input is genuine, raise the cap with {self.cap.env}, "
            f"e.g. {self.cap.env}={_short(2 * self.limit, self.cap.unit)}"
        )
        return InputError(where, problem, hint)


class _Capped(io.RawIOBase):
    """Decompressed bytes counted as they are read: CapExceeded past `limit`."""

    def __init__(self, inner: io.BufferedIOBase, limit: int) -> None:
        super().__init__()
        self.inner = inner
        self.limit = limit
        self.total = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        n = self.inner.readinto(buffer)
        self.total += n
        if self.total > self.limit:
            raise CapExceeded(GZIP_BYTES, self.limit, "decompresses to")
        return n

    def close(self) -> None:
        self.inner.close()
        super().close()


def open_gzip(path: Path) -> io.BufferedReader:
    """`path` decompressed, raising CapExceeded once it passes CHILDWATCH_MAX_GZIP_BYTES.

    gzip itself inflates a bounded block at a time, so memory stays flat; the cap bounds the
    time a small file full of one repeated byte can take.
    """
    return io.BufferedReader(_Capped(gzip.GzipFile(path, "rb"), GZIP_BYTES.value()), 1 << 16)
