"""Text that a spreadsheet must show as text, never run as a formula (CSV / formula injection).

A cell that starts with ``= + - @`` (or a tab or carriage return, after which a spreadsheet reads the rest)
is taken for a formula by Excel, WPS and LibreOffice: ``=HYPERLINK(...)`` or ``=cmd|' /C calc'!A0`` in a
name, a reply or a note would run on the desk of whoever opens the file. Everything a person or the config
wrote goes out through here (OWASP, "CSV Injection"): the .xlsx writer stores such text as a text cell
with Excel's quote prefix, and CSV and tables meant for copying get a leading apostrophe. The full-width
forms (＝ ＋ － ＠) count too: an input method may turn them into the ASCII ones.
"""

from __future__ import annotations

from typing import TypeVar

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""The first characters that make a spreadsheet read a cell as a formula."""
T = TypeVar("T")


def formula_like(text: str) -> bool:
    """True for text a spreadsheet would read as a formula."""
    return text.startswith(FORMULA_START)


def neutralised(value: T) -> T | str:
    """``value`` for a CSV field or a table cell: formula-like text with a leading apostrophe (which
    spreadsheets read as "text follows" and do not show), anything else as it is."""
    if isinstance(value, str) and formula_like(value):
        return "'" + value
    return value
