"""Cells for CSV files that people open in a spreadsheet.

A cell starting with "=", "+", "-", "@" or a tab or carriage return is run as a formula by
Excel, LibreOffice and Google Sheets (CSV injection, OWASP): report texts, names typed at a
login form and analysts' reasons are untrusted, so such a cell is written with a leading
apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FORMULA_STARTS", "JSON_LINE_BREAKS", "cell", "defuse"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(text: str) -> str:
    """`text` as a cell no spreadsheet runs as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value: Any) -> str | int | float:
    """A value as a CSV cell: empty for None, true/false, page lists joined, text defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):  # page numbers
        return ";".join(str(v) for v in value)
    if isinstance(value, str):
        return defuse(value)
    return value  # type: ignore[no-any-return]


# Valid inside JSON strings, but str.splitlines() (which readers such as the benchmark's
# score.py use) breaks lines there too; escaped, every record stays on its own line.
JSON_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})
