"""One workbook sheet with the house look: bold, shaded headers, frozen first row; text always as text."""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill

from monitor.core.cells import formula_like


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
        ws.column_dimensions[ws.cell(1, i).column_letter].width = max(10, len(header) * 2 + 2)
    ws.freeze_panes = "A2"
