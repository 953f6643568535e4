"""One workbook sheet with the house look: bold, shaded headers, frozen first row, columns as wide as their
text, shares as percentages; text always as text."""

from __future__ import annotations

import unicodedata
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill

from monitor.core.cells import formula_like
from monitor.core.words import COLUMN, SHARE_COLUMNS

PERCENT = "0.0%"
SHARE_HEADERS = frozenset(COLUMN[key][0] for key in SHARE_COLUMNS)
"""Headers of columns that hold a share (0..1): shown as percentages, stored as the share itself."""
MIN_WIDTH, MAX_WIDTH = 6, 60


def text_width(value: Any) -> int:
    """How many character widths ``value`` takes in a cell: a Chinese character counts two."""
    if value is None:
        return 0
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(value))


def as_text(cell: Cell) -> None:
    """A text cell stays text: openpyxl would store ``=...`` as a formula and ``#N/A`` as an error. Text that
    a spreadsheet would read as a formula also gets Excel's quote prefix, so that editing the cell keeps it
    text (monitor/core/cells.py)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if formula_like(cell.value):
            cell.quotePrefix = True


def sheet(wb: Workbook, title: str, headers: list[str], rows: list[list[Any]], first: bool = False) -> None:
    ws = wb.active if first else wb.create_sheet()
    assert ws is not None
    ws.title = title
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            as_text(cell)
    for i, header in enumerate(headers, start=1):
        letter = ws.cell(1, i).column_letter
        widest = max([text_width(header), *(text_width(row[i - 1]) for row in rows if i <= len(row))])
        ws.column_dimensions[letter].width = min(MAX_WIDTH, max(MIN_WIDTH, widest + 2))
        if header in SHARE_HEADERS:
            for (cell,) in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = PERCENT
    ws.freeze_panes = "A2"
