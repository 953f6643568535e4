"""Reading the commission's sheet (.xlsx, .csv) as rows, within caps, whatever the file claims about itself.

A workbook is a zip of XML that may lie: a 6 KB file can declare a sheet of 1,048,576 x 16,384 cells, and a
3.5 MB file can unpack to 400 MB. So the parts are measured before anything is unpacked (Python's zipfile
never unpacks more than a part declares), the rows are read one at a time (openpyxl's read-only mode),
the declared dimension is ignored (it may also be smaller than the data, which would cut rows silently),
rows are never padded to a width the data does not have, and the rows with data, the columns, each cell
and the unpacked size are capped. A file over a cap, or
broken, is one error line that names the row, the column and the cap.
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
Rows = list[tuple[int, list[object]]]


@dataclass(frozen=True)
class SheetLimits:
    rows: int = 10_000
    """Rows with data (blank rows are not counted): a city's key projects are a few hundred cameras."""
    columns: int = 200
    cell_chars: int = 32_767
    """Excel's own limit for one cell."""
    unpacked_bytes: int = 32 * 1024 * 1024
    """A .csv file, or every part of a .xlsx unpacked: a sheet of 10,000 rows is a few MB."""
    zip_parts: int = 1_000


class SheetReadError(Exception):
    """The file cannot be read, or goes past a cap: one line that names where."""


def column_letter(index: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


class _Counter:
    """Counts the rows with data and checks each row's width and cells against the caps."""

    def __init__(self, limits: SheetLimits) -> None:
        self.limits = limits
        self.rows = 0

    def row(self, number: int, record: Sequence[object]) -> list[object] | None:
        """The row's cells (trailing blanks dropped), or None for a blank row."""
        cells = list(record)
        while cells and (cells[-1] is None or cells[-1] == ""):
            cells.pop()
        if not cells:
            return None
        limits = self.limits
        if len(cells) > limits.columns:
            where = column_letter(len(cells))
            raise SheetReadError(f"row {number}, column {where}: data beyond the cap of {limits.columns} columns")
        for index, value in enumerate(cells, start=1):
            if isinstance(value, str) and len(value) > limits.cell_chars:
                raise SheetReadError(
                    f"row {number}, column {column_letter(index)}: a cell of {len(value):,} characters, "
                    f"over the cap of {limits.cell_chars:,}"
                )
        self.rows += 1
        if self.rows > limits.rows:
            raise SheetReadError(f"row {number}: more than the cap of {limits.rows:,} rows with data")
        return cells


def csv_rows(path: Path, encoding: str | None, limits: SheetLimits) -> Rows:
    """Every row with data and its number as a spreadsheet shows it (one per record)."""
    size = path.stat().st_size
    if size > limits.unpacked_bytes:
        raise SheetReadError(f"{_mb(size)}, over the cap of {_mb(limits.unpacked_bytes)} for a sheet")
    data = path.read_bytes()
    for candidate in [encoding] if encoding else ["utf-8-sig", "gb18030"]:
        try:
            text = data.decode(candidate)
        except (UnicodeDecodeError, LookupError) as exc:
            if encoding:
                raise SheetReadError(f"cannot be read as {encoding}: {exc}") from None
            continue
        log.debug("%s read as %s", path, candidate)
        return _parse_csv(text, limits)
    raise SheetReadError("neither UTF-8 nor GBK; give --encoding")


def _parse_csv(text: str, limits: SheetLimits) -> Rows:
    counter = _Counter(limits)
    rows: Rows = []
    reader = csv.reader(io.StringIO(text, newline=""))
    # The csv module refuses a field over 131,072 characters with an error that names no row: let it read
    # up to the file's own size (capped above), and the cell cap below names the row and the column.
    old = csv.field_size_limit(max(limits.unpacked_bytes, limits.cell_chars + 1))
    number = 0
    try:
        for number, record in enumerate(reader, start=1):
            cells = counter.row(number, record)
            if cells is not None:
                rows.append((number, cells))
    except csv.Error as exc:
        raise SheetReadError(f"row {number + 1}: not a CSV row ({exc})") from None
    finally:
        csv.field_size_limit(old)
    return rows


def _check_zip(path: Path, limits: SheetLimits) -> None:
    """The unpacked size, from the zip's directory, before anything is unpacked."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise SheetReadError(f"not a readable .xlsx file ({type(exc).__name__})") from None
    if len(parts) > limits.zip_parts:
        raise SheetReadError(f"{len(parts):,} parts in the file, over the cap of {limits.zip_parts:,} for a workbook")
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limits.unpacked_bytes:
        raise SheetReadError(f"{_mb(unpacked)} unpacked, over the cap of {_mb(limits.unpacked_bytes)} for a workbook")


def xlsx_rows(path: Path, sheet: str | None, limits: SheetLimits) -> Rows:
    """Every row with data of the worksheet (default: the first) and its number, read as a stream."""
    from openpyxl import load_workbook

    _check_zip(path, limits)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is no workbook
        raise SheetReadError(f"not a readable .xlsx file ({type(exc).__name__})") from None
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise SheetReadError(f"no worksheet {sheet!r} (it has {', '.join(book.sheetnames)})")
        ws = book[sheet] if sheet else book.worksheets[0]
        if not hasattr(ws, "_get_source"):
            raise SheetReadError(f"{ws.title!r} is a chart sheet, not a worksheet")
        return _stream(ws, limits)
    finally:
        with contextlib.suppress(Exception):
            book.close()


def _row_parser(ws: Any) -> Any:
    """openpyxl's own parser of a worksheet's XML (as its read-only worksheet uses it), yielding each row
    with only the cells that are there: openpyxl's ``iter_rows`` pads every row to the widest column and
    fills every missing row, 16,384 cells a row for a sheet with one cell in column XFD. Row formats are
    not kept either (a sheet may have a million rows of them)."""
    from openpyxl.worksheet._reader import WorkSheetParser

    class RowsOnly(WorkSheetParser):  # type: ignore[misc]
        number = 0

        def parse_row(self, row: Any) -> tuple[int, list[dict[str, Any]]]:
            given = row.get("r")
            self.number = int(float(given)) if given is not None else self.number + 1
            self.row_counter, self.col_counter = self.number, 0  # where cells without a reference go
            return self.number, [self.parse_cell(cell) for cell in row]

    book = ws.parent
    return RowsOnly(
        ws._get_source(),
        ws._shared_strings,
        data_only=book.data_only,
        epoch=book.epoch,
        date_formats=book._date_formats,
        timedelta_formats=book._timedelta_formats,
    )


def _stream(ws: Any, limits: SheetLimits) -> Rows:
    """The rows as they are in the file: the worksheet's declared dimension is never read."""
    counter = _Counter(limits)
    rows: Rows = []
    number = 0
    parser = _row_parser(ws)
    try:
        for number, cells in parser.parse():
            values = {cell["column"]: cell["value"] for cell in cells if cell["value"] is not None}
            if not values:
                continue
            widest = max(values)
            if widest > limits.columns:
                raise SheetReadError(
                    f"row {number}, column {column_letter(widest)}: data beyond the cap of {limits.columns} columns"
                )
            record = counter.row(number, [values.get(column) for column in range(1, widest + 1)])
            if record is not None:
                rows.append((number, record))
    except SheetReadError:
        raise
    except Exception as exc:  # broken XML, a cell reference past the grid, a value openpyxl cannot read
        detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        raise SheetReadError(
            f"row {number + 1}: the worksheet cannot be read ({type(exc).__name__}{': ' + detail if detail else ''})"
        ) from None
    finally:
        parser.source.close()
    return rows


def read_rows(
    path: Path, sheet: str | None = None, encoding: str | None = None, limits: SheetLimits | None = None
) -> Rows:
    """The rows with data of a .xlsx or .csv sheet, each with its number as a spreadsheet shows it."""
    limits = limits or SheetLimits()
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return csv_rows(path, encoding, limits)
    if suffix in (".xlsx", ".xlsm"):
        return xlsx_rows(path, sheet, limits)
    raise SheetReadError("give a .xlsx or .csv file (an .xls is saved as .xlsx from Excel or WPS)")
