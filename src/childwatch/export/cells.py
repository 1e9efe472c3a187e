"""Cells for CSV files that people open in a spreadsheet.

A cell starting with "=", "+", "-", "@" or a tab or carriage return is run as a formula by
Excel, LibreOffice and Google Sheets (CSV injection, OWASP): report texts, names typed at a
login form and analysts' reasons are untrusted, so such a cell is written with a leading
apostrophe, which spreadsheets show as text.
"""

from __future__ import annotations

__all__ = ["FORMULA_STARTS", "defuse"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(text: str) -> str:
    """`text` as a cell no spreadsheet runs as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
