"""Reading a sheet within its caps: each cap named with the row and the column where it was hit."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from monitor.config.sheet_files import SheetLimits, SheetReadError, column_letter, read_rows

SMALL = SheetLimits(rows=3, columns=4, cell_chars=10, unpacked_bytes=64 * 1024, zip_parts=50)


def _xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    ws = book.active
    assert ws is not None
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["a"], ["b"], [None], ["c"], ["d"]], "row 5: more than the cap of 3 rows with data"),
        ([["a", "b"], ["a", "b", "c", "d", "e"]], "row 2, column E: data beyond the cap of 4 columns"),
        ([["a", "x" * 11]], "row 1, column B: a cell of 11 characters, over the cap of 10"),
    ],
)
def test_each_cap_is_named_where_it_was_hit(
    tmp_path: Path, suffix: str, rows: list[list[object]], message: str
) -> None:
    path = tmp_path / f"sheet{suffix}"
    if suffix == ".xlsx":
        _xlsx(path, rows)
    else:
        path.write_text("\n".join(",".join("" if c is None else str(c) for c in row) for row in rows), encoding="utf-8")
    with pytest.raises(SheetReadError) as caught:
        read_rows(path, limits=SMALL)
    assert str(caught.value) == message


def test_blank_rows_and_trailing_blank_cells_are_not_counted(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "sheet.xlsx", [["a", None, None, None, None, None], [None], [None, None], ["b", "c"]])
    assert read_rows(path, limits=SMALL) == [(1, ["a"]), (4, ["b", "c"])]


def test_a_csv_over_the_size_cap_and_a_file_that_is_no_workbook(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"a," * 40_000)
    with pytest.raises(SheetReadError, match="78 KB, over the cap of 64 KB for a sheet"):
        read_rows(big, limits=SMALL)
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(SheetReadError, match=r"not a readable \.xlsx file \(BadZipFile\)"):
        read_rows(fake, limits=SMALL)


def test_column_letters() -> None:
    assert [column_letter(n) for n in (1, 26, 27, 200, 16384)] == ["A", "Z", "AA", "GR", "XFD"]


def test_rows_are_read_as_they_are_not_padded_to_the_widest_column(tmp_path: Path) -> None:
    """Given formatted, empty cells in column XFD (16,384) on every row, then each row is only as wide as
    its data (openpyxl's iter_rows would make every row 16,384 cells), and a value out there is refused."""
    import re
    import zipfile

    path = _xlsx(tmp_path / "wide.xlsx", [["a"], ["b"], ["c"]])
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    sheet = re.sub(rb'(<row r="(\d+)"[^>]*>)(.*?)</row>', rb'\1\3<c r="XFD\2" s="0"/></row>', sheet)
    parts["xl/worksheets/sheet1.xml"] = sheet
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert read_rows(path, limits=SMALL) == [(1, ["a"]), (2, ["b"]), (3, ["c"])]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        b'<c r="XFD2" s="0"/>', b'<c r="XFD2" t="inlineStr"><is><t>x</t></is></c>'
    )
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    with pytest.raises(SheetReadError, match="row 2, column XFD: data beyond the cap of 4 columns"):
        read_rows(path, limits=SMALL)
